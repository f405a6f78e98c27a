"""nbgrad.widgets driven from Python, with no browser: build each widget, click, set values, read state.

The same widgets in a real browser (JupyterLab, and a static HTML export with no kernel) are tested in
``test_browser.py``.
"""
import asyncio
import math
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ipywidgets", reason="the widgets need ipywidgets (pip install -e '.[notebook]')")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import nbgrad  # noqa: E402
from html_checks import assert_safe_html  # noqa: E402
from nbgrad.widgets import BackwardStepper, GradientPlayground, GraphView, TensorView  # noqa: E402
from nbgrad.display import labels  # noqa: E402
from nbgrad.widgets import _common, stepper as stepper_module  # noqa: E402
from helpers import fresh_shell, seed_graph as seed  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EVIL = "<img src=x onerror=alert(1)>"




def mlp():
    """A small MLP on a batch: two Linear layers, tanh, MSE (10 backward steps)."""
    nbgrad.manual_seed(0)
    model = nbgrad.nn.Sequential(nbgrad.nn.Linear(2, 4), nbgrad.nn.Tanh(), nbgrad.nn.Linear(4, 1))
    X, Y = nbgrad.randn(8, 2), nbgrad.randn(8, 1)
    loss = nbgrad.nn.functional.mse_loss(model(X), Y)
    return {"loss": loss, **{name.replace(".", "_"): p for name, p in model.named_parameters()}}


def shared():
    """A value used twice (b = a + a) and a scalar leaf: partial sums matter."""
    a = nbgrad.tensor(2.0, requires_grad=True)
    w = nbgrad.tensor([1.0, -3.0], requires_grad=True)
    b = a + a
    c = (b * b * w).sum()
    return {"a": a, "w": w, "b": b, "c": c}


GRAPHS = {"seed": (seed, "out"), "mlp": (mlp, "loss"), "shared": (shared, "c")}


def backward_gradients(make, root):
    """Leaf name -> .grad after a plain backward() on a fresh copy of the graph: the reference."""
    tensors = make()
    tensors[root].backward()
    return {name: t.grad.numpy() for name, t in tensors.items() if t.is_leaf and t.requires_grad}


def frame_text(stepper, k):
    return stepper.stack.children[k].children[1].value


def frame_picture(stepper, k):
    return stepper.stack.children[k].children[0]


def is_png(image):
    return bytes(image.value).startswith(PNG_SIGNATURE)


def bundle_html(widget):
    return widget._repr_mimebundle_()["text/html"]


