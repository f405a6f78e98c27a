"""Devices, the CPU way (issue 12): ``device``, ``device=`` on the creation functions, ``.to(device)``,
``.cpu()``/``.cuda()``, ``Module.to(...)`` and ``cuda``/``accelerator``/``backends.mps`` answering as a CPU-only
PyTorch build, so a tutorial's device line picks "cpu". Each case runs on nbgrad and on PyTorch: values, types,
reprs, and the type and message of every exception must agree."""
import pickle

import numpy as np
import pytest

import nbgrad


def outcome(fn, L):
    """fn(L)'s result made comparable (a tensor as its array, dtype and device), or the exception's type and
    message."""
    try:
        value = fn(L)
    except Exception as error:  # noqa: BLE001 - the exception is the result compared
        return "raised", type(error).__name__, str(error).replace("torch.", "nbgrad.")
    if isinstance(value, (nbgrad.Tensor,)) or type(value).__name__ == "Tensor":
        return "tensor", value.detach().numpy().tolist(), str(value.dtype).split(".")[-1], repr(value.device)
    if type(value).__name__ == "device":
        return "device", repr(value), str(value), value.type, value.index
    if isinstance(value, (bool, int, str, type(None), tuple)):
        return "value", value
    return "other", type(value).__name__


def same(fn, torch):
    ours, theirs = outcome(fn, nbgrad), outcome(fn, torch)
    assert ours == theirs


def test_the_tutorial_device_lines_pick_cpu(torch):
    lines = (
        lambda L: L.accelerator.current_accelerator().type if L.accelerator.is_available() else "cpu",
        lambda L: "cuda" if L.cuda.is_available() else "cpu",
        lambda L: "mps" if L.backends.mps.is_available() else "cpu",
        lambda L: "cuda" if L.cuda.is_available() else "mps" if L.backends.mps.is_available() else "cpu",
    )
    for line in lines:
        assert line(nbgrad) == line(torch) == "cpu"


def test_a_tutorial_runs_on_the_device_it_picked(torch):
    device = "cuda" if nbgrad.cuda.is_available() else "cpu"
    model = nbgrad.nn.Sequential(nbgrad.nn.Linear(3, 4), nbgrad.nn.ReLU(), nbgrad.nn.Linear(4, 1)).to(device)
    x, y = nbgrad.randn(5, 3).to(device), nbgrad.randn(5, 1, device=device)
    loss = nbgrad.nn.functional.mse_loss(model(x), y)
    loss.backward()
    assert loss.device == nbgrad.device(device) and model[0].weight.grad.device.type == "cpu"


@pytest.mark.parametrize("query", [
    lambda L: L.cuda.is_available(), lambda L: L.cuda.device_count(), lambda L: L.cuda.is_initialized(),
    lambda L: L.accelerator.is_available(), lambda L: L.accelerator.current_accelerator(),
    lambda L: L.accelerator.device_count(), lambda L: L.backends.mps.is_available(),
    lambda L: L.backends.mps.is_built(),
])
def test_no_accelerator_is_available(torch, query):
    same(query, torch)


@pytest.mark.parametrize("make", [
    lambda L: L.device("cpu"), lambda L: L.device("cpu", 0), lambda L: L.device("cpu:0"),
    lambda L: L.device("cuda"), lambda L: L.device("cuda:1"), lambda L: L.device("mps"),
    lambda L: L.device(type="cpu", index=0), lambda L: L.device(L.device("cpu")),
    lambda L: L.device("foo"), lambda L: L.device("cuda:x"), lambda L: L.device("cpu", -1),
    lambda L: L.device("cpu", "x"), lambda L: L.device(0), lambda L: L.device(1.0),
    lambda L: L.device("cpu:0", 0),
])
def test_device_objects(torch, make):
    same(make, torch)


@pytest.mark.parametrize("compare", [
    lambda L: L.device("cpu") == "cpu", lambda L: "cpu" == L.device("cpu"),
    lambda L: L.device("cpu") == L.device("cpu"), lambda L: L.device("cpu") == L.device("cpu", 0),
    lambda L: L.device("cpu", 0) == L.device("cpu:0"), lambda L: L.device("cpu") != L.device("cuda"),
    lambda L: len({L.device("cpu"), L.device("cpu")}), lambda L: L.zeros(2).device == L.device("cpu"),
    lambda L: L.zeros(2).device, lambda L: str(L.zeros(2).device), lambda L: L.zeros(2).is_cuda,
])
def test_device_equality_and_tensor_device(torch, compare):
    same(compare, torch)


def test_a_device_pickles():
    assert pickle.loads(pickle.dumps(nbgrad.device("cpu", 0))) == nbgrad.device("cpu:0")


