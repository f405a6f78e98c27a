"""``nbgrad.nn`` containers, module machinery, ``nn.utils`` and ``nn.init`` on NumPy alone: what each does,
checked by its effect (test_nn_modules_parity.py compares the same things with PyTorch)."""
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import nbgrad
import nbgrad.nn as nn


def numbered(*sizes):
    return nbgrad.tensor(np.arange(np.prod(sizes), dtype=np.float64).reshape(sizes) / 10, requires_grad=True)


# ============================================================== layers


def test_flatten_and_unflatten_are_views_that_undo_each_other():
    x = numbered(2, 3, 4)
    flat = nn.Flatten()(x)
    assert flat.shape == (2, 12) and flat.grad_fn.name() == "ViewBackward0"
    back = nn.Unflatten(1, (3, -1))(flat)
    assert back.shape == (2, 3, 4) and np.array_equal(back.detach().numpy(), x.detach().numpy())
    back.sum().backward()
    assert np.array_equal(x.grad.numpy(), np.ones((2, 3, 4)))
    assert nn.Flatten(0, -1)(x).shape == (24,) and nn.Flatten(1, 1)(x).shape == (2, 3, 4)
    with pytest.raises(RuntimeError, match=r"Provided sizes \[5, -1\] don't multiply up to the size of dim 1 \(12\)"):
        nn.Unflatten(1, (5, -1))(flat)
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints, but found element of type float"):
        nn.Unflatten(1, (3, 4.0))


def test_softmax_layers_normalise_along_their_dim_and_warn_without_one():
    x = numbered(2, 3)
    p = nn.Softmax(dim=1)(x).detach().numpy()
    assert np.allclose(p.sum(axis=1), 1) and np.all(np.diff(p, axis=1) > 0)
    assert np.allclose(nn.LogSoftmax(dim=1)(x).detach().numpy(), np.log(p))
    q = nn.Softmin(dim=1)(x).detach().numpy()
    assert np.allclose(q, p[:, ::-1])  # evenly spaced rows: the smallest input gets the largest weight
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin has been deprecated") as caught:
        nn.Softmin()(x)
    assert caught[0].filename == __file__  # the warning names the line that called the layer
    assert repr(nn.Softmax()) == "Softmax(dim=None)" and repr(nn.LogSoftmax(0)) == "LogSoftmax(dim=0)"


def test_identity_returns_its_input_and_ignores_arguments():
    x = numbered(3)
    assert nn.Identity(5, mode="any")(x) is x and repr(nn.Identity()) == "Identity()"


# ============================================================== containers


def test_sequential_editing_renumbers_and_slices_into_sequentials():
    a, b, c = nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)
    s = nn.Sequential(a, b, c)
    del s[1]
    assert list(s._modules) == ["0", "1"] and s[1] is c and list(s.state_dict()) == [
        "0.weight", "0.bias", "1.weight", "1.bias"]
    s.insert(1, b)
    s[-1] = nn.Identity()
    assert [type(m).__name__ for m in s] == ["Linear", "ReLU", "Identity"]
    part = s[1:]
    assert type(part) is nn.Sequential and list(part._modules) == ["1", "2"] and part[0] is b
    assert len(s + s) == 6 and len(s * 3) == 9 and s.pop(0) is a and len(s) == 2
    named = nn.Sequential(OrderedDict(fc=a, act=b))
    assert [n for n, _ in named.named_children()] == ["fc", "act"]
    with pytest.raises(IndexError, match="index 5 is out of range"):
        s[5]


def test_module_list_registers_its_modules_and_prints_runs_once():
    layers = nn.ModuleList(nn.Linear(2, 2) for _ in range(3))
    layers.append(nn.ReLU())
    assert len(list(layers.parameters())) == 6 and list(layers.state_dict())[:2] == ["0.weight", "0.bias"]
    assert repr(layers).splitlines()[1] == "  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)"
    del layers[0]
    assert [n for n, _ in layers.named_children()] == ["0", "1", "2"]


