"""nbgrad.display.trace: backward step by step, without touching .grad."""
import inspect
import re
from string import Template

import numpy as np
import pytest

import nbgrad
import nbgrad.nn.functional as F
from nbgrad.autograd import backward_pass
from nbgrad.autograd.function import AccumulateGrad
from nbgrad.display.trace import backward_trace
from nbgrad.ops import PRIMITIVES
from html_checks import assert_safe_html
from helpers import Cube, seed_graph as seed  # noqa: E402




def full(value, shape=(2, 2)):
    return np.full(shape, value, dtype=np.float32)


def test_seed_steps_in_order_with_their_numbers():
    t = seed()
    trace = backward_trace(t["out"], names=t)
    assert [s.op for s in trace] == ["MeanBackward0", "MulBackward0", "MulBackward0", "AddBackward0", "AccumulateGrad"]
    assert [s.output for s in trace] == ["out", "z", "y*y", "y", "x"]
    assert [s.index for s in trace] == [0, 1, 2, 3, 4]
    assert [s.node_id for s in trace] == ["op0", "op1", "op2", "op3", "v5"]
    expected_arriving = [np.float32(1.0), full(0.25), full(0.75), full(4.5), full(4.5)]
    for step, arriving in zip(trace, expected_arriving):
        np.testing.assert_array_equal(step.grad_output.numpy(), arriving)
    mean, mul3, mul_yy, add, acc = trace
    np.testing.assert_array_equal(mean.grad_inputs[0].numpy(), full(0.25))
    assert mul3.inputs == ("y*y", "3") and mul3.grad_inputs[1] is None  # the constant gets nothing
    np.testing.assert_array_equal(mul3.grad_inputs[0].numpy(), full(0.75))
    assert type(acc.node) is AccumulateGrad
    assert acc.node.variable is t["x"] and acc.grad_inputs == ()
    np.testing.assert_array_equal(acc.accumulated["x"].numpy(), full(4.5))
    assert add.accumulated == {}  # nothing reached a leaf before the last step


def test_shared_input_shows_partial_sums():
    t = seed()
    mul_yy = backward_trace(t["out"], names=t)[2]
    assert mul_yy.inputs == ("y", "y")
    (first, n1, of1), (second, n2, of2) = mul_yy.sums
    np.testing.assert_array_equal(first, full(2.25))  # half of y's gradient: only one use has sent its share
    assert (n1, of1) == (1, 2)
    np.testing.assert_array_equal(second, full(4.5))
    assert (n2, of2) == (2, 2)
    a = nbgrad.tensor(2.0, requires_grad=True)
    b = a + a
    c = b * b
    trace = backward_trace(c, names={"a": a, "b": b, "c": c})
    assert [s.op for s in trace] == ["MulBackward0", "AddBackward0", "AccumulateGrad"]
    assert [(float(total), n, of) for total, n, of in trace[0].sums] == [(4.0, 1, 2), (8.0, 2, 2)]
    assert [(float(total), n, of) for total, n, of in trace[1].sums] == [(8.0, 1, 2), (16.0, 2, 2)]
    assert trace.gradients(0) == {"v0": pytest.approx(1.0), "v1": pytest.approx(8.0)}
    assert trace.gradients()["v2"] == pytest.approx(16.0)


def test_rules_as_text_and_latex_with_numbers_filled_in():
    t = seed()
    mean, mul3, mul_yy, add, acc = backward_trace(t["out"], names=t)
    assert mul3.rule == "`z` = a · b;  ∂`z`/∂a = b,  ∂`z`/∂b = a   where a is `y*y`, b is `3`"
    assert mul3.rule_latex == (r"z = \left(y \cdot y\right) \cdot 3,"
                               r"\qquad \frac{\partial z}{\partial \left(y \cdot y\right)} = 3")
    assert mul_yy.rule_latex == (
        r"y \cdot y,\qquad \frac{\partial \left(y \cdot y\right)}{\partial y}\ \text{(as }a\text{)} = y = 3.,"
        r"\qquad \frac{\partial \left(y \cdot y\right)}{\partial y}\ \text{(as }b\text{)} = y = 3.")
    assert mean.rule.startswith("`out` = (1/n) Σᵢ aᵢ;  ∂`out`/∂aᵢ = 1/n   where a is `z`, n = 4")
    assert r"\frac{\partial \mathrm{out}}{\partial z} = \frac{1}{4} = 0.2500" in mean.rule_latex
    np.testing.assert_array_equal(mul_yy.local[0], full(3.0))  # ∂(y·y)/∂a = b = y = 3
    assert acc.rule.startswith("x.grad += ")
    assert acc.rule_latex == r"x.\mathrm{grad} \mathrel{+}= \frac{\partial \mathrm{out}}{\partial x}"


