"""Shape ops. They move elements without changing them, so each gradient is the inverse move."""
import math
import numbers

import numpy as np

from ..autograd import function, grad_mode
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


class TransposeInplace(Transpose):
    """PyTorch's recurrent layers turn a batch_first output around with ``transpose_`` on their own new result:
    applied to a tensor no one else holds, the change in place is the same as a transpose."""

    rule = Rule("a with two dims swapped in place (transpose_);  the gradient swaps them back",
                latex=(r"$a^{\top}", "1"))
    functions = ()
    node_name = "TransposeBackward1"
    is_view = False


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


class Diagonal(Primitive):
    rule = Rule("the diagonal of a across dim1 and dim2 (offset above or below it), as a new last dim;  "
                "the gradient goes back onto that diagonal, zeros elsewhere",
                latex=(r"\operatorname{diag}($a)", r"1 \text{ on the diagonal}"))
    functions = ("diagonal",)

    is_view = True

    @staticmethod
    def forward(ctx, a, offset, dim1, dim2):
        data = a._data
        ctx.self_sym_sizes, ctx.offset, ctx.dim1, ctx.dim2 = data.shape, offset, dim1, dim2
        return _diagonal_of(data, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return diagonal_backward(grad, ctx.self_sym_sizes, ctx.offset, ctx.dim1, ctx.dim2), None, None, None


def _diagonal_of(array, offset, dim1, dim2):
    """``array``'s diagonal as a writeable view (np.diagonal's is read-only; PyTorch's is writeable): the same
    strides, from its first element."""
    diag = np.diagonal(array, offset, dim1, dim2)
    first = [slice(None)] * array.ndim
    if diag.size:
        first[dim1], first[dim2] = slice(max(-offset, 0), None), slice(max(offset, 0), None)
    return np.lib.stride_tricks.as_strided(array[tuple(first)], diag.shape, diag.strides)


# PyTorch computes diagonal's backward with one function (diagonal_backward): recorded, it is one op of its own
# (DiagonalBackwardBackward0), as tanh_backward is (see elementwise.py); a plain backward runs it on arrays.
class DiagonalBackward(Primitive):
    rule = Rule("zeros of the input's size with grad_output on the diagonal (diagonal's backward);  "
                "∂/∂grad_output = 1 on the diagonal (its gradient is the incoming gradient's diagonal)",
                latex=(r"\operatorname{diag}^{-1}($grad_output)", r"1 \text{ on the diagonal}"))

    @staticmethod
    def forward(ctx, grad_output, input_sizes, offset, dim1, dim2):
        ctx.input_sizes, ctx.offset, ctx.dim1, ctx.dim2 = input_sizes, offset, dim1, dim2
        return diagonal_backward(grad_output._data, input_sizes, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        if isinstance(grad, function.Tensor):
            return Diagonal.apply(grad, ctx.offset, ctx.dim1, ctx.dim2), None, None, None, None
        return np.diagonal(grad, ctx.offset, ctx.dim1, ctx.dim2).copy(), None, None, None, None


def diagonal_backward(grad, input_sizes, offset, dim1, dim2):
    """PyTorch's diagonal_backward: on arrays the formula, on Tensors one recorded op (DiagonalBackward)."""
    if isinstance(grad, function.Tensor):
        return DiagonalBackward.apply(grad, input_sizes, offset, dim1, dim2)
    out = np.zeros(input_sizes, dtype=grad.dtype)
    _diagonal_of(out, offset, dim1, dim2)[...] = grad
    return out


class _Views(Primitive):
    """An op that returns several views of its input (unbind, split): one node, one output per view, as in
    PyTorch (``output_nr`` numbers them). Each view is marked: PyTorch refuses to change it in place."""

    is_view = True

    @classmethod
    def apply(cls, a, *params):
        enabled = grad_mode.state.enabled
        ctx = cls._backward_cls() if enabled else function._UNRECORDED
        outs = tuple([function._output(cls, piece, (a,)) for piece in cls.forward(ctx, a, *params)])
        if enabled:
            for out in outs:
                out._creation_meta = "multi_output"
            if outs and a._data.dtype.kind == "f":
                ctx._outputs = tuple([(nr, out._data.shape, out._data.dtype) for nr, out in enumerate(outs)])
                function._link(ctx, (a, *params), outs)
        return outs


def _pieces(ctx, grads):
    """The gradients of a ``_Views`` node's outputs, zeros where none arrived. In a plain pass they come as
    one ``_Grads`` (see ``autograd/_custom.py``), under ``create_graph`` one Tensor per output."""
    if len(grads) == 1 and hasattr(grads[0], "slots"):
        grads = grads[0].slots
    return [np.zeros(shape, dtype) if g is None else g for g, (_, shape, dtype) in zip(grads, ctx._outputs)]


def _join(pieces, dim, new):
    """Stack (``new``) or concatenate arrays, or Tensors (recorded: StackBackward0, CatBackward0)."""
    if any(isinstance(p, function.Tensor) for p in pieces):
        return (Stack if new else Cat).apply(dim, *[p if isinstance(p, function.Tensor) else function.Tensor._make(p)
                                                    for p in pieces])
    return np.stack(pieces, axis=dim) if new else np.concatenate(pieces, axis=dim)


class Unbind(_Views):
    rule = Rule("the slices of a along dim, each a view without that dim;  the gradients are stacked back",
                latex=(r"\operatorname{unbind}($a)", r"1 \text{ for each slice}"))
    functions = ("unbind",)

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        data = a._data
        return tuple([data[(slice(None),) * dim + (i, Ellipsis)] for i in range(data.shape[dim])])

    @staticmethod
    def backward(ctx, *grads):
        return _join(_pieces(ctx, grads), ctx.dim, True), None


def _split(data, sizes, dim):
    starts = np.cumsum([0, *sizes[:-1]], dtype=np.int64)
    return tuple([data[(slice(None),) * dim + (slice(int(s), int(s) + n),)] for s, n in zip(starts, sizes)])


class Split(_Views):
    rule = Rule("a cut along dim into pieces of split_size (the last may be shorter), each a view;  "
                "the gradients are joined back",
                latex=(r"\operatorname{split}($a)", r"1 \text{ for each piece}"))
    functions = ("split", "chunk")

    @staticmethod
    def forward(ctx, a, split_size, dim):
        ctx.split_size, ctx.dim = split_size, dim
        n = a._data.shape[dim]
        count = max(-(-n // split_size), 1) if split_size else 1
        return _split(a._data, [split_size] * (count - 1) + [n - split_size * (count - 1)], dim)

    @staticmethod
    def backward(ctx, *grads):
        return _join(_pieces(ctx, grads), ctx.dim, False), None, None


class SplitWithSizes(Split):
    rule = Rule("a cut along dim into pieces of the given sizes, each a view;  the gradients are joined back",
                latex=(r"\operatorname{split}($a)", r"1 \text{ for each piece}"))
    functions = ()

    @staticmethod
    def forward(ctx, a, split_sizes, dim):
        ctx.split_sizes, ctx.dim = split_sizes, dim
        return _split(a._data, split_sizes, dim)


class UnsafeSplit(Split):
    rule = Rule("a cut along dim into pieces of split_size, not tracked as views (PyTorch's recurrent cells cut "
                "their gates apart so);  the gradients are joined back",
                latex=(r"\operatorname{split}($a)", r"1 \text{ for each piece}"))
    functions = ()
    is_view = False


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
