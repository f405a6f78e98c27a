"""nbgrad.display.graph: the graph behind a tensor (to_networkx), its labels, and its drawing."""
import os
import subprocess
import sys
import types

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import nbgrad  # noqa: E402
from nbgrad.autograd import Function  # noqa: E402
from nbgrad.display import drawing, graph as G  # noqa: E402
from nbgrad.display.figure import figure_png as png  # noqa: E402
from nbgrad.display.labels import Names  # noqa: E402
from nbgrad.display.trace import backward_trace  # noqa: E402
from nbgrad.i18n import message  # noqa: E402
from helpers import seed_graph as seed  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))




def structure(graph):
    """Everything but the autograd node objects, so two graphs can be compared."""
    nodes = [(n, {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in a.items() if k != "node"})
             for n, a in graph.nodes(data=True)]
    return nodes, list(graph.edges(data=True))


# ----- to_networkx -----
def test_seed_graph_nodes_edges_and_attributes():
    t = seed()
    graph = G.to_networkx(t["out"], names=t)
    assert graph.graph["root"] == "v0"
    expected = [  # id, kind, label, op, shape, value (all elements equal here, or None)
        ("v0", "output", "out", None, (), 27.0),
        ("op0", "operation", "mean", "MeanBackward0", None, None),
        ("v1", "intermediate", "z", None, (2, 2), 27.0),
        ("op1", "operation", "*", "MulBackward0", None, None),
        ("v2", "intermediate", "y*y", None, (2, 2), None),  # as in PyTorch, (y*y)*3 keeps only the factor 3
        ("op2", "operation", "*", "MulBackward0", None, None),
        ("v3", "constant", "3", None, (), 3.0),  # Mul saved its factor 3, so its value is known
        ("v4", "intermediate", "y", None, (2, 2), 3.0),
        ("op3", "operation", "+", "AddBackward0", None, None),
        ("v5", "leaf", "x", None, (2, 2), 1.0),
        ("v6", "constant", "", None, (), None),  # Add saved nothing: the 2 is not kept anywhere
    ]
    assert list(graph) == [e[0] for e in expected]
    for node_id, kind, label, op, shape, value in expected:
        attrs = graph.nodes[node_id]
        assert (attrs["kind"], attrs["label"], attrs["op"], attrs["shape"]) == (kind, label, op, shape), node_id
        if value is None:
            assert attrs["value"] is None
        else:
            np.testing.assert_array_equal(attrs["value"], np.full(shape, value, dtype=np.float32))
        assert attrs["dtype"] == (None if kind == "operation" else "float32")
        assert attrs["grad"] is None
    assert [graph.nodes[n]["name"] for n in ("v0", "v1", "v2", "v4", "v5")] == ["out", "z", None, "y", "x"]
    assert graph.nodes["op1"]["node"] is t["z"].grad_fn
    assert graph.nodes["v1"]["node"] is t["z"].grad_fn  # a value names the node its gradient arrives at
    assert graph.nodes["v5"]["node"] is t["y"].grad_fn.next_functions[0][0]  # x's AccumulateGrad
    assert graph.nodes["v6"]["node"] is None
    assert sorted(graph.edges(data=True)) == sorted([
        ("op0", "v0", {"kind": "output", "inputs": ()}),
        ("v1", "op0", {"kind": "input", "inputs": (0,)}),
        ("op1", "v1", {"kind": "output", "inputs": ()}),
        ("v2", "op1", {"kind": "input", "inputs": (0,)}),
        ("v3", "op1", {"kind": "input", "inputs": (1,)}),
        ("op2", "v2", {"kind": "output", "inputs": ()}),
        ("v4", "op2", {"kind": "input", "inputs": (0, 1)}),  # y * y: one edge filling both inputs
        ("op3", "v4", {"kind": "output", "inputs": ()}),
        ("v5", "op3", {"kind": "input", "inputs": (0,)}),
        ("v6", "op3", {"kind": "input", "inputs": (1,)}),
    ])


