"""``nbgrad.nn``: neural-network building blocks, as in ``torch.nn``."""
from . import functional, init  # noqa: F401
from .modules import (  # noqa: F401
    BCEWithLogitsLoss, CrossEntropyLoss, Dropout, Linear, Module, MSELoss, NLLLoss, ReLU, Sequential, Sigmoid,
    Tanh,
)
from .parameter import Parameter  # noqa: F401

# >>> issue-12 conv
from .modules import (  # noqa: F401
    AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, BatchNorm1d, BatchNorm2d, ConstantPad1d, ConstantPad2d, Conv1d, Conv2d,
    GroupNorm, LayerNorm, MaxPool1d, MaxPool2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d,
    ZeroPad1d, ZeroPad2d,
)

# >>> issue-12 act

# >>> issue-12 rnn

# >>> issue-12 modules
