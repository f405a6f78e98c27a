"""Activation layers, losses, Embedding and dropout against PyTorch: the same calls on the same float64 data
give the same values, gradients, grad_fn names, reprs, warnings and errors (type and message)."""
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch not installed: differential tests against it are skipped")

from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import nbgrad  # noqa: E402
from test_ops_act import KINKS, LOSS_KINKS  # noqa: E402
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
    "LogSigmoid": lambda L: L.nn.LogSigmoid(), "Hardswish": lambda L: L.nn.Hardswish(),
    "Hardswish inplace": lambda L: L.nn.Hardswish(True), "Hardshrink": lambda L: L.nn.Hardshrink(),
    "Softshrink": lambda L: L.nn.Softshrink(0.25), "Softsign": lambda L: L.nn.Softsign(),
    "Tanhshrink": lambda L: L.nn.Tanhshrink(),
    "Threshold": lambda L: L.nn.Threshold(0.1, -3.0),
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
        "threshold' = 0 at the threshold": lambda: F.threshold(t, 0.5, 3.0),
    }[convention]()


def test_in_place_threshold_is_recorded_under_its_out_of_place_node():
    """A known difference (docs/differences.md): PyTorch names the in-place node ThresholdBackward1."""
    results = []
    for L in LIBS:
        x = L.tensor([-1.0, 0.5, 2.0], dtype=L.float64, requires_grad=True)
        out = L.nn.Threshold(0.1, -3.0, inplace=True)(x * 1)
        (g,) = L.autograd.grad(out.sum(), x)
        results.append((out, g, as_nbgrad(out.grad_fn.name())))
    assert_close(results[0][:2], results[1][:2])
    assert (results[0][2], results[1][2]) == ("ThresholdBackward0", "ThresholdBackward1")


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
    "logsigmoid of integers": lambda L: L.nn.functional.logsigmoid(L.tensor([1, 2])),
    "hardswish of integers": lambda L: L.nn.functional.hardswish(L.tensor([1, 2])),
    "hardshrink of integers": lambda L: L.nn.functional.hardshrink(L.tensor([1, 2])),
    "softshrink of integers": lambda L: L.nn.functional.softshrink(L.tensor([1, 2])),
    "softshrink negative lambd": lambda L: L.nn.functional.softshrink(L.zeros(2, dtype=L.float64), -0.5),
    "softshrink negative lambd float32": lambda L: L.nn.Softshrink(-1.5)(L.zeros(2)),
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


@pytest.mark.parametrize("fn", [lambda L, t: L.nn.functional.hardtanh(t, -2, 2),
                                lambda L, t: L.nn.functional.threshold(t, 1.5, 7)], ids=["hardtanh", "threshold"])
def test_integers_stay_integers_as_in_pytorch(fn):
    results = [fn(L, L.tensor([-3, 0, 1, 5])) for L in LIBS]
    assert results[0].tolist() == results[1].tolist() and repr(results[0].dtype) == as_nbgrad(repr(results[1].dtype))



# ============================================================== losses

LOSSES = {  # name -> (loss(L) -> callable, input range, target range, target requires grad)
    "BCELoss": (lambda L: L.nn.BCELoss(), (0.02, 0.98), (0.0, 1.0), True),
    "BCELoss weight none": (lambda L: L.nn.BCELoss(weight=L.tensor(0.7, dtype=L.float64), reduction="none"),
                            (0.02, 0.98), (0.0, 1.0), True),
    "BCELoss legacy size_average": (lambda L: L.nn.BCELoss(size_average=False), (0.02, 0.98), (0.0, 1.0), False),
    "L1Loss": (lambda L: L.nn.L1Loss(), (-3, 3), (-3, 3), True),
    "L1Loss sum": (lambda L: L.nn.L1Loss(reduction="sum"), (-3, 3), (-3, 3), True),
    "l1_loss weight": (lambda L: lambda x, y: L.nn.functional.l1_loss(x, y, weight=y.detach().abs() + 1),
                       (-3, 3), (-3, 3), True),
    "SmoothL1Loss": (lambda L: L.nn.SmoothL1Loss(), (-3, 3), (-3, 3), True),
    "SmoothL1Loss beta none": (lambda L: L.nn.SmoothL1Loss(reduction="none", beta=0.25), (-3, 3), (-3, 3), True),
    "SmoothL1Loss beta 0": (lambda L: L.nn.SmoothL1Loss(beta=0.0), (-3, 3), (-3, 3), True),
    "HuberLoss": (lambda L: L.nn.HuberLoss(), (-3, 3), (-3, 3), True),
    "HuberLoss delta sum": (lambda L: L.nn.HuberLoss(reduction="sum", delta=0.4), (-3, 3), (-3, 3), True),
    "huber_loss weight": (lambda L: lambda x, y: L.nn.functional.huber_loss(x, y, weight=y.detach().abs()),
                          (-3, 3), (-3, 3), True),
    "KLDivLoss batchmean": (lambda L: L.nn.KLDivLoss(reduction="batchmean"), (-4, 0), (0.0, 1.0), True),
    "KLDivLoss none": (lambda L: L.nn.KLDivLoss(reduction="none"), (-4, 0), (0.0, 1.0), True),
    "SoftMarginLoss": (lambda L: lambda x, y: L.nn.SoftMarginLoss()(x, y.detach().sign()), (-3, 3), (-1, 1), False),
    "KLDivLoss sum log_target": (lambda L: L.nn.KLDivLoss(reduction="sum", log_target=True), (-4, 0), (-4, 0), True),
}


