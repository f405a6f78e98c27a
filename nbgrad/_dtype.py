"""The four dtypes nbgrad supports, named as in PyTorch, and the default floating dtype."""
import builtins

import numpy as np


class dtype:
    """A tensor element type; ``repr`` reads ``nbgrad.float32`` as PyTorch reads ``torch.float32``."""

    __slots__ = ("name", "numpy", "is_floating_point", "legacy_name")

    def __init__(self, name, numpy_type, is_floating_point, legacy_name):
        self.name = name
        self.numpy = np.dtype(numpy_type)
        self.is_floating_point = is_floating_point
        self.legacy_name = legacy_name  # PyTorch's old type names still appear in its error messages

    def __repr__(self):
        return f"nbgrad.{self.name}"

    def __reduce__(self):
        return self.name


float32 = dtype("float32", np.float32, True, "FloatTensor")
float64 = dtype("float64", np.float64, True, "DoubleTensor")
int64 = dtype("int64", np.int64, False, "LongTensor")
bool = dtype("bool", np.bool_, False, "BoolTensor")  # noqa: A001 - PyTorch's name

_BY_NUMPY = {d.numpy: d for d in (float32, float64, int64, bool)}
_default = [float32]


def from_numpy_dtype(np_dtype):
    """The nbgrad dtype a NumPy dtype maps to; other integer and float widths widen or narrow to ours."""
    d = _BY_NUMPY.get(np_dtype)
    if d is not None:
        return d
    kind = np_dtype.kind
    if kind in "iu":
        return int64
    if kind == "f":
        return float64 if np_dtype.itemsize > 8 else float32
    if kind == "b":
        return bool
    raise TypeError(
        f"can't convert np.ndarray of type numpy.{np_dtype}. The only supported types are: "
        "float64, float32, int64 and bool."
    )


# PyTorch's messages name a dtype as its ScalarType (Float) or as the C++ type (float), depending on the message.
def scalar_type_name(d):
    """``Float``, ``Double``, ``Long`` or ``Bool``."""
    return d.legacy_name[: -len("Tensor")]


_CPP_NAMES = {"float32": "float", "float64": "double", "int64": "long int", "bool": "bool"}


def cpp_type_name(d):
    """``float``, ``double``, ``long int`` or ``bool``."""
    return _CPP_NAMES[d.name]


def get_default_dtype():
    """The dtype that Python floats become (``float32`` unless changed)."""
    return _default[0]


def set_default_dtype(d):
    """Make ``d`` (float32 or float64) the dtype of new floating-point tensors."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def promote_types(a, b):
    """PyTorch's promotion between two tensor dtypes: bool < int64 < float32 < float64."""
    if a is b:
        return a
    order = (bool, int64, float32, float64)
    return order[builtins.max(order.index(a), order.index(b))]
