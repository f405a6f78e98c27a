"""The backward engine: one iterative walk of the graph, exposed as a sequence of steps.

``BackwardPass`` plans a walk (which nodes run, how many consumers each waits for), then yields one
``BackwardStep`` per node it runs.  ``backward()`` and ``grad()`` drain it; the display layer and the
widgets replay the very same steps, so there is no separate teaching copy of the engine.

Order: a node runs once every consumer has sent its gradient (dependency counting, as in HIPS autograd
and PyTorch); among ready nodes the one created last runs first (PyTorch's sequence numbers), so the
order is deterministic and matches PyTorch's.

A pass changes nothing until it has finished: leaf gradients wait in ``pending`` and are written by
``commit()``, and saved tensors are freed only then.  An error part-way leaves ``.grad`` and the graph
as they were.
"""
import heapq
import sys
import warnings

import numpy as np

from . import anomaly_mode, grad_mode
from .function import AccumulateGrad

Tensor = None  # set by nbgrad.tensor


class BackwardStep:
    """What one node did: the gradient that arrived at it and what it sent to each input.

    ``grad_inputs`` lines up with ``node.next_functions`` (``None`` where nothing flows). For an
    ``AccumulateGrad`` node ``grad_inputs`` is empty and ``grad_output`` is what the leaf receives.
    """

    __slots__ = ("index", "node", "grad_output", "grad_inputs")

    def __init__(self, index, node, grad_output, grad_inputs):
        self.index = index
        self.node = node
        self.grad_output = grad_output
        self.grad_inputs = grad_inputs

    def __repr__(self):
        return f"BackwardStep(index={self.index}, node={self.node!r})"


def _children(node):
    return [n for n, _ in node.next_functions if n is not None]


def _postorder(roots):
    """Every node reachable from ``roots``, each after all the nodes it sends gradients to."""
    order, seen = [], set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(_children(root)))]
        while stack:
            node, it = stack[-1]
            for child in it:
                if child not in seen:
                    seen.add(child)
                    stack.append((child, iter(_children(child))))
                    break
            else:
                stack.pop()
                order.append(node)
    return order


class BackwardPass:
    """One backward pass from ``roots`` (pairs of node and gradient), iterated step by step.

    ``targets``: nodes whose arriving gradient is wanted (``autograd.grad`` and ``inputs=``). With
    targets, only nodes on a path to one of them run, and leaves accumulate nothing (retained non-leaf
    gradients are still kept).
    After iteration: ``captured`` (target node -> gradient), ``pending`` (tensor -> gradient to add to
    its ``.grad``), ``executed`` (nodes that ran, in order).
    """

    def __init__(self, roots, *, create_graph=False, targets=None):
        self.roots = roots
        self.create_graph = create_graph
        self.targets = targets
        self.captured = {}
        self.pending = {}
        self.executed = []
        self.finished = False

    def _plan(self):
        root_nodes = list(dict.fromkeys(node for node, _ in self.roots))
        deps = {}
        if self.targets is None:
            useful = None
            stack, seen = list(root_nodes), set(root_nodes)
            while stack:
                for child, _ in stack.pop().next_functions:
                    if child is None:
                        continue
                    deps[child] = deps.get(child, 0) + 1
                    if child not in seen:
                        seen.add(child)
                        stack.append(child)
            runs = None
        else:
            useful, runs = set(), set()
            for node in _postorder(root_nodes):
                if any(c in useful for c in _children(node)):
                    runs.add(node)
                    useful.add(node)
                elif node in self.targets:
                    useful.add(node)
            for node in runs:
                for child in _children(node):
                    if child in useful:
                        deps[child] = deps.get(child, 0) + 1
        return root_nodes, deps, useful, runs

    def __iter__(self):
        if self.finished:
            raise RuntimeError("a BackwardPass can be iterated only once")
        root_nodes, deps, useful, runs = self._plan()
        buffers = {}
        for node, grad in self.roots:
            buffers[node] = buffers[node] + grad if node in buffers else grad
        ready, tie = [], 0
        for node in root_nodes:
            if deps.get(node, 0) == 0:
                heapq.heappush(ready, (-node._seq, tie, node))
                tie += 1
        targets, create_graph = self.targets, self.create_graph
        pending, executed = self.pending, self.executed
        index = 0
        while ready:
            node = heapq.heappop(ready)[2]
            grad = buffers.pop(node, None)
            runs_here = runs is None or node in runs
            grads = ()
            if grad is not None:
                if node._pre_hooks:
                    grad = _run_hooks(node._pre_hooks, grad)
                if node._retained is not None:  # kept whenever a gradient passes, grad() included, as in PyTorch
                    pending[node._retained] = grad
                if targets is not None and node in targets:
                    self.captured[node] = grad
                if runs_here:
                    if type(node) is AccumulateGrad:
                        pending[node.variable] = grad
                    else:
                        grads = _call(node, grad, create_graph)
                    executed.append(node)
                    yield BackwardStep(index, node, grad, grads)
                    index += 1
            if not runs_here:
                continue
            for i, (child, _) in enumerate(node.next_functions):
                if child is None or (useful is not None and child not in useful):
                    continue
                g = grads[i] if grads else None
                if g is not None:
                    old = buffers.get(child)
                    if old is None:
                        buffers[child] = g
                    elif create_graph:
                        buffers[child] = old + g
                    else:
                        buffers[child] = Tensor._make(old._data + g._data)
                deps[child] -= 1
                if deps[child] == 0:
                    heapq.heappush(ready, (-child._seq, tie, child))
                    tie += 1
        self.finished = True

    def run(self):
        """Run every step; return self."""
        for _ in self:
            pass
        return self

    def commit(self, retain_graph=False):
        """Write pending gradients into ``.grad`` and, unless ``retain_graph``, free saved tensors."""
        pending = self.pending
        for tensor in list(pending):  # not items(): its (key, value) tuples would add references to grad
            grad = pending[tensor]
            if tensor._grad is None and not self.create_graph and _unshared(grad):
                tensor._grad = grad  # as PyTorch does, take a gradient nothing else can see instead of copying it
            else:
                tensor._accumulate_grad(grad, self.create_graph)
        if not retain_graph:
            for node in self.executed:
                if type(node) is not AccumulateGrad:
                    node._release()


