"""The layers of ``nbgrad.nn``, one family per file, as in ``torch.nn.modules``.

The families every model uses load with ``nbgrad``; the others (convolution, pooling, normalization, padding,
recurrent layers, embeddings, flatten, softmax) load when one of their layers is first named, so that
``import nbgrad`` stays light (PEP 562's module ``__getattr__``).
"""
from .activation import (  # noqa: F401
    CELU, ELU, GELU, Hardshrink, Hardswish, Hardtanh, LeakyReLU, LogSigmoid, Mish, ReLU, ReLU6, SELU, Sigmoid, SiLU,
    Softplus, Softshrink, Softsign, Tanh, Tanhshrink, Threshold,
)
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401
from .dropout import AlphaDropout, Dropout, Dropout1d, Dropout2d, Dropout3d, FeatureAlphaDropout  # noqa: F401
from .linear import Identity, Linear  # noqa: F401
from .loss import (  # noqa: F401
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss,
    SoftMarginLoss,
)
from .module import Module  # noqa: F401

_LAZY = {
    "batchnorm": ("BatchNorm1d", "BatchNorm2d"),
    "conv": ("Conv1d", "Conv2d"),
    "flatten": ("Flatten", "Unflatten"),
    "normalization": ("GroupNorm", "LayerNorm"),
    "padding": ("ConstantPad1d", "ConstantPad2d", "ReflectionPad1d", "ReflectionPad2d", "ReplicationPad1d",
                "ReplicationPad2d", "ZeroPad1d", "ZeroPad2d"),
    "pooling": ("AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "MaxPool1d", "MaxPool2d"),
    "rnn": ("GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase"),
    "softmax": ("LogSoftmax", "Softmax", "Softmin"),
    "sparse": ("Embedding",),
}
LAZY_NAMES = {name: family for family, names in _LAZY.items() for name in names}


def __getattr__(name):
    family = LAZY_NAMES.get(name)
    if family is None:
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{family}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *LAZY_NAMES})
