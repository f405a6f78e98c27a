"""Activation layers: ``ReLU``, ``Tanh``, ``Sigmoid``."""
from .. import functional as F
from .module import Module


class ReLU(Module):
    """max(x, 0), element-wise."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """tanh(x), element-wise."""

    def forward(self, input):
        return input.tanh()


class Sigmoid(Module):
    """1 / (1 + e⁻ˣ), element-wise."""

    def forward(self, input):
        return input.sigmoid()
