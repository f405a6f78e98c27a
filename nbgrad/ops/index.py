"""Indexing: ``t[key]`` and ``t[key] = value``, with PyTorch's rules.

PyTorch reads a key from left to right. An int selects (its dim goes away), a slice narrows, None inserts a
size-1 dim, an Ellipsis skips dims: each is a view, recorded as its own Select / Slice / Unsqueeze node.
Index tensors (lists, integer or boolean tensors, a bool) are collected on the way, at the dim they index
*after* those steps, and applied last as one Index node. So an int never counts as an "advanced" index:
``x[1, :, [0, 2]]`` is ``x.select(0, 1)[:, [0, 2]]`` and keeps the list's dim in place, where NumPy would
move it to the front. The index tensors' dims go to the front only when a slice, None or Ellipsis
separates two of them.

A key is kept as a pair ``(views, indices)``: NumPy basic keys applied one after the other (each gives a
view, as PyTorch's steps do), then ``indices``, full slices and int64 arrays only: for those NumPy places
the result's dims as PyTorch does. The gradient scatters back into zeros, adding where an index repeats.
"""
import numbers
import warnings

import numpy as np

from .._dtype import check_scalar_fits
from ..autograd import function
from ._base import Primitive, Rule, either, raw
from . import elementwise as E, shape as S, views

def _view(array, key):
    """``array`` seen through ``key``: a view after the basic steps, then the index arrays (a copy)."""
    views, indices = key
    for step in views:
        array = array[step]
    if not indices:
        return array
    try:
        return array[indices]
    except IndexError:  # an index out of range for an empty result, which PyTorch lets pass: its shape
        dims = [1 if isinstance(k, np.ndarray) else n for k, n in zip(indices + (None,) * array.ndim, array.shape)]
        zeros = tuple(np.zeros_like(k) if isinstance(k, np.ndarray) else k for k in indices)
        return np.empty(np.empty(dims, dtype=bool)[zeros].shape, dtype=array.dtype)


def _write(array, key, value, accumulate=False):
    """``array[key] = value`` (``+=`` with repeats adding up when ``accumulate``), in place."""
    views, indices = key
    target = _view(array, (views, ()))
    if not indices:
        target[...] = target + value if accumulate else value
    elif not _view(target, ((), indices)).size:
        pass  # nothing to write (and the indices may be out of range, see _view)
    elif accumulate:
        np.add.at(target, indices, value)
    else:
        target[indices] = value


class Index(Primitive):
    rule = Rule("a[key];  ∂/∂a puts the gradient back where the elements came from (repeats add up)",
                latex=(r"$a[\mathit{key}]", r"1 \text{ for each time an element is picked}"))

    @staticmethod
    def forward(ctx, a, key):
        ctx.self_sym_sizes, ctx.indices = a._data.shape, key
        return _view(a._data, key)

    @staticmethod
    def backward(ctx, grad):
        return index_put(zeros(grad, ctx.self_sym_sizes), ctx.indices, grad, True), None


class Select(Index):
    rule = Rule("a[..., i, ...] (one index along one dim);  gradient scattered back",
                latex=(r"$a[\mathit{key}]", r"1 \text{ at the selected elements}"))
    functions = ("select",)

    is_view = True


class Slice(Index):
    rule = Rule("a[..., i:j:k, ...];  gradient scattered back",
                latex=(r"$a[\mathit{key}]", r"1 \text{ inside the slice}"))
    functions = ("narrow",)  # PyTorch's narrow is a slice: SliceBackward0

    is_view = True


class IndexPut(Primitive):
    rule = Rule(
        "a with a[key] replaced by v (or v added there: accumulate, the backward of indexing);  "
        "∂/∂a = 1 (outside key unless accumulate),  ∂/∂v = upstream[key]",
        latex=(
            r"$a \text{ with } $v \text{ at } \mathit{key}",
            r"1 \text{ outside } \mathit{key}",
            r"1 \text{ at } \mathit{key}",
        ),
    )

    @staticmethod
    def forward(ctx, a, key, v, accumulate):
        ctx.indices, ctx.accumulate = key, accumulate
        out = a._data.copy()
        _write(out, key, v._data, accumulate)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.accumulate:
            kept = grad
        else:
            mask = np.ones(raw(grad).shape, dtype=bool)
            _write(mask, ctx.indices, False)
            kept = grad * mask
        return kept, None, index(grad, ctx.indices), None