# ----- the layers -----
def test_importing_nbgrad_or_its_widgets_package_loads_no_widget_library():
    code = ("import sys, nbgrad, nbgrad.widgets\n"
            "bad = [m for m in ('ipywidgets', 'matplotlib', 'networkx', 'IPython') if m in sys.modules]\n"
            "assert not bad, bad\n"
            "nbgrad.widgets.TensorView\n"
            "assert 'ipywidgets' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_unknown_widget_name_is_an_attribute_error():
    import nbgrad.widgets

    with pytest.raises(AttributeError, match="NoSuchWidget"):
        nbgrad.widgets.NoSuchWidget  # noqa: B018
    assert set(nbgrad.widgets.__all__) <= set(dir(nbgrad.widgets))


# ----- BackwardStepper -----
def test_stepper_frames_buttons_and_links_on_the_seed_graph():
    t = seed()
    stepper = BackwardStepper(t["out"], names=t)
    n = len(stepper.trace)
    assert n == 5 and len(stepper.stack.children) == n + 1
    assert (stepper.step, stepper.slider.max, stepper.play.max) == (0, n, n)
    assert "Before backward" in frame_text(stepper, 0)
    for k in range(1, n + 1):
        assert f"Step {k} of {n}" in frame_text(stepper, k)
        picture = frame_picture(stepper, k)
        assert is_png(picture)
    # each frame draws a different state: the node that ran is marked, the gradients grow
    assert len({bytes(frame_picture(stepper, k).value) for k in range(n + 1)}) == n + 1

    def where():
        return stepper.step, stepper.slider.value, stepper.play.value, stepper.stack.selected_index

    stepper.forward_button.click()
    stepper.forward_button.click()
    assert where() == (2, 2, 2, 2)
    stepper.back_button.click()
    assert where() == (1, 1, 1, 1)
    stepper.back_button.click()
    stepper.back_button.click()  # nothing before frame 0
    assert where() == (0, 0, 0, 0)
    stepper.slider.value = 4  # what the slider, and Play through its link in the page, do
    assert where() == (4, 4, 4, 4)
    stepper.step = 3  # from Python
    assert where() == (3, 3, 3, 3)
    stepper.play.value = 1  # the page's echo of its own link: the kernel does not follow it back
    assert stepper.step == 3
    stepper.step = 4
    for _ in range(3):
        stepper.forward_button.click()  # stops at the last frame
    assert where() == (5, 5, 5, 5)
    stepper.play.playing = True
    stepper.reset_button.click()
    assert where() == (0, 0, 0, 0) and not stepper.play.playing


def test_stepper_shows_the_trace_gradients_and_leaves_grad_alone_until_apply():
    t = seed()
    stepper = BackwardStepper(t["out"], names=t)
    assert stepper.gradients() == {}
    stepper.slider.value = 4  # AddBackward0: x not reached yet
    assert stepper.gradients() == {}
    stepper.slider.value = 5
    np.testing.assert_array_equal(stepper.gradients()["x"], np.full((2, 2), 4.5, np.float32))
    np.testing.assert_array_equal(stepper.final_gradients()["x"], backward_gradients(seed, "out")["x"])
    assert t["x"].grad is None, "stepping must not write .grad"
    assert "step 5 of 5 (AccumulateGrad at x)" in stepper.state_text()
    assert "x = 4.5000 (all 2×2)" in stepper.state_text()

    stepper.apply_button.click()
    np.testing.assert_array_equal(t["x"].grad.numpy(), np.full((2, 2), 4.5, np.float32))
    assert stepper.apply_button.disabled and "applied" in stepper.state_text()
    stepper.apply()  # a second time: refused with a message, nothing added
    np.testing.assert_array_equal(t["x"].grad.numpy(), np.full((2, 2), 4.5, np.float32))
    assert "already added its leaf gradients" in stepper.status.value
    with pytest.raises(IndexError, match="frames 0 to 5"):
        stepper.gradients(6)


def lesson4():
    """Lesson 4's first example, where x's sum is complete a step before its AccumulateGrad runs."""
    x = nbgrad.tensor(2.0, requires_grad=True)
    y = nbgrad.tensor(-3.0, requires_grad=True)
    u = x * y
    return {"x": x, "y": y, "u": u, "f": u + x}


@pytest.mark.parametrize("make, root", [(lesson4, "f"), *GRAPHS.values()], ids=["lesson4", *GRAPHS])
def test_each_frame_draws_the_leaf_gradients_its_text_names(make, root, monkeypatch):
    """A leaf's box shows a gradient exactly when the frame's text lists it under "leaf gradients so far",
    and the same one; before that, nothing (not a sum still on its way, nor an earlier backward's .grad)."""
    frames = []  # (the node highlighted, the gradients drawn), one per frame drawn
    real_draw = stepper_module.draw

    def draw(graph, *, grads, highlight):
        frames.append((highlight, {v: np.array(g) for v, g in grads.items()}))
        return real_draw(graph, grads=grads, highlight=highlight)

    monkeypatch.setattr(stepper_module, "draw", draw)
    tensors = make()
    for t in tensors.values():  # a .grad from an earlier pass must not show in any frame
        if t.is_leaf and t.requires_grad:
            t.grad = nbgrad.full_like(t, 99.0)
    stepper = BackwardStepper(tensors[root], names=tensors)
    trace = stepper.trace
    drawn = {0 if node is None else next(s.index + 1 for s in trace if s.node is node): grads
             for node, grads in frames}
    leaves = {trace.label(v): v for v, a in trace.walk.nodes.items() if a["kind"] == "leaf"}
    assert sorted(drawn) == list(range(len(trace) + 1))
    seen_partial = False
    for step in range(len(trace) + 1):
        stepper.step = step
        text = stepper.state_text().splitlines()[1]  # "leaf gradients so far: ..."
        in_text = stepper.gradients()
        in_picture = {label: drawn[step][v] for label, v in leaves.items() if v in drawn[step]}
        assert sorted(in_picture) == sorted(in_text), f"frame {step}: {text}"
        for label, g in in_text.items():
            np.testing.assert_array_equal(in_picture[label], g)
            assert f"{label} = " in text
        complete = trace.gradients(step - 1) if step else {}
        seen_partial |= any(v in complete and label not in in_text for label, v in leaves.items())
    assert seen_partial or make is not lesson4  # the case of the issue: x complete, AccumulateGrad not yet run


def test_stepper_state_text_is_plain_and_stable():
    t = seed()
    stepper = BackwardStepper(t["out"], names=t, draw=False)
    stepper.slider.value = 2
    assert stepper.state_text() == (
        "BackwardStepper from out: step 2 of 5 (MulBackward0 at z)\n"
        "leaf gradients so far: none yet\n"
        "leaf gradients after the last step: x = 4.5000 (all 2×2)\n"
        '.grad: not written by this stepper (press "apply to .grad" to add the leaf gradients)'
    )
    assert BackwardStepper(seed()["out"], names=seed(), draw=False).state_text() != stepper.state_text()


ACTIONS = st.lists(st.one_of(
    st.sampled_from(["forward", "back", "reset"]),
    st.tuples(st.sampled_from(["slider", "step"]), st.integers(0, 10)),
), max_size=25)


@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(graph=st.sampled_from(sorted(GRAPHS)), actions=ACTIONS)
def test_any_sequence_of_clicks_and_slides_never_double_counts(graph, actions):
    make, root = GRAPHS[graph]
    tensors = make()
    stepper = BackwardStepper(tensors[root], names=tensors, draw=False)  # pictures are tested above
    n = len(stepper.trace)
    first_seen = {}  # step -> the leaf gradients shown the first time it was visited
    for action in actions:
        if action == "forward":
            stepper.forward_button.click()
        elif action == "back":
            stepper.back_button.click()
        elif action == "reset":
            stepper.reset_button.click()
        elif action[0] == "slider":
            stepper.slider.value = min(action[1], n)
        else:
            stepper.step = min(action[1], n)
        step = stepper.step
        assert 0 <= step <= n
        assert stepper.slider.value == stepper.play.value == stepper.stack.selected_index == step
        shown = stepper.gradients()
        before = first_seen.setdefault(step, shown)
        assert shown.keys() == before.keys()
        for name in shown:
            np.testing.assert_array_equal(shown[name], before[name])  # revisiting never adds again
    while stepper.step < n:
        stepper.forward_button.click()
    expected = backward_gradients(make, root)
    final = stepper.gradients()
    assert final.keys() == expected.keys()
    for name in expected:
        np.testing.assert_allclose(final[name], expected[name], rtol=1e-6)
    assert all(t.grad is None for t in tensors.values() if t.is_leaf), "the stepper wrote .grad without apply"
    stepper.apply()
    for name in expected:
        np.testing.assert_allclose(tensors[name].grad.numpy(), expected[name], rtol=1e-6)


def test_stepper_draws_after_the_cell_when_a_person_is_watching(monkeypatch):
    """With a kernel loop, frames are drawn one per turn of the loop; a frame scrubbed to is drawn first."""
    t = seed()

    async def main():
        monkeypatch.setattr(stepper_module, "background_loop", asyncio.get_running_loop)
        stepper = BackwardStepper(t["out"], names=t)
        assert all(p is None for p in stepper._pngs), "nothing drawn while the cell runs"
        assert stepper.progress.layout.display is None  # shown
        assert "drawing the graph" in frame_picture(stepper, 3).value
        stepper.slider.value = 3
        assert is_png(frame_picture(stepper, 3))
        for _ in range(50):
            await asyncio.sleep(0)
            if not stepper._drawing:
                break
        assert all(p is not None for p in stepper._pngs)
        assert stepper.progress.layout.display == "none"
        return stepper

    stepper = asyncio.run(main())
    assert is_png(frame_picture(stepper, 0))


def test_the_kernel_loop_is_used_only_when_the_request_accepts_input(monkeypatch):
    """A person's front end sends execute requests with allow_stdin; nbclient and nbconvert do not."""
    request = {"content": {"allow_stdin": True}}
    shell = types.SimpleNamespace(kernel=types.SimpleNamespace(get_parent=lambda: request))
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))

    async def loops():
        return _common.background_loop(), asyncio.get_running_loop()

    found, running = asyncio.run(loops())
    assert found is running
    request["content"]["allow_stdin"] = False
    assert asyncio.run(loops())[0] is None


