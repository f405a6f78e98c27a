"""The layers of ``nbgrad.nn``, one family per file, as in ``torch.nn.modules``."""
from .activation import ReLU, Sigmoid, Tanh  # noqa: F401
from .container import Sequential  # noqa: F401
from .dropout import Dropout  # noqa: F401
from .linear import Linear  # noqa: F401
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss  # noqa: F401
from .module import Module  # noqa: F401

# >>> issue-12 conv

# >>> issue-12 act

# >>> issue-12 rnn

# >>> issue-12 modules
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList  # noqa: F401, E402
from .flatten import Flatten, Unflatten  # noqa: F401, E402
from .linear import Identity  # noqa: F401, E402
from .softmax import LogSoftmax, Softmax, Softmin  # noqa: F401, E402
