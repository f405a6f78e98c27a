"""Gradients of the primitives of issue 12's gaps (nansum, vdot, ...), checked against finite differences with
``helpers.check_grad``."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nbgrad
from helpers import SETTINGS, arrays, away_from_zero, check_grad, on_grid, shapes
from nbgrad.ops import misc as M
from test_ops_grad import covers, dim_of


@covers(M.Nansum)
@given(data=st.data())
@SETTINGS
def test_nansum(data):
    """The nan made by the log of a negative number is left out of the sum, and gets no gradient (log's rule
    then divides a zero, so no nan comes back)."""
    x = data.draw(arrays(shapes(), away_from_zero()), label="x")
    if data.draw(st.booleans(), label="over a dim"):
        dim, keepdim = data.draw(dim_of(x.ndim), label="dim"), data.draw(st.booleans(), label="keepdim")
        check_grad(lambda t: (t.log() * 3).nansum(dim, keepdim), x,
                   reference=lambda a: np.nansum(np.log(a) * 3, axis=dim if x.ndim else None, keepdims=keepdim))
    else:
        check_grad(lambda t: nbgrad.nansum(t.log() * 3), x, reference=lambda a: np.nansum(np.log(a) * 3))


@covers(M.Vdot)
@given(data=st.data())
@SETTINGS
def test_vdot(data):
    n = data.draw(st.integers(0, 4), label="n")
    x, y = (data.draw(arrays((n,)), label=name) for name in "xy")
    check_grad(lambda a, b: nbgrad.vdot(a, b) * a.sum(), x, y, reference=lambda a, b: np.dot(a, b) * a.sum())


@covers(M.Bernoulli)
@given(data=st.data())
@SETTINGS
def test_bernoulli(data):
    """With the generator reseeded, the draws (u < p) stay put under a small change of p: the true derivative of a
    draw is zero, as BernoulliBackward0's; p * draws then has derivative draws."""
    p = data.draw(arrays(shapes(), st.floats(0.05, 0.95)), label="p")

    def fn(t):
        nbgrad.manual_seed(5)
        return nbgrad.bernoulli(t) * t

    check_grad(fn, p)


@covers(M.NormalTensorFloat, M.NormalFloatTensor, M.NormalTensorTensor)
@given(data=st.data())
@SETTINGS
def test_normal(data):
    """PyTorch's derivative of a draw with respect to mean and std is zero by definition (the draw's true slope is
    1 and z), which finite differences cannot confirm: here the draw is multiplied by zero, so the check covers
    the shapes and dtypes of its (broadcast) gradients; their zero values are checked below."""
    shape = data.draw(shapes(min_dims=1), label="shape")
    m, s = data.draw(arrays(shape), label="mean"), data.draw(arrays(shape[-1:], st.floats(0.5, 2.0)), label="std")
    check_grad(lambda a, b: (nbgrad.normal(a, b) + nbgrad.normal(a, 1.5) + nbgrad.normal(0.5, b)) * 0 + a * b, m, s)


def test_random_draws_have_pytorchs_zero_gradient():
    """PyTorch defines the derivative of a draw with respect to its parameters as zero (NormalBackward1/2/3,
    BernoulliBackward0), not the reparameterised one, so there is nothing for finite differences to check: the
    gradients are zeros of the parameters' shapes, and constants (a second derivative is zero too)."""
    mean = nbgrad.zeros(2, 1, dtype=nbgrad.float64, requires_grad=True)
    std = nbgrad.ones(3, dtype=nbgrad.float64, requires_grad=True)
    p = nbgrad.full((2, 3), 0.5, dtype=nbgrad.float64, requires_grad=True)
    outputs = [nbgrad.normal(mean, 2.0), nbgrad.normal(1.0, std), nbgrad.normal(mean, std), nbgrad.bernoulli(p)]
    assert [o.grad_fn.name() for o in outputs] == ["NormalBackward1", "NormalBackward2", "NormalBackward3",
                                                  "BernoulliBackward0"]
    assert [o.shape for o in outputs] == [(2, 1), (3,), (2, 3), (2, 3)]
    total = sum((o * o).sum() for o in outputs)
    grads = nbgrad.autograd.grad(total, [mean, std, p], create_graph=True)
    for g, t in zip(grads, (mean, std, p)):
        assert g.shape == t.shape and g.dtype == nbgrad.float64 and not g.requires_grad
        assert (g == 0).all()


@covers(M.Xlogy, M.XlogyNumberSelf, M.XlogyNumberOther)
@given(data=st.data())
@SETTINGS
def test_xlogy(data):
    """Away from a = 0 (where the masked derivative is PyTorch's choice, checked in the parity tests) and b > 0."""
    shape = data.draw(shapes(), label="shape")
    a, b = data.draw(arrays(shape, away_from_zero()), label="a"), data.draw(arrays(shape, st.floats(0.2, 3.0)), label="b")
    check_grad(lambda x, y: nbgrad.xlogy(x, y), a, b, reference=lambda x, y: x * np.log(y))
    check_grad(lambda y: nbgrad.xlogy(1.5, y) + y.xlogy(2.0) * y, b)


@covers(M.Median, M.MedianDim)
@given(data=st.data())
@SETTINGS
def test_median(data):
    """Distinct elements (a tie's split is checked against PyTorch in test_gaps.py), the lower median of an even count."""
    x = data.draw(arrays(shapes(), on_grid(), unique=True), label="x")
    check_grad(lambda t: t.median() * t.sum(), x, reference=lambda a: np.sort(a, None)[(a.size - 1) // 2] * a.sum())
    dim, keepdim = data.draw(dim_of(x.ndim), label="dim"), data.draw(st.booleans(), label="keepdim")
    check_grad(lambda t: nbgrad.median(t, dim, keepdim).values, x)


@covers(M.VarMean, M.StdMean)
@given(data=st.data())
@SETTINGS
def test_var_mean_and_std_mean(data):
    """Both outputs of the one node, weighted differently, over any dims; a used and an unused output."""
    x = data.draw(arrays(shapes(min_dims=1, min_side=2), on_grid(), unique=True), label="x")
    dim = data.draw(st.none() | dim_of(x.ndim), label="dim")
    keepdim, correction = data.draw(st.booleans(), label="keepdim"), data.draw(st.integers(0, 1), label="correction")

    def both(fn):
        def f(t):
            spread, mean = fn(t, dim, keepdim=keepdim, correction=correction)
            return spread * 2 + mean * mean
        return f

    check_grad(both(nbgrad.var_mean), x)
    check_grad(both(nbgrad.std_mean), x)
    check_grad(lambda t: nbgrad.std_mean(t, dim, keepdim=keepdim, correction=correction)[1], x)


@covers(M.Aminmax)
@given(data=st.data())
@SETTINGS
def test_aminmax(data):
    """Distinct elements (ties, shared evenly as for amax, are compared with PyTorch in test_torch_parity.py)."""
    x = data.draw(arrays(shapes(), on_grid(), unique=True), label="x")
    check_grad(lambda t: (lambda r: r.min * 2 + r.max * r.max)(t.aminmax()), x)
    dim, keepdim = data.draw(dim_of(x.ndim), label="dim"), data.draw(st.booleans(), label="keepdim")
    check_grad(lambda t: nbgrad.aminmax(t, dim=dim, keepdim=keepdim).max, x,
               reference=lambda a: np.max(a, axis=dim if a.ndim else None, keepdims=keepdim and a.ndim > 0))