def test_module_dict_and_parameter_containers_register_what_they_hold():
    d = nn.ModuleDict({"enc": nn.Linear(1, 2), "act": nn.ReLU()})
    d["dec"] = nn.Linear(2, 1)
    assert list(d) == ["enc", "act", "dec"] and len(list(d.parameters())) == 4
    plist = nn.ParameterList([nbgrad.ones(2), nbgrad.zeros(3)])
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in plist)
    assert [n for n, _ in plist.named_parameters()] == ["0", "1"]
    pdict = nn.ParameterDict({"w": nbgrad.ones(2), "b": nbgrad.zeros(1)})
    assert list(pdict) == ["b", "w"]  # a plain dict's keys are taken in sorted order, as PyTorch does
    assert repr(pdict) == ("ParameterDict(\n    (b): Parameter containing: [nbgrad.FloatTensor of size 1]\n"
                           "    (w): Parameter containing: [nbgrad.FloatTensor of size 2]\n)")
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        plist()


# ============================================================== state dicts and names


class Counter(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(2, 2)
        self.register_buffer("count", nbgrad.zeros(1))
        self.register_buffer("scratch", nbgrad.zeros(1), persistent=False)


def test_buffers_load_and_save_unless_not_persistent():
    m = Counter()
    assert list(m.state_dict()) == ["count", "fc.weight", "fc.bias"]
    state = {k: v + 1 for k, v in m.state_dict().items()}
    result = m.load_state_dict(state)
    assert repr(result) == "<All keys matched successfully>" and m.count.tolist() == [1.0]
    del state["count"]
    state["other"] = nbgrad.ones(1)
    result = m.load_state_dict(state, strict=False)
    assert result.missing_keys == ["count"] and result.unexpected_keys == ["other"]
    with pytest.raises(RuntimeError) as error:
        m.load_state_dict(state)
    assert str(error.value) == ('Error(s) in loading state_dict for Counter:\n\tMissing key(s) in state_dict: "count". '
                                '\n\tUnexpected key(s) in state_dict: "other". ')


def test_a_failed_load_changes_nothing():
    m = Counter()
    before = {k: v.clone() for k, v in m.state_dict().items()}
    state = {"count": nbgrad.ones(1) * 7, "fc.weight": nbgrad.ones(2, 2), "fc.bias": nbgrad.ones(3)}
    with pytest.raises(RuntimeError,
                       match=r"size mismatch for fc.bias: copying a param with shape nbgrad.Size\(\[3\]\)"):
        m.load_state_dict(state)
    assert all(np.array_equal(v.numpy(), before[k].numpy()) for k, v in m.state_dict().items())


def test_lookup_by_dotted_name():
    net = nn.Sequential(Counter(), nn.ReLU())
    assert net.get_submodule("0.fc") is net[0].fc and net.get_parameter("0.fc.bias") is net[0].fc.bias
    assert net.get_buffer("0.scratch") is net[0].scratch
    with pytest.raises(AttributeError, match="Linear has no attribute `nope`"):
        net.get_submodule("0.fc.nope")
    with pytest.raises(AttributeError, match="`count` is not an nn.Parameter"):
        net.get_parameter("0.count")


# ============================================================== hooks


def test_forward_hooks_run_in_order_and_can_replace_inputs_and_outputs():
    calls = []
    m = nn.Identity()
    m.register_forward_pre_hook(lambda mod, args: calls.append("pre") or (args[0] + 1,))
    m.register_forward_pre_hook(lambda mod, args: calls.append("first"), prepend=True)
    handle = m.register_forward_hook(lambda mod, args, out: calls.append("post") or out * 10)
    assert m(nbgrad.tensor(1.0)).item() == 20.0 and calls == ["first", "pre", "post"]
    handle.remove()
    assert m(nbgrad.tensor(1.0)).item() == 2.0


def test_full_backward_hooks_see_and_replace_gradients():
    lin = nn.Linear(2, 1, bias=False)
    with nbgrad.no_grad():
        lin.weight.copy_(nbgrad.tensor([[2.0, -3.0]]))
    seen = []
    lin.register_full_backward_pre_hook(lambda m, go: seen.append(("pre", go[0].tolist())))
    lin.register_full_backward_hook(lambda m, gi, go: seen.append(("post", gi[0].tolist(), go[0].tolist())) or
                                    (gi[0] * 0,))
    x = nbgrad.ones(1, 2, requires_grad=True)
    y = lin(x)
    assert y.grad_fn.name() == "BackwardHookFunctionBackward"
    (y * 5).sum().backward()
    assert seen == [("pre", [[5.0]]), ("post", [[10.0, -15.0]], [[5.0]])]
    assert x.grad.tolist() == [[0.0, 0.0]] and lin.weight.grad.tolist() == [[5.0, 5.0]]


def test_a_backward_hook_on_a_module_whose_inputs_need_no_gradient_fires_at_the_outputs():
    lin = nn.Linear(2, 1)
    seen = []
    lin.register_full_backward_hook(lambda m, gi, go: seen.append((gi, len(go))))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lin(nbgrad.ones(1, 2)).sum().backward()
    assert seen == [((None,), 1)] and "Full backward hook is firing" in str(caught[0].message)


# ============================================================== nn.utils


def with_grads(*grads):
    params = []
    for g in grads:
        p = nn.Parameter(nbgrad.zeros(len(g), dtype=nbgrad.float64))
        p.grad = nbgrad.tensor(g, dtype=nbgrad.float64)
        params.append(p)
    return params


def test_clip_grad_norm_scales_all_gradients_together_and_returns_their_norm():
    params = with_grads([3.0, 0.0], [0.0, 4.0])
    total = nn.utils.clip_grad_norm_(params, max_norm=1.0)
    assert total.item() == 5.0
    assert np.allclose([p.grad.tolist() for p in params], [[0.6, 0.0], [0.0, 0.8]], atol=1e-6)
    params = with_grads([3.0, 0.0], [0.0, -4.0])
    assert nn.utils.clip_grad_norm_(params, 10.0, norm_type="inf").item() == 4.0
    assert params[1].grad.tolist() == [0.0, -4.0]  # under the limit: unchanged
    params = with_grads([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
        nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_clamps_each_element():
    params = with_grads([-3.0, 0.5], [2.0])
    assert nn.utils.clip_grad_value_(params, 1.0) is None
    assert [p.grad.tolist() for p in params] == [[-1.0, 0.5], [1.0]]


def test_parameters_round_trip_through_one_vector():
    net = nn.Linear(3, 2)
    vec = nn.utils.parameters_to_vector(net.parameters())
    assert vec.shape == (8,) and vec.grad_fn.name() == "CatBackward0"
    nn.utils.vector_to_parameters(nbgrad.arange(8.0), net.parameters())
    assert net.weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] and net.bias.tolist() == [6.0, 7.0]


# ============================================================== nn.init


def test_orthogonal_rows_or_columns_are_orthonormal_times_gain():
    for shape in [(3, 5), (5, 3), (4, 2, 3)]:
        w = nn.init.orthogonal_(nbgrad.empty(*shape, dtype=nbgrad.float64), gain=3.0).reshape(shape[0], -1).numpy()
        small = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
        assert np.allclose(small, 9 * np.eye(len(small)))


def test_trunc_normal_stays_inside_its_bounds():
    nbgrad.manual_seed(1)
    for a, b in [(-2.0, 2.0), (1.5, 4.0), (-0.01, 0.01)]:
        t = nn.init.trunc_normal_(nbgrad.empty(5000), std=1.0, a=a, b=b).numpy()
        assert t.min() >= a and t.max() <= b and t.std() > 0


def test_eye_and_dirac_and_their_errors():
    assert nn.init.eye_(nbgrad.empty(2, 3)).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert nn.init.dirac_(nbgrad.empty(2, 2, 3)).tolist() == [[[0, 1, 0], [0, 0, 0]], [[0, 0, 0], [0, 1, 0]]]
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        nn.init.eye_(nbgrad.empty(2, 2, 2))
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions are supported"):
        nn.init.dirac_(nbgrad.empty(2, 2))
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        nn.init.orthogonal_(nbgrad.empty(3))


def test_load_state_dict_post_hook_may_forgive_missing_keys():
    m = Counter()
    m.register_load_state_dict_post_hook(lambda module, keys: keys.missing_keys.remove("count"))
    state = m.state_dict()
    assert state._metadata == {"": {"version": 1}, "fc": {"version": 1}}
    del state["count"]
    assert m.load_state_dict(state).missing_keys == []
