"""nbgrad.display.modules: a model's graph grouped by the nn.Module that made each node (group="module")."""
import contextlib
import gc

import matplotlib
import networkx as nx
import numpy as np
import pytest

matplotlib.use("Agg")

import nbgrad  # noqa: E402
import nbgrad.nn as nn  # noqa: E402
from nbgrad.display import modules as M  # noqa: E402
from nbgrad.display.figure import figure_png  # noqa: E402
from nbgrad.display.graph import draw, to_networkx  # noqa: E402
from module_models import LeNet, MLP, Nested, Quickstart, deep_mlp, ground_truth, loss_of  # noqa: E402


@pytest.fixture
def chinese():
    nbgrad.set_language("zh")
    yield
    nbgrad.set_language(None)


def recorded(model_class, x_shape, seed=0, record=False):
    """model, loss, its graph and the truth; with ``record``, the forward ran inside ``modules.recording()``."""
    nbgrad.manual_seed(seed)
    model = model_class()
    x = nbgrad.randn(*x_shape)
    with M.recording() if record else contextlib.nullcontext():
        loss, graph, truth = ground_truth(model, lambda: loss_of(model, x))
    return model, loss, graph, truth


MODELS = [(MLP, (5, 4)), (LeNet, (3, 1, 32, 32)), (Nested, (4, 3)), (Quickstart, (2, 4, 4))]


@pytest.mark.parametrize("model_class, x_shape", MODELS)
def test_every_node_goes_to_the_module_whose_call_made_it(model_class, x_shape):
    model, loss, graph, truth = recorded(model_class, x_shape)
    groups = M.ModuleGroups(graph, model)
    # nn.ReLU has no parameters: reading the parameters cannot see it, so its op goes to the module around it
    # (the documented limit); every other node is where the recorded calls say
    expected = {n: M.parent(q) if isinstance(model.get_submodule(q), nn.ReLU) else q for n, q in truth.items()}
    assert groups.module_of == expected
    assert len(set(groups.module_of.values())) >= 3


@pytest.mark.parametrize("model_class, x_shape", MODELS)
def test_a_recorded_forward_puts_every_node_in_its_module_parameter_free_ones_included(model_class, x_shape):
    model, loss, graph, truth = recorded(model_class, x_shape, record=True)
    assert M.ModuleGroups(graph, model).module_of == truth


def test_a_recorded_relu_is_a_box_holding_what_a_relu_alone_makes():
    model, loss, graph, _ = recorded(Quickstart, (2, 4, 4), record=True)
    folded = draw_graph(graph, model, depth=2)
    alone = {}
    for module, x in ((nn.Linear(16, 8), nbgrad.randn(2, 16)), (nn.ReLU(), nbgrad.randn(2, 8, requires_grad=True))):
        ops = to_networkx(module(x).sum()).nodes(data=True)
        alone[type(module).__name__] = sorted(a["op"] for _, a in ops if a["op"] not in (None, "SumBackward0"))
    boxes = [a for _, a in folded.nodes(data=True) if a["kind"] == "module"]
    assert [b["label"] for b in boxes] == [f"linear_relu_stack.{i}: {c}" for i, c in
                                           ((4, "Linear"), (3, "ReLU"), (2, "Linear"), (1, "ReLU"), (0, "Linear"))]
    for box in boxes:
        made = sorted(graph.nodes[n]["op"] for n in box["members"] if graph.nodes[n]["op"])
        assert made == alone[box["label"].split(": ")[1]]


def test_recording_ends_with_its_block_and_its_notes_with_the_graph():
    gc.collect()
    before = len(M._calls)
    model, loss, graph, _ = recorded(Quickstart, (2, 4, 4), record=True)
    assert len(M._calls) > before
    later = loss_of(model, nbgrad.randn(2, 4, 4))  # outside the block: read from the parameters
    relus = [q for q in set(M.ModuleGroups(to_networkx(later), model).module_of.values()) if q.endswith(("1", "3"))]
    assert relus == []
    del loss, graph, later
    gc.collect()
    assert len(M._calls) == before


def test_lenet_at_depth_1_is_its_five_layers_between_the_functional_ops():
    model, loss, graph, _ = recorded(LeNet, (2, 1, 32, 32))
    folded = draw_graph(graph, model, depth=1)
    boxes = [a["label"] for _, a in folded.nodes(data=True) if a["kind"] == "module"]
    assert boxes == ["fc3: Linear", "fc2: Linear", "fc1: Linear", "conv2: Conv2d", "conv1: Conv2d"]
    ops = [a["op"] for _, a in folded.nodes(data=True) if a["kind"] == "operation"]
    assert ops == ["MseLossBackward0", "ReluBackward0", "ReluBackward0", "ViewBackward0",
                   "MaxPool2DWithIndicesBackward0", "ReluBackward0", "MaxPool2DWithIndicesBackward0", "ReluBackward0"]
    # the boxes hold every node that is not drawn, once
    members = [m for _, a in folded.nodes(data=True) if a["kind"] == "module" for m in a["members"]]
    assert sorted(members + [n for n in folded if n in graph]) == sorted(graph)
    # data flows conv1 -> relu -> pool -> conv2 -> ... -> fc3 -> loss, and into a box only as a whole
    path = nx.shortest_path(folded, "module:conv1", folded.graph["root"])
    layers = ("conv1", "conv2", "fc1", "fc2", "fc3")
    assert [p for p in path if p.startswith("module:")] == [f"module:{q}" for q in layers]
    assert all(e["inputs"] == () for _, v, e in folded.edges(data=True) if v.startswith("module:"))


