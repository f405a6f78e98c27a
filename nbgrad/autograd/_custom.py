"""The rest of PyTorch's custom ``Function`` API, kept out of the reading path (``function.py``).

- Several outputs: each output tensor sends its gradient to its own ``_OutputEdge``, which passes it on to
  the shared node in slot ``output_nr``, as PyTorch's edges ``(node, output_nr)`` do; the engine needs to
  know nothing of it.
- ``mark_dirty``, ``mark_non_differentiable``, ``set_materialize_grads`` and non-tensor outputs.
- Hooks on nodes (``register_prehook``, ``register_hook``) and ``once_differentiable``.
"""
import functools
import traceback
import weakref

import numpy as np

from . import _checks, anomaly_mode, grad_mode
from ..tensor import Tensor
from .function import AccumulateGrad, Function, Node, _as_tensor, _is_one_of, _link, _output


class _OutputEdge(Node):
    """Where the gradient of one output of a node with several outputs arrives (PyTorch's edge
    ``(node, output_nr)``): it is that output's gradient node, so the output's hooks, ``retain_grad`` and
    the gradient itself stay its own; it passes the gradient on to ``node`` in slot ``output_nr``."""

    def __init__(self, node, output_nr, count):
        self.node, self.output_nr, self._count = node, output_nr, count
        self._next = (node,)
        self._seq = node._seq

    def name(self):
        return f"{self.node.name()}[{self.output_nr}]"

    def _run(self, grad, create_graph):
        slots = [None] * self._count
        slots[self.output_nr] = grad
        return (_Grads(slots),)


class _Grads:
    """What arrives at a node with several outputs: one gradient per output, None where none came. The
    engine adds what reaches a node; adding two of these merges them slot by slot."""

    __slots__ = ("slots",)

    def __init__(self, slots):
        self.slots = slots

    def __add__(self, other):
        return _Grads([a if b is None else b if a is None else a + b for a, b in zip(self.slots, other.slots)])


def _grad_outputs(node, grad):
    """The gradients that reached ``node``, one per output of forward (None where none did), as Tensors."""
    if type(grad) is _Grads:
        return tuple([None if g is None else _as_tensor(g) for g in grad.slots])
    if node._outputs is None:
        return (_as_tensor(grad),)
    return tuple([None if meta is None else _as_tensor(grad) for meta in node._outputs])  # one tensor output


def _backward_grads(node, grad):
    """A user's backward gets one gradient per output of forward: zeros where none arrived (None after
    ``set_materialize_grads(False)``), None for an output that is not a tensor."""
    slots = _grad_outputs(node, grad)
    out = []
    for meta in node._outputs:
        g = None
        if meta is not None:
            nr, shape, dtype = meta
            g = slots[nr] if nr < len(slots) else None
            if g is None and node._materialize:
                g = Tensor._make(np.zeros(shape, dtype))
        out.append(g)
    return out


def _run_prehooks(node, grad, create_graph):
    """``node.register_prehook`` hooks, in order: each gets the output gradients, may return replacements."""
    grads = _grad_outputs(node, grad)
    for hook in list(node._hooks["pre"].values()):
        result = hook(grads)
        if result is not None:
            grads = _checks.check_node_hook_result(hook, result, grads, Tensor)
    carried = [g if g is None or create_graph else g._data for g in grads]
    if type(grad) is _Grads:
        return _Grads(carried)
    return next(g for g in carried if g is not None)  # the one output that has a gradient


def _run_hooked(node, grad, create_graph):
    """``node._run`` with the node's own hooks around it: pre-hooks, the rule, then hooks."""
    hooks = node._hooks
    if hooks["pre"]:
        grad = _run_prehooks(node, grad, create_graph)
    out = node._run(grad, create_graph, hooks=False)
    if hooks["post"]:
        out = _run_posthooks(node, out, grad, create_graph)
    return out


def _run_posthooks(node, grad_inputs, grad, create_graph):
    """``node.register_hook`` hooks: each gets (grad_inputs, grad_outputs), may return new grad_inputs."""
    inputs = tuple([None if g is None else _as_tensor(g) for g in grad_inputs])
    outputs = _grad_outputs(node, grad)
    for hook in list(node._hooks["post"].values()):
        result = hook(inputs, outputs)
        if result is not None:
            inputs = _checks.check_node_hook_result(hook, result, inputs, Tensor)
    return [g if g is None or create_graph else g._data for g in inputs]


