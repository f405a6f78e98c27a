"""Functions that make tensors: ``tensor``, ``zeros``, ``ones``, ``arange``, ``rand``, ... (PyTorch's names)."""
import numbers
import warnings
from collections.abc import Sequence

import numpy as np

from . import _random
from . import _dtype
from ._device import check as _check_device
from ._dtype import (
    check_scalar_fits, checked_array, dtype as _dtype_cls, from_numpy_dtype, get_default_dtype, int64, promote_types,
    scalar_array,
)
from .ops import views
from .tensor import Size, Tensor


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
        t._set_requires_grad(True, "Only Tensors of floating point and complex dtype can require gradients")
    return t


# nbgrad.tensor(data) reads nested data in PyTorch's three passes, so that bad data fails with its errors:
# infer the dtype from every element, take the shape from the first element at each depth, then check
# every element against that shape.
def _infer_dtype(data):
    if isinstance(data, (bool, np.bool_)):
        return _dtype.bool
    if isinstance(data, (np.generic, np.ndarray)):
        return from_numpy_dtype(data.dtype)
    if isinstance(data, numbers.Integral):
        return int64
    if isinstance(data, numbers.Real):
        return get_default_dtype()
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, Sequence):
        result = get_default_dtype() if len(data) == 0 else None
        for item in data:
            d = _infer_dtype(item)
            result = d if result is None else promote_types(result, d)
        return result
    raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def _is_sequence(x):
    if isinstance(x, (np.ndarray, Tensor)):
        return x.ndim != 0
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _nested_shape(data):
    shape, item = [], data
    while _is_sequence(item):
        shape.append(len(item))
        if not len(item):
            break
        item = item[0]
    return shape


def _check_nested(item, shape, dim, dtype):
    if dim == len(shape):
        scalar = isinstance(item, (numbers.Number, np.generic))
        if not (scalar or isinstance(item, (Tensor, np.ndarray)) and item.ndim == 0):
            name = type(item).__name__
            if dtype.is_floating_point:
                raise TypeError(f"must be real number, not {name}")
            raise TypeError(f"'{name}' object cannot be interpreted as an integer")
        return
    if not _is_sequence(item):
        raise TypeError("not a sequence")
    if len(item) != shape[dim]:
        raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(item)})")
    for sub in item:
        _check_nested(sub, shape, dim + 1, dtype)


def _to_array(data, dtype):
    if isinstance(data, Tensor):
        array = data._data.copy()
    elif isinstance(data, np.ndarray):
        from_numpy_dtype(data.dtype)  # refuses what nbgrad cannot hold (complex, uint16, float128, objects)
        array = data.copy()
    else:
        dtype = _infer_dtype(data) if dtype is None else dtype
        shape = _nested_shape(data)
        if 0 in shape:  # PyTorch checks nothing when there is nothing to store
            return np.zeros(shape, dtype=dtype.numpy)
        _check_nested(data, shape, 0, dtype)
        if dtype.is_floating_point or dtype is _dtype.bool:
            return np.array(data, dtype=dtype.numpy)
        return checked_array(data, dtype)
    return array if dtype is None else array.astype(dtype.numpy)


