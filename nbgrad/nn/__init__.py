"""``nbgrad.nn``: neural-network building blocks, as in ``torch.nn``."""
from . import functional, init  # noqa: F401
from .modules import (  # noqa: F401
    BCEWithLogitsLoss, CrossEntropyLoss, Dropout, Linear, Module, MSELoss, NLLLoss, ReLU, Sequential, Sigmoid,
    Tanh,
)
from .parameter import Parameter  # noqa: F401

# >>> issue-12 conv

# >>> issue-12 act

# >>> issue-12 rnn

# >>> issue-12 modules
from . import utils  # noqa: F401, E402
from .parameter import Buffer  # noqa: F401, E402
from .modules import (  # noqa: F401, E402
    Flatten, Identity, LogSoftmax, ModuleDict, ModuleList, ParameterDict, ParameterList, Softmax, Softmin, Unflatten,
)
