"""``nbgrad.optim``: optimizers that update a model's parameters from their gradients, as ``torch.optim``."""
from .adam import Adam, AdamW  # noqa: F401
from .optimizer import Optimizer  # noqa: F401
from .sgd import SGD  # noqa: F401
