"""Gradients of the activation and loss primitives of issue 12 (nbgrad/ops/activation.py, nbgrad/ops/loss.py),
checked against finite differences over generated inputs, with the values chosen at kinks tested exactly."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nbgrad
import nbgrad.nn.functional as F
from helpers import SETTINGS, arrays, away_from_zero, check_grad, floats, on_grid, shapes
from nbgrad.autograd import grad
from nbgrad.autograd.graph import op_of, traverse
from nbgrad.ops import activation as A, embedding as EM, losses as LS, maths as M, misc as MI
from test_ops_grad import covers, f64

ERF = np.vectorize(math.erf, otypes=[float])
EPS32 = float(np.float32(1e-12))  # PyTorch's clamp in binary_cross_entropy's backward, a C float
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def _sig(a):
    return 1 / (1 + np.exp(-a))


def _gelu(a, approximate):
    if approximate == "tanh":
        return 0.5 * a * (1 + np.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3)))
    return a * 0.5 * (1 + ERF(a / math.sqrt(2)))


def _elu(a, alpha, scale=1.0, input_scale=1.0):
    return np.where(a > 0, scale * a, scale * alpha * (np.exp(a * input_scale) - 1))


def _hardtanh(a, lo, hi):
    return np.minimum(np.maximum(a, lo), hi)


# ============================================================== activations

# name -> (ops covered, fn, reference, elements): the in-place forms write over a copy (x * 1: a leaf cannot be)
ACTIVATIONS = {
    "gelu": ((A.Gelu,), F.gelu, lambda a: _gelu(a, "none"), floats(-4.0, 4.0)),
    "gelu tanh": ((A.Gelu,), lambda x: F.gelu(x, approximate="tanh"), lambda a: _gelu(a, "tanh"), floats(-4.0, 4.0)),
    "leaky_relu": ((A.LeakyRelu,), lambda x: F.leaky_relu(x, 0.2), lambda a: np.where(a > 0, a, 0.2 * a),
                   away_from_zero()),
    "leaky_relu negative slope": ((A.LeakyRelu,), lambda x: F.leaky_relu(x, -1.5),
                                  lambda a: np.where(a > 0, a, -1.5 * a), away_from_zero()),
    "leaky_relu_": ((A.LeakyReluInplace,), lambda x: F.leaky_relu(x * 1, 0.2, inplace=True),
                    lambda a: np.where(a > 0, a, 0.2 * a), away_from_zero()),
    "elu": ((A.Elu,), lambda x: F.elu(x, 0.7), lambda a: _elu(a, 0.7), away_from_zero()),
    "elu_": ((A.EluInplace,), lambda x: F.elu_(x * 1, 1.3), lambda a: _elu(a, 1.3), away_from_zero()),
    "selu": ((A.Elu,), F.selu, lambda a: _elu(a, SELU_ALPHA, SELU_SCALE), away_from_zero()),
    "selu inplace": ((A.EluInplace,), lambda x: F.selu(x * 1, inplace=True), lambda a: _elu(a, SELU_ALPHA, SELU_SCALE),
                     away_from_zero()),
    "celu": ((A.Celu,), lambda x: F.celu(x, 2.0), lambda a: _elu(a, 2.0, 1.0, 0.5), away_from_zero()),
    "celu_": ((A.CeluInplace,), lambda x: F.celu_(x * 1, 0.5), lambda a: _elu(a, 0.5, 1.0, 2.0), away_from_zero()),
    "silu": ((A.Silu,), F.silu, lambda a: a * _sig(a), floats(-6.0, 6.0)),
    "silu inplace": ((A.Silu,), lambda x: F.silu(x * 1, inplace=True), lambda a: a * _sig(a), floats(-6.0, 6.0)),
    "mish": ((A.Mish,), F.mish, lambda a: a * np.tanh(np.log1p(np.exp(a))), floats(-6.0, 6.0)),
    "mish inplace": ((A.Mish,), lambda x: F.mish(x * 1, inplace=True), lambda a: a * np.tanh(np.log1p(np.exp(a))),
                     floats(-6.0, 6.0)),
    # the grid keeps every value at least 0.05 from the bounds
    "hardtanh": ((A.Hardtanh,), lambda x: F.hardtanh(x, -0.5, 1.0), lambda a: _hardtanh(a, -0.5, 1.0),
                 on_grid(0.1, offset=0.05)),
    "hardtanh_": ((A.Hardtanh,), lambda x: F.hardtanh_(x * 1), lambda a: _hardtanh(a, -1.0, 1.0),
                  on_grid(0.1, offset=0.05)),
    "relu6": ((A.Hardtanh,), lambda x: F.relu6(x * 3), lambda a: _hardtanh(3 * a, 0.0, 6.0),
              on_grid(0.1, offset=0.05)),
    "logsigmoid": ((A.LogSigmoid,), F.logsigmoid, lambda a: -np.logaddexp(0, -a), floats(-8.0, 8.0)),
    "threshold": ((A.Threshold,), lambda x: F.threshold(x, 0.5, -2.0), lambda a: np.where(a > 0.5, a, -2.0),
                  on_grid(0.1, offset=0.05)),
    "threshold_": ((A.Threshold,), lambda x: F.threshold_(x * 1, 0.5, -2.0), lambda a: np.where(a > 0.5, a, -2.0),
                   on_grid(0.1, offset=0.05)),
    # grids at least 0.05 from the kinks (±3; ±λ)
    "hardswish": ((A.Hardswish,), F.hardswish, lambda a: a * np.clip(a + 3, 0, 6) / 6, on_grid(0.1, -5, 5, offset=0.05)),
    "hardswish inplace": ((A.Hardswish,), lambda x: F.hardswish(x * 1, inplace=True),
                          lambda a: a * np.clip(a + 3, 0, 6) / 6, on_grid(0.1, -5, 5, offset=0.05)),
    "hardshrink": ((A.Hardshrink,), lambda x: F.hardshrink(x, 0.4), lambda a: np.where(np.abs(a) > 0.4, a, 0.0),
                   on_grid(0.1, offset=0.05)),
    "softshrink": ((A.Softshrink,), F.softshrink, lambda a: np.sign(a) * np.maximum(np.abs(a) - 0.5, 0.0),
                   on_grid(0.1, offset=0.05)),
}


@covers({name: case[0] for name, case in ACTIVATIONS.items()}, per="name")
@pytest.mark.parametrize("name", ACTIVATIONS)
@given(data=st.data())
@SETTINGS
def test_activation(name, data):
    """Shapes from 0-d to 3-d, empty ones included (but for the in-place forms: nbgrad's memory-overlap check
    refuses to write into an empty product, a difference of its own); inputs away from the kinks (tested below)."""
    _, fn, reference, elements = ACTIVATIONS[name]
    in_place = name.endswith("_") or "inplace" in name
    x = data.draw(arrays(shapes(min_side=1 if in_place else 0), elements), label="x")
    check_grad(fn, x, reference=reference)


def _gelu_derivative(a, approximate):
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        t = np.tanh(k * (a + 0.044715 * a ** 3))
        return 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * k * (1 + 3 * 0.044715 * a * a)
    return 0.5 * (1 + ERF(a / math.sqrt(2))) + a * np.exp(-a * a / 2) / math.sqrt(2 * math.pi)


def _elu_derivative(alpha, scale, input_scale, is_result):
    """elu'(x) from x, or from the result y = elu(x) (y > 0 exactly where x > 0)."""
    if is_result:
        return lambda y: np.where(y > 0, scale, input_scale * (y + alpha * scale))
    return lambda x: np.where(x > 0, scale, scale * alpha * input_scale * np.exp(x * input_scale))


