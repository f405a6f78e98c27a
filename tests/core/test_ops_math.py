"""Gradients of the math ops of issue 12 (trigonometric, hyperbolic, error functions, logarithms and powers of
2 and 10, rounding, division with a rounding mode, fmod, ...), checked against finite differences with
``helpers.check_grad``; the values they take at special points and kinks, with exact expected numbers."""
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nbgrad
from helpers import SETTINGS, arrays, away_from_zero, check_grad, floats, on_grid, shapes
from nbgrad.ops import maths as M
from test_ops_grad import Unary, covers, f64



def _erf(a):
    return np.vectorize(math.erf, otypes=[np.float64])(a)


UNARY = {
    "tan": Unary(M.Tan, lambda x: x.tan(), np.tan, floats(-1.2, 1.2)),
    "atan": Unary(M.Atan, lambda x: nbgrad.arctan(x), np.arctan),
    "asin": Unary(M.Asin, lambda x: x.asin(), np.arcsin, floats(-0.9, 0.9)),
    "acos": Unary(M.Acos, lambda x: nbgrad.acos(x), np.arccos, floats(-0.9, 0.9)),
    "sinh": Unary(M.Sinh, lambda x: x.sinh(), np.sinh),
    "cosh": Unary(M.Cosh, lambda x: nbgrad.cosh(x), np.cosh),
    "asinh": Unary(M.Asinh, lambda x: x.arcsinh(), np.arcsinh),
    "acosh": Unary(M.Acosh, lambda x: x.acosh(), np.arccosh, floats(1.2, 4.0)),
    "atanh": Unary(M.Atanh, lambda x: nbgrad.atanh(x), np.arctanh, floats(-0.9, 0.9)),
    "erf": Unary(M.Erf, lambda x: x.erf(), lambda a: _erf(a)),
    "erfc": Unary(M.Erfc, lambda x: nbgrad.erfc(x), lambda a: 1 - _erf(a)),
    "erfinv": Unary(M.Erfinv, lambda x: x.erfinv(), None, floats(-0.9, 0.9)),
    "log2": Unary(M.Log2, lambda x: x.log2(), np.log2, floats(0.3, 4.0)),
    "log10": Unary(M.Log10, lambda x: nbgrad.log10(x), np.log10, floats(0.3, 4.0)),
    "exp2": Unary(M.Exp2, lambda x: x.exp2(), np.exp2),
    "rsqrt": Unary(M.Rsqrt, lambda x: nbgrad.rsqrt(x), lambda a: 1 / np.sqrt(a), floats(0.3, 4.0)),
}


@covers({name: (case.op,) for name, case in UNARY.items()}, per="name")
@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
@SETTINGS
def test_unary(name, data):
    """Shapes from 0-d to 3-d, empty ones included, inside each function's domain."""
    case = UNARY[name]
    x = data.draw(arrays(shapes(min_side=0), case.elements), label="x")
    check_grad(case.fn, x, reference=case.reference)


def test_erfinv_inverts_erf():
    y = np.linspace(-0.999, 0.999, 201)
    x = nbgrad.erfinv(nbgrad.tensor(y)).numpy()
    np.testing.assert_allclose(_erf(x), y, rtol=1e-14, atol=1e-15)
    assert nbgrad.erfinv(nbgrad.tensor([-1.0, 1.0, 1.5, 0.0])).tolist()[:2] == [-math.inf, math.inf]
    assert math.isnan(nbgrad.erfinv(nbgrad.tensor(1.5)).item())


# ============================================================== rounding

# a grid whose points are at least 0.05 from every integer (and from every half)
OFF_INTEGERS = on_grid(0.1, -4.0, 4.0, offset=0.05)
OFF_HALVES = on_grid(0.1, -4.0, 4.0, offset=0.02)

