"""The engine walks any node that offers its small protocol (see nbgrad.autograd.engine): toy nodes on
plain floats, with no Tensor anywhere, as minitorch tests its engine."""
import itertools

import pytest

from nbgrad.autograd.engine import BackwardPass

_seq = itertools.count()


class Leaf:
    """A sink: keeps what arrives, as AccumulateGrad keeps a leaf's gradient."""

    _next, _seq, _pre_hooks, _retained, _sink = (), float("inf"), None, None, True

    def __init__(self, name):
        self.name, self.grad = name, 0.0

    def accumulate(self, grad, create_graph):
        self.grad += grad

    def _release(self):
        pass


class Op:
    """A node with a local derivative per input: it sends ``grad * d`` to each."""

    _pre_hooks, _retained, _sink = None, None, False

    def __init__(self, name, *inputs_and_derivatives):
        self.name = name
        self._next = tuple(n for n, _ in inputs_and_derivatives)
        self.derivatives = tuple(d for _, d in inputs_and_derivatives)
        self._seq = next(_seq)
        self.released = False

    def _run(self, grad, create_graph):
        return [grad * d for d in self.derivatives]

    def _run_pre_hooks(self, grad):
        for hook in self._pre_hooks.values():
            grad = hook(grad)
        return grad

    def _release(self):
        self.released = True


def graph():
    """x, w leaves; y = x*w (x=2, w=3); z = y + x; out = z * z (z = 8)."""
    x, w = Leaf("x"), Leaf("w")
    y = Op("mul", (x, 3.0), (w, 2.0))
    z = Op("add", (y, 1.0), (x, 1.0))
    out = Op("square", (z, 16.0))
    return x, w, y, z, out


def test_a_pass_waits_for_every_consumer_and_runs_the_newest_node_first():
    x, w, y, z, out = graph()
    steps = list(BackwardPass([(out, 1.0)]))
    assert [s.node.name for s in steps] == ["square", "add", "mul", "x", "w"]  # ready leaves: in the order reached
    assert [s.grad_output for s in steps] == [1.0, 16.0, 16.0, 64.0, 32.0]  # x: 16·3 via y plus 16 via z
    assert x.grad == 0.0 and w.grad == 0.0  # nothing handed over before commit


def test_commit_hands_sinks_their_gradients_and_releases_what_ran():
    x, w, y, z, out = graph()
    walk = BackwardPass([(out, 1.0)]).run()
    assert not y.released
    walk.commit()
    assert (x.grad, w.grad) == (64.0, 32.0)
    assert y.released and z.released and out.released


def test_retain_graph_keeps_what_ran():
    x, w, y, z, out = graph()
    BackwardPass([(out, 1.0)]).run().commit(retain_graph=True)
    assert not y.released


def test_steps_record_partial_sums_when_asked():
    x, w, y, z, out = graph()
    steps = list(BackwardPass([(out, 1.0)], record_sums=True))
    add = steps[1]
    # add sends 16 to y (its only consumer) and 16 to x (one of x's two consumers)
    assert add.sums == ((16.0, 1, 1), (16.0, 1, 2))
    mul = steps[2]
    assert mul.sums == ((64.0, 2, 2), (32.0, 1, 1))
    assert steps[-1].sums == ()  # a sink sends nothing
    assert BackwardPass([(out, 1.0)]).run().executed and steps[0]._sums is not None
    assert list(BackwardPass([(out, 1.0)]))[1].sums is None  # not recorded unless asked


def test_targets_run_only_what_leads_to_them_and_accumulate_nothing():
    x, w, y, z, out = graph()
    walk = BackwardPass([(out, 1.0)], targets={w: None}).run()
    assert walk.captured == {w: 32.0}
    assert [n.name for n in walk.executed] == ["square", "add", "mul"]
    assert walk.pending == {}


def test_hooks_change_the_arriving_gradient_and_retained_sinks_keep_it():
    x, w, y, z, out = graph()
    z._pre_hooks = {0: lambda g: g * 10}
    kept = Leaf("z kept")
    z._retained = kept
    walk = BackwardPass([(out, 1.0)]).run()
    walk.commit()
    assert kept.grad == 160.0
    assert w.grad == 320.0


def test_a_pass_is_iterated_once():
    *_, out = graph()
    walk = BackwardPass([(out, 1.0)]).run()
    with pytest.raises(RuntimeError, match="only once"):
        walk.run()


def test_steps_present_gradients_through_the_pass():
    *_, out = graph()
    steps = list(BackwardPass([(out, 1.0)], present=lambda g: f"<{g}>"))
    assert steps[0].grad_output == "<1.0>" and steps[0].grad_inputs == ("<16.0>",)


def test_a_long_chain_is_walked_without_recursion():
    node = Leaf("x")
    leaf = node
    for _ in range(20000):
        node = Op("id", (node, 1.0))
    BackwardPass([(node, 1.0)]).run().commit()
    assert leaf.grad == 1.0


def test_the_engine_imports_nothing_of_nbgrad_nor_numpy():
    import ast
    from pathlib import Path

    import nbgrad.autograd.engine as engine

    tree = ast.parse(Path(engine.__file__).read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert names <= {"heapq", "itertools"}
    assert not any(isinstance(node, ast.ImportFrom) for node in ast.walk(tree))
    assert not any(isinstance(node, ast.Name) and node.id == "Tensor" for node in ast.walk(tree))