def test_rule_text_cannot_mix_up_the_users_names_with_the_rules_letters():
    """Values named like the rule's letters (a, b) stay apart from them: the user's names are in backquotes."""
    a = nbgrad.tensor(2.0, requires_grad=True)
    b = nbgrad.tensor(3.0, requires_grad=True)
    c = b * a
    d = nbgrad.tensor([1.0, 2.0]) + a
    assert backward_trace(c, names={"a": a, "b": b, "c": c})[0].rule == (
        "`c` = a · b;  ∂`c`/∂a = b,  ∂`c`/∂b = a   where a is `b`, b is `a`")
    assert backward_trace(d.sum(), names={"a": a, "b": d})[1].rule == (
        "`b` = a + α·b (α = alpha, usually 1);  ∂`b`/∂a = 1,  ∂`b`/∂b = α   "
        "where a is a constant, b is `a`, alpha = 1")
    W, v = nbgrad.ones(2, 2, requires_grad=True), nbgrad.ones(2)
    tensors = nbgrad.stack([W @ v, nbgrad.zeros(2)])  # W @ v: "A v for a matrix and a vector" has an "a" too
    rules = [s.rule for s in backward_trace(tensors.sum(), names={"W": W, "v": v, "tensors": tensors})]
    assert rules[1].endswith("where tensors are `W@v`, a constant")
    assert rules[2].endswith("where A is `W`, v is `v`")


def test_local_derivatives_come_from_the_ops_own_rule():
    x = nbgrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
    out = (x.tanh() ** 2).sum()
    trace = backward_trace(out, names={"x": x})
    by_op = {s.op: s for s in trace}
    tanh = np.tanh(np.array([0.5, -1.0, 2.0], dtype=np.float32))
    np.testing.assert_allclose(by_op["PowBackward0"].local[0], 2 * tanh, rtol=1e-6)
    np.testing.assert_allclose(by_op["TanhBackward0"].local[0], 1 - tanh ** 2, rtol=1e-6)
    np.testing.assert_array_equal(by_op["SumBackward0"].local[0], np.ones(3, np.float32))
    w = nbgrad.randn(3, 2, requires_grad=True)
    mm = backward_trace((nbgrad.randn(4, 3) @ w).sum())
    assert [s.local for s in mm if s.op == "MmBackward0"] == [(None, None)]  # not element by element: no numbers


def test_tracing_changes_no_grad_and_frees_nothing_until_applied():
    t = seed()
    t["x"].grad = nbgrad.ones(2, 2)
    first = backward_trace(t["out"], names=t)
    second = backward_trace(t["out"], names=t)  # the graph is still there: it can be traced again
    assert first.to_text() == second.to_text()
    np.testing.assert_array_equal(t["x"].grad.numpy(), full(1.0))
    assert t["z"].grad_fn.saved_tensors  # nothing was freed
    first.apply()
    np.testing.assert_array_equal(t["x"].grad.numpy(), full(5.5))  # accumulated, as backward() does
    with pytest.raises(RuntimeError, match="already been applied"):
        first.apply()
    np.testing.assert_array_equal(t["x"].grad.numpy(), full(5.5))
    t["out"].backward()  # apply() kept the graph, as retain_graph=True would
    np.testing.assert_array_equal(t["x"].grad.numpy(), full(10.0))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        backward_trace(t["out"])


def test_the_trace_is_the_engines_own_walk():
    t = seed()
    executed = backward_pass(t["out"]).run().executed
    assert [s.node for s in backward_trace(t["out"])] == executed