def _user_outputs(cls, ctx, args, result, record):
    """A user's forward result, its outputs made Tensors and linked to ``ctx``; a tuple stays a tuple, and
    what is not a tensor passes through. Misuse (``mark_dirty``) is refused before anything changes."""
    several = type(result) is tuple
    results = result if several else (result,)
    dirty, fixed = ctx._dirty, ctx._non_differentiable
    _checks.check_dirty(dirty, results, grad_mode.state.enabled, Tensor)
    outputs, differentiable, meta, tensors = [], [], [], 0
    for nr, r in enumerate(results):  # as in PyTorch, output_nr counts every output, tensor or not
        if isinstance(r, Tensor) and _is_one_of(r, dirty):
            r._version_counter[0] += 1  # as PyTorch does: marking it dirty counts as a change
        elif isinstance(r, (Tensor, np.ndarray, np.generic)):  # NumPy results become Tensors
            keep = isinstance(r, Tensor) and _is_one_of(r, fixed)
            r = _output(cls, r, args)
            if keep:
                fixed = fixed + (r,)
        if isinstance(r, Tensor):
            meta.append((nr, r._data.shape, r._data.dtype))
            tensors += 1
            if r._data.dtype.kind == "f" and not _is_one_of(r, fixed):
                differentiable.append(r)
        else:
            meta.append(None)
        outputs.append(r)
    if several:
        ctx._outputs = tuple(meta)
    if record and differentiable:
        if tensors < 2:
            _link(ctx, args, differentiable[0])
        else:
            _link(ctx, args, tuple([r if isinstance(r, Tensor) and _is_one_of(r, differentiable) else None
                                    for r in outputs]))
    return tuple(outputs) if several else outputs[0]


def once_differentiable(fn):
    """Decorate a backward that is not differentiable itself: it runs under ``no_grad``, and differentiating
    its result again raises (through PyTorch's ``DelayedError`` node, named ``Error``)."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            outputs = fn(ctx, *args)
        if not grad_mode.state.enabled or not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        several = isinstance(outputs, tuple)
        fake = [o.detach().requires_grad_() if isinstance(o, Tensor) else o
                for o in (outputs if several else (outputs,))]
        errors = _DelayedError.apply(*fake)
        return errors if several else errors[0]

    return wrapper


class _DelayedError(Function):
    """Passes gradients through unchanged; backward through it raises (see ``once_differentiable``)."""

    node_name = "Error"

    @staticmethod
    def forward(ctx, *tensors):
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


def _link_outputs(ctx, outputs):
    """Make ``ctx`` the grad_fn of each differentiable output (None: not differentiable), each with its edge.

    NOTE: saved outputs are held as they are, a cycle (node -> output -> node) broken when backward frees
    them; the single-output path (``_link``) avoids it, the cycle collector frees it otherwise.
    """
    saved = ctx._saved
    if saved:
        ctx._versions = tuple([0 if t is None else t._version_counter[0] for t in saved])
    if anomaly_mode.state.enabled:
        ctx._trace = "".join(traceback.format_stack()[:-4])
    count = len(outputs)
    for nr, out in enumerate(outputs):
        if out is None:
            continue
        if type(out) is Tensor:
            out.__class__ = _Output  # the same object (forward may have saved it): only its gradient node differs
        out._grad_fn = ctx
        out._accumulator = _OutputEdge(ctx, nr, count)
        out._requires_grad = True
    ctx._output = weakref.ref(next(o for o in outputs if o is not None))


class _Output(Tensor):
    """An output of a Function with several: its gradient arrives at its own ``_OutputEdge``, kept in the
    ``_accumulator`` slot a non-leaf has no other use for (PyTorch keeps ``(grad_fn, output_nr)`` on each
    tensor). ``grad_fn`` is the node all the outputs share, as in PyTorch."""

    __slots__ = ()

    def _grad_node(self):
        edge = self._accumulator
        if type(edge) is _OutputEdge:
            if self.grad_fn is edge.node:
                return edge
            self._accumulator = None  # its history was replaced (in place, detach_): the edge is not its own
        return Tensor._grad_node(self)

    @property
    def _retains_grad(self):
        if self.grad_fn is None:
            return False
        retained = self._grad_node()._retained
        return retained is not None and retained.variable is self

    def _snapshot(self, *others):
        """The copy an in-place op records (see ``TensorAPI._snapshot``) sends its gradient to the same edge."""
        t = Tensor._snapshot(self, *others)
        if type(t) is Tensor:
            t.__class__ = _Output
        return t

    def retain_grad(self):
        if self.grad_fn is None or not self._requires_grad:
            return Tensor.retain_grad(self)
        if not self._retains_grad:
            self._grad_node()._retained = AccumulateGrad(self)
