"""HTML cards for tensors and graph nodes, shown by Jupyter through the formatters ``ipython.register`` adds.

Pure functions that return strings, on the pattern of xarray's ``formatting_html``: every string that
comes from the user is escaped, the stylesheet is a real file (``static/nbgrad.css``) read once and
inlined, and a ``<pre>`` holding the PyTorch text repr is what shows where that stylesheet is stripped.
Sections fold with ``<details>``, so there is no JavaScript and no element id: the same tensor gives
the same bytes on every run, which nbval needs to compare outputs.
"""
import base64
from functools import lru_cache
from html import escape
from importlib.resources import files
from itertools import product

import numpy as np

from .. import get_printoptions
from ..i18n import message
from ..printing import element_formatter
from ..autograd.function import AccumulateGrad
from ..tensor import Tensor

__all__ = ["css", "image_html", "node_html", "tensor_html", "values_html"]

# Colour scale ends, from ColorBrewer's RdBu (colour-blind safe). Cells blend from white towards them in
# proportion to |value| / max|value|; even the ends are light enough for dark text to stay readable.
_NEGATIVE = (0x67, 0xA9, 0xCF)
_POSITIVE = (0xEF, 0x8A, 0x62)
_WHITE = (0xFF, 0xFF, 0xFF)


@lru_cache(None)
def css():
    """The stylesheet, read on first use only: ``import nbgrad`` does not touch it."""
    return files(__package__).joinpath("static", "nbgrad.css").read_text(encoding="utf-8")


def tensor_html(t):
    """The card of a tensor: name, shape, dtype, autograd state, its values and its ``.grad``."""
    return _card(repr(t), _header(type(t).__name__, t.name), _tensor_body(t))  # Tensor, or Parameter


def node_html(node):
    """The card of a graph node (a ``grad_fn``): what it saved for backward and where it sends gradients."""
    if isinstance(node, AccumulateGrad):
        sections = _section(".variable", _tensor_block(node.variable))
    else:
        sections = _saved_section(node)
    sections += _next_functions_section(node)
    return _card(repr(node), _header(message("card.autograd_node"), node.name()), sections)


def image_html(png, alt):
    """A PNG embedded in the page (no file to serve), scaled down to the output's width if wider."""
    data = base64.b64encode(png).decode("ascii")
    return f"<div><img class='nbgrad-image' src='data:image/png;base64,{data}' alt='{escape(alt)}'></div>"


def _card(text_repr, header, body):
    return (
        "<div class='nbgrad-repr'>"
        f"<style>{css()}</style>"
        f"<pre class='nbgrad-text-repr-fallback'>{escape(text_repr)}</pre>"
        f"<div class='nbgrad-wrap' style='display:none'>{header}<div class='nbgrad-body'>{body}</div></div>"
        "</div>"
    )


def _name(name):
    return "" if name is None else f"<span class='nbgrad-name'>{escape(str(name))}</span>"


def _header(kind, name):
    return f"<div class='nbgrad-header'><span class='nbgrad-kind'>{escape(kind)}</span>{_name(name)}</div>"


def _section(title, content):
    return (
        f"<details class='nbgrad-section' open><summary>{escape(title)}</summary>"
        f"<div class='nbgrad-section-content'>{content}</div></details>"
    )


def _attrs(pairs):
    items = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in pairs)
    return f"<dl class='nbgrad-attrs'>{items}</dl>"


def _tensor_body(t):
    grad = t.grad if t.is_leaf or t.retains_grad else None  # .grad of any other tensor warns, as in PyTorch
    pairs = [
        (".shape", str(tuple(t.shape))),  # the attributes, spelt as you read them: t.shape, t.grad_fn, ...
        (".dtype", repr(t.dtype)),
        (".requires_grad", str(t.requires_grad)),
        (".grad_fn", "None" if t.grad_fn is None else f"<{t.grad_fn.name()}>"),
        (".is_leaf", str(t.is_leaf)),
    ]
    if grad is None and (t.is_leaf and t.requires_grad or t.retains_grad):
        pairs.append((".grad", "None"))
    body = _attrs(pairs) + _section(message("card.values"), values_html(t.detach().numpy()))
    if grad is not None:
        body += _section(".grad", values_html(grad.detach().numpy()))
    return body


def _tensor_block(t):
    """A tensor shown inside another card: its name, if any, then the same body as its own card."""
    return f"<div class='nbgrad-nested'>{_name(t.name)}{_tensor_body(t)}</div>"


def _describe(value):
    """One value a node keeps, as HTML: tensors get a full block, anything else its escaped repr."""
    if isinstance(value, Tensor):
        return _tensor_block(value)
    return f"<span class='nbgrad-code'>{escape(repr(value))}</span>"


def _saved_section(node):
    saved = node.saved_values()
    notes = ""
    if getattr(node, "saved_freed", False):
        notes = f"<span class='nbgrad-note'>{escape(message('card.saved_freed'))}</span>"
    if not saved:
        nothing = f"<span class='nbgrad-note'>{escape(message('card.nothing'))}</span>"
        return _section(message("card.saved"), notes or nothing)
    items = "".join(
        f"<li><span class='nbgrad-code'>{escape(str(key))}</span>: {_describe(value)}</li>"
        for key, value in saved.items()
    )
    return _section(message("card.saved_count", count=len(saved)), f"{notes}<ul class='nbgrad-list'>{items}</ul>")