ROUNDING = {
    "floor": (M.Floor, lambda x: x.floor() * x, lambda a: np.floor(a) * a, OFF_INTEGERS),
    "ceil": (M.Ceil, lambda x: nbgrad.ceil(x) * x, lambda a: np.ceil(a) * a, OFF_INTEGERS),
    "trunc": (M.Trunc, lambda x: x.trunc() * x, lambda a: np.trunc(a) * a, OFF_INTEGERS),
    "fix": (M.Trunc, lambda x: nbgrad.fix(x) * x, lambda a: np.trunc(a) * a, OFF_INTEGERS),
    "round": (M.Round, lambda x: x.round() * x, lambda a: np.round(a) * a, OFF_HALVES),
    "round decimals": (M.RoundDecimals, lambda x: nbgrad.round(x, decimals=1) * x, lambda a: np.round(a, 1) * a,
                       on_grid(0.01, -4.0, 4.0, offset=0.003)),
    "round negative decimals": (M.RoundDecimals, lambda x: x.round(decimals=-1) * x,
                                lambda a: np.round(a, -1) * a, on_grid(1, -40, 40, offset=0.3)),
    "frac": (M.Frac, lambda x: x.frac() * x, lambda a: (a - np.trunc(a)) * a, OFF_INTEGERS),
}


@covers({name: (case[0],) for name, case in ROUNDING.items()}, per="name")
@pytest.mark.parametrize("name", ROUNDING)
@given(data=st.data())
@SETTINGS
def test_rounding(name, data):
    """Multiplied by x so that the zero gradient of the rounding (and frac's 1) meet a non-constant one."""
    _, fn, reference, elements = ROUNDING[name]
    x = data.draw(arrays(shapes(min_side=0), elements), label="x")
    check_grad(fn, x, reference=reference)


def test_rounding_values_at_halves_and_signed_zeros():
    """Halves round to even, -0.5 to -0.0, as PyTorch's nearbyint; frac(±inf) is nan."""
    x = nbgrad.tensor([0.5, 1.5, 2.5, -0.5, -2.5, -0.3])
    assert x.round().tolist() == [0.0, 2.0, 2.0, -0.0, -2.0, -0.0]
    assert np.signbit(x.round().numpy()).tolist() == [False, False, False, True, True, True]
    assert np.signbit(x.ceil().numpy()).tolist() == [False, False, False, True, True, True]
    assert nbgrad.tensor([1.25, 2.35, -15.0], dtype=nbgrad.float64).round(decimals=1).tolist() == [1.2, 2.4, -15.0]
    assert nbgrad.tensor([1250.0, 2500.0, -15.0]).round(decimals=-2).tolist() == [1200.0, 2500.0, -0.0]
    assert math.isnan(nbgrad.tensor(math.inf).frac().item())
    ints = nbgrad.tensor([3, -2])
    for fn in (nbgrad.floor, nbgrad.ceil, nbgrad.round, nbgrad.trunc):
        out = fn(ints)
        assert out.dtype == nbgrad.int64 and out.tolist() == [3, -2]


def test_rounding_gradients_are_zeros():
    x = f64([0.5, 1.7, -2.2])
    for fn in (nbgrad.floor, nbgrad.ceil, nbgrad.round, nbgrad.trunc, lambda t: t.round(decimals=2)):
        (g,) = nbgrad.autograd.grad(fn(x).sum(), x)
        assert g.tolist() == [0.0, 0.0, 0.0]
    (g,) = nbgrad.autograd.grad(x.frac().sum(), x)
    assert g.tolist() == [1.0, 1.0, 1.0]


# ============================================================== division with a rounding mode, fmod

def _quotient_off_integers(a, b):
    q = a / b
    return np.all(np.abs(q - np.round(q)) > 1e-3)


@covers(M.DivMode)
@given(data=st.data(), rounding_mode=st.sampled_from([None, "trunc", "floor"]),
       shape=shapes(), other_shape=st.sampled_from([(), (1,)]))
@SETTINGS
def test_div_with_a_rounding_mode(data, rounding_mode, shape, other_shape):
    """Rounded: gradient 0 (times x, so that the check sees a non-constant one); None: a / b (DivBackward2)."""
    a = data.draw(arrays(shape, floats(-5.0, 5.0)), label="a")
    b = data.draw(arrays(other_shape, away_from_zero(0.3, 3.0)), label="b")
    assume(_quotient_off_integers(a, b))
    rounded = {None: lambda q: q, "trunc": np.trunc, "floor": np.floor}[rounding_mode]
    check_grad(lambda x, y: x.div(y, rounding_mode=rounding_mode) * x, a, b,
               reference=lambda x, y: rounded(x / y) * x)


