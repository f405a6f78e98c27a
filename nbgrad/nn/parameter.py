"""``Parameter``: a tensor that a ``Module`` owns and an optimizer updates."""
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad and that a ``Module`` registers when assigned as an attribute.

    ``Parameter(t)`` shares ``t``'s storage, as in PyTorch. Operations on a parameter return plain tensors
    (they are built by ``Tensor._make``), so only the module's own attributes are parameters.
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .._creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        param = cls._make(data._data)
        param._version_counter = data._version_counter
        param.requires_grad_(requires_grad)
        return param

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happened in __new__; Tensor.__init__ would refuse

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = Parameter(Tensor._make(self._data.copy()), self._requires_grad)
        return memo[id(self)]

    def __reduce_ex__(self, protocol):
        return Parameter, (Tensor._make(self._data), self._requires_grad)


class Buffer(Tensor):
    """A tensor marked to become a module's buffer when assigned as its attribute: ``self.x = Buffer(t)`` is
    ``self.register_buffer("x", t, persistent)``. The module keeps a plain tensor sharing ``t``'s storage."""

    __slots__ = ("persistent",)

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from .._creation import empty

            data = empty(0)
        buffer = cls._make(data._data)
        buffer._version_counter = data._version_counter
        buffer._requires_grad = data._requires_grad
        buffer.persistent = persistent
        return buffer

    def __init__(self, data=None, *, persistent=True):
        pass  # everything happened in __new__; Tensor.__init__ would refuse
