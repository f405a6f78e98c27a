"""Activation layers, losses, Embedding and dropout against PyTorch: the same calls on the same float64 data
give the same values, gradients, grad_fn names, reprs, warnings and errors (type and message)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch not installed: differential tests against it are skipped")

from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import nbgrad  # noqa: E402
from test_ops_act import KINKS  # noqa: E402
from test_torch_parity import LIBS, as_nbgrad, assert_close  # noqa: E402

pytestmark = pytest.mark.torch
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True, database=None)


def run(L, fn, arrays):
    """fn on float64 leaves made from ``arrays``: its output, grad_fn name and the leaves' gradients."""
    xs = [L.tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(L, *xs)
    out.backward(L.ones_like(out))
    return out, as_nbgrad(out.grad_fn.name()), [x.grad for x in xs]


def assert_same_run(fn, *arrays):
    (out, name, grads), (t_out, t_name, t_grads) = (run(L, fn, arrays) for L in LIBS)
    assert name == t_name
    assert_close(out, t_out, "forward")
    assert_close(grads, t_grads, "gradients")


# ============================================================== activation layers

MODULES = {
    "GELU": lambda L: L.nn.GELU(), "GELU tanh": lambda L: L.nn.GELU("tanh"),
    "LeakyReLU": lambda L: L.nn.LeakyReLU(), "LeakyReLU inplace": lambda L: L.nn.LeakyReLU(0.3, inplace=True),
    "ELU": lambda L: L.nn.ELU(), "ELU inplace": lambda L: L.nn.ELU(0.5, True),
    "SELU": lambda L: L.nn.SELU(), "SELU inplace": lambda L: L.nn.SELU(inplace=True),
    "CELU": lambda L: L.nn.CELU(1.5), "CELU inplace": lambda L: L.nn.CELU(0.5, inplace=True),
    "SiLU": lambda L: L.nn.SiLU(), "SiLU inplace": lambda L: L.nn.SiLU(True),
    "Mish": lambda L: L.nn.Mish(), "Mish inplace": lambda L: L.nn.Mish(True),
    "Softplus": lambda L: L.nn.Softplus(), "Softplus beta threshold": lambda L: L.nn.Softplus(0.5, 2.0),
    "Hardtanh": lambda L: L.nn.Hardtanh(), "Hardtanh inplace": lambda L: L.nn.Hardtanh(-2.0, 0.5, True),
    "ReLU6": lambda L: L.nn.ReLU6(), "ReLU6 inplace": lambda L: L.nn.ReLU6(inplace=True),
}


@pytest.mark.parametrize("name", MODULES)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                    elements=st.floats(-8.0, 8.0, allow_subnormal=False)))
@SETTINGS
def test_activation_layers_match_pytorch(name, x):
    """Generated inputs, kinks included: values, grad_fn, gradients (the in-place forms act on a copy)."""
    make = MODULES[name]
    assert_same_run(lambda L, t: make(L)(t * 1), x)


@pytest.mark.parametrize("name", MODULES)
def test_activation_layer_reprs_match_pytorch(name):
    assert repr(MODULES[name](nbgrad)) == repr(MODULES[name](torch))


@pytest.mark.parametrize("convention", KINKS)
def test_kink_conventions_are_pytorch_s(convention):
    values, fn, _, _ = KINKS[convention]
    name = fn.__name__ if hasattr(nbgrad.nn.functional, getattr(fn, "__name__", "")) else None
    results = []
    for L in LIBS:
        x = L.tensor(values, dtype=L.float64, requires_grad=True)
        f = getattr(L.nn.functional, name) if name else lambda t: _kink_fn(L, convention, t)
        (g,) = L.autograd.grad(f(x).sum(), x, create_graph=True)
        (h,) = L.autograd.grad(g.sum(), x, allow_unused=True)
        results.append((g, L.zeros_like(x) if h is None else h))
    assert_close(*results)


def _kink_fn(L, convention, t):
    F = L.nn.functional
    return {
        "leaky_relu'(0) = negative_slope": lambda: F.leaky_relu(t, 0.25),
        "elu'(0) = α (the left slope), elu''(0) = 0": lambda: F.elu(t, 0.5),
        "celu'(0) = 1": lambda: F.celu(t, 2.0),
    }[convention]()


def test_hardtanh_module_keeps_pytorch_s_deprecated_names_and_checks():
    for L in LIBS:
        with pytest.warns(FutureWarning, match="keyword argument `min_value` is deprecated"):
            assert L.nn.Hardtanh(min_value=-2.0).min_val == -2.0
    for args in ((1.0, 1.0), (2.0, -1.0)):
        errors = []
        for L in LIBS:
            with pytest.raises(AssertionError) as info:
                L.nn.Hardtanh(*args)
            errors.append(str(info.value))
        assert errors[0] == errors[1]


ACTIVATION_ERRORS = {
    "gelu approximate": lambda L: L.nn.functional.gelu(L.zeros(2), approximate="exact"),
    "gelu of integers": lambda L: L.nn.functional.gelu(L.tensor([1, 2])),
    "elu of integers": lambda L: L.nn.functional.elu(L.tensor([1, 2])),
    "selu of integers": lambda L: L.nn.functional.selu(L.tensor([1, 2])),
    "leaky_relu of integers": lambda L: L.nn.functional.leaky_relu(L.tensor([1, 2])),
    "silu of integers": lambda L: L.nn.functional.silu(L.tensor([1, 2])),
    "mish of integers": lambda L: L.nn.functional.mish(L.tensor([1, 2])),
    "hardtanh crossed bounds": lambda L: L.nn.functional.hardtanh(L.zeros(2), 1.0, -1.0),
    "in place on a leaf": lambda L: L.nn.functional.elu(L.zeros(2, requires_grad=True), inplace=True),
    "leaky_relu_ negative slope backward": lambda L: L.nn.functional.leaky_relu_(
        L.ones(2, requires_grad=True) * 1, -0.1).sum().backward(),
    "elu_ negative alpha backward": lambda L: L.nn.functional.elu_(L.ones(2, requires_grad=True) * 1, -0.1).sum().backward(),
}


def assert_same_error(fn):
    """fn raises the same exception type, with the same message (in nbgrad's words), in both libraries."""
    caught = []
    for L in LIBS:
        with pytest.raises(Exception) as info:
            fn(L)
        caught.append(info)
    ours, theirs = caught
    assert ours.type is theirs.type, (ours.value, theirs.value)
    assert str(ours.value) == as_nbgrad(str(theirs.value))


@pytest.mark.parametrize("case", ACTIVATION_ERRORS)
def test_activation_errors_match_pytorch(case):
    assert_same_error(ACTIVATION_ERRORS[case])


def test_hardtanh_of_integers_stays_integer_as_in_pytorch():
    results = [L.nn.functional.hardtanh(L.tensor([-3, 0, 5]), -2, 2) for L in LIBS]
    assert results[0].tolist() == results[1].tolist() and repr(results[0].dtype) == as_nbgrad(repr(results[1].dtype))

