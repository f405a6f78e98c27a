"""What every built-in op shares: registration (for the meta-test) and PyTorch-style node names."""
import numpy as np

from ..autograd import function

PRIMITIVES = []


class Primitive(function.Function):
    """A built-in op: its node is named ``<ClassName>Backward0`` unless ``node_name`` says otherwise."""

    _builtin = True
    is_view = False  # the output shares storage (and version counter) with the first input

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        PRIMITIVES.append(cls)

    @classmethod
    def apply(cls, *args):
        out = super().apply(*args)
        if cls.is_view and np.may_share_memory(out._data, args[0]._data):
            src = args[0]
            out._version_counter = src._version_counter
            out._base = src._base if src._base is not None else src
        return out


def result(array):
    """Wrap a forward result as a Tensor so that forward can save it for backward."""
    return function.Tensor._make(array)
