"""Gather and scatter: ops that read or write elements at positions an index tensor (or a mask) names.

They come in pairs, each the other's backward: gathering reads elements, so its gradient is added back
where they came from (scatter_add); index_select's is index_add; masked_select's is masked_scatter. A rule
written with the two-way helpers at the end of this module is recorded as those ops under
``create_graph=True``, so every gradient here can be differentiated again.

An index tensor is an int64 array here (a constant of the op, not an input): PyTorch does not
differentiate with respect to it either.
"""
import warnings

import numpy as np

from .._dtype import from_numpy_dtype
from ..autograd import function
from ._base import Primitive, Rule, either, expand
from .elementwise import _NoDerivative, mul_scalar
from .index import zeros


def _positions(index, dim):
    """The NumPy key that reads, for each element of ``index``, the element it names along ``dim``
    (its own position along the other dims)."""
    key = list(np.indices(index.shape, sparse=True))
    key[dim] = index
    return tuple(key)


def _part(src, shape):
    """The first ``shape`` elements of ``src`` (scatter reads only as many as the index has)."""
    return src[tuple(slice(0, n) for n in shape)]


def _at_dim(dim, index):
    return (slice(None),) * dim + (index,)


# ----------------------------------------------------------------------------- NumPy forms

def _copy(a):
    """A copy of ``a`` as an array (NumPy gives a 0-d gradient as a scalar, which cannot be written into)."""
    return np.array(a)


def _vector_view(out):
    """``out`` itself, or for a 0-d array a 1-element view of it: PyTorch indexes a 0-d tensor as a vector."""
    return out.reshape(out.shape or (1,))


def _gather(a, dim, index):
    if index.ndim == 0:
        return a.reshape(-1)[index.reshape(1)].reshape(())
    return _vector_view(a)[_positions(index, dim)]


def _scatter(a, dim, index, src, reduce=None):
    out = _copy(a)
    if not index.size:
        return out
    flat = _vector_view(out)
    index = index.reshape(index.shape or (1,))
    key = _positions(index, dim)
    value = _part(np.reshape(src, np.shape(src) or (1,)), index.shape) if np.ndim(src) else src
    if reduce is None:
        flat[key] = value
    elif reduce == "add":
        np.add.at(flat, key, value)
    else:
        np.multiply.at(flat, key, value)
    return out


def _index_select(a, dim, index):
    return np.take(a, index, axis=dim) if np.ndim(a) else _copy(a)


def _as_slices(source, flat, dim, count):
    """``source`` shaped as the ``count`` slices it writes (a 0-d source is the one slice of a 0-d tensor)."""
    return np.reshape(source, flat.shape[:dim] + (count,) + flat.shape[dim + 1:])


def _index_add(a, dim, index, source, alpha=1):
    out = _copy(a)
    flat = _vector_view(out)
    source = _as_slices(source, flat, dim, index.size)
    np.add.at(flat, _at_dim(dim, index), source if alpha == 1 else source * alpha)
    return out


def _index_fill(a, dim, index, value):
    out = _copy(a)
    _vector_view(out)[_at_dim(dim, index)] = value
    return out


def _index_copy(a, dim, index, source):
    out = _copy(a)
    flat = _vector_view(out)
    flat[_at_dim(dim, index)] = _as_slices(source, flat, dim, index.size)
    return out


def _masked_select(a, mask):
    a, mask = np.broadcast_arrays(a, mask)
    return a[mask]


def _masked_scatter(a, mask, source):
    a, mask = np.broadcast_arrays(a, mask)
    out = _copy(a)
    out[mask] = source.reshape(-1)[:np.count_nonzero(mask)]
    return out


# ----------------------------------------------------------------------------- ops

class Gather(Primitive):
    rule = Rule("out[i][j] = a[index[i][j]][j] (index along dim);  the gradient is added back where each "
                "element came from",
                latex=(r"$a[\mathit{index}]_{\mathit{dim}}", r"1 \text{ for each time an element is gathered}"))
    functions = ("gather",)

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.self_sym_sizes, ctx.dim, ctx.index = a._data.shape, dim, index
        return _gather(a._data, dim, index)

    @staticmethod
    def backward(ctx, grad):
        return scatter_add(zeros(grad, ctx.self_sym_sizes), ctx.dim, ctx.index, grad), None, None