def draw_graph(graph, model, depth=1, opened=None):
    folded, _ = M.module_graph(graph, model, depth=depth, opened=opened)
    assert nx.is_directed_acyclic_graph(folded)
    return folded


def test_depth_opens_nested_modules_as_torchview_does():
    model, loss, graph, _ = recorded(Nested, (4, 3))
    groups = M.ModuleGroups(graph, model)
    assert groups.names() == ["features", "features.0", "features.2", "head"]
    assert groups.opened_to(1) == set() and groups.opened_to(2) == groups.opened_to(3) == {"features"}
    labels = lambda g: [a["label"] for _, a in g.nodes(data=True) if a["kind"] == "module"]  # noqa: E731
    assert labels(draw_graph(graph, model, 1)) == ["head: Linear", "features: Sequential"]
    two = draw_graph(graph, model, 2)
    # a Linear has no submodules: a box at any depth; the ReLU between features' layers is drawn as it is
    assert labels(two) == ["head: Linear", "features.2: Linear", "features.0: Linear"]
    assert [a["op"] for n, a in two.nodes(data=True) if groups.module_of.get(n) == "features"] == [
        None, "ReluBackward0"]  # the relu's output value, and the relu
    assert labels(draw_graph(graph, model, 3)) == labels(two)
    # opening by name: head's ops drawn as they are, features closed; everything open: the whole graph
    one = draw_graph(graph, model, opened={"head"})
    assert labels(one) == ["features: Sequential"]
    assert all(n in one for n, q in groups.module_of.items() if q == "head")
    assert list(draw_graph(graph, model, opened=set(groups.names()))) == list(graph)


def test_a_box_lists_each_parameter_and_its_gradient_after_backward_only():
    model, loss, graph, _ = recorded(MLP, (5, 4))
    before = draw_graph(graph, model)
    for _, a in before.nodes(data=True):
        if a["kind"] == "module":
            assert [(name, shape, grad) for name, shape, grad in a["parameters"]] == [
                (name, tuple(p.shape), None) for name, p in model.get_submodule(a["module"]).named_parameters()]
            rows = M.box_rows(a, show_grad=True)
            assert rows[0] == [(a["label"], "name")] and not any("grad" in t for row in rows for t, _ in row)
    loss.backward()
    after = draw_graph(to_networkx(loss), model)
    seen = 0
    for _, a in after.nodes(data=True):
        if a["kind"] == "module":
            module = model.get_submodule(a["module"])
            for (name, shape, grad), (pname, p) in zip(a["parameters"], module.named_parameters(), strict=True):
                assert name == pname and np.array_equal(grad, p.grad.numpy())
                norm = float(np.linalg.norm(p.grad.numpy().ravel()))
                assert [f"{name} {'×'.join(map(str, shape))}", "  ", f"‖grad‖ {norm:.3g}"] in [
                    [t for t, _ in row] for row in M.box_rows(a, True)]
                seen += 1
    assert seen == len(list(model.parameters())) == 5  # fc2 has no bias
    texts = [t.get_text() for t in draw(loss, group="module", model=model).axes[0].texts]
    assert {"fc1: Linear", "fc2: Linear", "fc3: Linear", "module (nn.Module)"} <= set(texts)
    assert len([t for t in texts if "‖grad‖" in t]) == 5


def test_gradients_given_replace_dot_grad_in_the_boxes():
    from nbgrad.display.trace import backward_trace

    model, loss, graph, _ = recorded(MLP, (5, 4))
    trace = backward_trace(loss)
    folded = draw_graph(to_networkx(loss, grads=trace), model)
    weight = next(a for _, a in folded.nodes(data=True) if a.get("module") == "fc1")["parameters"][0]
    assert weight[0] == "weight" and weight[2] is not None and model.fc1.weight.grad is None


def test_the_model_is_found_among_the_names_given():
    model, loss, graph, _ = recorded(MLP, (5, 4))
    assert M.find_model(graph, {"net": model, "layer": model.fc1, "other": nn.Linear(2, 2)}) is model
    with pytest.raises(ValueError, match="needs the model"):
        M.find_model(graph, {"layer": nn.Linear(4, 8)})
    figure = draw(loss, group="module", names={"net": model})
    assert figure_png(figure).startswith(b"\x89PNG")