def _scatter(a, key, g, accumulate):
    out = a.copy()
    _write(out, key, g, accumulate)
    return out


def _zeros(like, shape):
    return np.zeros(shape, dtype=like.dtype)


# A rule's indexing, recorded as Index / IndexPut nodes on Tensors, done by NumPy on arrays.
index = either(_view, Index.apply)
index_put = either(_scatter, IndexPut.apply)
zeros = either(_zeros, lambda g, shape: function.Tensor._make(_zeros(g._data, shape)))


# ----------------------------------------------------------------------------- reading a key as PyTorch does

_TORCH_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char", "int16": "Short",
                "int32": "Int", "int64": "Long", "uint8": "Byte", "bool": "Bool"}


def _as_items(key):
    """The key as a tuple of items. A list holding a slice, None, Ellipsis, a list or a tensor is read as a
    tuple (NumPy's old rule, which PyTorch keeps for lists shorter than 32)."""
    if isinstance(key, tuple):
        return key
    if isinstance(key, list) and len(key) < 32 and any(
        k is None or k is Ellipsis or isinstance(k, (slice, list, tuple, range, function.Tensor, np.ndarray)) for k in key
    ):
        return tuple(key)
    return (key,)


def _as_item(k):
    """One item as a Python int / bool, slice, None, Ellipsis, or an ndarray (index tensor or mask)."""
    if isinstance(k, function.Tensor):
        k = k._data
    if isinstance(k, (list, tuple, range)):  # a range is a sequence of ints to PyTorch too
        k = np.asarray(k)
        if not k.size:
            k = k.astype(np.int64)
    if isinstance(k, np.ndarray):
        if k.dtype == np.uint8:  # PyTorch's old byte masks, still read as masks
            warnings.warn("indexing with dtype nbgrad.uint8 is now deprecated, please use a dtype nbgrad.bool "
                          "instead.", UserWarning, stacklevel=5)
            k = k.astype(bool)
        if k.dtype.kind == "b":
            return bool(k) if k.ndim == 0 else k
        if k.dtype not in (np.int32, np.int64):
            return k  # refused with the other index tensors, after the steps
        return int(k) if k.ndim == 0 else k.astype(np.int64, copy=False)
    if isinstance(k, (bool, np.bool_)):
        return bool(k)
    if isinstance(k, numbers.Integral):
        return int(k)
    return k


def _specified(k):
    """How many of the tensor's dims an item uses, by PyTorch's count (checked before anything else): a
    boolean tensor its dims, a list one whatever it holds, None, Ellipsis and bools none."""
    if k is None or k is Ellipsis or isinstance(k, (bool, np.bool_)):
        return 0
    if isinstance(k, function.Tensor):
        k = k._data
    if isinstance(k, np.ndarray) and k.dtype.kind == "b":
        return k.ndim
    return 1


