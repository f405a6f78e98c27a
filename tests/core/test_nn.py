"""``nbgrad.nn``: modules, parameters, initialisation, layers and losses, against PyTorch where installed."""
import copy
import math
import pickle

import numpy as np
import pytest

import nbgrad
import nbgrad.nn as nn
import nbgrad.nn.functional as F


def to_torch(torch, t, requires_grad=False):
    return torch.tensor(t.detach().numpy().copy(), requires_grad=requires_grad)


def same_weights(torch, model, torch_model):
    """Give ``torch_model`` (same architecture) exactly the values of ``model``'s state_dict."""
    torch_model.load_state_dict({k: to_torch(torch, v) for k, v in model.state_dict().items()})
    return torch_model


def mlp(dims=(2, 16, 16, 2)):
    layers = []
    for i, (a, b) in enumerate(zip(dims, dims[1:])):
        layers += [nn.Linear(a, b)] + ([nn.ReLU()] if i < len(dims) - 2 else [])
    return nn.Sequential(*layers)


def torch_mlp(torch, dims=(2, 16, 16, 2)):
    layers = []
    for i, (a, b) in enumerate(zip(dims, dims[1:])):
        layers += [torch.nn.Linear(a, b)] + ([torch.nn.ReLU()] if i < len(dims) - 2 else [])
    return torch.nn.Sequential(*layers)


# ============================================================== Parameter

def test_parameter_shares_storage_requires_grad_and_prints_like_pytorch():
    t = nbgrad.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert p.requires_grad and p.is_leaf and isinstance(p, nbgrad.Tensor)
    t[0] = 5.0
    assert p.tolist() == [5.0, 2.0]  # the same storage, as torch.nn.Parameter(t)
    assert repr(p) == "Parameter containing:\ntensor([5., 2.], requires_grad=True)"
    assert not nn.Parameter(nbgrad.zeros(2), requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)


def test_parameter_repr_matches_pytorch(torch):
    values = [[0.5, -1.25], [3.0, 0.125]]
    ours = repr(nn.Parameter(nbgrad.tensor(values)))
    theirs = repr(torch.nn.Parameter(torch.tensor(values)))
    assert ours == theirs


def test_operations_on_a_parameter_give_plain_tensors():
    p = nn.Parameter(nbgrad.ones(2, 3))
    results = [p * 2, p + 0, -p, p[0], p.t(), p.reshape(6), p.detach(), p.sum(), p @ nbgrad.ones(3), p.exp()]
    assert all(type(r) is nbgrad.Tensor for r in results)


def test_parameter_copies_and_pickles_as_a_parameter_with_its_own_storage():
    p = nn.Parameter(nbgrad.tensor([1.0, 2.0]))
    for clone in (copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert type(clone) is nn.Parameter and clone.requires_grad and clone.tolist() == [1.0, 2.0]
        clone.detach()[0] = 9.0
        assert p.tolist() == [1.0, 2.0]


def test_parameter_of_integers_is_refused_like_pytorch():
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        nn.Parameter(nbgrad.tensor([1, 2]))
    with pytest.raises(TypeError, match="must be Tensor"):
        nn.Parameter([1.0, 2.0])


# ============================================================== Module: registration and walking

class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.Tanh()
        self.fc2 = nn.Linear(4, 2, bias=False)
        self.scale = nn.Parameter(nbgrad.ones(1))
        self.register_buffer("count", nbgrad.zeros(1))
        self.register_buffer("scratch", nbgrad.zeros(1), persistent=False)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


def test_attributes_register_parameters_buffers_and_children_in_order():
    m = TwoLayer()
    assert [n for n, _ in m.named_parameters()] == ["scale", "fc1.weight", "fc1.bias", "fc2.weight"]
    assert [n for n, _ in m.named_buffers()] == ["count", "scratch"]
    assert [n for n, _ in m.named_children()] == ["fc1", "act", "fc2"]
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "act", "fc2"]
    assert list(m.state_dict()) == ["scale", "count", "fc1.weight", "fc1.bias", "fc2.weight"]
    assert m.fc2.bias is None and "bias" not in dict(m.fc2.named_parameters())
    assert m.fc1.weight is m._modules["fc1"]._parameters["weight"]


def test_registration_matches_pytorch(torch):
    class TorchTwoLayer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(3, 4)
            self.act = torch.nn.Tanh()
            self.fc2 = torch.nn.Linear(4, 2, bias=False)
            self.scale = torch.nn.Parameter(torch.ones(1))
            self.register_buffer("count", torch.zeros(1))
            self.register_buffer("scratch", torch.zeros(1), persistent=False)

    ours, theirs = TwoLayer(), TorchTwoLayer()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs).replace("TorchTwoLayer", "TwoLayer")