# The ops that a backward records under create_graph (PyTorch's gelu_backward, ...): checked as ops of their
# own, in each input, so that third derivatives are right too. (name -> op, fn, derivative, self's elements)
BACKWARD = {
    "gelu_backward": (A.GeluBackward, lambda g, a: A.GeluBackward.apply(g, a, "none"),
                      lambda a: _gelu_derivative(a, "none"), floats(-4.0, 4.0)),
    "gelu_backward tanh": (A.GeluBackward, lambda g, a: A.GeluBackward.apply(g, a, "tanh"),
                           lambda a: _gelu_derivative(a, "tanh"), floats(-4.0, 4.0)),
    "leaky_relu_backward": (A.LeakyReluBackward, lambda g, a: A.LeakyReluBackward.apply(g, a, 0.3),
                            lambda a: np.where(a > 0, 1.0, 0.3), away_from_zero()),
    "elu_backward": (A.EluBackward, lambda g, a: A.EluBackward.apply(g, a, 1.5, 2.0, 0.5, False),
                     _elu_derivative(1.5, 2.0, 0.5, False), away_from_zero()),
    "elu_backward from the result": (A.EluBackward, lambda g, y: A.EluBackward.apply(g, y, 1.5, 2.0, 0.5, True),
                                     _elu_derivative(1.5, 2.0, 0.5, True), away_from_zero()),
    "hardtanh_backward": (A.HardtanhBackward, lambda g, a: A.HardtanhBackward.apply(g, a, -0.5, 1.0),
                          lambda a: ((a > -0.5) & (a < 1.0)).astype(float), on_grid(0.1, offset=0.05)),
    "log_sigmoid_backward": (A.LogSigmoidBackward, A.LogSigmoidBackward.apply, lambda a: 1 / (1 + np.exp(a)),
                             floats(-8.0, 8.0)),
    "hardswish_backward": (A.HardswishBackward, A.HardswishBackward.apply,
                           lambda a: np.where(a <= -3, 0.0, np.where(a < 3, a / 3 + 0.5, 1.0)),
                           on_grid(0.1, -5, 5, offset=0.05)),
    "hardshrink_backward": (A.HardshrinkBackward, lambda g, a: A.HardshrinkBackward.apply(g, a, 0.4),
                            lambda a: (np.abs(a) > 0.4).astype(float), on_grid(0.1, offset=0.05)),
    "softshrink_backward": (A.SoftshrinkBackward, lambda g, a: A.SoftshrinkBackward.apply(g, a, 0.4),
                            lambda a: (np.abs(a) > 0.4).astype(float), on_grid(0.1, offset=0.05)),
}