def _parse(t, key, single=False, keep_full_slice=False):
    """PyTorch's steps for ``t[key]``: a list of ("select" | "slice" | "unsqueeze", dim, arg), the shape they
    give, and the index arrays, each with the dim of that shape it indexes. ``single``: the key is one slice
    or int (not a tuple), for which PyTorch has its own errors on a 0-d tensor; ``keep_full_slice``: record
    even a slice of the whole dim (PyTorch's ``t[:]``, where ``t[:, :]`` is no step)."""
    items = _as_items(key)
    specified = sum(_specified(k) for k in items)
    items = [_as_item(k) for k in items]
    shape = list(t._data.shape)
    ndim = len(shape)
    if single and ndim == 0 and isinstance(items[0], slice):
        _check_step(items[0])
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    if single and ndim == 0 and isinstance(items[0], int) and not isinstance(items[0], bool):
        if items[0]:
            raise IndexError(f"index {items[0]} is out of bounds for dimension 0 with size 0")
        raise IndexError(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to "
            "convert a 0-dim tensor to a number"
        )
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    steps, indices, dim = [], [], 0
    for position, k in enumerate(items):
        if k is Ellipsis:
            dim += ndim - specified
        elif k is None or isinstance(k, bool):
            steps.append(("unsqueeze", dim, None))
            shape.insert(dim, 1)
            if isinstance(k, bool):  # True indexes the new dim with [0], False with []
                indices.append((dim, np.zeros(int(k), dtype=np.int64)))
            dim += 1
        elif dim >= len(shape):  # only after a boolean list of 2+ dims, which PyTorch counts as one dim
            if isinstance(k, int):
                raise IndexError(f"index {k} is out of bounds for dimension {position} with size 0")
            raise IndexError(f"too many indices for tensor of dimension {ndim}")  # NOTE: PyTorch's own is odder
        elif isinstance(k, int):
            size = shape[dim]
            if not -size <= k < size:
                # PyTorch names the item's place in the key
                raise IndexError(f"index {k} is out of bounds for dimension {position} with size {size}")
            steps.append(("select", dim, k))
            del shape[dim]
        elif isinstance(k, slice):
            _check_step(k)
            size = shape[dim]
            start, stop, step = k.indices(size)
            length = len(range(start, stop, step))
            # a slice written as the whole dim (0 or no start, an end past the last, step 1) is no step at all
            full = k.start in (None, 0) and (k.stop is None or k.stop >= size) and k.step in (None, 1)
            if not full or keep_full_slice:
                steps.append(("slice", dim, slice(start, start + length * step, step) if length else slice(0, 0)))
                shape[dim] = length
            dim += 1
        elif isinstance(k, np.ndarray):
            indices.append((dim, k))
            dim += k.ndim if k.dtype.kind == "b" else 1
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices "
                f"(got {type(k).__name__})"
            )
    one_mask = len(indices) == 1 and indices[0][1].dtype.kind == "b"
    return steps, tuple(shape), _index_arrays(indices, shape), one_mask


def _check_step(k):
    if k.step is not None and k.step <= 0:
        raise ValueError("slice step cannot be zero" if k.step == 0 else "step must be greater than zero")


def _index_arrays(indices, shape):
    """The index arrays as a NumPy key of full slices and int64 arrays, masks turned into positions,
    checked as ``at::index`` checks them (mask shapes, broadcasting, bounds)."""
    if not indices:
        return ()
    if any(k.dtype.kind != "b" and k.dtype not in (np.int32, np.int64) for _, k in indices):
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    positions = []
    for dim, k in indices:
        if k.dtype.kind == "b":
            for j, (got, want) in enumerate(zip(k.shape, shape[dim:dim + k.ndim] + [None] * k.ndim)):
                if got != want:
                    raise IndexError(
                        f"The shape of the mask {list(k.shape)} at index {j} does not match the shape of the "
                        f"indexed tensor {list(shape)} at index {dim + j}"
                    )
            positions.extend(zip(range(dim, dim + k.ndim), np.nonzero(k)))
        else:
            positions.append((dim, k))
    try:
        size = np.broadcast_shapes(*(k.shape for _, k in positions))
    except ValueError:
        shapes = ", ".join(str(list(k.shape)) for _, k in positions)
        raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}") \
            from None
    if np.prod(size, dtype=np.int64) and not all(shape[dim] for dim, _ in positions):
        raise IndexError("index is out of bounds for dimension with size 0")
    indexed = {dim for dim, _ in positions}
    others = [n for dim, n in enumerate(shape) if dim not in indexed]
    if np.prod(size, dtype=np.int64) and np.prod(others, dtype=np.int64):  # PyTorch checks while it copies
        for number, (dim, k) in enumerate(positions):
            bad = (k >= shape[dim]) | (k < -shape[dim])
            if bad.any():
                raise IndexError(f"index {k[bad][0]} is out of bounds for dimension {number} with size {shape[dim]}")
    key = [slice(None)] * (positions[-1][0] + 1)
    for dim, k in positions:
        key[dim] = k
    return tuple(key)


def _numpy_step(kind, dim, arg):
    """One PyTorch step as a NumPy basic key (the trailing ``...`` keeps a 0-d result a view)."""
    return (slice(None),) * dim + ((None,) if kind == "unsqueeze" else (arg,)) + (Ellipsis,)


