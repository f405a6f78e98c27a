"""``t[key]`` and ``t[key] = v`` against PyTorch, on generated keys.

A key mixes ints, slices (bounds past the ends, steps), None, Ellipsis, int lists (nested: 2-d), boolean masks
(lists or tensors, over one or more dims), integer tensors (0-d ones select), bool tensors and Python bools,
for tensors of up to 4 dims. Several index tensors may sit next to each other or be separated by a slice,
None or an int: that placement rule is what the test is for (PyTorch reads ints as selects done first).

* get: values, shape, dtype, grad_fn name, and the gradient of ``(y * w).sum()``;
* set: ``x2[key] = v`` on ``x2 = x.clone()`` with a number or a broadcastable tensor (itself requiring grad
  or not), or a tensor of any shape or of int64 (errors): values, x2's grad_fn name, gradients to x and v;
* errors: where PyTorch raises, nbgrad raises the same exception type with the same message.

Known difference, kept out of the comparison (see ``ALIASES``): a key that leaves the tensor as it is
(``t[...]``, ``t[:, :]``, ``t[0:5]`` on 2 rows) is ``AliasBackward0`` in PyTorch, ``SliceBackward0`` here
(nbgrad has no alias op yet; adding one needs a row in test_torch_parity.py).
"""
import warnings

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import nbgrad
from helpers import SETTINGS

PARITY = settings(SETTINGS, max_examples=300)
ALIASES = {"AliasBackward0": "SliceBackward0"}


@st.composite
def keys(draw, shape, wild=False):
    """A key for ``shape`` as a list of items, described as (kind, value) so each library gets its own form.

    Index tensors share one broadcast shape (masks get as many True as it needs), so most keys are valid;
    ``wild`` also draws out-of-range values, extra items, masks of the wrong shape and float indices.
    """
    ndim = len(shape)
    common = draw(st.sampled_from([(), (0,), (1,), (2,), (3,), (2, 2), (1, 2)]))
    items, dim, ellipsis = [], 0, False
    while draw(st.integers(0, 5)) and (dim < ndim or wild):
        kinds = ["int", "slice", "slice", "none", "list", "tensor", "mask", "int0", "bool"]
        kind = draw(st.sampled_from(kinds + ([] if ellipsis else ["ellipsis"]) + (["float"] if wild else [])))
        size = shape[dim] if dim < ndim else 2
        bad = wild and draw(st.integers(0, 4)) == 0
        lo, hi = (-size - 2, size + 2) if bad else (-size, size - 1)
        if kind in ("int", "int0"):
            if size == 0 and not bad:
                continue
            value = draw(st.integers(lo, hi))
            items.append((kind, value))
            dim += 1
        elif kind == "slice":
            bound = st.none() | st.integers(-size - 2, size + 2)
            step = st.none() | st.integers(1, 3) | (st.integers(-2, 0) if bad else st.nothing())
            items.append(("slice", slice(draw(bound), draw(bound), draw(step))))
            dim += 1
        elif kind == "none":
            items.append(("none", None))
        elif kind == "bool":
            items.append(("bool", draw(st.booleans())))
        elif kind == "ellipsis":
            items.append(("ellipsis", Ellipsis))
            ellipsis = True
            dim = draw(st.integers(dim, max(dim, ndim)))
        elif kind in ("list", "tensor", "float"):
            index_shape = common if kind != "list" or common else (1,)
            if draw(st.booleans()):  # a broadcastable variant: some sizes 1, fewer leading dims
                index_shape = tuple(1 if draw(st.booleans()) else n for n in index_shape)
                index_shape = index_shape[draw(st.integers(0, len(index_shape))):]
                if kind == "list" and not index_shape:
                    index_shape = (1,)
            if size == 0 and not bad:
                index_shape = (0,)
            values = np.array(draw(st.lists(st.integers(lo, max(lo, hi)), min_size=int(np.prod(index_shape)),
                                            max_size=int(np.prod(index_shape)))), dtype=np.int64)
            values = values.reshape(index_shape)
            items.append((kind, values.astype(np.float64) if kind == "float" else values))
            dim += 1
        else:  # a mask over k dims, a list or a tensor
            k = draw(st.integers(1, max(1, min(2, ndim - dim))))
            mask_shape = tuple(shape[dim:dim + k])
            if bad or len(mask_shape) < k:
                mask_shape = mask_shape + (1,) * (k - len(mask_shape))
                mask_shape = tuple(n + draw(st.integers(0, 1)) for n in mask_shape)
            cells = int(np.prod(mask_shape))
            wanted = common[-1] if common else draw(st.integers(0, cells))
            if wanted > cells or draw(st.integers(0, 4)) == 0:
                wanted = draw(st.integers(0, cells))
            chosen = draw(st.permutations(range(cells)))[:wanted]
            mask = np.zeros(cells, dtype=bool)
            mask[list(chosen)] = True
            # PyTorch counts a list as one dim, whatever it holds: a 2-d boolean list makes odd keys
            as_list = k == 1 and draw(st.booleans())
            items.append(("mask list" if as_list else "mask", mask.reshape(mask_shape)))
            dim += k
    as_tuple = len(items) != 1 or draw(st.booleans())
    return items, as_tuple


