"""The backward engine: one iterative walk of the graph, exposed as a sequence of steps.

``BackwardPass`` plans a walk (which nodes run, how many consumers each waits for), then yields one
``BackwardStep`` per node it runs.  ``backward()`` and ``grad()`` drain it; the display layer and the
widgets replay the very same steps, so there is no separate teaching copy of the engine.

Order: a node runs once every consumer has sent its gradient (dependency counting, as in HIPS autograd
and PyTorch); among ready nodes the one created last runs first (PyTorch's sequence numbers), so the
order is deterministic and matches PyTorch's.

Gradients travel as NumPy arrays, and built-in rules run on them, unless ``create_graph`` asks for the
rules themselves to be recorded; then they travel as Tensors. Each rule is written once and runs on
either (see ``nbgrad.ops._base``); a user's ``Function`` always gets Tensors.

A pass changes nothing until it has finished: leaf gradients wait in ``pending`` and are written by
``commit()``, and saved tensors are freed only then.  An error part-way leaves ``.grad`` and the graph
as they were.
"""
import heapq
import itertools
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

    __slots__ = ("index", "node", "_grad_output", "_grad_inputs")

    def __init__(self, index, node, grad_output, grad_inputs):
        self.index = index
        self.node = node
        self._grad_output = grad_output
        self._grad_inputs = grad_inputs

    # The engine hands over whatever it carried (arrays, in a plain pass); a reader gets Tensors.
    @property
    def grad_output(self):
        g = self._grad_output
        if not isinstance(g, Tensor):
            g = self._grad_output = Tensor._make(g)
        return g

    @property
    def grad_inputs(self):
        grads = self._grad_inputs
        if type(grads) is not tuple:
            grads = self._grad_inputs = tuple([g if g is None else _as_tensor(g) for g in grads])
        return grads

    def __repr__(self):
        return f"BackwardStep(index={self.index}, node={self.node!r})"


def _as_tensor(g):
    return g if isinstance(g, Tensor) else Tensor._make(g)


def _children(node):
    return [n for _, n, _, _ in node._inputs if n is not None]


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
    its ``.grad``), both as the pass carries them (NumPy arrays, Tensors under ``create_graph``), and
    ``executed`` (nodes that ran, in order).
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
            useful = runs = None
            stack = list(root_nodes)
            while stack:
                for _, child, _, _ in stack.pop()._inputs:
                    if child is None:
                        continue
                    if child in deps:
                        deps[child] += 1
                    else:
                        deps[child] = 1
                        stack.append(child)
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
        targets, create_graph = self.targets, self.create_graph
        buffers = {}
        for node, grad in self.roots:
            if not create_graph:
                grad = grad._data
            buffers[node] = buffers[node] + grad if node in buffers else grad
        ready, tie = [], 0
        for node in root_nodes:
            if deps.get(node, 0) == 0:
                heapq.heappush(ready, (-node._seq, tie, node))
                tie += 1
        pending, executed, captured = self.pending, self.executed, self.captured
        push, pop = heapq.heappush, heapq.heappop
        index = 0
        while ready:
            node = pop(ready)[2]
            grad = buffers.pop(node, None)
            if grad is not None:
                if node._pre_hooks:
                    grad = _run_hooks(node._pre_hooks, grad)
                if node._retained is not None:  # kept whenever a gradient passes, grad() included, as in PyTorch
                    pending[node._retained] = grad
                if targets is not None and node in targets:
                    captured[node] = grad
            if runs is not None and node not in runs:  # on no path to a target: nothing to run or pass on
                continue
            if grad is None:  # nothing arrived (every consumer sent None): the inputs get nothing either
                grads = _NOTHING
            else:
                if type(node) is AccumulateGrad:
                    pending[node.variable] = grad
                    grads = ()
                else:
                    grads = _call(node, grad, create_graph)
                executed.append(node)
                yield BackwardStep(index, node, grad, grads)
                index += 1
            for (_, child, _, _), g in zip(node._inputs, grads):
                if child is None or (useful is not None and child not in useful):
                    continue
                if g is not None:
                    old = buffers.get(child)
                    buffers[child] = g if old is None else old + g  # never in place: g may be another's too
                n = deps[child] - 1
                deps[child] = n
                if not n:
                    push(ready, (-child._seq, tie, child))
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
            if not isinstance(grad, Tensor):
                if tensor._grad is None and _unshared(grad):
                    # as PyTorch does, take a gradient nothing else can see instead of copying it
                    tensor._grad = Tensor._make(grad)
                    continue
                grad = Tensor._make(grad)
            tensor._accumulate_grad(grad, self.create_graph)
        if not retain_graph:
            for node in self.executed:
                if type(node) is not AccumulateGrad:
                    node._saved = None
                    if node._saved_outputs is not None:  # a saved output is kept as its array (see _link)
                        node._output_data = None


