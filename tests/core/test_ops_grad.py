"""Gradients of every primitive op, checked against finite differences over generated inputs.

Every test goes through ``helpers.check_grad`` (first and second derivatives against NumPy central
differences, float32 dtypes, and, where given, the forward against NumPy). Inputs are kept away from
kinks so that the differences never straddle one; the values chosen *at* the kinks are tested separately
with exact expected numbers. ``COVERAGE`` maps every registered primitive to the test that checks it and
``test_every_primitive_has_a_gradient_test`` fails for a primitive missing from it.
"""
import importlib
import inspect
import numbers
import re
import sys
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nbgrad
import nbgrad.nn.functional as F
from helpers import (
    SETTINGS, arrays, away_from_zero, check_grad, floats, on_grid, recording, shapes,
)
from nbgrad.autograd import GradcheckError, grad, gradcheck, gradgradcheck
from nbgrad.ops import (
    PRIMITIVES, elementwise as E, index as I, linalg as L, loss as LO, reduce as R, shape as S, views as V,
)
from nbgrad.ops import backward as B

COVERAGE = {}  # primitive class -> the test function that checks its gradient


def covers(*ops, per=None):
    """Register a test as the gradient test of ``ops``; fail it unless the graphs it checked used them all.

    A test parametrized over the argument ``per`` passes one dict instead: value -> the ops it covers.
    """
    table = ops[0] if per else {None: ops}

    def register(test):
        def run(**params):
            with recording() as seen:
                test(**params)
            missing = [op.__name__ for op in table[params.get(per)] if op not in seen]
            assert not missing, f"{test.__name__}{params or ''} never built {missing}"

        run.__name__ = run.__qualname__ = test.__name__
        run.__module__ = test.__module__
        run.__doc__ = test.__doc__
        run.__signature__ = inspect.signature(test)  # the parametrized arguments (hypothesis drops its own)
        run.pytestmark = getattr(test, "pytestmark", [])
        for group in table.values():
            for op in group:
                COVERAGE.setdefault(op, run)  # the first test to claim an op is the one named for it
        return run

    return register


def f64(values):
    return nbgrad.tensor(values, dtype=nbgrad.float64, requires_grad=True)


def dim_of(ndim, extra=0):
    """One dim (any sign) of a tensor with ``ndim + extra`` dims; a 0-d tensor takes 0 and -1, as in PyTorch."""
    n = max(ndim + extra, 1)
    return st.integers(-n, n - 1)


