"""Gradients of the gather/scatter, mask, sort and ordering ops (nbgrad/ops/scatter.py, order.py), checked
against finite differences by ``helpers.check_grad`` over generated inputs, indices and dims.

An index with repeats is drawn where repeats are well defined (gather, index_select, index_add, take: the
gradient adds up); where a repeated write would leave the result up to the order of writes (scatter,
index_copy), each position is written once, as PyTorch's documentation asks.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nbgrad
from helpers import SETTINGS, arrays, check_grad, on_grid, shapes
from nbgrad.ops import order as O, scatter as SC, shape as S
from test_ops_grad import covers, dim_of, f64

pytestmark = pytest.mark.filterwarnings("ignore:The reduce argument")


def square(y):
    """y·y: the second derivative then runs through the op's backward, recorded."""
    return y * y


def long(array):
    return nbgrad.tensor(np.asarray(array, dtype=np.int64))


def index_within(rng, shape, dim, size, distinct):
    """An int64 index of ``shape`` with values in [0, size) along ``dim``: ``distinct`` makes the positions
    one index writes along each line of ``dim`` all different (shape[dim] <= size)."""
    if not distinct:
        return rng.integers(0, max(size, 1), size=shape)
    full = list(shape)
    full[dim] = size
    return np.argsort(rng.random(full), axis=dim).take(range(shape[dim]), axis=dim)


@st.composite
def gather_case(draw, distinct=False):
    """x, dim and an index no larger than x apart from dim (the shape gather and scatter accept)."""
    shape = draw(shapes(min_dims=1), label="shape")
    dim = draw(dim_of(len(shape)), label="dim")
    d = dim % len(shape)
    ishape = [draw(st.integers(1, n)) for n in shape]
    ishape[d] = draw(st.integers(1, shape[d] if distinct else 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**16), label="seed"))
    return draw(arrays(shape), label="x"), dim, index_within(rng, tuple(ishape), d, shape[d], distinct)


@covers(SC.Gather, SC.ScatterAdd)
@given(case=gather_case())
@SETTINGS
def test_gather(case):
    x, dim, index = case
    check_grad(lambda t: square(t.gather(dim, long(index))), x,
               reference=lambda a: np.take_along_axis(_cut(a, index.shape, dim), index, dim) ** 2)


def _cut(a, shape, dim):
    """``a`` cut to ``shape`` along every dim but ``dim`` (what gather reads from)."""
    return a[tuple(slice(None) if d == dim % a.ndim else slice(0, n) for d, n in enumerate(shape))]


@covers({"src": (SC.Scatter, SC.Gather), "value": (SC.ScatterValue,), "add": (SC.ScatterAdd, SC.Gather)},
        per="form")
@pytest.mark.parametrize("form", ["src", "value", "add"])
@given(case=gather_case(distinct=True), data=st.data())
@SETTINGS
def test_scatter(form, case, data):
    x, dim, index = case
    src = data.draw(arrays(index.shape), label="src")
    i = long(index)
    if form == "value":
        check_grad(lambda t: square(t.scatter(dim, i, 0.5)), x)
    else:
        method = "scatter" if form == "src" else "scatter_add"
        check_grad(lambda t, s: square(getattr(t, method)(dim, i, s)), x, src)


@st.composite
def slices_case(draw, distinct=False):
    """x, dim, a 1-d index along dim (repeats unless ``distinct``) and a source of x's shape with the index's
    length along dim."""
    shape = draw(shapes(min_dims=1), label="shape")
    dim = draw(dim_of(len(shape)), label="dim")
    size = shape[dim]
    if distinct:
        index = draw(st.permutations(range(size)), label="order")[:draw(st.integers(1, size))]
    else:
        index = draw(st.lists(st.integers(0, size - 1), min_size=1, max_size=4), label="index")
    source_shape = list(shape)
    source_shape[dim] = len(index)
    return draw(arrays(shape), label="x"), dim, np.array(index), draw(arrays(tuple(source_shape)), label="source")


@covers(SC.IndexSelect, SC.IndexAdd)
@given(case=slices_case())
@SETTINGS
def test_index_select(case):
    x, dim, index, _ = case
    check_grad(lambda t: square(t.index_select(dim, long(index))), x,
               reference=lambda a: np.take(a, index, axis=dim) ** 2)


