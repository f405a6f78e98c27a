"""The core benchmarks compare like with like: every contender computes the same thing as nbgrad.

Nothing here times anything (performance is measured in benchmarks/, never asserted in tests); these tests
keep the reference implementations honest, so a ratio printed by ``benchmarks/run.py`` means what it says.
"""
import os
import sys

import numpy as np
import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "benchmarks")
sys.path.insert(0, BENCHMARKS)
import run  # noqa: E402

import nbgrad  # noqa: E402

sys.path.remove(BENCHMARKS)


def test_hand_written_numpy_step_trains_exactly_like_nbgrad():
    run.check_mlp_matches(steps=3)


def test_mlp_check_notices_a_reference_that_trains_differently():
    def slightly_different_start(x, labels, weights):
        return run.mlp_numpy(x, labels, [w * 1.001 for w in weights])

    with pytest.raises(AssertionError, match="differ"):
        run.check_mlp_matches(slightly_different_start)


def test_torch_step_trains_like_nbgrad(torch):
    data = run.mlp_data()
    mine, mine_params = run.mlp(nbgrad, *data)
    ref, ref_params = run.mlp(torch, *data)
    for _ in range(2):
        assert np.isclose(mine(), ref(), rtol=1e-5)
    for p, q in zip(mine_params(), ref_params()):
        np.testing.assert_allclose(p, q, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", [pytest.param("torch", marks=pytest.mark.torch), "mygrad", "autograd"])
def test_overhead_contenders_compute_nbgrads_gradients(name):
    module = pytest.importorskip(name, reason=f"{name} is an optional contender of the overhead benchmark")
    make = {"torch": run.overhead, "mygrad": run.overhead_mygrad, "autograd": run.overhead_hips}[name]
    if name == "autograd":
        import autograd.numpy  # noqa: F401
    run._check_same_gradients({"nbgrad": run.overhead(nbgrad), name: make(module)})


def test_chain_graph_has_the_stated_number_of_ops():
    loss = run.chain_graph(11)
    ops, node = 0, loss.grad_fn
    while node is not None and node.next_functions:
        ops += 1
        node = node.next_functions[0][0]
    assert ops == 11


def test_compare_runs_two_versions_side_by_side(capsys):
    sys.path.insert(0, BENCHMARKS)
    try:
        import compare
    finally:
        sys.path.remove(BENCHMARKS)
    compare.main([os.path.dirname(BENCHMARKS), "--rounds", "1"])
    out = capsys.readouterr().out
    assert "per-op overhead" in out and "MLP step" in out and "this / other" in out
