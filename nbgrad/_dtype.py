"""nbgrad's dtypes, named as in PyTorch: PyTorch's CPU set but bfloat16 and complex; promotion between them."""
import builtins

import numpy as np


class dtype:
    """A tensor element type; ``repr`` reads ``nbgrad.float32`` as PyTorch reads ``torch.float32``."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "itemsize", "legacy_name", "cpp_name")

    def __init__(self, numpy_type, legacy_name, cpp_name):
        self.numpy = np.dtype(numpy_type)
        self.name = self.numpy.name
        self.is_floating_point = self.numpy.kind == "f"
        self.is_signed = self.numpy.kind in "if"
        self.itemsize = self.numpy.itemsize
        self.legacy_name = legacy_name  # PyTorch's old type names still appear in its error messages
        self.cpp_name = cpp_name        # ... and so do the C++ types of its kernels

    is_complex = False

    def __repr__(self):
        return f"nbgrad.{self.name}"

    def __reduce__(self):
        return self.name

    def to_real(self):
        return self

    def to_complex(self):
        raise NotImplementedError("nbgrad has no complex dtypes")


bool = dtype(np.bool_, "BoolTensor", "bool")  # noqa: A001 - PyTorch's name
uint8 = dtype(np.uint8, "ByteTensor", "unsigned char")
int8 = dtype(np.int8, "CharTensor", "signed char")
int16 = dtype(np.int16, "ShortTensor", "short int")
int32 = dtype(np.int32, "IntTensor", "int")
int64 = dtype(np.int64, "LongTensor", "long int")
float16 = dtype(np.float16, "HalfTensor", "c10::Half")
float32 = dtype(np.float32, "FloatTensor", "float")
float64 = dtype(np.float64, "DoubleTensor", "double")

# PyTorch's other names for them
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

DTYPES = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
_BY_NUMPY = {d.numpy: d for d in DTYPES}
_BY_LEGACY_NAME = {d.legacy_name: d for d in DTYPES}
_default = [float32]


def _unsupported(np_dtype):
    return TypeError(
        f"can't convert np.ndarray of type numpy.{np_dtype}. The only supported types are: "
        "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
    )


def from_numpy_dtype(np_dtype):
    """The nbgrad dtype of a NumPy dtype (one dict lookup: this is on every op's path)."""
    d = _BY_NUMPY.get(np_dtype)
    if d is None:
        raise _unsupported(np_dtype)
    return d


def from_legacy_name(name):
    """The dtype of ``'nbgrad.IntTensor'`` (``Tensor.type``'s string form), as PyTorch reads ``'torch.IntTensor'``."""
    d = _BY_LEGACY_NAME.get(name.rpartition(".")[2]) if name.startswith(("nbgrad.", "torch.")) else None
    if d is None:
        raise ValueError(f"invalid type: '{name}'")
    return d


def scalar_array(value, np_dtype):
    """A Python number as a 0-d array of ``np_dtype``, wrapping an integer that does not fit, as PyTorch does
    (``int8_tensor + 200`` adds -56); NumPy would raise."""
    try:
        return np.asarray(value, dtype=np_dtype)
    except OverflowError:
        return np.asarray(value).astype(np.int64).astype(np_dtype)


# The C++ names in PyTorch's overflow message; float64 and int64 hold any Python float and (fitting) int
_CHECKED = {uint8: "uint8_t", int8: "int8_t", int16: "int16_t", int32: "int", int64: "int64_t",
            float16: "c10::Half", float32: "float"}


def _limits(d):
    """The numbers PyTorch converts to ``d`` without complaint: uint8 takes -255 to 255 (and wraps the negatives)."""
    if d.is_floating_point:
        return -np.finfo(d.numpy).max, np.finfo(d.numpy).max
    info = np.iinfo(d.numpy)
    return (-info.max, info.max) if d is uint8 else (info.min, info.max)


def check_scalar_fits(value, d, name=None):
    """PyTorch's refusal of a number that ``d`` cannot hold, where it checks (``pow``, ``clamp``, ``where``,
    ``full``, ``tensor``); arithmetic operators wrap instead (``scalar_array``). nan and inf fit a float."""
    if d not in _CHECKED or d is int64 and not isinstance(value, builtins.float):
        return
    lo, hi = _limits(d)
    if not lo <= value <= hi and not (d.is_floating_point and (value != value or abs(value) == np.inf)):
        raise RuntimeError(f"value cannot be converted to type {name or _CHECKED[d]} without overflow")


def checked_array(data, d):
    """Nested numbers as an array of the integer dtype ``d``, refused or wrapped as ``nbgrad.tensor`` does in
    PyTorch: ``tensor([-1], dtype=uint8)`` is 255, ``tensor([300], dtype=int8)`` an error."""
    array = np.array(data)
    if array.size and array.dtype.kind in "iuf":
        lo, hi = _limits(d)
        if not (lo <= array.min() and array.max() <= hi):
            raise RuntimeError(f"value cannot be converted to type {d.name} without overflow")
    return array.astype(np.int64).astype(d.numpy) if array.dtype.kind in "iuf" else array.astype(d.numpy)


# PyTorch's messages name a dtype as its ScalarType (Float) or as the C++ type (float), depending on the message.
def scalar_type_name(d):
    """``Float``, ``Double``, ``Half``, ``Long``, ``Int``, ``Short``, ``Char``, ``Byte`` or ``Bool``."""
    return d.legacy_name[: -len("Tensor")]


def cpp_type_name(d):
    """``float``, ``double``, ``c10::Half``, ``long int``, ``int``, ``short int``, ``signed char``, ... ."""
    return d.cpp_name


def get_default_dtype():
    """The dtype that Python floats become (``float32`` unless changed)."""
    return _default[0]


def set_default_dtype(d):
    """Make ``d`` (float16, float32 or float64) the dtype of new floating-point tensors."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def _promote(a, b):
    """PyTorch's promotion lattice (c10's ``promoteTypes``), restricted to nbgrad's dtypes."""
    if a is b or b is bool:
        return a
    if a is bool:
        return b
    if a.is_floating_point or b.is_floating_point:
        if a.is_floating_point and b.is_floating_point:
            return a if a.itemsize >= b.itemsize else b
        return a if a.is_floating_point else b
    if a.is_signed == b.is_signed:
        return a if a.itemsize >= b.itemsize else b
    signed = a if a.is_signed else b  # uint8 with a signed integer: the smallest signed type holding both
    return signed if signed.itemsize > 1 else int16