def test_gradient_argument_and_errors_as_backward():
    x = nbgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    w = nbgrad.tensor([0.1, 1.0, 10.0])
    trace = backward_trace(y, w, names={"x": x})
    np.testing.assert_allclose(trace[-1].accumulated["x"].numpy(), [0.2, 2.0, 20.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        backward_trace(y)
    with pytest.raises(RuntimeError, match="does not require grad"):
        backward_trace(nbgrad.tensor(1.0))
    assert x.grad is None


def test_leaf_gradients_match_backward_across_many_ops():
    nbgrad.manual_seed(0)

    def build():
        nbgrad.manual_seed(1)
        a = nbgrad.rand(3, 4, requires_grad=True)
        b = nbgrad.rand(4, requires_grad=True)
        h = (a * b + 1).sigmoid() - (a / (b + 2)).exp().log() + a.sqrt().sin().cos()
        h = h.relu() + h.abs().clamp(0.1, 0.9) + h.maximum(a) + nbgrad.where(a > 0.5, a, h) + h.reciprocal()
        h = h.tanh() ** 2 + (-h) + 2 ** h + h ** b.unsqueeze(0) - 1.5
        m = h @ b.unsqueeze(1)
        s = h.softmax(1).sum(1).mean() + h.log_softmax(0).mean(0).sum() + h.var(1).sum() + h.std(0).sum()
        s = s + h.max() + h.amax(1).sum() + h.prod() + h[1:, ::2].sum() + h[0, 1] + h.t().reshape(12)[3]
        s = s + nbgrad.cat([h, a], 0).sum() + nbgrad.stack([h, a]).permute(2, 0, 1).sum() + m.squeeze(1).sum()
        s = s + a.unsqueeze(0).expand(2, 3, 4).sum() + F.mse_loss(h, a) + h.max(1)[0].sum()
        s = s + F.cross_entropy(h, nbgrad.tensor([0, 3, 1])) + (h @ b).sum() + b.dot(b) + h[[0, 2]].sum()
        return s, {"a": a, "b": b, "h": h}

    out, names = build()
    trace = backward_trace(out, names=names)
    fresh, fresh_names = build()
    fresh.backward()
    for leaf in ("a", "b"):
        np.testing.assert_allclose(trace[-1].accumulated[leaf].numpy(), fresh_names[leaf].grad.numpy(), rtol=1e-6)
    ops = {s.op for s in trace}
    assert len(ops) > 35  # the graph really covers most primitives
    for s in trace:
        assert "$" not in s.rule_latex, (s.op, s.rule_latex)  # every template symbol was filled in
        assert s.rule and s.rule_latex
        assert_well_formed(s.rule_latex)


def assert_well_formed(latex):
    """Braces balance (ignoring escaped ones) and every \\left has its \\right: MathJax can typeset it."""
    depth = 0
    for brace in re.findall(r"(?<!\\)[{}]", latex):
        depth += 1 if brace == "{" else -1
        assert depth >= 0, latex
    assert depth == 0, latex
    assert latex.count(r"\left") == latex.count(r"\right"), latex


def test_every_primitive_has_a_rule_the_trace_can_fill_in():
    nbgrad._lazy.load_all()  # the op families that load at first use, all of them
    for cls in PRIMITIVES:
        if cls.__name__.startswith("_"):  # shared bases, never a node of a graph
            continue
        rule = cls.rule
        assert rule is not None and rule.text and rule.latex, f"{cls.__name__} has no rule in words and in LaTeX"
        names = set(inspect.signature(cls.forward).parameters)
        # the output, then one derivative per input at most (the last one serves the inputs after it)
        assert 2 <= len(rule.latex) <= len(names), f"{cls.__name__}: {len(rule.latex)} LaTeX templates"
        used = set()
        for template in rule.latex:
            used |= set(Template(template).get_identifiers())
        unknown = used - names
        assert not unknown or rule.params is not None, f"{cls.__name__}: {unknown} is no argument, no parameter"


def test_a_custom_function_gets_a_rule_from_its_name():
    x = nbgrad.tensor(2.0, requires_grad=True)
    y = Cube.apply(x)
    step = backward_trace(y, names={"x": x, "y": y})[0]
    assert step.op == "CubeBackward"
    assert step.rule == "y = Cube(x); its derivative is what Cube.backward computes"
    assert r"y = \operatorname{Cube}(x)" in step.rule_latex and "Cube.backward" in step.rule_latex
    assert step.local == (None,)
    assert float(step.grad_inputs[0]) == 12.0


def test_text_table_is_deterministic_and_shows_the_pass():
    texts = [backward_trace(t["out"], names=t).to_text() for t in (seed(), seed())]
    assert texts[0] == texts[1]
    text = texts[0]
    assert text.splitlines()[0] == ("Backward pass from out: 5 steps, nothing written to .grad "
                                    "(call .apply() to write it).")
    assert "step 3  MulBackward0  `y*y` = a · b;" in text  # numbered from 1, like the stepper's frames
    sends = r"→ y +local 3\. \(all 2×2\) +sends 2\.2500 \(all 2×2\) +"
    assert re.search(sends + r"sum so far 2\.2500 \(all 2×2\) \(1 of 2 arrived\)", text)
    assert re.search(sends + r"complete: 4\.5000 \(all 2×2\)", text)
    assert "∂out/∂(y*y) arrives:  0.7500 (all 2×2)" in text
    assert text.splitlines()[-1] == "leaf gradients: x = 4.5000 (all 2×2)"
    t = seed()
    assert str(backward_trace(t["out"], names=t)) == text


def test_step_html_escapes_every_user_string():
    label = "<img src=x onerror=alert(1)>"
    x = nbgrad.tensor(3.0, requires_grad=True)
    out = x * x
    trace = backward_trace(out, names={label: x, "cost$_{}": out})
    for i in range(len(trace)):
        html = trace.step_html(i)
        assert_safe_html(html, forbidden_text=[label])
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        maths = re.search(r"<div class='nbgrad-step-rule'>(.*?)</div>", html).group(1)
        assert len(re.findall(r"(?<!\\)\$", maths)) == 2  # only the delimiters: the label's $ is escaped
    assert r"\mathrm{cost\$\_\{\}}" in trace[0].rule_latex
    assert_well_formed(trace[0].rule_latex)
    assert "Step 1 of 2" in trace.step_html(0) and "MulBackward0" in trace.step_html(0)


def test_the_graph_of_a_step_shows_only_what_this_pass_has_computed():
    values = seed()
    values["out"].backward(retain_graph=True)  # x.grad is now 4.5: an earlier pass, not this trace's
    trace = backward_trace(values["out"])
    (leaf,) = [a for _, a in trace.graph(0).nodes(data=True) if a["kind"] == "leaf"]
    assert leaf["grad"] is None  # not reached after the first step
    (leaf,) = [a for _, a in trace.graph(len(trace) - 1).nodes(data=True) if a["kind"] == "leaf"]
    np.testing.assert_allclose(leaf["grad"], 4.5)