def test_after_backward_freed_values_are_gone_and_leaf_grads_appear():
    t = seed()
    t["out"].backward()
    graph = G.to_networkx(t["out"], names=t)
    assert graph.nodes["v2"]["value"] is None  # y*y was only kept as a saved tensor, now freed
    assert graph.nodes["v3"]["value"] is None and graph.nodes["v3"]["label"] == ""
    np.testing.assert_array_equal(graph.nodes["v1"]["value"], np.full((2, 2), 27.0, np.float32))
    np.testing.assert_array_equal(graph.nodes["v5"]["grad"], np.full((2, 2), 4.5, np.float32))
    assert [graph.nodes[n]["grad"] for n in ("v0", "v1", "v4")] == [None, None, None]  # non-leaves keep none


def test_values_of_living_outputs_come_without_names():
    t = seed()  # the tensors are alive but nobody names them
    graph = G.to_networkx(t["out"])
    np.testing.assert_array_equal(graph.nodes["v1"]["value"], t["z"].detach().numpy())
    assert [graph.nodes[n]["label"] for n in ("v0", "v1", "v4", "v5")] == ["", "", "", ""]
    assert graph.nodes["v3"]["label"] == "3"


def test_retained_grad_and_grads_mapping():
    t = seed()
    t["y"].retain_grad()
    t["out"].backward(retain_graph=True)
    graph = G.to_networkx(t["out"], names=t)
    np.testing.assert_array_equal(graph.nodes["v4"]["grad"], np.full((2, 2), 4.5, np.float32))
    z_grad = nbgrad.full((2, 2), 0.25)
    graph = G.to_networkx(t["out"], names=t, grads={t["z"]: z_grad, "v2": np.ones((2, 2))})
    np.testing.assert_array_equal(graph.nodes["v1"]["grad"], z_grad.numpy())
    np.testing.assert_array_equal(graph.nodes["v2"]["grad"], np.ones((2, 2)))
    with pytest.raises(KeyError):
        G.to_networkx(t["out"], grads={"v99": np.ones(1)})


def test_traversal_is_deterministic_and_independent_of_names():
    first, second = seed(), seed()
    assert structure(G.to_networkx(first["out"], names=first)) == structure(G.to_networkx(second["out"], names=second))
    assert list(G.to_networkx(first["out"])) == list(G.to_networkx(second["out"], names=second))


def test_a_leaf_or_a_constant_alone():
    x = nbgrad.tensor([1.0, 2.0], requires_grad=True)
    graph = G.to_networkx(x, names={"x": x})
    assert list(graph.nodes(data="kind")) == [("v0", "leaf")] and graph.number_of_edges() == 0
    assert G.to_networkx(nbgrad.tensor(3.0)).nodes["v0"]["kind"] == "constant"
    with pytest.raises(TypeError, match="expected a Tensor"):
        G.to_networkx([1, 2])


def test_in_place_change_moves_the_name_to_the_new_node():
    x = nbgrad.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    a += 1  # a is now the output of AddBackward0; MulBackward0's output was the old a
    graph = G.to_networkx(a, names={"a": a, "x": x})
    assert graph.nodes["v0"]["label"] == "a" and graph.nodes["op0"]["op"] == "AddBackward0"
    mul_output = next(n for n in graph.predecessors("op0") if graph.nodes[n]["kind"] == "intermediate")
    assert graph.nodes[mul_output]["name"] is None and graph.nodes[mul_output]["label"] == "x*2"


def test_expression_labels_follow_python_precedence():
    a = nbgrad.tensor(1.0, requires_grad=True)
    b = nbgrad.tensor(2.0, requires_grad=True)
    names = {"a": a, "b": b}
    labels = lambda t: G.to_networkx(t, names=names).nodes["v0"]["label"]  # noqa: E731
    assert labels(a * b * 3) == "a*b*3"
    assert labels(a * (b + a)) == "a*(b+a)"
    assert labels(a * (b + 1)) == ""  # Add does not keep the 1, so the expression cannot be written
    assert labels(a - (b - a)) == "a-(b-a)"
    assert labels((a + b) ** 2) == "(a+b)**2"
    assert labels((-a).tanh()) == "tanh(-a)"
    assert labels(a * -1.5) == "a*(-1.5)"


