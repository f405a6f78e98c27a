"""``nbgrad.nn``: neural-network building blocks, as in ``torch.nn``."""
from . import functional, init  # noqa: F401
from .modules import (  # noqa: F401
    BCEWithLogitsLoss, CrossEntropyLoss, Dropout, Linear, Module, MSELoss, NLLLoss, ReLU, Sequential, Sigmoid,
    Tanh,
)
from .parameter import Parameter  # noqa: F401

# >>> issue-12 conv

# >>> issue-12 act
from .modules import (  # noqa: F401
    AlphaDropout, BCELoss, CELU, Dropout1d, Dropout2d, Dropout3d, ELU, Embedding, FeatureAlphaDropout, GELU,
    Hardshrink, Hardswish, Hardtanh, HuberLoss, KLDivLoss, L1Loss, LeakyReLU, LogSigmoid, Mish, ReLU6, SELU,
    SiLU, SmoothL1Loss, SoftMarginLoss, Softplus, Softshrink, Softsign, Tanhshrink, Threshold,
)

# >>> issue-12 rnn

# >>> issue-12 modules
