"""Shape ops. They move elements without changing them, so each gradient is the inverse move."""
import math
import numbers

import numpy as np

from ._base import Primitive, Rule, permute, raw, squeeze, transpose


def infer_shape(shape, numel):
    """A requested shape (tuple or varargs, one entry may be -1) checked against the element count."""
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 and numel == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape {list(shape)} because the unspecified "
                "dimension size -1 can be any value and is ambiguous"
            )
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def viewable(data, shape):
    """Can ``data`` be seen with ``shape`` without a copy (do its strides allow it)?"""
    try:
        data.view().shape = shape
    except AttributeError:
        return False
    return True


def check_viewable(data, shape):
    """``view`` never copies: refuse, as PyTorch does, when the strides do not allow it."""
    if not viewable(data, shape):
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one dimension "
            "spans across two contiguous subspaces). Use .reshape(...) instead."
        )


def _type_string(dtype):
    """How PyTorch names a tensor's type in expand's message: nbgrad.FloatTensor, ..., but CPUBoolType for bool."""
    return "CPUBoolType" if dtype.name == "bool" else f"nbgrad.{dtype.legacy_name}"


def expanded_shape(t, sizes):
    """The shape ``t.expand(*sizes)`` gives (-1 keeps a size), or PyTorch's error."""
    shape = t._data.shape
    sizes = tuple(int(s) for s in sizes)
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand({_type_string(t.dtype)}{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
            f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    for i in range(lead):
        if sizes[i] < 0:
            raise RuntimeError(
                f"The expanded size of the tensor ({sizes[i]}) isn't allowed in a leading, non-existing dimension {i}"
            )
    out = list(sizes)
    for i in reversed(range(len(shape))):  # as PyTorch: the last dim that does not fit is the one named
        s, want = shape[i], sizes[lead + i]
        if want == -1:
            out[lead + i] = s
        elif s != want and s != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({s}) at "
                f"non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(shape)}"
            )
    return tuple(out)


class View(Primitive):
    rule = Rule("a with a new shape;  the gradient takes a's shape back",
                latex=(r"\operatorname{view}($a)", "1"))
    functions = ("reshape", "flatten")

    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.self_sym_sizes = a._data.shape
        return a._data.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.self_sym_sizes), None


class ReshapeAlias(View):
    rule = Rule("a with a new shape, seen through a's own strides (a is not contiguous, no copy is needed);  "
                "the gradient takes a's shape back",
                latex=(r"\operatorname{reshape}($a)", "1"))
    functions = ()


class UnsafeView(View):
    rule = Rule("a (a contiguous copy made by reshape) with a new shape;  the gradient takes a's shape back",
                latex=(r"\operatorname{reshape}($a)", "1"))
    functions = ()
    is_view = False  # as in PyTorch: it shares the copy's memory, but the copy is nobody's tensor


class Transpose(Primitive):
    rule = Rule("a with two dims swapped;  the gradient swaps them back",
                latex=(r"$a^{\top}", "1"))
    functions = ("transpose",)

    is_view = True

    @staticmethod
    def forward(ctx, a, dim0, dim1):
        ctx.dim0, ctx.dim1 = dim0, dim1
        return np.swapaxes(a._data, dim0, dim1) if a._data.ndim else a._data.view()  # 0-d: dims 0, 0

    @staticmethod
    def backward(ctx, grad):
        return transpose(grad, ctx.dim0, ctx.dim1), None, None


class T(Transpose):
    rule = Rule("the transpose of a matrix (t());  the gradient is transposed back",
                latex=(r"$a^{\top}", "1"))
    functions = ("t",)


class Permute(Primitive):
    rule = Rule("a with its dims reordered;  the gradient is put back in the original order",
                latex=(r"\operatorname{permute}($a)", "1"))
    functions = ("permute",)

    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.transpose(a._data, dims)

    @staticmethod
    def backward(ctx, grad):
        return permute(grad, tuple(int(d) for d in np.argsort(ctx.dims))), None


class Squeeze(Primitive):
    rule = Rule("a without its size-1 dims;  the gradient gets them back",
                latex=(r"\operatorname{squeeze}($a)", "1"))
    functions = ("squeeze",)

    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        ctx.self_sym_sizes = a._data.shape
        return np.squeeze(a._data, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.self_sym_sizes), None


class SqueezeDim(Squeeze):
    rule = Rule("a without the given size-1 dims;  the gradient gets them back",
                latex=(r"\operatorname{squeeze}($a)", "1"))

    node_name = "SqueezeBackward1"


class Unsqueeze(Primitive):
    rule = Rule("a with a new size-1 dim;  the gradient drops it",
                latex=(r"\operatorname{unsqueeze}($a)", "1"))
    functions = ("unsqueeze",)

    is_view = True

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return np.expand_dims(a._data, dim)

    @staticmethod
    def backward(ctx, grad):
        return squeeze(grad, ctx.dim), None


class Expand(Primitive):
    rule = Rule("a repeated along size-1 dims without copying;  the gradient is summed back (by the engine)",
                latex=(r"\operatorname{expand}($a)", r"1 \text{ (the copies' gradients add up)}"), local=False)

    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        data = a._data
        ctx.self_sym_sizes = data.shape
        # np.broadcast_to's view is read-only; PyTorch lets one write through an expanded tensor where no two
        # written elements share memory (e[0] = 5), so the view is made with the same strides, writeable
        lead = len(shape) - data.ndim
        strides = [0] * lead + [0 if n == 1 and m != 1 else s for n, m, s in zip(data.shape, shape[lead:], data.strides)]
        return np.lib.stride_tricks.as_strided(data, shape, strides)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class Cat(Primitive):
    rule = Rule("inputs joined along dim;  each input's gradient is its own slice of the upstream gradient",
                latex=(r"\operatorname{cat}($tensors)", r"1 \text{ on its own slice}"))

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim, ctx.sizes = dim, [t._data.shape[dim] for t in tensors]
        return np.concatenate([t._data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [None], 0
        for size in ctx.sizes:
            grads.append(grad[(slice(None),) * ctx.dim + (slice(start, start + size),)])
            start += size
        return tuple(grads)


class Stack(Primitive):
    rule = Rule("inputs stacked along a new dim;  input i's gradient is the upstream gradient at index i",
                latex=(r"\operatorname{stack}($tensors)", r"1 \text{ on its own slice}"))

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        return np.stack([t._data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        n = raw(grad).shape[ctx.dim]
        return (None,) + tuple(grad[(slice(None),) * ctx.dim + (i,)] for i in range(n))
