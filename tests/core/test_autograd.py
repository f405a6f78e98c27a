"""Engine and autograd API semantics: accumulation, hooks, modes, custom Functions, checks, the walk."""
import time

import numpy as np
import pytest

import nbgrad
from nbgrad.autograd import Function, backward_pass, grad


def leaf(values, dtype=nbgrad.float64):
    return nbgrad.tensor(values, dtype=dtype, requires_grad=True)


def test_leaf_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 + 3, 4 + 3])


def test_accumulation_is_in_place_like_pytorch():
    x = leaf([1.0])
    (x * 2).sum().backward()
    held = x.grad
    (x * 2).sum().backward()
    assert held is x.grad and held.item() == 4.0


def test_non_leaf_grad_is_none_with_a_warning_unless_retained():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = x * 3
    z.retain_grad()
    (y * z).sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert y.grad is None
    np.testing.assert_allclose(z.grad.numpy(), y.detach().numpy())


def test_saved_tensors_are_freed_after_backward_unless_retained():
    x = leaf([1.0, 2.0])
    y = x * x
    assert y.grad_fn._saved_self is x
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.grad_fn._saved_self
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])  # the failed pass changed nothing


def test_graph_without_saved_tensors_can_run_twice_as_in_pytorch():
    x = leaf([1.0])
    y = x + 2
    y.sum().backward()
    y.sum().backward()
    assert x.grad.item() == 2.0


def test_a_chain_of_100000_ops_backpropagates_iteratively():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    start = time.perf_counter()
    y.backward()
    assert x.grad.item() == 1.0
    assert time.perf_counter() - start < 60  # generous: a recursive engine would fail, not be slow


def test_execution_order_is_deterministic_and_waits_for_all_consumers():
    a = leaf([1.0, 2.0])
    b = a + a
    c = b * b
    steps = list(backward_pass(c.sum()))
    names = [s.node.name() for s in steps]
    assert names == ["SumBackward0", "MulBackward0", "AddBackward0", "AccumulateGrad"]
    # a's gradient arrives once, complete: both uses of a were summed before AccumulateGrad ran
    np.testing.assert_allclose(steps[-1].grad_output.numpy(), 8 * a.detach().numpy())
    assert a.grad is None  # replaying steps does not touch .grad


def test_backward_pass_steps_match_backward():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    out = ((x + 2) * (x + 2) * 3).mean()
    walk = backward_pass(out).run()
    (accumulated,) = walk.pending.values()  # a plain pass carries arrays
    out.backward()
    np.testing.assert_allclose(accumulated, x.grad.numpy())


def test_hooks_replace_the_gradient_and_can_be_removed():
    x = leaf([1.0, 2.0])
    y = x * 2
    seen = []
    handle = y.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    leaf_handle = x.register_hook(lambda g: g + 1)
    y.sum().backward()
    assert seen == [[1.0, 1.0]]
    np.testing.assert_allclose(x.grad.numpy(), [21.0, 21.0])
    handle.remove()
    leaf_handle.remove()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_grad_leaves_dot_grad_untouched_and_supports_higher_order():
    x = leaf([1.0, 2.0, 3.0])
    y = (x ** 3).sum()
    (g,) = grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 3 * x.detach().numpy() ** 2)
    v = nbgrad.tensor([1.0, 0.0, 2.0], dtype=nbgrad.float64)
    (hvp,) = grad(g, x, v)  # Hessian-vector product: H = diag(6x)
    np.testing.assert_allclose(hvp.numpy(), 6 * x.detach().numpy() * v.numpy())
    assert x.grad is None


def test_backward_inputs_limits_accumulation():
    x, w = leaf([1.0]), leaf([2.0])
    (x * w).sum().backward(inputs=[w])
    assert x.grad is None and w.grad.item() == 1.0


def test_grad_modes_nest_and_decorate():
    x = leaf([1.0])
    with nbgrad.no_grad():
        assert not (x * 2).requires_grad
        with nbgrad.enable_grad():
            assert (x * 2).requires_grad
        with nbgrad.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad

    @nbgrad.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad
    assert nbgrad.is_grad_enabled()
    nbgrad.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        nbgrad.set_grad_enabled(True)


def test_no_grad_allows_updating_a_leaf():
    w = leaf([1.0, 2.0])
    (w * w).sum().backward()
    with nbgrad.no_grad():
        w -= 0.5 * w.grad
    np.testing.assert_allclose(w.detach().numpy(), [0.0, 0.0])
    assert w.is_leaf and w.requires_grad


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g


def test_custom_function_name_needs_input_grad_and_second_order():
    x = leaf([1.0, 2.0])
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward"
    assert y.grad_fn.needs_input_grad == (True,)
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"
    (g,) = grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), [3.0, 12.0])
    (h,) = grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), [6.0, 12.0])
    assert nbgrad.autograd.gradcheck(Cube.apply, (leaf([0.5, -1.5]),))
    assert nbgrad.autograd.gradgradcheck(Cube.apply, (leaf([0.5, -1.5]),))