def test_without_an_interactive_front_end_everything_is_drawn_at_once():
    assert _common.background_loop() is None  # plain Python: no kernel
    t = seed()
    stepper = BackwardStepper(t["out"], names=t)
    assert all(p is not None for p in stepper._pngs) and not stepper._drawing


def test_a_graph_too_big_to_draw_gets_the_message_in_every_frame():
    x = nbgrad.tensor(1.0, requires_grad=True)
    t = x
    for _ in range(320):
        t = t * 1.001
    stepper = BackwardStepper(t)
    for frame in stepper.stack.children:
        assert "more than max_nodes" in frame.children[0].value
    assert "step 0 of 321" in stepper.state_text()


def test_stepper_snapshot_for_viewers_without_widgets_is_safe_and_complete():
    x = nbgrad.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    stepper = BackwardStepper(loss, names={EVIL: x, "loss": loss})
    stepper.slider.value = 1
    data = stepper._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"] == stepper.state_text()
    html = data["text/html"]
    assert_safe_html(html, forbidden_text=[EVIL])
    assert "data:image/png;base64," in html and "Step 1 of 3" in html
    assert html.count("<details>") == len(stepper.trace)  # every step, folded
    for k in range(len(stepper.stack.children)):
        assert_safe_html(frame_text(stepper, k), forbidden_text=[EVIL])