def dims_of(draw, ndim, *, allow_none=True):
    """A reduction's ``dim``: None, an int, a tuple of distinct ints (any sign), or () (all dims, as in PyTorch)."""
    kind = draw(st.sampled_from((["none"] if allow_none else []) + ["int", "tuple", "empty"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(dim_of(ndim))
    if kind == "empty" or ndim == 0:
        return ()
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(d - ndim if draw(st.booleans()) else d for d in chosen)


def numpy_axes(dim, ndim):
    """A reduction's ``dim`` as NumPy's ``axis``: None and () are every dim; a 0-d tensor has none."""
    if ndim == 0:
        return ()
    if dim is None or dim == ():
        return None
    return dim if isinstance(dim, numbers.Integral) else tuple(dim)


def reduced_count(shape, dim):
    axes = numpy_axes(dim, len(shape))
    axes = range(len(shape)) if axes is None else ((axes,) if isinstance(axes, numbers.Integral) else axes)
    return int(np.prod([shape[d] for d in axes]))


# ============================================================== element-wise, one input

class Unary(NamedTuple):
    op: type
    fn: Callable
    reference: Callable
    elements: st.SearchStrategy = floats()


UNARY = {
    "neg": Unary(E.Neg, lambda x: -x, np.negative),
    "exp": Unary(E.Exp, lambda x: x.exp(), np.exp),
    "log": Unary(E.Log, lambda x: x.log(), np.log, floats(0.3, 4.0)),
    "log1p": Unary(E.Log1p, lambda x: x.log1p(), np.log1p, floats(-0.7, 4.0)),
    "expm1": Unary(E.Expm1, lambda x: nbgrad.expm1(x), np.expm1),
    "sqrt": Unary(E.Sqrt, lambda x: x.sqrt(), np.sqrt, floats(0.3, 4.0)),
    "sin": Unary(E.Sin, lambda x: x.sin(), np.sin),
    "cos": Unary(E.Cos, lambda x: x.cos(), np.cos),
    "tanh": Unary(E.Tanh, lambda x: x.tanh(), np.tanh),
    "sigmoid": Unary(E.Sigmoid, lambda x: x.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), floats(-8.0, 8.0)),
    "relu": Unary(E.Relu, lambda x: x.relu(), lambda a: np.maximum(a, 0), away_from_zero()),
    "abs": Unary(E.Abs, lambda x: x.abs(), np.abs, away_from_zero()),
    "sign": Unary(E.Sign, lambda x: x.sign() * x, lambda a: np.sign(a) * a, away_from_zero()),
    "sgn": Unary(E.Sgn, lambda x: nbgrad.sgn(x) * x, lambda a: np.sign(a) * a, away_from_zero()),
    "reciprocal": Unary(E.Reciprocal, lambda x: x.reciprocal(), np.reciprocal, away_from_zero(0.5)),
    "clone": Unary(E.Clone, lambda x: x.clone() * x, np.square),
}


@covers({name: (case.op,) for name, case in UNARY.items()}, per="name")
@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
@SETTINGS
def test_unary(name, data):
    """Shapes from 0-d to 3-d, empty ones included."""
    case = UNARY[name]
    x = data.draw(arrays(shapes(min_side=0), case.elements), label="x")
    check_grad(case.fn, x, reference=case.reference)


@covers(E.Pow)
@given(x=arrays(shapes(), floats(0.3, 3.0)), n=st.sampled_from([0, 1, 2, 3, -1, 0.5, -1.5, 2.5]))
@SETTINGS
def test_pow_with_a_number_exponent(x, n):
    # the gradient of a⁰ is zeros with no graph, as in PyTorch: there is no second derivative to record
    check_grad(lambda t: t ** n, x, reference=lambda a: a ** n, second_order=n != 0)


@covers(E.Pow)
@given(x=arrays(shapes(), floats()), n=st.sampled_from([0, 1, 2, 3]))
@SETTINGS
def test_pow_with_an_integer_exponent_takes_negative_bases(x, n):
    check_grad(lambda t: t.pow(n), x, reference=lambda a: a ** n, second_order=n != 0)


def test_an_integer_to_a_negative_integer_power_truncates_as_in_pytorch():
    """1 stays 1, -1 alternates, every other base (0 included) gives 0; a negative *number* exponent fails."""
    bases = nbgrad.tensor([1, -1, -1, 2, -3, 0, 4])
    exponents = nbgrad.tensor([-5, -2, -3, -1, -2, -1, 2])
    assert (bases ** exponents).tolist() == [1, 1, -1, 0, 0, 0, 16]
    assert (2 ** nbgrad.tensor([-1, 0, 3])).tolist() == [0, 1, 8]
    assert (nbgrad.tensor([True, False]) ** nbgrad.tensor([-1, -1])).tolist() == [1, 0]
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not allowed."):
        bases ** -1


# ============================================================== element-wise, two inputs, broadcasting

class Binary(NamedTuple):
    op: type
    fn: Callable
    reference: Callable
    left: st.SearchStrategy = floats()
    right: st.SearchStrategy = floats()


# maximum/minimum operands live on interleaved grids, so they never tie and never come within eps
BINARY = {
    "add": Binary(E.Add, lambda a, b: a + b, np.add),
    "sub": Binary(E.Sub, lambda a, b: a - b, np.subtract),
    "mul": Binary(E.Mul, lambda a, b: a * b, np.multiply),
    "div": Binary(E.Div, lambda a, b: a / b, np.divide, right=away_from_zero(0.5)),
    # b = 0 excluded: there PyTorch takes ∂/∂a as exactly 0, so ∂²/∂a∂b is 0 too (tests/core/test_fidelity.py)
    "pow": Binary(E.PowTensor, lambda a, b: a ** b, np.power, left=floats(0.3, 3.0), right=away_from_zero(0.05, 2.0)),
    "logaddexp": Binary(E.Logaddexp, lambda a, b: nbgrad.logaddexp(a, b), np.logaddexp),
    "maximum": Binary(E.Maximum, lambda a, b: a.maximum(b), np.maximum, on_grid(0.1), on_grid(0.1, offset=0.05)),
    "minimum": Binary(E.Minimum, lambda a, b: nbgrad.minimum(a, b), np.minimum, on_grid(0.1),
                      on_grid(0.1, offset=0.05)),
}


@covers({name: (case.op,) for name, case in BINARY.items()}, per="name")
@pytest.mark.parametrize("name", BINARY)
@given(data=st.data(), shapes_=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       constant=st.sampled_from([None, "left", "right"]))
@SETTINGS
def test_binary_broadcasting(name, data, shapes_, constant):
    """Both operands differentiable, or one a constant tensor; 0-d and n-d shapes broadcast either way."""
    case = BINARY[name]
    left_shape, right_shape = shapes_.input_shapes
    a = data.draw(arrays(left_shape, case.left), label="a")
    b = data.draw(arrays(right_shape, case.right), label="b")
    if constant is None:
        check_grad(case.fn, a, b, reference=case.reference)
    elif constant == "left":
        check_grad(lambda y: case.fn(nbgrad.tensor(a, dtype=y.dtype), y), b, reference=lambda y: case.reference(a, y))
    else:
        check_grad(lambda x: case.fn(x, nbgrad.tensor(b, dtype=x.dtype)), a, reference=lambda x: case.reference(x, b))


# Python numbers on either side: c - x is RsubBackward1, c / x goes through reciprocal, c ** x is PowBackward2
SCALAR_FORMS = {
    "x + c": (E.Add, lambda x, c: x + c, lambda a, c: a + c),
    "c + x": (E.Add, lambda x, c: c + x, lambda a, c: c + a),
    "x - c": (E.Sub, lambda x, c: x - c, lambda a, c: a - c),
    "c - x": (E.Rsub, lambda x, c: c - x, lambda a, c: c - a),
    "x * c": (E.Mul, lambda x, c: x * c, lambda a, c: a * c),
    "c * x": (E.Mul, lambda x, c: c * x, lambda a, c: c * a),
    "x / c": (E.Div, lambda x, c: x / c, lambda a, c: a / c),
    "c / x": (E.Reciprocal, lambda x, c: c / x, lambda a, c: c / a),
    "c ** x": (E.Rpow, lambda x, c: abs(c) ** x, lambda a, c: abs(c) ** a),
}


@covers({form: (op,) for form, (op, _, _) in SCALAR_FORMS.items()}, per="form")
@pytest.mark.parametrize("form", SCALAR_FORMS)
@given(x=arrays(shapes(), away_from_zero(0.5)), c=away_from_zero(0.5) | st.integers(1, 3))
@SETTINGS
def test_python_number_operands(form, x, c):
    _, fn, reference = SCALAR_FORMS[form]
    check_grad(lambda t: fn(t, c), x, reference=lambda a: reference(a, c))


@covers(E.Clamp)
@given(data=st.data(), shape=shapes(), bounds=st.sampled_from(["both", "min", "max", "crossed"]))
@SETTINGS
def test_clamp(data, shape, bounds):
    """Values on a grid, bounds on a grid between: never within eps of a bound (bounds: see the kink test)."""
    x = data.draw(arrays(shape, on_grid(0.1, offset=0.05)), label="x")
    lo, hi = sorted(data.draw(st.lists(on_grid(0.1, -2, 2), min_size=2, max_size=2), label="bounds"))
    lo, hi = {"both": (lo, hi), "min": (lo, None), "max": (None, hi), "crossed": (hi + 0.5, lo)}[bounds]
    check_grad(lambda t: t.clamp(lo, hi) * t, x,
               reference=lambda a: np.minimum(np.maximum(a, -np.inf if lo is None else lo),
                                              np.inf if hi is None else hi) * a)


@covers(E.ClampTensor)
@given(data=st.data(), shapes_=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3),
       bounds=st.sampled_from(["both", "min", "max"]))
@SETTINGS
def test_clamp_with_tensor_bounds(data, shapes_, bounds):
    """x, lo and hi on three interleaved grids (never tied, crossed bounds included); the bounds get gradients."""
    x = data.draw(arrays(shapes_.input_shapes[0], on_grid(0.1, offset=0.05)), label="x")
    lo = data.draw(arrays(shapes_.input_shapes[1], on_grid(0.1, -2, 2)), label="lo")
    hi = data.draw(arrays(shapes_.input_shapes[2], on_grid(0.1, -2, 2, offset=0.025)), label="hi")
    if bounds == "both":
        check_grad(lambda t, lo_, hi_: t.clamp(lo_, hi_), x, lo, hi,
                   reference=lambda a, l, h: np.minimum(np.maximum(a, l), h))
    elif bounds == "min":
        check_grad(lambda t, lo_: nbgrad.clamp(t, min=lo_), x, lo, reference=np.maximum)
    else:
        check_grad(lambda t, hi_: t.clip(max=hi_), x, hi, reference=np.minimum)


def _fractional_distance(q):
    """How far each quotient is from the nearest integer, where remainder jumps."""
    return np.abs(q - np.round(q))


@covers(E.Remainder)
@given(x=arrays(shapes(min_side=0), floats(-5.0, 5.0)), c=st.sampled_from([1.0, -1.0, 0.4, -2.0, 3]))
@SETTINGS
def test_remainder_by_a_number(x, c):
    """Python's sign convention (the divisor's sign), slope 1 between the jumps."""
    assume(np.all(_fractional_distance(x / c) > 1e-3))
    check_grad(lambda t: (t % c) * t, x, reference=lambda a: np.remainder(a, c) * a)


@covers(E.RemainderTensor)
@given(data=st.data(), shapes_=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       constant=st.sampled_from([None, "left", "right"]))
@SETTINGS
def test_remainder_of_tensors(data, shapes_, constant):
    """∂/∂b = -⌊a/b⌋; operands kept away from the jumps (a/b an integer)."""
    a = data.draw(arrays(shapes_.input_shapes[0], floats(-5.0, 5.0)), label="a")
    b = data.draw(arrays(shapes_.input_shapes[1], away_from_zero(0.3, 3.0)), label="b")
    assume(np.all(_fractional_distance(a / b) > 1e-3))
    if constant is None:
        check_grad(lambda x, y: x.remainder(y), a, b, reference=np.remainder)
    elif constant == "left":
        check_grad(lambda y: nbgrad.tensor(a, dtype=y.dtype) % y, b, reference=lambda y: np.remainder(a, y))
    else:
        check_grad(lambda x: nbgrad.remainder(x, nbgrad.tensor(b, dtype=x.dtype)), a,
                   reference=lambda x: np.remainder(x, b))


@covers(E.Softplus)
@given(x=arrays(shapes(), on_grid(0.1, -5, 5, offset=0.05)), beta=st.sampled_from([1, 2.0, 0.5, -1.0]),
       threshold=st.sampled_from([20.0, 1.0, 0.5]))
@SETTINGS
def test_softplus(x, beta, threshold):
    """On this grid β·x never comes within eps of the threshold (the threshold itself: see the kink tests)."""
    def reference(a):
        return np.where(a * beta > threshold, a, np.log1p(np.exp(beta * a)) / beta)

    check_grad(lambda t: F.softplus(t, beta=beta, threshold=threshold), x, reference=reference)


def _sig(a):
    return 1 / (1 + np.exp(-a))


# The ops that a backward records under create_graph (PyTorch's tanh_backward, ...): checked as ops of
# their own, in each input, so that third derivatives are right too. (name -> op, fn, reference, inputs)
BACKWARD = {
    "tanh_backward": (E.TanhBackward, lambda g, y: E.TanhBackward.apply(g, y), lambda g, y: g * (1 - y * y),
                      (floats(), floats(-1.0, 1.0))),
    "sigmoid_backward": (E.SigmoidBackward, lambda g, y: E.SigmoidBackward.apply(g, y),
                         lambda g, y: g * y * (1 - y), (floats(), floats(0.0, 1.0))),
    "threshold_backward": (E.ThresholdBackward, lambda g, a: E.ThresholdBackward.apply(g, a, 0.5),
                           lambda g, a: g * (a > 0.5), (floats(), away_from_zero(0.6) | floats(-0.4, 0.4))),
    "softplus_backward": (E.SoftplusBackward, lambda g, a: E.SoftplusBackward.apply(g, a, 2.0, 3.0),
                          lambda g, a: np.where(2 * a > 3, g, g * _sig(2 * a)),
                          (floats(), on_grid(0.1, -3, 3, offset=0.05))),
    "mul by a number": (E.MulScalar, lambda a: E.MulScalar.apply(a, -2.5) * a, lambda a: -2.5 * a * a, (floats(),)),
    "add a number": (E.AddScalar, lambda a: E.AddScalar.apply(a, 1.5) * a, lambda a: (a + 1.5) * a, (floats(),)),
    "divide by a number": (E.DivScalar, lambda a: E.DivScalar.apply(a, -2.5) * a, lambda a: a * a / -2.5,
                           (floats(),)),
    "subtract a number": (E.SubScalar, lambda a: E.SubScalar.apply(a, 1.5) * a, lambda a: (a - 1.5) * a,
                          (floats(),)),
    # (N, C) inputs: grad_output (g), then output (s, y) or self (x) and target; dims and reductions fixed
    "softmax_backward_data": (B.SoftmaxBackwardData, lambda g, s: B.SoftmaxBackwardData.apply(g, s, 1),
                              lambda g, s: s * (g - (g * s).sum(1, keepdims=True)), (floats(), floats(0.0, 1.0)),
                              ((2, 3), (2, 3))),
    "log_softmax_backward_data": (B.LogSoftmaxBackwardData, lambda g, y: B.LogSoftmaxBackwardData.apply(g, y, 0),
                                  lambda g, y: g - np.exp(y) * g.sum(0, keepdims=True), (floats(), floats(-3.0, 0.0)),
                                  ((2, 3), (2, 3))),
    "mse_loss_backward": (B.MseLossBackward, lambda g, x, y: B.MseLossBackward.apply(g, x, y, "mean"),
                          lambda g, x, y: g * 2 * (x - y) / 6, (floats(),) * 3, ((), (2, 3), (2, 3))),
    "mse_loss_backward none": (B.MseLossBackward, lambda g, x, y: B.MseLossBackward.apply(g, x, y, "none"),
                               lambda g, x, y: g * 2 * (x - y), (floats(),) * 3, ((2, 3),) * 3),
    "nll_loss_backward": (B.NllLossBackward,
                          lambda g, x: B.NllLossBackward.apply(g, x, NLL_ONEHOT.astype(x._data.dtype), "none"),
                          lambda g, x: g[:, None] * NLL_ONEHOT, (floats(),) * 2, ((2,), (2, 3))),
    "nll_loss2d_backward": (B.NllLoss2dBackward,
                            lambda g, x: B.NllLoss2dBackward.apply(g, x, NLL_ONEHOT_2D.astype(x._data.dtype), "sum"),
                            lambda g, x: g * NLL_ONEHOT_2D, (floats(),) * 2, ((), (1, 2, 2))),
    "diagonal_backward": (S.DiagonalBackward, lambda g: S.DiagonalBackward.apply(g, (2, 3, 4), -1, 2, 0),
                          lambda g: _diagonal_backward_reference(g), (floats(),), ((3, 2),)),
}


def _diagonal_backward_reference(g):
    """diagonal(-1, 2, 0) of a (2, 3, 4) tensor is out[k, :, k + 1]: g put back there, zeros elsewhere."""
    out = np.zeros((2, 3, 4))
    for k in range(2):
        out[k, :, k + 1] = g[:, k]
    return out


NLL_ONEHOT = np.array([[0.0, -0.5, 0.0], [-1.5, 0.0, 0.0]])  # -w/W at each row's target
NLL_ONEHOT_2D = np.array([[[-1.0, 0.0], [0.0, -1.0]]])


@covers({name: (case[0],) for name, case in BACKWARD.items()}, per="name")
@pytest.mark.parametrize("name", BACKWARD)
@given(data=st.data())
@SETTINGS
def test_backward_ops(name, data):
    """The ops of recorded backward rules, in every input (softplus_backward: βa away from its threshold)."""
    op, fn, reference, elements, *fixed = BACKWARD[name]
    shape = data.draw(shapes(), label="shape")
    sizes = fixed[0] if fixed else [shape] * len(elements)
    inputs = [data.draw(arrays(size, e), label=f"input {i}") for i, (size, e) in enumerate(zip(sizes, elements))]
    check_grad(fn, *inputs, reference=reference)


@covers(E.Where)
@given(data=st.data(), shapes_=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3),
       scalar=st.sampled_from([None, "input", "other"]))
