"""Modules that load at their first use, so ``import nbgrad`` pays only for what every session needs.

``lazy_module(name)`` is the standard library's ``importlib.util.LazyLoader``: the module object exists at once
(``from .ops import order`` works), and its code runs when one of its attributes is first read; from then on
it is an ordinary module, with no cost per use. The op families loaded this way register their ops when they
load; ``load_all()`` loads every family, for the lists that must know every op (``nbgrad.<name>``, the
meta-tests).
"""
import importlib.util
import sys

_LAZY = []


def lazy_module(name):
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.find_spec(name)
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, module)
        _LAZY.append(module)
    return module


def load_all():
    """Load every op family (those loaded lazily, and those imported only inside the functions that use them)."""
    import importlib
    import pkgutil

    from . import ops

    for module in _LAZY:
        module.__name__  # any attribute read runs the module's code (once)
    for info in pkgutil.iter_modules(ops.__path__):
        importlib.import_module(f"{ops.__name__}.{info.name}")