def test_the_model_is_found_among_the_notebooks_variables(monkeypatch):
    import sys
    import types

    model, loss, graph, _ = recorded(MLP, (5, 4))
    user_ns = {"net": model, "layer": model.fc2, "_": model.fc1, "loss": loss}
    shell = types.SimpleNamespace(user_ns=user_ns)
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert M.find_model(graph) is model
    texts = [t.get_text() for t in draw(loss, group="module").axes[0].texts]
    assert "fc1: Linear" in texts
    del user_ns["net"]  # the layer alone: its parameters are the most the graph uses of what is left
    assert M.find_model(graph) is model.fc2
    assert M.find_model(graph, {"mine": model}) is model, "names= comes first"


def test_bad_arguments_are_refused_before_anything_is_drawn():
    model, loss, graph, _ = recorded(MLP, (5, 4))
    with pytest.raises(ValueError, match="group must be None or 'module'"):
        draw(loss, group="modules", model=model)
    for depth in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="depth must be a whole number"):
            draw(loss, group="module", model=model, depth=depth)
    with pytest.raises(TypeError, match="model must be an nn.Module"):
        draw(loss, group="module", model="fc1")


def test_a_graph_of_more_than_a_thousand_nodes_draws_grouped():
    nbgrad.manual_seed(0)
    model = deep_mlp()
    loss = loss_of(model, nbgrad.randn(16, 8))
    loss.backward()
    graph = to_networkx(loss)
    assert graph.number_of_nodes() > 1000
    with pytest.raises(ValueError, match="more than max_nodes"):
        draw(loss)
    folded = draw_graph(graph, model)
    assert [a["label"] for _, a in folded.nodes(data=True) if a["kind"] == "module"] == [
        f"{i}: Sequential" for i in reversed(range(8))]
    assert sum(len(a["members"]) for _, a in folded.nodes(data=True) if a["kind"] == "module") > 1000
    figure = draw(loss, group="module", model=model)
    assert figure_png(figure).startswith(b"\x89PNG")


def test_boxes_speak_chinese(chinese):
    from i18n_checks import english_sentences

    model, loss, graph, _ = recorded(MLP, (5, 4))
    loss.backward()
    folded = draw_graph(to_networkx(loss), model)
    text = "\n".join(t for _, a in folded.nodes(data=True) if a["kind"] == "module"
                     for row in M.box_rows(a, True) for t, _ in row)
    assert "梯度范数" in text and "运算" in text and english_sentences(text) == []
    with pytest.raises(ValueError, match="depth 必须"):
        draw(loss, group="module", model=model, depth=0)


class _Reused(nn.Module):
    """``a`` called twice: around ``b`` (``a(b(a(x)))``) when ``around``, else around a relu only."""

    def __init__(self, around):
        super().__init__()
        self.a, self.b, self.around = nn.Linear(3, 3), nn.Linear(3, 3), around

    def forward(self, x):
        return self.a(nbgrad.relu(self.b(self.a(x)) if self.around else self.a(x)))


def test_a_module_called_twice_is_one_box_unless_another_call_sits_between():
    nbgrad.manual_seed(0)
    for around in (False, True):
        model = _Reused(around)
        loss = model(nbgrad.randn(2, 3)).sum()
        graph = to_networkx(loss)
        folded = draw_graph(graph, model)  # acyclic: it would not be drawn otherwise
        boxes = [a for _, a in folded.nodes(data=True) if a["kind"] == "module"]
        if around:  # a's box would come before and after b's: neither is a box, both belong to the model
            assert boxes == [] and set(M.ModuleGroups(graph, model).module_of.values()) == {""}
        else:  # both calls and the relu between them: one box, holding a's parameters once
            assert [b["label"] for b in boxes] == ["a: Linear"]
            assert [p[0] for p in boxes[0]["parameters"]] == ["weight", "bias"]
            assert sorted(graph.nodes[n]["op"] for n in boxes[0]["members"] if graph.nodes[n]["op"]) == [
                "AddmmBackward0", "AddmmBackward0", "ReluBackward0", "TBackward0", "TBackward0"]
        assert figure_png(draw(loss, group="module", model=model)).startswith(b"\x89PNG")


def test_an_lstm_is_one_box_and_each_output_of_its_split_comes_from_the_split():
    # the walk is breadth-first: a node of several outputs may be walked before all its outputs are found
    nbgrad.manual_seed(0)
    model = nn.Sequential(nn.LSTM(3, 4))
    loss = model[0](nbgrad.randn(5, 2, 3))[0].pow(2).mean()
    graph = to_networkx(loss)
    assert [n for n, a in graph.nodes(data=True) if a["kind"] != "operation" and graph.in_degree(n) == 0
            and a["kind"] not in ("leaf", "constant")] == []
    assert graph.number_of_nodes() > 160 and figure_png(draw(loss)).startswith(b"\x89PNG")  # compact
    groups = M.ModuleGroups(graph, model)
    ops = {groups.module_of[n] for n, a in graph.nodes(data=True) if a["kind"] == "operation"}
    assert ops == {"0", ""}  # the LSTM's, and the loss's pow and mean
    folded = draw_graph(graph, model)
    assert [a["label"] for _, a in folded.nodes(data=True) if a["kind"] == "module"] == ["0: LSTM"]
    assert figure_png(draw(loss, group="module", model=model)).startswith(b"\x89PNG")