@pytest.mark.parametrize("name", LOSSES)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), seed=st.integers(0, 2**16))
@SETTINGS
def test_losses_match_pytorch(name, shape, seed):
    """Generated shapes (0-d included) and values: the loss, its grad_fn and the gradients to both arguments."""
    make, (lo, hi), (t_lo, t_hi), target_grad = LOSSES[name]
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(lo, hi, shape), rng.uniform(t_lo, t_hi, shape)
    if "beta 0" not in name and "L1" not in name and "l1" not in name:  # exact kinks, as in PyTorch
        y.flat[:1] = x.flat[:1]
    results = []
    for L in LIBS:
        a, b = L.tensor(x.copy(), requires_grad=True), L.tensor(y.copy(), requires_grad=target_grad)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the legacy and 'mean' warnings: compared below
            out = make(L)(a, b)
        out.backward(L.ones_like(out))
        results.append((out, as_nbgrad(out.grad_fn.name()), a.grad, b.grad))
    assert results[0][1] == results[1][1]
    assert_close([r[:1] + r[2:] for r in results][0], [r[:1] + r[2:] for r in results][1])


@pytest.mark.parametrize("name", ["L1Loss", "SmoothL1Loss", "HuberLoss", "BCELoss", "KLDivLoss", "SoftMarginLoss"])
def test_loss_reprs_match_pytorch(name):
    assert repr(getattr(nbgrad.nn, name)()) == repr(getattr(torch.nn, name)())


def _warnings_of(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category, as_nbgrad(str(w.message))) for w in caught]


WARNINGS = {
    "l1_loss broadcast": lambda L: L.nn.functional.l1_loss(L.zeros(2, 3), L.zeros(3)),
    "smooth_l1_loss broadcast": lambda L: L.nn.functional.smooth_l1_loss(L.zeros(2, 1), L.zeros(3)),
    "huber_loss broadcast": lambda L: L.nn.functional.huber_loss(L.zeros(3), L.zeros(2, 3)),
    "kl_div mean": lambda L: L.nn.functional.kl_div(L.zeros(2, 3), L.ones(2, 3)),
    "L1Loss legacy reduce": lambda L: L.nn.L1Loss(reduce=False),
    "kl_div legacy size_average": lambda L: L.nn.functional.kl_div(L.zeros(2), L.ones(2), size_average=False),
}


@pytest.mark.parametrize("case", WARNINGS)
def test_loss_warnings_match_pytorch(case):
    ours, theirs = (_warnings_of(lambda: WARNINGS[case](L)) for L in LIBS)
    assert ours == theirs and ours


