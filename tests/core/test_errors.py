"""Bad input fails with PyTorch's exception type and message, and changes nothing.

Every case is written against ``L``, the library under test: here nbgrad, and in test_torch_parity.py the
same cases run on PyTorch, so the messages asserted here are checked against PyTorch's as well. A case
returns what to run:

    bad    the call that must fail, with exactly ``message``
    watch  tensors whose data, ``_version``, ``requires_grad``, ``grad_fn`` and ``.grad`` must be as before
    after  (optional) a call whose result must equal the same call on an identical set-up that never saw
           the bad call: the graph, its saved tensors and the leaves' ``.grad`` still work as if nothing
           had happened.

The one place nbgrad words a message differently on purpose: an in-place error adds a sentence naming the
node that saved the tensor ("It was saved by MulBackward0."), and says ``nbgrad.`` where PyTorch says
``torch.``.
"""
import warnings
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable

import numpy as np
import pytest

import nbgrad

FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
    "if you need to access saved tensors after calling backward."
)
HINT = ("Hint: enable anomaly detection to find the operation that failed to compute its gradient, with "
        "nbgrad.autograd.set_detect_anomaly(True, check_nan=False).")


@dataclass
class Case:
    id: str
    build: Callable
    exc: type
    message: str
    after_in_torch: bool = True  # False where PyTorch's state after the error differs (see the case)


CASES = []


def case(exc, message, **options):
    def register(build):
        CASES.append(Case(build.__name__, build, exc, message, **options))
        return build

    return register


def run(bad, watch=(), after=None):
    return SimpleNamespace(bad=bad, watch=watch, after=after)


def leaf(L, values):
    return L.tensor(values, requires_grad=True)


# ------------------------------------------------------------------ backward and autograd.grad

@case(RuntimeError, FREED)
def backward_twice_without_retain_graph(L):
    a = leaf(L, [1.0, 2.0])
    y = (a * a).sum()
    y.backward()
    return run(y.backward, [a], lambda: ((a * 3).sum().backward(), a.grad)[1])


@case(RuntimeError, "grad can be implicitly created only for scalar outputs")
def backward_of_a_non_scalar_without_gradient(L):
    a = leaf(L, [1.0, 2.0])
    y = a * a
    return run(y.backward, [a], lambda: (y.sum().backward(), a.grad)[1])


@case(RuntimeError, "element 0 of tensors does not require grad and does not have a grad_fn")
def backward_of_a_tensor_that_does_not_require_grad(L):
    x = L.tensor([1.0, 2.0])
    return run(lambda: (x * 2).sum().backward(), [x])


@case(RuntimeError, "element 0 of tensors does not require grad and does not have a grad_fn")
def backward_of_a_result_computed_under_no_grad(L):
    a = leaf(L, [1.0, 2.0])
    with L.no_grad():
        y = (a * 2).sum()
    return run(y.backward, [a], lambda: ((a * 2).sum().backward(), a.grad)[1])


@case(RuntimeError, "Mismatch in shape: grad_output[0] has a shape of nbgrad.Size([3]) and output[0] has a "
                    "shape of nbgrad.Size([2]).")
def gradient_of_the_wrong_shape(L):
    a = leaf(L, [1.0, 2.0])
    y = a * a
    return run(lambda: y.backward(L.ones(3)), [a], lambda: (y.backward(L.tensor([1.0, 10.0])), a.grad)[1])


# PyTorch frees the graph before it reports the unused input; nbgrad's pass changes nothing until it has
# succeeded, so afterwards the graph still works in nbgrad only.
@case(RuntimeError, "The differentiated Tensor at index 1 appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior.", after_in_torch=False)
def an_unused_input_to_grad(L):
    a, b = leaf(L, [1.0, 2.0]), leaf(L, [3.0])
    y = (a * a).sum()
    return run(lambda: L.autograd.grad(y, [a, b]), [a, b], lambda: (y.backward(), a.grad)[1])


