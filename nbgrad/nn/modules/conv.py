"""``Conv1d``, ``Conv2d``: learned kernels slid over signals and images, as ``torch.nn.Conv1d``/``Conv2d``."""
import math

from ... import _creation
from .. import functional as F, init
from ..parameter import Parameter
from .module import Module

_PADDING_MODES = ("zeros", "reflect", "replicate")  # the others pad with F.pad first, as PyTorch does


class _ConvNd(Module):
    _dims = None

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__()
        d = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'same', 'valid'}}")
            if padding == "same" and any(s != 1 for s in _tuple(stride, d)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError("padding_mode must be one of {'replicate', 'reflect', 'circular', 'zeros'}, but got "
                             f"padding_mode='{padding_mode}'")
        if padding_mode not in _PADDING_MODES:  # not yet (docs/differences.md)
            raise NotImplementedError(f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = _tuple(kernel_size, d), _tuple(stride, d)
        self.padding = padding if isinstance(padding, str) else _tuple(padding, d)
        self.dilation = _tuple(dilation, d)
        self.transposed, self.output_padding = False, (0,) * d
        self.groups, self.padding_mode = groups, padding_mode
        self.weight = Parameter(_creation.empty(out_channels, in_channels // groups, *self.kernel_size, device=device,
                                                dtype=dtype))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _conv_forward(self, conv, input):
        if self.padding_mode == "zeros":
            return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        if isinstance(self.padding, str):  # 'same' or 'valid' in pad's order: last dim first, (before, after)
            total = [0 if self.padding == "valid" else dl * (k - 1) for k, dl in zip(self.kernel_size, self.dilation)]
            pads = [v for t in reversed(total) for v in (t // 2, t - t // 2)]
        else:
            pads = [p for p in reversed(self.padding) for _ in range(2)]
        padded = F.pad(input, pads, mode=self.padding_mode)
        return conv(padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)

    def reset_parameters(self):
        """PyTorch's default: kaiming_uniform_ with a = √5 (U(-1/√fan_in, 1/√fan_in)), the bias likewise."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.kernel_size):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


def _tuple(value, n):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


class Conv1d(_ConvNd):
    """(N, C_in, L) -> (N, C_out, L_out): each output channel correlates a (C_in/groups, k) kernel with the input."""

    _dims = 1

    def forward(self, input):
        return self._conv_forward(F.conv1d, input)


class Conv2d(_ConvNd):
    """(N, C_in, H, W) -> (N, C_out, H_out, W_out): each output channel correlates a (C_in/groups, kH, kW) kernel
    with the input."""

    _dims = 2

    def forward(self, input):
        return self._conv_forward(F.conv2d, input)
