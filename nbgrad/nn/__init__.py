"""``nbgrad.nn``: neural-network building blocks, as in ``torch.nn``."""
from . import functional  # noqa: F401