def _next_functions_section(node):
    items = []
    for i, (fn, output_nr) in enumerate(node.next_functions):
        if fn is None:
            text = f"None <span class='nbgrad-note'>{escape(message('card.no_gradient_needed'))}</span>"
        else:
            text = f"<span class='nbgrad-code'>({escape(fn.name())}, {output_nr})</span>"
            if isinstance(fn, AccumulateGrad):
                leaf = fn.variable
                key = "card.leaf" if leaf.name is None else "card.named_leaf"
                note = message(key, name=str(leaf.name), shape=tuple(leaf.shape))
                text += f" <span class='nbgrad-note'>{escape(note)}</span>"
        items.append(f"<li><span class='nbgrad-kind'>[{i}]</span>{text}</li>")
    if not items:
        return _section(".next_functions", f"<span class='nbgrad-note'>{escape(message('card.gradients_stop'))}</span>")
    return _section(f".next_functions ({len(items)})", f"<ol class='nbgrad-list'>{''.join(items)}</ol>")


# ----- values -----

def _kept(n, summarize, edge):
    """Indices shown along a dimension of length n; None marks the gap of a summarised dimension."""
    if summarize and n > 2 * edge:
        return [*range(edge), None, *range(n - edge, n)]
    return list(range(n))


def values_html(data):
    """The values of an array as tables, one per 2-d slice, coloured by sign and size.

    Summarised as PyTorch prints: above ``threshold`` elements only ``edgeitems`` at each end of every
    dimension are shown, and numbers use the digits and notation ``repr`` would use.
    """
    if data.size == 0:
        return f"<span class='nbgrad-note'>{escape(message('card.no_elements'))}</span>"
    options = get_printoptions()
    summarize = data.size > options["threshold"]
    edge = options["edgeitems"]
    fmt = element_formatter(data)
    grid = data.reshape((1,) * (2 - data.ndim) + data.shape) if data.ndim < 2 else data
    rows = _kept(grid.shape[-2], summarize, edge)
    cols = _kept(grid.shape[-1], summarize, edge)

    # Leading indices of the 2-d slices; one marker stands for each run of summarised-away slices.
    slices = []
    for index in product(*(_kept(n, summarize, edge) for n in grid.shape[:-2])):
        if None not in index:
            slices.append(index)
        elif not slices or slices[-1] is not None:
            slices.append(None)

    shown = [
        grid[index][np.ix_([r for r in rows if r is not None], [c for c in cols if c is not None])]
        for index in slices if index is not None
    ]
    scale = _colour_scale(shown)

    tables = []
    for index in slices:
        if index is None:
            tables.append("<div class='nbgrad-gap-slices'>⋯</div>")
            continue
        caption = f"[{', '.join(map(str, index))}, :, :]" if data.ndim > 2 else None
        tables.append(_table(grid[index], rows, cols, fmt, scale, caption, data.ndim))
    html = tables[0] if len(tables) == 1 else f"<div class='nbgrad-slices'>{''.join(tables)}</div>"
    return html + _legend(fmt, scale, data)


def _table(matrix, rows, cols, fmt, scale, caption, ndim):
    parts = ["<table class='nbgrad-values'>"]
    if caption is not None:
        parts.append(f"<caption>{caption}</caption>")
    if ndim >= 1:
        corner = "<th></th>" if ndim >= 2 else ""
        parts.append("<tr>" + corner + "".join(f"<th>{'…' if c is None else c}</th>" for c in cols) + "</tr>")
    for r in rows:
        head = f"<th>{'⋮' if r is None else r}</th>" if ndim >= 2 else ""
        if r is None:
            cells = "".join(f"<td class='nbgrad-gap'>{'⋮' if c is not None else '⋱'}</td>" for c in cols)
        else:
            cells = "".join(_cell(matrix[r, c], fmt, scale) if c is not None else "<td class='nbgrad-gap'>…</td>"
                            for c in cols)
        parts.append(f"<tr>{head}{cells}</tr>")
    parts.append("</table>")
    return "".join(parts)


def _cell(value, fmt, scale):
    value = value.item()
    colour = _background(float(value), scale)
    style = f" style='background-color:{colour}'" if colour is not None else ""
    return f"<td{style}>{escape(fmt(value).strip())}</td>"


def _colour_scale(arrays):
    """The largest finite magnitude among the shown values: it gets the full colour."""
    finite = [np.abs(a[np.isfinite(a)].astype(np.float64)) for a in arrays]
    finite = [a for a in finite if a.size]
    return float(max(a.max() for a in finite)) if finite else 0.0


def _background(value, scale):
    """The cell colour of value as #rrggbb, or None for white (zero, nan, or nothing to scale by)."""
    if value != value or value == 0 or scale == 0:
        return None
    weight = min(abs(value) / scale, 1.0)
    end = _POSITIVE if value > 0 else _NEGATIVE
    return "#" + "".join(f"{round(w + (e - w) * weight):02x}" for w, e in zip(_WHITE, end))


def _legend(fmt, scale, data):
    if scale == 0 or data.dtype.kind == "b" or data.size == 1:
        return ""
    high = np.asarray(scale, dtype=data.dtype).item()  # an int tensor's formatter expects ints
    low, high = fmt(-high).strip(), fmt(high).strip()
    return (
        f"<div class='nbgrad-legend'>{escape(message('card.colour'))} "
        f"<span class='nbgrad-swatch' style='background-color:{_background(-scale, scale)}'>{escape(low)}</span>"
        " … 0 … "
        f"<span class='nbgrad-swatch' style='background-color:{_background(scale, scale)}'>{escape(high)}</span>"
        "</div>"
    )