@covers({name: (case[0],) for name, case in BACKWARD.items()}, per="name")
@pytest.mark.parametrize("name", BACKWARD)
@given(data=st.data())
@SETTINGS
def test_backward_ops(name, data):
    op, fn, derivative, elements = BACKWARD[name]
    shape = data.draw(shapes(), label="shape")
    g = data.draw(arrays(shape), label="grad_output")
    a = data.draw(arrays(shape, elements), label="self")
    check_grad(fn, g, a, reference=lambda g_, a_: g_ * derivative(a_))


# ============================================================== kinks: the values chosen, exactly

# convention -> (input, function, exact gradient, exact second derivative of its sum);
# tests/core/test_act_parity.py checks these points against PyTorch
KINKS = {
    "leaky_relu'(0) = negative_slope": ([-1.0, 0.0, 2.0], lambda x: F.leaky_relu(x, 0.25), [0.25, 0.25, 1.0],
                                        [0.0, 0.0, 0.0]),
    "elu'(0) = α (the left slope), elu''(0) = 0": ([0.0, 1.0], lambda x: F.elu(x, 0.5), [0.5, 1.0], [0.0, 0.0]),
    "celu'(0) = 1": ([0.0], lambda x: F.celu(x, 2.0), [1.0], [0.0]),
    "selu'(0) = λα": ([0.0], F.selu, [SELU_SCALE * SELU_ALPHA], [0.0]),
    "hardtanh' = 0 at its bounds": ([-1.0, 0.0, 1.0], F.hardtanh, [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]),
    "relu6' = 0 at 0 and 6": ([0.0, 3.0, 6.0], F.relu6, [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]),
    "hardswish' = 0 at -3 and 1 at 3, hardswish'' = 0 there": ([-3.0, 0.0, 3.0], F.hardswish, [0.0, 0.5, 1.0],
                                                               [0.0, 1 / 3, 0.0]),
    "hardshrink' = 0 at ±λ": ([-0.5, 0.5, 1.0], F.hardshrink, [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]),
    "threshold' = 0 at the threshold": ([0.5, 1.0], lambda x: F.threshold(x, 0.5, 3.0), [0.0, 1.0], [0.0, 0.0]),
    "softshrink' = 0 at ±λ": ([-0.5, 0.5, -1.0], F.softshrink, [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]),
}


