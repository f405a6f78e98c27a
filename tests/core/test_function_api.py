"""The rest of ``autograd.Function``'s API (issue 11): several outputs, ``mark_dirty``,
``mark_non_differentiable``, ``set_materialize_grads``, ``once_differentiable``, ``setup_context``, outputs that
are not tensors, and a node's own ``register_hook`` / ``register_prehook``.

Each test runs the same code on nbgrad and, where it is installed, on PyTorch (the ``lib`` fixture), so
values, ``.grad``, node names and errors (type and message) are compared with the reference.
"""
import importlib

import numpy as np
import pytest

import nbgrad


@pytest.fixture(params=["nbgrad", "torch"])
def lib(request):
    return nbgrad if request.param == "nbgrad" else request.getfixturevalue("torch")


def values(t):
    return None if t is None else np.asarray(t.detach().numpy()).tolist()


def raises(lib, error, message, fn):
    """``fn()`` raises ``error`` with exactly ``message`` (nbgrad's name for the library in place of torch)."""
    with pytest.raises(error) as info:
        fn()
    assert str(info.value) == message
    return info


def split_function(lib):
    """f(x) = (2x, x², 5): two tensor outputs and one that is not a tensor."""

    class Split(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2, x * x, 5

        @staticmethod
        def backward(ctx, g_double, g_square, g_five):
            (x,) = ctx.saved_tensors
            ctx.seen = (values(g_double), values(g_square), g_five)
            return g_double * 2 + g_square * 2 * x

    return Split


def test_several_outputs_share_one_node_and_get_their_own_gradients(lib):
    Split = split_function(lib)
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    double, square, five = Split.apply(x)
    assert five == 5
    assert values(double) == [2.0, 4.0] and values(square) == [1.0, 4.0]
    node = double.grad_fn
    assert node is square.grad_fn and type(node).__name__ == "SplitBackward"
    assert [(n, nr) for n, nr in (square * 1).grad_fn.next_functions] == [(node, 1), (None, 0)]
    assert [(n, nr) for n, nr in (double * 1).grad_fn.next_functions] == [(node, 0), (None, 0)]
    double.sum().backward(retain_graph=True)
    assert node.seen == ([1.0, 1.0], [0.0, 0.0], None)  # the output that got nothing: zeros
    assert values(x.grad) == [2.0, 2.0]
    (double * square).sum().backward()
    assert node.seen == ([1.0, 4.0], [2.0, 4.0], None)
    assert values(x.grad) == [2.0 + 2.0 + 4.0, 2.0 + 8.0 + 16.0]


def test_each_output_keeps_its_own_hooks_retained_grad_and_grad(lib):
    Split = split_function(lib)
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    double, square, _ = Split.apply(x)
    seen = []
    double.register_hook(lambda g: seen.append(("double", values(g))))
    square.register_hook(lambda g: g * 10)
    square.retain_grad()
    assert square.retains_grad and not double.retains_grad
    (double * 3 + square).sum().backward(retain_graph=True)
    assert seen == [("double", [3.0, 3.0])]
    assert values(square.grad) == [10.0, 10.0]  # a hook's result is what the tensor keeps
    assert values(x.grad) == [6.0 + 20.0, 6.0 + 40.0]
    double, square, _ = Split.apply(x)
    double.backward(lib.tensor([1.0, -1.0]))  # an output on its own as the root
    assert values(x.grad) == [28.0, 44.0]
    double, square, _ = Split.apply(x)
    got = lib.autograd.grad((double * square).sum(), [square, double, x])
    assert [values(g) for g in got] == [[2.0, 4.0], [1.0, 4.0], [2.0 + 4.0, 8.0 + 16.0]]


def test_output_nr_counts_outputs_that_are_not_tensors(lib):
    class Late(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return "first", x * 2, x * 3

        @staticmethod
        def backward(ctx, g_first, g_double, g_triple):
            ctx.seen = g_first, values(g_double), values(g_triple)
            return g_double * 2 + g_triple * 3

    x = lib.tensor([1.0], requires_grad=True)
    first, double, triple = Late.apply(x)
    node = triple.grad_fn
    assert first == "first" and (triple * 1).grad_fn.next_functions[0] == (node, 2)
    seen = []
    node.register_prehook(lambda gos: seen.append([values(g) for g in gos]))
    double.sum().backward()
    assert seen == [[None, [1.0], None]] and node.seen == (None, [1.0], [0.0])
    assert values(x.grad) == [2.0]


def test_saved_outputs_of_several_are_freed_and_checked_for_changes(lib):
    class ExpPair(lib.autograd.Function):
        """f(x) = (eˣ, e⁻ˣ), each saved as an output."""

        @staticmethod
        def forward(ctx, x):
            e, n = x.exp(), (-x).exp()
            ctx.save_for_backward(e, n)
            return e, n

        @staticmethod
        def backward(ctx, ge, gn):
            e, n = ctx.saved_tensors
            return ge * e - gn * n

    x = lib.tensor([0.5, -1.0], dtype=lib.float64, requires_grad=True)
    assert lib.autograd.gradcheck(ExpPair.apply, (x,)) and lib.autograd.gradgradcheck(ExpPair.apply, (x,))
    e, n = ExpPair.apply(x)
    (e + n).sum().backward()
    np.testing.assert_allclose(values(x.grad), np.exp([0.5, -1.0]) - np.exp([-0.5, 1.0]))
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        (e + n).sum().backward()
    e, n = ExpPair.apply(x)
    with lib.no_grad():
        n.add_(1)
    with pytest.raises(RuntimeError) as info:
        (e * 2).sum().backward()
    assert (f"[{lib.__name__}.DoubleTensor [2]], which is output 1 of ExpPair, is at version 1; expected version 0 "
            "instead.") in str(info.value)


def test_a_tuple_of_one_output_stays_a_tuple(lib):
    class Twice(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return (x * 2,)

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = lib.tensor([1.0], requires_grad=True)
    out = Twice.apply(x)
    assert type(out) is tuple and len(out) == 1 and type(out[0].grad_fn).__name__ == "TwiceBackward"
    out[0].sum().backward()
    assert values(x.grad) == [2.0]


def test_only_non_tensor_outputs_pass_through(lib):
    class Count(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return 1

    x = lib.tensor([1.0], requires_grad=True)
    assert Count.apply(x) == 1


def test_gradcheck_of_several_outputs_first_and_second_order(lib):
    class PolarParts(lib.autograd.Function):
        """f(x, y) = (x·y, sin x + y²), both outputs differentiable."""

        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x.sin() + y * y

        @staticmethod
        def backward(ctx, g_product, g_sum):
            x, y = ctx.saved_tensors
            return g_product * y + g_sum * x.cos(), g_product * x + g_sum * 2 * y

    x = lib.tensor([0.3, -1.2], dtype=lib.float64, requires_grad=True)
    y = lib.tensor([1.5, 0.7], dtype=lib.float64, requires_grad=True)
    assert lib.autograd.gradcheck(PolarParts.apply, (x, y))
    assert lib.autograd.gradgradcheck(PolarParts.apply, (x, y))


def test_mark_non_differentiable(lib):
    class Largest(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            index = x.argmax()
            doubled = x * 2
            ctx.mark_non_differentiable(index)
            return doubled, index

        @staticmethod
        def backward(ctx, g, g_index):
            ctx.seen = values(g_index), str(g_index.dtype).rpartition(".")[2]
            return g * 2

    x = lib.tensor([1.0, 3.0, 2.0], requires_grad=True)
    doubled, index = Largest.apply(x)
    assert index.item() == 1 and not index.requires_grad and index.grad_fn is None
    doubled.sum().backward()
    assert doubled.grad_fn.seen == (0, "int64")  # zeros of the output's shape and dtype
    assert values(x.grad) == [2.0, 2.0, 2.0]


def test_set_materialize_grads_false_gives_none(lib):
    class Pair(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            ctx.seen = gb
            return ga * 2 if gb is None else ga * 2 + gb * 3

    x = lib.tensor([1.0], requires_grad=True)
    a, b = Pair.apply(x)
    a.sum().backward()
    assert a.grad_fn.seen is None and values(x.grad) == [2.0]


def dirty_functions(lib):
    class DoubleInPlace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class ForgetsToReturn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    return DoubleInPlace, ForgetsToReturn


def test_mark_dirty_returns_the_input_itself_with_new_history(lib):
    DoubleInPlace, _ = dirty_functions(lib)
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    w = x * 1
    before = w._version
    out = DoubleInPlace.apply(w)
    assert out is w and type(w.grad_fn).__name__ == "DoubleInPlaceBackward"
    assert w._version == before + 2  # mul_ and mark_dirty each count a change, as in PyTorch
    assert values(w) == [2.0, 4.0]
    w.sum().backward()
    assert values(x.grad) == [2.0, 2.0]
    with lib.no_grad():
        v = lib.tensor([1.0])
        assert DoubleInPlace.apply(v) is v and v.grad_fn is None and v._version == 2


def test_mark_dirty_misuse_is_refused_before_anything_is_linked(lib):
    DoubleInPlace, ForgetsToReturn = dirty_functions(lib)
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    raises(lib, RuntimeError, "a leaf Variable that requires grad has been used in an in-place operation.",
           lambda: DoubleInPlace.apply(x))
    assert x.grad_fn is None and x.is_leaf  # forward ran (it doubled x, as in PyTorch); no history was added
    w = x * 1
    node = w.grad_fn
    raises(lib, RuntimeError, "Some elements marked as dirty during the forward method were not returned as "
           "output. The inputs that are modified inplace must all be outputs of the Function.",
           lambda: ForgetsToReturn.apply(w))
    assert w.grad_fn is node
    if lib is nbgrad:  # PyTorch counts a version change even as it refuses; nbgrad changes nothing
        assert w._version == 0
    w.sum().backward()
    assert values(x.grad) == [1.0, 1.0]


def test_once_differentiable(lib):
    once_differentiable = importlib.import_module(lib.__name__ + ".autograd.function").once_differentiable

    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            ctx.grad_enabled = lib.is_grad_enabled()
            return 2 * x * g

    assert Square.backward.__name__ == "backward"
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = Square.apply(x)
    y.sum().backward()
    assert values(x.grad) == [2.0, 4.0] and y.grad_fn.grad_enabled is False
    (g,) = lib.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    assert values(g) == [2.0, 4.0] and g.grad_fn is None  # a first gradient that needs none of its own
    (g,) = lib.autograd.grad((Square.apply(x) * x).sum(), x, create_graph=True)
    names = [type(n).__name__ for n, _ in g.grad_fn.next_functions]
    assert names == ["MulBackward0", "Error"]
    raises(lib, RuntimeError, "trying to differentiate twice a function that was marked with @once_differentiable",
           lambda: g.sum().backward())
    assert values(x.grad) == [2.0, 4.0]


def test_once_differentiable_with_several_gradients_and_a_none(lib):
    once_differentiable = importlib.import_module(lib.__name__ + ".autograd.function").once_differentiable

    class ScaledProduct(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            ctx.save_for_backward(x, y)
            return x * y * k

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x, None

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = lib.tensor([3.0, 4.0], requires_grad=True)
    gx, gy = lib.autograd.grad((ScaledProduct.apply(x, y, 2.0) * x).sum(), [x, y], create_graph=True)
    assert values(gx) == [9.0, 24.0] and values(gy) == [1.0, 4.0]
    assert type(gy.grad_fn).__name__ == "Error" and str(gy).endswith("grad_fn=<Error>)")
    raises(lib, RuntimeError, "trying to differentiate twice a function that was marked with @once_differentiable",
           lambda: (gx.sum() + gy.sum()).backward())
    assert x.grad is None and y.grad is None


def test_setup_context_style(lib):
    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.k = k
            ctx.save_for_backward(x)
            ctx.seen = values(output), ctx.needs_input_grad

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = Scale.apply(x, 3.0)
    assert y.grad_fn.seen == ([3.0, 6.0], (True, False)) and type(y.grad_fn).__name__ == "ScaleBackward"
    y.sum().backward()
    assert values(x.grad) == [3.0, 3.0]


def test_node_prehook_and_hook_on_a_builtin_node(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).exp()
    node = y.grad_fn
    seen = []

    def pre(grad_outputs):
        seen.append(("pre", [values(g) for g in grad_outputs]))
        return (grad_outputs[0] * 10,)

    def post(grad_inputs, grad_outputs):
        seen.append(("post", [values(g) for g in grad_outputs]))
        return (grad_inputs[0] + 1,)

    handles = node.register_prehook(pre), node.register_hook(post)
    y.sum().backward(retain_graph=True)
    e = np.exp([2.0, 4.0])
    assert seen == [("pre", [[1.0, 1.0]]), ("post", [[10.0, 10.0]])]
    np.testing.assert_allclose(values(x.grad), (10 * e + 1) * 2)
    for handle in handles:
        handle.remove()
    x.grad = None
    y.sum().backward()
    np.testing.assert_allclose(values(x.grad), e * 2)


def test_node_hooks_on_a_custom_node_with_several_outputs(lib):
    Split = split_function(lib)
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    double, square, _ = Split.apply(x)
    node = double.grad_fn
    seen = []
    node.register_prehook(lambda gos: seen.append([values(g) for g in gos]))
    node.register_hook(lambda gis, gos: seen.append(([values(g) for g in gis], [values(g) for g in gos])))
    double.sum().backward()
    assert seen == [[[1.0, 1.0], None, None], ([[2.0, 2.0]], [[1.0, 1.0], None, None])]


def test_node_hooks_on_accumulate_grad(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    accumulate = y.grad_fn.next_functions[0][0]
    seen = []
    accumulate.register_prehook(lambda gos: seen.append(("pre", [values(g) for g in gos])))
    accumulate.register_hook(lambda gis, gos: seen.append(("post", gis, [values(g) for g in gos])))
    y.sum().backward()
    assert seen == [("pre", [[2.0, 2.0]]), ("post", (), [[2.0, 2.0]])]
    assert values(x.grad) == [2.0, 2.0]


@pytest.mark.parametrize("hook, error, message", [
    (lambda gos: gos[0], TypeError, "expected tuple, but hook returned 'Tensor'"),
    (lambda gos: (gos[0], gos[0]), RuntimeError,
     "hook '<lambda>' has returned an incorrect number of values (got 2, but expected 1)"),
    (lambda gos: (gos[0][:1],), RuntimeError, "hook '<lambda>' has changed the size of value"),
])
def test_a_bad_prehook_changes_nothing(lib, hook, error, message):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    y = (x * 2).exp()
    y.grad_fn.register_prehook(hook)
    raises(lib, error, message, lambda: y.sum().backward())
    assert values(x.grad) == [2.0, 2.0]


@pytest.mark.parametrize("hook, error, message", [
    (lambda gis, gos: (gis[0], gis[0]), RuntimeError,
     "hook '<lambda>' has returned an incorrect number of values (got 2, but expected 1)"),
    (lambda gis, gos: (gis[0][:1],), RuntimeError, "hook '<lambda>' has changed the size of value"),
])
def test_a_bad_hook_changes_nothing(lib, hook, error, message):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).exp()
    y.grad_fn.register_hook(hook)
    raises(lib, error, message, lambda: y.sum().backward())
    assert x.grad is None


def test_an_output_changed_in_place_still_sends_its_gradient_to_its_own_slot(lib):
    Split = split_function(lib)
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    double, square, _ = Split.apply(x)
    node = square.grad_fn
    square.mul_(3)
    assert type(square.grad_fn).__name__ == "MulBackward0" and square.grad_fn.next_functions[0] == (node, 1)
    (square + double).sum().backward()
    assert node.seen == ([1.0, 1.0], [3.0, 3.0], None)
    assert values(x.grad) == [2.0 + 6.0, 2.0 + 12.0]
