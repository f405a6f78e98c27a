"""nbgrad.display.layout: where boxes go, as pure geometry on ids, edges and sizes (no matplotlib, no networkx)."""
import os
import subprocess
import sys

import pytest

from nbgrad.display.layout import Layout, Size, layers, ports, spaced

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BOX = Size(width=40.0, height=30.0, body=40.0)
PILL = Size(width=24.0, height=18.0, body=24.0)


def neuron():
    """w, x -> [dot] -> wx; wx, b -> [+] -> out: the op nodes are "dot" and "add"."""
    nodes = ["out", "add", "wx", "b", "dot", "w", "x"]
    edges = [("add", "out", ()), ("wx", "add", (0,)), ("b", "add", (1,)), ("dot", "wx", ()),
             ("w", "dot", (0,)), ("x", "dot", (1,))]
    sizes = {n: PILL if n in ("add", "dot") else BOX for n in nodes}
    return nodes, edges, sizes


def test_layers_are_the_longest_distance_to_the_output():
    nodes, edges, _ = neuron()
    assert layers(nodes, edges) == {"out": 0, "add": 1, "wx": 2, "b": 2, "dot": 3, "w": 4, "x": 4}
    # a value used by two ops, one far from the output, sits left of both
    assert layers(["o", "p", "q", "v"], [("p", "o", ()), ("q", "p", ()), ("v", "q", ()), ("v", "o", ())])["v"] == 3


def test_ports_spread_in_argument_order_and_stay_on_the_pill():
    edges = [("a", "op", (1,)), ("b", "op", (0, 2))]
    assert ports(edges, "op", 12.0) == {0: -6.0, 1: 0.0, 2: 6.0}
    assert ports(edges, "a", 12.0) == {}
    many = ports([("a", "op", tuple(range(5)))], "op", 12.0)
    assert max(many.values()) - min(many.values()) == pytest.approx(12.0)


def test_inputs_left_output_right_without_overlaps_or_crossings():
    nodes, edges, sizes = neuron()
    layout = Layout(nodes, edges, sizes, margin=10.0)
    for u, v, _ in edges:
        assert layout.x[u] < layout.x[v], (u, v)  # every edge points right
    assert layout.x["out"] == max(layout.x.values())
    assert min(layout.x[n] - sizes[n].width / 2 for n in nodes) == pytest.approx(10.0)  # the margin
    for column in layout.order:
        for a, b in zip(column, column[1:]):  # stacked top to bottom, never overlapping
            assert layout.y[b] - layout.y[a] >= (sizes[a].height + sizes[b].height) / 2
    assert layout.crossings == 0
    assert layout.y["w"] < layout.y["x"] and layout.y["wx"] < layout.y["b"]  # argument order, top to bottom


def test_a_long_edge_bends_through_each_column_it_crosses():
    nodes, edges, sizes = neuron()
    edges.append(("w", "add", (2,)))  # from the far left straight to the last op: it crosses two columns
    layout = Layout(nodes, edges, sizes)
    dummies = [d for d in layout.chains[("w", "add")] if d not in sizes]
    assert sorted(layout.layer_of[d] for d in dummies) == [2, 3]  # one in each column between add (1) and w (4)
    assert all(any(d in column for column in layout.order) for d in dummies)
    (route,) = [points for u, v, _, points in layout.routes() if (u, v) == ("w", "add")]
    assert len(route) == 4 + 2 * len(dummies)  # leaves w's column, crosses each dummy's, arrives at a port
    assert route[0] == (layout.x["w"] + BOX.body / 2, layout.y["w"])
    assert route[-1] == (layout.x["add"] - PILL.body / 2, layout.y["add"] + layout.ports["add"][2])
    assert [p[0] for p in route] == sorted(p[0] for p in route)  # always rightwards


def test_each_input_of_an_edge_gets_its_own_route():
    layout = Layout(["op", "y"], [("y", "op", (0, 1))], {"op": PILL, "y": BOX})
    assert [k for _, _, k, _ in layout.routes()] == [0, 1]


def test_the_same_graph_is_laid_out_the_same():
    nodes, edges, sizes = neuron()
    first, second = Layout(nodes, edges, sizes), Layout(list(nodes), list(edges), dict(sizes))
    assert (first.x, first.y, first.order) == (second.x, second.y, second.order)


def test_spaced_is_the_least_squares_fit_with_gaps():
    assert spaced([0.0, 0.0, 10.0], [4.0, 4.0]) == pytest.approx([-2.0, 2.0, 10.0])
    assert spaced([5.0, 1.0], [2.0]) == pytest.approx([2.0, 4.0])  # order kept, pulled to the mean
    assert spaced([0.0, 20.0], [4.0]) == pytest.approx([0.0, 20.0])  # far apart: untouched


_WITHOUT_PLOTTING = """
import sys
sys.path.insert(0, {root!r})
sys.modules["matplotlib"] = sys.modules["networkx"] = None  # importing either now fails
from nbgrad.display.layout import Layout, Size
box = Size(10.0, 10.0, 10.0)
layout = Layout(["b", "a"], [("a", "b", (0,))], {{"a": box, "b": box}})
print(layout.x["a"] < layout.x["b"], layout.crossings)
"""


def test_layout_runs_without_matplotlib_or_networkx():
    out = subprocess.run([sys.executable, "-c", _WITHOUT_PLOTTING.format(root=ROOT)], capture_output=True,
                         text=True, check=True).stdout
    assert out.split() == ["True", "0"]
