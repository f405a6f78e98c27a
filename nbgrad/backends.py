"""``nbgrad.backends``: only ``mps``, answering as a PyTorch build without it (``backends.mps.is_available()``)."""
import sys as _sys
import types as _types


def _is_available():
    return False


def _is_built():
    return False


# One module of two functions: a module object here rather than a subpackage (``import nbgrad.backends.mps`` works).
mps = _types.ModuleType(f"{__name__}.mps", "``nbgrad.backends.mps``: as in a PyTorch build without MPS.")
mps.is_available, mps.is_built = _is_available, _is_built
_is_available.__name__, _is_built.__name__ = "is_available", "is_built"
_is_available.__qualname__, _is_built.__qualname__ = "is_available", "is_built"
_is_available.__module__ = _is_built.__module__ = mps.__name__
_sys.modules[mps.__name__] = mps
