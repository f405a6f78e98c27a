"""RNN, LSTM, GRU and their cells without PyTorch: values against the equations written in NumPy, gradients of
the input, the initial states and every weight against finite differences, shapes, names and modes."""
import numpy as np
import pytest

import nbgrad
from nbgrad import nn
from nbgrad.autograd import gradcheck, gradgradcheck


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def reference(mode, x, h, c, w_ih, w_hh, b_ih, b_hh):
    """One layer, one direction, on (L, N, H) arrays, as PyTorch's documentation writes the equations."""
    outputs = []
    for x_t in x:
        gi, gh = x_t @ w_ih.T + b_ih, h @ w_hh.T + b_hh
        if mode == "LSTM":
            i, f, g, o = np.split(gi + gh, 4, axis=1)
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
        elif mode == "GRU":
            (i_r, i_z, i_n), (h_r, h_z, h_n) = np.split(gi, 3, axis=1), np.split(gh, 3, axis=1)
            r, z = sigmoid(i_r + h_r), sigmoid(i_z + h_z)
            n = np.tanh(i_n + r * h_n)
            h = (1 - z) * n + z * h
        else:
            h = np.tanh(gi + gh) if mode == "RNN" else np.maximum(gi + gh, 0)
        outputs.append(h)
    return np.stack(outputs), h, c


def make(mode, *args, **kwargs):
    if mode == "RNN relu":
        return nn.RNN(*args, nonlinearity="relu", **kwargs).double()
    return getattr(nn, mode)(*args, **kwargs).double()


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN", "RNN relu"])
def test_one_layer_follows_the_equations(mode):
    nbgrad.manual_seed(0)
    module = make(mode, 3, 4)
    rng = np.random.default_rng(1)
    x, h0, c0 = rng.standard_normal((5, 2, 3)), rng.standard_normal((1, 2, 4)), rng.standard_normal((1, 2, 4))
    hx = (nbgrad.tensor(h0), nbgrad.tensor(c0)) if mode == "LSTM" else nbgrad.tensor(h0)
    output, h_n = module(nbgrad.tensor(x), hx)
    weights = [p.detach().numpy() for p in module.parameters()]
    want, h, c = reference(mode.replace(" relu", "_relu"), x, h0[0], c0[0], *weights)
    np.testing.assert_allclose(output.detach().numpy(), want, rtol=1e-12, atol=1e-12)
    if mode == "LSTM":
        np.testing.assert_allclose(h_n[0].detach().numpy()[0], h, rtol=1e-12)
        np.testing.assert_allclose(h_n[1].detach().numpy()[0], c, rtol=1e-12)
    else:
        np.testing.assert_allclose(h_n.detach().numpy()[0], h, rtol=1e-12)


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN"])
def test_cell_is_one_step_of_the_layer(mode):
    nbgrad.manual_seed(0)
    layer, cell = make(mode, 3, 4), getattr(nn, mode + "Cell")(3, 4).double()
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})  # weight_ih_l0 -> weight_ih
    x = nbgrad.randn(5, 2, 3, dtype=nbgrad.float64)
    output, _ = layer(x)
    state = None
    for t in range(5):
        state = cell(x[t], state)
        h = state[0] if mode == "LSTM" else state
        np.testing.assert_allclose(h.detach().numpy(), output[t].detach().numpy(), rtol=1e-12, atol=1e-14)