def build(lib, items, as_tuple):
    """The key in ``lib``'s own form (nbgrad or torch)."""
    key = []
    for kind, value in items:
        if kind == "int0":
            value = lib.tensor(value)
        elif kind in ("tensor", "float", "mask"):
            value = lib.tensor(value)
        elif kind in ("list", "mask list"):
            value = value.tolist()
        key.append(value)
    return tuple(key) if as_tuple else key[0]


def outcome(fn):
    """fn()'s result, or the exception it raised."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch's deprecation warnings for list keys and uint8
            return fn()
    except Exception as error:  # noqa: BLE001  (compared below)
        return error


def assert_same_error(ours, theirs):
    assert isinstance(theirs, Exception), f"PyTorch succeeded where nbgrad raised {ours!r}"
    assert isinstance(ours, Exception), f"nbgrad succeeded where PyTorch raised {theirs!r}"
    assert type(ours) is type(theirs), (ours, theirs)
    assert str(ours).replace("nbgrad.", "torch.") == str(theirs)
    return f"error: {type(theirs).__name__}"


def name(grad_fn):
    return None if grad_fn is None else ALIASES.get(grad_fn.name(), grad_fn.name()).removeprefix("torch::autograd::")


def dtype(t):
    return str(t.dtype).rpartition(".")[2]


def same(ours, theirs):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert dtype(ours) == dtype(theirs)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-12)


@st.composite
def cases(draw, wild=False):
    shape = draw(st.lists(st.integers(0 if wild else 1, 4), min_size=0, max_size=4).map(tuple))
    x = draw(st.lists(st.integers(-99, 99), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    x = np.array(x, dtype=np.float64).reshape(shape) / 8
    return x, draw(keys(shape, wild))


def check_get(torch, x, items, as_tuple):
    xt = torch.tensor(x, requires_grad=True)
    xn = nbgrad.tensor(x, requires_grad=True)
    theirs = outcome(lambda: xt[build(torch, items, as_tuple)])
    ours = outcome(lambda: xn[build(nbgrad, items, as_tuple)])
    if isinstance(theirs, Exception) or isinstance(ours, Exception):
        return assert_same_error(ours, theirs)
    same(ours, theirs)
    assert name(ours.grad_fn) == name(theirs.grad_fn)
    w = np.random.default_rng(len(items)).standard_normal(tuple(theirs.shape))
    (theirs * torch.tensor(w)).sum().backward()
    (ours * nbgrad.tensor(w)).sum().backward()
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    return "get"


@given(case=cases())
@PARITY
def test_get_matches_pytorch(torch, case):
    x, (items, as_tuple) = case
    event(check_get(torch, x, items, as_tuple))


@given(case=cases(wild=True))
@PARITY
def test_bad_keys_fail_as_in_pytorch(torch, case):
    """Keys drawn with out-of-range values, too many items, wrong masks, float indices, steps ≤ 0 (most fail)."""
    x, (items, as_tuple) = case
    event(check_get(torch, x, items, as_tuple))


@given(case=cases(), data=st.data())
@PARITY
def test_set_matches_pytorch(torch, case, data):
    x, (items, as_tuple) = case
    key_t, key_n = build(torch, items, as_tuple), build(nbgrad, items, as_tuple)
    positions = outcome(lambda: torch.arange(x.size).reshape(x.shape)[key_t])
    if isinstance(positions, Exception):
        return
    # which of two writes to one element wins is not defined (in PyTorch either)
    if positions.unique().numel() != positions.numel():
        return
    target = tuple(positions.shape)
    kind = data.draw(st.sampled_from(["number", "tensor", "tensor requiring grad", "any shape", "int64"]),
                     label="value")
    if kind == "number":
        vt = vn = data.draw(st.integers(-9, 9), label="v") / 4
    elif kind in ("any shape", "int64"):  # often fails: a shape that need not broadcast, another dtype
        v_shape = tuple(data.draw(st.lists(st.integers(1, 3), max_size=3), label="value shape"))
        v = np.arange(int(np.prod(v_shape))).reshape(v_shape)
        v = v if kind == "int64" else v.astype(np.float64)
        vt, vn = torch.tensor(v), nbgrad.tensor(v)
    else:
        # a shape that broadcasts to the target: a suffix of it, some sizes 1, maybe leading 1s
        suffix = target[data.draw(st.integers(0, len(target)), label="value rank"):]
        v_shape = (1,) * data.draw(st.integers(0, 1)) + tuple(1 if data.draw(st.booleans()) else n for n in suffix)
        v = np.arange(int(np.prod(v_shape)), dtype=np.float64).reshape(v_shape) - 2.5
        grad = kind.endswith("grad")
        vt, vn = torch.tensor(v, requires_grad=grad), nbgrad.tensor(v, requires_grad=grad)
    xt = torch.tensor(x, requires_grad=True)
    xn = nbgrad.tensor(x, requires_grad=True)
    x2t, x2n = xt.clone(), xn.clone()
    theirs = outcome(lambda: x2t.__setitem__(key_t, vt))
    ours = outcome(lambda: x2n.__setitem__(key_n, vn))
    if isinstance(theirs, Exception) or isinstance(ours, Exception):
        return event(assert_same_error(ours, theirs))
    event(f"set {kind}")
    same(x2n, x2t)
    assert name(x2n.grad_fn) == name(x2t.grad_fn)
    w = np.random.default_rng(x.size).standard_normal(x.shape)
    (x2t * torch.tensor(w)).sum().backward()
    (x2n * nbgrad.tensor(w)).sum().backward()
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)
    if kind.endswith("grad"):
        np.testing.assert_allclose(vn.grad.numpy(), vt.grad.numpy(), rtol=1e-12, atol=1e-12)


# The examples and the placement rules, spelled out as items (x has shape (2, 3, 4)).
def lst(*values):
    return "list", np.array(values)


EXAMPLES = {
    "int then slice then list (issue 11)": [("int", 1), ("slice", slice(None)), lst(0, 2)],
    "lists separated by a slice go first": [lst(0, 1), ("slice", slice(None)), lst(0, 2)],
    "lists separated by an int stay": [lst(0, 1), ("int", 0), lst(0, 2)],
    "lists separated by None go first": [lst(0, 1), ("none", None), lst(0, 2)],
    "adjacent lists after a slice stay": [("slice", slice(None)), lst(0, 1), lst(0, 2)],
    "0-d int tensor selects": [("int0", 1), ("slice", slice(None)), ("tensor", np.array([0, 2]))],
    "True between lists": [lst(0, 1), ("bool", True), lst(0, 2)],
    "2-d mask then slice": [("mask", np.array([[True, False, True], [False, True, True]])), ("slice", slice(0, 2))],
    "Ellipsis then mask": [("ellipsis", Ellipsis), ("mask list", np.array([True, False, True, True]))],
}


@pytest.mark.parametrize("example", EXAMPLES)
def test_examples_match_pytorch(torch, example):
    assert check_get(torch, np.arange(24.0).reshape(2, 3, 4), EXAMPLES[example], True) == "get"


def test_a_list_of_lists_is_read_as_a_tuple(torch):
    x = np.arange(24.0).reshape(2, 3, 4)
    assert check_get(torch, x, [("raw", [[0, 1], [1, 2]])], False) == "get"
