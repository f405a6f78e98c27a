"""The layers of ``nbgrad.nn``, one family per file, as in ``torch.nn.modules``."""
from .activation import ReLU, Sigmoid, Tanh  # noqa: F401
from .container import Sequential  # noqa: F401
from .dropout import Dropout  # noqa: F401
from .linear import Linear  # noqa: F401
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss  # noqa: F401
from .module import Module  # noqa: F401

# >>> issue-12 conv

# >>> issue-12 act
from .loss import BCELoss, HuberLoss, KLDivLoss, L1Loss, SmoothL1Loss, SoftMarginLoss  # noqa: F401
from .activation import (  # noqa: F401
    CELU, ELU, GELU, Hardshrink, Hardswish, Hardtanh, LeakyReLU, LogSigmoid, Mish, ReLU6, SELU, SiLU,
    Softplus, Softshrink, Softsign, Tanhshrink, Threshold,
)
from .dropout import AlphaDropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout  # noqa: F401
from .sparse import Embedding  # noqa: F401
# >>> issue-12 rnn

# >>> issue-12 modules
