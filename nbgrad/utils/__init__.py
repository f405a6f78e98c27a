"""``nbgrad.utils``: as ``torch.utils``, the data-loading tools (``nbgrad.utils.data``)."""
from . import data  # noqa: F401