def _unshared(grad):
    """True when only the engine refers to the array ``grad``, so it can become a ``.grad`` as it is.

    A gradient the user passed in, one a hook returned, one sent to two leaves, or a view of other memory
    is referred to from elsewhere and gets copied instead. The count is the references commit() itself
    holds (the pending dict, its local variable, this argument) plus getrefcount's own argument.
    """
    return type(grad) is np.ndarray and sys.getrefcount(grad) == 4 and grad.base is None and grad.flags.writeable


def _run_hooks(hooks, grad):
    carried = grad
    grad = _as_tensor(grad)
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
    return grad if isinstance(carried, Tensor) else grad._data


_NOTHING = itertools.repeat(None)


def _call(node, grad, create_graph):
    """One node's input gradients, lined up with its ``_inputs`` and shaped and typed like them.

    In anomaly mode a failure also says where the node's forward ran.
    """
    function = node._function
    try:
        if create_graph or not function._builtin:
            prev = grad_mode.state.enabled
            grad_mode.state.enabled = create_graph
            try:
                raw = function.backward(node, _as_tensor(grad))
            finally:
                grad_mode.state.enabled = prev
            if not function._builtin:  # built-in ops are trusted
                _check_count(node, raw if type(raw) is tuple else (raw,))
        else:
            raw = function.backward(node, grad)  # on arrays: nothing is recorded, no Tensor is made
        if type(raw) is not tuple:
            raw = (raw,)
        out = []
        for pos, child, shape, dtype in node._inputs:
            g = raw[pos]
            if g is None or child is None:
                out.append(None)
                continue
            if create_graph or type(g) is not np.ndarray:
                g = _carried(g, create_graph)
            data = g._data if create_graph else g
            if data.dtype != dtype:
                g = g.to(Tensor._dtype_of(dtype)) if create_graph else g.astype(dtype)
            if data.shape != shape:
                g = _sum_to(g, shape, node, len(out))
            out.append(g)
        if anomaly_mode.state.enabled and anomaly_mode.state.check_nan:
            for k, g in enumerate(out):
                if g is not None and np.isnan(g._data if create_graph else g).any():
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its {k}th output.")
        return out
    except Exception:
        if node._trace is not None:
            warnings.warn(
                f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                f"{node._trace}",
                stacklevel=3,
            )
        raise


def _carried(g, create_graph):
    """A rule's gradient as the pass carries it: a Tensor under create_graph, else an array. It may come as
    a Tensor from a user's Function, or as a NumPy scalar from a rule run on 0-d arrays."""
    if create_graph:
        return _as_tensor(g)
    return g._data if isinstance(g, Tensor) else np.asarray(g)


def _check_count(node, raw):
    """A user's Function must return one gradient per forward argument, None for non-tensors."""
    if len(raw) != node._num_args:
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients "
            f"(expected {node._num_args}, got {len(raw)})"
        )
    positions = node._positions
    if len(positions) != len(raw):
        for i, g in enumerate(raw):
            if g is not None and i not in positions:
                raise RuntimeError(
                    f"function {node.name()} returned a gradient different than None at position {i + 1}, but "
                    "the corresponding forward input was not a Variable"
                )


def _sum_to(g, shape, node, k):
    """Sum a broadcast gradient back to its input's shape (with Tensor ops when create_graph records it)."""
    gshape = tuple(g.shape)
    lead = len(gshape) - len(shape)
    tail = gshape[lead:] if lead >= 0 else ()
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, tail)):
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {k} - got "
            f"{list(gshape)} but expected shape compatible with {list(shape)}"
        )
    kept = tuple(lead + i for i, s in enumerate(shape) if s == 1 and tail[i] != 1)
    dims = tuple(range(lead)) + kept
    if isinstance(g, Tensor):
        g = g.sum(dim=dims, keepdim=bool(kept))
    else:
        g = np.add.reduce(g, axis=dims, keepdims=bool(kept))
    # only leading dims removed (a bias): the sum already has the shape; otherwise drop the leading ones
    return g.reshape(shape) if kept and lead else g