def test_custom_function_appears_under_its_name():
    class Square(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a.detach().numpy() ** 2

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            return 2 * a * grad

    x = nbgrad.tensor(3.0, requires_grad=True)
    graph = G.to_networkx(Square.apply(x), names={"x": x})
    assert graph.nodes["op0"]["op"] == "SquareBackward" and graph.nodes["op0"]["label"] == "Square"
    assert graph.nodes["v0"]["label"] == "Square(x)"


# ----- labels -----
def fake_ipython(monkeypatch, user_ns):
    shell = types.SimpleNamespace(user_ns=user_ns)
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))


def test_labels_shortest_then_alphabetical_skipping_private_names(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    t = nbgrad.tensor(1.0)
    assert Names({"zeta": t, "beta": t, "_": t, "loss_value": t})(t) == "beta"
    assert Names({"_t": t})(t) is None
    assert Names(types.SimpleNamespace(w=t))(t) == "w"
    with pytest.raises(TypeError, match="names must be a dict or a namespace"):
        Names(42)


def test_labels_precedence_given_then_tensor_name_then_notebook(monkeypatch):
    t, u, v = nbgrad.tensor(1.0), nbgrad.tensor(2.0), nbgrad.tensor(3.0)
    u.name = "mine"
    fake_ipython(monkeypatch, {"t": t, "u": u, "v": v, "_": v, "Out": {1: t}})
    names = Names({"given": t})
    assert (names(t), names(u), names(v)) == ("given", "mine", "v")


def test_notebook_namespace_is_used_only_when_ipython_is_loaded(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    t = nbgrad.tensor(1.0)
    assert Names()(t) is None
    assert "IPython" not in sys.modules  # looking did not import it
    fake_ipython(monkeypatch, {"out": t})
    assert Names()(t) == "out"
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    assert Names()(t) is None  # IPython imported but no shell running


def test_notebook_names_label_the_graph(monkeypatch):
    t = seed()
    fake_ipython(monkeypatch, dict(t))
    graph = G.to_networkx(t["out"])
    assert [graph.nodes[n]["label"] for n in ("v0", "v1", "v2", "v4", "v5")] == ["out", "z", "y*y", "y", "x"]


# ----- highlight -----
def test_resolve_accepts_ids_tensors_nodes_and_edges():
    t = seed()
    graph = G.to_networkx(t["out"], names=t)
    mul = t["z"].grad_fn
    nodes, edges = G.resolve(graph, mul)
    assert nodes == {"op1"} and edges == {("v2", "op1"), ("v3", "op1"), ("op1", "v1")}
    accumulate = t["y"].grad_fn.next_functions[0][0]
    nodes, edges = G.resolve(graph, [t["y"], accumulate, "v0", ("v1", "op0")])
    assert nodes == {"v4", "v5", "v0"} and edges == {("v1", "op0")}
    with pytest.raises(KeyError):
        G.resolve(graph, "v42")
    with pytest.raises(KeyError):
        G.resolve(graph, ("v0", "v1"))
    with pytest.raises(KeyError):
        G.resolve(graph, nbgrad.tensor(1.0))
    with pytest.raises(TypeError):
        G.resolve(graph, [3.5])


# ----- layout -----
def layout_of(tensor, names=None, compact=False):
    graph = G.to_networkx(tensor, names=names)
    if compact:
        graph = G._fold_unnamed_values(graph, set())
    boxes = drawing._boxes(graph, True, compact)
    return graph, boxes, drawing._layout(graph, boxes)


def test_layout_inputs_left_output_right_without_overlaps():
    t = seed()
    graph, boxes, layout = layout_of(t["out"], t)
    for u, v in graph.edges:
        assert layout.x[u] < layout.x[v], (u, v)  # every edge points right
    assert layout.x["v0"] == max(layout.x[n] for n in graph)
    for nodes in layout.order:
        real = [n for n in nodes if n in boxes]
        for a, b in zip(real, real[1:]):  # stacked top to bottom, never overlapping
            assert layout.y[b] - layout.y[a] >= (boxes[a].height + boxes[b].height) / 2
    assert layout.crossings == 0


def test_a_bias_sits_next_to_the_op_that_uses_it():
    x = nbgrad.tensor([1.0, -2.0, 0.5])
    w = nbgrad.tensor([0.3, 0.1, -0.4], requires_grad=True)
    b = nbgrad.tensor(0.2, requires_grad=True)
    o = (w.dot(x) + b).tanh()
    graph, _, layout = layout_of(o, {"x": x, "w": w, "b": b, "o": o})
    ids = {graph.nodes[n]["label"]: n for n in graph}
    add = next(iter(graph.successors(ids["b"])))
    assert layout.layer_of[ids["b"]] == layout.layer_of[add] + 1  # not pushed to the far left with w and x
    assert layout.layer_of[ids["w"]] > layout.layer_of[ids["b"]]
    assert layout.crossings == 0


def test_shared_values_keep_argument_order_top_to_bottom():
    a = nbgrad.tensor(2.0, requires_grad=True)
    c = nbgrad.tensor(5.0, requires_grad=True)
    d = a - c
    _, _, layout = layout_of(d, {"a": a, "c": c, "d": d})
    assert layout.y["v1"] < layout.y["v2"]  # a (first argument) above c


# ----- drawing -----
def test_draw_returns_a_figure_with_the_labels_and_grads():
    t = seed()
    fig = G.draw(t["out"], names=t)
    texts = [text.get_text() for text in fig.axes[0].texts]
    for expected in ("x", "y", "z", "out", "y*y", "3", "MulBackward0", "mean", "all 27.", "constant"):
        assert expected in texts, expected
    assert not any(text.startswith("grad") for text in texts)  # no gradient anywhere yet
    t["out"].backward()
    texts = [text.get_text() for text in G.draw(t["out"], names=t).axes[0].texts]
    assert "all 4.5000" in texts and "not kept" in texts and message("drawing.not_stored") in texts
    texts = [text.get_text() for text in G.draw(t["out"], names=t, show_grad=False).axes[0].texts]
    assert "all 4.5000" not in texts


def test_draw_a_graph_with_trace_gradients_and_highlight():
    t = seed()
    trace = backward_trace(t["out"], names=t)
    graph = G.to_networkx(t["out"], names=t)
    assert structure(trace.graph(1)) == structure(G.to_networkx(t["out"], names=t, grads=trace.gradients(1)))
    fig = G.draw(graph, grads=trace.gradients(1), highlight=trace[1].node, title="step 1")
    texts = [text.get_text() for text in fig.axes[0].texts]
    assert "all 0.7500" in texts and "all 0.2500" in texts and "all 4.5000" not in texts  # only what is known by step 1
    assert "highlighted" in texts and "step 1" in texts and message("drawing.not_reached") in texts
    assert graph.nodes["v2"]["grad"] is None  # the caller's graph was not modified
    with pytest.raises(ValueError, match="names="):
        G.draw(graph, names=t)
    with pytest.raises(TypeError, match="draw\\(\\) takes a Tensor"):
        G.draw("out")


def test_draw_into_given_axes():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 2))
    ax = fig.add_subplot()
    t = seed()
    assert G.draw(t["out"], names=t, ax=ax) is fig
    assert len(png(fig)) > 1000