def test_stepper_refuses_what_backward_refuses():
    x = nbgrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        BackwardStepper(x * 2)
    with pytest.raises(RuntimeError, match="does not require grad"):
        BackwardStepper(nbgrad.ones(()) * 2)


# ----- TensorView -----
def test_tensor_view_tables_heat_maps_and_refresh_after_backward():
    t = seed()
    view = TensorView(t["x"], name="x")
    assert view.mode == "table"
    values, grad = view.values_panel.children[1].value, view.grad_panel.children[1].value
    assert "nbgrad-values" in values and "None yet" in grad
    assert view.state_text() == ("TensorView of x: shape (2, 2), table\nvalues: 1. (all 2×2)\n"
                                 ".grad: None yet: run backward() to fill it")

    t["out"].backward()
    view.refresh_if_changed()
    assert "4.5000" in view.grad_panel.children[1].value
    assert view.state_text().endswith(".grad: 4.5000 (all 2×2)")

    view.mode_buttons.value = "heatmap"
    assert view.mode == "heatmap"
    assert is_png(view.values_panel.children[1])
    assert is_png(view.grad_panel.children[1])
    html = bundle_html(view)
    assert_safe_html(html)
    assert html.count("data:image/png;base64,") == 2
    with pytest.raises(ValueError, match="mode must be one of"):
        view.mode = "3d"
    with pytest.raises(TypeError, match="expects a Tensor"):
        TensorView(np.ones(3))


def test_tensor_view_picks_slices_of_a_3d_tensor():
    data = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    view = TensorView(nbgrad.tensor(data, requires_grad=True), name="t")
    (slider,) = view.slice_sliders.children
    assert (slider.min, slider.max, view.index) == (0, 1, (0,))
    assert ">11.<" in view.values_panel.children[1].value and ">12.<" not in view.values_panel.children[1].value
    slider.value = 1
    assert view.index == (1,)
    assert ">12.<" in view.values_panel.children[1].value and "[1, :, :]" in view.values_panel.children[0].value
    assert "slice [1, :, :]" in view.state_text()
    import traitlets

    with pytest.raises(traitlets.TraitError, match="does not pick a 2-d slice"):
        view.index = (2,)


