"""Functions that make tensors: ``tensor``, ``zeros``, ``ones``, ``arange``, ``rand``, ... (PyTorch's names)."""
import numbers
import warnings

import numpy as np

from . import _random
from ._dtype import dtype as _dtype_cls, from_numpy_dtype, get_default_dtype, int64
from .tensor import Tensor


def _shape(size):
    if len(size) == 1 and not isinstance(size[0], numbers.Integral):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(f"size must be a tuple of ints, but got an element of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(int(s) for s in size)


def _finish(array, requires_grad):
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _nested_shape(data, dim=0):
    """The shape of nested lists, with PyTorch's errors for ragged or non-numeric data."""
    if isinstance(data, (numbers.Number, np.generic)) and not isinstance(data, (str, bytes)):
        return ()
    if isinstance(data, Tensor):
        return data._data.shape
    if isinstance(data, np.ndarray):
        return data.shape
    if isinstance(data, (str, bytes)) or not hasattr(data, "__len__"):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    items = list(data)
    if not items:
        return (0,)
    first = _nested_shape(items[0], dim + 1)
    for item in items[1:]:
        shape = _nested_shape(item, dim + 1)
        if shape != first:
            got = shape[0] if shape else type(item).__name__
            if not shape or not first:
                raise TypeError(f"expected a sequence at dim {dim + 1}, got {type(item).__name__}")
            raise ValueError(f"expected sequence of length {first[0]} at dim {dim + 1} (got {got})")
    return (len(items),) + first


def _to_array(data, dtype):
    if isinstance(data, Tensor):
        array = data._data.copy()
    elif isinstance(data, np.ndarray):
        array = data.copy()
        if dtype is None and array.dtype.kind not in "fiub":
            raise TypeError(
                f"can't convert np.ndarray of type numpy.{array.dtype}. The only supported types are: "
                "float64, float32, int64 and bool."
            )
    else:
        _nested_shape(data)
        array = np.array(data)
        if dtype is None:
            kind = array.dtype.kind
            if kind == "f":
                array = array.astype(get_default_dtype().numpy)  # Python floats become the default dtype
            elif kind not in "iub":
                raise TypeError(f"new(): invalid data type '{array.dtype}'")
    if dtype is not None:
        return array.astype(dtype.numpy)
    return array.astype(from_numpy_dtype(array.dtype).numpy, copy=False)


def tensor(data, *, dtype=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays)."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() or "
            "sourceTensor.clone().detach().requires_grad_(True), rather than nbgrad.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    return _finish(_to_array(data, dtype), requires_grad)


def as_tensor(data, dtype=None):
    """A tensor sharing memory with ``data`` when it is already a tensor or array of the right dtype."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and data.dtype in (np.float32, np.float64, np.int64, np.bool_):
        if dtype is None or dtype.numpy == data.dtype:
            return Tensor._make(data)
    return _finish(_to_array(data, dtype), False)


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    from_numpy_dtype(array.dtype)
    if array.dtype not in (np.float32, np.float64, np.int64, np.bool_):
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{array.dtype}. The only supported types are: "
            "float64, float32, int64 and bool."
        )
    return Tensor._make(array)


def _np_dtype(dtype):
    if dtype is None:
        return get_default_dtype().numpy
    if not isinstance(dtype, _dtype_cls):
        raise TypeError(f"dtype must be an nbgrad dtype, not {type(dtype).__name__}")
    return dtype.numpy


def zeros(*size, dtype=None, requires_grad=False):
    return _finish(np.zeros(_shape(size), _np_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    return _finish(np.ones(_shape(size), _np_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad=False):
    # zero-filled rather than uninitialised: lesson outputs must not depend on leftover memory
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, *, dtype=None, requires_grad=False):
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype_np = np.bool_
        elif isinstance(fill_value, numbers.Integral):
            dtype_np = np.int64
        else:
            dtype_np = get_default_dtype().numpy
    else:
        dtype_np = _np_dtype(dtype)
    return _finish(np.full(_shape((size,)), fill_value, dtype_np), requires_grad)


def eye(n, m=None, *, dtype=None, requires_grad=False):
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, *, dtype=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        is_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = int64 if is_int else get_default_dtype()
    return _finish(np.arange(start, end, step).astype(dtype.numpy), requires_grad)


def linspace(start, end, steps, *, dtype=None, requires_grad=False):
    return _finish(np.linspace(start, end, steps).astype(_np_dtype(dtype)), requires_grad)


def rand(*size, dtype=None, requires_grad=False):
    return _finish(_random.uniform_array(_shape(size)).astype(_np_dtype(dtype)), requires_grad)


def randn(*size, dtype=None, requires_grad=False):
    return _finish(_random.normal_array(_shape(size)).astype(_np_dtype(dtype)), requires_grad)


def randint(low, high=None, size=None, *, dtype=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    values = _random.generator().integers(low, high, size=_shape((size,)))
    return _finish(values.astype(dtype.numpy if dtype else np.int64), requires_grad)


def randperm(n, *, dtype=None):
    return _finish(_random.generator().permutation(n).astype(dtype.numpy if dtype else np.int64), False)


def _like(fn):
    def like(input, *, dtype=None, requires_grad=False):
        return fn(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)

    like.__name__ = f"{fn.__name__}_like"
    like.__doc__ = f"``{fn.__name__}`` with the shape (and dtype) of ``input``."
    return like


zeros_like, ones_like, empty_like, rand_like, randn_like = map(_like, (zeros, ones, empty, rand, randn))


def full_like(input, fill_value, *, dtype=None, requires_grad=False):
    return full(input._data.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low, high=None, *, dtype=None):
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype)

