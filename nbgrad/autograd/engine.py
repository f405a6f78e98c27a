"""The backward engine: one iterative walk of the graph, exposed as a sequence of steps.

``BackwardPass`` plans a walk (which nodes run, how many consumers each waits for), then yields one
``BackwardStep`` per node it runs.  ``backward()`` and ``grad()`` drain it; the display layer and the
widgets replay the very same steps, so there is no separate teaching copy of the engine.

Order: a node runs once every consumer has sent its gradient (dependency counting, as in HIPS autograd
and PyTorch); among ready nodes the one created last runs first (PyTorch's sequence numbers), so the
order is deterministic and matches PyTorch's.

The engine knows nodes, not tensors. A node offers:

- ``_next``: the node each of its inputs sends a gradient on to, ``None`` where none is wanted;
- ``_seq``: its sequence number;
- ``_run(grad, create_graph)``: one gradient per entry of ``_next`` (``None`` where nothing flows);
- ``_pre_hooks`` (``None`` or hooks, run by ``_run_pre_hooks(grad)`` on the gradient that arrives);
- ``_retained``: ``None``, or a sink that keeps the arriving gradient (``retain_grad``);
- ``_sink``: true for a node that keeps the gradient instead of running (``AccumulateGrad``).

A sink offers ``accumulate(grad, create_graph)``. What the gradients are is the nodes' business: NumPy
arrays in a plain pass, Tensors under ``create_graph`` (see ``nbgrad.autograd.function``), floats in the
engine's own tests.

A pass changes nothing until it has finished: sinks' gradients wait in ``pending`` and are handed over
by ``commit()``, and saved tensors are freed only then.  An error part-way leaves ``.grad`` and the graph
as they were.
"""
import heapq
import itertools


def _same(g):
    return g


class BackwardStep:
    """What one node did: the gradient that arrived at it and what it sent to each input.

    ``grad_inputs`` lines up with the node's inputs (``None`` where nothing flows); a sink's is empty.
    ``sums`` (when the pass records them) lines up too: for each input, ``None`` if it gets no gradient,
    else ``(sum so far, consumers that have sent theirs, consumers it has)``.  Gradients are shown through
    the pass's ``present`` function (Tensors, from ``nbgrad.autograd.backward_pass``).
    """

    __slots__ = ("index", "node", "_grad_output", "_grad_inputs", "_sums", "_present")

    def __init__(self, index, node, grad_output, grad_inputs, sums, present):
        self.index = index
        self.node = node
        self._grad_output = grad_output
        self._grad_inputs = grad_inputs
        self._sums = sums
        self._present = present

    @property
    def grad_output(self):
        return self._present(self._grad_output)

    @property
    def grad_inputs(self):
        return tuple([g if g is None else self._present(g) for g in self._grad_inputs])

    @property
    def sums(self):
        if self._sums is None:
            return None
        return tuple([s if s is None else (s[0] if s[0] is None else self._present(s[0]), s[1], s[2])
                      for s in self._sums])

    def __repr__(self):
        return f"BackwardStep(index={self.index}, node={self.node!r})"


def _children(node):
    return [n for n in node._next if n is not None]


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
    targets, only nodes on a path to one of them run, and sinks accumulate nothing (retained non-leaf
    gradients are still kept).  ``record_sums``: steps carry each input's partial sum (for the trace).
    After iteration: ``captured`` (target node -> gradient), ``pending`` (sink -> gradient to hand it),
    both as the pass carries them, and ``executed`` (nodes that ran, in order).
    """

    def __init__(self, roots, *, create_graph=False, targets=None, record_sums=False, present=_same):
        self.roots = roots
        self.create_graph = create_graph
        self.targets = targets
        self.record_sums = record_sums
        self.present = present
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
                for child in stack.pop()._next:
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
        return self._walk(steps=True)

    def run(self):
        """Run every step; return self."""
        for _ in self._walk(steps=False):  # the same walk, without making a record of each step
            pass
        return self

    def _walk(self, steps):
        if self.finished:
            raise RuntimeError("a BackwardPass can be iterated only once")
        root_nodes, deps, useful, runs = self._plan()
        targets, create_graph, record, present = self.targets, self.create_graph, self.record_sums, self.present
        expected = dict(deps) if record else None
        buffers = {}
        for node, grad in self.roots:
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
                # A wanted node that also runs (another target lies beyond it) is captured before its tensor
                # hooks, which run with the node; one that does not run, after them (PyTorch's engine).
                if targets is not None and node in targets:
                    captured[node] = grad
                if node._pre_hooks:
                    grad = node._run_pre_hooks(grad)
                    if targets is not None and node in targets and node not in runs:
                        captured[node] = grad
                if node._retained is not None:  # kept whenever a gradient passes, grad() included, as in PyTorch
                    pending[node._retained] = grad
            if runs is not None and node not in runs:  # on no path to a target: nothing to run or pass on
                continue
            if grad is None:  # nothing arrived (every consumer sent None): the inputs get nothing either
                grads = _NOTHING
            elif node._sink:
                pending[node] = grad
                grads = ()
            else:
                grads = node._run(grad, create_graph)
            sums = [] if record and grad is not None else None
            for child, g in zip(node._next, grads):
                if child is None or (useful is not None and child not in useful):
                    if sums is not None:
                        sums.append(None)
                    continue
                if g is not None:
                    old = buffers.get(child)
                    buffers[child] = g if old is None else old + g  # never in place: g may be another's too
                n = deps[child] - 1
                deps[child] = n
                if sums is not None:
                    sums.append((buffers.get(child), expected[child] - n, expected[child]))
                if not n:
                    push(ready, (-child._seq, tie, child))
                    tie += 1
            if grad is not None:
                executed.append(node)
                if steps:
                    yield BackwardStep(index, node, grad, grads, sums, present)
                index += 1
        self.finished = True

    def commit(self, retain_graph=False):
        """Hand each sink its gradient (into ``.grad``) and, unless ``retain_graph``, free saved tensors."""
        pending, create_graph = self.pending, self.create_graph
        for sink in list(pending):
            # popped, so the sink can tell whether anything else still refers to the gradient
            sink.accumulate(pending.pop(sink), create_graph)
        if not retain_graph:
            for node in self.executed:
                node._release()


_NOTHING = itertools.repeat(None)