class Scatter(Primitive):
    rule = Rule("a with a[index[i][j]][j] = src[i][j] (index along dim);  ∂/∂a = 1 where nothing was written, "
                "∂/∂src = the gradient gathered at index",
                latex=(r"$a \text{ with } $src \text{ at } \mathit{index}",
                       r"1 \text{ outside } \mathit{index}", r"1 \text{ at } \mathit{index}"))
    functions = ("scatter",)

    @staticmethod
    def forward(ctx, a, dim, index, src):
        ctx.dim, ctx.index = dim, index
        return _scatter(a._data, dim, index, src._data)

    @staticmethod
    def backward(ctx, grad):
        return scatter_value(grad, ctx.dim, ctx.index, 0), None, None, gather(grad, ctx.dim, ctx.index)


class ScatterValue(Primitive):
    rule = Rule("a with a[index[i][j]][j] = value (index along dim);  ∂/∂a = 1 where nothing was written",
                latex=(r"$a \text{ with } \mathit{value} \text{ at } \mathit{index}",
                       r"1 \text{ outside } \mathit{index}"))

    node_name = "ScatterBackward1"

    @staticmethod
    def forward(ctx, a, dim, index, value):
        ctx.dim, ctx.index = dim, index
        return _scatter(a._data, dim, index, np.asarray(value, a._data.dtype))

    @staticmethod
    def backward(ctx, grad):
        return scatter_value(grad, ctx.dim, ctx.index, 0), None, None, None


class ScatterAdd(Primitive):
    rule = Rule("a with src[i][j] added at a[index[i][j]][j] (index along dim);  ∂/∂a = 1,  "
                "∂/∂src = the gradient gathered at index",
                latex=(r"$a + $src \text{ at } \mathit{index}", "1", r"1 \text{ at } \mathit{index}"))
    functions = ("scatter_add",)

    @staticmethod
    def forward(ctx, a, dim, index, src):
        ctx.dim, ctx.index = dim, index
        return _scatter(a._data, dim, index, src._data, "add")

    @staticmethod
    def backward(ctx, grad):
        return grad, None, None, gather(grad, ctx.dim, ctx.index)


class _ScatterReduce(_NoDerivative):
    rule = Rule("a with src added or multiplied in at index (scatter's reduce=);  no derivative: PyTorch "
                "defines none, so backward raises",
                latex=(r"$a \text{ with } $src \text{ reduced in at } \mathit{index}", r"\text{none}",
                       r"\text{none}"))

    node_name = "NotImplemented"
    _aten = "scatter"

    @staticmethod
    def forward(ctx, a, dim, index, src, reduce):
        value = src._data if isinstance(src, function.Tensor) else np.asarray(src, a._data.dtype)
        return _scatter(a._data, dim, index, value, reduce)


class IndexSelect(Primitive):
    rule = Rule("the slices of a at index along dim;  the gradient is added back to the slices it came from",
                latex=(r"$a[\mathit{index}]_{\mathit{dim}}", r"1 \text{ for each time a slice is picked}"))
    functions = ("index_select",)

    @staticmethod
    def forward(ctx, a, dim, index):
        ctx.self_sym_sizes, ctx.dim, ctx.index = a._data.shape, dim, index
        return _index_select(a._data, dim, index)

    @staticmethod
    def backward(ctx, grad):
        return index_add(zeros(grad, ctx.self_sym_sizes), ctx.dim, ctx.index, grad), None, None


class IndexAdd(Primitive):
    rule = Rule("a with alpha·source added to its slices at index along dim;  ∂/∂a = 1,  "
                "∂/∂source = alpha times the gradient's slices at index",
                latex=(r"$a + \alpha $source \text{ at } \mathit{index}", "1", r"\alpha"))
    functions = ("index_add",)

    @staticmethod
    def forward(ctx, a, dim, index, source, alpha):
        ctx.dim, ctx.index, ctx.alpha, ctx.source_sizes = dim, index, alpha, source._data.shape
        return _index_add(a._data, dim, index, source._data, alpha)

    @staticmethod
    def backward(ctx, grad):
        picked = expand(index_select(grad, ctx.dim, ctx.index), ctx.source_sizes)
        return grad, None, None, picked if ctx.alpha == 1 else mul_scalar(picked, ctx.alpha), None


