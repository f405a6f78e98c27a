"""An op declared in one place gets everything else with no other edit: its node's name, its public
function, a trace line, a LaTeX rule and a drawing label (CONTRIBUTING.md, "How to add an op")."""
import numpy as np
import pytest

pytest.importorskip("networkx", reason="drawing labels need networkx: pip install -e .[notebook]")

import nbgrad  # noqa: E402
from nbgrad.display.graph import to_networkx  # noqa: E402
from nbgrad.display.trace import backward_trace  # noqa: E402
from nbgrad.ops import PRIMITIVES, Primitive, Rule  # noqa: E402
from nbgrad.ops._base import saved  # noqa: E402


@pytest.fixture
def cube():
    class Cube(Primitive):
        rule = Rule("a³;  ∂/∂a = 3a²", latex=("$a^{3}", r"3 $a^{2}"))
        postfix = "**3", "^{{3}}"  # format strings, as Pow's "**{exponent}" (braces doubled)
        functions = ("toy_cube",)
        saved_names = ("self",)

        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a._data ** 3

        @staticmethod
        def backward(ctx, grad):
            (a,) = saved(ctx, grad)
            return grad * 3 * a * a

    try:
        yield Cube
    finally:
        PRIMITIVES.remove(Cube)  # the meta-test wants a gradient check for every registered op


def test_a_toy_op_gets_its_name_function_trace_latex_and_label(cube):
    x = nbgrad.tensor([1.0, 2.0], requires_grad=True)
    y = nbgrad.toy_cube(x)  # the public function, derived from `functions`
    assert y.grad_fn.name() == "CubeBackward0"
    assert cube.__doc__.startswith("a³;  ∂/∂a = 3a²")
    out = y.sum()
    step = backward_trace(out, names={"x": x})[1]
    assert step.op == "CubeBackward0"
    assert step.rule == "`x**3` = a³;  ∂`x**3`/∂a = 3a²   where a is `x`"
    # the LaTeX rule, with the operand's name and its local derivative's values filled in
    assert step.rule_latex == r"x^{3},\qquad \frac{\partial \left({x}^{3}\right)}{\partial x} = 3 x^{2} = \text{[3., 12.]}"
    labels = {attrs["op"]: attrs["label"] for _, attrs in to_networkx(out).nodes(data=True) if attrs["op"]}
    assert labels["CubeBackward0"] == "**3"
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0])


def test_a_toy_op_without_a_method_is_applied_directly(cube):
    assert not hasattr(nbgrad.Tensor, "toy_cube")
    assert nbgrad.toy_cube(nbgrad.tensor(2.0)).item() == 8.0
    with pytest.raises(AttributeError):
        nbgrad.no_such_function  # noqa: B018
