"""Names for tensors in drawings and traces: the names a student gave them.

A tensor's label comes from, in this order:

1. the ``names=`` argument of the drawing or trace (a dict, or any namespace such as a module or
   ``types.SimpleNamespace``), name -> tensor;
2. ``tensor.name``, set by the user;
3. in IPython or Jupyter, the variables of the user's namespace that refer to the tensor
   (``x``, ``y``, ``z``, ``out``).

Names starting with ``_`` are skipped (IPython's ``_``, ``_3``, private helpers). When several names
refer to one tensor, the shortest wins, then the alphabetically first, so the choice never depends on
the order in which variables were created.
"""
import sys

from ..i18n import message
from ..tensor import Tensor


def _namespace_items(names):
    if names is None:
        return ()
    if isinstance(names, dict):
        return names.items()
    try:
        return vars(names).items()
    except TypeError:
        raise TypeError(message("labels.names_type", type=type(names).__name__)) from None


def _ipython_namespace():
    # Only look when IPython is already running: importing it here would slow down plain scripts.
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "user_ns", None)


def _preferred(items):
    """tensor -> its best name among ``items`` (pairs of name and object)."""
    best = {}
    for name, value in items:
        if not isinstance(name, str) or name.startswith("_") or not isinstance(value, Tensor):
            continue
        current = best.get(value)
        if current is None or (len(name), name) < (len(current), current):
            best[value] = name
    return best


class Names:
    """The labels of tensors for one drawing or trace: call it with a tensor to get its name or None."""

    def __init__(self, names=None):
        self._given = _preferred(_namespace_items(names))
        self._notebook = _preferred(_namespace_items(_ipython_namespace()))

    def __call__(self, tensor):
        name = self._given.get(tensor) or tensor.name or self._notebook.get(tensor)
        return str(name) if name is not None else None

    def tensors(self):
        """Every tensor that has a name here (given first, then the notebook's)."""
        return list(dict.fromkeys([*self._given, *self._notebook]))


def namespaces(names=None):
    """Where names come from, first first: the ``(name, object)`` pairs of ``names=``, then the notebook's."""
    return [list(_namespace_items(names)), list(_namespace_items(_ipython_namespace()))]