class IndexFill(Primitive):
    rule = Rule("a with its slices at index along dim set to value;  ∂/∂a = 1 outside those slices",
                latex=(r"$a \text{ with } \mathit{value} \text{ at } \mathit{index}",
                       r"1 \text{ outside } \mathit{index}"))
    functions = ("index_fill",)

    @staticmethod
    def forward(ctx, a, dim, index, value):
        ctx.dim, ctx.index = dim, index
        return _index_fill(a._data, dim, index, value)

    @staticmethod
    def backward(ctx, grad):
        return index_fill(grad, ctx.dim, ctx.index, 0), None, None, None


class IndexCopy(Primitive):
    rule = Rule("a with its slices at index along dim replaced by source's;  ∂/∂a = 1 outside those slices,  "
                "∂/∂source = the gradient's slices at index",
                latex=(r"$a \text{ with } $source \text{ at } \mathit{index}",
                       r"1 \text{ outside } \mathit{index}", r"1 \text{ at } \mathit{index}"))
    functions = ("index_copy",)

    @staticmethod
    def forward(ctx, a, dim, index, source):
        ctx.dim, ctx.index, ctx.source_sizes = dim, index, source._data.shape
        return _index_copy(a._data, dim, index, source._data)

    @staticmethod
    def backward(ctx, grad):
        picked = expand(index_select(grad, ctx.dim, ctx.index), ctx.source_sizes)
        return index_fill(grad, ctx.dim, ctx.index, 0), None, None, picked


class IndexFillTensor(Primitive):
    rule = Rule("a with its slices at index along dim set to value (a 0-d tensor);  ∂/∂a = 1 outside those "
                "slices,  ∂/∂value = the sum of the gradient over them",
                latex=(r"$a \text{ with } $value \text{ at } \mathit{index}",
                       r"1 \text{ outside } \mathit{index}", r"\textstyle\sum_{\mathit{index}} 1"))

    node_name = "IndexFillBackward1"

    @staticmethod
    def forward(ctx, a, dim, index, value):
        ctx.dim, ctx.index = dim, index
        return _index_fill(a._data, dim, index, value._data)

    @staticmethod
    def backward(ctx, grad):
        # an index named twice fills its slice once: the value's gradient counts each slice once
        filled = np.unique(ctx.index)
        return index_fill(grad, ctx.dim, ctx.index, 0), None, None, total(index_select(grad, ctx.dim, filled))


class MaskedFill(Primitive):
    rule = Rule("a with value where mask;  ∂/∂a = 1 where not mask",
                latex=(r"$a \text{ with } \mathit{value} \text{ where } \mathit{mask}",
                       r"1 \text{ where not } \mathit{mask}"))
    functions = ("masked_fill",)

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.mask = mask
        return np.where(mask, np.asarray(value, a._data.dtype), a._data)

    @staticmethod
    def backward(ctx, grad):
        return masked_fill(grad, ctx.mask, 0), None, None


class MaskedFillTensor(Primitive):
    rule = Rule("a with value (a 0-d tensor) where mask;  ∂/∂a = 1 where not mask,  "
                "∂/∂value = the sum of the gradient where mask",
                latex=(r"$a \text{ with } $value \text{ where } \mathit{mask}",
                       r"1 \text{ where not } \mathit{mask}", r"\textstyle\sum_{\mathit{mask}} 1"))

    node_name = "MaskedFillBackward1"

    @staticmethod
    def forward(ctx, a, mask, value):
        ctx.mask = mask
        return np.where(mask, value._data.astype(a._data.dtype), a._data)

    @staticmethod
    def backward(ctx, grad):
        return masked_fill(grad, ctx.mask, 0), None, total(masked_select(grad, ctx.mask))


class MaskedSelect(Primitive):
    rule = Rule("the elements of a where mask, as a vector;  the gradient goes back to where they came from",
                latex=(r"$a[\mathit{mask}]", r"1 \text{ where } \mathit{mask}"))
    functions = ("masked_select",)

    @staticmethod
    def forward(ctx, a, mask):
        mask = np.broadcast_to(mask, np.broadcast_shapes(a._data.shape, mask.shape))
        ctx.mask = mask
        return _masked_select(a._data, mask)

    @staticmethod
    def backward(ctx, grad):
        return masked_scatter(zeros(grad, ctx.mask.shape), ctx.mask, grad), None