def test_broadcast_losses_match_pytorch():
    """A target that broadcasts (with PyTorch's warning) gives PyTorch's values, graph and gradients."""
    x, y = np.random.default_rng(3).standard_normal((2, 3)), np.random.default_rng(4).standard_normal((3,))
    for fn in (lambda L, a, b: L.nn.functional.l1_loss(a, b), lambda L, a, b: L.nn.functional.smooth_l1_loss(b, a),
               lambda L, a, b: L.nn.functional.huber_loss(a, b, reduction="none")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_same_run(fn, x, y)


LOSS_ERRORS = {
    "bce input above 1": lambda L: L.nn.functional.binary_cross_entropy(L.tensor([0.5, 1.5]), L.tensor([0.0, 1.0])),
    "bce input below 0": lambda L: L.nn.BCELoss()(L.tensor([-0.5]), L.tensor([0.0])),
    "bce nan input": lambda L: L.nn.functional.binary_cross_entropy(L.tensor([float("nan")]), L.tensor([0.0])),
    "bce target size": lambda L: L.nn.functional.binary_cross_entropy(L.full((2, 3), 0.5), L.zeros(3)),
    "bce target dtype": lambda L: L.nn.functional.binary_cross_entropy(L.full((2,), 0.5), L.zeros(2, dtype=L.float64)),
    "bce integer target": lambda L: L.nn.functional.binary_cross_entropy(L.full((2,), 0.5), L.zeros(2, dtype=L.int64)),
    "bce reduction": lambda L: L.nn.functional.binary_cross_entropy(L.full((2,), 0.5), L.zeros(2), reduction="all"),
    "l1 reduction": lambda L: L.nn.functional.l1_loss(L.zeros(2), L.zeros(2), reduction="batchmean"),
    "l1 weight size": lambda L: L.nn.functional.l1_loss(L.zeros(2), L.zeros(2), weight=L.ones(3)),
    "l1 weight reduction": lambda L: L.nn.functional.l1_loss(L.zeros(2), L.zeros(2), reduction="x", weight=L.ones(2)),
    "smooth_l1 negative beta": lambda L: L.nn.functional.smooth_l1_loss(L.zeros(2), L.zeros(2), beta=-0.5),
    "smooth_l1 reduction": lambda L: L.nn.SmoothL1Loss(reduction="avg")(L.zeros(2), L.zeros(2)),
    "huber zero delta": lambda L: L.nn.HuberLoss(delta=0.0)(L.zeros(2), L.zeros(2)),
    "huber reduction": lambda L: L.nn.functional.huber_loss(L.zeros(2), L.zeros(2), reduction="avg"),
    "kl_div reduction": lambda L: L.nn.functional.kl_div(L.zeros(2), L.zeros(2), reduction="avg"),
    "soft_margin_loss target requires grad": lambda L: L.nn.functional.soft_margin_loss(
        L.zeros(2), L.ones(2, requires_grad=True)),
}


@pytest.mark.parametrize("case", LOSS_ERRORS)
def test_loss_errors_match_pytorch(case):
    assert_same_error(LOSS_ERRORS[case])


def test_bad_loss_input_changes_nothing():
    x = nbgrad.tensor([0.5, 1.5], requires_grad=True)
    with pytest.raises(RuntimeError):
        nbgrad.nn.functional.binary_cross_entropy(x, nbgrad.zeros(2))
    assert x.grad is None and x.tolist() == [0.5, 1.5] and x._version == 0


@pytest.mark.parametrize("convention", LOSS_KINKS)
def test_loss_kink_conventions_are_pytorch_s(convention):
    values, targets, fn, _, _ = LOSS_KINKS[convention]
    loss_fn = {"smooth": lambda L, x, y: L.nn.functional.smooth_l1_loss(x, y, reduction="sum", beta=0.5),
               "huber": lambda L, x, y: L.nn.functional.huber_loss(x, y, reduction="sum", delta=2.0),
               "binary": lambda L, x, y: L.nn.functional.binary_cross_entropy(x, y, reduction="sum")}
    make = next(f for key, f in loss_fn.items() if convention.startswith(key))
    results = []
    for L in LIBS:
        x = L.tensor(values, dtype=L.float64, requires_grad=True)
        loss = make(L, x, L.tensor(targets, dtype=L.float64))
        (g,) = L.autograd.grad(loss, x, create_graph=True)
        (h,) = L.autograd.grad(g.sum(), x)
        results.append((loss, g, h))
    assert_close(*results)


# ============================================================== Embedding

@given(n=st.integers(1, 5), d=st.integers(1, 3), shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
       padding=st.booleans(), scale=st.booleans(), seed=st.integers(0, 2**16))
@SETTINGS
def test_embedding_matches_pytorch(n, d, shape, padding, scale, seed):
    """Indices of any shape with repeats, padding_idx (negative too), scale_grad_by_freq: values, node, gradient."""
    rng = np.random.default_rng(seed)
    weight, indices, cotangent = rng.standard_normal((n, d)), rng.integers(0, n, shape), rng.standard_normal(shape + (d,))
    padding_idx = int(rng.integers(-n, n)) if padding else None
    results = []
    for L in LIBS:
        w = L.tensor(weight, requires_grad=True)
        out = L.nn.functional.embedding(L.tensor(indices), w, padding_idx=padding_idx, scale_grad_by_freq=scale)
        out.backward(L.tensor(cotangent))
        results.append((out, w.grad, as_nbgrad(out.grad_fn.name())))
    assert_close(results[0][:2], results[1][:2])
    assert results[0][2] == results[1][2] == "EmbeddingBackward0"


EMBEDDINGS = {
    "plain": lambda L: L.nn.Embedding(5, 3),
    "padding_idx": lambda L: L.nn.Embedding(5, 3, padding_idx=-2),
    "every option": lambda L: L.nn.Embedding(4, 2, padding_idx=0, max_norm=1.5, norm_type=1.0, scale_grad_by_freq=True),
    "sparse": lambda L: L.nn.Embedding(3, 2, sparse=True),
}


@pytest.mark.parametrize("name", EMBEDDINGS)
def test_embedding_modules_match_pytorch(name):
    """Repr, the zeroed padding row and, with the same weights, the lookup, gradients and max_norm's renorm."""
    ours, theirs = EMBEDDINGS[name](nbgrad), EMBEDDINGS[name](torch)
    assert repr(ours) == repr(theirs)
    assert ours.weight.shape == tuple(theirs.weight.shape) and ours.weight.requires_grad
    if ours.padding_idx is not None:
        assert ours.padding_idx == theirs.padding_idx and not ours.weight[ours.padding_idx].detach().numpy().any()
    weight = np.random.default_rng(0).standard_normal(tuple(theirs.weight.shape))
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(weight))
    ours.weight.data = nbgrad.tensor(weight, dtype=nbgrad.float32)
    indices = np.array([[0, 1, 1], [2, 0, 2]]) % ours.num_embeddings
    results = []
    for L, module in ((nbgrad, ours), (torch, theirs)):
        out = module(L.tensor(indices))
        (out * L.arange(out.numel()).reshape(tuple(out.shape))).sum().backward()
        results.append((out, module.weight.grad, module.weight.detach()))
    if name == "sparse":
        results[1] = (results[1][0], results[1][1].to_dense(), results[1][2])
    assert_close(*results)


