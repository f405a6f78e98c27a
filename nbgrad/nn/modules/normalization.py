"""``LayerNorm``, ``GroupNorm``: normalize each sample over its last dims or over groups of its channels, as
``torch.nn.LayerNorm``/``GroupNorm``."""
from ... import _creation
from .. import functional as F, init
from ..parameter import Parameter
from .module import Module


class LayerNorm(Module):
    """(x - mean)/√(var + eps)·weight + bias, the statistics over the last ``len(normalized_shape)`` dims."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, device=None, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        _affine_parameters(self, elementwise_affine, bias, self.normalized_shape, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(Module):
    """(x - mean)/√(var + eps)·weight + bias, the statistics over each of ``num_groups`` groups of channels of each
    sample; ``weight`` and ``bias`` per channel."""

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        _affine_parameters(self, affine, bias, (num_channels,), device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


def _affine_parameters(module, affine, bias, shape, device, dtype):
    """A normalization's learnt scale (``weight``) and shift (``bias``), or None for each it has not."""
    def new():
        return Parameter(_creation.empty(*shape, device=device, dtype=dtype))

    module.register_parameter("weight", new() if affine else None)
    module.register_parameter("bias", new() if affine and bias else None)


def _reset_affine(module):
    """Scale ones, shift zeros: the normalization alone, as PyTorch starts it."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)
