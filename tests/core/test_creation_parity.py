"""Creation and conversion against PyTorch: ``new_*``, the legacy constructors (``Tensor(...)``,
``FloatTensor(...)``, ...), ``meshgrid``, ``inference_mode``, ``clone``/``detach``/``is_floating_point``.

Each case is a function of the library ``L``; its result (values, dtype, shape, requires_grad, the graph's
node names), its warnings, or its exception (type and message) must be PyTorch's.
"""
import warnings

import numpy as np
import pytest

import nbgrad

torch = pytest.importorskip("torch", reason="PyTorch not installed: differential tests against it are skipped")
pytestmark = pytest.mark.torch


def f64(L):
    return L.tensor([1.0, -2.0, 3.0], dtype=L.float64, requires_grad=True)


def i32(L):
    return L.tensor([1, 2], dtype=L.int32)


CASES = {
    # Tensor.new_*: self's dtype unless dtype= is given
    "new_zeros sizes": lambda L: f64(L).new_zeros(2, 3),
    "new_zeros tuple": lambda L: f64(L).new_zeros((2, 3)),
    "new_zeros list dtype": lambda L: f64(L).new_zeros([2, 1], dtype=L.int64),
    "new_zeros no size": lambda L: f64(L).new_zeros(),
    "new_zeros negative": lambda L: f64(L).new_zeros(-1),
    "new_zeros float size": lambda L: f64(L).new_zeros(2.0),
    "new_ones requires_grad": lambda L: f64(L).new_ones(2, requires_grad=True),
    "new_ones int requires_grad": lambda L: i32(L).new_ones(2, requires_grad=True),
    "new_empty shape": lambda L: f64(L).new_empty(2, 2).shape,
    "new_full": lambda L: f64(L).new_full((2,), 3),
    "new_full int": lambda L: i32(L).new_full((2, 2), 3.7),
    "new_full int size": lambda L: f64(L).new_full(2, 3),
    "new_tensor list": lambda L: f64(L).new_tensor([1, 2]),
    "new_tensor float to int": lambda L: i32(L).new_tensor([1.5, 2.0]),
    "new_tensor number": lambda L: f64(L).new_tensor(3),
    "new_tensor tensor": lambda L: f64(L).new_tensor(f64(L)),
    "new_tensor dtype grad": lambda L: i32(L).new_tensor([1.0], dtype=L.float32, requires_grad=True),
    # legacy constructors
    "Tensor sizes": lambda L: L.Tensor(2, 3).shape,  # PyTorch's memory is uninitialised: the shape is compared
    "Tensor data": lambda L: L.Tensor([1, 2]),
    "Tensor nested": lambda L: L.Tensor([[1, 2], [3, 4]]),
    "Tensor nothing": lambda L: L.Tensor(),
    "Tensor tuple is data": lambda L: L.Tensor((2, 3)),
    "Tensor Size": lambda L: L.Tensor(L.Size([2, 3])).shape,
    "Tensor array": lambda L: L.Tensor(np.array([1, 2])),
    "Tensor of a tensor": lambda L: L.Tensor(f64(L) * 2),
    "Tensor of an int tensor": lambda L: L.Tensor(i32(L)),
    "Tensor float size": lambda L: L.Tensor(2, 3.0),
    "Tensor negative": lambda L: L.Tensor(-1),
    "Tensor number": lambda L: L.Tensor(2.5),
    "Tensor dtype keyword": lambda L: L.Tensor([1, 2], dtype=L.float64),
    "Tensor requires_grad keyword": lambda L: L.Tensor(3, requires_grad=True),
    "Tensor ragged": lambda L: L.Tensor([[1, 2], [3]]),
    "Tensor device": lambda L: L.Tensor([1.5], device="cpu"),
    "FloatTensor": lambda L: L.FloatTensor([1, 2]),
    "FloatTensor of an int tensor": lambda L: L.FloatTensor(i32(L).long()),
    "DoubleTensor": lambda L: L.DoubleTensor([1, 0]),
    "LongTensor truncates": lambda L: L.LongTensor([1.7, -2.2]),
    "LongTensor sizes": lambda L: L.LongTensor(2, 2).shape,
    "IntTensor": lambda L: L.IntTensor([1]),
    "BoolTensor": lambda L: L.BoolTensor([1, 0]),
    "ByteTensor": lambda L: L.ByteTensor([1, 0]),
    "HalfTensor": lambda L: L.HalfTensor([0.5]),
    "ShortTensor CharTensor": lambda L: (L.ShortTensor([1]), L.CharTensor([-1])),
    "isinstance FloatTensor": lambda L: [isinstance(t, L.FloatTensor) for t in
                                         (L.zeros(2), L.zeros(2, dtype=L.float64), L.nn.Parameter(L.zeros(1)), 1.0)],
    "isinstance LongTensor": lambda L: [isinstance(L.tensor([1]), c) for c in (L.LongTensor, L.IntTensor)],
    "type name": lambda L: (L.FloatTensor([1]).type(), type(L.FloatTensor([1])) is L.Tensor),
    # meshgrid
    "meshgrid ij": lambda L: L.meshgrid(f64(L), f64(L)[:2], indexing="ij"),
    "meshgrid xy": lambda L: L.meshgrid(f64(L), f64(L)[:2], indexing="xy"),
    "meshgrid xy three": lambda L: L.meshgrid(f64(L), f64(L)[:2], f64(L)[:1], indexing="xy"),
    "meshgrid list": lambda L: L.meshgrid([f64(L), f64(L)], indexing="ij"),
    "meshgrid scalar": lambda L: L.meshgrid(f64(L), L.tensor(2.0, dtype=L.float64), indexing="ij"),
    "meshgrid one xy": lambda L: L.meshgrid(f64(L), indexing="xy"),
    "meshgrid no indexing": lambda L: L.meshgrid(f64(L), f64(L)),
    "meshgrid bad indexing": lambda L: L.meshgrid(f64(L), indexing="foo"),
    "meshgrid nothing": lambda L: L.meshgrid(indexing="ij"),
    "meshgrid dtypes": lambda L: L.meshgrid(f64(L), i32(L), indexing="ij"),
    # functions
    "clone": lambda L: L.clone(f64(L)),
    "detach": lambda L: L.detach(f64(L)),
    "clone list": lambda L: L.clone([1.0]),
    "is_floating_point": lambda L: (L.is_floating_point(f64(L)), L.is_floating_point(i32(L))),
    "is_floating_point list": lambda L: L.is_floating_point([1.0]),
}


