"""``nbgrad.linalg``: norms and the cross product, as ``torch.linalg`` has them (loaded when first named)."""
import math
import numbers

from ._argcheck import _broadcast_shapes, _check_dim, _check_dims
from ._dtype import scalar_type_name
from .ops import algebra as L
from .tensor import _cast

LinAlgError = L.LinAlgError

__all__ = ["LinAlgError", "cross", "det", "inv", "matrix_norm", "norm", "solve", "vector_norm"]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """(Σᵢ |xᵢ|^ord)^(1/ord) over ``dim`` (every element if None); ord may be inf, -inf or 0."""
    if not isinstance(ord, numbers.Number) or isinstance(ord, bool):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not {type(ord).__name__}")
    if not x.is_floating_point():
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{scalar_type_name(x.dtype)}")
    if dtype is not None and dtype is not x.dtype:
        if dtype.itemsize < x.dtype.itemsize or not dtype.is_floating_point:
            raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({scalar_type_name(x.dtype)}) should be "
                               f"convertible without narrowing to the specified dtype ({scalar_type_name(dtype)})")
        x = _cast(x, dtype)  # unrecorded, as in PyTorch: the node links to the input itself
    dims = None if dim is None else _check_dims(dim, x._data.ndim) or None  # None, like (): every dim
    if x._data.ndim == 0:  # a 0-d tensor accepts dim 0 (or -1) and has nothing to reduce
        dims = None
    if math.isinf(ord) and x._data.size == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {'inf' if ord > 0 else '-inf'} norm on an empty "
                           "tensor because the operation does not have an identity")
    return L.LinalgVectorNorm.apply(x, float(ord), dims, bool(keepdim))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The Frobenius norm (``"fro"``), or the largest (ord 1, inf) or smallest (-1, -inf) column or row sum of
    absolute values, of the matrices in the two dims ``dim``."""
    if ord not in ("fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if ord in ("nuc", 2, -2):  # these need the singular values (LinalgSvdBackward0), which nbgrad does not have
        raise NotImplementedError(f"linalg.matrix_norm: Order {ord} not supported.")
    dims = list(_check_dims(dim, A._data.ndim))
    if ord == "fro":
        return vector_norm(A, 2, dims, keepdim, dtype=dtype)
    if abs(ord) == math.inf:  # the inf norm is the 1 norm of the transpose
        dims.reverse()
    if not keepdim and dims[0] < dims[1]:  # the first reduction removes a dim before the second
        dims[1] -= 1
    sums = vector_norm(A, 1, dims[0], keepdim, dtype=dtype)
    return sums.amax(dims[1], keepdim) if ord > 0 else sums.amin(dims[1], keepdim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm (``dim`` an int, or a 1-D input), or a matrix norm (``dim`` two ints, or a 2-D input);
    with neither ``ord`` nor ``dim``, the 2-norm of every element."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A._data.ndim not in (1, 2):
        raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
                           f"{A._data.ndim}D.")
    if A._data.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


def cross(input, other, *, dim=-1):
    """The cross product of the 3-vectors along ``dim`` (broadcast over the other dims)."""
    if input._data.ndim != other._data.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    shape = _broadcast_shapes(input._data.shape, other._data.shape)
    d = _check_dim(dim, len(shape))
    if input._data.shape[d] != 3 or other._data.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input._data.shape[d]} and "
                           f"{other._data.shape[d]}")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(input.dtype)} but found "
                           f"{scalar_type_name(other.dtype)}")
    return L.LinalgCross.apply(input, other, d)



def inv(A):
    """A⁻¹ (of each matrix in a batch); a singular matrix raises ``LinAlgError``."""
    L.check_square(A, "inv")
    return L.LinalgInvEx.apply(A)


def det(A):
    """det A (of each matrix in a batch)."""
    L.check_square(A, "det")
    return L.LinalgDet.apply(A)


def solve(A, B, *, left=True):
    """X with A X = B (X A = B if not ``left``; B a vector or a matrix, or batches of them); a singular A raises
    ``LinAlgError``."""
    L.check_solve(A, B, left)
    return L.LinalgSolveEx.apply(A, B, bool(left))