def _unshared(grad):
    """True when only the engine refers to ``grad`` and its memory, so it can become a ``.grad`` as it is.

    A gradient the user passed in, one a hook returned, one sent to two leaves, or a view of other memory
    is referred to from elsewhere and gets copied instead. The counts are the references commit() itself
    holds (the pending dict, its local variable, this argument) plus getrefcount's own argument.
    """
    # (no local for the array or its flags: each would be one more reference to it)
    return (
        grad.grad_fn is None and sys.getrefcount(grad) == 4 and sys.getrefcount(grad._data) == 2
        and grad._data.flags.owndata and grad._data.flags.writeable
    )


def _run_hooks(hooks, grad):
    for hook in list(hooks.values()):
        result = hook(grad)
        if result is not None:
            if not isinstance(result, Tensor):
                raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
            name = getattr(hook, "__name__", type(hook).__name__)
            if result._data.shape != grad._data.shape:
                raise RuntimeError(f"hook '{name}' has changed the size of value")
            if result._data.dtype != grad._data.dtype:
                raise RuntimeError(
                    f"hook '{name}' has changed the type of value (was nbgrad.{grad.dtype.legacy_name} "
                    f"got nbgrad.{result.dtype.legacy_name})"
                )
            grad = result
    return grad


def _call(node, grad, create_graph):
    """One node's input gradients, shaped to its inputs (the one place broadcasting is undone).

    In anomaly mode a failure also says where the node's forward ran.
    """
    try:
        prev = grad_mode.state.enabled
        grad_mode.state.enabled = create_graph
        try:
            raw = node.apply(grad)
        finally:
            grad_mode.state.enabled = prev
        if not isinstance(raw, tuple):
            raw = (raw,)
        if len(raw) != node._num_args:
            raise RuntimeError(
                f"function {node.name()} returned an incorrect number of gradients "
                f"(expected {node._num_args}, got {len(raw)})"
            )
        if len(node._positions) != len(raw) and not node._function._builtin:  # built-in ops are trusted
            for i, g in enumerate(raw):
                if g is not None and i not in node._positions:
                    raise RuntimeError(
                        f"function {node.name()} returned a gradient different than None at position {i + 1}, but "
                        "the corresponding forward input was not a Variable"
                    )
        out = []
        for k, (pos, (child, _), (shape, dtype)) in enumerate(zip(node._positions, node.next_functions, node._input_meta)):
            g = raw[pos]
            if g is None or child is None:
                out.append(None)
                continue
            if not isinstance(g, Tensor):
                g = Tensor._make(np.asarray(g))
            if g._data.shape != shape:
                g = _sum_to(g, shape, node, k)
            if g._data.dtype != dtype:
                g = g.to(Tensor._dtype_of(dtype))
            out.append(g)
        if anomaly_mode.state.enabled and anomaly_mode.state.check_nan:
            for k, g in enumerate(out):
                if g is not None and np.isnan(g._data).any():
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its {k}th output.")
        return tuple(out)
    except Exception:
        if node._trace is not None:
            warnings.warn(
                f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                f"{node._trace}",
                stacklevel=3,
            )
        raise


def _sum_to(g, shape, node, k):
    """Sum a broadcast gradient back to its input's shape, with differentiable ops (for create_graph)."""
    lead = g._data.ndim - len(shape)
    tail = g._data.shape[lead:] if lead >= 0 else ()
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, tail)):
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {k} - got "
            f"{list(g._data.shape)} but expected shape compatible with {list(shape)}"
        )
    kept = tuple(lead + i for i, s in enumerate(shape) if s == 1 and tail[i] != 1)
    if not kept:  # only leading dims to remove (a bias): one sum does it
        return g.sum(dim=tuple(range(lead)))
    g = g.sum(dim=tuple(range(lead)) + kept, keepdim=True)
    return g.reshape(shape) if lead else g