def test_a_shared_layer_is_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_modules()] == ["", "0", "1"]


def test_assigning_the_wrong_kind_of_value_is_refused_and_changes_nothing():
    m = TwoLayer()
    weight = m.fc1.weight
    with pytest.raises(TypeError, match=r"cannot assign 'nbgrad.FloatTensor' as parameter 'weight'"):
        m.fc1.weight = nbgrad.ones(4, 3)
    with pytest.raises(TypeError, match=r"cannot assign 'int' as child module 'fc1'"):
        m.fc1 = 3
    with pytest.raises(TypeError, match=r"cannot assign 'str' as buffer 'count'"):
        m.count = "three"
    assert m.fc1.weight is weight and isinstance(m.fc1, nn.Linear)

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(nbgrad.ones(1))

    with pytest.raises(AttributeError, match=r"cannot assign parameters before Module.__init__\(\) call"):
        Early()


def test_reassigning_and_deleting_keep_the_registries_consistent():
    m = TwoLayer()
    m.fc2 = nn.Linear(4, 5)
    m.scale = None
    del m.count
    assert [n for n, _ in m.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert list(m.state_dict()) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    with pytest.raises(AttributeError, match="'TwoLayer' object has no attribute 'count'"):
        m.count
    m.extra = nbgrad.ones(2, requires_grad=True)  # a plain tensor attribute is not a parameter
    assert "extra" not in dict(m.named_parameters())


def test_forward_is_required():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'):
        nn.Module()(nbgrad.ones(1))


def test_train_and_eval_reach_every_module_and_zero_grad_resets():
    model = nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert model.eval() is model and not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        model.train("yes")
    model(nbgrad.ones(4, 2)).sum().backward()
    grads = [p.grad for p in model.parameters()]
    model.zero_grad(set_to_none=False)
    assert all(p.grad is g and not p.grad._data.any() for p, g in zip(model.parameters(), grads))
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_a_deep_copy_of_a_model_is_independent_and_computes_the_same():
    model = mlp((2, 3, 1))
    clone = copy.deepcopy(model)
    x = nbgrad.randn(4, 2)
    assert clone(x).equal(model(x)) and repr(clone) == repr(model)
    with nbgrad.no_grad():
        clone[0].weight.zero_()
    assert not model[0].weight.equal(clone[0].weight)
    assert all(isinstance(p, nn.Parameter) for p in clone.parameters())


def test_apply_visits_every_module_and_to_double_casts_everything():
    model = mlp((2, 3, 1))
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "Sequential"]
    model.double()
    assert all(p.dtype == nbgrad.float64 and isinstance(p, nn.Parameter) for p in model.parameters())
    assert model(nbgrad.ones(1, 2, dtype=nbgrad.float64)).dtype == nbgrad.float64


# ============================================================== printing

def test_sequential_repr_is_pytorchs():
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Dropout(0.1), nn.Sequential(nn.Tanh(), nn.Sigmoid()),
                          nn.Linear(16, 2, bias=False))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=16, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.1, inplace=False)\n"
        "  (3): Sequential(\n"
        "    (0): Tanh()\n"
        "    (1): Sigmoid()\n"
        "  )\n"
        "  (4): Linear(in_features=16, out_features=2, bias=False)\n"
        ")"
    )


def test_reprs_match_pytorch(torch):
    pairs = [
        (nn.Sequential(nn.Linear(2, 16), nn.ReLU(inplace=True), nn.Dropout(0.25), nn.Linear(16, 1)),
         torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(inplace=True), torch.nn.Dropout(0.25),
                             torch.nn.Linear(16, 1))),
        (nn.MSELoss(), torch.nn.MSELoss()),
        (nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()),
        (nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss()),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


def test_sequential_indexing_slicing_and_append():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    model = nn.Sequential(a, b)
    model.append(c)
    assert len(model) == 3 and model[0] is a and model[-1] is c and list(model) == [a, b, c]
    assert list(model[1:]) == [b, c] and isinstance(model[1:], nn.Sequential)
    with pytest.raises(IndexError, match="index 3 is out of range"):
        model[3]


# ============================================================== initialisation