@pytest.mark.parametrize("convention", KINKS)
def test_gradient_at_a_kink(convention):
    values, fn, expected, second = KINKS[convention]
    x = f64(values)
    (g,) = grad(fn(x).sum(), x, create_graph=True)
    assert g.tolist() == expected
    (h,) = grad(g.sum(), x, allow_unused=True)
    assert (np.zeros(len(values)) if h is None else h.numpy()).tolist() == second


def test_in_place_leaky_relu_and_elu_with_a_negative_slope_refuse_backward_as_pytorch():
    """The saved result cannot tell the two sides apart when the slope is negative."""
    for fn, message in ((lambda t: F.leaky_relu_(t, -0.5), "In-place leakyReLu backward calculation"),
                        (lambda t: F.elu_(t, -0.5), "In-place elu backward calculation")):
        x = f64([1.0, -2.0])
        with pytest.raises(RuntimeError, match=message):
            fn(x * 1).sum().backward()


def test_in_place_activations_write_over_their_input():
    for fn, expected in ((lambda t: F.leaky_relu_(t, 0.5), [-1.0, 3.0]), (lambda t: F.hardtanh_(t), [-1.0, 1.0]),
                         (lambda t: F.relu6(t, inplace=True), [0.0, 3.0]), (lambda t: F.elu_(t), [math.expm1(-2), 3.0]),
                         (lambda t: F.silu(t, inplace=True), [-2 * _sig(-2.0), 3 * _sig(3.0)])):
        x = nbgrad.tensor([-2.0, 3.0], dtype=nbgrad.float64)
        assert fn(x) is x
        np.testing.assert_allclose(x.numpy(), expected, rtol=1e-15)


# ============================================================== losses

REDUCE = {"mean": np.mean, "sum": np.sum, "none": lambda d: d}


def _bce(x, y, w=1.0):
    return -w * (y * np.log(x) + (1 - y) * np.log1p(-x))


@covers(LS.BinaryCrossEntropy, M.Logit)
@given(data=st.data(), shape=shapes(), reduction=st.sampled_from(["mean", "sum", "none"]), weighted=st.booleans())
@SETTINGS
def test_binary_cross_entropy(data, shape, reduction, weighted):
    """Gradients to the probabilities and to the (soft) targets (through logit); the weight is a constant."""
    x = data.draw(arrays(shape, floats(0.05, 0.95)), label="input")
    y = data.draw(arrays(shape, floats(0.0, 1.0)), label="target")
    w = data.draw(arrays(shape[-1:], floats(0.5, 2.0)), label="weight") if weighted else None

    def fn(a, b):
        return F.binary_cross_entropy(a, b, None if w is None else nbgrad.tensor(w, dtype=a.dtype), reduction=reduction)

    check_grad(fn, x, y, reference=lambda a, b: REDUCE[reduction](_bce(a, b, 1.0 if w is None else w)))


PIECEWISE = {  # name -> (op, function, reference of the element-wise loss), the parameter 0.5
    "smooth_l1_loss": (LS.SmoothL1Loss, lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.5),
                       lambda z: np.where(z < 0.5, z * z, z - 0.25)),
    "huber_loss": (LS.HuberLoss, lambda a, b, r: F.huber_loss(a, b, reduction=r, delta=0.5),
                   lambda z: np.where(z < 0.5, 0.5 * z * z, 0.5 * (z - 0.25))),
}


