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
from .modules import (  # noqa: F401
    AlphaDropout, BCELoss, CELU, Dropout1d, Dropout2d, Dropout3d, ELU, Embedding, FeatureAlphaDropout, GELU,
    Hardshrink, Hardswish, Hardtanh, HuberLoss, KLDivLoss, L1Loss, LeakyReLU, LogSigmoid, Mish, ReLU6, SELU,
    SiLU, SmoothL1Loss, SoftMarginLoss, Softplus, Softshrink, Softsign, Tanhshrink, Threshold,
)

# >>> issue-12 rnn
from .modules import GRU, GRUCell, LSTM, LSTMCell, RNN, RNNBase, RNNCell, RNNCellBase  # noqa: F401

# >>> issue-12 modules
from .parameter import Buffer  # noqa: F401, E402


def __getattr__(name):
    """``nn.utils`` loads when first named (as ``nbgrad.utils`` does): ``import nbgrad`` stays as light."""
    if name == "utils":
        import importlib

        return importlib.import_module(f"{__name__}.utils")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
from .modules import (  # noqa: F401, E402
    Flatten, Identity, LogSoftmax, ModuleDict, ModuleList, ParameterDict, ParameterList, Softmax, Softmin, Unflatten,
)