def test_linear_default_initialisation_is_pytorchs_distribution():
    nbgrad.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)  # kaiming_uniform_(a=√5): gain √(2/6), bound √3·gain/√fan_in = 1/√fan_in
    for p in (layer.weight, layer.bias):
        values = p.detach().numpy()
        assert values.min() >= -bound and values.max() <= bound
        assert values.min() < -0.95 * bound and values.max() > 0.95 * bound
    assert abs(layer.weight.detach().numpy().std() - bound / math.sqrt(3)) < 0.01 * bound
    assert layer.weight.dtype == nbgrad.float32 and layer.weight.shape == (300, 400)


def test_initialisation_follows_manual_seed():
    nbgrad.manual_seed(7)
    first = nn.Linear(3, 2).state_dict()
    nbgrad.manual_seed(7)
    again = nn.Linear(3, 2).state_dict()
    other = nn.Linear(3, 2).state_dict()
    assert all(first[k].equal(again[k]) for k in first)
    assert not first["weight"].equal(other["weight"])


def test_init_functions_match_pytorchs_bounds_and_spreads(torch):
    nbgrad.manual_seed(0)
    w = nbgrad.empty(256, 128)
    for name, kwargs in [("xavier_uniform_", {}), ("xavier_uniform_", {"gain": 2.0}), ("xavier_normal_", {}),
                         ("kaiming_uniform_", {}), ("kaiming_uniform_", {"a": math.sqrt(5)}),
                         ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
                         ("uniform_", {"a": -0.5, "b": 2.0}), ("normal_", {"mean": 1.0, "std": 0.5})]:
        ours = getattr(nn.init, name)(w, **kwargs)
        theirs = getattr(torch.nn.init, name)(torch.empty(256, 128), **kwargs)
        assert ours is w
        a, b = ours.numpy(), theirs.numpy()
        assert abs(a.std() - b.std()) < 0.03 * b.std(), name
        assert abs(a.mean() - b.mean()) < 0.03 * b.std() + 1e-3, name
        if "uniform" in name:
            assert abs(a.min() - b.min()) < 0.01 * b.std() and abs(a.max() - b.max()) < 0.01 * b.std(), name
    for nonlinearity, param in [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                                ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]:
        assert nn.init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)
    assert nn.init.constant_(w, 0.25).numpy().tolist() == torch.nn.init.constant_(torch.empty(256, 128), 0.25).tolist()


def test_init_on_a_parameter_records_no_graph_and_refuses_vectors():
    p = nn.Parameter(nbgrad.empty(3, 2))
    nn.init.kaiming_uniform_(p)
    assert p.is_leaf and p.grad_fn is None
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(nbgrad.empty(3))
    with pytest.raises(ValueError, match="Unsupported nonlinearity relu6"):
        nn.init.calculate_gain("relu6")
    with pytest.raises(ValueError, match="Mode fan_sideways not supported"):
        nn.init.kaiming_normal_(p, mode="fan_sideways")


# ============================================================== Linear against PyTorch

