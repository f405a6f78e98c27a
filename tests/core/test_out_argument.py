"""``out=`` on nbgrad's functions, as PyTorch's: the result written into ``out`` (cast, or resized with
PyTorch's warning), refused while autograd records, compared with PyTorch where it is installed."""
import warnings

import numpy as np
import pytest

import nbgrad

CASES = {
    "same shape": lambda L: (L.ones(3), L.full((3,), 2.0), L.zeros(3)),
    "wider dtype": lambda L: (L.ones(3), L.full((3,), 2.0), L.zeros(3, dtype=L.float64)),
    "empty out": lambda L: (L.ones(3), L.full((3,), 2.0), L.zeros(0)),
    "resized": lambda L: (L.ones(3), L.full((3,), 2.0), L.zeros(2)),
    "narrower dtype": lambda L: (L.ones(3), L.full((3,), 2.0), L.zeros(3, dtype=L.int64)),
    "requires grad": lambda L: (L.ones(3, requires_grad=True), L.full((3,), 2.0), L.zeros(3)),
    "out requires grad": lambda L: (L.ones(3), L.full((3,), 2.0), L.zeros(3, requires_grad=True)),
}


def call(L, case, fn):
    a, b, out = CASES[case](L)
    before = out.detach().clone()  # (a NumPy view of PyTorch's out would stop it being resized)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = getattr(L, fn)(a, b, out=out)
        except RuntimeError as error:
            np.testing.assert_array_equal(out.detach().numpy(), before.numpy())  # bad input changes nothing
            return ("error", str(error))
    assert result is out
    return ("ok", out.detach().numpy(), str(out.dtype).replace("torch.", "nbgrad."),
            [str(w.message).split(" (Triggered")[0] for w in caught])


@pytest.mark.parametrize("fn", ["mul", "add", "eq"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_out_matches_pytorch(case, fn, torch):
    ours, theirs = call(nbgrad, case, fn), call(torch, case, fn)
    assert ours[0] == theirs[0] and (ours[1] == theirs[1] if ours[0] == "error" else True)
    if ours[0] == "ok":
        np.testing.assert_array_equal(ours[1], theirs[1])
        assert ours[2:] == theirs[2:]


def test_out_without_torch():
    out = nbgrad.zeros(3)
    assert nbgrad.mul(nbgrad.ones(3), 2, out=out) is out
    np.testing.assert_array_equal(out.numpy(), [2.0, 2.0, 2.0])
    with nbgrad.no_grad():  # not recorded: allowed for tensors that require grad
        nbgrad.add(nbgrad.ones(3, requires_grad=True), 1, out=out)
    np.testing.assert_array_equal(out.numpy(), [2.0, 2.0, 2.0])
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        nbgrad.add(nbgrad.ones(3, requires_grad=True), 1, out=out)