def test_mlp_of_a_few_hundred_nodes_draws_compact():
    sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
    try:
        from bench_draw import scalar_mlp
    finally:
        sys.path.remove(os.path.join(ROOT, "benchmarks"))
    loss, names = scalar_mlp()
    graph = G.to_networkx(loss, names=names)
    assert graph.number_of_nodes() > 250
    fig = G.draw(graph)
    texts = {text.get_text() for text in fig.axes[0].texts}
    assert {"w000", "b20", "tanh"} <= texts and "MulBackward0" not in texts  # compact: no captions
    with pytest.raises(ValueError, match="Draw a part of it"):
        G.draw(graph, max_nodes=100)


def test_compact_folds_unnamed_values_into_edges():
    t = seed()
    graph = G.to_networkx(t["out"], names={"x": t["x"], "z": t["z"]})
    folded = G._fold_unnamed_values(graph, set())
    assert "v2" not in folded and "v4" not in folded and "v1" in folded
    assert folded.has_edge("op3", "op2") and folded.edges["op3", "op2"]["inputs"] == (0, 1)
    assert "v2" in G._fold_unnamed_values(graph, {"v2"})  # highlighted values stay


_PNG_SCRIPT = """
import io, sys, matplotlib
matplotlib.use("Agg")
sys.path.insert(0, {root!r})
import nbgrad
from nbgrad.display.graph import draw
x = nbgrad.ones(2, 2, requires_grad=True); y = x + 2; z = y * y * 3; out = z.mean()
out.backward(retain_graph=True)
fig = draw(out, names=dict(x=x, y=y, z=z, out=out), highlight=z.grad_fn)
buffer = io.BytesIO()
fig.savefig(buffer, format="png", metadata={{"Software": None}})
sys.stdout.buffer.write(buffer.getvalue())
"""


