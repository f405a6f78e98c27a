"""``nbgrad.autograd.functional`` and ``nbgrad.func``: Jacobians, Hessians and their products.

Generated programs (a few ops of two inputs, composed by hypothesis) are differentiated three ways: by the
functions under test, by central differences in float64, and, where PyTorch is installed, by PyTorch's own
functions on the same programs; errors are compared with PyTorch's type and message.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import nbgrad
from nbgrad.autograd import functional as AF

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None)

# Smooth ops of (x, y), each defined on both libraries' tensors (same spelling), inputs kept positive.
STEPS = {
    "mul": lambda x, y: x * y,
    "add_sin": lambda x, y: x + y.sin(),
    "exp_scaled": lambda x, y: (0.3 * x).exp() * y,
    "div": lambda x, y: x / (1 + y * y),
    "tanh": lambda x, y: (x - y).tanh(),
    "square": lambda x, y: x * x + 0.5 * y,
}


def program(names):
    """x, y -> (vector output, scalar output), applying each step in turn."""
    def vector(x, y):
        for name in names:
            x, y = STEPS[name](x, y), x
        return x

    return vector, lambda x, y: (vector(x, y) ** 2).sum() + (x * y).sum()


programs = st.lists(st.sampled_from(sorted(STEPS)), min_size=1, max_size=4)
seeds = st.integers(0, 2**16)


def inputs(seed, n=3):
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.2, 1.2, n) for _ in range(2)]


def t64(a):
    return nbgrad.tensor(a, dtype=nbgrad.float64)


def numeric_jacobian(f, arrays, k, eps=1e-6):
    """∂f/∂arrays[k] by central differences: shape f(...).shape + arrays[k].shape."""
    base = np.asarray(f(*arrays))
    jac = np.zeros(base.shape + arrays[k].shape)
    for idx in np.ndindex(arrays[k].shape):
        plus, minus = [a.copy() for a in arrays], [a.copy() for a in arrays]
        plus[k][idx] += eps
        minus[k][idx] -= eps
        jac[(...,) + idx] = (np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * eps)
    return jac


def on_arrays(f):
    def g(*arrays):
        with nbgrad.no_grad():
            return f(*[t64(a) for a in arrays]).numpy()

    return g


@given(names=programs, seed=seeds)
@SETTINGS
def test_jacobian_and_products_match_finite_differences(names, seed):
    vector, scalar = program(names)
    xs = inputs(seed)
    x, y = t64(xs[0]), t64(xs[1])
    jx, jy = AF.jacobian(vector, (x, y))
    for k, j in enumerate((jx, jy)):
        np.testing.assert_allclose(j.numpy(), numeric_jacobian(on_arrays(vector), xs, k), rtol=1e-6, atol=1e-8)
    v = t64(np.linspace(-1, 1, 3))
    out, (vx, vy) = AF.vjp(vector, (x, y), v)
    np.testing.assert_allclose(vx.numpy(), v.numpy() @ jx.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(vy.numpy(), v.numpy() @ jy.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(out.numpy(), on_arrays(vector)(*xs))
    _, jv = AF.jvp(vector, (x, y), (v, 2 * v))
    np.testing.assert_allclose(jv.numpy(), jx.numpy() @ v.numpy() + jy.numpy() @ (2 * v.numpy()), rtol=1e-10,
                               atol=1e-12)


@given(names=programs, seed=seeds)
@SETTINGS
def test_hessian_and_its_products_match_finite_differences_of_the_gradient(names, seed):
    _, scalar = program(names)
    xs = inputs(seed)
    x, y = t64(xs[0]), t64(xs[1])
    hessian = AF.hessian(scalar, (x, y))

    def gradient_part(k):
        def g(*arrays):
            a, b = (t64(v).requires_grad_() for v in arrays)
            return nbgrad.autograd.grad(scalar(a, b), (a, b))[k].numpy()

        return g

    for i in range(2):
        for k in range(2):
            np.testing.assert_allclose(hessian[i][k].numpy(), numeric_jacobian(gradient_part(i), xs, k),
                                       rtol=1e-5, atol=1e-7)
    v = (t64(np.linspace(-1, 1, 3)), t64(np.array([0.5, 0.0, -2.0])))
    full = np.block([[hessian[0][0].numpy(), hessian[0][1].numpy()], [hessian[1][0].numpy(), hessian[1][1].numpy()]])
    flat_v = np.concatenate([t.numpy() for t in v])
    _, hv = AF.hvp(scalar, (x, y), v)
    _, vh = AF.vhp(scalar, (x, y), v)
    np.testing.assert_allclose(np.concatenate([t.numpy() for t in hv]), full @ flat_v, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.concatenate([t.numpy() for t in vh]), flat_v @ full, rtol=1e-10, atol=1e-10)


def test_results_are_detached_unless_create_graph_and_the_callers_tensors_are_untouched():
    x = t64([1.0, 2.0]).requires_grad_()
    j = AF.jacobian(lambda t: t ** 3, x)
    assert j.grad_fn is None and not j.requires_grad and x.grad is None
    j = AF.jacobian(lambda t: t ** 3, x, create_graph=True)
    assert j.requires_grad
    j.sum().backward()  # d/dx of Σ 3x² on the diagonal: 6x
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])


def test_shapes_follow_pytorch_for_tuples_and_single_tensors():
    x, y = t64(np.ones((2, 3))), t64(np.ones(4))
    assert AF.jacobian(lambda a: a.sum(0), x).shape == (3, 2, 3)
    both = AF.jacobian(lambda a, b: (a.sum(), b * 2), (x, y))
    assert [[tuple(j.shape) for j in row] for row in both] == [[(2, 3), (4,)], [(4, 2, 3), (4, 4)]]
    assert isinstance(AF.jacobian(lambda a: (a,), x), tuple)
    assert AF.hessian(lambda a: (a * a).sum(), x).shape == (2, 3, 2, 3)


def test_the_func_transforms_nest():
    x = nbgrad.tensor(0.7, dtype=nbgrad.float64)
    third = nbgrad.func.grad(nbgrad.func.grad(nbgrad.func.grad(lambda t: t.sin())))(x)
    np.testing.assert_allclose(third.item(), -np.cos(0.7))
    assert third.grad_fn is None
    v = t64([1.0, 2.0, 3.0])
    np.testing.assert_allclose(nbgrad.func.hessian(lambda t: (t ** 3).sum())(v).numpy(), np.diag(6 * v.numpy()))


# ========================================================================= against PyTorch

def both(arrays, torch):
    return [[L.tensor(a, dtype=L.float64) for a in arrays] for L in (nbgrad, torch)]


def same(ours, theirs):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            same(a, b)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


CALLS = {
    "jacobian": lambda F, f, s, x, y, v, cg, st: F.jacobian(f, (x, y), create_graph=cg, strict=st),
    "jacobian single": lambda F, f, s, x, y, v, cg, st: F.jacobian(lambda a: f(a, y), x, create_graph=cg),
    "jacobian vectorize": lambda F, f, s, x, y, v, cg, st: F.jacobian(f, (x, y), vectorize=True),
    "jacobian forward": lambda F, f, s, x, y, v, cg, st: F.jacobian(f, x, vectorize=True, strategy="forward-mode"),
    "hessian": lambda F, f, s, x, y, v, cg, st: F.hessian(s, (x, y), create_graph=cg, strict=st),
    "vjp": lambda F, f, s, x, y, v, cg, st: F.vjp(f, (x, y), v, create_graph=cg, strict=st),
    "jvp": lambda F, f, s, x, y, v, cg, st: F.jvp(f, (x, y), (v, v), create_graph=cg, strict=st),
    "hvp": lambda F, f, s, x, y, v, cg, st: F.hvp(s, (x, y), (v, v), create_graph=cg, strict=st),
    "vhp": lambda F, f, s, x, y, v, cg, st: F.vhp(s, (x, y), (v, v), create_graph=cg, strict=st),
}


@given(names=programs, seed=seeds, call=st.sampled_from(sorted(CALLS)), create_graph=st.booleans(),
       strict=st.booleans())
@SETTINGS
def test_values_and_requires_grad_match_pytorch(torch, names, seed, call, create_graph, strict):
    vector, scalar = program(names)
    xs = inputs(seed)
    v = np.linspace(-1, 1, 3)
    results = []
    for L, (x, y) in zip((nbgrad, torch), both(xs, torch)):
        f = (lambda a: vector(a, y)) if call == "jacobian forward" else vector
        results.append(CALLS[call](L.autograd.functional, f, scalar, x, y, L.tensor(v, dtype=L.float64),
                                   create_graph, strict))
    same(*results)


FUNC_CALLS = {
    "grad": lambda L, f, s, x, y: L.func.grad(s)(x, y),
    "grad argnums": lambda L, f, s, x, y: L.func.grad(s, argnums=(0, 1))(x, y),
    "grad_and_value": lambda L, f, s, x, y: L.func.grad_and_value(s, argnums=1)(x, y),
    "grad of grad": lambda L, f, s, x, y: L.func.grad(lambda a: L.func.grad(s)(a, y).sum())(x),
    "jacrev": lambda L, f, s, x, y: L.func.jacrev(f, argnums=(0, 1))(x, y),
    "jacfwd": lambda L, f, s, x, y: L.func.jacfwd(f)(x, y),
    "hessian": lambda L, f, s, x, y: L.func.hessian(s)(x, y),
    "vjp": lambda L, f, s, x, y: L.func.vjp(f, x, y)[1](x * 0 + 1),
    "jvp": lambda L, f, s, x, y: L.func.jvp(f, (x, y), (x * 0 + 1, y * 0 + 2)),
    "has_aux": lambda L, f, s, x, y: L.func.grad(lambda a, b: (s(a, b), a * 2), has_aux=True)(x, y),
}


@given(names=programs, seed=seeds, call=st.sampled_from(sorted(FUNC_CALLS)))
@SETTINGS
def test_func_transforms_match_pytorch(torch, names, seed, call):
    vector, scalar = program(names)
    xs = inputs(seed)
    same(*(FUNC_CALLS[call](L, vector, scalar, x, y) for L, (x, y) in zip((nbgrad, torch), both(xs, torch))))


ERRORS = {
    "not a tensor": lambda F, x: F.jacobian(lambda a: a, [x]),
    "not a tensor in tuple": lambda F, x: F.vjp(lambda a, b: a, (x, 3)),
    "v missing": lambda F, x: F.vjp(lambda a: a * 2, x),
    "v wrong size": lambda F, x: F.vjp(lambda a: a * 2, x, x[:2]),
    "v wrong length": lambda F, x: F.jvp(lambda a, b: a * b, (x, x), (x,)),
    "v single": lambda F, x: F.jvp(lambda a: a * 2, x, (x, x)),
    "hessian of a vector": lambda F, x: F.hessian(lambda a: a * 2, x),
    "hessian of a tuple": lambda F, x: F.hessian(lambda a: (a.sum(),), x),
    "hvp of a vector": lambda F, x: F.hvp(lambda a: a * 2, x, x),
    "strict output": lambda F, x: F.jacobian(lambda a: x.detach() * 2, x, strict=True),
    "strict independent": lambda F, x: F.vjp(lambda a, b: a * 2, (x, x), x, strict=True),
    "strict linear hessian": lambda F, x: F.hessian(lambda a: a.sum(), x, strict=True),
    "strict vectorize": lambda F, x: F.jacobian(lambda a: a * 2, x, strict=True, vectorize=True),
    "bad strategy": lambda F, x: F.jacobian(lambda a: a * 2, x, strategy="sideways"),
    "forward with create_graph": lambda F, x: F.jacobian(lambda a: a, x, create_graph=True, strategy="forward-mode"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_match_pytorch(torch, case):
    raised = []
    for L in (nbgrad, torch):
        x = L.tensor([1.0, 2.0, 3.0], dtype=L.float64)
        with pytest.raises(Exception) as info:
            ERRORS[case](L.autograd.functional, x)
        raised.append(info.value)
    ours, theirs = raised
    assert type(ours) is type(theirs)
    assert str(ours) == str(theirs).replace("torch.", "nbgrad.")