@case(RuntimeError, "One of the differentiated Tensors does not require grad")
def a_non_differentiable_input_to_grad(L):
    a, c = leaf(L, [1.0, 2.0]), L.tensor([3.0, 4.0])
    y = (a * c).sum()
    return run(lambda: L.autograd.grad(y, [a, c]), [a, c], lambda: (y.backward(), a.grad)[1])


@case(RuntimeError, "`inputs` argument to `backward()` cannot be empty.")
def backward_with_empty_inputs(L):
    a = leaf(L, [1.0, 2.0])
    y = (a * a).sum()
    return run(lambda: y.backward(inputs=[]), [a], lambda: (y.backward(), a.grad)[1])


# ------------------------------------------------------------------ requires_grad, .grad, hooks, numpy

@case(RuntimeError, "only Tensors of floating point dtype can require gradients")
def an_integer_tensor_asked_to_require_grad(L):
    x = L.tensor([1, 2])
    return run(x.requires_grad_, [x])


# PyTorch words this check differently in each of the three places it makes it.
@case(RuntimeError, "only Tensors of floating point and complex dtype can require gradients")
def an_integer_tensor_given_requires_grad_true(L):
    x = L.tensor([1, 2])
    return run(lambda: setattr(x, "requires_grad", True), [x])


@case(RuntimeError, "Only Tensors of floating point and complex dtype can require gradients")
def an_integer_tensor_created_with_requires_grad(L):
    return run(lambda: L.tensor([1, 2], requires_grad=True))


