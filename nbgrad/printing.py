"""PyTorch-compatible tensor printing.

A port of ``torch/_tensor_str.py`` (PyTorch 2.x) for NumPy arrays, so that
``repr`` of an nbgrad tensor is byte for byte what ``repr`` of the equivalent
``torch.Tensor`` would be.  Students compare the two side by side, so any
difference in padding, precision or line breaking would be a distraction.

Only real dtypes are handled (floating, integer and bool); nbgrad has no
complex, sparse, quantized or device-placed tensors, so those branches of the
torch implementation have no counterpart here.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["element_formatter", "format_tensor", "get_printoptions", "set_printoptions"]

# Every repr starts with this; nested rows are indented to line up under it.
_PREFIX = "tensor("


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set options for printing tensors; same semantics as ``torch.set_printoptions``.

    Args:
        precision: digits after the decimal point for floats (default 4).
        threshold: element count above which the output is summarised with
            ``...`` (default 1000).
        edgeitems: items shown at each end of a summarised dimension (default 3).
        linewidth: characters per line used for wrapping (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"``; applied first, so
            the other arguments override it.
        sci_mode: force scientific notation on (True) or off (False); None
            lets the formatter choose.  Like torch, this argument is always
            applied, so omitting it resets it to None.
    """
    if profile == "default":
        _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = 4, 1000, 3, 80
    elif profile == "short":
        _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = 2, 1000, 2, 80
    elif profile == "full":
        _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = 4, math.inf, 3, 80

    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current print options as a dict accepted by :func:`set_printoptions`."""
    return dataclasses.asdict(_OPTS)


class _Formatter:
    """Chooses one common style and width for every element of a tensor.

    Torch decides the style from the *whole* (possibly summarised) tensor so
    that all columns line up; the decisions below mirror ``_Formatter`` in
    torch/_tensor_str.py, including its quirks.
    """

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"  # (real dtypes only: see the module docstring)
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        if not self.floating:
            for value in values.tolist():
                self.max_width = max(self.max_width, len(str(value)))
            return

        # nan, inf and zero say nothing about the scale of the data, so only
        # the remaining values drive the choice of style and the width; the
        # non-finite ones may therefore end up wider than the column. Python floats are float64, so the
        # comparisons are in float64 as torch's (float16 cannot overflow), and on the few numbers a trace or a
        # picture formats they are several times faster than NumPy's calls on a tiny array.
        finite = [v for v in values.tolist() if math.isfinite(v) and v != 0]
        if not finite:
            return
        magnitudes = [abs(v) for v in finite]
        smallest, largest = min(magnitudes), max(magnitudes)
        self.int_mode = all(v == math.ceil(v) for v in finite)

        if _OPTS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = _OPTS.sci_mode

        for value in finite:
            if self.sci_mode:
                width = len(f"{value:.{_OPTS.precision}e}")
            elif self.int_mode:
                # +1 for the trailing "." that marks an integral float.
                width = len(f"{value:.0f}") + 1
            else:
                width = len(f"{value:.{_OPTS.precision}f}")
            self.max_width = max(self.max_width, width)

    def format(self, value: float | int | bool) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                text += "."
        else:
            text = f"{value:.{_OPTS.precision}f}"
        return text.rjust(self.max_width)


def element_formatter(data: np.ndarray) -> Callable[[float | int | bool], str]:
    """The function that formats one element of ``data`` exactly as ``repr`` of the tensor would.

    Style, precision and width are chosen from the whole tensor (only the visible part when it is
    summarised), so other renderings (the HTML table) show the same digits as the text repr.
    """
    data = np.asarray(data)
    summarize = data.size > _OPTS.threshold
    return _Formatter(_summarized_values(data) if summarize else data.reshape(-1)).format


def _summarized_values(data: np.ndarray) -> np.ndarray:
    """The elements that remain visible after summarisation, flattened.

    The formatter must only look at these: a huge outlier hidden behind
    ``...`` must not change the style of the printed elements.
    """
    edge = _OPTS.edgeitems
    if data.ndim == 0:
        return data.reshape(1)
    if data.ndim == 1:
        if data.shape[0] > 2 * edge:
            return np.concatenate((data[:edge], data[-edge:]))
        return data
    if not edge:
        # Nothing but "..." is printed, so nothing may influence the width.
        return data.reshape(-1)[:0]
    rows = range(data.shape[0])
    if data.shape[0] > 2 * edge:
        rows = [*range(edge), *range(data.shape[0] - edge, data.shape[0])]
    return np.concatenate([_summarized_values(data[i]) for i in rows])


def _vector_str(data: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    edge = _OPTS.edgeitems
    # Each element costs its width plus ", ".
    element_length = formatter.max_width + 2
    elements_per_line = max(1, math.floor((_OPTS.linewidth - indent) / element_length))

    if summarize and not edge:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * edge:
        items = (
            [formatter.format(v) for v in data[:edge].tolist()]
            + [" ..."]
            + [formatter.format(v) for v in data[-edge:].tolist()]
        )
    else:
        items = [formatter.format(v) for v in data.tolist()]

    lines = [
        ", ".join(items[i : i + elements_per_line])
        for i in range(0, len(items), elements_per_line)
    ]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str(data: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if data.ndim == 0:
        return formatter.format(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, formatter)

    edge = _OPTS.edgeitems
    n = data.shape[0]
    if summarize and n > 2 * edge:
        slices = (
            [_tensor_str(data[i], indent + 1, summarize, formatter) for i in range(edge)]
            + ["..."]
            + [_tensor_str(data[i], indent + 1, summarize, formatter) for i in range(n - edge, n)]
        )
    else:
        slices = [_tensor_str(data[i], indent + 1, summarize, formatter) for i in range(n)]

    # Higher-rank slices are separated by blank lines (one per extra dimension)
    # so the block structure stays visible.
    separator = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _add_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    parts = [text]
    # Torch's arithmetic overestimates the last line's length by 2 (the
    # "+ 1" should be "- 1"); kept so that suffixes wrap at the same places.
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(
    data: np.ndarray,
    *,
    suffixes: Sequence[str] = (),
    dtype_name: str | None = None,
) -> str:
    """Return the PyTorch-style repr ``tensor(...)`` of ``data``.

    Args:
        data: the tensor's values (floating, integer or bool dtype).
        suffixes: extra ``key=value`` annotations in the order they should
            appear, e.g. ``["grad_fn=<AddBackward0>"]`` or
            ``["requires_grad=True"]``.
        dtype_name: when given, ``dtype=<dtype_name>`` is emitted before the
            other suffixes, where torch puts ``dtype=torch.float64``.  The
            caller decides when to pass it.  Torch's rule: a non-empty tensor
            shows its dtype unless it is float32, int64 or bool; an empty tensor
            shows it unless it is float32 (there are no values to tell ints
            from floats).

    A ``size=(...)`` suffix is added automatically, as torch does, for empty
    tensors that are not 1-d and whenever ``edgeitems`` is 0.
    """
    data = np.asarray(data)
    indent = len(_PREFIX)
    leading: list[str] = []

    if data.size == 0:
        if data.ndim != 1:
            leading.append(f"size={data.shape}")
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            leading.append(f"size={data.shape}")
        summarize = data.size > _OPTS.threshold
        formatter = _Formatter(_summarized_values(data) if summarize else data.reshape(-1))
        body = _tensor_str(data, indent, summarize, formatter)

    if dtype_name is not None:
        leading.append(f"dtype={dtype_name}")
    return _add_suffixes(_PREFIX + body, [*leading, *suffixes], indent)