def tensor(data, *, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays)."""
    _check_device(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() or "
            "sourceTensor.clone().detach().requires_grad_(True), rather than nbgrad.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    return _finish(_to_array(data, dtype), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """A tensor sharing memory with ``data`` when it is already a tensor or array of the right dtype."""
    _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.numpy == data.dtype):
        from_numpy_dtype(data.dtype)
        return Tensor._make(data)
    return _finish(_to_array(data, dtype), False)


def from_numpy(array):
    """A tensor sharing memory with a NumPy array (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    from_numpy_dtype(array.dtype)
    return Tensor._make(array)


def _np_dtype(dtype):
    if dtype is None:
        return get_default_dtype().numpy
    if not isinstance(dtype, _dtype_cls):
        raise TypeError(f"dtype must be an nbgrad dtype, not {type(dtype).__name__}")
    return dtype.numpy


def zeros(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.zeros(_shape(size), _np_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.ones(_shape(size), _np_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    # zero-filled rather than uninitialised: lesson outputs must not depend on leftover memory
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if dtype is None:
        if isinstance(fill_value, bool):
            dtype_np = np.bool_
        elif isinstance(fill_value, numbers.Integral):
            dtype_np = np.int64
        else:
            dtype_np = get_default_dtype().numpy
    else:
        dtype_np = _np_dtype(dtype)
        check_scalar_fits(fill_value, dtype)
    return _finish(np.full(_shape((size,)), scalar_array(fill_value, dtype_np), dtype_np), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        is_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = int64 if is_int else get_default_dtype()
    return _finish(np.arange(start, end, step).astype(dtype.numpy), requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.linspace(start, end, steps).astype(_np_dtype(dtype)), requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(_random.uniform_array(_shape(size)).astype(_np_dtype(dtype)), requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(_random.normal_array(_shape(size)).astype(_np_dtype(dtype)), requires_grad)


def randint(low, high=None, size=None, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    values = _random.generator().integers(low, high, size=_shape((size,)))
    return _finish(values.astype(dtype.numpy if dtype else np.int64), requires_grad)


def randperm(n, *, dtype=None, device=None):
    _check_device(device)
    return _finish(_random.generator().permutation(n).astype(dtype.numpy if dtype else np.int64), False)


def _like(fn):
    def like(input, *, dtype=None, device=None, requires_grad=False):
        _check_device(device)
        return fn(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)

    like.__name__ = f"{fn.__name__}_like"
    like.__doc__ = f"``{fn.__name__}`` with the shape (and dtype) of ``input``."
    return like


zeros_like, ones_like, empty_like, rand_like, randn_like = map(_like, (zeros, ones, empty, rand, randn))


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return full(input._data.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low, high=None, *, dtype=None, device=None):
    _check_device(device)
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype)



# ---------------------------------------------------------------- Tensor.new_*: the dtype (and device) of self
def _new_shape(size, fn):
    if len(size) == 1 and not isinstance(size[0], numbers.Integral):
        size = size[0]
        if not isinstance(size, Sequence):
            raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    for s in size:
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not {type(s).__name__}")
    return _shape(tuple(size))


def new_filled(self, size, fn, fill_value, dtype, device, requires_grad):
    """``self.new_zeros(size)`` and the like: a new tensor of ``self``'s dtype unless ``dtype`` is given."""
    _check_device(device)
    if not size:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    dtype = self.dtype if dtype is None else dtype
    return _finish(np.full(_new_shape(size, fn), scalar_array(fill_value, dtype.numpy), dtype.numpy), requires_grad)


def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
            UserWarning,
            stacklevel=3,
        )
    return _finish(_to_array(data, self.dtype if dtype is None else dtype), requires_grad)


# ------------------------------------------ nbgrad.Tensor(...), nbgrad.FloatTensor(...): PyTorch's legacy constructors
def _legacy_signature_error(args, kwargs):
    def name(value):
        if isinstance(value, _dtype_cls):
            return "nbgrad.dtype"
        return type(value).__name__

    got = ", ".join([name(a) for a in args] + [f"{k}={name(v)}" for k, v in kwargs.items()])
    return TypeError(
        f"new() received an invalid combination of arguments - got ({got}), but expected one of:\n"
        " * (*, nbgrad.device device = None)\n"
        f"      didn't match because some of the keywords were incorrect: {', '.join(kwargs)}\n"
        " * (nbgrad.Storage storage)\n"
        " * (Tensor other)\n"
        " * (tuple of ints size, *, nbgrad.device device = None)\n"
        " * (object data, *, nbgrad.device device = None)\n"
    )


def legacy_new(dtype, args, kwargs):
    """``Tensor(*sizes)`` (zeros here, uninitialised memory in PyTorch), ``Tensor(data)``, ``Tensor(other)``
    (a view of all of ``other``: AliasBackward0); ``dtype`` None is the default dtype (``nbgrad.Tensor``)."""
    device = kwargs.pop("device", None)
    if kwargs:
        raise _legacy_signature_error(args, {"device": device, **kwargs} if device is not None else kwargs)
    _check_device(device)
    target = get_default_dtype() if dtype is None else dtype
    if len(args) == 1 and isinstance(args[0], Tensor):
        other = args[0]
        if dtype is not None and other.dtype is not dtype:
            raise TypeError(f"expected {_options(dtype)} (got {_options(other.dtype)})")
        return views.Alias.apply(other)
    if len(args) == 1 and not isinstance(args[0], (numbers.Integral, Size)):
        data = args[0]
        if not (_is_sequence(data) or isinstance(data, np.ndarray)):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        return _finish(_to_array(data, target), False)
    size = tuple(args[0]) if len(args) == 1 and isinstance(args[0], Size) else args
    for position, s in enumerate(size, 1):
        if not isinstance(s, numbers.Integral) or isinstance(s, bool):
            raise TypeError(
                f"new(): argument 'size' failed to unpack the object at pos {position} with error \"type must be "
                f"tuple of ints,but got {type(s).__name__}\""
            )
    # zero-filled rather than uninitialised: lesson outputs must not depend on leftover memory
    return _finish(np.zeros(_shape(tuple(size)) if size else (0,), target.numpy), False)


def _options(dtype):
    return (f"TensorOptions(dtype={dtype.cpp_name}, device=cpu, layout=Strided, requires_grad=false (default), "
            "pinned_memory=false (default), memory_format=(nullopt))")


class _TensorType(type):
    """The metaclass of ``FloatTensor`` and its kin: calling one builds an ``nbgrad.Tensor`` of its dtype, and
    ``isinstance(t, FloatTensor)`` asks whether ``t`` is a float32 tensor, as in PyTorch."""

    def __call__(cls, *args, **kwargs):
        return legacy_new(cls.dtype, args, kwargs)

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.numpy

    def __repr__(cls):
        return f"<class 'nbgrad.{cls.__name__}'>"


def _tensor_type(name, dtype):
    return _TensorType(name, (), {"dtype": dtype, "__module__": "nbgrad", "__doc__": f"``{name}(...)``: a tensor of "
                                  f"{dtype!r}, by PyTorch's legacy constructor (sizes, data, or a tensor)."})


FloatTensor = _tensor_type("FloatTensor", _dtype.float32)
DoubleTensor = _tensor_type("DoubleTensor", _dtype.float64)
HalfTensor = _tensor_type("HalfTensor", _dtype.float16)
LongTensor = _tensor_type("LongTensor", _dtype.int64)
IntTensor = _tensor_type("IntTensor", _dtype.int32)
ShortTensor = _tensor_type("ShortTensor", _dtype.int16)
CharTensor = _tensor_type("CharTensor", _dtype.int8)
ByteTensor = _tensor_type("ByteTensor", _dtype.uint8)
BoolTensor = _tensor_type("BoolTensor", _dtype.bool)