@SETTINGS
def test_where(data, shapes_, scalar):
    cond_shape, a_shape, b_shape = shapes_.input_shapes
    condition = data.draw(hnp.arrays(np.bool_, cond_shape), label="condition")
    a = data.draw(arrays(a_shape), label="a")
    b = data.draw(arrays(b_shape), label="b")
    c = nbgrad.tensor(condition)
    if scalar is None:
        check_grad(lambda x, y: nbgrad.where(c, x, y), a, b, reference=lambda x, y: np.where(condition, x, y))
    elif scalar == "input":
        check_grad(lambda y: nbgrad.where(c, 1.5, y) * y, b, reference=lambda y: np.where(condition, 1.5, y) * y)
    else:
        check_grad(lambda x: nbgrad.where(c, x, -0.5) * x, a, reference=lambda x: np.where(condition, x, -0.5) * x)


@covers(E.ToCopy)
@given(x=arrays(shapes()))
@SETTINGS
def test_to_copy(x):
    """``.to(dtype, copy=True)``: identity on the values; the gradient comes back in the input's dtype."""
    check_grad(lambda t: t.to(t.dtype, copy=True) * t, x, reference=np.square)


def test_to_another_dtype_returns_the_gradient_in_the_input_dtype():
    x = f64([1.0, -2.0, 3.0])
    y = x.float()
    assert y.dtype == nbgrad.float32 and type(y.grad_fn).__name__ == "ToCopyBackward0"
    (g,) = grad(y * y, x, nbgrad.ones(3))
    assert g.dtype == nbgrad.float64
    np.testing.assert_array_equal(g.numpy(), [2.0, -4.0, 6.0])
    (gg,) = grad(y.double().sum(), x)
    assert gg.dtype == nbgrad.float64


def test_casting_to_an_integer_type_gives_a_tensor_without_history():
    x = f64([1.5, -2.5])
    for cast in (x.long(), x.bool()):
        assert not cast.requires_grad and cast.grad_fn is None
    np.testing.assert_array_equal(x.long().numpy(), [1, -2])


# ============================================================== reductions

@covers({"sum": (R.Sum, R.SumDim), "mean": (R.Mean, R.MeanDim)}, per="op")
@pytest.mark.parametrize("op", ["sum", "mean"])
@given(data=st.data(), shape=shapes(max_dims=4, min_side=0), keepdim=st.booleans())
@SETTINGS
def test_sum_and_mean(op, data, shape, keepdim):
    dim = dims_of(data.draw, len(shape))
    if op == "mean":
        assume(reduced_count(shape, dim) > 0)  # the mean of nothing is nan
    x = data.draw(arrays(shape), label="x")
    if dim is None:
        check_grad(lambda t: getattr(t, op)(), x, reference=getattr(np, op))
    else:
        check_grad(lambda t: getattr(t, op)(dim, keepdim=keepdim), x,
                   reference=lambda a: getattr(np, op)(a, axis=numpy_axes(dim, a.ndim), keepdims=keepdim))


@covers(R.Logsumexp)
@given(data=st.data(), shape=shapes(max_dims=4, min_side=0), keepdim=st.booleans())
@SETTINGS
def test_logsumexp(data, shape, keepdim):
    """Over one or several dims (or every dim, for ``()``); a slice with no elements gives -inf."""
    dim = dims_of(data.draw, len(shape), allow_none=False)
    assume(reduced_count(shape, dim) > 0)
    x = data.draw(arrays(shape, floats(-5.0, 5.0)), label="x")
    check_grad(lambda t: t.logsumexp(dim, keepdim=keepdim), x,
               reference=lambda a: np.log(np.sum(np.exp(a), axis=numpy_axes(dim, a.ndim), keepdims=keepdim)))


@covers({"var": (R.Var,), "std": (R.Std,)}, per="op")
@pytest.mark.parametrize("op", ["var", "std"])
@given(data=st.data(), shape=shapes(max_side=4), correction=st.sampled_from([0, 1, 2]), keepdim=st.booleans())
@SETTINGS
def test_var_and_std(op, data, shape, correction, keepdim):
    dim = dims_of(data.draw, len(shape))
    assume(reduced_count(shape, dim) > correction)
    # distinct values: a slice of equal values has std 0, where std is not differentiable
    x = data.draw(arrays(shape, on_grid(0.05), unique=True), label="x")
    check_grad(lambda t: getattr(t, op)(dim, correction=correction, keepdim=keepdim), x,
               reference=lambda a: getattr(np, op)(a, axis=numpy_axes(dim, a.ndim), ddof=correction,
                                                   keepdims=keepdim))


