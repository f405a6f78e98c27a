"""``nbgrad.optim``: optimizers that update a model's parameters from their gradients, as ``torch.optim``."""
import importlib

from .adam import Adam, AdamW  # noqa: F401
from .optimizer import Optimizer  # noqa: F401
from .sgd import SGD  # noqa: F401

# Loaded when first named, so that ``import nbgrad`` does not pay for them.
_LAZY = {"Adadelta": "adadelta", "Adagrad": "adagrad", "Adamax": "adamax", "LBFGS": "lbfgs", "NAdam": "nadam", "RAdam": "radam",
         "RMSprop": "rmsprop", "lr_scheduler": None}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{_LAZY[name] or name}", __name__)
    return module if _LAZY[name] is None else getattr(module, name)


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