def test_from_pretrained_matches_pytorch():
    for kwargs in ({}, {"freeze": False, "padding_idx": 1}):
        ours, theirs = (L.nn.Embedding.from_pretrained(L.tensor([[1.0, 2.0], [3.0, 4.0]]), **kwargs) for L in LIBS)
        assert repr(ours) == repr(theirs)
        assert ours.weight.requires_grad == theirs.weight.requires_grad
        assert ours.weight.tolist() == theirs.weight.tolist()  # the padding row is not zeroed


EMBEDDING_ERRORS = {
    "index too large": lambda L: L.nn.functional.embedding(L.tensor([3]), L.zeros(3, 2)),
    "negative index": lambda L: L.nn.Embedding(3, 2)(L.tensor([[0, -1]])),
    "float indices": lambda L: L.nn.Embedding(3, 2)(L.tensor([0.0])),
    "1-d weight": lambda L: L.nn.functional.embedding(L.tensor([0]), L.zeros(3)),
    "padding_idx too large": lambda L: L.nn.Embedding(3, 2, padding_idx=3),
    "padding_idx too small": lambda L: L.nn.functional.embedding(L.tensor([0]), L.zeros(3, 2), padding_idx=-4),
    "from_pretrained 1-d": lambda L: L.nn.Embedding.from_pretrained(L.zeros(3)),
    "_weight shape": lambda L: L.nn.Embedding(3, 2, _weight=L.zeros(2, 3)),
}


@pytest.mark.parametrize("case", EMBEDDING_ERRORS)
def test_embedding_errors_match_pytorch(case):
    assert_same_error(EMBEDDING_ERRORS[case])


def test_bad_indices_change_nothing():
    w = nbgrad.zeros(3, 2, requires_grad=True)
    with pytest.raises(IndexError):
        nbgrad.nn.functional.embedding(nbgrad.tensor([0, 5]), w, max_norm=1.0)
    assert w._version == 0 and w.grad is None


# ============================================================== dropout variants

def _names(node):
    """grad_fn names down the graph, depth first (the noise differs between the libraries; the graph does not)."""
    if node is None:
        return []
    return [as_nbgrad(node.name())] + [n for child, _ in node.next_functions for n in _names(child)]


