"""The text layer of nbgrad.display in the learner's language, its numbers as print() shows them, and explain().

English output is held by the other tests of this folder; here: the same functions in Simplified Chinese leave
no English sentence (PyTorch's own messages and identifiers aside), numbers agree with the tensor's own print,
and explain() recognises each error it names, from the real error.
"""
import html
import re
import warnings

import numpy as np
import pytest

import nbgrad
from nbgrad.autograd.graph import op_of
from nbgrad.display import explain
from nbgrad.display.errors import KINDS
from nbgrad.display.formatting import literal, number, summary
from nbgrad.display.html import node_html, tensor_html, values_html
from nbgrad.display.trace import backward_trace
from nbgrad.display.training import TrainingMonitor
from nbgrad.i18n import rule_text
from helpers import Cube, fresh_shell, seed_graph as seed
from html_checks import assert_safe_html
from i18n_checks import english_sentences


@pytest.fixture
def zh():
    nbgrad.set_language("zh")
    yield
    nbgrad.set_language(None)


@pytest.fixture
def en():
    nbgrad.set_language("en")
    yield
    nbgrad.set_language(None)


def without_rules(text, trace):
    """``text`` without the ops' rules in words: their Chinese is the rules' own test (tests/project)."""
    for step in trace:
        op = op_of(step.node)
        if op is not None and getattr(op, "rule", None) is not None:
            words = rule_text(op)
            text = text.replace(words, " ").replace(html.escape(words), " ")
    return text


# ----- numbers: as print() shows them -----

VALUES = [1.9801, 0.9901, 27.0, 4.5, 0.25, 1 / 3, 1e-5, 123456789.0, -2.5, 0.0, -0.0, 1e8, 0.0001, 12345.678,
          float("nan"), float("inf"), -float("inf")]


def printed(tensor):
    """What print(tensor) shows inside ``tensor(...)``."""
    return re.fullmatch(r"tensor\((.*?)(, dtype=\S+)?\)", repr(tensor), re.S).group(1)


@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize("dtype", [nbgrad.float32, nbgrad.float64])
def test_a_number_reads_as_print_shows_its_tensor(value, dtype):
    t = nbgrad.tensor(value, dtype=dtype)
    assert number(t.numpy()) == summary(t.numpy()) == printed(t)
    assert number(value) == printed(nbgrad.tensor(value, dtype=nbgrad.float64))  # a Python float: a float64


@pytest.mark.parametrize("values", [[0.9901, 1.9801], [1.0, 2.0], [1e-5, 1.0, 2.0], [-1.5, 0.25, 3.0, 7.0],
                                    [[1.9801, 2.0], [3.0, 4.0]], [1, 2, 3], [True, False]])
def test_a_small_array_reads_as_print_shows_it(values):
    t = nbgrad.tensor(values)
    assert re.sub(r"\s", "", summary(t.numpy())) == re.sub(r"\s", "", printed(t))  # print pads, we do not


@pytest.mark.parametrize("values", [[1.9801], [0.9901, 1.9801], [1e-5, 1.0, 2.0], [123456789.0, 1.0], [2.0, float("nan")],
                                    [0.0, -0.0], [1e-4, 0.1], [float(v) for v in np.linspace(-3, 3, 16)]])
def test_numbers_agree_with_pytorchs_own_print(values, torch):
    """The summaries (and repr's short path for a few numbers) against PyTorch itself."""
    ours = nbgrad.tensor(values)
    theirs = repr(torch.tensor(values))
    assert repr(ours) == theirs
    if 1 < len(values) <= 4 and len(set(values)) > 1:  # one number, or all equal, is shown on its own
        assert re.sub(r"\s", "", summary(ours.numpy())) == re.sub(r"\s", "", printed(ours))


def test_a_large_array_shows_its_range_as_print_would_show_those_numbers():
    data = np.linspace(-1.9801, 2.5, 20, dtype=np.float32).reshape(4, 5)
    assert summary(data) == "4×5 [-1.9801 … 2.5000]"
    assert summary(data, with_shape=False) == "[-1.9801 … 2.5000]"


def test_the_trace_and_a_gradient_print_the_same_digits():
    w = nbgrad.tensor([0.1, 0.0], requires_grad=True)  # lesson 4: w·x + b = 0.1, so w.grad = (0.9901, 1.9801)
    b = nbgrad.tensor(0.0, requires_grad=True)
    n = (w @ nbgrad.tensor([1.0, 2.0]) + b).tanh()
    trace = backward_trace(n, names={"w": w, "b": b, "n": n})
    n.backward()
    shown = printed(w.grad)
    assert "1.9801" in shown  # 4 significant digits would show 1.98
    assert f"w = {shown}" in trace.to_text()
    assert f"w = {shown}" in trace.step_html(len(trace) - 1)


