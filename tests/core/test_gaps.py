"""Issue 12's gaps: PyTorch names a beginner meets that are thin functions of others (aliases, stacking and
splitting, layout queries, dtype rules, nan-ignoring reductions, random draws and the generator's state),
compared with PyTorch: values, dtypes, layouts and errors (type and message). Their graphs and derivatives
are compared in test_torch_parity.py's OPS, the gradients of their primitives in test_ops_gaps.py."""
import numpy as np
import pytest

import nbgrad

torch = pytest.importorskip("torch", reason="PyTorch not installed: these tests compare with it")
pytestmark = pytest.mark.torch
LIBS = (nbgrad, torch)


def same(ours, theirs, what=""):
    """nbgrad's result equals PyTorch's: tensors (value, dtype, shape), tuples of them, or plain values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, nbgrad.Tensor), what
        assert repr(ours.dtype) == repr(theirs.dtype).replace("torch.", "nbgrad."), what
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-12, err_msg=what)
        assert ours.shape == tuple(theirs.shape), what
    elif isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs), what
        for i, (a, b) in enumerate(zip(ours, theirs)):
            same(a, b, f"{what}[{i}]")
    elif isinstance(theirs, torch.dtype):
        assert repr(ours) == repr(theirs).replace("torch.", "nbgrad."), what
    else:
        assert ours == theirs, what


def run(expr, L):
    x = L.arange(24.0).reshape(2, 3, 4)
    v = L.tensor([3.0, float("nan"), -1.0, 2.0])
    i = L.tensor([[1, 2, 3], [4, 5, 6]])
    return eval(expr, {"L": L, "x": x, "v": v, "i": i})


VALUES = [
    # layout: strides in elements, offsets into the storage, contiguity
    "x.stride()", "x.stride(1)", "x.stride(-1)", "x.transpose(0, 2).stride()", "x[:, 1:].storage_offset()",
    "x[1, 2].storage_offset()", "x[:, :, ::2].stride()", "x.expand(2, 2, 3, 4).stride()", "x[:, 1].is_contiguous()",
    "x.is_contiguous()", "x.transpose(1, 2).is_contiguous()", "x.narrow(2, 1, 2).storage_offset()",
    "x.storage_offset()", "L.tensor(1.0).stride()", "x[0].t().stride()", "x.ndimension()", "L.tensor(2).ndimension()",
    "x.reshape(6, 4)[2:].storage_offset()", "x.unbind(1)[2].storage_offset()",
    # aliases
    "x.greater(10)", "x.greater_equal(11)", "x.less(5)", "x.less_equal(5)", "x.not_equal(x.flip(0))",
    "x.multiply(2)", "x.subtract(1, alpha=3)", "L.multiply(i, 2)", "L.subtract(i, 1)", "L.absolute(-x)",
    "L.negative(i)", "L.concatenate([x, x], 1)", "L.ravel(x.transpose(0, 1))", "L.swapaxes(x, 0, 1)",
    # shape
    "x.movedim(0, -1)", "L.movedim(x, (0, 1), (2, 0))", "L.moveaxis(x, [2], [0])", "L.tensor(1.0).movedim(0, -1)",
    "x.unflatten(-1, (2, 2))", "L.unflatten(x, 1, (1, -1, 1))", "L.hstack([i, i])", "L.hstack([v, v])",
    "L.vstack([v, v])", "L.vstack([L.tensor(1), L.tensor(2)])", "L.dstack([v, v])", "L.dstack([i, i])",
    "L.column_stack([v, v])", "L.column_stack([i.t(), L.tensor([1, 2, 3])])", "L.row_stack((i, i))",
    "L.hstack([i, i.double()])", "L.tensor_split(L.arange(7), 3)", "L.tensor_split(L.arange(7), [1, 5])",
    "L.tensor_split(L.arange(7), L.tensor([2, 9]))", "L.tensor_split(L.arange(7), L.tensor(2))",
    "x.tensor_split((3, 1), 2)", "x.tensor_split(5, dim=-2)", "L.hsplit(x, 3)", "L.hsplit(v, [1])",
    "L.vsplit(x, [1])", "x.vsplit(2)", "L.broadcast_to(v, (2, 4))", "L.broadcast_tensors(x, v, L.tensor(1))",
    "L.broadcast_shapes((2, 1), (3,), 1)", "L.broadcast_shapes()", "L.broadcast_shapes((0, 1), (2,))",
    # math
    "L.float_power(i, 2)", "L.float_power(x, -0.5)", "x.float_power(i[0, 0])", "L.float_power(2, i)",
    "L.vdot(v.nan_to_num(), v.flip(0).nan_to_num())", "L.inner(x, x)", "L.inner(i, i)",
    "L.tensordot(x, x, 0).shape", "L.tensordot(x, x, ([0, 1], [0, 1]))", "L.tensordot(i, i, L.tensor([[0], [0]]))",
    "L.tensordot(x, x, 3)", "L.nansum(v)", "v.nansum(0, keepdim=True)", "L.nansum(i)", "L.nansum(x, (0, 2))", "L.nansum(L.tensor(2.0), 0)", "L.nansum(x, ())", "L.nansum(x, None, True)",
    "L.nansum(i.bool())", "L.nansum(v, dtype=L.float64)", "L.nanmean(v)", "x.nanmean(1)",
    "L.nanmean(L.tensor([float('nan')]))", "L.diff(v)", "L.diff(i, n=2, dim=0)",
    "L.diff(x, 3)", "L.diff(x, n=0)", "L.diff(i, append=i, dim=0)", "L.diff(L.tensor([True, False, False]))",
    "L.diff(i, prepend=L.tensor([[0], [1]]))",
    # dtypes and creation
    "L.result_type(i, 1.0)", "L.result_type(x, i)", "L.result_type(1, 2)", "L.result_type(L.tensor(1.0), i)",
    "L.result_type(True, i)", "L.can_cast(L.float32, L.int32)", "L.can_cast(L.int64, L.float16)",
    "L.can_cast(L.bool, L.uint8)", "L.can_cast(L.int8, L.bool)", "L.logspace(0, 2, 3)", "L.logspace(-1, 1, 5, base=2)",
    "L.logspace(0, 3, 4, dtype=L.int64)", "L.logspace(0, 1, 0)", "L.logspace(1, 1, 1, dtype=L.float64)",
    # counting and searching
    "L.bincount(L.tensor([1, 3, 3, 0]))", "L.tensor([1, 3, 3, 0]).bincount(v.nan_to_num())",
    "L.bincount(L.tensor([1, 3]), minlength=6)", "L.bincount(L.tensor([1, 0]), L.tensor([1.0, 2.0], dtype=L.float64))",
    "L.bincount(L.tensor([1, 0]), L.tensor([1, 2]))", "L.bincount(L.tensor([], dtype=L.int64))",
    "L.histc(L.tensor([1.0, 2, 1]), bins=4, min=0, max=3)",
    "L.histc(L.tensor([1.0, 2, 1]))", "L.histc(L.tensor([1.0, 1.0]), bins=3)", "x.histc(5, 3, 20)",
    "L.histc(L.tensor([-5.0, 0.5, 0.99, 1.0, 7.0], dtype=L.float64), 2, 0, 1)", "L.histc(L.tensor([]), 3)",
    "L.bucketize(L.tensor([[3, 6], [9, 1]]), L.tensor([1, 3, 5, 7, 9]))",
    "L.bucketize(L.tensor([3, 6, 9]), L.tensor([1, 3, 5, 7, 9]), right=True)",
    "L.bucketize(L.tensor([3.0, 6]), L.tensor([1, 3, 5, 7, 9]), out_int32=True)",
    "L.searchsorted(L.tensor([1, 3, 5, 7, 9]), L.tensor([3, 6, 9]))",
    "L.searchsorted(L.tensor([1, 3, 5, 7, 9]), L.tensor([3, 6, 9]), right=True)",
    "L.searchsorted(L.tensor([1, 3, 5, 7, 9]), L.tensor([3, 6]), side='right')",
    "L.searchsorted(L.tensor([[1, 3, 5], [2, 4, 6]]), L.tensor([[3], [5]]))",
    "L.searchsorted(L.tensor([5, 1, 3]), L.tensor([2]), sorter=L.tensor([1, 2, 0]))",
    "L.xlogy(i, i)", "L.xlogy(2, i)", "L.xlogy(i, 2.5)", "L.xlogy(v, 0.0)", "L.xlogy(v * 0, v)", "L.xlogy(0, v)",
    "L.xlogy(x, x.double())",
    "x.median()", "L.median(i)", "L.median(v)", "L.median(L.tensor([]))", "L.median(x, 1)", "x.median(-1, True)",
    "L.median(v, 0)", "L.tensor(3.0).median(0)", "L.median(L.tensor([[2.0, 1, 2, 2, 3], [5, 5, 5, 1, 1]]), 1)",
    "L.median(L.tensor([[1, 1, 0], [0, 1, 1]]), 0)",
    "L.var_mean(x)", "L.std_mean(x, 1, keepdim=True)", "L.std_mean(x, (0, 2), correction=0)",
    "L.var_mean(x, unbiased=False)", "L.var_mean(L.tensor(2.0))", "L.std_mean(x, -1, True)",
    "tuple(L.aminmax(x))", "tuple(x.aminmax(dim=1))", "tuple(L.aminmax(i, dim=-1, keepdim=True))",
    "tuple(L.aminmax(L.tensor(2.0), dim=0))", "tuple(L.aminmax(L.tensor([True, False])))", "tuple(L.aminmax(v))",
    "L.tensor([1.0, 2.0]).apply_(lambda a: a * 3)", "L.tensor([1, 2]).apply_(lambda a: a * 1.7)",
    "L.tensor([[1.0, 2.0], [3.0, 4.0]]).map_(L.tensor([10.0, 20.0]), lambda a, b: a - b)",
]


@pytest.mark.parametrize("expr", VALUES)
def test_values_match_pytorch(expr):
    same(run(expr, nbgrad), run(expr, torch), expr)


def test_broadcast_tensors_keeps_a_tensor_already_of_the_shape():
    for L in LIBS:
        x = L.zeros(2, 3)
        assert L.broadcast_tensors(x, L.zeros(3))[0] is x


ERRORS = [
    "x.unflatten(1, (2, 2))", "x.unflatten(1, ())", "x.movedim(0, 5)",
    "x.movedim((0, 1), (0,))", "x.movedim((0, 0), (0, 1))", "x.movedim((0, 1), (2, 2))", "L.hstack([])",
    "L.vstack(x)", "x.tensor_split(0)", "L.tensor(1.0).tensor_split(2)", "L.hsplit(x, 2)", "x.vsplit(0)",
    "L.vsplit(v, 1)", "L.hsplit(L.tensor(1.0), 1)", "L.broadcast_shapes((2, 3), (4,))", "L.broadcast_to(x, (2,))",
    "L.tensordot(x, x, ([1], [0]))", "L.tensordot(x, x, 4)", "L.tensordot(x, x, -1)",
    "L.tensordot(x, x, ([0, 1], [0]))", "L.inner(x, L.ones(3))", "L.inner(x, 2.0)", "L.vdot(x, x)", "L.nanmean(i)", "L.nanmean(i, dtype=L.float32)",
    "L.float_power(1, 2)", "L.diff(L.tensor(1.0))", "x.stride(3)", "L.tensor(1.0).stride(0)",
    "L.broadcast_shapes((-1,), (2,))",
    "L.bincount(L.tensor([-1]))", "L.bincount(L.tensor([True, True]))", "L.bincount(L.tensor([1.0]))", "L.bincount(i)",
    "L.bincount(L.tensor([1, 2]), L.ones(3))", "L.histc(i)", "L.histc(x, bins=0)", "L.histc(x, min=2, max=1)",
    "L.bucketize(L.tensor([1]), L.tensor([[1]]))", "L.searchsorted(v, L.tensor([1.0]), side='x')",
    "L.searchsorted(v, L.tensor([1.0]), right=True, side='left')", "L.searchsorted(i, L.tensor([1]))",
"L.median(L.tensor([True]))", "L.median(L.zeros(2, 0), 1)", "L.median(i, 3)", "L.median(x, dim=1.5)",
    "L.var_mean(i)", "L.std_mean(i)", "L.std_mean(x, 3)",
    "L.aminmax(L.tensor([]))", "L.aminmax(L.zeros(2, 0), dim=1)", "L.aminmax(x, dim=(0, 1))",
    "L.aminmax(x, dim=3)", "L.xlogy(1, 2)", "L.xlogy(x, 'a')", "x.xlogy('a')", "L.xlogy(x, L.ones(3))", "L.float_power(x, 'a')",
        "x.requires_grad_().apply_(lambda a: a)", "(x.requires_grad_() * 1).map_(x, lambda a, b: a)",
]


@pytest.mark.parametrize("expr", ERRORS)
def test_errors_match_pytorch(expr):
    caught = []
    for L in LIBS:
        with pytest.raises(Exception) as info:
            run(expr, L)
        caught.append(info.value)
    ours, theirs = caught
    assert type(ours) is type(theirs), f"{type(ours).__name__}: {ours}"
    assert str(ours) == str(theirs).replace("torch.", "nbgrad."), expr


# ======================================================================= random draws and the generator

def run_random(expr, L):
    p = L.tensor([[0.2, 0.0, 0.8], [1.0, 1.0, 1.0]])
    m = L.zeros(2, 1, dtype=L.float64)
    s = L.ones(3, dtype=L.float64)
    return eval(expr, {"L": L, "p": p, "m": m, "s": s})


# (shape, dtype) only: the streams differ (docs/differences.md)
DRAWS = [
    "L.normal(m, s)", "L.normal(m, 2.0)", "L.normal(0.0, s)", "L.normal(0, 1, (2, 3))",
    "L.normal(1.0, 2.0, size=(4,), dtype=L.float64)", "L.normal(0.0, 1.0, [])", "L.bernoulli(p.clamp(0, 1))",
    "L.bernoulli(p, 0.3)", "p.bernoulli()", "L.multinomial(p, 2)", "L.multinomial(p[0], 5, True)",
    "L.zeros(3, dtype=L.int8).random_()", "L.zeros(3).random_(5)", "L.zeros(3).random_(-2, 2)",
    "L.zeros(3, dtype=L.bool).random_()", "L.zeros(2).exponential_()", "L.zeros(2, 2).bernoulli_(0.3)",
    "L.zeros(2, 3).bernoulli_(p)", "L.zeros(2, dtype=L.int32).bernoulli_()", "L.normal(m, s, out=L.zeros(2, 3))",
]


@pytest.mark.parametrize("expr", DRAWS)
def test_draws_have_pytorchs_shape_and_dtype(expr):
    ours, theirs = run_random(expr, nbgrad), run_random(expr, torch)
    assert ours.shape == tuple(theirs.shape)
    assert repr(ours.dtype) == repr(theirs.dtype).replace("torch.", "nbgrad.")


RANDOM_ERRORS = [
    "L.normal(m, -1.0)", "L.normal(0.0, -s)", "L.normal(0.0, -1.0, (2,))", "L.normal(m, L.ones(3, 2))",
    "L.normal(0, 1)", "L.normal(m.long(), 1.0)", "L.bernoulli(p * 2)", "L.bernoulli(p.long())",
    "L.bernoulli(p, 2.0)", "L.multinomial(p, 4)", "L.multinomial(-p, 1)", "L.multinomial(p * 0, 1)",
    "L.multinomial(p[None], 1)", "L.multinomial(p, 0)", "L.multinomial(p.long(), 1)",
    "L.multinomial(p.log(), 1, True)", "L.zeros(2).random_(5, 2)", "L.zeros(2, dtype=L.int8).random_(0, 300)",
    "L.zeros(2, dtype=L.int8).random_(-300, 3)", "L.zeros(2, dtype=L.uint8).random_(257)",
    "L.zeros(2).exponential_(-1)", "L.ones(3, dtype=L.int64).exponential_()", "L.zeros(3).bernoulli_(1.5)",
    "L.zeros(3).bernoulli_(L.tensor([2.0, 0.0, 0.0]))", "L.set_rng_state([1])", "L.set_rng_state(L.zeros(3))",
    "L.set_num_threads(0)", "L.set_num_threads(1.5)", "L.use_deterministic_algorithms('x')",
    "L.use_deterministic_algorithms(True, warn_only=1)",
]


@pytest.mark.parametrize("expr", RANDOM_ERRORS)
def test_random_errors_match_pytorch(expr):
    caught = []
    for L in LIBS:
        with pytest.raises(Exception) as info:
            run_random(expr, L)
        caught.append(info.value)
    ours, theirs = caught
    assert type(ours) is type(theirs), f"{type(ours).__name__}: {ours}"
    assert str(ours) == str(theirs).replace("torch.", "nbgrad."), expr


def test_rng_state_of_the_wrong_size_is_refused_as_pytorch_says():
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 37 but found the input RNG "
                                           "state size to be 3"):
        nbgrad.set_rng_state(nbgrad.zeros(3, dtype=nbgrad.uint8))


def _draw_everything():
    p = nbgrad.tensor([[0.2, 0.0, 0.8], [1.0, 2.0, 3.0]])
    return [nbgrad.normal(nbgrad.zeros(3), nbgrad.ones(3)), nbgrad.normal(0.0, 1.0, (4,)), nbgrad.bernoulli(p / 4),
            nbgrad.multinomial(p, 3), nbgrad.multinomial(p, 6, True), nbgrad.zeros(5).random_(100),
            nbgrad.zeros(5).exponential_(3.0), nbgrad.zeros(5).bernoulli_(0.5), nbgrad.rand(2)]


def test_a_seed_repeats_every_draw_and_the_state_round_trips():
    nbgrad.manual_seed(123)
    first = _draw_everything()
    nbgrad.manual_seed(123)
    assert all(a.equal(b) for a, b in zip(first, _draw_everything()))
    state = nbgrad.get_rng_state()
    assert state.dtype == nbgrad.uint8 and state.dim() == 1
    after = _draw_everything()
    nbgrad.set_rng_state(state)
    assert all(a.equal(b) for a, b in zip(after, _draw_everything()))
    assert not all(a.equal(b) for a, b in zip(first, after))
    nbgrad.normal(0.0, 1.0, (1,))  # a state saved in the middle of a stream (NumPy's cached half-draw included)
    state = nbgrad.get_rng_state()
    again = nbgrad.get_rng_state()
    assert state.equal(again)
    values = nbgrad.randint(0, 2 ** 62, (3,))
    nbgrad.set_rng_state(state)
    assert values.equal(nbgrad.randint(0, 2 ** 62, (3,)))


def test_seeds_as_pytorch_reports_them():
    for s in (0, 42, -1, -2 ** 63, 2 ** 64 - 1):
        for L in LIBS:
            L.manual_seed(s)
        assert nbgrad.initial_seed() == torch.initial_seed()
    chosen = nbgrad.seed()
    assert 0 <= chosen < 2 ** 64 and nbgrad.initial_seed() == chosen
    assert nbgrad.seed() != chosen
    nbgrad.manual_seed(0)


def test_threads_and_determinism():
    assert nbgrad.get_num_threads() == 1
    nbgrad.set_num_threads(4)
    assert nbgrad.get_num_threads() == 1  # nbgrad's own code runs on one thread whatever is asked
    assert nbgrad.are_deterministic_algorithms_enabled() is False
    nbgrad.use_deterministic_algorithms(True, warn_only=True)
    assert nbgrad.are_deterministic_algorithms_enabled() and nbgrad.is_deterministic_algorithms_warn_only_enabled()
    nbgrad.use_deterministic_algorithms(False)
    assert not nbgrad.are_deterministic_algorithms_enabled()
    assert not nbgrad.is_deterministic_algorithms_warn_only_enabled()


N = 200_000


def test_draws_follow_their_distributions():
    nbgrad.manual_seed(7)
    z = nbgrad.normal(nbgrad.full((N,), 2.0), 3.0).numpy()
    assert abs(z.mean() - 2.0) < 0.03 and abs(z.std() - 3.0) < 0.03
    z = nbgrad.normal(-1.0, nbgrad.full((N,), 0.5, dtype=nbgrad.float64)).numpy()
    assert abs(z.mean() + 1.0) < 0.01 and abs(z.std() - 0.5) < 0.01
    z = nbgrad.normal(1.0, 2.0, (N,)).numpy()
    assert abs(z.mean() - 1.0) < 0.02 and abs(z.std() - 2.0) < 0.02
    b = nbgrad.bernoulli(nbgrad.full((N,), 0.3)).numpy()
    assert set(np.unique(b)) == {0.0, 1.0} and abs(b.mean() - 0.3) < 0.005
    assert abs(nbgrad.zeros(N).bernoulli_(0.7).numpy().mean() - 0.7) < 0.005
    assert abs(nbgrad.bernoulli(nbgrad.zeros(N), 0.1).numpy().mean() - 0.1) < 0.005
    e = nbgrad.zeros(N, dtype=nbgrad.float64).exponential_(4.0).numpy()
    assert e.min() >= 0 and abs(e.mean() - 0.25) < 0.003 and abs(e.std() - 0.25) < 0.003
    r = nbgrad.zeros(N).random_(-3, 4).numpy()
    assert set(np.unique(r)) == set(range(-3, 4))
    r = nbgrad.zeros(N, dtype=nbgrad.uint8).random_().numpy()
    assert r.min() == 0 and r.max() == 255
    counts = np.bincount(nbgrad.multinomial(nbgrad.tensor([1.0, 0.0, 3.0]), N, True).numpy(), minlength=3)
    np.testing.assert_allclose(counts / N, [0.25, 0.0, 0.75], atol=0.005)


def test_multinomial_without_replacement_draws_each_index_once():
    nbgrad.manual_seed(3)
    weights = nbgrad.tensor([[1.0, 0.0, 2.0, 1.0], [0.0, 0.0, 5.0, 0.0]])
    firsts = []
    for _ in range(4000):
        rows = nbgrad.multinomial(weights, 4).tolist()
        assert all(sorted(r) == [0, 1, 2, 3] for r in rows)
        assert rows[0][3] == 1 and rows[1][0] == 2  # a zero weight comes after every positive one
        firsts.append(rows[0][0])
    np.testing.assert_allclose(np.bincount(firsts, minlength=4) / 4000, [0.25, 0, 0.5, 0.25], atol=0.03)


# ======================================================================= utils.data

def test_weighted_random_sampler():
    from nbgrad.utils.data import WeightedRandomSampler

    sampler = WeightedRandomSampler([1, 0, 3], 40_000, generator=nbgrad.Generator().manual_seed(1))
    assert len(sampler) == 40_000 and sampler.weights.dtype == nbgrad.float64
    counts = np.bincount(list(sampler), minlength=3)
    np.testing.assert_allclose(counts / 40_000, [0.25, 0.0, 0.75], atol=0.01)
    assert sorted(WeightedRandomSampler(nbgrad.tensor([1.0, 1.0, 0.0]), 3, replacement=False)) == [0, 1, 2]
    again = WeightedRandomSampler([1, 0, 3], 50, generator=nbgrad.Generator().manual_seed(1))
    assert list(again) == list(WeightedRandomSampler([1, 0, 3], 50, generator=nbgrad.Generator().manual_seed(1)))


SAMPLER_ERRORS = ["W([1, 2], 0)", "W([1, 2], 2.5)", "W([1, 2], 2, replacement=1)", "W([[1, 2]], 2)",
                  "list(W([0.0, 0.0], 1))", "list(W([1, 0, 0], 4, replacement=False))"]


@pytest.mark.parametrize("expr", SAMPLER_ERRORS)
def test_weighted_random_sampler_errors_match_pytorch(expr):
    import nbgrad.utils.data
    import torch.utils.data

    caught = []
    for data in (nbgrad.utils.data, torch.utils.data):
        with pytest.raises(Exception) as info:
            eval(expr, {"W": data.WeightedRandomSampler})
        caught.append(info.value)
    assert type(caught[0]) is type(caught[1]) and str(caught[0]) == str(caught[1])


def test_chain_dataset_and_worker_info():
    from nbgrad.utils import data

    class Count(data.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n

    chain = data.ChainDataset([Count(2), Count(3)])
    assert list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5
    assert list(Count(1) + Count(2)) == [0, 0, 1]
    assert [b.tolist() for b in data.DataLoader(chain, batch_size=2)] == [[0, 1], [0, 1], [2]]
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(data.ChainDataset([data.TensorDataset(nbgrad.zeros(2))]))
    assert data.get_worker_info() is None is torch.utils.data.get_worker_info()


@pytest.mark.parametrize("seed", range(20))
def test_median_picks_pytorchs_element_among_ties(seed):
    """Small integers, so many ties: the values, and the index PyTorch returns, along every dim."""
    data = np.random.default_rng(seed).integers(0, 3, size=(3, 4, 5)).astype(np.float64)
    for dim in range(3):
        for keepdim in (False, True):
            ours, theirs = nbgrad.tensor(data).median(dim, keepdim), torch.tensor(data).median(dim, keepdim)
            same(tuple(ours), tuple(theirs), f"dim={dim}")
