"""Gradients of the linear-algebra ops (products with β/α, norms, dist, cross, einsum, outer, kron), checked
against finite differences over generated inputs with ``helpers.check_grad`` (first and second derivatives)."""
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nbgrad
from helpers import SETTINGS, arrays, away_from_zero, check_grad, floats
from nbgrad.ops import algebra as A, linalg as L, reduce as R
from test_ops_grad import covers

SIZES = st.tuples(*[st.integers(1, 3)] * 4)
SCALES = st.sampled_from([(1, 1), (0.5, 2.0), (0, -1.5)])


@covers({"addmm": (L.Addmm,), "addmv": (L.Addmv,), "baddbmm": (L.Baddbmm,), "addbmm": (L.Addbmm,)}, per="op")
@pytest.mark.parametrize("op", ["addmm", "addmv", "baddbmm", "addbmm"])
@given(sizes=SIZES, scales=SCALES, data=st.data())
@SETTINGS
def test_scaled_products(op, sizes, scales, data):
    b, n, k, m = sizes
    beta, alpha = scales
    shapes, reference = {
        "addmm": (((n, m), (n, k), (k, m)), lambda c, x, y: x @ y),
        "addmv": (((n,), (n, k), (k,)), lambda c, x, y: x @ y),
        "baddbmm": (((b, n, m), (b, n, k), (b, k, m)), lambda c, x, y: x @ y),
        "addbmm": (((n, m), (b, n, k), (b, k, m)), lambda c, x, y: (x @ y).sum(0)),
    }[op]
    c, x, y = (data.draw(arrays(s)) for s in shapes)
    check_grad(lambda c, x, y: getattr(nbgrad, op)(c, x, y, beta=beta, alpha=alpha), c, x, y,
               reference=lambda c, x, y: beta * c + alpha * reference(c, x, y))


@covers(L.Mv, L.Bmm)
@given(sizes=SIZES, data=st.data())
@SETTINGS
def test_mv_and_bmm(sizes, data):
    b, n, k, m = sizes
    check_grad(nbgrad.mv, data.draw(arrays((n, k))), data.draw(arrays((k,))), reference=np.matmul)
    check_grad(nbgrad.bmm, data.draw(arrays((b, n, k))), data.draw(arrays((b, k, m))), reference=np.matmul)


@covers(A.LinalgVectorNorm)
@given(data=st.data(), ord=st.sampled_from([2, 1, 3, 1.5, 0.5, math.inf, -math.inf, 0]),
       shape=st.sampled_from([(4,), (2, 3), (2, 2, 2)]), keepdim=st.booleans())
@SETTINGS
def test_vector_norm(data, ord, shape, keepdim):
    # away from 0 (the kink of |x|) and from ties of |x| (where max-like norms split the gradient)
    x = data.draw(arrays(shape, away_from_zero(0.2, 3.0), unique=True))
    assume(len(set(np.round(np.abs(x).ravel(), 2))) == x.size)
    dim = data.draw(st.sampled_from([None, 0, -1] + ([(0, -1)] if len(shape) > 1 else [])))
    dims = tuple(range(len(shape))) if dim is None else dim
    reference = {
        0: lambda a: np.count_nonzero(a, axis=dims, keepdims=keepdim).astype(a.dtype),
        math.inf: lambda a: np.abs(a).max(axis=dims, keepdims=keepdim),
        -math.inf: lambda a: np.abs(a).min(axis=dims, keepdims=keepdim),
    }.get(ord, lambda a: (np.abs(a) ** ord).sum(axis=dims, keepdims=keepdim) ** (1 / ord))
    check_grad(lambda t: nbgrad.linalg.vector_norm(t, ord, dim, keepdim), x, reference=reference,
               second_order=ord != 0)  # the 0-"norm" has no gradient (None), so nothing to differentiate again


@covers(A.LinalgVectorNorm)
def test_the_norm_of_zero_has_gradient_zero_as_in_pytorch():
    for ord in (2, 3, 1.5):
        x = nbgrad.zeros(3, dtype=nbgrad.float64, requires_grad=True)
        # NOTE: 0/0 at a zero norm is taken as 0, as PyTorch's norm_backward masks it
        nbgrad.linalg.vector_norm(x, ord).backward()
        assert x.grad.tolist() == [0.0, 0.0, 0.0]
    check_grad(lambda t: t.norm(), np.array([1.0, -2.0, 0.5]))


@covers(A.LinalgVectorNorm, R.Amax, R.Amin)
@given(data=st.data(), ord=st.sampled_from(["fro", 1, -1, math.inf, -math.inf]))
@SETTINGS
def test_matrix_norm(data, ord):
    x = data.draw(arrays((3, 2), away_from_zero(0.2, 3.0), unique=True))
    sums = [np.abs(x).sum(0), np.abs(x).sum(1)]
    assume(all(len(set(np.round(s, 2))) == s.size for s in sums))  # no tied column or row sums
    reference = {"fro": lambda a: np.linalg.norm(a), 1: lambda a: np.linalg.norm(a, 1),
                 -1: lambda a: np.linalg.norm(a, -1), math.inf: lambda a: np.linalg.norm(a, np.inf),
                 -math.inf: lambda a: np.linalg.norm(a, -np.inf)}[ord]
    check_grad(lambda t: nbgrad.linalg.matrix_norm(t, ord), x, reference=reference)


