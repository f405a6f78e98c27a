"""RNN, LSTM, GRU and their cells against PyTorch's, in float64, with PyTorch's weights copied in.

Compared: parameter names, shapes and state_dict keys; outputs and final states; the whole graph (every
node's name and where it sends gradients, shared nodes included); the gradients of the input, the initial
states and every parameter; errors for bad input (type and message); the dropout between layers.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

torch = pytest.importorskip("torch", reason="PyTorch not installed: differential tests against it are skipped")

import nbgrad  # noqa: E402

pytestmark = pytest.mark.torch
LIBS = (nbgrad, torch)
RTOL, ATOL = 1e-10, 1e-12
MODULES = {"LSTM": "LSTM", "GRU": "GRU", "RNN": "RNN", "RNN relu": "RNN"}


def as_nbgrad(text):
    return text.replace("torch::autograd::", "").replace("torch.", "nbgrad.")


def structure(node):
    """The graph below ``node`` as a list: each node once, by name, with the positions of the nodes it sends
    gradients to (a DAG, so a shared node is listed once, and nothing grows exponentially with time)."""
    ids, out = {}, []
    stack = [(node, False)]
    while stack:
        n, expanded = stack.pop()
        if n is None or n in ids:
            continue
        children = [c for c, _ in n.next_functions]
        if not expanded:
            stack.append((n, True))
            stack.extend((c, False) for c in reversed(children) if c is not None and c not in ids)
            continue
        ids[n] = len(out)
        out.append((as_nbgrad(n.name()), tuple(None if c is None else ids[c] for c in children)))
    return out


def twins(kind, *args, **kwargs):
    """The same layer in both libraries: PyTorch's, made float64, and nbgrad's with PyTorch's weights."""
    if kind == "RNN relu":
        kwargs["nonlinearity"] = "relu"
    theirs = getattr(torch.nn, MODULES.get(kind, kind))(*args, **kwargs).double()
    ours = getattr(nbgrad.nn, MODULES.get(kind, kind))(*args, **kwargs).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    ours.load_state_dict({k: nbgrad.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def leaves(rng, shapes):
    arrays = [rng.standard_normal(s) for s in shapes]
    return [[L.tensor(a, requires_grad=True) for a in arrays] for L in LIBS]


def close(got, want, what):
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg=what)


CONFIGS = {
    "default": {},
    "batch_first": {"batch_first": True},
    "unbatched": {"unbatched": True},
    "unbatched batch_first": {"unbatched": True, "batch_first": True},
    "h0": {"h0": True},
    "h0 unbatched": {"h0": True, "unbatched": True},
    "two layers": {"num_layers": 2},
    "bidirectional": {"bidirectional": True},
    "no bias": {"bias": False},
    "no bias batch_first": {"bias": False, "batch_first": True},
    "batch of one batch_first": {"batch_first": True, "batch": 1},
    "three layers bidirectional batch_first h0": {"num_layers": 3, "bidirectional": True, "batch_first": True,
                                                  "h0": True},
    "dropout in eval": {"num_layers": 2, "dropout": 0.5, "eval": True, "h0": True},
}
LSTM_ONLY = {
    "proj_size": {"proj_size": 2},
    "proj_size two layers bidirectional h0": {"proj_size": 3, "num_layers": 2, "bidirectional": True, "h0": True},
    "proj_size unbatched h0 no bias": {"proj_size": 2, "unbatched": True, "h0": True, "bias": False},
}
CASES = [(kind, name) for kind in MODULES for name in CONFIGS] + [("LSTM", name) for name in LSTM_ONLY]


@pytest.mark.parametrize("kind, name", CASES)
def test_layer_matches_pytorch(kind, name):
    options = dict(CONFIGS[name] if name in CONFIGS else LSTM_ONLY[name])
    unbatched, h0, evaluate = options.pop("unbatched", False), options.pop("h0", False), options.pop("eval", False)
    steps, batch, hidden = 4, options.pop("batch", 2), 5
    ours, theirs = twins(kind, 3, hidden, **options)
    if evaluate:
        ours.eval(), theirs.eval()
    rng = np.random.default_rng(len(name) + 7 * len(kind))
    batch_first = options.get("batch_first", False)
    x_shape = (steps, 3) if unbatched else (batch, steps, 3) if batch_first else (steps, batch, 3)
    layers = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    state = options.get("proj_size") or hidden
    h_shape, c_shape = ((layers, state), (layers, hidden)) if unbatched else \
        ((layers, batch, state), (layers, batch, hidden))
    shapes = [x_shape] + ([h_shape] + ([c_shape] if kind == "LSTM" else []) if h0 else [])
    results = []
    for L, module, inputs in zip(LIBS, (ours, theirs), leaves(rng, shapes)):
        hx = None if not h0 else tuple(inputs[1:]) if kind == "LSTM" else inputs[1]
        output, h_n = module(inputs[0], hx)
        finals = list(h_n) if kind == "LSTM" else [h_n]
        outs = [output, *finals]
        cotangents = [L.tensor(np.random.default_rng(i).standard_normal(tuple(o.shape))) for i, o in enumerate(outs)]
        weights = list(module.parameters())
        grads = L.autograd.grad(outs, inputs + weights, cotangents)
        results.append((outs, [structure(o.grad_fn) for o in outs], grads))
    (outs, graphs, grads), (t_outs, t_graphs, t_grads) = results
    for i, (o, t) in enumerate(zip(outs, t_outs)):
        assert tuple(o.shape) == tuple(t.shape), f"output {i}"
        close(o, t, f"output {i}")
    assert graphs == t_graphs
    names = ["input", "h0", "c0"][:len(shapes)] + [n for n, _ in ours.named_parameters()]
    for n, g, t in zip(names, grads, t_grads):
        close(g, t, f"gradient of {n}")


@st.composite
def layers(draw):
    """A layer's kind, constructor arguments and input: every option, sizes from 1."""
    kind = draw(st.sampled_from(list(MODULES)))
    hidden = draw(st.integers(1, 4))
    options = {"num_layers": draw(st.integers(1, 3)), "bias": draw(st.booleans()),
               "batch_first": draw(st.booleans()), "bidirectional": draw(st.booleans())}
    if kind == "LSTM" and hidden > 1:
        options["proj_size"] = draw(st.integers(0, hidden - 1))
    sizes = {"input": draw(st.integers(1, 3)), "steps": draw(st.integers(1, 4)), "batch": draw(st.integers(1, 3)),
             "unbatched": draw(st.booleans()), "h0": draw(st.booleans())}
    return kind, hidden, options, sizes


@given(case=layers(), seed=st.integers(0, 2**16))
@settings(max_examples=40, deadline=None, derandomize=True, database=None)
def test_generated_layers_match_pytorch(case, seed):
    """Values, graphs and gradients as in test_layer_matches_pytorch, over generated options and sizes."""
    kind, hidden, options, sizes = case
    ours, theirs = twins(kind, sizes["input"], hidden, **options)
    rng = np.random.default_rng(seed)
    lead = (sizes["steps"],) if sizes["unbatched"] else \
        (sizes["batch"], sizes["steps"]) if options["batch_first"] else (sizes["steps"], sizes["batch"])
    batch = () if sizes["unbatched"] else (sizes["batch"],)
    layers = options["num_layers"] * (2 if options["bidirectional"] else 1)
    shapes = [lead + (sizes["input"],)]
    if sizes["h0"]:
        shapes.append((layers, *batch, options.get("proj_size") or hidden))
        if kind == "LSTM":
            shapes.append((layers, *batch, hidden))
    results = []
    for L, module, inputs in zip(LIBS, (ours, theirs), leaves(rng, shapes)):
        hx = None if len(inputs) == 1 else tuple(inputs[1:]) if kind == "LSTM" else inputs[1]
        output, h_n = module(inputs[0], hx)
        outs = [output, *(h_n if kind == "LSTM" else [h_n])]
        cotangents = [L.tensor(np.random.default_rng(i).standard_normal(tuple(o.shape))) for i, o in enumerate(outs)]
        grads = L.autograd.grad(outs, inputs + list(module.parameters()), cotangents)
        results.append((outs, [structure(o.grad_fn) for o in outs], grads))
    (outs, graphs, grads), (t_outs, t_graphs, t_grads) = results
    for o, t in zip(outs, t_outs):
        assert tuple(o.shape) == tuple(t.shape)
        close(o, t, "output")
    assert graphs == t_graphs
    for g, t in zip(grads, t_grads):
        close(g, t, "gradient")


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_dropout_between_layers_in_training(kind):
    """The random masks differ between the libraries; the graph (a MulBackward0 between layers) does not, and
    the first layer's final state, which no mask reaches, is equal."""
    ours, theirs = twins(kind, 3, 4, num_layers=2, dropout=0.5)
    x = np.random.default_rng(0).standard_normal((3, 2, 3))
    (out, h_n), (t_out, t_h_n) = (m(L.tensor(x, requires_grad=True)) for m, L in zip((ours, theirs), LIBS))
    assert structure(out.grad_fn) == structure(t_out.grad_fn)
    first = (h_n[0] if kind == "LSTM" else h_n)[0]
    close(first, (t_h_n[0] if kind == "LSTM" else t_h_n)[0], "first layer's state")
    ours.eval(), theirs.eval()
    (out, _), (t_out, _) = (m(L.tensor(x)) for m, L in zip((ours, theirs), LIBS))
    close(out, t_out, "in eval")


CELLS = {"RNNCell": {}, "RNNCell relu": {"nonlinearity": "relu"}, "LSTMCell": {}, "GRUCell": {},
         "LSTMCell no bias": {"bias": False}, "GRUCell no bias": {"bias": False}}


@pytest.mark.parametrize("unbatched", [False, True])
@pytest.mark.parametrize("hx_given", [False, True])
@pytest.mark.parametrize("name", CELLS)
def test_cell_matches_pytorch(name, hx_given, unbatched):
    cls = name.split()[0]
    theirs = getattr(torch.nn, cls)(3, 4, **CELLS[name]).double()
    ours = getattr(nbgrad.nn, cls)(3, 4, **CELLS[name]).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: nbgrad.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    lead = () if unbatched else (2,)
    shapes = [lead + (3,)] + ([lead + (4,)] * (2 if cls == "LSTMCell" else 1) if hx_given else [])
    results = []
    for L, module, inputs in zip(LIBS, (ours, theirs), leaves(np.random.default_rng(len(name)), shapes)):
        hx = None if not hx_given else tuple(inputs[1:]) if cls == "LSTMCell" else inputs[1]
        out = module(inputs[0], hx)
        outs = list(out) if cls == "LSTMCell" else [out]
        cotangents = [L.tensor(np.random.default_rng(i).standard_normal(tuple(o.shape))) for i, o in enumerate(outs)]
        grads = L.autograd.grad(outs, inputs + list(module.parameters()), cotangents)
        results.append((outs, [structure(o.grad_fn) for o in outs], grads))
    (outs, graphs, grads), (t_outs, t_graphs, t_grads) = results
    for o, t in zip(outs, t_outs):
        close(o, t, "output")
    assert graphs == t_graphs
    for g, t in zip(grads, t_grads):
        close(g, t, "gradient")


def test_frozen_weights_on_a_strided_input():
    """PyTorch's matmul does not fold here (see docs/differences.md): the graph differs, values and gradients not."""
    ours, theirs = twins("GRU", 3, 4, batch_first=True)
    x = np.random.default_rng(2).standard_normal((2, 5, 3))
    grads = []
    for L, module in zip(LIBS, (ours, theirs)):
        module.requires_grad_(False)
        t = L.tensor(x, requires_grad=True)
        output, h_n = module(t)
        (output.sum() + (h_n * h_n).sum()).backward()
        grads.append((output, t.grad))
    for ours_, theirs_ in zip(*grads):
        close(ours_, theirs_, "frozen")


def test_float32_values_and_gradients_match_pytorch():
    """PyTorch runs a float32 LSTM through oneDNN (another graph, see docs/differences.md): the numbers agree."""
    x = np.random.default_rng(1).standard_normal((6, 2, 3)).astype(np.float32)
    for kind in ("LSTM", "GRU", "RNN"):
        theirs = getattr(torch.nn, kind)(3, 5, num_layers=2, bidirectional=True)
        ours = getattr(nbgrad.nn, kind)(3, 5, num_layers=2, bidirectional=True)
        ours.load_state_dict({k: nbgrad.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
        results = []
        for L, module in zip(LIBS, (ours, theirs)):
            t = L.tensor(x, requires_grad=True)
            output = module(t)[0]
            (output * output).sum().backward()
            results.append([output, t.grad, *(p.grad for p in module.parameters())])
        for got, want in zip(*results):
            assert got.dtype == nbgrad.float32
            np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_repr_and_attributes_match_pytorch():
    for args, kwargs in [((3, 5), {}), ((3, 5, 2), {"batch_first": True, "dropout": 0.25, "bidirectional": True}),
                         ((3, 5), {"bias": False, "proj_size": 2})]:
        ours, theirs = nbgrad.nn.LSTM(*args, **kwargs), torch.nn.LSTM(*args, **kwargs)
        assert repr(ours) == repr(theirs)
        assert ours._flat_weights_names == theirs._flat_weights_names
        assert [[tuple(w.shape) for w in ws] for ws in ours.all_weights] == \
            [[tuple(w.shape) for w in ws] for ws in theirs.all_weights]
        for attr in ("mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                     "bidirectional", "proj_size"):
            assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert repr(nbgrad.nn.RNN(3, 5, 2, "relu")) == repr(torch.nn.RNN(3, 5, 2, "relu"))
    assert repr(nbgrad.nn.GRU(3, 5, bias=False)) == repr(torch.nn.GRU(3, 5, bias=False))
    for cls, kwargs in [("RNNCell", {"nonlinearity": "relu", "bias": False}), ("LSTMCell", {}), ("GRUCell", {})]:
        assert repr(getattr(nbgrad.nn, cls)(3, 5, **kwargs)) == repr(getattr(torch.nn, cls)(3, 5, **kwargs))


def test_init_bounds_as_pytorch():
    """Every parameter is drawn from U(-1/√hidden, 1/√hidden); the draws differ (another generator)."""
    nbgrad.manual_seed(0)
    for module in (nbgrad.nn.LSTM(3, 16, 2), nbgrad.nn.GRUCell(3, 16)):
        for p in module.parameters():
            assert float(p.abs().max()) <= 0.25 and float(p.abs().max()) > 0.2
            assert p.requires_grad and p.dtype == nbgrad.float32


# ------------------------------------------------- entries of test_torch_parity.OPS (second derivatives too)


def _fixed(module, weights):
    """``module`` in float64 with ``weights`` (the same data in both libraries) as constants."""
    module = module.double()
    for p, w in zip(module.parameters(), weights):
        p.requires_grad_(False).copy_(w)
    return module


def _float(*shape, grad=True):
    return ("float", shape, -1.0, 1.0, grad)


def _weights(gates, inputs, hidden):
    g = gates * hidden
    return (_float(g, inputs, grad=False), _float(g, hidden, grad=False), _float(g, grad=False),
            _float(g, grad=False))


TORCH_PARITY_OPS = {
    "LSTMCell": ((_float(2, 3), _float(2, 2), _float(2, 2), *_weights(4, 3, 2)),
                 lambda L, x, h, c, *w: L.cat(_fixed(L.nn.LSTMCell(3, 2), w)(x, (h, c)), 1)),
    # batch_first with one sequence: PyTorch's matmul folds a strided input only for weights that require grad
    "RNN relu batch_first": ((_float(1, 2, 3), *_weights(1, 3, 2)),
                             lambda L, x, *w: _fixed(L.nn.RNN(3, 2, nonlinearity="relu", batch_first=True), w)(x)[0]),
    "LSTM bidirectional": ((_float(2, 2, 3), _float(2, 2, 2), _float(2, 2, 2), *_weights(4, 3, 2),
                            *_weights(4, 3, 2)),
                           lambda L, x, h, c, *w: _fixed(L.nn.LSTM(3, 2, bidirectional=True), w)(x, (h, c))[0]),
}
# Not in OPS: the gradient's own graph differs (docs/differences.md), pinned by test_gru_double_backward.
GRU_CASES = {
    "GRUCell": ((_float(2, 3), _float(2, 2), *_weights(3, 3, 2)),
                lambda L, x, h, *w: _fixed(L.nn.GRUCell(3, 2), w)(x, h)),
    "GRU batch_first": ((_float(1, 3, 3), _float(1, 1, 2), *_weights(3, 3, 2)),
                        lambda L, x, h, *w: _fixed(L.nn.GRU(3, 2, batch_first=True), w)(x, h)[0]),
}


@pytest.mark.parametrize("case_id", GRU_CASES)
def test_gru_double_backward(case_id):
    """PyTorch's GRU cell multiplies in place (``mul_``), which keeps a copy of the operand (CloneBackward0) for
    the gradient's graph: the only difference there. Values, first graph and second derivatives agree."""
    from test_double_backward import double_backward
    from test_torch_parity import assert_close, graph, inputs_for

    specs, fn = GRU_CASES[case_id]
    tensors = inputs_for(case_id, specs)
    assert graph(fn(nbgrad, *tensors[0]).grad_fn, tensors[0]) == graph(fn(torch, *tensors[1]).grad_fn, tensors[1])
    (grads, _, graphs, second), (t_grads, _, t_graphs, t_second) = (
        double_backward(L, fn, t, True) for L, t in zip(LIBS, tensors))
    assert_close(grads, t_grads, "gradients")
    assert_close(second, t_second, "second derivatives")
    for ours, theirs in zip(graphs, t_graphs):
        names, t_names = [n for n, _ in ours], [n for n, _ in theirs]
        extra = list(t_names)
        for n in names:
            extra.remove(n)
        assert set(extra) == {"CloneBackward0"}


# ----------------------------------------------------------------------------- errors, as PyTorch's


def _error(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
            return type(e).__name__, as_nbgrad(str(e))
    return None


def D(L, *shape, dtype=None):
    return L.zeros(*shape, dtype=L.float64 if dtype is None else dtype)


CONSTRUCTION_ERRORS = {
    "dropout too big": lambda L: L.nn.LSTM(3, 5, dropout=1.5),
    "dropout bool": lambda L: L.nn.GRU(3, 5, dropout=True),
    "bias not bool": lambda L: L.nn.LSTM(3, 5, bias=1),
    "batch_first not bool": lambda L: L.nn.RNN(3, 5, batch_first=0),
    "input_size float": lambda L: L.nn.LSTM(3.0, 5),
    "input_size zero": lambda L: L.nn.LSTM(0, 5),
    "hidden_size float": lambda L: L.nn.GRU(3, 5.0),
    "hidden_size negative": lambda L: L.nn.GRU(3, -1),
    "num_layers zero": lambda L: L.nn.LSTM(3, 5, 0),
    "proj_size negative": lambda L: L.nn.LSTM(3, 5, proj_size=-1),
    "proj_size too big": lambda L: L.nn.LSTM(3, 5, proj_size=5),
    "proj_size on GRU": lambda L: L.nn.GRU(3, 5, proj_size=2),
    "proj_size on RNN": lambda L: L.nn.RNN(3, 5, proj_size=2),
    "unknown nonlinearity": lambda L: L.nn.RNN(3, 5, nonlinearity="sigmoid"),
    "unknown nonlinearity positional": lambda L: L.nn.RNN(3, 5, 1, "gelu"),
}


def _lstm(L, x, hx=None, **kwargs):
    return L.nn.LSTM(3, 5, **kwargs).double()(x, hx)


def _gru(L, x, hx=None, **kwargs):
    return L.nn.GRU(3, 5, **kwargs).double()(x, hx)


def _rnn(L, x, hx=None, **kwargs):
    return L.nn.RNN(3, 5, **kwargs).double()(x, hx)


FORWARD_ERRORS = {
    "LSTM 4-d input": lambda L: _lstm(L, D(L, 4, 2, 3, 1)),
    "LSTM 1-d input": lambda L: _lstm(L, D(L, 3)),
    "GRU 4-d input": lambda L: _gru(L, D(L, 4, 2, 3, 1)),
    "RNN 1-d input": lambda L: _rnn(L, D(L, 3)),
    "LSTM wrong input size": lambda L: _lstm(L, D(L, 4, 2, 4)),
    "GRU wrong input size unbatched": lambda L: _gru(L, D(L, 4, 4)),
    "RNN wrong input size batch_first": lambda L: _rnn(L, D(L, 2, 4, 2), batch_first=True),
    "LSTM float32 input": lambda L: _lstm(L, L.zeros(4, 2, 3)),
    "GRU int input": lambda L: _gru(L, L.zeros(4, 2, 3, dtype=L.int64)),
    "LSTM wrong h0": lambda L: _lstm(L, D(L, 4, 2, 3), (D(L, 1, 3, 5), D(L, 1, 2, 5))),
    "LSTM wrong c0": lambda L: _lstm(L, D(L, 4, 2, 3), (D(L, 1, 2, 5), D(L, 1, 2, 4))),
    "LSTM h0 for two layers": lambda L: _lstm(L, D(L, 4, 2, 3), (D(L, 1, 2, 5), D(L, 1, 2, 5)), num_layers=2),
    "LSTM h0 without proj_size": lambda L: _lstm(L, D(L, 4, 2, 3), (D(L, 1, 2, 5), D(L, 1, 2, 5)), proj_size=2),
    "LSTM 2-d h0 for batched input": lambda L: _lstm(L, D(L, 4, 2, 3), (D(L, 2, 5), D(L, 1, 2, 5))),
    "LSTM 3-d h0 for unbatched input": lambda L: _lstm(L, D(L, 4, 3), (D(L, 1, 2, 5), D(L, 1, 5))),
    "LSTM h0 one tensor": lambda L: _lstm(L, D(L, 4, 2, 3), D(L, 1, 2, 5)),
    "LSTM unbatched wrong h0": lambda L: _lstm(L, D(L, 4, 3), (D(L, 1, 4), D(L, 1, 5))),
    "GRU wrong hidden": lambda L: _gru(L, D(L, 4, 2, 3), D(L, 2, 2, 5)),
    "GRU bidirectional hidden": lambda L: _gru(L, D(L, 4, 2, 3), D(L, 1, 2, 5), bidirectional=True),
    "GRU 2-d hidden for batched input": lambda L: _gru(L, D(L, 4, 2, 3), D(L, 2, 5)),
    "RNN 3-d hidden for unbatched input": lambda L: _rnn(L, D(L, 4, 3), D(L, 1, 2, 5)),
    "RNN hidden batch_first": lambda L: _rnn(L, D(L, 2, 4, 3), D(L, 1, 4, 5), batch_first=True),
    "GRU float32 hidden": lambda L: _gru(L, D(L, 4, 2, 3), L.zeros(1, 2, 5)),
    "LSTM float32 h0": lambda L: _lstm(L, D(L, 4, 2, 3), (L.zeros(1, 2, 5), D(L, 1, 2, 5))),
    "LSTM empty sequence": lambda L: _lstm(L, D(L, 0, 2, 3)),
    "GRU empty sequence": lambda L: _gru(L, D(L, 0, 2, 3)),
    "RNNCell 3-d input": lambda L: L.nn.RNNCell(3, 5).double()(D(L, 2, 4, 3)),
    "RNNCell 3-d hidden": lambda L: L.nn.RNNCell(3, 5).double()(D(L, 2, 3), D(L, 1, 2, 5)),
    "RNNCell wrong input size": lambda L: L.nn.RNNCell(3, 5).double()(D(L, 2, 4)),
    "RNNCell unknown nonlinearity": lambda L: _set(L.nn.RNNCell(3, 5).double(), "nonlinearity", "gelu")(D(L, 2, 3)),
    "LSTMCell 3-d input": lambda L: L.nn.LSTMCell(3, 5).double()(D(L, 2, 4, 3)),
    "LSTMCell 3-d hx": lambda L: L.nn.LSTMCell(3, 5).double()(D(L, 2, 3), (D(L, 1, 2, 5), D(L, 2, 5))),
    "LSTMCell one hidden state": lambda L: L.nn.LSTMCell(3, 5).double()(D(L, 2, 3), (D(L, 2, 5),)),
    "LSTMCell three hidden states": lambda L: L.nn.LSTMCell(3, 5).double()(D(L, 2, 3), (D(L, 2, 5),) * 3),
    "LSTMCell unbatched one hidden state": lambda L: L.nn.LSTMCell(3, 5).double()(D(L, 3), (D(L, 5),)),
    "LSTM one hidden state": lambda L: _lstm(L, D(L, 4, 2, 3), (D(L, 1, 2, 5),)),
    "LSTMCell batch": lambda L: L.nn.LSTMCell(3, 5).double()(D(L, 2, 3), (D(L, 3, 5), D(L, 2, 5))),
    "LSTMCell hidden size": lambda L: L.nn.LSTMCell(3, 5).double()(D(L, 2, 3), (D(L, 2, 4), D(L, 2, 5))),
    "LSTMCell cell size": lambda L: L.nn.LSTMCell(3, 5).double()(D(L, 2, 3), (D(L, 2, 5), D(L, 2, 4))),
    "LSTMCell float32 input": lambda L: L.nn.LSTMCell(3, 5).double()(L.zeros(2, 3)),
    "GRUCell batch": lambda L: L.nn.GRUCell(3, 5).double()(D(L, 2, 3), D(L, 3, 5)),
    "GRUCell 2-d hidden for unbatched input": lambda L: L.nn.GRUCell(3, 5).double()(D(L, 3), D(L, 2, 5)),
    "GRUCell 1-d hidden for batched input": lambda L: L.nn.GRUCell(3, 5).double()(D(L, 2, 3), D(L, 5)),
    "GRUCell 3-d input": lambda L: L.nn.GRUCell(3, 5).double()(D(L, 1, 2, 3)),
    "GRUCell float32 hidden": lambda L: L.nn.GRUCell(3, 5).double()(D(L, 2, 3), L.zeros(2, 5)),
}


def _set(module, name, value):
    setattr(module, name, value)
    return module


@pytest.mark.parametrize("case", list(CONSTRUCTION_ERRORS) + list(FORWARD_ERRORS))
def test_errors_match_pytorch(case):
    fn = CONSTRUCTION_ERRORS[case] if case in CONSTRUCTION_ERRORS else FORWARD_ERRORS[case]
    theirs = _error(lambda: fn(torch))
    assert theirs is not None, "PyTorch accepts this: not an error case"
    assert _error(lambda: fn(nbgrad)) == theirs


def test_dropout_warning_matches_pytorch():
    messages = []
    for L in LIBS:
        with pytest.warns(UserWarning) as record:
            L.nn.LSTM(3, 5, dropout=0.2)
        messages.append([str(w.message) for w in record])
    assert messages[0] == messages[1] and len(messages[0]) == 1


def test_empty_batch_as_pytorch():
    for kind in ("LSTM", "GRU"):
        ours, theirs = twins(kind, 3, 5)
        out, t_out = ours(nbgrad.zeros(4, 0, 3, dtype=nbgrad.float64))[0], theirs(torch.zeros(4, 0, 3).double())[0]
        assert tuple(out.shape) == tuple(t_out.shape) == (4, 0, 5)
