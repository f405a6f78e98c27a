"""Widgets to drive autograd by hand: ``TensorView``, ``GraphView``, ``BackwardStepper``, ``GradientPlayground``.

Built from ipywidgets' own controls (no JavaScript to build) and drawn by ``nbgrad.display``.  Nothing is
imported until a widget is first used: ``import nbgrad.widgets`` does not load ipywidgets.
"""
from importlib import import_module

_MODULES = {
    "TensorView": "tensor_view",
    "GraphView": "graph_view",
    "BackwardStepper": "stepper",
    "GradientPlayground": "playground",
}
__all__ = list(_MODULES)


def __getattr__(name):
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


def __dir__():
    return sorted([*globals(), *__all__])