@covers(A.Dist)
@given(data=st.data(), p=st.sampled_from([2, 1, 3, math.inf]))
@SETTINGS
def test_dist(data, p):
    a = data.draw(arrays((2, 3), floats(-3, 3)))
    b = data.draw(arrays((3,), floats(-3, 3)))
    d = np.abs(a - b)
    assume(d.min() > 0.05 and len(set(np.round(d.ravel(), 2))) == d.size)
    check_grad(lambda x, y: nbgrad.dist(x, y, p), a, b,
               reference=lambda x, y: np.linalg.norm((x - y).ravel(), np.inf if p == math.inf else p))


@covers(A.LinalgCross)
@given(data=st.data(), dim=st.sampled_from([0, -1]))
@SETTINGS
def test_cross(data, dim):
    shape = (3, 2) if dim == 0 else (2, 3)
    a, b = data.draw(arrays(shape)), data.draw(arrays(shape))
    check_grad(lambda x, y: nbgrad.linalg.cross(x, y, dim=dim), a, b,
               reference=lambda x, y: np.cross(x, y, axis=dim))


EQUATIONS = {
    "ij,jk->ik": ((2, 3), (3, 4)),
    "ij,jk": ((2, 3), (3, 2)),
    "bij,bjk->bik": ((2, 2, 3), (2, 3, 2)),
    "i,j->ij": ((3,), (2,)),
    "i,i->": ((3,), (3,)),
    "ii->i": ((3, 3),),
    "ii": ((3, 3),),
    "ij->ji": ((2, 3),),
    "ij->": ((2, 3),),
    "...ij,...jk->...ik": ((2, 2, 3), (3, 2)),
    "bij,bjk->": ((2, 2, 3), (2, 3, 2)),
    "ij,jk,kl->il": ((2, 3), (3, 2), (2, 2)),
    "i,ij->j": ((2,), (2, 3)),
    "Ab,b->A": ((2, 3), (3,)),
}


@covers(L.Bmm)
@given(data=st.data(), equation=st.sampled_from(sorted(EQUATIONS)))
@SETTINGS
def test_einsum(data, equation):
    operands = [data.draw(arrays(s)) for s in EQUATIONS[equation]]
    check_grad(lambda *ts: nbgrad.einsum(equation, *ts), *operands,
               reference=lambda *xs: np.einsum(equation, *xs))


@covers(L.Mm)
@given(data=st.data())
@SETTINGS
def test_outer_and_kron(data):
    a, b = data.draw(arrays((3,))), data.draw(arrays((2,)))
    check_grad(nbgrad.outer, a, b, reference=np.outer)
    m, n = data.draw(arrays((2, 3))), data.draw(arrays((3,)))
    check_grad(nbgrad.kron, m, n, reference=np.kron)
    check_grad(lambda x, y: x.kron(y), n, m, reference=np.kron)
    check_grad(nbgrad.mm, data.draw(arrays((2, 2))), data.draw(arrays((2, 2))))


def _well_conditioned(data, n, batch=()):
    """A matrix far from singular: random entries in [-1, 1] plus 4 on the diagonal."""
    return data.draw(arrays(batch + (n, n), floats(-1, 1))) + 4 * np.eye(n)


@covers(A.LinalgInvEx, A.LinalgDet)
@given(data=st.data(), n=st.integers(1, 3), batch=st.sampled_from([(), (2,)]))
@SETTINGS
def test_inverse_and_determinant(data, n, batch):
    a = _well_conditioned(data, n, batch)
    check_grad(nbgrad.linalg.inv, a, reference=np.linalg.inv)
    check_grad(nbgrad.linalg.det, a, reference=np.linalg.det)
    if n > 1:  # a singular matrix: no inverse, so the rule uses the cofactors themselves
        u, v = data.draw(arrays((n,))), data.draw(arrays((n,)))
        check_grad(nbgrad.linalg.det, np.outer(u, v))


@covers(A.LinalgSolveEx)
@given(data=st.data(), n=st.integers(1, 3), form=st.sampled_from(["vector", "matrix", "batched", "right"]))
@SETTINGS
def test_solve(data, n, form):
    batch = (2,) if form == "batched" else ()
    a = _well_conditioned(data, n, batch)
    b = data.draw(arrays({"vector": (n,), "matrix": (n, 2), "batched": (2, n, 2), "right": (2, n)}[form]))
    left = form != "right"
    reference = (lambda x, y: np.linalg.solve(x, y)) if left else (lambda x, y: np.linalg.solve(x.T, y.T).T)
    check_grad(lambda x, y: nbgrad.linalg.solve(x, y, left=left), a, b, reference=reference)