@pytest.mark.parametrize("shape", [(5, 3), (3,), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward_backward_and_node_names_match_pytorch(torch, shape, bias):
    nbgrad.manual_seed(1)
    layer = nn.Linear(3, 4, bias=bias).double()
    torch_layer = same_weights(torch, layer, torch.nn.Linear(3, 4, bias=bias).double())
    x = nbgrad.randn(*shape, dtype=nbgrad.float64, requires_grad=True)
    tx = to_torch(torch, x, requires_grad=True)
    out, tout = layer(x), torch_layer(tx)
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
    if len(shape) == 2:  # for other ranks PyTorch reshapes around its matmul: names differ there
        assert out.grad_fn.name() == type(tout.grad_fn).__name__
        ours = [type(n).__name__ if n is not None else None for n, _ in out.grad_fn.next_functions]
        theirs = [type(n).__name__ if n is not None else None for n, _ in tout.grad_fn.next_functions]
        assert ours == theirs
    weights = nbgrad.randn(*out.shape, dtype=nbgrad.float64)
    (out * weights).sum().backward()
    (tout * to_torch(torch, weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    for (name, p), tp in zip(layer.named_parameters(), torch_layer.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-12, err_msg=name)


def test_linear_with_a_wrong_input_shape_says_what_pytorch_says_and_changes_nothing(torch):
    layer = nn.Linear(2, 5)
    before = {k: v.clone() for k, v in layer.state_dict().items()}
    cases = [(nbgrad.ones(4, 3), "mat1 and mat2 shapes cannot be multiplied (4x3 and 2x5)"),
             (nbgrad.ones(3), "mat1 and mat2 shapes cannot be multiplied (1x3 and 2x5)"),
             (nbgrad.ones(7, 4, 3), "mat1 and mat2 shapes cannot be multiplied (28x3 and 2x5)"),
             (nbgrad.ones(4, 2, dtype=nbgrad.float64),
              "mat1 and mat2 must have the same dtype, but got Double and Float")]
    torch_layer = torch.nn.Linear(2, 5)
    for x, message in cases:
        with pytest.raises(RuntimeError) as ours:
            layer(x)
        with pytest.raises(RuntimeError) as theirs:
            torch_layer(to_torch(torch, x))
        assert str(ours.value) == message == str(theirs.value)
    assert all(layer.state_dict()[k].equal(before[k]) for k in before)
    assert all(p.grad is None for p in layer.parameters())


# ============================================================== activations and dropout

def test_activations_and_inplace_relu_match_pytorch(torch):
    values = [[-1.5, 0.0, 2.0], [0.25, -0.0, 3.0]]
    for ours_cls, theirs_cls in [(nn.ReLU, torch.nn.ReLU), (nn.Tanh, torch.nn.Tanh), (nn.Sigmoid, torch.nn.Sigmoid)]:
        x = nbgrad.tensor(values, dtype=nbgrad.float64, requires_grad=True)
        tx = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        out, tout = ours_cls()(x), theirs_cls()(tx)
        assert out.grad_fn.name() == type(tout.grad_fn).__name__
        (out * out).sum().backward()
        (tout * tout).sum().backward()
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    # in place on a non-leaf: the tensor itself changes, and the gradient still flows
    x = nbgrad.tensor(values, dtype=nbgrad.float64, requires_grad=True)
    tx = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    h, th = x * 2, tx * 2
    out, tout = nn.ReLU(inplace=True)(h), torch.nn.ReLU(inplace=True)(th)
    assert out is h and h.tolist() == th.tolist()
    out.sum().backward()
    tout.sum().backward()
    assert x.grad.tolist() == tx.grad.tolist()
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        nn.ReLU(inplace=True)(nbgrad.ones(2, requires_grad=True))


def test_softplus_is_finite_for_extreme_inputs_in_float32():
    x = nbgrad.tensor([-200.0, 0.0, 200.0], requires_grad=True)
    out = F.softplus(x)
    out.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), [0.0, math.log(2), 200.0], rtol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.5, 1.0], rtol=1e-6)


def test_one_hot_marks_each_index_in_an_int64_row():
    out = F.one_hot(nbgrad.tensor([[2, 0], [1, 2]]))
    assert out.dtype == nbgrad.int64 and out.shape == (2, 2, 3) and not out.requires_grad
    assert out.tolist() == [[[0, 0, 1], [1, 0, 0]], [[0, 1, 0], [0, 0, 1]]]
    assert F.one_hot(nbgrad.tensor(1), num_classes=4).tolist() == [0, 1, 0, 0]
    assert F.one_hot(nbgrad.zeros(0, dtype=nbgrad.int64), 2).shape == (0, 2)


def test_dropout_zeroes_and_rescales_in_training_and_is_identity_in_eval():
    nbgrad.manual_seed(0)
    drop = nn.Dropout(0.25)
    x = nbgrad.ones(200, 50, requires_grad=True)
    out = drop(x)
    values = out.detach().numpy()
    kept = values != 0
    assert abs(1 - kept.mean() - 0.25) < 0.02
    np.testing.assert_allclose(values[kept], 1 / 0.75, rtol=1e-6)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), values)  # the gradient is the same mask, scaled
    assert drop.eval()(x) is x
    assert not F.dropout(x, 1.0).detach().numpy().any()
    assert F.dropout(x, 0.0) is x


def test_dropout_masks_follow_manual_seed_and_bad_p_is_refused():
    x = nbgrad.ones(4, 4)
    nbgrad.manual_seed(3)
    first = F.dropout(x, 0.5)
    nbgrad.manual_seed(3)
    assert F.dropout(x, 0.5).equal(first)
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match=f"dropout probability has to be between 0 and 1, but got {p}"):
            nn.Dropout(p)
        with pytest.raises(ValueError, match="dropout probability"):
            F.dropout(x, p)


# ============================================================== losses against PyTorch