def test_final_states_are_the_ends_of_the_outputs():
    """Forward direction: the last step; reverse direction: the first step (it ran backwards)."""
    nbgrad.manual_seed(0)
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True).double()
    output, (h_n, c_n) = lstm(nbgrad.randn(2, 5, 3, dtype=nbgrad.float64))
    assert tuple(output.shape) == (2, 5, 8) and tuple(h_n.shape) == tuple(c_n.shape) == (4, 2, 4)
    np.testing.assert_array_equal(h_n[2].detach().numpy(), output[:, -1, :4].detach().numpy())
    np.testing.assert_array_equal(h_n[3].detach().numpy(), output[:, 0, 4:].detach().numpy())


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN"])
def test_unbatched_is_a_batch_of_one(mode):
    nbgrad.manual_seed(0)
    module = make(mode, 3, 4, num_layers=2, bidirectional=True)
    x = nbgrad.randn(5, 3, dtype=nbgrad.float64)
    out, h_n = module(x)
    out1, h_n1 = module(x.unsqueeze(1))
    np.testing.assert_array_equal(out.detach().numpy(), out1[:, 0].detach().numpy())
    for a, b in zip(h_n if mode == "LSTM" else (h_n,), h_n1 if mode == "LSTM" else (h_n1,)):
        assert tuple(a.shape) == (4, 4)
        np.testing.assert_array_equal(a.detach().numpy(), b[:, 0].detach().numpy())


def _functional(module, names):
    """``module`` as a function of its input, its initial state and the weights ``names`` (for gradcheck)."""
    def fn(x, *rest):
        states, weights = rest[:len(rest) - len(names)], rest[len(rest) - len(names):]
        saved = dict(module._parameters)
        module._parameters.update(zip(names, weights))
        try:
            hx = None if not states else tuple(states) if len(states) == 2 else states[0]
            output, h_n = module(x, hx)
        finally:
            module._parameters.update(saved)
        return (output, *h_n) if isinstance(h_n, tuple) else (output, h_n)
    return fn


GRADCHECK = {
    "LSTM": ("LSTM", {}),
    "LSTM two layers bidirectional proj_size": ("LSTM", {"num_layers": 2, "bidirectional": True, "proj_size": 1}),
    "GRU batch_first bidirectional": ("GRU", {"batch_first": True, "bidirectional": True}),
    "GRU two layers no bias": ("GRU", {"num_layers": 2, "bias": False}),
    "RNN two layers": ("RNN", {"num_layers": 2}),
    "RNN relu": ("RNN relu", {}),
}


@pytest.mark.parametrize("name", GRADCHECK)
def test_gradients_match_finite_differences(name):
    """Input, initial state(s) and every weight, against central differences."""
    mode, kwargs = GRADCHECK[name]
    nbgrad.manual_seed(0)
    module = make(mode, 2, 2, **kwargs)
    names = [n for n, _ in module.named_parameters()]
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    batch_first = kwargs.get("batch_first", False)
    x = nbgrad.randn(*((2, 3, 2) if batch_first else (3, 2, 2)), dtype=nbgrad.float64, requires_grad=True)
    states = [nbgrad.randn(layers, 2, kwargs.get("proj_size", 2), dtype=nbgrad.float64, requires_grad=True)]
    if mode == "LSTM":
        states.append(nbgrad.randn(layers, 2, 2, dtype=nbgrad.float64, requires_grad=True))
    weights = [p.detach().clone().requires_grad_(True) for p in module.parameters()]
    assert gradcheck(_functional(module, names), (x, *states, *weights))


@pytest.mark.parametrize("cell", ["LSTMCell", "GRUCell", "RNNCell"])
def test_cell_second_derivatives_match_finite_differences(cell):
    nbgrad.manual_seed(0)
    module = getattr(nn, cell)(2, 3).double()
    x = nbgrad.randn(2, 2, dtype=nbgrad.float64, requires_grad=True)
    h = nbgrad.randn(2, 3, dtype=nbgrad.float64, requires_grad=True)
    if cell == "LSTMCell":
        c = nbgrad.randn(2, 3, dtype=nbgrad.float64, requires_grad=True)
        assert gradgradcheck(lambda x, h, c: module(x, (h, c)), (x, h, c))
    else:
        assert gradgradcheck(module, (x, h))