def test_tensor_view_explains_a_missing_grad_and_escapes_names():
    x = nbgrad.ones(3, requires_grad=True)
    y = x * 2
    view = TensorView(y, name=EVIL)
    assert "only leaves keep one" in view.grad_panel.children[1].value
    assert_safe_html(bundle_html(view), forbidden_text=[EVIL])
    assert_safe_html(view.header.value, forbidden_text=[EVIL])
    assert "does not require grad" in TensorView(nbgrad.ones(2)).grad_panel.children[1].value


def test_views_refresh_themselves_after_a_cell_in_ipython(monkeypatch):
    pytest.importorskip("IPython")
    shell = fresh_shell()
    try:
        monkeypatch.setattr(_common, "_shell", lambda: shell)
        monkeypatch.setattr(labels, "_ipython_namespace", lambda: shell.user_ns)
        shell.run_cell("import nbgrad\nx = nbgrad.ones(2, requires_grad=True)\nout = (x * x).sum()").raise_error()
        view = TensorView(shell.user_ns["x"])
        graph = GraphView(shell.user_ns["out"])
        assert view.name == "x"  # the notebook variable
        shell.run_cell("out.backward()").raise_error()
        assert "2." in view.grad_panel.children[1].value
        assert "gradients: x = 2. (all 2)" in graph.state_text()
        graph.close()
        view.close()
        shell.run_cell("x.grad = None").raise_error()  # closed views are not refreshed any more
        assert "2." in view.grad_panel.children[1].value
    finally:
        shell.history_manager.end_session()


# ----- GraphView -----
def test_graph_view_picks_nodes_and_shows_their_details():
    t = seed()
    view = GraphView(t["out"], names=t)
    ids = [value for _, value in view.picker.options]
    assert ids == list(view.graph.nodes) and view.selected == "v0"
    assert is_png(view.image)
    first = view.image.value
    view.picker.value = "op1"  # z = (y*y) * 3
    assert view.selected == "op1" and view.image.value != first
    details = view.details.value
    assert "MulBackward0" in details and "[0]</span>y*y" in details and "[1]</span>3" in details
    assert "output: z" in details and "saved" in details
    view.selected = "v4"  # y
    assert "made by: + (AddBackward0)" in view.details.value
    assert "used by: * (MulBackward0)" in view.details.value
    assert "not kept: only leaves keep .grad" in view.details.value
    import traitlets

    with pytest.raises(traitlets.TraitError, match="not a node of this graph"):
        view.selected = "v99"


def test_graph_view_updates_after_backward():
    t = seed()
    view = GraphView(t["out"], names=t)
    view.selected = "v5"  # x
    assert "None yet" in view.details.value and view.state_text().endswith("gradients: none yet")
    before = view.image.value
    t["out"].backward()
    view.refresh_if_changed()
    assert view.selected == "v5", "the node picked stays picked"
    assert "4.5000" in view.details.value and view.image.value != before
    assert view.state_text().endswith("gradients: x = 4.5000 (all 2×2)")
    view.selected = "op1"
    assert "freed" in view.details.value  # backward() freed what the op saved
    assert_safe_html(bundle_html(view))


def test_graph_view_escapes_names():
    x = nbgrad.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    view = GraphView(loss, names={EVIL: x})
    view.selected = "v3" if view.graph.nodes.get("v3", {}).get("kind") == "leaf" else next(
        v for v, a in view.graph.nodes(data=True) if a["kind"] == "leaf")
    assert_safe_html(view.details.value, forbidden_text=[EVIL])
    assert_safe_html(bundle_html(view), forbidden_text=[EVIL])


