"""The 2018 tutorial that started nbgrad (shared/seed), line by line, in its own 2018 API."""
import warnings

import numpy as np
import pytest

import nbgrad as torch  # the lesson's code is PyTorch code: only this import differs
from nbgrad.autograd import Variable


def test_variable_wraps_a_tensor_that_requires_grad():
    x = Variable(torch.ones(2, 2), requires_grad=True)
    assert isinstance(x, torch.Tensor)
    assert repr(x) == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)"
    assert x.is_leaf and x.grad_fn is None and x.grad is None
    assert isinstance(x.data, torch.Tensor) and not x.data.requires_grad


def test_walkthrough_values_names_and_gradient():
    x = Variable(torch.ones(2, 2), requires_grad=True)
    y = x + 2
    assert repr(y) == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)"
    assert x.grad_fn is None
    assert y.grad_fn.name() == "AddBackward0"
    z = y * y * 3
    out = z.mean()
    assert repr(z) == "tensor([[27., 27.],\n        [27., 27.]], grad_fn=<MulBackward0>)"
    assert repr(out) == "tensor(27., grad_fn=<MeanBackward0>)"
    out.backward()
    assert repr(x.grad) == "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"
    # by hand: out = (1/4) Σ 3 (x+2)², so ∂out/∂x = (6/4)(x+2) = 1.5 · 3 = 4.5
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 2), 1.5 * 3, dtype=np.float32))


def test_scalar_backward_defaults_to_gradient_one():
    x = torch.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    out.backward(torch.tensor(1.0))
    explicit = x.grad.clone()
    x.grad = None
    out2 = ((x + 2) * (x + 2) * 3).mean()
    out2.backward()
    assert explicit.equal(x.grad)


def test_2018_backward_signature_with_grad_variables_and_retain_variables():
    x = Variable(torch.ones(2, 2), requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    with pytest.warns(FutureWarning, match="`variables` is deprecated"), \
            pytest.warns(FutureWarning, match="`grad_variables` is deprecated. Use `grad_tensors` instead."), \
            pytest.warns(FutureWarning, match="`retain_variables` is deprecated"):
        torch.autograd.backward(variables=out, grad_variables=torch.tensor(1.0), retain_graph=None,
                                create_graph=None, retain_variables=True)
    # retain_variables=True kept the graph: a second pass works and accumulates
    torch.autograd.backward(out)
    assert np.allclose(x.grad.numpy(), 9.0)


def test_grad_variables_and_grad_tensors_together_are_refused_with_pytorchs_message():
    x = torch.ones(2, requires_grad=True)
    out = (x * x).sum()
    with pytest.warns(FutureWarning), pytest.raises(
            RuntimeError, match=r"^`grad_tensors` and `grad_variables` \(deprecated\) arguments both passed to "
                                r"`backward\(\)`. Please only use `grad_tensors`.$"):
        torch.autograd.backward(out, grad_tensors=torch.tensor(1.0), grad_variables=torch.tensor(1.0))
    assert x.grad is None
    out.backward()  # the graph was not touched
    assert x.grad.tolist() == [2.0, 2.0]


def test_vector_backward_is_the_gradient_of_the_weighted_sum():
    """y.backward(w) computes the gradient of l = sum(y * w): a vector-Jacobian product."""
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = torch.tensor([0.1, 1.0, 10.0])
    y = x * x
    y.backward(w)
    via_vjp = x.grad.clone()
    x.grad = None
    l = torch.sum(x * x * w)
    l.backward()
    assert via_vjp.allclose(x.grad)
    np.testing.assert_allclose(via_vjp.numpy(), 2 * np.array([1.0, 2.0, 3.0]) * w.numpy(), rtol=1e-6)


def test_non_scalar_backward_without_gradient_is_refused():
    x = torch.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x + 2).backward()
    assert x.grad is None


def test_grad_fn_repr_has_no_memory_address():
    y = Variable(torch.ones(2, 2), requires_grad=True) + 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert repr(y.grad_fn) == "<AddBackward0>"