def test_png_bytes_are_identical_across_processes():
    script = _PNG_SCRIPT.format(root=ROOT)
    processes = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE) for _ in range(2)]
    runs = [p.communicate()[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0]
    assert runs[0].startswith(b"\x89PNG") and runs[0] == runs[1]


_INLINE_SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
import nbgrad
from nbgrad.display.graph import draw
x = nbgrad.ones(2, requires_grad=True)
fig = draw((x * 2).sum())
import matplotlib.pyplot as plt
print(sorted(shell.display_formatter.format(fig)[0]), plt.get_fignums())
"""


def test_a_drawing_shows_as_a_picture_in_a_fresh_notebook_kernel():
    """A kernel's backend is the inline one, loaded lazily: draw() must load it, or the Figure shows as text."""
    pytest.importorskip("IPython", reason="needs IPython")
    pytest.importorskip("matplotlib_inline", reason="needs the inline backend that Jupyter kernels use")
    env = dict(os.environ, MPLBACKEND="module://matplotlib_inline.backend_inline")
    out = subprocess.run([sys.executable, "-c", _INLINE_SCRIPT.format(root=ROOT)], capture_output=True, text=True,
                         check=True, env=env).stdout
    assert out.strip() == "['image/png', 'text/plain'] []"  # a picture, and no pyplot figure left to show twice


def test_display_modules_import_their_dependencies_lazily():
    modules = "graph, trace, labels, walk, layout, formatting, figure, drawing, html, ipython, training"
    code = ("import sys; sys.path.insert(0, %r); import nbgrad; from nbgrad.display import %s; "
            "print(sorted(m for m in ('matplotlib', 'networkx', 'IPython') if m in sys.modules))" % (ROOT, modules))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_node_with_several_outputs_is_drawn_with_one_value_per_output_and_the_trace_refuses_it():
    from nbgrad.display.trace import backward_trace

    class Split(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + gb * 3

    x = nbgrad.tensor([1.0, 2.0], requires_grad=True)
    for split in (lambda t: Split.apply(t), lambda t: t.unbind()):
        a, b = split(x)
        out = (a * b).sum()
        graph = G.to_networkx(out, names={"a": a, "b": b, "x": x, "out": out})
        op = next(n for n, attrs in graph.nodes(data=True) if attrs["op"] == a.grad_fn.name())
        assert sorted(graph.nodes[v]["label"] for v in graph.successors(op)) == ["a", "b"]  # one value each
        assert [graph.nodes[v]["label"] for v in graph.predecessors(op)] == ["x"]
        mul = next(n for n, attrs in graph.nodes(data=True) if attrs["op"] == "MulBackward0")
        assert sorted(graph.nodes[v]["label"] for v in graph.predecessors(mul)) == ["a", "b"]
        with pytest.raises(NotImplementedError, match=f"{a.grad_fn.name()}, a node with several outputs"):
            backward_trace(out)
    a, b = Split.apply(x)
    out = (a * b).sum()
    out.backward()  # the engine itself handles it
    np.testing.assert_allclose(x.grad.numpy(), [12.0, 24.0])  # d(6x²)/dx


# ----- edges and op labels -----
def _drawing_graphs():
    t = seed()
    yield "seed", t["out"], t
    x, y = nbgrad.tensor(2.0, requires_grad=True), nbgrad.tensor(-3.0, requires_grad=True)
    u = x * y
    yield "lesson 4", u + x, {"x": x, "y": y, "u": u}
    x = nbgrad.tensor([1.0, 2.0])
    w = nbgrad.tensor([0.5, -0.25], requires_grad=True)
    b = nbgrad.tensor(0.1, requires_grad=True)
    yield "neuron", nbgrad.tanh(w @ x + b), {"x": x, "w": w, "b": b}
    a = nbgrad.tensor(3.0, requires_grad=True)
    b = a + a
    c = b * b
    yield "shared", c + b, {"a": a, "b": b, "c": c}
    nbgrad.manual_seed(0)
    model = nbgrad.nn.Sequential(nbgrad.nn.Linear(2, 4), nbgrad.nn.Tanh(), nbgrad.nn.Linear(4, 1))
    X, Y = nbgrad.randn(8, 2), nbgrad.randn(8, 1)
    yield "mlp", nbgrad.nn.functional.mse_loss(model(X), Y), None
    s = nbgrad.tensor([1.0, -2.0, 0.5], requires_grad=True)
    long = (s.exp() * 2 + s.sin()).sigmoid() * s  # s reaches the last op across three columns
    yield "long edges", long.sum(), {"s": s}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_edge_runs_through_an_op_label(language):
    """Every edge, as drawn (its curve flattened, in pixels), stays out of the box of every op's symbol and
    caption (``MulBackward0`` hangs below its pill and is wider than it)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.patches import FancyArrowPatch

    nbgrad.set_language(language)
    try:
        for name, out, names in _drawing_graphs():
            graph = G.to_networkx(out, names=names)
            ops = [a for _, a in graph.nodes(data=True) if a["kind"] == "operation"]
            words = {a["label"] for a in ops} | {a["op"] for a in ops}
            fig = G.draw(graph)
            renderer = FigureCanvasAgg(fig).get_renderer()
            ax = fig.axes[0]
            boxes = np.array([t.get_window_extent(renderer).extents for t in ax.texts if t.get_text() in words])
            assert len(boxes) == 2 * len(ops), name  # each op's symbol and caption
            boxes += [0.5, 0.5, -0.5, -0.5]  # a pixel's rounding at the border is not a crossing
            edges = [p for p in ax.patches + ax.artists if isinstance(p, FancyArrowPatch)]
            assert len(edges) >= graph.number_of_edges(), name
            for edge in edges:
                path = edge.get_transform().transform_path(edge.get_path())
                for polygon in path.to_polygons(closed_only=False):
                    for p, q in zip(polygon, polygon[1:]):  # each straight piece, sampled every half pixel
                        n = max(2, int(np.hypot(*(q - p)) * 2))
                        points = p + np.linspace(0, 1, n)[:, None] * (q - p)
                        inside = ((points[:, None, 0] > boxes[None, :, 0]) & (points[:, None, 0] < boxes[None, :, 2])
                                  & (points[:, None, 1] > boxes[None, :, 1]) & (points[:, None, 1] < boxes[None, :, 3]))
                        assert not inside.any(), f"{name}: an edge runs through an op's label"
    finally:
        nbgrad.set_language(None)
