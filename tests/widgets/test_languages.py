"""Every widget and display function, rendered in every language: no English sentence left in the others.

Each renderer below builds one thing a person sees (a widget, in the states a learner drives it to, or the
output of a display function) in the language spoken, and returns every piece of text shown: the HTML and
text of every child widget, its descriptions, tooltips and option labels, ``state_text()``, the snapshot
(``_repr_mimebundle_``), and the text of every matplotlib figure drawn on the way (all its Text artists).
A catalogue key missing in a language, or a sentence typed into the code, makes its renderer fail.
"""

import pytest

pytest.importorskip("ipywidgets", reason="the widgets need ipywidgets (pip install -e '.[notebook]')")
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import nbgrad  # noqa: E402
from i18n_checks import english_sentences  # noqa: E402
from nbgrad import i18n  # noqa: E402
from nbgrad.display import figure as figure_module  # noqa: E402
from nbgrad.display import html as display_html  # noqa: E402
from nbgrad.display.graph import draw, to_networkx  # noqa: E402
from nbgrad.display.trace import backward_trace  # noqa: E402
from nbgrad.widgets import BackwardStepper, GradientPlayground, GraphView, TensorView  # noqa: E402
from helpers import seed_graph as seed  # noqa: E402

# PyTorch's own words, quoted as PyTorch says them (the brief: PyTorch's messages stay English).
PYTORCH = ("grad can be implicitly created only for scalar outputs",)
RENDERERS = {}


def renderer(*marks):
    def register(function):
        RENDERERS[function.__name__] = (function, marks)
        return function
    return register


# ----- collecting what a person sees -----
_figures = []  # the texts of every figure saved while a renderer runs


def figure_texts(fig):
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.fixture(autouse=True)
def record_figures(monkeypatch):
    """Every module that saves figures saves them through figure_png: read each figure's text on the way."""
    from nbgrad.widgets import graph_view, playground, stepper, tensor_view

    original = figure_module.figure_png

    def recording(fig, **kwargs):
        _figures.extend(figure_texts(fig))
        return original(fig, **kwargs)

    for module in (figure_module, stepper, graph_view, tensor_view, playground):
        monkeypatch.setattr(module, "figure_png", recording)
    _figures.clear()
    yield
    _figures.clear()


def widget_texts(widget):
    """The text of a widget and all its children: values, descriptions, tooltips, option labels; its state
    text and its snapshot."""
    texts, stack = [], [widget]
    while stack:
        w = stack.pop()
        for attr in ("value", "description", "tooltip", "placeholder"):
            value = getattr(w, attr, None)
            if isinstance(value, str):
                texts.append(value)
        texts.extend(getattr(w, "_options_labels", ()))
        stack.extend(getattr(w, "children", ()))
    bundle = widget._repr_mimebundle_()
    return texts + [widget.state_text(), bundle["text/plain"], bundle["text/html"]]


def without(texts, parts):
    """``texts`` with ``parts`` (HTML another renderer checks) cut out of them."""
    for part in parts:
        texts = [t.replace(part, "") for t in texts]
    return texts


def lesson_graph():
    """Lesson 4's first example: x, y -> u = x*y -> f = u + x."""
    x = nbgrad.tensor(2.0, requires_grad=True)
    y = nbgrad.tensor(-3.0, requires_grad=True)
    u = x * y
    return {"x": x, "y": y, "u": u, "f": u + x}


# ----- the widgets -----
@renderer()
def backward_stepper():
    t = lesson_graph()
    stepper = BackwardStepper(t["f"], names=t)
    texts = []
    for step in range(len(stepper.trace) + 1):  # every frame, its state text and snapshot
        stepper.step = step
        texts += widget_texts(stepper)
    stepper.apply_button.click()
    texts += widget_texts(stepper)
    stepper.apply()  # a second time: the error shown instead
    texts += widget_texts(stepper)
    # the words of each step (what arrives, the rule, the table) are the trace's: see trace_step_html
    return without(texts, [stepper.trace.step_html(i) for i in range(len(stepper.trace))])


@renderer()
def graph_view():
    t = seed()
    view = GraphView(t["out"], names=t)
    texts = []
    for backward in (False, True):
        if backward:
            t["out"].backward()
            view.refresh()
        # an op's card (saved tensors, next functions) is the display layer's: see node_cards
        cards = [display_html.node_html(a["node"]) for _, a in view.graph.nodes(data=True) if a["kind"] == "operation"]
        for node_id in view.graph.nodes:
            view.selected = node_id
            texts += without(widget_texts(view), cards)
    return texts


