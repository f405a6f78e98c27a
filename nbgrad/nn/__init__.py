"""``nbgrad.nn``: neural-network building blocks, as in ``torch.nn``."""
from . import functional, init  # noqa: F401
from .modules import (  # noqa: F401
    BCEWithLogitsLoss, CrossEntropyLoss, Dropout, Linear, Module, MSELoss, NLLLoss, ReLU, Sequential, Sigmoid,
    Tanh,
)
from .parameter import Parameter  # noqa: F401

# >>> issue-12 conv

# >>> issue-12 act
from .modules import SoftMarginLoss  # noqa: F401
from .modules import Threshold  # noqa: F401
from .modules import Hardshrink, Hardswish, LogSigmoid, Softshrink, Softsign, Tanhshrink  # noqa: F401
from .modules import AlphaDropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout  # noqa: F401
from .modules import Embedding  # noqa: F401
from .modules import BCELoss, HuberLoss, KLDivLoss, L1Loss, SmoothL1Loss  # noqa: F401
from .modules import CELU, ELU, GELU, SELU, Hardtanh, LeakyReLU, Mish, ReLU6, SiLU, Softplus  # noqa: F401

# >>> issue-12 rnn

# >>> issue-12 modules