def _apply_steps(t, steps):
    """``t`` seen through PyTorch's steps, one view op each (SelectBackward0, SliceBackward0, UnsqueezeBackward0)."""
    for kind, dim, arg in steps:
        if kind == "unsqueeze":
            t = t.unsqueeze(dim)
        else:
            t = (Select if kind == "select" else Slice).apply(t, ((_numpy_step(kind, dim, arg),), ()))
    return t


def getitem(t, key):
    if isinstance(key, numbers.Integral) and not isinstance(key, (bool, np.bool_)) and t._data.ndim:
        size = t._data.shape[0]  # the common t[i]: one Select
        if not -size <= key < size:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
        return Select.apply(t, (((int(key), Ellipsis),), ()))
    steps, _, indices, _ = _parse(t, key, isinstance(key, (slice, numbers.Integral)), isinstance(key, slice))
    out = _apply_steps(t, steps)
    if indices:
        return Index.apply(out, ((), indices))
    return views.Alias.apply(t) if out is t else out  # t[...], t[:, :]: a new view of all of t


def setitem(t, key, value):
    """``t[key] = value`` as PyTorch does it: the key's steps give a view of ``t``, which then takes the value in
    place (``copy_``, ``fill_``, or ``index_put_`` for index tensors); through a view, ``t``'s history becomes
    ``CopySlices``."""
    if key is False or (isinstance(key, np.bool_) and not key):  # PyTorch writes nothing
        return
    if (isinstance(key, function.Tensor) and key._data.dtype == np.uint8
            and np.ndim(value._data if isinstance(value, function.Tensor) else value) == 0):
        # one mask and one value is PyTorch's masked_fill_, which takes no byte mask
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")
    steps, shape, indices, one_mask = _parse(t, key, isinstance(key, (slice, numbers.Integral)))
    if not isinstance(value, function.Tensor):
        if isinstance(value, numbers.Number) and t._data.dtype.kind != "f":
            check_scalar_fits(value, t.dtype)  # t[0] = 300 into int8: PyTorch's error, not a wrapped value
        value = function.Tensor._make(np.asarray(value, dtype=t._data.dtype))
    # like PyTorch, drop the value's leading size-1 dims before broadcasting it
    stripped = value._data.shape
    while stripped and stripped[0] == 1:
        stripped = stripped[1:]
    key = (tuple(_numpy_step(*step) for step in steps), indices)
    if indices:
        target = _view(np.empty(t._data.shape, dtype=bool), key).shape
        if len(stripped) > len(target) or any(n not in (1, m) for n, m in zip(stripped[::-1], target[::-1])):
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(stripped)} cannot be broadcast to "
                f"indexing result of shape {list(target)}"
            )
    else:
        S.expanded_shape(value.detach().view(stripped), shape)  # PyTorch's expand error
    if value._data.dtype != t._data.dtype:
        # one mask and one value is a masked_fill_ in PyTorch, which casts; index_put_ does not
        if indices and not (one_mask and value._data.size == 1):
            raise RuntimeError(
                f"Index put requires the source and destination dtypes match, got "
                f"{_TORCH_NAMES.get(t._data.dtype.name, t._data.dtype.name)} for the destination and "
                f"{_TORCH_NAMES.get(value._data.dtype.name, value._data.dtype.name)} for the source."
            )
        value = value.to(t.dtype)
    view = _apply_steps(t, steps)
    # as copy_ does, the very same memory writes nothing (so it may even go into an expanded tensor)
    view._check_inplace(value, one_value=not indices and value._data.__array_interface__ == view._data.__array_interface__)
    if indices:
        if stripped != value._data.shape:
            value = value.view(stripped)
        view._inplace(IndexPut.apply(view._snapshot(), ((), indices), value, False))
    elif value._data.shape == shape:  # PyTorch's copy_to: copy_ when shapes agree, fill_ with a 0-d value,
        view._inplace(E.Copy.apply(view._snapshot(), value))
    elif value._data.ndim == 0:
        view._inplace(E.FillTensor.apply(view._snapshot(), value))
    else:  # else the value without its leading 1s, expanded
        if stripped != value._data.shape:
            value = value.view(stripped)
        view._inplace(E.Copy.apply(view._snapshot(), value.expand(shape)))
