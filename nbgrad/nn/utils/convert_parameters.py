"""Parameters as one flat vector and back, as ``torch.nn.utils.convert_parameters``."""
from ... import _functions
from ...tensor import Tensor
from ..modules.module import _typename


def parameters_to_vector(parameters):
    """All parameters flattened and concatenated, in order: one vector (recorded: CatBackward0)."""
    return _functions.cat([param.view(-1) for param in parameters])


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of ``vec`` into ``parameters`` (each takes ``vec``'s values as its data)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    pointer = 0
    for param in parameters:
        num_param = param.numel()
        param.data = vec[pointer:pointer + num_param].view_as(param).data
        pointer += num_param