def _compare_loss(torch, ours_fn, theirs_fn, inputs, consts=(), same_node=True):
    """Value, gradients (to every float input) and grad_fn name of a loss in nbgrad and in PyTorch, float64."""
    xs = [nbgrad.tensor(a, dtype=nbgrad.float64, requires_grad=True) for a in inputs]
    txs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    out, tout = ours_fn(*xs, *[nbgrad.tensor(c) for c in consts]), theirs_fn(*txs, *[torch.tensor(c) for c in consts])
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert not same_node or out.grad_fn.name() == type(tout.grad_fn).__name__
    weights = np.random.default_rng(0).standard_normal(out.shape)
    (out * nbgrad.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    for x, tx in zip(xs, txs):
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_matches_pytorch(torch, reduction):
    rng = np.random.default_rng(1)
    _compare_loss(torch, nn.MSELoss(reduction=reduction), torch.nn.MSELoss(reduction=reduction),
                  [rng.standard_normal((5, 3)), rng.standard_normal((5, 3))])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 1])
def test_cross_entropy_loss_matches_pytorch(torch, reduction, weighted, ignore_index):
    rng = np.random.default_rng(2)
    scores, target = rng.standard_normal((6, 4)) * 3, np.array([0, 3, 1, 1, 2, 3])
    weight = rng.uniform(0.5, 2, 4) if weighted else None
    kwargs = {"ignore_index": ignore_index, "reduction": reduction}
    ours = nn.CrossEntropyLoss(weight=None if weight is None else nbgrad.tensor(weight, dtype=nbgrad.float64), **kwargs)
    theirs = torch.nn.CrossEntropyLoss(weight=None if weight is None else torch.tensor(weight), **kwargs)
    _compare_loss(torch, ours, theirs, [scores], consts=[target])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_class_probabilities_matches_pytorch(torch, reduction):
    rng = np.random.default_rng(3)
    probabilities = rng.dirichlet(np.ones(4), size=5)
    # composed of several ops, and PyTorch names a division by a number DivBackward1: names differ here
    _compare_loss(torch, nn.CrossEntropyLoss(reduction=reduction), torch.nn.CrossEntropyLoss(reduction=reduction),
                  [rng.standard_normal((5, 4)), probabilities], same_node=False)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weighted", [False, True])
def test_bce_with_logits_loss_matches_pytorch(torch, reduction, weighted, pos_weighted):
    rng = np.random.default_rng(4)
    logits = np.concatenate([rng.standard_normal((4, 3)) * 4, [[0.0, 40.0, -40.0]]])  # 0 and far out included
    targets = rng.uniform(0, 1, (5, 3))
    weight = rng.uniform(0.5, 2, (5, 1)) if weighted else None
    pos_weight = rng.uniform(0.5, 3, 3) if pos_weighted else None
    ours = nn.BCEWithLogitsLoss(
        weight=None if weight is None else nbgrad.tensor(weight, dtype=nbgrad.float64), reduction=reduction,
        pos_weight=None if pos_weight is None else nbgrad.tensor(pos_weight, dtype=nbgrad.float64))
    theirs = torch.nn.BCEWithLogitsLoss(
        weight=None if weight is None else torch.tensor(weight), reduction=reduction,
        pos_weight=None if pos_weight is None else torch.tensor(pos_weight))
    _compare_loss(torch, ours, theirs, [logits, targets])