@covers({name: (case[0],) for name, case in PIECEWISE.items()}, per="name")
@pytest.mark.parametrize("name", PIECEWISE)
@given(data=st.data(), shape=shapes(), reduction=st.sampled_from(["mean", "sum", "none"]))
@SETTINGS
def test_smooth_l1_and_huber_losses(name, data, shape, reduction):
    """On these grids x - y is never within 0.05 of ±0.5, the joins (tested at the kinks)."""
    _, fn, reference = PIECEWISE[name]
    x = data.draw(arrays(shape, on_grid(0.2)), label="input")
    y = data.draw(arrays(shape, on_grid(0.2, offset=0.05)), label="target")
    check_grad(lambda a, b: fn(a, b, reduction), x, y, reference=lambda a, b: REDUCE[reduction](reference(np.abs(a - b))))


@covers(LS.SoftMarginLoss)
@given(data=st.data(), shape=shapes(), reduction=st.sampled_from(["mean", "sum", "none"]))
@SETTINGS
def test_soft_margin_loss(data, shape, reduction):
    x = data.draw(arrays(shape), label="input")
    y = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0])), label="labels")
    check_grad(lambda a: F.soft_margin_loss(a, nbgrad.tensor(y, dtype=a.dtype), reduction=reduction), x,
               reference=lambda a: REDUCE[reduction](np.log1p(np.exp(-y * a))))


@covers(MI.Xlogy)
@given(data=st.data(), shape=shapes(), reduction=st.sampled_from(["batchmean", "sum", "none"]))
@SETTINGS
def test_kl_div(data, shape, reduction):
    """kl_div(log p, q) = Σ q·(ln q - log p): xlogy(q, q) - q·log p (gradients to both)."""
    x = data.draw(arrays(shape, floats(-3.0, 0.0)), label="log-probabilities")
    y = data.draw(arrays(shape, floats(0.05, 1.0)), label="target")

    def reference(a, b):
        loss = b * (np.log(b) - a)
        if reduction == "none":
            return loss
        return loss.sum() / (a.shape[0] if reduction == "batchmean" and a.ndim else 1)

    check_grad(lambda a, b: F.kl_div(a, b, reduction=reduction), x, y, reference=reference)


def test_xlogy_is_zero_where_x_is_zero_and_so_is_its_x_derivative_where_y_is_not_positive():
    """NOTE-ed in the op: PyTorch's choice at x = 0 (0·ln 0 = 0; ∂/∂x = 0 there when y ≤ 0)."""
    a, b = f64([0.0, 0.0, 0.0, 2.0]), f64([0.0, -1.0, 3.0, 1.0])
    out = MI.Xlogy.apply(a, b)
    assert out.tolist()[:3] == [0.0, 0.0, 0.0]
    (ga, gb) = grad(out.sum(), (a, b))
    assert ga.tolist() == [0.0, 0.0, math.log(3.0), 0.0]


LABELS = np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
LOSS_BACKWARD = {  # name -> (op, fn(g, x[, y]), reference, shapes of g, x[, y], elements of x, y (None: a constant))
    "binary_cross_entropy_backward": (
        LS.BinaryCrossEntropyBackward, lambda g, x, y: LS.BinaryCrossEntropyBackward.apply(g, x, y, None, "mean"),
        lambda g, x, y: g * (x - y) / (x * (1 - x)) / x.size, ((), (2, 3), (2, 3)), floats(0.1, 0.9), floats(0.0, 1.0)),
    "binary_cross_entropy_backward weighted none": (
        LS.BinaryCrossEntropyBackward,
        lambda g, x, y: LS.BinaryCrossEntropyBackward.apply(g, x, y, np.array([0.5, 2.0, 1.5]), "none"),
        lambda g, x, y: g * (x - y) / (x * (1 - x)) * np.array([0.5, 2.0, 1.5]), ((2, 3),) * 3, floats(0.1, 0.9),
        floats(0.0, 1.0)),
    "soft_margin_loss_backward": (
        LS.SoftMarginLossBackward, lambda g, x: LS.SoftMarginLossBackward.apply(g, x, LABELS, "mean"),
        lambda g, x: -g * LABELS / (1 + np.exp(LABELS * x)) / 6, ((), (2, 3)), floats(), None),
    "smooth_l1_loss_backward": (
        LS.SmoothL1LossBackward, lambda g, x, y: LS.SmoothL1LossBackward.apply(g, x, y, "none", 0.5),
        lambda g, x, y: g * np.clip((x - y) / 0.5, -1, 1), ((2, 3),) * 3, on_grid(0.2), on_grid(0.2, offset=0.05)),
    "huber_loss_backward": (
        LS.HuberLossBackward, lambda g, x, y: LS.HuberLossBackward.apply(g, x, y, "mean", 0.5),
        lambda g, x, y: g * np.clip(x - y, -0.5, 0.5) / x.size, ((), (2, 3), (2, 3)), on_grid(0.2),
        on_grid(0.2, offset=0.05)),
}


