"""What every built-in op shares: registration (for the meta-test) and PyTorch-style node names."""
from ..autograd import function

PRIMITIVES = []


class Primitive(function.Function):
    """A built-in op: its node is named ``<ClassName>Backward0`` unless ``node_name`` says otherwise."""

    _builtin = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):  # a leading underscore marks a shared base, not an op
            PRIMITIVES.append(cls)


def result(array):
    """Wrap a forward result as a Tensor so that forward can save it for backward."""
    return function.Tensor._make(array)