@covers(M.Fmod)
@given(x=arrays(shapes(min_side=0), floats(-5.0, 5.0)), c=st.sampled_from([1.0, -1.0, 0.4, -2.0, 3]))
@SETTINGS
def test_fmod_by_a_number(x, c):
    """The sign of the dividend (C's fmod), slope 1 between the jumps."""
    assume(_quotient_off_integers(x, c))
    check_grad(lambda t: t.fmod(c) * t, x, reference=lambda a: np.fmod(a, c) * a)


@covers(M.FmodTensor, M.DivMode)
@given(data=st.data(), shape=shapes(), constant=st.sampled_from([None, "left", "right"]))
@SETTINGS
def test_fmod_of_tensors(data, shape, constant):
    """∂/∂b = -trunc(a/b), recorded under create_graph as div(rounding_mode="trunc"), as in PyTorch."""
    a = data.draw(arrays(shape, floats(-5.0, 5.0)), label="a")
    b = data.draw(arrays(shape, away_from_zero(0.3, 3.0)), label="b")
    assume(_quotient_off_integers(a, b))
    if constant is None:
        check_grad(lambda x, y: nbgrad.fmod(x, y), a, b, reference=np.fmod)
    elif constant == "left":
        check_grad(lambda y: nbgrad.tensor(a, dtype=y.dtype).fmod(y), b, reference=lambda y: np.fmod(a, y))
    else:
        check_grad(lambda x: x.fmod(nbgrad.tensor(b, dtype=x.dtype)), a, reference=lambda x: np.fmod(x, b))


def test_div_and_fmod_values_as_pytorch():
    a, b = nbgrad.tensor([7, -7, 6]), nbgrad.tensor([2, 2, -4])
    assert a.div(b, rounding_mode="trunc").tolist() == [3, -3, -1]
    assert nbgrad.div(a, b, rounding_mode="floor").tolist() == [3, -4, -2]
    assert nbgrad.fmod(a, b).tolist() == [1, -1, 2]
    x = nbgrad.tensor([7.0, -7.0, 0.0])
    assert x.div(0, rounding_mode="floor").tolist()[:2] == [math.inf, -math.inf]
    assert np.signbit(nbgrad.tensor([-0.5, 0.5]).div(2.0, rounding_mode="trunc").numpy()).tolist() == [True, False]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a.div(0, rounding_mode="trunc")
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a.fmod(0)
    with pytest.raises(RuntimeError, match="but found 'round'"):
        x.div(2, rounding_mode="round")


def test_div_rounded_gradients_are_zeros():
    x, y = f64([5.0, -3.0]), f64([2.0, 4.0])
    for mode in ("trunc", "floor"):
        assert [g.tolist() for g in nbgrad.autograd.grad(x.div(y, rounding_mode=mode).sum(), (x, y))] == [[0.0, 0.0]] * 2


# ============================================================== nan_to_num

@covers(M.NanToNum)
@given(x=arrays(shapes(min_side=0), floats()), nan=st.sampled_from([0.0, 1.5]))
@SETTINGS
def test_nan_to_num(x, nan):
    check_grad(lambda t: t.nan_to_num(nan=nan) * t, x, reference=lambda a: np.nan_to_num(a, nan=nan) * a)


def test_nan_to_num_values_and_gradient_at_non_finite_values():
    x = nbgrad.tensor([math.nan, math.inf, -math.inf, 2.0], requires_grad=True)
    out = nbgrad.nan_to_num(x, posinf=9.0)
    big = float(np.finfo(np.float32).max)
    assert out.tolist() == [0.0, 9.0, -big, 2.0]
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0, 1.0]


# ============================================================== in place

