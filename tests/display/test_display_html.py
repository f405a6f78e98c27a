"""The HTML cards of tensors and graph nodes (nbgrad/display/html.py)."""
import os
import re
import subprocess
import sys
import types
import warnings
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import nbgrad
from html_checks import assert_safe_html
from nbgrad.autograd import Function
from nbgrad.display import html as H, ipython

EVIL = "<img src=x onerror=alert(1)>"
REPO = Path(__file__).resolve().parents[2]


class _Cells(HTMLParser):
    """Collects the text of value cells (<td> that are not gaps) and their background colours."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells, self.colours, self._in_cell = [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td" and "nbgrad-gap" not in (attrs.get("class") or ""):
            self._in_cell = True
            self.cells.append("")
            match = re.search(r"background-color:(#[0-9a-f]{6})", attrs.get("style") or "")
            self.colours.append(match.group(1) if match else None)

    def handle_endtag(self, tag):
        if tag == "td":
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.cells[-1] += data


def cells(html):
    parser = _Cells()
    parser.feed(html)
    return parser.cells, parser.colours


def repr_numbers(t):
    """The printed elements of PyTorch-style ``repr(t)``, in order, without the ``...`` of summaries."""
    body = repr(t)[len("tensor("):]
    body = body[: body.rindex("]") + 1] if body.startswith("[") else body.split(",")[0].rstrip(")")
    return re.findall(r"-?(?:inf|nan|\d+\.?\d*(?:e[+-]\d+)?)|True|False", body)


def shown(obj):
    """The HTML IPython shows for ``obj``, through the formatters ``nbgrad.display.ipython`` registers."""
    from IPython.core.formatters import HTMLFormatter

    html = HTMLFormatter()
    ipython.register(types.SimpleNamespace(display_formatter=types.SimpleNamespace(formatters={"text/html": html})))
    return html(obj)


def values_section(html):
    """The values section alone (the card also holds a grad section, and nested tensors in nodes)."""
    start = html.index("<summary>values</summary>")
    return html[start: html.index("</details>", start)]


@pytest.fixture
def printoptions():
    saved = nbgrad.get_printoptions()
    yield nbgrad.set_printoptions
    nbgrad.set_printoptions(**saved)


def evil_graph():
    """A small graph whose leaf carries a hostile name; retained so that saved tensors can be shown."""
    x = nbgrad.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    x.name = EVIL
    y = x * x
    y.name = EVIL
    z = y.sin().sum()  # SinBackward0 saves y
    return x, y, z


def all_cards():
    x, y, z = evil_graph()
    z.backward(retain_graph=True)
    mul = y.grad_fn
    return {
        "leaf with grad": H.tensor_html(x),
        "non-leaf": H.tensor_html(y),
        "node that saved the named leaf and lists it in next_functions": H.node_html(mul),
        "node that saved the named non-leaf": H.node_html(z.grad_fn.next_functions[0][0]),
        "accumulate grad": H.node_html(mul.next_functions[0][0]),
    }


# ----- safety -----

@pytest.mark.parametrize("which", list(all_cards()))
def test_user_names_are_escaped_in_every_card(which):
    html = all_cards()[which]
    assert_safe_html(html, forbidden_text=[EVIL])
    assert escape(EVIL) in html


def test_user_function_names_and_saved_values_are_escaped():
    class Hostile(Function):
        node_name = "<script>alert('name')</script>"

        @staticmethod
        def forward(ctx, x):
            ctx.label = "<b onmouseover=alert(2)>"  # a non-tensor value the node keeps
            ctx.save_for_backward(x)
            return x.detach().numpy() * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    x = nbgrad.ones(2, requires_grad=True)
    y = Hostile.apply(x)
    for html in (H.node_html(y.grad_fn), H.tensor_html(y), shown(y), shown(y.grad_fn)):
        assert_safe_html(html, forbidden_text=["<script>alert('name')</script>", "<b onmouseover=alert(2)>"])
    node_card = H.node_html(y.grad_fn)
    assert escape("<b onmouseover=alert(2)>") in node_card
    assert escape(Hostile.node_name) in node_card


def test_safety_check_catches_what_it_should():
    # The helper every HTML test relies on must itself fail on unsafe markup.
    for unsafe in ("<div onclick='x()'>a</div>", "<SCRIPT>alert(1)</SCRIPT>", "<a href='javascript:x()'>a</a>",
                   "<img src=x onerror=alert(1)>"):
        with pytest.raises(AssertionError):
            assert_safe_html(unsafe)
    assert_safe_html(f"<span>{escape(EVIL)}</span>")


# ----- structure: fallback, stylesheet, sections -----

def test_text_fallback_shows_where_the_stylesheet_is_stripped():
    t = nbgrad.tensor([[1.5, -2.0]], requires_grad=True)
    html = shown(t)
    assert html == H.tensor_html(t)
    css = H.css()
    assert f"<style>{css}</style>" in html
    assert css == (REPO / "nbgrad/display/static/nbgrad.css").read_text(encoding="utf-8")
    # Without the stylesheet: the <pre> (PyTorch's repr) is visible, the card hidden by its inline style.
    stripped = html.replace(f"<style>{css}</style>", "")
    pre = re.search(r"<pre class='nbgrad-text-repr-fallback'>(.*?)</pre>", stripped, re.S)
    assert unescape(pre.group(1)) == repr(t)
    assert "<div class='nbgrad-wrap' style='display:none'>" in stripped
    # With it: the stylesheet hides the fallback and overrides the inline display:none of the card.
    assert re.search(r"\.nbgrad-text-repr-fallback\s*\{\s*display:\s*none;", css)
    assert re.search(r"\.nbgrad-wrap\s*\{[^}]*display:\s*[a-z-]+\s*!important", css)


def test_sections_fold_without_javascript_or_ids():
    x, y, z = evil_graph()
    z.backward(retain_graph=True)
    for html in (H.tensor_html(x), H.node_html(y.grad_fn)):
        assert "<details class='nbgrad-section' open><summary>" in html
        assert " id=" not in html and "<input" not in html


def test_plain_text_repr_is_unchanged():
    t = nbgrad.tensor([1.0, 2.0], requires_grad=True)
    assert repr(t) == "tensor([1., 2.], requires_grad=True)"
    assert repr(t * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert repr((t * 2).grad_fn) == "<MulBackward0>"


# ----- values -----

@pytest.mark.parametrize("t", [
    nbgrad.tensor(3.5),
    nbgrad.tensor([1.0, -2.5, 0.0, 4.25]),
    nbgrad.tensor([1.0, 1e-6, 12345.0]),  # scientific notation, as repr chooses
    nbgrad.tensor([[1, -2], [300, 4]]),
    nbgrad.tensor([True, False]),
    nbgrad.tensor([float("nan"), float("inf"), -1.0]),
    nbgrad.arange(24.0).reshape(2, 3, 4) - 12,
    nbgrad.arange(2000.0) / 7,  # summarised
    nbgrad.arange(40 * 50, dtype=nbgrad.float64).reshape(40, 50),  # summarised, float64
    nbgrad.arange(10 * 10 * 20.0).reshape(10, 10, 20) / 3,  # summarised slices
    nbgrad.ones(3, 4, 5, 6),  # 4-d, summarised leading dimensions
], ids=lambda t: "x".join(map(str, t.shape)) or "0-d")
def test_cells_show_exactly_what_repr_prints(t):
    shown, _ = cells(values_section(H.tensor_html(t)))
    assert shown == repr_numbers(t)


def test_summarising_follows_the_print_options(printoptions):
    t = nbgrad.arange(30.0).reshape(5, 6)
    assert len(cells(H.values_html(t.numpy()))[0]) == 30
    printoptions(threshold=10, edgeitems=1)
    html = H.values_html(t.numpy())
    assert cells(html)[0] == repr_numbers(t) == ["0.", "5.", "24.", "29."]
    assert html.count("<td class='nbgrad-gap'>") == 5  # a ⋮ row of 3 cells (⋮ … ⋮) and one … per value row
    printoptions(precision=2)
    assert cells(H.values_html(nbgrad.tensor([1 / 3]).numpy()))[0] == ["0.33"]


def test_slices_are_labelled_and_summarised_slices_marked(printoptions):
    t = nbgrad.arange(40.0).reshape(10, 2, 2)
    assert re.findall(r"<caption>(.*?)</caption>", H.values_html(t.numpy())) == [f"[{i}, :, :]" for i in range(10)]
    printoptions(threshold=20)
    html = H.values_html(t.numpy())
    assert re.findall(r"<caption>(.*?)</caption>", html) == [f"[{i}, :, :]" for i in (0, 1, 2, 7, 8, 9)]
    assert html.count("nbgrad-gap-slices") == 1
    assert cells(html)[0] == repr_numbers(t)


def test_empty_tensor():
    html = H.tensor_html(nbgrad.zeros(0, 3))
    assert "no elements" in html and "<table" not in html
    assert_safe_html(html)


def _luminance(hex_colour):
    channels = [int(hex_colour[i: i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a, b):
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_colour_scale_keeps_numbers_readable_and_encodes_sign_and_size():
    css = H.css()
    rule = re.search(r"table\.nbgrad-values td \{([^}]*)\}", css).group(1)
    text = re.search(r"(?<![-\w])color:\s*(#[0-9a-f]{6})", rule).group(1)
    plain = re.search(r"background-color:\s*(#[0-9a-f]{6})", rule).group(1)
    values = np.array([-4.0, -2.0, -0.5, 0.0, 0.5, 2.0, 4.0, np.nan, np.inf, -np.inf])
    shown, colours = cells(H.values_html(values))
    assert shown == repr_numbers(nbgrad.tensor(values))
    backgrounds = [c or plain for c in colours]
    # WCAG AA for normal text: contrast of at least 4.5:1 on every cell, the strongest colours included.
    for background in backgrounds:
        assert _contrast(text, background) >= 4.5, background
    by_value = dict(zip(values[:7], colours[:7]))
    assert by_value[0.0] is None and colours[7] is None  # zero and nan stay white
    for v in (0.5, 2.0, 4.0):
        red, _, blue = (int(by_value[v][i: i + 2], 16) for i in (1, 3, 5))
        assert red > blue  # positive: warm
        red, _, blue = (int(by_value[-v][i: i + 2], 16) for i in (1, 3, 5))
        assert blue > red  # negative: cool
    # larger magnitude, stronger colour; infinities take the ends of the scale
    assert _luminance(by_value[0.5]) > _luminance(by_value[2.0]) > _luminance(by_value[4.0])
    assert colours[8] == by_value[4.0] and colours[9] == by_value[-4.0]


# ----- tensor card -----

def test_tensor_card_shows_autograd_state_and_grad():
    w = nbgrad.tensor([[1.0, -1.0], [0.5, 2.0]], requires_grad=True)
    before = H.tensor_html(w)
    assert "<dt>.grad</dt><dd>None</dd>" in before and "<summary>.grad</summary>" not in before
    (w * w).sum().backward()
    html = H.tensor_html(w)
    for pair in (("shape", "(2, 2)"), ("dtype", "nbgrad.float32"), ("requires_grad", "True"),
                 ("grad_fn", "None"), ("is_leaf", "True")):
        assert "<dt>.{}</dt><dd>{}</dd>".format(*pair) in html  # spelt as the attribute: w.shape
    assert "<span class='nbgrad-kind'>Tensor</span>" in html
    grad_part = html[html.index("<summary>.grad</summary>"):]
    assert cells(grad_part)[0] == repr_numbers(w.grad) == ["2.", "-2.", "1.", "4."]


def test_parameter_card_says_parameter():
    p = nbgrad.nn.Parameter(nbgrad.tensor([1.0, 2.0]))
    html = shown(p)
    assert "<span class='nbgrad-kind'>Parameter</span>" in html
    assert "<pre class='nbgrad-text-repr-fallback'>Parameter containing:\ntensor([1., 2.], requires_grad=True)</pre>" in html


def test_non_leaf_card_names_its_grad_fn_without_warning():
    x = nbgrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the .grad property warns on non-leaves; the card must not
        html = H.tensor_html(y)
    assert "<dt>.grad_fn</dt><dd>&lt;ExpBackward0&gt;</dd>" in html
    assert "<dt>.is_leaf</dt><dd>False</dd>" in html
    assert "<dt>.grad</dt>" not in html  # not populated for a non-leaf: nothing to show
    y.retain_grad()
    y.sum().backward()
    assert cells(H.tensor_html(y).split("<summary>.grad</summary>")[1])[0] == ["1.", "1."]


# ----- node card -----

def test_node_card_lists_saved_values_and_inputs():
    x, y, z = evil_graph()
    c = nbgrad.tensor([1.0, 2.0])  # needs no gradient
    w = nbgrad.tensor([1.0, 1.0], requires_grad=True)
    v = w * c
    html = H.node_html(y.grad_fn)
    assert "<summary>saved (2)</summary>" in html
    assert "<span class='nbgrad-code'>self</span>" in html and "<span class='nbgrad-code'>other</span>" in html
    assert "<span class='nbgrad-kind'>autograd node</span><span class='nbgrad-name'>MulBackward0</span>" in html
    assert "<pre class='nbgrad-text-repr-fallback'>&lt;MulBackward0&gt;</pre>" in html
    assert html.count("(AccumulateGrad, 0)") == 2
    assert "(leaf " + escape(EVIL) + ", shape (2, 2))" in html
    inputs = H.node_html(v.grad_fn)
    assert "<summary>.next_functions (2)</summary>" in inputs
    assert "<li><span class='nbgrad-kind'>[0]</span><span class='nbgrad-code'>(AccumulateGrad, 0)</span>" in inputs
    assert "<li><span class='nbgrad-kind'>[1]</span>None <span class='nbgrad-note'>(this input needs no gradient)" \
        in inputs
    sum_card = H.node_html(z.grad_fn)
    assert "(SinBackward0, 0)" in sum_card
    assert "<span class='nbgrad-code'>self_sym_sizes</span>: <span class='nbgrad-code'>(2, 2)</span>" in sum_card


def test_node_card_after_backward_says_saved_values_were_freed():
    x, y, z = evil_graph()
    z.backward()
    assert y.grad_fn.saved_freed
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.grad_fn._saved_self
    html = H.node_html(y.grad_fn)
    assert "saved tensors freed by backward(); call backward(retain_graph=True)" in html
    assert html.count("(AccumulateGrad, 0)") == 2  # the structure remains


def test_accumulate_grad_card_shows_its_variable():
    x, y, z = evil_graph()
    z.backward()
    node = y.grad_fn.next_functions[0][0]
    html = shown(node)
    assert "<span class='nbgrad-name'>AccumulateGrad</span>" in html
    assert "<summary>.variable</summary>" in html and escape(EVIL) in html
    assert "none: gradients stop here" in html
    assert cells(values_section(html))[0] == repr_numbers(x)


# ----- determinism and layering -----

_SCRIPT = """
import nbgrad
from nbgrad.autograd.graph import get_gradient_edge
from nbgrad.display.html import tensor_html, node_html
nbgrad.manual_seed(0)
w = nbgrad.randn(3, 4, requires_grad=True); w.name = "w"
b = nbgrad.randn(3, requires_grad=True)
y = (w @ nbgrad.randn(4) + b).tanh().sum()
y.backward(retain_graph=True)
big = nbgrad.randn(4, 10, 30)
for html in (tensor_html(w), tensor_html(y), tensor_html(big), node_html(y.grad_fn),
             node_html(y.grad_fn.next_functions[0][0]), node_html(w.grad_fn or get_gradient_edge(b).node)):
    print(html)
"""


def _run(code, hash_seed):
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": hash_seed}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO,
                            check=True)
    return result.stdout


def test_html_is_byte_identical_across_fresh_processes():
    first, second = _run(_SCRIPT, "1"), _run(_SCRIPT, "2")
    assert first == second
    assert first.count("<div class='nbgrad-repr'>") == 6
    assert not re.search(r"0x[0-9a-f]{6,}", first)


def test_rendering_imports_no_notebook_libraries():
    code = (
        "import sys, nbgrad\n"
        "t = nbgrad.ones(2, requires_grad=True)\n"
        "loaded = [m for m in ('IPython', 'matplotlib', 'networkx', 'ipywidgets') if m in sys.modules]\n"
        "assert not loaded and 'nbgrad.display' not in sys.modules, loaded\n"
        "from nbgrad.display.html import node_html, tensor_html\n"
        "tensor_html(t); node_html((t * 2).grad_fn)\n"
        "print(sorted(m for m in ('IPython', 'matplotlib', 'networkx', 'ipywidgets') if m in sys.modules))\n"
    )
    assert _run(code, "0").strip() == "[]"
