"""``nbgrad.nn``: neural-network building blocks, as in ``torch.nn``."""
from . import functional, init  # noqa: F401
from . import modules as _modules
from .modules import (  # noqa: F401
    AlphaDropout, BCELoss, BCEWithLogitsLoss, CELU, CrossEntropyLoss, Dropout, Dropout1d, Dropout2d, Dropout3d, ELU,
    FeatureAlphaDropout, GELU, Hardshrink, Hardswish, Hardtanh, HuberLoss, Identity, KLDivLoss, L1Loss, LeakyReLU,
    Linear, LogSigmoid, Mish, Module, ModuleDict, ModuleList, MSELoss, NLLLoss, ParameterDict, ParameterList, ReLU,
    ReLU6, SELU, Sequential, Sigmoid, SiLU, SmoothL1Loss, SoftMarginLoss, Softplus, Softshrink, Softsign, Tanh,
    Tanhshrink, Threshold,
)
from .parameter import Buffer, Parameter  # noqa: F401


def __getattr__(name):
    """The layers of the families that load at first use (see ``modules``), and ``nn.utils``."""
    import importlib

    if name == "utils":
        return importlib.import_module(f"{__name__}.utils")
    if name in _modules.LAZY_NAMES:
        value = getattr(_modules, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")


def __dir__():
    return sorted({*globals(), *_modules.LAZY_NAMES, "utils"})