def test_inplace_versions_record_the_ops_own_node_and_gradient():
    """x.exp_() on a non-leaf is ExpBackward0, the same values and gradients as x.exp()."""
    for name in ("exp", "tanh", "sigmoid", "relu", "tan", "erf", "floor", "round", "frac", "rsqrt", "square"):
        x = f64([0.3, -0.45, 0.8])
        want = getattr(x, name)()
        (g_want,) = nbgrad.autograd.grad((want * x).sum(), x)
        y = x * 1
        out = getattr(y, name + "_")()
        assert out is y and y._version == 1
        assert out.grad_fn.name() == want.grad_fn.name()
        np.testing.assert_array_equal(out.detach().numpy(), want.detach().numpy())  # nan where rsqrt has one
        (g,) = nbgrad.autograd.grad((out * x).sum(), x)
        np.testing.assert_array_equal(g.numpy(), g_want.numpy())


def test_inplace_of_a_saved_result_is_detected():
    """exp_ saves its result (the tensor itself): writing into it again fails at backward, as in PyTorch."""
    y = f64([0.3, -0.45]) * 1
    y.exp_()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_inplace_asinh_refuses_backward():
    y = (f64([0.3]) * 1).asinh_()
    assert y.grad_fn.name() == "AsinhBackward1"
    with pytest.raises(NotImplementedError, match="the derivative for 'inplace version of asinh' is not implemented."):
        y.backward()


# ============================================================== one-sided clamps, lerp, addcmul, addcdiv, atan2, hypot

@covers(M.ClampMin, M.ClampMax)
@given(x=arrays(shapes(min_side=0), on_grid(0.1, offset=0.05)), bound=on_grid(0.1, -2, 2))
@SETTINGS
def test_clamp_min_and_max_with_a_number(x, bound):
    """x on a grid, the bound between its points: never within eps of the kink."""
    check_grad(lambda t: t.clamp_min(bound) * nbgrad.clamp_max(t, bound), x,
               reference=lambda a: np.maximum(a, bound) * np.minimum(a, bound))


@covers(M.ClampMinTensor, M.ClampMaxTensor)
@given(data=st.data(), shape=shapes())
@SETTINGS
def test_clamp_min_and_max_with_a_tensor(data, shape):
    x = data.draw(arrays(shape, on_grid(0.1, offset=0.05)), label="x")
    b = data.draw(arrays(shape, on_grid(0.1, -2, 2)), label="bound")
    check_grad(lambda t, u: t.clamp_min(u) * nbgrad.clamp_max(t, u), x, b,
               reference=lambda a, c: np.maximum(a, c) * np.minimum(a, c))


def test_clamp_min_and_max_gradients_at_the_bound():
    """The bound itself passes the gradient to the input, none to a tensor bound, as in PyTorch."""
    x, lo = f64([1.0, 0.5, 2.0]), f64([1.0, 1.0, 1.0])
    gx, glo = nbgrad.autograd.grad(x.clamp_min(lo).sum(), (x, lo))
    assert gx.tolist() == [1.0, 0.0, 1.0] and glo.tolist() == [0.0, 1.0, 0.0]
    (gx,) = nbgrad.autograd.grad(x.clamp_max(1.0).sum(), x)
    assert gx.tolist() == [1.0, 1.0, 0.0]


@covers(M.Lerp)
@given(data=st.data(), shape=shapes(min_side=0), weight=st.sampled_from([0.0, 0.3, 0.5, 0.8, 1.0, -0.5, 1.5]))
@SETTINGS
def test_lerp_with_a_number_weight(data, shape, weight):
    a = data.draw(arrays(shape), label="a")
    b = data.draw(arrays(shape), label="b")
    check_grad(lambda x, y: nbgrad.lerp(x, y, weight) * x, a, b, reference=lambda x, y: (x + weight * (y - x)) * x)


@covers(M.LerpTensor)
@given(data=st.data(), shape=shapes())
@SETTINGS
def test_lerp_with_a_tensor_weight(data, shape):
    a = data.draw(arrays(shape), label="a")
    b = data.draw(arrays(shape), label="b")
    w = data.draw(arrays(shape, floats(-0.5, 1.5)), label="weight")
    check_grad(lambda x, y, u: x.lerp(y, u), a, b, w, reference=lambda x, y, u: x + u * (y - x))