CREATE = {
    "tensor": lambda L, d: L.tensor([1.0, 2.0], device=d),
    "as_tensor": lambda L, d: L.as_tensor([1, 2], device=d),
    "zeros": lambda L, d: L.zeros(2, 3, device=d),
    "ones": lambda L, d: L.ones(2, device=d, dtype=L.float64),
    "empty": lambda L, d: L.empty(2, device=d).shape,
    "full": lambda L, d: L.full((2,), 7, device=d),
    "eye": lambda L, d: L.eye(2, device=d),
    "arange": lambda L, d: L.arange(4, device=d),
    "linspace": lambda L, d: L.linspace(0, 1, 3, device=d),
    "rand": lambda L, d: L.rand(2, device=d).shape,
    "randn": lambda L, d: L.randn(2, device=d).shape,
    "randint": lambda L, d: L.randint(0, 5, (2,), device=d).shape,
    "randperm": lambda L, d: L.randperm(3, device=d).shape,
    "zeros_like": lambda L, d: L.zeros_like(L.ones(2), device=d),
    "ones_like": lambda L, d: L.ones_like(L.ones(2), device=d),
    "empty_like": lambda L, d: L.empty_like(L.ones(2), device=d).shape,
    "full_like": lambda L, d: L.full_like(L.ones(2), 3.0, device=d),
    "rand_like": lambda L, d: L.rand_like(L.ones(2), device=d).shape,
    "randn_like": lambda L, d: L.randn_like(L.ones(2), device=d).shape,
    "randint_like": lambda L, d: L.randint_like(L.ones(2), 0, 3, device=d).shape,
}
DEVICES = {"None": lambda L: None, "'cpu'": lambda L: "cpu", "'cpu:0'": lambda L: "cpu:0",
           "device('cpu')": lambda L: L.device("cpu"), "device('cpu', 0)": lambda L: L.device("cpu", 0),
           "'cuda'": lambda L: "cuda", "'cuda:0'": lambda L: "cuda:0", "device('cuda')": lambda L: L.device("cuda"),
           "'xpu'": lambda L: "xpu", "'foo'": lambda L: "foo"}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", CREATE)
def test_creation_functions_take_a_device(torch, name, device):
    same(lambda L: CREATE[name](L, DEVICES[device](L)), torch)


def test_creating_on_mps_raises_pytorchs_error(torch):
    ours, theirs = outcome(lambda L: L.zeros(2, device="mps"), nbgrad), outcome(lambda L: L.zeros(2, device="mps"), torch)
    assert ours[:2] == theirs[:2] == ("raised", "NotImplementedError")
    assert theirs[2].startswith(ours[2])  # PyTorch's message goes on to list its build's backends and source paths


TO = {
    "to('cpu')": lambda L, t: t.to("cpu"),
    "to('cpu') is t": lambda L, t: t.to("cpu") is t,
    "to(device('cpu'))": lambda L, t: t.to(L.device("cpu")),
    "to(device('cpu', 0))": lambda L, t: t.to(L.device("cpu", 0)),
    "to('cpu', float64)": lambda L, t: t.to("cpu", L.float64),
    "to(device, dtype)": lambda L, t: t.to(L.device("cpu"), L.int64),
    "to(device=, dtype=)": lambda L, t: t.to(device=L.device("cpu"), dtype=L.float64),
    "to(other)": lambda L, t: t.to(L.zeros(1, dtype=L.float64)),
    "to(other) grad": lambda L, t: t.to(L.zeros(1, dtype=L.float64)).grad_fn.name(),
    "cpu()": lambda L, t: t.cpu(),
    "cpu() is t": lambda L, t: t.cpu() is t,
    "to('cuda')": lambda L, t: t.to("cuda"),
    "to(device('cuda'))": lambda L, t: t.to(L.device("cuda")),
    "to('cuda', float64)": lambda L, t: t.to("cuda", L.float64),
    "to('mps')": lambda L, t: t.to("mps"),
    "to('xpu')": lambda L, t: t.to("xpu"),
    "to('foo')": lambda L, t: t.to("foo"),
    "cuda()": lambda L, t: t.cuda(),
    "cuda(0)": lambda L, t: t.cuda(0),
    "cuda('cuda:0')": lambda L, t: t.cuda("cuda:0"),
    "cuda(device('cpu'))": lambda L, t: t.cuda(L.device("cpu")),
}


@pytest.mark.parametrize("case", TO)
def test_tensor_to_a_device(torch, case):
    same(lambda L: TO[case](L, L.tensor([1.5, -2.0], requires_grad=True) * 1), torch)


MODULE_TO = {
    "to('cpu')": lambda L, m: m.to("cpu") is m,
    "to(device('cpu'))": lambda L, m: m.to(L.device("cpu")) is m,
    "to('cpu', float64)": lambda L, m: m.to("cpu", L.float64).weight.dtype,
    "to(device=, dtype=)": lambda L, m: m.to(device="cpu", dtype=L.float64).bias.dtype,
    "to(dtype)": lambda L, m: m.to(L.float64).weight.dtype,
    "to(tensor)": lambda L, m: m.to(L.zeros(1, dtype=L.float64)).weight.dtype,
    "to() is m": lambda L, m: m.to() is m,
    "to(int64)": lambda L, m: m.to(L.int64),
    "cpu()": lambda L, m: m.cpu() is m,
    "weight.device": lambda L, m: m.cpu().weight.device,
    "to('cuda')": lambda L, m: m.to("cuda"),
    "to('mps')": lambda L, m: m.to("mps"),
    "cuda()": lambda L, m: m.cuda(),
    "cuda(0)": lambda L, m: m.cuda(0),
    "to(5)": lambda L, m: m.to(5),
}


@pytest.mark.parametrize("case", MODULE_TO)
def test_module_to_a_device(torch, case):
    same(lambda L: MODULE_TO[case](L, L.nn.Linear(2, 3)), torch)


def test_printing_does_not_show_the_device():
    assert repr(nbgrad.zeros(2, device="cpu")) == "tensor([0., 0.])"
    assert np.array_equal(nbgrad.ones(2).to("cpu").numpy(), [1.0, 1.0])
