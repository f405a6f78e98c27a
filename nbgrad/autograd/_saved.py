"""PyTorch's ``_saved_<name>`` accessors of a built-in op's node, built once per op class.

Properties rather than a ``__getattr__`` hook: the hook would slow down every attribute read on every
node, and the engine reads a few per node. What forward stores on ctx is found by a scan of its bytecode.
"""
import dis

import numpy as np

from . import _checks


def accessors(cls, make_tensor):
    """``_saved_<name>`` properties: one per saved tensor (named by ``saved_names``) and one per attribute
    forward stores on ctx (``ctx.alpha = ...``). ``make_tensor`` wraps an array a forward kept."""
    out = {f"_saved_{name}": property(_saved_tensor(i)) for i, name in enumerate(cls.saved_names)}
    for klass in cls.__mro__:  # what forward stores itself wins (max(dim) keeps its indices as ctx.indices)
        forward = klass.__dict__.get("forward")
        forward = getattr(forward, "__func__", forward)
        if forward is None:
            continue
        for name in _stored_attributes(forward.__code__):
            if not name.startswith("_"):
                out[f"_saved_{name}"] = property(_parameter(name, make_tensor))
    return out


_STORE_ATTR, _EXTENDED_ARG = dis.opmap["STORE_ATTR"], dis.opmap["EXTENDED_ARG"]


def _stored_attributes(code):
    """The attribute names a function assigns (``x.name = ...``), read from its bytecode: a plain scan, as
    ``dis.get_instructions`` would add milliseconds to ``import nbgrad`` over all the ops."""
    names, extended, raw = set(), 0, code.co_code
    for i in range(0, len(raw), 2):
        op, arg = raw[i], raw[i + 1] | extended
        extended = arg << 8 if op == _EXTENDED_ARG else 0
        if op == _STORE_ATTR:
            names.add(code.co_names[arg])
    return names


def _parameter(name, make_tensor):
    def get(node):
        try:
            value = vars(node)[name]
        except KeyError:
            raise AttributeError(f"'{type(node).__name__}' object has no attribute '_saved_{name}'") from None
        return make_tensor(value) if type(value) is np.ndarray else value  # indices, targets: Tensors in PyTorch

    return get


def _saved_tensor(i):
    def get(node):
        if node._saved is None:
            raise RuntimeError(_checks.FREED)
        return node._unpacked()[i]

    return get