def test_gradcheck_catches_a_wrong_backward_and_shows_both_jacobians():
    class WrongSquare(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be 2·x·g

    x = leaf([1.0, 2.0])
    with pytest.raises(nbgrad.autograd.GradcheckError) as info:
        nbgrad.autograd.gradcheck(WrongSquare.apply, (x,))
    message = str(info.value)
    assert "Jacobian mismatch for output 0 with respect to input 0" in message
    assert "numerical:tensor([[2.0000, 0.0000],\n        [0.0000, 4.0000]]" in message
    assert "analytical:tensor([[1., 0.],\n        [0., 2.]]" in message
    assert nbgrad.autograd.gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False


def test_detect_anomaly_names_the_function_that_produced_nan():
    x = leaf([0.0, 1.0])
    y = x.sqrt() * 0  # d sqrt at 0 is inf; inf * 0 = nan in MulBackward... of the sqrt input
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        ctx = nbgrad.autograd.detect_anomaly()
    with ctx:
        z = x.sqrt()
        loss = (z * 0).sum()
        with pytest.raises(RuntimeError, match=r"Function 'SqrtBackward0' returned nan values in its 0th output."), \
                pytest.warns(UserWarning, match="Traceback of forward call"):
            loss.backward()
    assert x.grad is None
    del y


def test_data_shares_storage_but_is_not_tracked_detach_is():
    x = leaf([1.0, 2.0])
    y = x.sigmoid()
    y.data.mul_(0)  # bypasses the version counter: backward silently uses the changed value
    assert y._version == 0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0])
    z = x.sigmoid()
    z.detach().mul_(0)
    assert z._version == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_numpy_interop():
    x = nbgrad.tensor([1.0, 2.0])
    assert np.asarray(x).dtype == np.float32
    shared = np.zeros(3)
    t = nbgrad.from_numpy(shared)
    shared[0] = 5
    assert t[0].item() == 5
    assert (np.ones(2) + nbgrad.tensor([1.0, 2.0])).__class__ is nbgrad.Tensor
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        np.asarray(leaf([1.0]))


def test_manual_seed_makes_random_tensors_repeatable():
    nbgrad.manual_seed(3)
    a = nbgrad.randn(4)
    nbgrad.manual_seed(3)
    assert a.equal(nbgrad.randn(4))
    assert a.dtype is nbgrad.float32


def test_dot_grad_never_aliases_a_tensor_the_user_can_see():
    """Gradients are taken without a copy only when nothing else refers to them (as PyTorch does)."""
    x = leaf([1.0, 2.0])
    w = nbgrad.tensor([3.0, 4.0], dtype=nbgrad.float64)
    x.backward(w)  # a leaf as the root: its gradient *is* the user's tensor
    assert not np.shares_memory(x.grad.numpy(), w.numpy())
    x.backward(w)  # accumulates in place into x.grad, and must not write into w
    np.testing.assert_array_equal(w.numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 8.0])

    a, b = leaf([1.0]), leaf([2.0])
    (a + b).sum().backward()  # Add sends the same gradient tensor to both leaves
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())

    kept = []
    c = leaf([1.0])
    c.register_hook(lambda g: kept.append(g * 1) or kept[-1])
    (c * 5).sum().backward()
    assert not np.shares_memory(c.grad.numpy(), kept[0].numpy())


def test_a_fresh_gradient_is_taken_without_copying():
    w = leaf(np.ones((3, 4)))
    x = nbgrad.tensor(np.ones((2, 3)), dtype=nbgrad.float64)
    arriving = []  # the address of the arriving gradient's memory (a reference would force a copy)
    w.register_hook(lambda g: arriving.append(g._data.__array_interface__["data"][0]))
    (x @ w).sum().backward()
    first = w.grad
    assert first._data.__array_interface__["data"][0] == arriving[0]
    (x @ w).sum().backward()
    assert w.grad is first  # later passes add into the same tensor, in place


def test_floor_division_refuses_backward_and_remainder_is_differentiable():
    """As in PyTorch: // records a NotImplemented node that raises in backward; % has slope 1."""
    x = leaf([7.0, -7.0])
    np.testing.assert_array_equal((x // 2).detach().numpy(), [3.0, -4.0])  # floor, as PyTorch's //
    np.testing.assert_array_equal((x % 3).detach().numpy(), [1.0, 2.0])
    np.testing.assert_array_equal((20 // nbgrad.tensor([3, 6])).numpy(), [6, 3])
    assert (x // 2).grad_fn.name() == "NotImplemented"
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
        (x // 2).sum().backward()
    (x % 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_random_refill_of_a_non_leaf_cuts_its_old_history():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.uniform_()
    (y * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])  # y no longer depends on x


def test_nodes_show_saved_tensors_and_parameters_as_pytorch_names_them():
    x = leaf([1.0, 2.0])
    y = leaf([3.0, 4.0])
    z = x.add(y, alpha=2)
    assert z.grad_fn._saved_alpha == 2
    s = (x * y).sum(0)
    assert s.grad_fn._saved_self_sym_sizes == (2,) and s.grad_fn._saved_dim == (0,)
    m = x * y
    assert m.grad_fn._saved_self is x and m.grad_fn._saved_other is y
    with pytest.raises(AttributeError, match="_saved_nothing"):
        m.grad_fn._saved_nothing


def test_the_bytecode_scan_finds_what_dis_finds():
    import dis

    from nbgrad.autograd._saved import _stored_attributes
    from nbgrad.ops import PRIMITIVES

    nbgrad._lazy.load_all()  # the op families that load at first use, all of them
    for cls in PRIMITIVES:
        for klass in cls.__mro__:
            forward = klass.__dict__.get("forward")
            forward = getattr(forward, "__func__", forward)
            if forward is not None:
                want = {i.argval for i in dis.get_instructions(forward) if i.opname == "STORE_ATTR"}
                assert _stored_attributes(forward.__code__) == want, cls.__name__


def test_backward_frees_a_saved_output_too():
    import weakref

    x = leaf([0.5, -1.0])
    y = x.tanh()  # TanhBackward0 saves its own output
    node = y.grad_fn
    out_array = weakref.ref(y._data.base if y._data.base is not None else y._data)
    keep = y.sum()
    del y
    assert out_array() is not None  # still needed: backward has not run
    keep.backward()
    assert out_array() is None, "the saved output's storage outlived backward"
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        node._saved_result