@case(RuntimeError, "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
def changing_requires_grad_on_a_non_leaf(L):
    a = leaf(L, [1.0, 2.0])
    b = a * a
    return run(lambda: b.requires_grad_(False), [a, b], lambda: (b.sum().backward(), a.grad)[1])


@case(RuntimeError, "attempting to assign a gradient of size '[3]' to a tensor of size '[2]'. Please ensure "
                    "that the gradient and the tensor are the same size")
def assigning_a_grad_of_the_wrong_size(L):
    a = leaf(L, [1.0, 2.0])
    (a * a).sum().backward()
    return run(lambda: setattr(a, "grad", L.ones(3)), [a])


@case(RuntimeError, "attempting to assign a gradient with dtype 'double' to a tensor with grad_dtype 'Float'. "
                    "The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can set "
                    "the tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. Set "
                    "grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break "
                    "downstream systems that assume they match.")
def assigning_a_grad_of_the_wrong_dtype(L):
    a = leaf(L, [1.0, 2.0])
    return run(lambda: setattr(a, "grad", L.ones(2, dtype=L.float64)), [a])


@case(RuntimeError, "cannot register a hook on a tensor that doesn't require gradient")
def a_hook_on_a_tensor_that_does_not_require_grad(L):
    x = L.tensor([1.0, 2.0])
    return run(lambda: x.register_hook(lambda g: g), [x])


@case(RuntimeError, "hook '<lambda>' has changed the size of value")
def a_hook_that_returns_a_gradient_of_another_size(L):
    a = leaf(L, [1.0, 2.0])
    b = a * a
    handle = b.register_hook(lambda g: L.ones(3))
    y = b.sum()
    return run(y.backward, [a, b], lambda: (handle.remove(), y.backward(), a.grad)[2])


@case(RuntimeError, "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
def numpy_of_a_tensor_that_requires_grad(L):
    a = leaf(L, [1.0, 2.0])
    return run(a.numpy, [a])


# ------------------------------------------------------------------ in-place changes

LEAF_IN_PLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_IN_PLACE = "a view of a leaf Variable that requires grad is being used in an in-place operation."


@case(RuntimeError, LEAF_IN_PLACE)
def in_place_add_to_a_leaf(L):
    a = leaf(L, [1.0, 2.0])
    return run(lambda: a.add_(1), [a], lambda: ((a * a).sum().backward(), a.grad)[1])


@case(RuntimeError, LEAF_IN_PLACE)
def in_place_mul_to_a_leaf(L):
    a = leaf(L, [1.0, 2.0])
    return run(lambda: a.mul_(2), [a], lambda: ((a * a).sum().backward(), a.grad)[1])


@case(RuntimeError, LEAF_IN_PLACE)
def masked_assignment_to_a_leaf(L):
    a = leaf(L, [1.0, 2.0])
    return run(lambda: a.__setitem__(a > 1, 0.0), [a])


# PyTorch writes t[0] = v through the view t[0], hence the other wording.
@case(RuntimeError, VIEW_OF_LEAF_IN_PLACE)
def item_assignment_to_a_leaf(L):
    a = leaf(L, [1.0, 2.0])
    return run(lambda: a.__setitem__(0, 5.0), [a])


@case(RuntimeError, VIEW_OF_LEAF_IN_PLACE)
def in_place_change_through_a_view_of_a_leaf(L):
    a = leaf(L, [[1.0, 2.0], [3.0, 4.0]])
    row = a[0]
    return run(lambda: row.mul_(2), [a, row], lambda: ((a * a).sum().backward(), a.grad)[1])


@case(RuntimeError, "one of the variables needed for gradient computation has been modified by an inplace "
                    "operation: [nbgrad.FloatTensor [2]], which is output 0 of Add, is at version 1; expected "
                    f"version 0 instead. It was saved by MulBackward0. {HINT}")
def in_place_change_to_a_saved_input(L):
    a = leaf(L, [1.0, 2.0])
    b = a * 1
    y = (b * b).sum()
    b.add_(1)
    return run(y.backward, [a, b], lambda: ((b * a).sum().backward(), a.grad)[1])


@case(RuntimeError, "one of the variables needed for gradient computation has been modified by an inplace "
                    "operation: [nbgrad.FloatTensor [2]], which is output 0 of Exp, is at version 2; expected "
                    f"version 0 instead. It was saved by ExpBackward0. {HINT}")
def in_place_change_to_a_saved_output(L):
    a = leaf(L, [1.0, 2.0])
    b = a.exp()
    b.mul_(2)
    b[0] = 1.0
    return run(lambda: b.sum().backward(), [a, b], lambda: ((a * 3).sum().backward(), a.grad)[1])


@case(RuntimeError, "one of the variables needed for gradient computation has been modified by an inplace "
                    "operation: [nbgrad.FloatTensor [2]] is at version 1; expected version 0 instead. It was "
                    f"saved by MulBackward0. {HINT}")
def a_saved_leaf_changed_under_no_grad(L):
    a = leaf(L, [1.0, 2.0])
    y = (a * a).sum()
    with L.no_grad():
        a.add_(1)
    return run(y.backward, [a], lambda: ((a * 3).sum().backward(), a.grad)[1])


@case(RuntimeError, "output with shape [3] doesn't match the broadcast shape [2, 3]")
def in_place_op_whose_result_would_grow(L):
    x = L.tensor([1.0, 2.0, 3.0])
    return run(lambda: x.add_(L.ones(2, 3)), [x])


# ------------------------------------------------------------------ shapes

def _matmul(L, a_shape, b_shape, b_dtype=None):
    a = L.ones(*a_shape, requires_grad=True)
    b = L.ones(*b_shape, dtype=b_dtype or L.float32)
    return run(lambda: a @ b, [a, b], lambda: ((a * 2).sum().backward(), a.grad)[1])


@case(RuntimeError, "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of "
                    "elements, but got 3 and 4 elements respectively")
def matmul_of_vectors_of_different_lengths(L):
    return _matmul(L, (3,), (4,))


@case(RuntimeError, "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)")
def matmul_of_matrices_that_do_not_fit(L):
    return _matmul(L, (2, 3), (2, 3))


@case(RuntimeError, "size mismatch, got input (2), mat (2x3), vec (4)")
def matmul_of_a_matrix_and_a_vector_that_do_not_fit(L):
    return _matmul(L, (2, 3), (4,))


@case(RuntimeError, "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x2)")
def matmul_of_a_vector_and_a_matrix_that_do_not_fit(L):
    return _matmul(L, (3,), (4, 2))


@case(RuntimeError, "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].")
def batched_matmul_with_inner_sizes_that_do_not_fit(L):
    return _matmul(L, (2, 2, 3), (2, 4, 5))


@case(RuntimeError, "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0")
def batched_matmul_with_batches_that_do_not_broadcast(L):
    return _matmul(L, (3, 2, 3), (2, 3, 2))


# PyTorch folds the batch of a 3-D tensor into rows before multiplying by a matrix: hence "4x3".
@case(RuntimeError, "mat1 and mat2 shapes cannot be multiplied (4x3 and 4x2)")
def batched_matmul_by_a_matrix_that_does_not_fit(L):
    return _matmul(L, (2, 2, 3), (4, 2))


@case(RuntimeError, "expected m1 and m2 to have the same dtype, but got: float != double")
def matmul_of_different_dtypes(L):
    return _matmul(L, (2, 3), (3, 2), L.float64)


@case(RuntimeError, "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1")
def broadcasting_shapes_that_do_not_fit(L):
    a = leaf(L, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    return run(lambda: a * L.ones(3, 2), [a], lambda: ((a * a).sum().backward(), a.grad)[1])


@case(RuntimeError, "shape '[4]' is invalid for input of size 6")
def reshape_to_a_size_that_does_not_fit(L):
    a = L.ones(2, 3, requires_grad=True)
    return run(lambda: a.reshape(4), [a])


@case(RuntimeError, "only one dimension can be inferred")
def reshape_with_two_inferred_sizes(L):
    a = L.ones(2, 3, requires_grad=True)
    return run(lambda: a.reshape(-1, -1), [a])


@case(RuntimeError, "view size is not compatible with input tensor's size and stride (at least one dimension "
                    "spans across two contiguous subspaces). Use .reshape(...) instead.")
def view_of_a_transposed_tensor(L):
    a = L.ones(2, 3, requires_grad=True)
    return run(lambda: a.t().view(6), [a])


@case(RuntimeError, "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor "
                    "number 1 in the list.")
def cat_of_tensors_whose_other_sizes_differ(L):
    a, b = L.ones(2, 3, requires_grad=True), L.ones(3, 2)
    return run(lambda: L.cat([a, b]), [a, b])


@case(RuntimeError, "Tensors must have same number of dimensions: got 2 and 1")
def cat_of_tensors_with_different_dims(L):
    a, b = L.ones(2, 3, requires_grad=True), L.ones(3)
    return run(lambda: L.cat([a, b]), [a, b])


@case(RuntimeError, "zero-dimensional tensor (at position 1) cannot be concatenated")
def cat_of_a_zero_dim_tensor(L):
    a, b = L.ones(2, requires_grad=True), L.tensor(1.0)
    return run(lambda: L.cat([a, b]), [a, b])


@case(RuntimeError, "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1")
def stack_of_tensors_of_different_shapes(L):
    a, b = L.ones(2, 3, requires_grad=True), L.ones(3, 2)
    return run(lambda: L.stack([a, b]), [a, b])


# ------------------------------------------------------------------ dims and indices

def _dim_error(got, ndim=2):
    return f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but got {got})"


@case(IndexError, _dim_error(2))
def sum_over_a_dim_that_does_not_exist(L):
    a = L.ones(2, 3, requires_grad=True)
    return run(lambda: a.sum(dim=2), [a])


@case(IndexError, _dim_error(-3))
def softmax_over_a_dim_that_does_not_exist(L):
    a = L.ones(2, 3, requires_grad=True)
    return run(lambda: a.softmax(dim=-3), [a])


@case(IndexError, _dim_error(3, ndim=3))
def stack_along_a_dim_that_does_not_exist(L):
    a = L.ones(2, 3, requires_grad=True)
    return run(lambda: L.stack([a, a], dim=3), [a])


@case(IndexError, "index 2 is out of bounds for dimension 0 with size 2")
def an_integer_index_out_of_range(L):
    a = L.ones(2, 3, requires_grad=True)
    return run(lambda: a[2], [a])


@case(IndexError, "index -4 is out of bounds for dimension 1 with size 3")
def a_negative_index_out_of_range(L):
    a = L.ones(2, 3, requires_grad=True)
    return run(lambda: a[0, -4], [a])


# PyTorch numbers an index tensor's dimension among the index tensors, so [:, [0, 3]] reports dimension 0.
@case(IndexError, "index 3 is out of bounds for dimension 0 with size 3")
def a_list_index_out_of_range(L):
    a = L.ones(2, 3, requires_grad=True)
    return run(lambda: a[:, [0, 3]], [a])


@case(IndexError, "too many indices for tensor of dimension 2")
def too_many_indices(L):
    a = L.ones(2, 3, requires_grad=True)
    return run(lambda: a[0, 0, 0], [a])


@case(RuntimeError, "a Tensor with 4 elements cannot be converted to Scalar")
def item_of_many_elements(L):
    a = L.ones(2, 2, requires_grad=True)
    return run(a.item, [a])


@case(IndexError, _dim_error(1, ndim=1))
def max_of_a_0_d_tensor_along_dim_1(L):
    a = L.tensor(2.0, requires_grad=True)
    return run(lambda: a.max(1), [a])


@case(IndexError, "argmax(): Expected reduction dim to be specified for input.numel() == 0.")
def argmax_of_an_empty_tensor_without_a_dim(L):
    a = L.zeros(0, 3)
    return run(a.argmax, [a])


@case(IndexError, "argmin(): Expected reduction dim 1 to have non-zero size.")
def argmin_along_an_empty_dim(L):
    a = L.zeros(3, 0)
    return run(lambda: a.argmin(1), [a])


# ------------------------------------------------------------------ element-wise ops

@case(RuntimeError, "Integers to negative integer powers are not allowed.")
def an_integer_tensor_to_a_negative_number_power(L):
    a = L.tensor([1, 2, 3])
    return run(lambda: a.pow_(-1), [a])


@case(RuntimeError, "fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions.")
def fill_with_a_1_d_tensor(L):
    a, v = leaf(L, [1.0, 2.0]), leaf(L, [3.0])
    y = a * 2
    return run(lambda: y.fill_(v), [a, v, y], lambda: (y.sum().backward(), a.grad)[1])


@case(NotImplementedError, "\"softplus_cpu\" not implemented for 'Long'")
def softplus_of_an_integer_tensor(L):
    a = L.tensor([1, 2])
    return run(lambda: L.nn.functional.softplus(a), [a])


@case(NotImplementedError, "\"logaddexp_cpu\" not implemented for 'Long'")
def logaddexp_of_integer_tensors(L):
    a = L.tensor([1, 2])
    return run(lambda: L.logaddexp(a, a), [a])


@case(TypeError, "logaddexp(): argument 'other' (position 2) must be Tensor, not float")
def logaddexp_with_a_number(L):
    a = leaf(L, [1.0, 2.0])
    return run(lambda: L.logaddexp(a, 1.0), [a])


@case(RuntimeError, "Class values must be non-negative.")
def one_hot_of_a_negative_class(L):
    t = L.tensor([0, -1, 2])
    return run(lambda: L.nn.functional.one_hot(t, 3), [t])


@case(RuntimeError, "Class values must be smaller than num_classes.")
def one_hot_with_too_few_classes(L):
    t = L.tensor([0, 3, 2])
    return run(lambda: L.nn.functional.one_hot(t, num_classes=3), [t])


@case(RuntimeError, "one_hot is only applicable to index tensor of type LongTensor.")
def one_hot_of_floats(L):
    t = L.tensor([0.0, 1.0])
    return run(lambda: L.nn.functional.one_hot(t), [t])


@case(RuntimeError, "Can not infer total number of classes from empty tensor.")
def one_hot_of_an_empty_tensor_without_num_classes(L):
    t = L.zeros(0, dtype=L.int64)
    return run(lambda: L.nn.functional.one_hot(t), [t])


# ------------------------------------------------------------------ custom Functions

def _custom(L, gradients):
    class Twice(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * 2 + y

        @staticmethod
        def backward(ctx, g):
            return gradients(L, g)

    a, b = leaf(L, [1.0, 2.0]), leaf(L, [3.0, 4.0])
    y = Twice.apply(a, b).sum()
    return run(y.backward, [a, b], lambda: ((a * b).sum().backward(), a.grad, b.grad)[1:])


@case(RuntimeError, "function TwiceBackward returned an incorrect number of gradients (expected 2, got 1)")
def a_custom_function_returning_too_few_gradients(L):
    return _custom(L, lambda L, g: g * 2)


@case(RuntimeError, "function TwiceBackward returned an incorrect number of gradients (expected 2, got 3)")
def a_custom_function_returning_too_many_gradients(L):
    return _custom(L, lambda L, g: (g * 2, g, g))


@case(RuntimeError, "Function TwiceBackward returned an invalid gradient at index 1 - got [3] but expected shape "
                    "compatible with [2]")
def a_custom_function_returning_a_gradient_of_the_wrong_shape(L):
    return _custom(L, lambda L, g: (g * 2, L.ones(3)))


# ------------------------------------------------------------------ data for nbgrad.tensor

@case(ValueError, "expected sequence of length 2 at dim 1 (got 1)")
def ragged_rows(L):
    return run(lambda: L.tensor([[1, 2], [3]]))


@case(TypeError, "not a sequence")
def a_number_where_a_row_should_be(L):
    return run(lambda: L.tensor([[1, 2], 3]))


@case(TypeError, "'list' object cannot be interpreted as an integer")
def a_row_where_an_integer_should_be(L):
    return run(lambda: L.tensor([1, [2, 3]]))


@case(TypeError, "must be real number, not list")
def a_row_where_a_float_should_be(L):
    return run(lambda: L.tensor([1.5, [2.0]]))


@case(TypeError, "new(): invalid data type 'str'")
def a_string_among_numbers(L):
    return run(lambda: L.tensor([1.0, "2"]))


@case(RuntimeError, "Could not infer dtype of NoneType")
def none_among_numbers(L):
    return run(lambda: L.tensor([1.0, None]))


@case(RuntimeError, "Could not infer dtype of dict")
def a_dict(L):
    return run(lambda: L.tensor({"a": 1}))


# ------------------------------------------------------------------ the checks

def snapshot(t):
    """What must not change: a tensor's values, version, autograd flags and (for a leaf) its .grad."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # .grad of a non-leaf warns
        grad = t.grad if t.is_leaf else None
    return (
        t.detach().numpy().copy(), t._version, t.requires_grad, t.is_leaf,
        t.grad_fn.name() if t.grad_fn is not None else None,
        None if grad is None else grad.detach().numpy().copy(),
    )


def assert_same(x, y):
    """Equal nested results (tuples of tensors, arrays, numbers, None)."""
    if isinstance(x, (tuple, list)):
        assert len(x) == len(y)
        for a, b in zip(x, y):
            assert_same(a, b)
    elif x is None or y is None:
        assert x is None and y is None
    else:
        a, b = (v.detach().numpy() if hasattr(v, "detach") else np.asarray(v) for v in (x, y))
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def check_case(L, case, expected_message):
    """Run ``case`` on library ``L``: the exact exception, and nothing changed."""
    reference = case.build(L)
    expected_after = reference.after() if reference.after is not None else None
    state = case.build(L)
    before = [snapshot(t) for t in state.watch]
    with pytest.raises(case.exc) as info:
        state.bad()
    assert type(info.value) is case.exc
    assert str(info.value) == expected_message
    for t, was in zip(state.watch, before):
        assert_same(snapshot(t), was)
    return state, expected_after


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_fails_clearly_and_changes_nothing(case):
    state, expected_after = check_case(nbgrad, case, case.message)
    if state.after is not None:
        assert_same(state.after(), expected_after)