class MaskedScatter(Primitive):
    rule = Rule("a with source's first elements written, in order, where mask;  ∂/∂a = 1 where not mask,  "
                "∂/∂source = the gradient where mask, in order (0 for the elements not used)",
                latex=(r"$a \text{ with } $source \text{ where } \mathit{mask}",
                       r"1 \text{ where not } \mathit{mask}", r"1 \text{ for the elements used}"))
    functions = ("masked_scatter",)

    @staticmethod
    def forward(ctx, a, mask, source):
        mask = np.broadcast_to(mask, np.broadcast_shapes(a._data.shape, mask.shape))
        ctx.mask, ctx.source_sizes = mask, source._data.shape
        return _masked_scatter(a._data, mask, source._data)

    @staticmethod
    def backward(ctx, grad):
        return masked_fill(grad, ctx.mask, 0), None, masked_scatter_backward(grad, ctx.mask, ctx.source_sizes)


def _masked_scatter_backward(grad, mask, sizes):
    """The gradient where mask, in order, then zeros for the elements of source the mask did not use."""
    picked = _masked_select(grad, mask)
    out = np.zeros(int(np.prod(sizes, dtype=np.int64)), dtype=grad.dtype)
    out[:picked.size] = picked
    return out.reshape(sizes)


# PyTorch computes masked_scatter's ∂/∂source with one function (masked_scatter_backward): recorded, it is one
# op of its own (MaskedScatterBackwardBackward0), as diagonal's backward is (see shape.py).
class MaskedScatterBackward(Primitive):
    rule = Rule("grad_output where mask, in order, padded with zeros to source's size (masked_scatter's "
                "backward);  its gradient goes back where mask, in order",
                latex=(r"$grad_output[\mathit{mask}]", r"1 \text{ where } \mathit{mask}"))

    @staticmethod
    def forward(ctx, grad_output, mask, sizes):
        ctx.mask = mask
        return _masked_scatter_backward(grad_output._data, mask, sizes)

    @staticmethod
    def backward(ctx, grad):
        return masked_scatter(zeros(grad, ctx.mask.shape), ctx.mask, grad), None, None


class Take(Primitive):
    rule = Rule("a's elements at index, counting as in a flattened a;  the gradient is added back where "
                "they came from",
                latex=(r"\operatorname{flat}($a)[\mathit{index}]", r"1 \text{ for each time an element is taken}"))
    functions = ("take",)

    @staticmethod
    def forward(ctx, a, index):
        ctx.self_sym_sizes, ctx.index = a._data.shape, index
        return a._data.reshape(-1)[index]

    @staticmethod
    def backward(ctx, grad):
        return put(zeros(grad, ctx.self_sym_sizes), ctx.index, grad, True), None


def _put(a, index, source, accumulate):
    out = _copy(a)
    flat = out.reshape(-1)  # a view of it
    if accumulate:
        np.add.at(flat, index.reshape(-1), source.reshape(-1))
    else:
        flat[index.reshape(-1)] = source.reshape(-1)
    return out


class Put(Primitive):
    rule = Rule("a with source's elements written (or added: accumulate) at index, counting as in a flattened a;  "
                "∂/∂a = 1 (where nothing was written unless accumulate),  ∂/∂source = the gradient taken at index",
                latex=(r"$a \text{ with } $source \text{ at } \mathit{index}",
                       r"1 \text{ outside } \mathit{index}", r"1 \text{ at } \mathit{index}"))
    functions = ("put",)

    @staticmethod
    def forward(ctx, a, index, source, accumulate):
        ctx.index, ctx.accumulate, ctx.source_sizes = index, accumulate, source._data.shape
        return _put(a._data, index, source._data, accumulate)

    @staticmethod
    def backward(ctx, grad):
        kept = grad if ctx.accumulate else put(grad, ctx.index, zeros(grad, ctx.source_sizes), False)
        return kept, None, take(grad, ctx.index).reshape(ctx.source_sizes), None