@covers({"index_add": (SC.IndexAdd, SC.IndexSelect), "index_copy": (SC.IndexCopy, SC.IndexFill, SC.IndexSelect)},
        per="op")
@pytest.mark.parametrize("op", ["index_add", "index_copy"])
@given(data=st.data(), alpha=st.sampled_from([1, -2.5]))
@SETTINGS
def test_index_add_and_copy(op, data, alpha):
    x, dim, index, source = data.draw(slices_case(distinct=op == "index_copy"))
    i = long(index)
    if op == "index_add":
        check_grad(lambda t, s: square(t.index_add(dim, i, s, alpha=alpha)), x, source)
    else:
        check_grad(lambda t, s: square(t.index_copy(dim, i, s)), x, source)


@covers({"number": (SC.IndexFill,), "tensor": (SC.IndexFillTensor, SC.IndexFill, SC.IndexSelect)}, per="value")
@pytest.mark.parametrize("value", ["number", "tensor"])
@given(case=slices_case(), v=arrays(()))
@SETTINGS
def test_index_fill(value, case, v):
    """Repeated and negative indices: each slice named is filled once."""
    x, dim, index, _ = case
    i = long(index - x.shape[dim] * (np.arange(index.size) % 2))  # every other index negative
    if value == "number":
        check_grad(lambda t: square(t.index_fill(dim, i, -1.5)), x)
    else:
        check_grad(lambda t, w: square(t.index_fill(dim, i, w)), x, v)


@st.composite
def masked_case(draw):
    """x and a boolean mask that broadcasts with it (either may be the larger)."""
    shape = draw(shapes(min_dims=0), label="shape")
    mask_shape = tuple(draw(st.sampled_from([1, n])) for n in shape)[draw(st.integers(0, len(shape))):]
    if draw(st.booleans()):
        shape, mask_shape = tuple(1 if draw(st.booleans()) else n for n in shape), shape
    rng = np.random.default_rng(draw(st.integers(0, 2**16), label="seed"))
    return draw(arrays(shape), label="x"), rng.random(mask_shape) < 0.5


@covers({"number": (SC.MaskedFill,), "tensor": (SC.MaskedFillTensor, SC.MaskedFill, SC.MaskedSelect)}, per="value")
@pytest.mark.parametrize("value", ["number", "tensor"])
@given(case=masked_case(), v=arrays(()))
@SETTINGS
def test_masked_fill(value, case, v):
    x, mask = case
    m = nbgrad.tensor(mask)
    if value == "number":
        check_grad(lambda t: square(t.masked_fill(m, 0.25)), x, reference=lambda a: np.where(mask, 0.25, a) ** 2)
    else:
        check_grad(lambda t, w: square(t.masked_fill(m, w)), x, v)


@covers(SC.MaskedSelect, SC.MaskedScatter)
@given(case=masked_case())
@SETTINGS
def test_masked_select(case):
    x, mask = case
    check_grad(lambda t: square(t.masked_select(nbgrad.tensor(mask))), x,
               reference=lambda a: np.broadcast_arrays(a, mask)[0][np.broadcast_to(mask, np.broadcast_shapes(
                   a.shape, mask.shape))] ** 2)


@covers(SC.MaskedScatter, SC.MaskedScatterBackward, SC.MaskedFill)
@given(case=masked_case(), extra=st.integers(0, 3), data=st.data())
@SETTINGS
def test_masked_scatter(case, extra, data):
    """A source with ``extra`` elements more than the mask needs: they get gradient 0."""
    x, mask = case
    count = int(np.broadcast_to(mask, np.broadcast_shapes(x.shape, mask.shape)).sum())
    source = data.draw(arrays((count + extra,)), label="source")
    check_grad(lambda t, s: square(t.masked_scatter(nbgrad.tensor(mask), s)), x, source)