def test_parameter_names_and_shapes():
    lstm = nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2)
    shapes = {n: tuple(p.shape) for n, p in lstm.named_parameters()}
    assert shapes == {
        "weight_ih_l0": (20, 3), "weight_hh_l0": (20, 2), "bias_ih_l0": (20,), "bias_hh_l0": (20,),
        "weight_hr_l0": (2, 5),
        "weight_ih_l0_reverse": (20, 3), "weight_hh_l0_reverse": (20, 2), "bias_ih_l0_reverse": (20,),
        "bias_hh_l0_reverse": (20,), "weight_hr_l0_reverse": (2, 5),
        "weight_ih_l1": (20, 4), "weight_hh_l1": (20, 2), "bias_ih_l1": (20,), "bias_hh_l1": (20,),
        "weight_hr_l1": (2, 5),
        "weight_ih_l1_reverse": (20, 4), "weight_hh_l1_reverse": (20, 2), "bias_ih_l1_reverse": (20,),
        "bias_hh_l1_reverse": (20,), "weight_hr_l1_reverse": (2, 5),
    }
    assert list(lstm.state_dict()) == list(shapes)
    assert [n for n, _ in nn.GRU(3, 5, bias=False).named_parameters()] == ["weight_ih_l0", "weight_hh_l0"]
    assert {n: tuple(p.shape) for n, p in nn.GRUCell(3, 5).named_parameters()} == {
        "weight_ih": (15, 3), "weight_hh": (15, 5), "bias_ih": (15,), "bias_hh": (15,)}
    cell = nn.RNNCell(3, 5, bias=False)
    assert [n for n, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"] and cell.bias_ih is None


def test_initial_weights_lie_within_one_over_root_hidden():
    nbgrad.manual_seed(0)
    for module in (nn.LSTM(3, 16, 2, bidirectional=True), nn.GRU(3, 16), nn.RNNCell(3, 16)):
        values = np.concatenate([p.detach().numpy().ravel() for p in module.parameters()])
        assert np.abs(values).max() <= 0.25 and np.abs(values).max() > 0.24 and values.min() < -0.24


def test_dropout_between_layers_only_in_training():
    nbgrad.manual_seed(0)
    gru = nn.GRU(3, 4, num_layers=2, dropout=0.5).double()
    x = nbgrad.randn(5, 2, 3, dtype=nbgrad.float64)
    nbgrad.manual_seed(1)
    first, _ = gru(x)
    nbgrad.manual_seed(1)
    again, _ = gru(x)
    nbgrad.manual_seed(2)
    other, _ = gru(x)
    gru.eval()
    plain, _ = gru(x)
    np.testing.assert_array_equal(first.detach().numpy(), again.detach().numpy())  # the seed decides the masks
    assert not np.allclose(first.detach().numpy(), other.detach().numpy())
    assert not np.allclose(first.detach().numpy(), plain.detach().numpy())
    gru.train()
    gru.dropout = 0.0
    np.testing.assert_array_equal(gru(x)[0].detach().numpy(), plain.detach().numpy())


def test_training_reduces_the_loss():
    """An LSTM and a head learn to sum a sequence's first feature (a smoke test of the whole loop)."""
    nbgrad.manual_seed(0)
    lstm, head = nn.LSTM(2, 8, batch_first=True), nn.Linear(8, 1)
    params = list(lstm.parameters()) + list(head.parameters())
    optimizer = nbgrad.optim.Adam(params, lr=0.02)
    x = nbgrad.randn(16, 6, 2)
    y = x[:, :, :1].sum(1)
    losses = []
    for _ in range(60):
        output, _ = lstm(x)
        loss = nn.functional.mse_loss(head(output[:, -1]), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
    assert losses[-1] < 0.2 * losses[0]


def test_module_casts_and_flatten_parameters():
    lstm = nn.LSTM(3, 4)
    assert lstm.flatten_parameters() is None
    out, (h, c) = lstm.double()(nbgrad.zeros(2, 1, 3, dtype=nbgrad.float64))
    assert out.dtype == h.dtype == c.dtype == nbgrad.float64
    assert [[tuple(w.shape) for w in ws] for ws in lstm.all_weights] == [[(16, 3), (16, 4), (16,), (16,)]]


def test_no_graph_under_no_grad():
    lstm = nn.LSTM(3, 4)
    with nbgrad.no_grad():
        out, (h, c) = lstm(nbgrad.randn(4, 2, 3))
    assert out.grad_fn is None and h.grad_fn is None and not out.requires_grad