@covers({name: (case[0],) for name, case in LOSS_BACKWARD.items()}, per="name")
@pytest.mark.parametrize("name", LOSS_BACKWARD)
@given(data=st.data())
@SETTINGS
def test_loss_backward_ops(name, data):
    """The losses' backward ops (recorded under create_graph), in each input: third derivatives of the losses."""
    op, fn, reference, sizes, x_elements, y_elements = LOSS_BACKWARD[name]
    g = data.draw(arrays(sizes[0]), label="grad_output")
    x = data.draw(arrays(sizes[1], x_elements), label="self")
    y = [] if y_elements is None else [data.draw(arrays(sizes[2], y_elements), label="target")]  # None: labels
    check_grad(fn, g, x, *y, reference=reference)


LOSS_KINKS = {  # convention -> (input, target, loss, exact gradient to the input, exact second derivative)
    "smooth_l1 at |x - y| = β: slope ±1, curvature 0": (
        [0.5, -0.5, 0.0], [0.0, 0.0, 0.0], lambda x, y: F.smooth_l1_loss(x, y, reduction="sum", beta=0.5),
        [1.0, -1.0, 0.0], [0.0, 0.0, 2.0]),
    "huber at |x - y| = δ: slope ±δ, curvature 0": (
        [2.0, -2.0, 0.0], [0.0, 0.0, 0.0], lambda x, y: F.huber_loss(x, y, reduction="sum", delta=2.0),
        [2.0, -2.0, 0.0], [0.0, 0.0, 1.0]),
    "binary_cross_entropy at 0 and 1: logs clamped at -100, x(1 - x) at 1e-12": (
        [0.0, 1.0], [1.0, 0.0], lambda x, y: F.binary_cross_entropy(x, y, reduction="sum"), [-1 / EPS32, 1 / EPS32], None),
}


@pytest.mark.parametrize("convention", LOSS_KINKS)
def test_loss_gradient_at_a_kink(convention):
    values, targets, fn, expected, second = LOSS_KINKS[convention]
    x = f64(values)
    loss = fn(x, nbgrad.tensor(targets, dtype=nbgrad.float64))
    (g,) = grad(loss, x, create_graph=True)
    assert g.tolist() == expected
    if second is not None:
        (h,) = grad(g.sum(), x)
        assert h.tolist() == second
    if "binary" in convention:
        assert loss.item() == 200.0


# ============================================================== embedding

@st.composite
def lookups(draw):
    """A weight (n, d), indices of any shape (repeats likely), a padding_idx or none, scale_grad_by_freq."""
    n, d = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    weight = draw(arrays((n, d)), label="weight")
    indices = draw(hnp.arrays(np.int64, shapes(max_dims=2), elements=st.integers(0, n - 1)), label="indices")
    padding_idx = draw(st.none() | st.integers(-n, n - 1))
    return weight, indices, padding_idx, draw(st.booleans())


@covers(EM.Embedding)
@given(case=lookups())
@SETTINGS
def test_embedding(case):
    """The plain lookup: padding_idx and scale_grad_by_freq change the gradient away from the derivative on
    purpose (PyTorch's conventions), so they are checked by their backward's formula below and exactly."""
    weight, indices, _, _ = case
    idx = nbgrad.tensor(indices)
    check_grad(lambda w: F.embedding(idx, w), weight, reference=lambda w: w[indices])


def _dense_backward_reference(g, indices, n, padding_idx, scale):
    out = np.zeros((n, g.shape[-1]))
    counts = np.bincount(indices.reshape(-1), minlength=n)
    for k, row in zip(indices.reshape(-1), g.reshape(-1, g.shape[-1])):
        if k != padding_idx:
            out[k] += row / (counts[k] if scale else 1)
    return out