def test_literals_are_spelled_as_the_code_spells_them():
    assert [literal(v) for v in (2, 2.0, 0.5, 1.9801, np.float32(0.1), 1e-05, True)] == [
        "2", "2", "0.5", "1.9801", "0.1", "1e-05", "True"]
    x = nbgrad.tensor(1.0, requires_grad=True)
    assert backward_trace(x * 1.9801, names={"x": x})[0].inputs == ("x", "1.9801")


# ----- the trace -----

def test_step_html_shows_the_users_names_as_code_not_backquotes(en):
    t = seed()
    trace = backward_trace(t["out"], names=t)
    for i, step in enumerate(trace):
        rule = re.search(r"<div class='nbgrad-step-rule-text'>(.*?)</div>", trace.step_html(i)).group(1)
        assert "`" not in rule
        if step.op == "MulBackward0" and step.output == "z":
            assert rule.startswith("<code>z</code> = a · b;  ∂<code>z</code>/∂a = b")
            assert rule.endswith("where a is <code>y*y</code>, b is <code>3</code>")
    assert trace[1].rule == "`z` = a · b;  ∂`z`/∂a = b,  ∂`z`/∂b = a   where a is `y*y`, b is `3`"  # plain text keeps them


def test_step_html_escapes_names_in_code():
    x = nbgrad.tensor(3.0, requires_grad=True)
    label = "<b>`x`</b>"
    trace = backward_trace(x * x, names={label: x})
    html_text = trace.step_html(0)
    assert_safe_html(html_text, forbidden_text=[label])
    assert "<code>&lt;b&gt;`x`&lt;/b&gt;</code>" in html_text


def test_the_trace_speaks_chinese(zh):
    t = seed()
    trace = backward_trace(t["out"], names=t)
    text = trace.to_text()
    assert text.startswith("从 out 开始的反向传播：共 5 步")
    assert "第 3 步" in text and "局部导数" in text and "叶子节点的梯度：x = 4.5000（全部 2×2）" in text
    for shown in [text, repr(trace)] + [trace.step_html(i) for i in range(len(trace))]:
        assert english_sentences(without_rules(shown, trace)) == [], shown
    trace.apply()
    assert english_sentences(trace.to_text()) == []
    with pytest.raises(RuntimeError) as error:
        trace.apply()
    assert english_sentences(str(error.value)) == []


def test_the_trace_lines_up_chinese_columns(zh):
    t = seed()
    rows = [line for line in backward_trace(t["out"], names=t).to_text().splitlines() if "→ y " in line]
    from nbgrad.display.trace import _width

    starts = {_width(row[:row.index("送出")]) for row in rows}
    assert len(rows) == 2 and len(starts) == 1  # a Chinese character is two columns wide


def test_a_custom_function_and_a_shared_input_in_chinese(zh):
    x = nbgrad.tensor(2.0, requires_grad=True)
    y = Cube.apply(x)
    step = backward_trace(y, names={"x": x, "y": y})[0]
    assert step.rule == "y = Cube(x)；它的导数就是 Cube.backward 算出的结果"
    assert r"\text{Cube.backward 算出的结果}" in step.rule_latex
    a = nbgrad.tensor(2.0, requires_grad=True)
    trace = backward_trace(a * a, names={"a": a})
    assert r"\text{(作为 }a\text{)}" in trace[0].rule_latex


# ----- cards, training -----

def test_cards_speak_chinese(zh):
    x = nbgrad.tensor([1.0, -2.0], requires_grad=True)
    x.name = "x"
    y = (x * x).exp()
    loss = y.sum()
    loss.backward()
    shown = [tensor_html(x), tensor_html(loss), node_html(y.grad_fn), node_html(loss.grad_fn),
             node_html(x.grad.grad_fn or y.grad_fn.next_functions[0][0]), values_html(np.zeros((0,))),
             node_html((nbgrad.tensor([1.0]) * nbgrad.tensor([2.0], requires_grad=True)).grad_fn)]
    assert any("保存的张量已被 backward() 释放" in s for s in shown)
    assert any("叶子节点 x" in s for s in shown) and any("这个输入不需要梯度" in s for s in shown)
    for s in shown:
        assert english_sentences(s) == [], s


