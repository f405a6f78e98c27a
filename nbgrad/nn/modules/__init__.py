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
from .loss import BCELoss, HuberLoss, KLDivLoss, L1Loss, SmoothL1Loss, SoftMarginLoss  # noqa: F401
from .activation import (  # noqa: F401
    CELU, ELU, GELU, Hardshrink, Hardswish, Hardtanh, LeakyReLU, LogSigmoid, Mish, ReLU6, SELU, SiLU,
    Softplus, Softshrink, Softsign, Tanhshrink, Threshold,
)
from .dropout import AlphaDropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout  # noqa: F401
from .sparse import Embedding  # noqa: F401
# >>> issue-12 rnn
from .rnn import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell, RNNCellBase  # noqa: F401

# >>> issue-12 modules
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList  # noqa: F401, E402
from .flatten import Flatten, Unflatten  # noqa: F401, E402
from .linear import Identity  # noqa: F401, E402
from .softmax import LogSoftmax, Softmax, Softmin  # noqa: F401, E402