# ----- GradientPlayground -----
def test_playground_value_gradient_and_tangent_in_one_variable():
    playground = GradientPlayground("x * sin(x)")
    assert playground.variables == ("x",) and playground.point == (1.0,)
    for x0 in (1.0, -2.25, 0.5):
        playground.sliders[0].value = x0
        assert playground.point == (x0,)
        assert playground.value == pytest.approx(x0 * math.sin(x0))
        assert playground.gradient[0] == pytest.approx(math.sin(x0) + x0 * math.cos(x0))
    assert is_png(playground.plot) and playground.plot.layout.display is None
    assert playground.state_text() == ("GradientPlayground: f(x) = x * sin(x)\n"
                                       "at x = 0.5000:  f(x) = 0.2397,  f'(x) = 0.9182")
    assert_safe_html(bundle_html(playground))


def test_playground_gradient_in_two_variables_matches_finite_differences():
    code = "exp(-x**2) * cos(y) + x * y"
    playground = GradientPlayground(code, at=(0.3, -0.7))
    assert playground.variables == ("x", "y")

    def f(x, y):
        return math.exp(-x ** 2) * math.cos(y) + x * y

    h = 1e-6
    x0, y0 = 0.3, -0.7
    expected = [(f(x0 + h, y0) - f(x0 - h, y0)) / (2 * h), (f(x0, y0 + h) - f(x0, y0 - h)) / (2 * h)]
    np.testing.assert_allclose(playground.gradient, expected, rtol=1e-6)
    assert playground.value == pytest.approx(f(x0, y0))
    playground.sliders[1].value = 1.5
    assert playground.point == (0.3, 1.5) and playground.gradient[1] == pytest.approx(
        (f(0.3, 1.5 + h) - f(0.3, 1.5 - h)) / (2 * h), rel=1e-6)
    assert "∇f = (" in playground.state_text()
    assert is_png(playground.plot)


def test_playground_explains_mistakes_instead_of_raising():
    playground = GradientPlayground("x ** 2")
    cases = {
        "x * ones(3)": "must return a scalar (one number)",
        "x +": "SyntaxError",
        "q * x": "NameError: name 'q' is not defined (the variables are x",
        "[x, x]": "must return an nbgrad tensor (or a number), not list",
        "x * 'a'": "TypeError",
    }
    for code, message in cases.items():
        playground.code_box.value = code
        assert playground.error is not None and message in playground.error, code
        assert playground.plot.layout.display == "none"
        assert message.split(" (")[0] in playground.state_text()
    playground.code_box.value = "x.item() + 1"  # cut from the graph: a constant function
    assert playground.error is None and playground.gradient[0] == 0
    assert "gradient is 0" in playground.state_text()
    playground.code_box.value = "relu(x) ** 2"  # fixed: the plot comes back
    assert playground.error is None and playground.value == pytest.approx(1.0)
    assert playground.plot.layout.display is None


def test_playground_code_that_does_not_broadcast_is_sampled_point_by_point():
    playground = GradientPlayground("x.sum() * x", ranges=(-1, 1))  # on a grid, x.sum() mixes points
    (xs,), values = playground._sampled()
    np.testing.assert_allclose(values, xs * xs, atol=1e-12)


def test_playground_takes_a_function_and_checks_its_arguments():
    def bowl(a, b):
        return a * a + 2 * b * b

    playground = GradientPlayground(bowl, ranges={"a": (-1, 1), "b": (0, 4)}, at=(0.5, 1.0))
    assert playground.variables == ("a", "b") and playground.code_box.disabled
    np.testing.assert_allclose(playground.gradient, [1.0, 4.0])
    with pytest.raises(ValueError, match="one or two variables"):
        GradientPlayground("x + y", variables=("x", "y", "z"))
    with pytest.raises(ValueError, match="from low to high"):
        GradientPlayground("x", ranges=(2, 1))
    with pytest.raises(ValueError, match="one value per variable"):
        GradientPlayground("x * y", at=1.0)
    with pytest.raises(TypeError, match="Python code"):
        GradientPlayground(3)


def test_playground_escapes_the_code_it_shows():
    code = "x + '</div><script>alert(1)</script>'"
    playground = GradientPlayground(code)
    assert playground.error is not None
    assert_safe_html(bundle_html(playground), forbidden_text=["<script>alert(1)</script>"])
    assert_safe_html(playground.result.value, forbidden_text=["<script>alert(1)</script>"])