@covers({"max": (R.Max,), "min": (R.Min,), "amax": (R.Amax,), "amin": (R.Amin,)}, per="op")
@pytest.mark.parametrize("op", ["max", "min", "amax", "amin"])
@given(data=st.data(), shape=shapes(), keepdim=st.booleans())
@SETTINGS
def test_max_min_over_all_or_several_dims(op, data, shape, keepdim):
    x = data.draw(arrays(shape, on_grid(0.01), unique=True), label="x")  # ties: see the kink tests
    if op in ("max", "min"):
        check_grad(lambda t: getattr(t, op)(), x, reference=getattr(np, op))
    else:
        dim = dims_of(data.draw, len(shape), allow_none=False)
        check_grad(lambda t: getattr(t, op)(dim, keepdim=keepdim), x,
                   reference=lambda a: getattr(np, op)(a, axis=numpy_axes(dim, a.ndim), keepdims=keepdim))


@covers({"max": (R.MaxDim,), "min": (R.MinDim,)}, per="op")
@pytest.mark.parametrize("op", ["max", "min"])
@given(data=st.data(), shape=shapes(), keepdim=st.booleans())
@SETTINGS
def test_max_min_along_a_dim(op, data, shape, keepdim):
    """0-d tensors included: they take dim 0 or -1 and are their own max and min, as in PyTorch."""
    x = data.draw(arrays(shape, on_grid(0.01), unique=True), label="x")
    dim = data.draw(dim_of(len(shape)), label="dim")
    check_grad(lambda t: getattr(t, op)(dim, keepdim=keepdim).values, x,
               reference=lambda a: getattr(np, op)(a, axis=numpy_axes(dim, a.ndim), keepdims=keepdim))


@covers(R.Prod, R.ProdDim)
@given(data=st.data(), shape=shapes(max_side=4), zeros=st.integers(0, 2), use_dim=st.booleans(),
       keepdim=st.booleans())
@SETTINGS
def test_prod_with_and_without_zeros(data, shape, zeros, use_dim, keepdim):
    """Up to ``zeros`` entries set to exactly 0: a product with one zero, with two, or with none."""
    x = data.draw(arrays(shape, away_from_zero(0.5, 2.0)), label="x")
    flat = x.reshape(-1)
    flat[data.draw(st.lists(st.integers(0, flat.size - 1), max_size=zeros), label="zero at")] = 0.0
    if use_dim:
        dim = data.draw(dim_of(len(shape)), label="dim")
        check_grad(lambda t: t.prod(dim, keepdim=keepdim), x,
                   reference=lambda a: np.prod(a, numpy_axes(dim, a.ndim), keepdims=keepdim))
    else:
        check_grad(lambda t: t.prod(), x, reference=np.prod)


def _log_softmax(a, axis):
    shifted = a - a.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


@covers({"softmax": (R.Softmax,), "log_softmax": (R.LogSoftmax,)}, per="op")
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@given(data=st.data(), shape=shapes(max_side=4))
@SETTINGS
def test_softmax_and_log_softmax(op, data, shape):
    x = data.draw(arrays(shape, floats(-5.0, 5.0)), label="x")
    dim = data.draw(dim_of(len(shape)), label="dim")
    transform = (lambda p: p) if op == "log_softmax" else np.exp
    check_grad(lambda t: getattr(t, op)(dim), x,
               reference=lambda a: transform(_log_softmax(a, numpy_axes(dim, a.ndim))))


# ============================================================== matmul

# form -> (the primitive it must use, shapes of a and b from sizes m, n, p and two broadcastable batch shapes)
MATMUL_FORMS = {
    "1-D @ 1-D": (L.Dot, lambda m, n, p, b1, b2: ((n,), (n,))),
    "2-D @ 1-D": (L.Mv, lambda m, n, p, b1, b2: ((m, n), (n,))),
    "2-D @ 2-D": (L.Mm, lambda m, n, p, b1, b2: ((m, n), (n, p))),
    "1-D @ 2-D": (L.Mm, lambda m, n, p, b1, b2: ((n,), (n, p))),
    "batched @ batched": (L.Bmm, lambda m, n, p, b1, b2: (b1 + (m, n), b1 + (n, p))),
    "batched @ batched, broadcast": (L.Bmm, lambda m, n, p, b1, b2: (b1 + (m, n), b2 + (n, p))),
    "batched @ 2-D": (L.Bmm, lambda m, n, p, b1, b2: (b1 + (m, n), (n, p))),
    "2-D @ batched": (L.Bmm, lambda m, n, p, b1, b2: ((m, n), b2 + (n, p))),
    "batched @ 1-D": (L.Bmm, lambda m, n, p, b1, b2: (b1 + (m, n), (n,))),
    "1-D @ batched": (L.Bmm, lambda m, n, p, b1, b2: ((n,), b2 + (n, p))),
}


@covers({form: (op,) for form, (op, _) in MATMUL_FORMS.items()}, per="form")
@pytest.mark.parametrize("form", MATMUL_FORMS)
@given(data=st.data(), sizes=st.tuples(*[st.integers(1, 3)] * 3),
       batch=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=2, max_side=2))
@SETTINGS
def test_matmul(form, data, sizes, batch):
    _, make_shapes = MATMUL_FORMS[form]
    a_shape, b_shape = make_shapes(*sizes, *batch.input_shapes)
    a = data.draw(arrays(a_shape), label="a")
    b = data.draw(arrays(b_shape), label="b")
    check_grad(lambda x, y: x @ y, a, b, reference=np.matmul)


@covers(L.Mm, L.Dot)
@given(sizes=st.tuples(*[st.integers(1, 3)] * 3), data=st.data())
@SETTINGS
def test_mm_and_dot_methods(sizes, data):
    m, n, p = sizes
    a, b = data.draw(arrays((m, n))), data.draw(arrays((n, p)))
    check_grad(lambda x, y: x.mm(y), a, b, reference=np.matmul)
    u, v = data.draw(arrays((n,))), data.draw(arrays((n,)))
    check_grad(lambda x, y: nbgrad.dot(x, y), u, v, reference=np.dot)


@covers(L.Addmm)
@given(data=st.data(), sizes=st.tuples(*[st.integers(1, 3)] * 3),
       bias=st.sampled_from(["row", "full", "column", "scalar"]))
@SETTINGS
def test_linear_with_a_bias_is_one_addmm(data, sizes, bias):
    n, k, m = sizes
    bias_shape = {"row": (m,), "full": (n, m), "column": (n, 1), "scalar": ()}[bias]
    x, weight, b = data.draw(arrays((n, k))), data.draw(arrays((m, k))), data.draw(arrays(bias_shape))
    check_grad(F.linear, x, weight, b, reference=lambda a, w, c: a @ w.T + c)


# ============================================================== shape ops

def _reshape_targets(shape):
    n = int(np.prod(shape))
    targets = [(-1,), tuple(reversed(shape)), (1,) + tuple(shape), tuple(shape) + (1,), (n, -1)]
    return targets + [()] if n == 1 else targets


def _flatten_args(draw, s):
    start = draw(dim_of(len(s)))
    return start, draw(st.integers(start % max(len(s), 1), max(len(s) - 1, 0)))


def _flatten_reference(a, start, end):
    if a.ndim == 0:
        return a.reshape(1)
    start, end = start % a.ndim, end % a.ndim
    return a.reshape(a.shape[:start] + (-1,) + a.shape[end + 1:])


def _expand_target(draw, s):
    grown = draw(hnp.broadcastable_shapes(s, min_dims=len(s), max_dims=len(s) + 2, max_side=3))
    target = np.broadcast_shapes(grown, s)
    # -1 keeps a size, for any dim that already exists
    return tuple(-1 if i >= len(target) - len(s) and draw(st.booleans()) else t for i, t in enumerate(target))


def _index_args(draw, s):
    dim = draw(dim_of(len(s)))
    return dim, draw(st.integers(-s[dim], s[dim] - 1))


def _narrow_args(draw, s):
    dim = draw(dim_of(len(s)))
    n = s[dim]
    start = draw(st.integers(-n, n))
    return dim, start, draw(st.integers(0, n - start % n if start < 0 else n - start))