@renderer()
def tensor_view():
    texts = []
    w = nbgrad.arange(24.0).reshape(2, 3, 4).requires_grad_()
    hidden = w.tanh()
    for tensor in (w, hidden, nbgrad.ones(3)):
        view = TensorView(tensor)
        texts += widget_texts(view)
        view.mode = "heatmap"
        texts += widget_texts(view)
    hidden.sum().backward()
    view = TensorView(w, mode="heatmap")
    view.slice_sliders.children[0].value = 1
    return texts + widget_texts(view)


@renderer()
def gradient_playground():
    texts = []
    for function in ("x * sin(x)", "x**2 + 3*y**2", "2.0 + 0 * x", "x * ones(3)"):  # the last is not a scalar
        playground = GradientPlayground(function)
        texts += widget_texts(playground)
    return texts


# ----- the display functions -----
@renderer()
def draw_graphs():
    t = seed()
    texts = figure_texts(draw(t["out"], names=t))
    trace = backward_trace(t["out"], names=t)
    texts += figure_texts(draw(to_networkx(t["out"], names=t), grads=trace.gradients(1), highlight=trace[1].node,
                               title="step 1"))
    t["out"].backward()
    return texts + figure_texts(draw(t["out"], names=t))


@renderer()
def trace_text():
    t = lesson_graph()
    trace = backward_trace(t["f"], names=t)
    return [trace.to_text(), repr(trace)]


@renderer()
def trace_step_html():
    t = lesson_graph()
    trace = backward_trace(t["f"], names=t)
    return [trace.step_html(i) for i in range(len(trace))]


@renderer()
def tensor_cards():
    t = lesson_graph()
    t["f"].backward()
    return [display_html.tensor_html(v) for v in t.values()]


@renderer()
def node_cards():
    t = seed()
    graph = to_networkx(t["out"], names=t)
    return [display_html.node_html(a["node"]) for _, a in graph.nodes(data=True) if a["node"] is not None]


# ----- graphs of models, grouped by module (group="module") -----
def lenet():
    from module_models import LeNet, loss_of

    nbgrad.manual_seed(0)
    model = LeNet()
    return model, loss_of(model, nbgrad.randn(2, 1, 32, 32))


@renderer()
def module_graph_view():
    model, loss = lenet()
    view = GraphView(loss, group="module", model=model)
    texts = []
    for backward in (False, True):  # its pictures are draw(loss, group="module"), their texts checked too
        if backward:
            loss.backward()
            view.refresh()
        for qualname in ("fc1", "conv2"):  # pick its box, open it, close it again
            view.module_picker.value = qualname
            view.selected = f"module:{qualname}"
            texts += widget_texts(view)
            view.open_toggle.value = True
            texts += widget_texts(view)
            view.open_toggle.value = False
    return texts


# ----- the test -----
def _cases():
    for language in i18n.languages():
        for name, (function, marks) in RENDERERS.items():
            yield pytest.param(function, language, id=f"{language}-{name}",
                               marks=marks if language != i18n.DEFAULT else ())


@pytest.mark.parametrize("render, language", _cases())
def test_everything_shown_is_in_the_language_spoken(render, language):
    nbgrad.set_language(language)
    try:
        texts = render() + _figures
    finally:
        nbgrad.set_language(None)
    assert texts and all(isinstance(t, str) for t in texts)
    if language == i18n.DEFAULT:
        return  # English: it renders (the English words are the other tests' business)
    left = sorted({run for t in texts for run in english_sentences(t, allowed=PYTORCH)})
    assert left == [], f"English left in the {language} output of {render.__name__}"


def test_the_check_finds_english_in_every_renderer_when_a_key_is_missing(monkeypatch):
    """The test above can fail: with the Chinese catalogue emptied, every renderer whose English shows a
    sentence shows it in "Chinese" too (a renderer of single labels has nothing the check could find)."""
    def shown(language):
        nbgrad.set_language(language)
        _figures.clear()
        return english_sentences("\n".join(function() + _figures), allowed=PYTORCH)

    try:
        found = {}
        for name, (function, _) in RENDERERS.items():
            english = shown("en")
            monkeypatch.setitem(i18n._catalogues, "zh", {})
            found[name] = bool(english), bool(shown("zh"))
            monkeypatch.undo()
    finally:
        nbgrad.set_language(None)
    assert sum(english for english, _ in found.values()) >= len(found) - 2  # nearly every renderer speaks in sentences
    assert [name for name, (english, chinese) in found.items() if english and not chinese] == []