def test_the_training_monitor_speaks_chinese(zh, capsys):
    monitor = TrainingMonitor(steps=3, live=False)
    for loss in (1.0, 0.5, 0.25):
        monitor.update(loss)
    out = capsys.readouterr().out
    assert out.splitlines() == ["第 3/3 步  损失 0.2500", "训练了 3 步：损失 1. -> 0.2500"]
    with pytest.raises(RuntimeError) as error:
        monitor.update(0.1)
    assert english_sentences(str(error.value)) == []


def test_the_training_pictures_speak_chinese(zh):
    pytest.importorskip("matplotlib")
    nbgrad.manual_seed(0)
    X = nbgrad.randn(20, 1)
    model = nbgrad.nn.Linear(1, 1)
    monitor = TrainingMonitor(steps=2, model=model, X=X, y=X * 2, live=True)
    monitor.losses.append(0.5)  # one step recorded, without a notebook to show it in
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        monitor._render()
    from nbgrad.display.figure import font_family

    if len(font_family("DejaVu Sans")) > 1:  # a font with Chinese characters is installed: every glyph is drawn
        assert not [w for w in caught if "missing from font" in str(w.message)]
    texts = [ax.get_title() for ax in monitor._figure.axes] + [ax.get_xlabel() for ax in monitor._figure.axes]
    texts += [t.get_text() for ax in monitor._figure.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert {"损失", "步数", "模型", "数据"} <= set(texts)
    assert all(english_sentences(t) == [] for t in texts)


# ----- explain -----

def _backward_twice():
    x = nbgrad.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward()
    loss.backward()


def _inplace_saved():
    b = nbgrad.tensor([1.0, 2.0], requires_grad=True).exp()
    b += 1
    b.sum().backward()


def _leaf_inplace():
    w = nbgrad.tensor([0.5], requires_grad=True)
    w -= 0.1


def _leaf_view_inplace():
    w = nbgrad.tensor([0.5], requires_grad=True)
    w[0] = 0.0


def _non_leaf_grad():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (nbgrad.tensor([1.0], requires_grad=True) * 3).grad
    return caught[0]


ERRORS = {
    "backward_twice": [_backward_twice],
    "non_scalar": [lambda: (nbgrad.ones(2, requires_grad=True) * 2).backward()],
    "inplace_saved": [_inplace_saved],
    "int_requires_grad": [lambda: nbgrad.tensor([1, 2], requires_grad=True),
                          lambda: nbgrad.arange(3).requires_grad_()],
    "matmul_shape": [lambda: nbgrad.ones(2, 3) @ nbgrad.ones(2, 3)],
    "broadcast": [lambda: nbgrad.ones(2, 3) + nbgrad.ones(2)],
    "bad_reshape": [lambda: nbgrad.arange(6.0).reshape(4, 2)],
    "grad_shape": [lambda: (nbgrad.ones(2, requires_grad=True) * 2).backward(nbgrad.ones(3))],
    "leaf_inplace": [_leaf_inplace, _leaf_view_inplace],
    "numpy_requires_grad": [lambda: nbgrad.ones(2, requires_grad=True).numpy()],
    "non_leaf_grad": [_non_leaf_grad],
    "no_grad_fn": [lambda: (nbgrad.ones(2) * 2).sum().backward()],
}


def caught(make):
    try:
        result = make()
    except Exception as error:  # noqa: BLE001 - the error is what we want
        return error
    assert isinstance(result, warnings.WarningMessage), "this should have raised"
    return result


def test_every_kind_is_tested():
    assert set(ERRORS) == set(KINDS)


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("kind, make", [(k, m) for k, makes in ERRORS.items() for m in makes])
def test_explain_recognises_the_real_error(kind, make, language):
    nbgrad.set_language(language)
    try:
        error = caught(make)
        explanation = explain(error)
        assert explanation.kind == kind and explanation
        original = error.message if isinstance(error, warnings.WarningMessage) else error
        headline = f"{type(original).__name__}: {original}"
        text = str(explanation)
        assert text.startswith(headline + "\n")  # PyTorch's message first, unchanged
        advice = text[len(headline):]
        assert explanation.why in advice and explanation.fix in advice
        page = explanation._repr_html_()
        assert_safe_html(page)
        assert html.escape(headline) in page and "`" not in page
        if language == "zh":
            assert english_sentences(advice) == [] and english_sentences(explanation.advice_html()) == []
            assert advice.lstrip().startswith("原因。")
        else:
            assert advice.lstrip().startswith("Why. ") and "\nFix. " in advice
    finally:
        nbgrad.set_language(None)


@pytest.mark.parametrize("make", [lambda: nbgrad.ones(2)[5], lambda: nbgrad.cat([nbgrad.ones(2), nbgrad.ones(2, 2)]),
                                  lambda: int("x"), lambda: nbgrad.ones(2).item()])
def test_explain_leaves_other_errors_alone(make):
    error = caught(make)
    explanation = explain(error)
    assert explanation.kind is None and not explanation
    assert str(explanation) == f"{type(error).__name__}: {error}"
    assert explanation.advice_html() == ""


def test_explain_takes_only_errors_and_warnings():
    with pytest.raises(TypeError, match="exception or a warning"):
        explain("Trying to backward through the graph a second time")


# ----- %load_ext nbgrad: the explanation under the traceback -----

@pytest.fixture
def shell():
    pytest.importorskip("IPython")
    from IPython.core.displaypub import CapturingDisplayPublisher

    shell = fresh_shell()
    shell.display_pub = CapturingDisplayPublisher()
    shell.run_cell("import nbgrad\nx = nbgrad.tensor([1.0, 2.0], requires_grad=True)").raise_error()
    yield shell
    nbgrad.unload_ipython_extension(shell)
    shell.history_manager.end_session()


def test_the_extension_explains_recognised_errors_after_the_traceback(shell, capsys):
    shell.run_cell("%load_ext nbgrad")
    capsys.readouterr()
    result = shell.run_cell("loss = (x * x).sum()\nloss.backward()\nloss.backward()")
    out = capsys.readouterr().out
    assert isinstance(result.error_in_exec, RuntimeError)
    assert "Traceback" in out and "Trying to backward through the graph a second time" in out
    (published,) = shell.display_pub.outputs
    explanation = explain(result.error_in_exec)
    assert published["data"]["text/plain"] == explanation.advice_text()
    assert explanation.advice_html() in published["data"]["text/html"]


def test_the_extension_explains_in_the_learners_language(shell, capsys, zh):
    shell.run_cell("%load_ext nbgrad")
    shell.run_cell("x.numpy()")
    (published,) = shell.display_pub.outputs
    assert published["data"]["text/plain"].startswith("原因。")
    assert english_sentences(published["data"]["text/html"]) == []


def test_the_extension_leaves_other_errors_alone(shell, capsys):
    capsys.readouterr()
    shell.run_cell("nbgrad.ones(2)[5]")
    plain = capsys.readouterr()
    shell.run_cell("%load_ext nbgrad")
    capsys.readouterr()
    result = shell.run_cell("nbgrad.ones(2)[5]")
    assert isinstance(result.error_in_exec, IndexError)
    assert capsys.readouterr() == plain and shell.display_pub.outputs == []
    shell.run_cell("raise RuntimeError('something else')")
    assert "something else" in capsys.readouterr().out and shell.display_pub.outputs == []


def test_unloading_puts_back_the_handler_that_was_there(shell, capsys):
    seen = []
    shell.set_custom_exc((ValueError,), lambda self, etype, value, tb, tb_offset=None: seen.append(value))
    before = (shell.custom_exceptions, shell.CustomTB)
    shell.run_cell("%load_ext nbgrad")
    assert shell.CustomTB is not before[1]
    shell.run_cell("int('x')")  # not nbgrad's: the user's handler still gets it
    assert len(seen) == 1 and shell.display_pub.outputs == []
    shell.run_cell("%unload_ext nbgrad")
    assert (shell.custom_exceptions, shell.CustomTB) == before
    shell.run_cell("x.numpy()")
    assert shell.display_pub.outputs == []  # no explanation any more
    shell.run_cell("%load_ext nbgrad")
    shell.run_cell("x.numpy()")
    assert len(shell.display_pub.outputs) == 1  # and back after a reload


def test_the_magics_speak_chinese(shell, capsys, zh):
    shell.run_cell("%load_ext nbgrad")
    for line in ("%nbgrad", "%nbgrad config colour=red", "%nbgrad config show_graph=1", "%nbgrad_trace",
                 "%nbgrad_trace 3", "%nbgrad_graph loss +"):
        capsys.readouterr()
        shell.run_cell(line)
        err = capsys.readouterr().err
        assert err.startswith("UsageError: ") and english_sentences(err) == [], err