def _narrow_reference(a, dim, start, length):
    start += a.shape[dim] if start < 0 else 0
    return np.take(a, range(start, start + length), axis=dim)


def _diagonal_args(draw, s):
    d1 = draw(dim_of(len(s)))
    d2 = draw(dim_of(len(s)).filter(lambda d: d % len(s) != d1 % len(s)))
    return draw(st.integers(-3, 3)), d1, d2


def _split_args(draw, s, kind):
    """(kind, size or sizes or chunks, dim): split by a size, by a list of sizes, or chunk."""
    dim = draw(dim_of(len(s)))
    n = s[dim]
    if kind == "split":
        return kind, draw(st.integers(1, n + 1)), dim
    if kind == "chunk":
        return kind, draw(st.integers(1, 4)), dim
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
    return kind, [b - a for a, b in zip([0, *cuts], [*cuts, n])], dim


def _split(t, kind, arg, dim):
    return t.chunk(arg, dim) if kind == "chunk" else t.split(arg, dim)


def _split_reference(a, kind, arg, dim):
    n = a.shape[dim]
    if kind == "sizes":
        return np.split(a, np.cumsum(arg)[:-1], axis=dim)
    size = arg if kind == "split" else -(-n // arg)
    return np.split(a, range(size, n, size), axis=dim)


def _joined(pieces, join, dim):
    """The pieces of unbind / split, weighted and joined again; the second is left out (its gradient is zeros)."""
    kept = [p * (i + 1) for i, p in enumerate(pieces) if i != 1]
    return join(kept, dim)


# name -> (op, shape ranks, draw the arguments once, apply, NumPy reference)
SHAPE_OPS = {
    "reshape": (S.View, (0, 3), lambda d, s: d(st.sampled_from(_reshape_targets(s))),
                lambda t, shape: t.reshape(shape), lambda a, shape: a.reshape(shape)),
    "view": (S.View, (0, 3), lambda d, s: d(st.sampled_from(_reshape_targets(s))),
             lambda t, shape: t.view(*shape), lambda a, shape: a.reshape(shape)),
    "reshape of a transposed tensor": (S.UnsafeView, (2, 2), lambda d, s: (-1,),
                                       lambda t, shape: t.t().reshape(shape), lambda a, shape: a.T.reshape(shape)),
    "reshape of a strided view": (S.ReshapeAlias, (2, 2), lambda d, s: (-1,), lambda t, shape: t[:, :1].reshape(shape),
                                  lambda a, shape: a[:, :1].reshape(shape)),
    "alias": (V.Alias, (0, 3), lambda d, s: None, lambda t, _: t[...], lambda a, _: a),
    "flatten": (S.View, (0, 3), _flatten_args, lambda t, se: t.flatten(*se), lambda a, se: _flatten_reference(a, *se)),
    "transpose": (S.Transpose, (0, 3), lambda d, s: (d(dim_of(len(s))), d(dim_of(len(s)))),
                  lambda t, dims: t.transpose(*dims),
                  lambda a, dims: np.swapaxes(a, *dims) if a.ndim else a),
    "mT": (S.Transpose, (2, 3), lambda d, s: None, lambda t, _: t.mT, lambda a, _: np.swapaxes(a, -2, -1)),
    "t": (S.T, (0, 2), lambda d, s: None, lambda t, _: t.t(), lambda a, _: a.T),
    "permute": (S.Permute, (0, 3), lambda d, s: d(st.permutations(range(len(s)))),
                lambda t, dims: t.permute(*dims), lambda a, dims: np.transpose(a, dims)),
    "T": (S.Permute, (0, 3), lambda d, s: None, lambda t, _: t.T, lambda a, _: a.T),
    "squeeze": (S.Squeeze, (0, 3), lambda d, s: None, lambda t, _: t.squeeze(), lambda a, _: np.squeeze(a)),
    "squeeze(dim)": (S.SqueezeDim, (0, 3), lambda d, s: d(dim_of(len(s))), lambda t, dim: t.squeeze(dim),
                     lambda a, dim: np.squeeze(a, dim) if a.ndim and a.shape[dim] == 1 else a),
    "unsqueeze": (S.Unsqueeze, (0, 3), lambda d, s: d(dim_of(len(s), extra=1)), lambda t, dim: t.unsqueeze(dim),
                  lambda a, dim: np.expand_dims(a, dim)),
    "expand": (S.Expand, (0, 3), _expand_target, lambda t, shape: t.expand(*shape),
               lambda a, shape: np.broadcast_to(a, tuple(s if s != -1 else a.shape[i - len(shape) + a.ndim]
                                                        for i, s in enumerate(shape)))),
    "select": (I.Select, (1, 3), _index_args, lambda t, di: t.select(*di), lambda a, di: np.take(a, di[1], axis=di[0])),
    "narrow": (I.Slice, (1, 3), _narrow_args, lambda t, args: t.narrow(*args),
               lambda a, args: _narrow_reference(a, *args)),
    "diagonal": (S.Diagonal, (2, 3), _diagonal_args, lambda t, args: t.diagonal(*args),
                 lambda a, args: np.diagonal(a, *args)),
    "unbind": (S.Unbind, (1, 3), lambda d, s: d(dim_of(len(s))),
               lambda t, dim: _joined(t.unbind(dim), nbgrad.stack, dim % t.ndim),
               lambda a, dim: _joined([np.take(a, i, axis=dim) for i in range(a.shape[dim])], np.stack, dim % a.ndim)),
    "split": (S.Split, (1, 3), lambda d, s: _split_args(d, s, "split"),
              lambda t, args: _joined(_split(t, *args), nbgrad.cat, args[2]),
              lambda a, args: _joined(_split_reference(a, *args), np.concatenate, args[2])),
    "split with sizes": (S.SplitWithSizes, (1, 3), lambda d, s: _split_args(d, s, "sizes"),
                         lambda t, args: _joined(_split(t, *args), nbgrad.cat, args[2]),
                         lambda a, args: _joined(_split_reference(a, *args), np.concatenate, args[2])),
    "chunk": (S.Split, (1, 3), lambda d, s: _split_args(d, s, "chunk"),
              lambda t, args: _joined(_split(t, *args), nbgrad.cat, args[2]),
              lambda a, args: _joined(_split_reference(a, *args), np.concatenate, args[2])),
}


@covers({name: (op,) for name, (op, *_) in SHAPE_OPS.items()}, per="name")
@pytest.mark.parametrize("name", SHAPE_OPS)
@given(data=st.data())
@SETTINGS
def test_shape_ops(name, data):
    """Each shape op with generated arguments; ``y·eʸ`` after it makes the second derivative non-trivial."""
    _, (lo, hi), draw_args, apply, reference = SHAPE_OPS[name]
    shape = data.draw(shapes(min_dims=lo, max_dims=hi), label="shape")
    x = data.draw(arrays(shape), label="x")
    args = draw_args(data.draw, shape)
    check_grad(lambda t: (lambda y: y * y.exp())(apply(t, args)), x,
               reference=lambda a: (lambda y: y * np.exp(y))(reference(a, args)))


@covers({"cat": (S.Cat,), "stack": (S.Stack,)}, per="op")
@pytest.mark.parametrize("op", ["cat", "stack"])
@given(data=st.data(), shape=shapes(min_dims=1), count=st.integers(1, 3))
@SETTINGS
def test_cat_and_stack(op, data, shape, count):
    """1 to 3 tensors; cat's may differ (and be empty) along the joined dim."""
    dim = data.draw(dim_of(len(shape), extra=op == "stack"), label="dim")
    parts = []
    for _ in range(count):
        part_shape = list(shape)
        if op == "cat":
            part_shape[dim] = data.draw(st.integers(0, 3))
        parts.append(data.draw(arrays(tuple(part_shape))))
    join = nbgrad.cat if op == "cat" else nbgrad.stack
    reference = np.concatenate if op == "cat" else np.stack
    check_grad(lambda *ts: join(list(ts), dim) ** 2, *parts, reference=lambda *arrs: reference(arrs, dim) ** 2)


# ============================================================== indexing

@st.composite
def index_keys(draw, shape):
    """A key for ``shape``: ints (any sign), slices (steps > 0, bounds past the ends), None, one Ellipsis,
    and at most one advanced part: a list (repeats allowed), an int64 tensor (1-d or 2-d), or a boolean
    mask (array or tensor) over one or more dims."""
    key, dim, ndim = [], 0, len(shape)
    advanced = ellipsis = False
    while dim < ndim and draw(st.integers(0, 5)):
        kinds = ["int", "slice", "slice", "none"] + ([] if ellipsis else ["ellipsis"])
        kinds += [] if advanced else ["list", "tensor", "mask"]
        kind = draw(st.sampled_from(kinds))
        size = shape[dim]
        if kind == "int":
            key.append(draw(st.integers(-size, size - 1)))
            dim += 1
        elif kind == "slice":
            bound = st.none() | st.integers(-size - 1, size + 1)
            key.append(slice(draw(bound), draw(bound), draw(st.none() | st.integers(1, 3))))
            dim += 1
        elif kind == "none":
            key.append(None)
        elif kind == "ellipsis":
            key.append(Ellipsis)
            ellipsis = True
            dim = draw(st.integers(dim, ndim))  # the dims it stands for
        elif kind in ("list", "tensor"):
            advanced = True
            index_shape = draw(st.sampled_from([(draw(st.integers(0, 4)),), (2, 2)]))
            index = draw(hnp.arrays(np.int64, index_shape, elements=st.integers(-size, size - 1)))
            key.append(index.tolist() if kind == "list" and index.ndim == 1 else nbgrad.tensor(index))
            dim += 1
        else:
            advanced = True
            k = draw(st.integers(1, ndim - dim))
            mask = draw(hnp.arrays(np.bool_, shape[dim:dim + k]))
            key.append(nbgrad.tensor(mask) if draw(st.booleans()) else mask)
            dim += k
    return key[0] if len(key) == 1 and draw(st.booleans()) else tuple(key)


def numpy_key(key):
    as_numpy = lambda k: k.numpy() if isinstance(k, nbgrad.Tensor) else k  # noqa: E731
    return tuple(map(as_numpy, key)) if isinstance(key, tuple) else as_numpy(key)


@covers(I.Index, I.Select, I.Slice, I.IndexPut)
@given(data=st.data(), shape=shapes(min_dims=1, max_side=4))
@SETTINGS
def test_getitem(data, shape):
    """``t[key]``; the second derivative runs through IndexPut, the backward of indexing."""
    key = data.draw(index_keys(shape), label="key")
    x = data.draw(arrays(shape), label="x")
    check_grad(lambda t: t[key] * t[key], x, reference=lambda a: a[numpy_key(key)] ** 2)


# Every kind of key at least once, whatever the generator happens to draw (for x of shape (3, 4, 2))
EXPLICIT_KEYS = {
    "int": 1,
    "negative int": -1,
    "slice with step": (slice(None), slice(0, None, 3)),
    "None and Ellipsis": (None, Ellipsis, 0),
    "Ellipsis first": (Ellipsis, 1),
    "list with repeats": [0, 0, 2],
    "2-d index tensor": nbgrad.tensor([[1, 1], [0, 2]]),
    "index after a slice": (slice(1, None), [3, 3, 0]),
    "boolean mask": nbgrad.tensor([[True, False, True, True], [False, False, False, True], [True] * 4]),
    "mask over one dim": (slice(None), np.array([True, False, False, True])),
    "empty mask result": np.zeros(3, dtype=bool),
}


@pytest.mark.parametrize("name", EXPLICIT_KEYS)
def test_getitem_with_each_kind_of_key(name):
    key = EXPLICIT_KEYS[name]
    x = np.random.default_rng(0).standard_normal((3, 4, 2))
    check_grad(lambda t: t[key] * t[key], x, reference=lambda a: a[numpy_key(key)] ** 2)


@covers(V.CopySlices)
@given(data=st.data(), shape=shapes(min_dims=1), use_number=st.booleans())
@SETTINGS
def test_setitem(data, shape, use_number):
    """``y[key] = v`` on a non-leaf y: gradients to y's history (outside key) and to v (inside).

    Advanced keys have no repeated indices here: which write wins is then undefined (as in PyTorch).
    """
    key = data.draw(index_keys(shape), label="key")
    np_key = numpy_key(key)
    positions = np.arange(int(np.prod(shape))).reshape(shape)[np_key]
    assume(np.unique(positions).size == positions.size)
    x = data.draw(arrays(shape), label="x")
    # a value shape that broadcasts to the indexed shape: a suffix of it, some sizes replaced by 1
    suffix = positions.shape[data.draw(st.integers(0, positions.ndim), label="value rank"):]
    v = data.draw(arrays(tuple(1 if data.draw(st.booleans()) else n for n in suffix)), label="v")

    def assign(t, value=None):
        y = t * t
        y[key] = 2.5 if value is None else value * value
        return y * t

    def reference(a, value=None):
        y = a * a
        y[np_key] = 2.5 if value is None else value * value
        return y * a

    # the view written through leaves the graph: CopySlices takes its place
    if use_number:
        check_grad(assign, x, reference=reference, unused_nodes=True)
    else:
        check_grad(assign, x, v, reference=reference, unused_nodes=True)


# Views of y, each a step of a chain: in-place changes through them, and views read after their base changed.
VIEW_STEPS = {
    "slice": lambda v: v[1:],
    "select": lambda v: v[0],
    "transpose": lambda v: v.transpose(0, -1),
    "unsqueeze": lambda v: v.unsqueeze(0),
    # flattening a transposed tensor is no view (PyTorch refuses it too): then a view of the same shape
    "view": lambda v: v.view(-1) if v.is_contiguous() else v.view(v.shape),
}


@covers(V.AsStrided)
@given(steps=st.lists(st.sampled_from(sorted(VIEW_STEPS)), min_size=1, max_size=3),
       shape=st.sampled_from([(3, 4), (2, 3, 2)]), data=st.data())
@SETTINGS
def test_inplace_through_views(steps, shape, data):
    """An in-place op through a chain of views of y (the base's history becomes CopySlices), then a view of y
    taken before the change, read after it (its history comes from the base again: AsStridedBackward0)."""
    x = data.draw(arrays(shape), label="x")

    def chain(v):
        for step in steps:
            if v.ndim:
                v = VIEW_STEPS[step](v)
        return v

    def program(t):
        y = t * t
        earlier = y[:, :1]
        chain(y).mul_(chain(t) + 2.0)
        return earlier * y.sum()

    def reference(a):
        region = chain(nbgrad.tensor(np.arange(a.size).reshape(a.shape))).numpy().reshape(-1)
        y = (a * a).reshape(-1)
        y[region] *= a.reshape(-1)[region] + 2.0
        y = y.reshape(a.shape)
        return y[:, :1] * y.sum()

    # the views' own nodes leave the graph: CopySlices and AsStridedBackward0 take their place
    check_grad(program, x, reference=reference, unused_nodes=True)


# ============================================================== losses

@covers(LO.MseLoss)
@given(data=st.data(), shape=shapes(), reduction=st.sampled_from(["mean", "sum", "none"]))
@SETTINGS
def test_mse_loss(data, shape, reduction):
    x, y = data.draw(arrays(shape)), data.draw(arrays(shape))
    reduce = {"mean": np.mean, "sum": np.sum, "none": lambda d: d}[reduction]
    check_grad(lambda a, b: F.mse_loss(a, b, reduction=reduction), x, y,
               reference=lambda a, b: reduce((a - b) ** 2))


@st.composite
def classification(draw):
    """Scores (N, C) or (C,), targets (some of them possibly ignore_index), optional class weights."""
    batched = draw(st.booleans())
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    scores = draw(arrays((n, c) if batched else (c,)))
    ignore_index = draw(st.sampled_from([-100, 0]))
    targets = draw(st.lists(st.integers(0, c - 1), min_size=n if batched else 1, max_size=n if batched else 1))
    weight = draw(st.none() | arrays((c,), floats(0.5, 2.0)))
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    target = np.array(targets if batched else targets[0], dtype=np.int64)
    # 'mean' of nothing (every target ignored) is 0/0
    assume(reduction != "mean" or np.any(target != ignore_index))
    return scores, target, weight, ignore_index, reduction


def _nll_reference(log_p, target, weight, ignore_index, reduction):
    rows = log_p.reshape(-1, log_p.shape[-1])
    t = target.reshape(-1)
    kept = t != ignore_index
    w = np.ones(rows.shape[1]) if weight is None else weight
    per = np.where(kept, w[np.where(kept, t, 0)], 0.0)
    losses = -rows[np.arange(len(t)), np.where(kept, t, 0)] * per
    if reduction == "none":
        return losses.reshape(target.shape)
    return losses.sum() / per.sum() if reduction == "mean" else losses.sum()


@covers({"nll_loss": (LO.NllLoss,), "cross_entropy": (R.LogSoftmax, LO.NllLoss)}, per="loss")
@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy"])
@given(case=classification())
@SETTINGS
def test_nll_loss_and_cross_entropy(loss, case):
    scores, target, weight, ignore_index, reduction = case
    t = nbgrad.tensor(target)
    to_logp = (lambda a: a) if loss == "nll_loss" else (lambda a: _log_softmax(a, -1))

    def fn(s):
        w = None if weight is None else nbgrad.tensor(weight, dtype=s.dtype)
        return getattr(F, loss)(s, t, weight=w, ignore_index=ignore_index, reduction=reduction)

    check_grad(fn, scores, reference=lambda a: _nll_reference(to_logp(a), target, weight, ignore_index, reduction))


@covers({"nll_loss": (LO.NllLoss2d,), "cross_entropy": (R.LogSoftmax, LO.NllLoss2d)}, per="loss")
@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy"])
@given(data=st.data(), n=st.integers(1, 2), c=st.integers(1, 3),
       spatial=hnp.array_shapes(min_dims=1, max_dims=3, max_side=2), ignore_index=st.sampled_from([-100, 0]),
       weighted=st.booleans(), reduction=st.sampled_from(["mean", "sum", "none"]))
@SETTINGS
def test_nll_loss_and_cross_entropy_over_spatial_dims(loss, data, n, c, spatial, ignore_index, weighted, reduction):
    """Scores (N, C, d1, ...): NllLoss2DBackward0, on the scores viewed as (N, C, 1, d1·...) unless 4-d."""
    scores = data.draw(arrays((n, c) + spatial))
    target = data.draw(hnp.arrays(np.int64, (n,) + spatial, elements=st.integers(0, c - 1)))
    weight = data.draw(arrays((c,), floats(0.5, 2.0))) if weighted else None
    assume(reduction != "mean" or np.any(target != ignore_index))
    t = nbgrad.tensor(target)

    def fn(s):
        w = None if weight is None else nbgrad.tensor(weight, dtype=s.dtype)
        return getattr(F, loss)(s, t, weight=w, ignore_index=ignore_index, reduction=reduction)

    def reference(a):
        log_p = np.moveaxis(a if loss == "nll_loss" else _log_softmax(a, 1), 1, -1)
        return _nll_reference(log_p, target, weight, ignore_index, reduction)

    check_grad(fn, scores, reference=reference)


@covers(LO.BinaryCrossEntropyWithLogits)
@given(data=st.data(), shape=shapes(min_dims=1), reduction=st.sampled_from(["mean", "sum", "none"]),
       weighted=st.booleans(), pos_weighted=st.booleans())
@SETTINGS
def test_binary_cross_entropy_with_logits(data, shape, reduction, weighted, pos_weighted):
    """Gradients to the logits and to the (soft) targets; weight and pos_weight are constants."""
    x = data.draw(arrays(shape, floats(-5.0, 5.0)), label="logits")
    y = data.draw(arrays(shape, floats(0.0, 1.0)), label="targets")
    w = data.draw(arrays(shape[-1:], floats(0.5, 2.0)), label="weight") if weighted else None
    p = data.draw(arrays(shape[-1:], floats(0.5, 3.0)), label="pos_weight") if pos_weighted else None
    reduce = {"mean": np.mean, "sum": np.sum, "none": lambda d: d}[reduction]

    def fn(logits, targets):
        as_tensor = lambda a: None if a is None else nbgrad.tensor(a, dtype=logits.dtype)  # noqa: E731
        return F.binary_cross_entropy_with_logits(logits, targets, as_tensor(w), reduction=reduction,
                                                  pos_weight=as_tensor(p))

    def reference(a, t):
        log_sigmoid, log_one_minus = -np.logaddexp(0, -a), -np.logaddexp(0, a)
        loss = -((1 if p is None else p) * t * log_sigmoid + (1 - t) * log_one_minus)
        return reduce(loss * (1 if w is None else w))

    check_grad(fn, x, y, reference=reference)


# ============================================================== kinks: the values chosen, exactly

def _constant(x, value):
    """A tensor like x holding ``value``, outside the graph."""
    return x.detach() * 0 + value


# convention -> (input, function, exact gradient); tests/test_torch_parity.py checks these points against PyTorch
KINKS = {
    "relu'(0) = 0": ([-1.0, 0.0, 2.0], lambda x: x.relu().sum(), [0.0, 0.0, 1.0]),
    "abs'(0) = 0": ([-1.0, 0.0, 2.0], lambda x: x.abs().sum(), [-1.0, 0.0, 1.0]),
    "sign' = 0": ([-1.0, 0.0, 2.0], lambda x: x.sign().sum(), [0.0, 0.0, 0.0]),
    "max() splits ties evenly": ([1.0, 3.0, 3.0, 2.0], lambda x: x.max(), [0.0, 0.5, 0.5, 0.0]),
    "min() splits ties evenly": ([1.0, 1.0, 1.0, 2.0], lambda x: x.min() * 3, [1.0, 1.0, 1.0, 0.0]),
    "amax(dim) splits ties evenly": ([[1.0, 4.0, 4.0], [2.0, 2.0, 0.0]], lambda x: x.amax(1).sum(),
                                     [[0.0, 0.5, 0.5], [0.5, 0.5, 0.0]]),
    "amin() splits ties evenly": ([[5.0, 5.0], [5.0, 5.0]], lambda x: x.amin(), [[0.25, 0.25], [0.25, 0.25]]),
    "max(dim) gives all to the first tie": ([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], lambda x: x.max(1)[0].sum(),
                                            [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
    "min(dim) gives all to the first tie": ([[1.0, 3.0, 1.0], [2.0, 2.0, 2.0]], lambda x: x.min(1)[0].sum(),
                                            [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]),
    "maximum ties give half to each": ([1.0, 2.0, 3.0], lambda x: x.maximum(_constant(x, 2.0)).sum(), [0.0, 0.5, 1.0]),
    "minimum ties give half to each": ([1.0, 2.0, 3.0], lambda x: x.minimum(_constant(x, 2.0)).sum(), [1.0, 0.5, 0.0]),
    "clamp bounds are inclusive": ([-1.0, 0.0, 0.5, 1.0, 2.0], lambda x: x.clamp(0.0, 1.0).sum(),
                                   [0.0, 1.0, 1.0, 1.0, 0.0]),
    "clamp min bound is inclusive": ([-1.0, 0.0, 2.0], lambda x: x.clamp(min=0.0).sum(), [0.0, 1.0, 1.0]),
    "clamp max bound is inclusive": ([-1.0, 1.0, 2.0], lambda x: x.clamp(max=1.0).sum(), [1.0, 1.0, 0.0]),
    "std of equal values has gradient 0": ([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]], lambda x: x.std(1)[0],
                                           [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
    "d(x⁰)/dx = 0 at 0": ([0.0, 2.0], lambda x: (x ** 0).sum(), [0.0, 0.0]),
    "d(0ᵇ)/db = 0 for b ≥ 0": ([2.0, 0.0], lambda x: (_constant(x, 0.0) ** x).sum(), [0.0, 0.0]),
    "d(0ᵇ)/db = 0 for a number 0": ([2.0, 0.0], lambda x: (0 ** x).sum(), [0.0, 0.0]),
    "softplus is x only above its threshold": ([0.0, 0.5], lambda x: F.softplus(x, threshold=0.0).sum(), [0.5, 1.0]),
}


@pytest.mark.parametrize("convention", KINKS)
def test_gradient_at_a_kink(convention):
    values, f, expected = KINKS[convention]
    x = f64(values)
    (g,) = grad(f(x), x)
    assert g.tolist() == expected


def test_max_and_min_along_a_dim_send_the_gradient_to_the_returned_index():
    values = [[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [4.0, 4.0, 4.0]]
    for op in ("max", "min"):
        x = f64(values)
        result = getattr(x, op)(1)
        (g,) = grad(result.values.sum(), x)
        expected = np.zeros((3, 3))
        expected[[0, 1, 2], result.indices.numpy()] = 1.0
        np.testing.assert_array_equal(g.numpy(), expected)


# ============================================================== in-place ops on non-leaf tensors

MASK = nbgrad.tensor([[True, False, True], [False, False, True]])
INPLACE = {
    # name -> (the op it records, the in-place form, its out-of-place equivalent); y is a non-leaf
    "add_": (E.Add, lambda y, w: y.add_(w), lambda y, w: y + w),
    "add_ alpha": (E.Add, lambda y, w: y.add_(w, alpha=-2.0), lambda y, w: y - 2.0 * w),
    "sub_": (E.Sub, lambda y, w: y.sub_(w), lambda y, w: y - w),
    "mul_": (E.Mul, lambda y, w: y.mul_(w), lambda y, w: y * w),
    "div_": (E.Div, lambda y, w: y.div_(w * w + 0.5), lambda y, w: y / (w * w + 0.5)),
    "+= number": (E.Add, lambda y, w: y.__iadd__(1.5), lambda y, w: y + 1.5),
    "*= number": (E.Mul, lambda y, w: y.__imul__(-2.0), lambda y, w: y * -2.0),
    "setitem": (V.CopySlices, lambda y, w: _assign(y, (0, slice(None, None, 2)), w[1, :2]),
                lambda y, w: nbgrad.cat([nbgrad.stack([w[1, 0], y[0, 1], w[1, 1]]).unsqueeze(0), y[1:]])),
    "setitem mask": (I.IndexPut, lambda y, w: _assign(y, MASK, w[MASK]), lambda y, w: nbgrad.where(MASK, w, y)),
    "copy_": (E.Copy, lambda y, w: y.copy_(w * 3), lambda y, w: w * 3 + y * 0),
    "copy_ broadcast": (E.Copy, lambda y, w: y.copy_(w[0]), lambda y, w: w[0].expand(y.shape) + y * 0),
    "copy_ constant": (E.Copy, lambda y, w: y.copy_(nbgrad.ones(3, dtype=y.dtype)), lambda y, w: y * 0 + 1),
    "fill_": (E.Fill, lambda y, w: y.fill_(0.25), lambda y, w: y * 0 + 0.25),
    "fill_ tensor": (E.FillTensor, lambda y, w: y.fill_(w[1, 2]), lambda y, w: y * 0 + w[1, 2]),
    "zero_": (E.Zero, lambda y, w: y.zero_(), lambda y, w: y * 0),
}


def _assign(y, key, value):
    y[key] = value
    return y


@covers({name: (op,) for name, (op, _, _) in INPLACE.items()}, per="name")
@pytest.mark.parametrize("name", INPLACE)
@given(x=arrays((2, 3)), w=arrays((2, 3)))
@SETTINGS
def test_inplace_ops_on_non_leaves(name, x, w):
    """In place on y = x·x: gradients match finite differences and the out-of-place form; version + 1."""
    _, inplace, out_of_place = INPLACE[name]

    def through_inplace(a, b):
        y = a * a
        before = y._version
        assert inplace(y, b) is y
        assert y._version == before + 1
        return y * a

    check_grad(through_inplace, x, w, unused_nodes=name == "setitem")  # the view it writes through
    ones = nbgrad.ones(2, 3, dtype=nbgrad.float64)
    xs, ws = f64(x), f64(w)
    expected = grad(out_of_place(xs * xs, ws) * xs, (xs, ws), ones, allow_unused=True)
    xs, ws = f64(x), f64(w)
    got = grad(through_inplace(xs, ws), (xs, ws), ones, allow_unused=True)
    for e, g in zip(expected, got):
        np.testing.assert_allclose(0 if g is None else g.numpy(), 0 if e is None else e.numpy(), rtol=1e-12, atol=0)


def test_a_view_shares_the_version_counter():
    x = f64([[1.0, 2.0], [3.0, 4.0]])
    y = x * 1
    row = y[0]
    y.mul_(2)
    assert row._version == y._version == 1
    y[1] = 0.0
    assert row._version == 2


# change -> (the in-place change, the op PyTorch's message says last wrote the tensor)
CHANGES = {
    "add_": (lambda y: y.add_(1), "Add"),
    "mul_": (lambda y: y.mul_(2), "Mul"),
    "sub_": (lambda y: y.sub_(1), "Sub"),
    "div_": (lambda y: y.div_(2), "Div"),
    "setitem": (lambda y: y.__setitem__(0, 5.0), "CopySlices"),
    "copy_": (lambda y: y.copy_(nbgrad.ones(3, dtype=nbgrad.float64)), "CopyBackwards"),
    "fill_": (lambda y: y.fill_(1.0), "Fill2"),
    "zero_": (lambda y: y.zero_(), "Zero"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_backward_fails_naming_the_ops_when_a_saved_tensor_was_changed_in_place(change):
    x = f64([1.0, 2.0, 3.0])
    y = x * 2
    z = y * y  # MulBackward0 saves y
    modify, writer = CHANGES[change]
    modify(y)
    message = (re.escape(f"[nbgrad.DoubleTensor [3]], which is output 0 of {writer}, is at version 1; expected "
                         "version 0 instead. It was saved by MulBackward0."))
    with pytest.raises(RuntimeError, match="modified by an inplace operation: " + message):
        z.sum().backward()
    assert x.grad is None  # nothing was written


def test_an_output_saved_by_its_op_is_guarded_too():
    x = f64([0.5, 1.0])
    y = x.exp()  # ExpBackward0 saves its result, y itself
    y.add_(1)
    with pytest.raises(RuntimeError, match="output 0 of Exp, is at version 1; expected version 0"):
        y.sum().backward()


# ============================================================== nbgrad.autograd.gradcheck itself

class _WrongDouble(nbgrad.autograd.Function):
    """2x with a backward that forgets the 2."""

    @staticmethod
    def forward(ctx, x):
        return x._data * 2

    @staticmethod
    def backward(ctx, g):
        return g


class _Cube(nbgrad.autograd.Function):
    """x³ with a correct first derivative computed in NumPy, so it cannot be differentiated again."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x._data ** 3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return nbgrad.tensor(g._data * 3 * x._data ** 2)


def test_gradcheck_accepts_correct_gradients_and_rejects_wrong_ones():
    x = f64([0.3, -1.2, 2.0])
    assert gradcheck(lambda t: (t.sin() * t).sum(), (x,))
    assert gradgradcheck(lambda t: t.sin() * t, (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(_WrongDouble.apply, (x,))
    assert gradcheck(_WrongDouble.apply, (x,), raise_exception=False) is False
    assert gradcheck(_Cube.apply, (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(_Cube.apply, (x,))


def test_gradcheck_needs_an_input_that_requires_grad_and_warns_about_float32():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda t: t * 2, (nbgrad.tensor([1.0], dtype=nbgrad.float64),))
    with pytest.warns(UserWarning, match="not a double precision"):
        gradcheck(lambda t: t * 2, (nbgrad.tensor([1.0], requires_grad=True),), raise_exception=False)


def test_the_shared_helper_catches_what_gradcheck_catches():
    """The NumPy-side check must fail on the same broken Functions, first and second order."""
    with pytest.raises(AssertionError, match="first derivative"):
        check_grad(_WrongDouble.apply, np.array([0.3, -1.2]), second_order=False, float32=False)
    with pytest.raises(AssertionError, match="carry no graph|second derivative"):
        check_grad(_Cube.apply, np.array([0.3, -1.2]), float32=False)


@given(x=arrays(shapes(max_side=2), away_from_zero(0.5)))
@SETTINGS
def test_gradcheck_agrees_with_the_shared_helper(x):
    def f(t):
        return (t.exp() / t).tanh().softmax(-1 if t.ndim else 0)

    check_grad(f, x)
    assert gradcheck(f, (f64(x),)) and gradgradcheck(f, (f64(x),))


# ============================================================== every primitive has a test

def untested(primitives, coverage):
    return sorted(op.__name__ for op in primitives if op not in coverage)


def test_every_primitive_has_a_gradient_test():
    nbgrad._lazy.load_all()  # the op families that load at first use, all of them
    # the op families' own test modules (test_ops_<family>.py) register their tests with ``covers`` too
    for path in sorted(Path(__file__).parent.glob("test_ops_*.py")):
        importlib.import_module(path.stem)
    assert untested(PRIMITIVES, COVERAGE) == []
    for op, test in COVERAGE.items():  # and each of those tests is one pytest collects
        module = sys.modules[test.__module__]
        assert test.__name__.startswith("test_") and getattr(module, test.__name__) is test, op.__name__


def test_a_new_primitive_without_a_test_is_reported():
    class Frobnicate(nbgrad.ops.Primitive):
        """A stand-in for an op someone adds tomorrow."""

    try:
        assert untested(PRIMITIVES, COVERAGE) == ["Frobnicate"]
    finally:
        PRIMITIVES.remove(Frobnicate)
