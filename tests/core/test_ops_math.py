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
from nbgrad.ops import elementwise as E
from test_ops_grad import Unary, covers, f64



def _erf(a):
    return np.vectorize(math.erf, otypes=[np.float64])(a)


UNARY = {
    "tan": Unary(E.Tan, lambda x: x.tan(), np.tan, floats(-1.2, 1.2)),
    "atan": Unary(E.Atan, lambda x: nbgrad.arctan(x), np.arctan),
    "asin": Unary(E.Asin, lambda x: x.asin(), np.arcsin, floats(-0.9, 0.9)),
    "acos": Unary(E.Acos, lambda x: nbgrad.acos(x), np.arccos, floats(-0.9, 0.9)),
    "sinh": Unary(E.Sinh, lambda x: x.sinh(), np.sinh),
    "cosh": Unary(E.Cosh, lambda x: nbgrad.cosh(x), np.cosh),
    "asinh": Unary(E.Asinh, lambda x: x.arcsinh(), np.arcsinh),
    "acosh": Unary(E.Acosh, lambda x: x.acosh(), np.arccosh, floats(1.2, 4.0)),
    "atanh": Unary(E.Atanh, lambda x: nbgrad.atanh(x), np.arctanh, floats(-0.9, 0.9)),
    "erf": Unary(E.Erf, lambda x: x.erf(), lambda a: _erf(a)),
    "erfc": Unary(E.Erfc, lambda x: nbgrad.erfc(x), lambda a: 1 - _erf(a)),
    "erfinv": Unary(E.Erfinv, lambda x: x.erfinv(), None, floats(-0.9, 0.9)),
    "log2": Unary(E.Log2, lambda x: x.log2(), np.log2, floats(0.3, 4.0)),
    "log10": Unary(E.Log10, lambda x: nbgrad.log10(x), np.log10, floats(0.3, 4.0)),
    "exp2": Unary(E.Exp2, lambda x: x.exp2(), np.exp2),
    "rsqrt": Unary(E.Rsqrt, lambda x: nbgrad.rsqrt(x), lambda a: 1 / np.sqrt(a), floats(0.3, 4.0)),
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
    "floor": (E.Floor, lambda x: x.floor() * x, lambda a: np.floor(a) * a, OFF_INTEGERS),
    "ceil": (E.Ceil, lambda x: nbgrad.ceil(x) * x, lambda a: np.ceil(a) * a, OFF_INTEGERS),
    "trunc": (E.Trunc, lambda x: x.trunc() * x, lambda a: np.trunc(a) * a, OFF_INTEGERS),
    "fix": (E.Trunc, lambda x: nbgrad.fix(x) * x, lambda a: np.trunc(a) * a, OFF_INTEGERS),
    "round": (E.Round, lambda x: x.round() * x, lambda a: np.round(a) * a, OFF_HALVES),
    "round decimals": (E.RoundDecimals, lambda x: nbgrad.round(x, decimals=1) * x, lambda a: np.round(a, 1) * a,
                       on_grid(0.01, -4.0, 4.0, offset=0.003)),
    "round negative decimals": (E.RoundDecimals, lambda x: x.round(decimals=-1) * x,
                                lambda a: np.round(a, -1) * a, on_grid(1, -40, 40, offset=0.3)),
    "frac": (E.Frac, lambda x: x.frac() * x, lambda a: (a - np.trunc(a)) * a, OFF_INTEGERS),
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