def describe(L, value):
    """A result in library-neutral terms."""
    if isinstance(value, (tuple, list)) and not isinstance(value, L.Size):
        return [describe(L, v) for v in value]
    if isinstance(value, L.Tensor):
        names, node = [], value.grad_fn
        while node is not None:
            names.append(node.name())
            node = next((n for n, _ in node.next_functions if n is not None), None)
        return (str(value.dtype).rpartition(".")[2], tuple(value.shape), value.detach().numpy().tolist(),
                value.requires_grad, [n.replace("torch::autograd::", "") for n in names])
    if isinstance(value, L.Size):
        return list(value)
    return value.replace("torch.", "nbgrad.") if isinstance(value, str) else value


def outcome(L, case):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("value", describe(L, CASES[case](L)))
        except Exception as error:  # noqa: BLE001 - the exception is what is compared
            result = ("error", type(error), str(error).replace("torch.", "nbgrad."))
    messages = [str(w.message).replace("torch.", "nbgrad.") for w in caught]
    return result, [(m if "(Triggered internally" not in m else m.split(" (Triggered")[0]) for m in messages]


@pytest.mark.parametrize("case", CASES)
def test_creation_as_pytorch(case):
    assert outcome(nbgrad, case) == outcome(torch, case)


def test_uninitialised_memory_is_zeros_here():
    assert nbgrad.Tensor(2, 2).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert nbgrad.ones(2).new_empty(3).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("L", [nbgrad, torch], ids=["nbgrad", "torch"])
def test_inference_mode(L):
    x = L.ones(2, requires_grad=True)
    assert not L.is_inference_mode_enabled()
    with L.inference_mode():
        assert L.is_inference_mode_enabled()
        assert not (x * 2).requires_grad and (x * 2).grad_fn is None
    assert not L.is_inference_mode_enabled() and L.is_grad_enabled()
    with L.inference_mode(False):
        assert not L.is_inference_mode_enabled() and (x * 2).requires_grad
    with L.no_grad(), L.inference_mode(False):
        assert L.is_grad_enabled()

    @L.inference_mode
    def bare():
        return (x * 2).requires_grad, L.is_inference_mode_enabled()

    @L.inference_mode()
    def called():
        return (x * 2).requires_grad, L.is_inference_mode_enabled()

    @L.inference_mode(False)
    def off():
        return (x * 2).requires_grad, L.is_inference_mode_enabled()

    assert bare() == called() == (False, True) and off() == (True, False)
    with pytest.raises(ValueError), L.inference_mode():
        raise ValueError
    assert L.is_grad_enabled() and not L.is_inference_mode_enabled()


def test_meshgrid_gradients_flow_to_each_input():
    a = nbgrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = nbgrad.tensor([4.0, 5.0], requires_grad=True)
    X, Y = nbgrad.meshgrid(a, b, indexing="ij")
    (X * Y).sum().backward()
    assert a.grad.tolist() == [9.0, 9.0, 9.0] and b.grad.tolist() == [6.0, 6.0]
