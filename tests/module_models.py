"""Models for the tests of graphs grouped by module (``group="module"``), and an independent ground truth.

``ground_truth`` finds which module made each node by recording every module call with forward hooks while
the loss is computed, then walking the backward graph from each call's output back to its inputs: a way
that shares nothing with ``nbgrad.display.modules``, which reads the parameters after the fact.
"""
import os
import sys

import nbgrad
import nbgrad.nn as nn
import nbgrad.nn.functional as F
from nbgrad.autograd.function import AccumulateGrad

_BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")
sys.path.insert(0, _BENCHMARKS)
try:
    from bench_draw import LeNet, deep_mlp, loss_of  # noqa: F401  (the models the benchmark draws)
finally:
    sys.path.remove(_BENCHMARKS)


class MLP(nn.Module):
    """A 3-layer MLP; ``bias=False`` for the second layer, so a Linear without bias is covered too."""

    def __init__(self, sizes=(4, 8, 6, 3)):
        super().__init__()
        self.fc1 = nn.Linear(sizes[0], sizes[1])
        self.fc2 = nn.Linear(sizes[1], sizes[2], bias=False)
        self.fc3 = nn.Linear(sizes[2], sizes[3])

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class Nested(nn.Module):
    """Two levels: ``features`` (a Sequential with a ReLU between its Linear layers) and ``head``."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 4))
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(F.relu(self.features(x)))


def ground_truth(model, compute):
    """Run ``compute()`` (which returns a loss) recording the module calls of ``model``: (loss, its graph, the truth).

    The truth: graph node id (of ``to_networkx(loss)``) -> the qualified name of the deepest module whose call
    computed it ('' for none): a parameter goes with the module that used it, a value with the op that made it.
    """
    from nbgrad.display.graph import to_networkx

    calls = []
    handles = [m.register_forward_hook(lambda m, args, out, name=name: calls.append((name, args, out)))
               for name, m in model.named_modules() if name]
    try:
        loss = compute()
    finally:
        for h in handles:
            h.remove()
    graph = to_networkx(loss)
    ids = {a["node"]: n for n, a in graph.nodes(data=True) if a["kind"] in ("operation", "leaf")}
    truth = {n: "" for n in graph}
    for name, args, out in sorted(calls, key=lambda c: c[0].count(".")):  # deeper modules last: they win
        stop = {t.grad_fn for t in args if isinstance(t, nbgrad.Tensor)} - {None}
        stack, seen = [out.grad_fn], set()
        while stack:
            node = stack.pop()
            if node is None or node in stop or node in seen:
                continue
            seen.add(node)
            truth[ids[node]] = name
            if type(node) is not AccumulateGrad:
                stack.extend(child for child, _ in node.next_functions)
    for n, a in graph.nodes(data=True):  # a value goes with the op that made it
        if a["kind"] in ("intermediate", "output"):
            (producer,) = graph.predecessors(n)
            truth[n] = truth[producer]
    return loss, graph, truth


class Quickstart(nn.Module):
    """The quickstart tutorial's network (tests/tutorials/programs/quickstart.py), smaller: modules only."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(),
                                               nn.Linear(8, 3))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))
