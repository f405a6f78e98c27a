"""The layers of ``nbgrad.nn``, one family per file, as in ``torch.nn.modules``."""
from .activation import ReLU, Sigmoid, Tanh  # noqa: F401
from .container import Sequential  # noqa: F401
from .dropout import Dropout  # noqa: F401
from .linear import Linear  # noqa: F401
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss  # noqa: F401
from .module import Module  # noqa: F401

# >>> issue-12 conv
from .batchnorm import BatchNorm1d, BatchNorm2d  # noqa: F401
from .conv import Conv1d, Conv2d  # noqa: F401
from .normalization import GroupNorm, LayerNorm  # noqa: F401
from .padding import (  # noqa: F401
    ConstantPad1d, ConstantPad2d, ReflectionPad1d, ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, ZeroPad1d,
    ZeroPad2d,
)
from .pooling import AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d  # noqa: F401

# >>> issue-12 act

# >>> issue-12 rnn

# >>> issue-12 modules