DROPOUTS = {
    "dropout1d": lambda L, x: L.nn.functional.dropout1d(x.reshape(2, 3, 2)),
    "dropout1d unbatched": lambda L, x: L.nn.functional.dropout1d(x.reshape(6, 2), 0.3),
    "dropout1d eval unbatched": lambda L, x: L.nn.functional.dropout1d(x.reshape(6, 2), training=False),
    "dropout2d": lambda L, x: L.nn.functional.dropout2d(x.reshape(2, 3, 2, 1)),
    "dropout2d inplace": lambda L, x: L.nn.functional.dropout2d(x.reshape(2, 3, 2, 1) * 1, inplace=True),
    "dropout2d p 1": lambda L, x: L.nn.functional.dropout2d(x.reshape(2, 3, 2, 1), 1.0),
    "dropout3d": lambda L, x: L.nn.functional.dropout3d(x.reshape(2, 3, 1, 2, 1), 0.2),
    "dropout3d unbatched": lambda L, x: L.nn.functional.dropout3d(x.reshape(3, 1, 2, 2)),
    "alpha_dropout": lambda L, x: L.nn.functional.alpha_dropout(x, 0.3, True),
    "alpha_dropout inplace": lambda L, x: L.nn.functional.alpha_dropout(x * 1, 0.3, True, True),
    "alpha_dropout p 1": lambda L, x: L.nn.functional.alpha_dropout(x, 1.0, True),
    "feature_alpha_dropout": lambda L, x: L.nn.functional.feature_alpha_dropout(x.reshape(3, 4), 0.5, True),
    "Dropout2d module": lambda L, x: L.nn.Dropout2d(0.4)(x.reshape(1, 3, 4, 1)),
    "AlphaDropout module inplace": lambda L, x: L.nn.AlphaDropout(0.4, inplace=True)(x),
    "FeatureAlphaDropout eval": lambda L, x: L.nn.FeatureAlphaDropout(0.4).eval()(x.reshape(2, 6)),
}


@pytest.mark.parametrize("name", DROPOUTS)
def test_dropout_graphs_match_pytorch(name):
    """Same graph (grad_fn names), same shape and dtype, and the gradient is the output's mask: out = x·grad
    (+ the shift of alpha dropout, constant where x is)."""
    x = np.random.default_rng(0).standard_normal((3, 4))
    graphs = []
    for L in LIBS:
        t = L.tensor(x, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = DROPOUTS[name](L, t)
        graphs.append((tuple(out.shape), _names(out.grad_fn), out is t))
        out.backward(L.ones_like(out))
        if "alpha" not in name.lower():
            np.testing.assert_allclose(array_of(out), (x * array_of(t.grad)).reshape(array_of(out).shape))
    assert graphs[0] == graphs[1]


def array_of(t):
    return t.detach().numpy()


def test_dropout_reprs_match_pytorch():
    for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"):
        for args in ((), (0.25, True)):
            assert repr(getattr(nbgrad.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


DROPOUT_ERRORS = {
    "dropout1d of 4-d": lambda L: L.nn.functional.dropout1d(L.zeros(2, 3, 4, 5)),
    "dropout1d p": lambda L: L.nn.functional.dropout1d(L.zeros(2, 3), 1.5),
    "dropout2d p": lambda L: L.nn.functional.dropout2d(L.zeros(2, 3, 2, 2), -0.1),
    "alpha_dropout p": lambda L: L.nn.functional.alpha_dropout(L.zeros(2), 2.0, True),
    "module p": lambda L: L.nn.Dropout3d(1.5),
    "feature dropout of 1-d": lambda L: L.nn.functional.feature_alpha_dropout(L.zeros(3), 0.5, True),
    "dropout2d of 1-d": lambda L: L.nn.functional.dropout2d(L.zeros(3), 0.5, True),
}


@pytest.mark.parametrize("case", DROPOUT_ERRORS)
def test_dropout_errors_match_pytorch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same_error(DROPOUT_ERRORS[case])


DROPOUT_WARNINGS = {
    "dropout2d of 3-d": lambda L: L.nn.functional.dropout2d(L.zeros(2, 3, 4)),
    "dropout2d of 2-d": lambda L: L.nn.functional.dropout2d(L.zeros(2, 3)),
    "dropout3d of 3-d": lambda L: L.nn.functional.dropout3d(L.zeros(2, 3, 4)),
}


@pytest.mark.parametrize("case", DROPOUT_WARNINGS)
def test_dropout_warnings_match_pytorch(case):
    ours, theirs = (_warnings_of(lambda: DROPOUT_WARNINGS[case](L)) for L in LIBS)
    assert ours == theirs and ours