@covers(SC.Take, SC.Put)
@given(x=arrays(shapes()), data=st.data())
@SETTINGS
def test_take(x, data):
    """Repeats and negative indices, any index shape."""
    n = x.size
    index = data.draw(st.lists(st.integers(-n, n - 1), min_size=0, max_size=5), label="index")
    shape = data.draw(st.sampled_from([(len(index),)] + ([(2, len(index) // 2)] if len(index) % 2 == 0 else [])))
    i = np.array(index, dtype=np.int64).reshape(shape)
    check_grad(lambda t: square(t.take(long(i))), x, reference=lambda a: a.reshape(-1)[i] ** 2)


def test_take_along_dim_is_an_expand_and_a_gather():
    x = np.random.default_rng(1).standard_normal((3, 4))
    i = np.array([[0], [2], [1]])
    ops = check_grad(lambda t: square(nbgrad.take_along_dim(t, long(i), 1)), x,
                     reference=lambda a: np.take_along_axis(a, i, 1) ** 2)
    assert SC.Gather in ops


def test_scatter_with_reduce_refuses_backward():
    x = nbgrad.ones(2, 3, requires_grad=True)
    out = x.scatter(0, long([[1, 0, 1]]), x * 2, reduce="add")
    np.testing.assert_array_equal(out.detach().numpy(), [[1, 3, 1], [3, 1, 3]])
    assert out.grad_fn.name() == "NotImplemented"
    with pytest.raises(RuntimeError, match=r"^derivative for aten::scatter is not implemented$"):
        out.sum().backward()


@covers({False: (SC.Put, SC.Take), True: (SC.Put, SC.Take)}, per="accumulate")
@pytest.mark.parametrize("accumulate", [False, True])
@given(x=arrays(shapes()), data=st.data())
@SETTINGS
def test_put(accumulate, x, data):
    """Negative indices; repeats only when adding up (a repeated write is left to the order of writes)."""
    n = x.size
    index = data.draw(st.lists(st.integers(-n, n - 1), max_size=4, unique_by=(lambda i: i % n) if not accumulate
                               else None), label="index")
    source = data.draw(arrays((len(index),)), label="source")
    check_grad(lambda t, s: square(t.put(long(index), s, accumulate)), x, source)


# ============================================================== sorting and running ops

@st.composite
def distinct_case(draw, min_dims=0):
    """x with distinct values (no ties: which of equal elements is picked is a kink) and a dim."""
    shape = draw(shapes(min_dims=min_dims, max_side=4), label="shape")
    return draw(arrays(shape, on_grid(0.01), unique=True), label="x"), draw(dim_of(len(shape)), label="dim")


@covers({"sort": (O.Sort, SC.Scatter), "stable": (O.SortStable, SC.Scatter), "msort": (O.Sort,)}, per="form")
@pytest.mark.parametrize("form", ["sort", "stable", "msort"])
@given(case=distinct_case(), descending=st.booleans())
@SETTINGS
def test_sort(form, case, descending):
    x, dim = case
    if form == "msort":
        check_grad(lambda t: square(nbgrad.msort(t)), x,
                   reference=lambda a: (np.sort(a, axis=0) if a.ndim else a) ** 2)
        return
    stable = {"stable": True}.get(form)
    flip = (lambda a: np.flip(a, dim)) if descending and x.ndim else (lambda a: a)
    check_grad(lambda t: square(t.sort(dim, descending, stable=stable).values), x,
               reference=lambda a: flip(np.sort(a, axis=dim) if a.ndim else a) ** 2)


@covers(O.Topk, SC.Scatter)
@given(case=distinct_case(), largest=st.booleans(), data=st.data())
@SETTINGS
def test_topk(case, largest, data):
    x, dim = case
    k = data.draw(st.integers(0, x.shape[dim] if x.ndim else 1), label="k")
    check_grad(lambda t: square(t.topk(k, dim, largest).values), x)


@covers(O.Kthvalue, SC.Scatter)
@given(case=distinct_case(), keepdim=st.booleans(), data=st.data())
@SETTINGS
def test_kthvalue(case, keepdim, data):
    x, dim = case
    k = data.draw(st.integers(1, x.shape[dim] if x.ndim else 1), label="k")
    check_grad(lambda t: square(t.kthvalue(k, dim, keepdim).values), x,
               reference=lambda a: (np.take(np.sort(a, axis=dim), [k - 1], axis=dim) if keepdim else
                                    np.take(np.sort(a, axis=dim), k - 1, axis=dim)) ** 2 if a.ndim else a ** 2)


@covers({"cummax": (O.Cummax, SC.ScatterAdd), "cummin": (O.Cummin, SC.ScatterAdd)}, per="op")
@pytest.mark.parametrize("op", ["cummax", "cummin"])
@given(case=distinct_case())
@SETTINGS
def test_cummax_and_cummin(op, case):
    x, dim = case
    accumulate = np.maximum.accumulate if op == "cummax" else np.minimum.accumulate
    check_grad(lambda t: square(getattr(t, op)(dim).values), x,
               reference=lambda a: (accumulate(a, axis=dim) if a.ndim else a) ** 2)


@covers(O.Cumsum, O.Flip)
@given(x=arrays(shapes(max_side=4)), data=st.data())
@SETTINGS
def test_cumsum(x, data):
    dim = data.draw(dim_of(x.ndim), label="dim")
    check_grad(lambda t: square(t.cumsum(dim)), x, reference=lambda a: (np.cumsum(a, dim) if a.ndim else a) ** 2)


@covers(O.Cumprod, O.Cumsum, O.Flip)
@given(x=arrays(shapes(max_side=4), on_grid(0.25, -2.0, 2.0).filter(bool)), zeros=st.integers(0, 2), data=st.data())
@SETTINGS
def test_cumprod_with_and_without_zeros(x, zeros, data):
    """Up to ``zeros`` entries set to exactly 0: there the gradient cannot divide by the input."""
    flat = x.reshape(-1)
    flat[data.draw(st.lists(st.integers(0, flat.size - 1), max_size=zeros), label="zero at")] = 0.0
    dim = data.draw(dim_of(x.ndim), label="dim")
    check_grad(lambda t: t.cumprod(dim) * 1.5, x, reference=lambda a: (np.cumprod(a, dim) if a.ndim else a) * 1.5)


def test_unique_refuses_backward():
    x = nbgrad.tensor([3.0, 1.0, 3.0], requires_grad=True)
    out, inverse = x.unique(return_inverse=True)
    assert out.grad_fn.name() == "Unique2Backward0"
    np.testing.assert_array_equal(inverse.numpy(), [1, 0, 1])
    with pytest.raises(RuntimeError, match=r"^derivative for aten::_unique2 is not implemented$"):
        out.sum().backward()


# ============================================================== rearranging

@covers(O.Flip)
@given(x=arrays(shapes()), data=st.data())
@SETTINGS
def test_flip(x, data):
    dims = data.draw(st.lists(st.integers(0, x.ndim - 1), unique=True), label="dims") if x.ndim else []
    check_grad(lambda t: square(t.flip(dims)), x, reference=lambda a: np.flip(a, dims) ** 2)


@covers(O.Roll)
@given(x=arrays(shapes()), data=st.data())
@SETTINGS
def test_roll(x, data):
    """With dims, or without (the flattened tensor rolled); shifts of any sign and size."""
    if x.ndim and data.draw(st.booleans(), label="with dims"):
        dims = data.draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=3), label="dims")
        shifts = data.draw(st.lists(st.integers(-5, 5), min_size=len(dims), max_size=len(dims)), label="shifts")
        check_grad(lambda t: square(t.roll(shifts, dims)), x, reference=lambda a: np.roll(a, shifts, dims) ** 2)
    else:
        shift = data.draw(st.integers(-5, 5), label="shift")
        check_grad(lambda t: square(t.roll(shift)), x,
                   reference=lambda a: np.roll(a.reshape(-1), shift).reshape(a.shape) ** 2)


@covers(O.Rot90)
@given(x=arrays(shapes(min_dims=2)), k=st.integers(-5, 5), data=st.data())
@SETTINGS
def test_rot90(x, k, data):
    dims = data.draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=2, max_size=2, unique_by=lambda d: d % x.ndim))
    check_grad(lambda t: square(t.rot90(k, dims)), x, reference=lambda a: np.rot90(a, k, dims) ** 2)


@covers({"tril": (O.Tril,), "triu": (O.Triu,)}, per="op")
@pytest.mark.parametrize("op", ["tril", "triu"])
@given(x=arrays(shapes(min_dims=2)), diagonal=st.integers(-4, 4))
@SETTINGS
def test_tril_and_triu(op, x, diagonal):
    check_grad(lambda t: square(getattr(t, op)(diagonal)), x,
               reference=lambda a: getattr(np, op)(a, diagonal) ** 2)


@covers(O.DiagEmbed, S.Diagonal)
@given(x=arrays(shapes(min_dims=1)), offset=st.integers(-3, 3), data=st.data())
@SETTINGS
def test_diag_embed(x, offset, data):
    n = x.ndim + 1
    dims = data.draw(st.lists(st.integers(-n, n - 1), min_size=2, max_size=2, unique_by=lambda d: d % n), label="dims")
    check_grad(lambda t: square(t.diag_embed(offset, *dims)), x)


@covers({"vector": (O.DiagEmbed,), "matrix": (O.DiagonalCopy, S.DiagonalBackward), "diagflat": (O.DiagEmbed,)},
        per="form")
@pytest.mark.parametrize("form", ["vector", "matrix", "diagflat"])
@given(data=st.data(), offset=st.integers(-3, 3))
@SETTINGS
def test_diag_and_diagflat(form, data, offset):
    if form == "matrix":
        x = data.draw(arrays(shapes(min_dims=2, max_dims=2)), label="x")
        check_grad(lambda t: square(t.diag(offset)), x, reference=lambda a: np.diag(a, offset) ** 2)
    elif form == "vector":
        x = data.draw(arrays(shapes(min_dims=1, max_dims=1)), label="x")
        check_grad(lambda t: square(nbgrad.diag(t, offset)), x, reference=lambda a: np.diag(a, offset) ** 2)
    else:
        x = data.draw(arrays(shapes()), label="x")
        check_grad(lambda t: square(t.diagflat(offset)), x, reference=lambda a: np.diagflat(a, offset) ** 2)


@covers(O.Trace, SC.IndexFillTensor)
@given(x=arrays(shapes(min_dims=2, max_dims=2, max_side=4)))
@SETTINGS
def test_trace(x):
    check_grad(lambda t: square(t.trace()), x, reference=lambda a: np.trace(a) ** 2)


@covers(O.Repeat)
@given(x=arrays(shapes()), data=st.data())
@SETTINGS
def test_repeat_and_tile(x, data):
    """repeat with as many repeats as dims or more (new leading dims); tile with fewer. (A repeat of 0 has a
    constant gradient, zeros: see test_index_parity.py.)"""
    repeats = data.draw(st.lists(st.integers(1, 3), min_size=x.ndim, max_size=x.ndim + 2), label="repeats")
    check_grad(lambda t: square(t.repeat(repeats)), x, reference=lambda a: np.tile(a, repeats) ** 2)
    reps = data.draw(st.lists(st.integers(1, 3), max_size=x.ndim + 1), label="tile")
    check_grad(lambda t: square(t.tile(reps)), x, reference=lambda a: np.tile(a, reps) ** 2)


@covers(SC.IndexSelect)
@given(x=arrays(shapes()), data=st.data())
@SETTINGS
def test_repeat_interleave(x, data):
    """A number of repeats (expand and clone) or one count per slice (index_select), with or without dim."""
    dim = data.draw(st.none() | dim_of(x.ndim), label="dim")
    size = x.size if dim is None else (x.shape[dim] if x.ndim else 1)
    axis = None if dim is None else (dim if x.ndim else None)
    if data.draw(st.booleans(), label="counts"):
        counts = data.draw(st.lists(st.integers(0, 3), min_size=size, max_size=size), label="repeats")
        check_grad(lambda t: square(t.repeat_interleave(long(counts), dim)), x,
                   reference=lambda a: np.repeat(a, counts, axis) ** 2)
    else:
        count = data.draw(st.integers(0, 3), label="repeats")
        check_grad(lambda t: square(t.repeat_interleave(count, dim)), x,
                   reference=lambda a: np.repeat(a, count, axis) ** 2)


@covers(O.Logcumsumexp, O.Flip)
@given(x=arrays(shapes(max_side=4), st.floats(-5, 5)), data=st.data())
@SETTINGS
def test_logcumsumexp(x, data):
    """exp after it keeps the gradient flowing in away from 0, where the rule (PyTorch's, in log space) has a
    kink: see test_logcumsumexp_at_a_zero_gradient."""
    dim = data.draw(dim_of(x.ndim), label="dim")
    check_grad(lambda t: t.logcumsumexp(dim).exp(), x,
               reference=lambda a: np.exp(np.logaddexp.accumulate(a, dim) if a.ndim else a))


def test_logcumsumexp_at_a_zero_gradient():
    """The rule takes the log of the gradient flowing in: where that is 0, the second derivative with respect
    to it is nan and with respect to the input 0, as in PyTorch."""
    x = f64([0.0])
    v = f64([0.7])
    g, = nbgrad.autograd.grad(x.logcumsumexp(0) ** 2, x, v, create_graph=True)
    assert g.item() == 0.0
    dx, dv = nbgrad.autograd.grad(g.sum(), [x, v])
    assert dx.item() == 0.0 and np.isnan(dv.item())
