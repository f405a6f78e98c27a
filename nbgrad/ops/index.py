"""Indexing: ``t[key]`` and ``t[key] = value``.

Basic keys (ints, slices, None, ...) become a chain of Select / Slice / Unsqueeze nodes, as in PyTorch;
a key with lists, index tensors or boolean masks becomes one Index node. The gradient of any of them
scatters back into zeros, adding where an index repeats.
"""
import numbers

import numpy as np

from ..autograd import function
from ._base import Primitive, Rule, either, raw


class Index(Primitive):
    rule = Rule("a[key];  ∂/∂a puts the gradient back where the elements came from (repeats add up)",
                latex=(r"$a[\mathit{key}]", r"1 \text{ for each time an element is picked}"))

    @staticmethod
    def forward(ctx, a, key):
        ctx.self_sym_sizes, ctx.indices = a._data.shape, key
        return a._data[key]

    @staticmethod
    def backward(ctx, grad):
        return index_put(grad, ctx.self_sym_sizes, ctx.indices), None


class Select(Index):
    rule = Rule("a[..., i, ...] (one index along one dim);  gradient scattered back",
                latex=(r"$a[\mathit{key}]", r"1 \text{ at the selected elements}"))

    is_view = True

    @staticmethod
    def forward(ctx, a, key):
        # the trailing ``...`` makes NumPy return a 0-d view where it would return a copied scalar
        return Index.forward(ctx, a, key + (Ellipsis,))


class Slice(Index):
    rule = Rule("a[..., i:j:k, ...];  gradient scattered back",
                latex=(r"$a[\mathit{key}]", r"1 \text{ inside the slice}"))

    is_view = True


class IndexPut(Primitive):
    rule = Rule("zeros(shape) with g added at key (the backward of indexing);  ∂/∂g = upstream[key]",
                latex=(r"0 \text{ with } $g \text{ added at } \mathit{key}", r"1 \text{ at } \mathit{key}"))

    @staticmethod
    def forward(ctx, g, shape, key):
        ctx.indices = key
        return _scatter(g._data, shape, key)

    @staticmethod
    def backward(ctx, grad):
        return index(grad, ctx.indices), None, None


class CopySlices(Primitive):
    rule = Rule(
        "a with a[key] replaced by v (a[key] = v);  ∂/∂a = 1 outside key, 0 inside;  ∂/∂v = upstream[key]",
        latex=(
            r"$a \text{ with } $a[\mathit{key}] = $v",
            r"1 \text{ outside } \mathit{key}",
            r"1 \text{ at } \mathit{key}",
        ),
    )

    node_name = "CopySlices"

    @staticmethod
    def forward(ctx, a, key, v):
        ctx.indices = key
        out = a._data.copy()
        out[key] = v._data
        return out

    @staticmethod
    def backward(ctx, grad):
        kept = np.ones(raw(grad).shape, dtype=bool)
        kept[ctx.indices] = False
        return grad * kept, None, index(grad, ctx.indices)


def _scatter(g, shape, key):
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic(key):
        out[key] = g
    else:
        np.add.at(out, key, g)
    return out


# A rule's indexing, recorded as one Index / IndexPut node on Tensors, done by NumPy on arrays.
index = either(lambda g, key: g[key], Index.apply)
index_put = either(_scatter, IndexPut.apply)


def _is_basic(key):
    return all(k is None or k is Ellipsis or isinstance(k, (numbers.Integral, slice)) for k in key)


def _normalise(t, key):
    """A tuple key of ints, slices, None, Ellipsis and int64 arrays, checked against t's shape."""
    if not isinstance(key, tuple):
        key = (key,)
    items = []
    for k in key:
        if isinstance(k, function.Tensor):
            k = k._data if k._data.ndim else k._data.item()
        if isinstance(k, (list, np.ndarray)):
            k = np.asarray(k)
            if k.dtype.kind == "b":
                items.append(("mask", k))
                continue
            if k.dtype.kind not in "iu" and k.size:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            k = k.astype(np.int64)
        elif isinstance(k, (bool, np.bool_)):
            k = np.asarray(k)
            items.append(("mask", k))
            continue
        elif not (k is None or k is Ellipsis or isinstance(k, (numbers.Integral, slice))):
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices "
                f"(got {type(k).__name__})"
            )
        items.append(("item", k))
    consumed = sum(k.ndim if kind == "mask" else (0 if k is None or k is Ellipsis else 1) for kind, k in items)
    ndim = t._data.ndim
    if consumed > ndim:
        first = next(k for kind, k in items if k is not None and k is not Ellipsis)
        if ndim == 0 and isinstance(first, slice):
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        if ndim == 0 and isinstance(first, numbers.Integral):
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to "
                "convert a 0-dim tensor to a number"
            )
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    out, dim = [], 0
    advanced = 0  # PyTorch numbers an index tensor's dimension among the index tensors only
    for kind, k in items:
        if kind == "mask":
            want = t._data.shape[dim:dim + k.ndim]
            if k.shape != want:
                for j, (got, exp) in enumerate(zip(k.shape, want)):
                    if got != exp:
                        raise IndexError(
                            f"The shape of the mask {list(k.shape)} at index {j} does not match the shape of "
                            f"the indexed tensor {list(t._data.shape)} at index {dim + j}"
                        )
            out.extend(np.nonzero(k) if k.ndim else [k])
            dim += k.ndim
            advanced += k.ndim
        elif k is Ellipsis:
            out.append(k)
            dim += ndim - consumed
        elif k is None:
            out.append(k)
        else:
            size = t._data.shape[dim]
            if isinstance(k, numbers.Integral) and not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {size}")
            if isinstance(k, np.ndarray):
                if k.size and (k.max() >= size or k.min() < -size):
                    bad = k.max() if k.max() >= size else k.min()
                    raise IndexError(f"index {bad} is out of bounds for dimension {advanced} with size {size}")
                advanced += 1
            out.append(int(k) if isinstance(k, numbers.Integral) else k)
            dim += 1
    return tuple(out)


def getitem(t, key):
    key = _normalise(t, key)
    if not _is_basic(key):
        return Index.apply(t, key)
    # basic indexing, one dimension at a time (as PyTorch records it)
    ndim = t._data.ndim
    explicit = sum(1 for k in key if k is not None and k is not Ellipsis)
    dim, out = 0, t
    for k in key:
        if k is Ellipsis:
            dim += ndim - explicit
        elif k is None:
            out = out.unsqueeze(dim)
            dim += 1
        elif isinstance(k, slice):
            if k != slice(None):
                if k.step is not None and k.step <= 0:
                    raise ValueError("step must be greater than zero")
                out = Slice.apply(out, (slice(None),) * dim + (k,))
            dim += 1
        else:
            out = Select.apply(out, (slice(None),) * dim + (k,))
    if out is t:  # t[:] or t[...] still gives a new tensor (a view)
        out = Slice.apply(t, (slice(None),))
    return out


def setitem(t, key, value):
    key = _normalise(t, key)
    t._check_inplace(through_view=_is_basic(key))  # PyTorch writes a basic key through a view of t
    if not isinstance(value, function.Tensor):
        value = function.Tensor._make(np.asarray(value, dtype=t._data.dtype))
    elif value._data.dtype != t._data.dtype:
        value = value.to(t.dtype)
    target_shape = np.empty(t._data.shape, dtype=bool)[key].shape
    try:
        np.broadcast_shapes(value._data.shape, target_shape)
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(value._data.shape)} cannot be broadcast to "
            f"indexing result of shape {list(target_shape)}"
        ) from None
    t._inplace(CopySlices.apply(t._snapshot(), key, value))