@covers(M.Addcmul, M.Addcdiv)
@given(data=st.data(), shape=shapes(), value=st.sampled_from([1, 0.5, -2.0]))
@SETTINGS
def test_addcmul_and_addcdiv(data, shape, value):
    a = data.draw(arrays(shape), label="a")
    t1 = data.draw(arrays(shape), label="tensor1")
    t2 = data.draw(arrays(shape, away_from_zero(0.5)), label="tensor2")
    check_grad(lambda x, y, z: x.addcmul(y, z, value=value), a, t1, t2, reference=lambda x, y, z: x + value * y * z)
    check_grad(lambda x, y, z: nbgrad.addcdiv(x, y, z, value=value), a, t1, t2,
               reference=lambda x, y, z: x + value * y / z)


@covers(M.Atan2, M.Hypot)
@given(data=st.data(), shape=shapes())
@SETTINGS
def test_atan2_and_hypot(data, shape):
    """Away from the origin (both kinks) and from the negative b axis (atan2's jump from π to -π)."""
    a = data.draw(arrays(shape, away_from_zero(0.2)), label="a")
    b = data.draw(arrays(shape, floats()), label="b")
    check_grad(lambda x, y: nbgrad.atan2(x, y), a, b, reference=np.arctan2)
    check_grad(lambda x, y: x.hypot(y), a, b, reference=np.hypot)


def test_atan2_gradient_at_the_origin_is_zero():
    a, b = f64([0.0, 1.0]), f64([0.0, 1.0])
    ga, gb = nbgrad.autograd.grad(a.atan2(b).sum(), (a, b))
    assert ga.tolist() == [0.0, 0.5] and gb.tolist() == [0.0, -0.5]


@covers(M.Logit)
@given(data=st.data(), eps=st.sampled_from([None, 0.1, 0.25]))
@SETTINGS
def test_logit(data, eps):
    """Inside (0, 1), away from the clamp's kinks at eps and 1 - eps (a grid between them)."""
    x = data.draw(arrays(shapes(min_side=0), on_grid(0.1, 0.1, 0.9, offset=-0.03)), label="x")
    lo = 0.0 if eps is None else eps
    check_grad(lambda t: t.logit(eps=eps), x,
               reference=lambda a: np.log(np.clip(a, lo, 1 - lo) / (1 - np.clip(a, lo, 1 - lo))))


def test_logit_gradient_outside_its_range():
    """Clamped by eps: 0 there (the bounds still pass it); without eps: nan outside [0, 1], inf at 0 and 1."""
    x = f64([0.05, 0.1, 0.5, 0.95])
    (g,) = nbgrad.autograd.grad(x.logit(eps=0.1).sum(), x)
    np.testing.assert_allclose(g.numpy(), [0.0, 1 / 0.09, 4.0, 0.0])
    x = f64([0.0, 0.5, 1.0, -1.0])
    (g,) = nbgrad.autograd.grad(nbgrad.logit(x).sum(), x)
    assert g.tolist()[:3] == [math.inf, 4.0, math.inf] and math.isnan(g.tolist()[3])


@covers(M.Fmax, M.Fmin)
@given(data=st.data(), shape=shapes())
@SETTINGS
def test_fmax_and_fmin(data, shape):
    """Operands on interleaved grids: never tied, never within eps."""
    a = data.draw(arrays(shape, on_grid(0.1)), label="a")
    b = data.draw(arrays(shape, on_grid(0.1, offset=0.05)), label="b")
    check_grad(lambda x, y: nbgrad.fmax(x, y) * x.fmin(y), a, b, reference=lambda x, y: np.fmax(x, y) * np.fmin(x, y))


def test_fmax_and_fmin_ignore_nan_and_give_ties_to_the_first():
    n = math.nan
    a, b = f64([1.0, n, 2.0, n]), f64([n, 1.0, 2.0, n])
    out = nbgrad.fmax(a, b)
    assert out.tolist()[:3] == [1.0, 1.0, 2.0] and math.isnan(out.tolist()[3])
    ga, gb = nbgrad.autograd.grad(out.sum(), (a, b))
    assert ga.tolist() == [1.0, 0.0, 1.0, 1.0] and gb.tolist() == [0.0, 1.0, 0.0, 0.0]
    ga, gb = nbgrad.autograd.grad(nbgrad.fmin(a, b).sum(), (a, b))
    assert ga.tolist() == [1.0, 0.0, 1.0, 1.0] and gb.tolist() == [0.0, 1.0, 0.0, 0.0]