# A rule's gathering and scattering: recorded as the ops above on Tensors, done by NumPy on arrays.
total = either(lambda a: np.asarray(a.sum()), lambda a: a.sum())
gather = either(_gather, Gather.apply)
scatter_add = either(lambda a, dim, index, src: _scatter(a, dim, index, src, "add"), ScatterAdd.apply)
scatter_value = either(_scatter, ScatterValue.apply)
scatter_src = either(_scatter, Scatter.apply)
index_select = either(_index_select, IndexSelect.apply)
index_add = either(_index_add, lambda a, dim, index, source: IndexAdd.apply(a, dim, index, source, 1))
index_fill = either(_index_fill, IndexFill.apply)
index_fill_value = either(_index_fill, IndexFillTensor.apply)  # a 0-d tensor's value
masked_fill = either(lambda a, mask, value: np.where(mask, np.asarray(value, a.dtype), a), MaskedFill.apply)
masked_select = either(_masked_select, MaskedSelect.apply)
masked_scatter = either(_masked_scatter, MaskedScatter.apply)
masked_scatter_backward = either(_masked_scatter_backward, MaskedScatterBackward.apply)
put = either(_put, Put.apply)
take = either(lambda a, index: a.reshape(-1)[index], Take.apply)


# ----------------------------------------------------------------------------- PyTorch's argument checks

_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char", "int16": "Short",
          "int32": "Int", "int64": "Long", "uint8": "Byte", "bool": "Bool"}


def type_name(array):
    """PyTorch's name of an array's dtype in messages (``Float``, ``Long``, ...)."""
    return _NAMES[array.dtype.name]


def index_array(op, index, message, int32=True):
    """``index`` (a Tensor) as an int64 array, or PyTorch's error for its dtype (``message`` names it)."""
    if not isinstance(index, function.Tensor):
        raise TypeError(f"{op}(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    data = index._data
    if data.dtype != np.int64 and not (int32 and data.dtype == np.int32):
        raise message(data)
    return data.astype(np.int64, copy=False)


def _size(shape, d):
    """PyTorch's ensure_nonempty_size: a 0-d tensor counts as one element along dim 0."""
    return shape[d] if shape else 1


def _check_in_range(index, size, dim, prefix="", exc=RuntimeError):
    bad = (index < 0) | (index >= size)
    if bad.any():
        raise exc(f"{prefix}index {index[bad].flat[0]} is out of bounds for dimension {dim} with size {size}")


def scatter_index_error(index):
    return RuntimeError("scatter(): Expected dtype int32/int64 for index")


def check_gather(t, dim, index):
    shape, ishape = t._data.shape, index.shape
    if max(len(shape), 1) != max(len(ishape), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(max(len(shape), 1)):
        if d != dim and _size(ishape, d) > _size(shape, d):
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(ishape)} to be no larger "
                               f"than self {list(shape)} apart from dimension {dim}")
    if index.size:
        _check_in_range(index, _size(shape, dim), dim)


def check_scatter(t, dim, index, src):
    """scatter's checks (scatter_shape_check), for a src tensor or, with ``src`` None, a value."""
    shape, ishape = t._data.shape, index.shape
    if not index.size:
        return
    if max(len(shape), 1) != max(len(ishape), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    ndim = max(len(shape), 1)
    wrong = any(d != dim and _size(ishape, d) > _size(shape, d) for d in range(ndim))
    if not wrong and src is not None:
        from .._argcheck import _check_dim

        sshape = src._data.shape
        for d in range(ndim):
            _check_dim(d, max(len(sshape), 1))  # PyTorch reads src.size(d): a src of fewer dims fails here
            if _size(ishape, d) > _size(sshape, d):
                wrong = True
                break
    if wrong:
        tail = f" and to be no larger size than src {list(src._data.shape)}" if src is not None else ""
        raise RuntimeError(f"Expected index {list(ishape)} to be no larger than self {list(shape)} apart from "
                           f"dimension {dim}{tail}")
    _check_in_range(index, _size(shape, dim), dim)


def check_mask(op, mask):
    if not isinstance(mask, function.Tensor) or mask._data.dtype != np.bool_:
        if op == "masked_select":
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        name = from_numpy_dtype(mask._data.dtype).cpp_name if op == "masked_fill_" else type_name(mask._data)
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype {name}")
    return mask._data


def warn_reduce_deprecated():
    warnings.warn("The reduce argument of nbgrad.scatter with Tensor src is deprecated and will be removed in a "
                  "future PyTorch release. Use nbgrad.scatter_reduce instead for more reduction options.",
                  UserWarning, stacklevel=3)