@covers(EM.EmbeddingDenseBackward)
@given(case=lookups(), data=st.data())
@SETTINGS
def test_embedding_dense_backward(case, data):
    """Embedding's backward op (recorded under create_graph) in its input: the third derivatives of a lookup."""
    weight, indices, padding_idx, scale = case
    n, d = weight.shape
    pad = -1 if padding_idx is None else padding_idx % n
    g = data.draw(arrays(indices.shape + (d,)), label="grad_output")
    check_grad(lambda t: EM.EmbeddingDenseBackward.apply(t, indices, n, pad, scale) * 1, g,
               reference=lambda a: _dense_backward_reference(a, indices, n, pad, scale))


def test_the_padding_row_gets_no_gradient_and_repeats_add_up():
    w = f64([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    out = F.embedding(nbgrad.tensor([[0, 2, 0], [1, 2, 2]]), w, padding_idx=2)
    (g,) = grad(out.sum(), w)
    assert g.tolist() == [[2.0, 2.0], [1.0, 1.0], [0.0, 0.0]]
    (g,) = grad(F.embedding(nbgrad.tensor([0, 0, 1]), w, scale_grad_by_freq=True).sum(), w)
    assert g.tolist() == [[1.0, 1.0], [1.0, 1.0], [0.0, 0.0]]


# ============================================================== dropout variants: statistics, scaling, backward

ALPHA = 1.7580993408473766  # SELU's λα


def _channel_dropout_case(fn, shape, p):
    x = nbgrad.randn(*shape, dtype=nbgrad.float64, requires_grad=True)
    out = fn(x, p)
    (g,) = grad(out, x, nbgrad.ones_like(out))
    return x.detach().numpy(), out.detach().numpy(), g.numpy()


@pytest.mark.parametrize("fn, shape, channel_dims", [
    (lambda x, p: F.dropout1d(x, p), (40, 50, 3), 2),
    (lambda x, p: F.dropout1d(x, p), (400, 3), 1),
    (lambda x, p: F.dropout2d(x, p), (40, 50, 2, 2), 2),
    (lambda x, p: F.dropout3d(x, p), (40, 50, 2, 1, 2), 2),
    (lambda x, p: F.dropout3d(x, p), (400, 2, 1, 2), 1),
], ids=["dropout1d", "dropout1d unbatched", "dropout2d", "dropout3d", "dropout3d unbatched"])
@pytest.mark.parametrize("p", [0.2, 0.7])
def test_channel_dropout_zeroes_whole_channels_and_scales_the_rest(fn, shape, channel_dims, p):
    """About p of the channels are zero (within 5 standard deviations), each channel all or nothing, the rest
    scaled by 1/(1 - p); the gradient is the same mask times the same scale."""
    nbgrad.manual_seed(0)
    x, out, g = _channel_dropout_case(fn, shape, p)
    per_channel = g.reshape(int(np.prod(shape[:channel_dims])), -1)
    assert np.all(per_channel == per_channel[:, :1]), "a channel is dropped as a whole"
    np.testing.assert_allclose(np.unique(per_channel), [0.0, 1 / (1 - p)])
    n = per_channel.shape[0]
    dropped = np.mean(per_channel[:, 0] == 0)
    assert abs(dropped - p) < 5 * math.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(out, x * g, rtol=1e-15)


@pytest.mark.parametrize("feature", [False, True], ids=["alpha_dropout", "feature_alpha_dropout"])
@pytest.mark.parametrize("p", [0.1, 0.5])
def test_alpha_dropout_keeps_mean_and_variance(feature, p):
    """On standard normal input the output's mean stays 0 and variance 1 (SELU's fixed point); a dropped value is
    a·λα·(p - 1), a kept one a·x + a·λα·p, and the gradient is a where kept, 0 where dropped."""
    nbgrad.manual_seed(1)
    x = nbgrad.randn(20000, 4, dtype=nbgrad.float64, requires_grad=True) if not feature else \
        nbgrad.randn(5000, 4, 1, dtype=nbgrad.float64, requires_grad=True)
    fn = F.feature_alpha_dropout if feature else F.alpha_dropout
    out = fn(x, p, training=True)
    (g,) = grad(out.sum(), x)
    a = 1 / math.sqrt((ALPHA ** 2 * p + 1) * (1 - p))
    kept = g.numpy() != 0
    np.testing.assert_allclose(np.unique(g.numpy()), [0.0, a])
    np.testing.assert_allclose(out.detach().numpy()[~kept], a * ALPHA * (p - 1))
    np.testing.assert_allclose(out.detach().numpy()[kept], a * x.detach().numpy()[kept] + a * ALPHA * p)
    values = out.detach().numpy()
    assert abs(values.mean()) < 0.05 and abs(values.var() - 1) < 0.05
    assert abs(np.mean(~kept) - p) < 0.02


@pytest.mark.parametrize("fn, shape", [(F.dropout1d, (2, 3, 2)), (F.dropout2d, (2, 3, 2, 2)), (F.dropout3d, (2, 3, 1, 2, 2)),
                                       (F.alpha_dropout, (2, 3)), (F.feature_alpha_dropout, (2, 3, 2))])
def test_dropout_variants_are_the_identity_in_eval_and_at_p_0(fn, shape):
    """The input itself is returned (an unbatched input to dropout1d/3d comes back as a squeezed view, as in
    PyTorch: tests/core/test_act_parity.py)."""
    x = nbgrad.randn(*shape, requires_grad=True)
    assert fn(x, 0.5, training=False) is x
    assert fn(x, 0.0, training=True) is x


@pytest.mark.parametrize("fn", [F.dropout1d, F.dropout2d, F.alpha_dropout])
def test_dropout_variants_at_p_1_zero_everything_and_the_gradient(fn):
    x = nbgrad.randn(2, 3, 4, requires_grad=True)
    out = fn(x, 1.0, training=True)
    (g,) = grad(out.sum(), x)
    assert not out.detach().numpy().any() and not g.numpy().any()


def test_dropout_masks_follow_nbgrads_seed():
    outs = []
    for _ in range(2):
        nbgrad.manual_seed(5)
        outs.append(F.dropout2d(nbgrad.ones(4, 6, 2, 2)).numpy())
    np.testing.assert_array_equal(*outs)


def test_in_place_dropout_variants_write_over_their_input():
    nbgrad.manual_seed(2)
    for fn in (lambda t: F.dropout1d(t, inplace=True), lambda t: F.dropout2d(t.view(2, 3, 2, 1), inplace=True),
               lambda t: F.alpha_dropout(t, 0.5, True, inplace=True)):
        x = nbgrad.ones(2, 3, 2)
        out = fn(x)
        np.testing.assert_array_equal(x.numpy().reshape(out.shape), out.numpy())
        assert not np.all(x.numpy() == 1)



def test_the_parameters_of_this_family_s_rules_are_given_to_the_number_formatter_as_numbers():
    """A drawing or a trace formats each parameter with a number formatter (nbgrad.display.formatting.number):
    every parameter that is not a number (GELU's approximate) must be given as text already."""
    x = f64([0.3, -0.7])
    t = nbgrad.tensor([0.2, 0.9], dtype=nbgrad.float64)
    y = (F.gelu(x, approximate="tanh") + F.leaky_relu(x) + F.elu(x) + F.celu(x) + F.hardtanh(x) + F.hardshrink(x)
         + F.softshrink(x) + F.threshold(x, 0.1, 2.0))
    loss = (F.smooth_l1_loss(y, t) + F.huber_loss(y, t) + F.embedding(nbgrad.tensor([0, 1]), x.reshape(2, 1)).sum())
    (g,) = grad(loss, x, create_graph=True)
    nodes = list(traverse(loss.grad_fn, g.grad_fn))
    with_params = [node for node in nodes if op_of(node) is not None and getattr(op_of(node).rule, "params", None)]
    assert len(with_params) >= 10
    for node in with_params:
        for value in op_of(node).rule.params(node, lambda v: f"{float(v):g}").values():
            assert isinstance(value, str)
