"""PyTorch's checks and conventions for tensor arguments (dims, broadcasting, result dtypes), with
PyTorch's wording; the Tensor methods call them, so that the methods themselves read as the maths.
"""
import numbers

import numpy as np

from . import _dtype
from . import tensor as _tensor  # Tensor needs these checks: the name is read when a check runs
from ._dtype import from_numpy_dtype, get_default_dtype, promote_types, scalar_type_name


def _check_dim(dim, ndim):
    """Normalise a (possibly negative) dimension, with PyTorch's IndexError."""
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not lo <= dim <= hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % ndim if ndim else 0


def _check_dims(dim, ndim):
    dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
    dims = tuple(_check_dim(d, ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return dims


def _reduced_dims(dim, ndim):
    """The dims a reduction runs over; an empty list means all of them, as in PyTorch.

    A 0-d tensor accepts dim 0 (or -1) and then reduces nothing, as in PyTorch.
    """
    dims = _check_dims(dim, ndim)
    return () if ndim == 0 else dims or tuple(range(ndim))


def _returned_indices(indices, dim, keepdim):
    """Indices from ``ops.reduce.arg`` (``dim`` kept as size 1) as max/min/argmax return them."""
    return indices if keepdim or indices.ndim == 0 else indices.squeeze(dim)


def _require_floating(t, op):
    """PyTorch has no integer kernel for some ops and says so (rather than casting, as ``exp`` does)."""
    if t._data.dtype.kind != "f":
        raise NotImplementedError(f'"{op}_cpu" not implemented for \'{scalar_type_name(t.dtype)}\'')


def _require_tensor(other, op, position=1):
    """PyTorch's functions of two tensors (``maximum``) refuse a number."""
    if not isinstance(other, _tensor.Tensor):
        raise TypeError(f"{op}(): argument 'other' (position {position}) must be Tensor, not {type(other).__name__}")


def _category(dt):
    return 2 if dt.is_floating_point else (0 if dt is _dtype.bool else 1)


def _result_type(*operands):
    """PyTorch's result dtype for tensors and Python numbers.

    Operands rank as tensors with dimensions > 0-dim tensors > Python numbers; dtypes are promoted within
    a rank, and a lower rank decides only when its kind (bool < integer < floating) is higher: so
    ``int64 tensor + 1.5`` is float32 (the default dtype), but ``float32 tensor + 0-dim float64`` stays float32.
    """
    by_rank = [None, None, None]
    for x in operands:
        if isinstance(x, _tensor.Tensor):
            rank, dt = (0 if x._data.ndim else 1), from_numpy_dtype(x._data.dtype)
        elif isinstance(x, (bool, np.bool_)):
            rank, dt = 2, _dtype.bool
        elif isinstance(x, numbers.Integral):
            rank, dt = 2, _dtype.int64
        elif isinstance(x, numbers.Real):
            rank, dt = 2, get_default_dtype()
        else:
            raise TypeError(f"unsupported operand type: {type(x).__name__}")
        by_rank[rank] = dt if by_rank[rank] is None else promote_types(by_rank[rank], dt)
    result = None
    for dt in by_rank:
        if dt is not None and (result is None or _category(dt) > _category(result)):
            result = dt
    return result


def _is_bool(x):
    return isinstance(x, (bool, np.bool_)) or isinstance(x, _tensor.Tensor) and x._data.dtype.kind == "b"


def _check_bool_subtraction(a, b):
    """PyTorch refuses to subtract bools, worded by whether one or both operands are bool."""
    if not (_is_bool(a) or _is_bool(b)):
        return
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    raise RuntimeError(
        "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a "
        "mask, use the `~` or `logical_not()` operator instead."
    )


def _broadcast_shapes(a, b):
    """The broadcast shape, or PyTorch's error naming the first dimension that does not fit."""
    n = max(len(a), len(b))
    out = []
    for i in range(-1, -n - 1, -1):
        sa = a[i] if -i <= len(a) else 1
        sb = b[i] if -i <= len(b) else 1
        if sa != sb and sa != 1 and sb != 1:
            raise RuntimeError(
                f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at non-singleton "
                f"dimension {n + i}"
            )
        out.append(max(sa, sb))
    return tuple(reversed(out))


def _check_clamp_bounds(lo, hi):
    """clamp takes two tensor bounds or two numbers (None for a missing one), not one of each."""
    if any(b is not None and not isinstance(b, _tensor.Tensor) for b in (lo, hi)):
        got = ", ".join(type(b).__name__ if b is not None else "NoneType" for b in (lo, hi))
        marked = ", ".join(f"!{type(b).__name__}!" if b is not None else "NoneType" for b in (lo, hi))
        raise TypeError(
            f"clamp() received an invalid combination of arguments - got ({got}), but expected one of:\n"
            " * (Tensor min = None, Tensor max = None)\n"
            f"      didn't match because some of the arguments have invalid types: ({marked})\n"
            " * (Number min = None, Number max = None)\n"
            f"      didn't match because some of the arguments have invalid types: ({marked})\n"
        )


def _check_inplace_result(t, result, cpp_names=False):
    """An in-place op on an integer or bool tensor refuses a result of a higher kind, as PyTorch does
    (``int_tensor += 1.5``): casting it back would silently truncate."""
    current = from_numpy_dtype(t._data.dtype)
    if _category(result) > _category(current):
        name = _dtype.cpp_type_name(current) if cpp_names else scalar_type_name(current)
        raise RuntimeError(f"result type {scalar_type_name(result)} can't be cast to the desired output type {name}")


def _check_division_kernel(dtype, kernel):
    """PyTorch has no bool kernel for floor division and remainder."""
    if dtype is _dtype.bool:
        raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'Bool\'')