_PROMOTED = {(a, b): _promote(a, b) for a in DTYPES for b in DTYPES}


def promote_types(a, b):
    """PyTorch's ``promote_types``: ``uint8`` with ``int8`` is ``int16``, any integer with ``float16`` is ``float16``."""
    return _PROMOTED[a, b]


class finfo:
    """Machine limits of a floating dtype, as ``torch.finfo`` (Python floats, NumPy's values)."""

    def __init__(self, type=None):  # noqa: A002 - PyTorch's name
        type = get_default_dtype() if type is None else type
        if not (isinstance(type, dtype) and type.is_floating_point):
            raise TypeError("nbgrad.finfo() requires a floating point input type. Use nbgrad.iinfo to handle 'nbgrad.finfo'")
        info = np.finfo(type.numpy)
        self.bits = info.bits
        for name in ("eps", "max", "min", "tiny", "smallest_normal"):
            setattr(self, name, builtins.float(getattr(info, name)))
        self.resolution = 10.0 ** -info.precision
        self.dtype = type.name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype, as ``torch.iinfo``."""

    def __init__(self, type):  # noqa: A002 - PyTorch's name
        if type is bool:
            raise TypeError("nbgrad.bool is not supported by nbgrad.iinfo")
        if not isinstance(type, dtype) or type.is_floating_point:
            raise TypeError("nbgrad.iinfo() requires an integer input type. Use nbgrad.finfo to handle 'nbgrad.iinfo'")
        info = np.iinfo(type.numpy)
        self.bits = info.bits
        self.min, self.max = builtins.int(info.min), builtins.int(info.max)
        self.dtype = type.name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"  # %g, as PyTorch prints them