def test_bce_with_logits_is_finite_for_extreme_logits_in_float32():
    logits = nbgrad.tensor([[-200.0, 200.0, 0.0]], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(logits, nbgrad.tensor([[1.0, 0.0, 1.0]]))
    loss.backward()
    np.testing.assert_allclose(loss.item(), (200 + 200 + math.log(2)) / 3, rtol=1e-6)
    np.testing.assert_allclose(logits.grad.numpy(), [[-1 / 3, 1 / 3, -1 / 6]], rtol=1e-6)


# ============================================================== bad targets: clear errors, nothing changed

def test_cross_entropy_with_a_wrong_target_dtype_or_range_says_what_pytorch_says(torch):
    logits = nbgrad.randn(4, 3, requires_grad=True)
    cases = [
        (nbgrad.tensor([0.0, 1.0, 2.0, 0.0]), RuntimeError, "expected target dtype to be Long or Byte, but got Float"),
        (nbgrad.tensor([0, 1, 2, 0], dtype=nbgrad.float64), RuntimeError,
         "expected target dtype to be Long or Byte, but got Double"),
        (nbgrad.tensor([True, False, True, False]), RuntimeError,
         "expected target dtype to be Long or Byte, but got Bool"),
        (nbgrad.tensor([0, 1, 3, 0]), IndexError, "Target 3 is out of bounds."),
        (nbgrad.tensor([0, -1, 2, 0]), IndexError, "Target -1 is out of bounds."),
        (nbgrad.tensor([0, 1, 2]), ValueError, "Expected input batch_size (4) to match target batch_size (3)."),
    ]
    for target, kind, message in cases:
        with pytest.raises(kind) as ours:
            nn.CrossEntropyLoss()(logits, target)
        with pytest.raises(kind) as theirs:
            torch.nn.CrossEntropyLoss()(to_torch(torch, logits), torch.tensor(target.numpy()))
        assert str(ours.value).strip("'") == message == str(theirs.value).strip("'")
    assert logits.grad is None


def test_bce_with_logits_with_bad_targets_is_refused():
    logits = nbgrad.randn(4, 3, requires_grad=True)
    with pytest.raises(ValueError, match=r"Target size \(nbgrad.Size\(\[4, 2\]\)\) must be the same as input size "
                                         r"\(nbgrad.Size\(\[4, 3\]\)\)"):
        F.binary_cross_entropy_with_logits(logits, nbgrad.rand(4, 2))
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        F.binary_cross_entropy_with_logits(logits, nbgrad.ones(4, 3, dtype=nbgrad.int64))
    with pytest.raises(RuntimeError, match="The size of tensor a"):
        F.binary_cross_entropy_with_logits(logits, nbgrad.rand(4, 3), pos_weight=nbgrad.ones(2))
    loss_fn = nn.BCEWithLogitsLoss(reduction="average")  # as in PyTorch, refused when called, not when made
    with pytest.raises(ValueError, match="average is not a valid value for reduction"):
        loss_fn(logits, nbgrad.rand(4, 3))
    assert logits.grad is None


# ============================================================== state_dict

def test_state_dict_round_trip_with_pytorch_gives_the_same_model(torch):
    nbgrad.manual_seed(0)
    model = mlp()
    theirs = same_weights(torch, model, torch_mlp(torch))
    assert list(model.state_dict()) == list(theirs.state_dict())
    x = nbgrad.randn(8, 2)
    np.testing.assert_allclose(model(x).detach().numpy(), theirs(to_torch(torch, x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    # and back: a PyTorch model's weights loaded into a fresh nbgrad model
    torch.manual_seed(0)
    theirs = torch_mlp(torch)
    fresh = mlp()
    assert repr(fresh.load_state_dict({k: nbgrad.tensor(v.numpy()) for k, v in theirs.state_dict().items()})) \
        == "<All keys matched successfully>"
    np.testing.assert_allclose(fresh(x).detach().numpy(), theirs(to_torch(torch, x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_state_dict_shares_storage_without_history_and_load_copies():
    model = mlp((2, 3, 1))
    state = model.state_dict()
    assert all(type(v) is nbgrad.Tensor and not v.requires_grad for v in state.values())
    assert np.shares_memory(state["0.weight"].numpy(), model[0].weight.detach().numpy())
    other = mlp((2, 3, 1))
    other.load_state_dict(state)
    assert other[0].weight.equal(model[0].weight) and other[0].weight is not model[0].weight
    assert not np.shares_memory(other[0].weight.detach().numpy(), model[0].weight.detach().numpy())
    assert isinstance(other[0].weight, nn.Parameter) and other[0].weight.requires_grad


def test_load_state_dict_errors_match_pytorch_and_change_nothing(torch):
    layer, torch_layer = nn.Linear(2, 3), torch.nn.Linear(2, 3)
    before = {k: v.clone() for k, v in layer.state_dict().items()}
    bad = {"weight": nbgrad.ones(3, 3), "foo": nbgrad.ones(1)}
    with pytest.raises(RuntimeError) as ours:
        layer.load_state_dict(bad)
    with pytest.raises(RuntimeError) as theirs:
        torch_layer.load_state_dict({k: torch.ones(*v.shape) for k, v in bad.items()})
    assert str(ours.value) == str(theirs.value).replace("torch.Size", "nbgrad.Size")
    assert all(layer.state_dict()[k].equal(before[k]) for k in before)
    # strict=False reports what did not match; a size mismatch is still an error
    result = layer.load_state_dict({"bias": nbgrad.zeros(3), "foo": nbgrad.ones(1)}, strict=False)
    assert result.missing_keys == ["weight"] and result.unexpected_keys == ["foo"]
    assert layer.bias.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="size mismatch for bias"):
        layer.load_state_dict({"bias": nbgrad.zeros(2)}, strict=False)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        layer.load_state_dict([1, 2])
