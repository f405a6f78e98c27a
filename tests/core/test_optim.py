"""``nbgrad.optim``: the same steps as PyTorch's optimizers, state_dict, parameter groups, errors; and training."""
import copy

import numpy as np
import pytest

import nbgrad
import nbgrad.nn as nn
import nbgrad.optim as optim
from nbgrad.data import make_moons

SGD_CONFIGS = [
    {"lr": 0.1},
    {"lr": 0.1, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    {"lr": 0.1, "weight_decay": 0.01},
    {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05},
    {"lr": 0.05, "momentum": 0.5, "maximize": True},
]
ADAM_CONFIGS = [
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.3, "amsgrad": True}),
]
CONFIGS = [("SGD", c) for c in SGD_CONFIGS] + ADAM_CONFIGS
STEPS = 6


def model_and_data(dtype=nbgrad.float64, seed=0):
    nbgrad.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 4)).to(dtype)
    x = nbgrad.randn(16, 3, dtype=dtype)
    y = nbgrad.randint(0, 4, (16,))
    return model, x, y


def torch_twin(torch, model, dtype):
    twin = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 4)).to(dtype)
    twin.load_state_dict({k: torch.tensor(v.numpy().copy()) for k, v in model.state_dict().items()})
    return twin


def run_steps(lib, model, x, y, opt, steps):
    """Losses, gradients (before each step) and parameters (after each step) of ``steps`` steps.

    The same code drives nbgrad (``lib=nbgrad``) and PyTorch (``lib=torch``).
    """
    record = []
    for _ in range(steps):
        loss = lib.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        grads = [p.grad.numpy().copy() for p in model.parameters()]
        opt.step()
        record.append((loss.item(), grads, [p.detach().numpy().copy() for p in model.parameters()]))
    return record


def assert_same_records(ours, theirs, rtol, atol):
    for step, ((loss, grads, params), (tloss, tgrads, tparams)) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(loss, tloss, rtol=rtol, atol=atol, err_msg=f"loss at step {step}")
        for g, tg in zip(grads, tgrads):
            np.testing.assert_allclose(g, tg, rtol=rtol, atol=atol, err_msg=f"gradient at step {step}")
        for p, tp in zip(params, tparams):
            np.testing.assert_allclose(p, tp, rtol=rtol, atol=atol, err_msg=f"parameter after step {step}")


# ============================================================== the same steps as PyTorch

@pytest.mark.parametrize("name, config", CONFIGS, ids=[f"{n}-{c}" for n, c in CONFIGS])
def test_steps_match_pytorch_in_float64(torch, name, config):
    model, x, y = model_and_data()
    twin = torch_twin(torch, model, torch.float64)
    ours = run_steps(nbgrad, model, x, y, getattr(optim, name)(model.parameters(), **config), STEPS)
    theirs = run_steps(torch, twin, torch.tensor(x.numpy()), torch.tensor(y.numpy()),
                        getattr(torch.optim, name)(twin.parameters(), **config), STEPS)
    assert_same_records(ours, theirs, rtol=1e-9, atol=1e-12)
    assert ours[0][2][0].tolist() != ours[-1][2][0].tolist()  # the parameters did move


@pytest.mark.parametrize("name, config", [("SGD", SGD_CONFIGS[5]), ADAM_CONFIGS[0], ADAM_CONFIGS[5]])
def test_steps_match_pytorch_in_float32(torch, name, config):
    model, x, y = model_and_data(nbgrad.float32)
    twin = torch_twin(torch, model, torch.float32)
    ours = run_steps(nbgrad, model, x, y, getattr(optim, name)(model.parameters(), **config), STEPS)
    theirs = run_steps(torch, twin, torch.tensor(x.numpy()), torch.tensor(y.numpy()),
                        getattr(torch.optim, name)(twin.parameters(), **config), STEPS)
    assert_same_records(ours, theirs, rtol=1e-4, atol=1e-6)
    assert all(p.dtype == nbgrad.float32 for p in model.parameters())


def test_parameter_groups_with_their_own_settings_match_pytorch(torch):
    model, x, y = model_and_data()
    twin = torch_twin(torch, model, torch.float64)
    groups = lambda m: [{"params": list(m[0].parameters()), "lr": 0.2, "momentum": 0.5},  # noqa: E731
                        {"params": list(m[2].parameters())}]
    opt = optim.SGD(groups(model), lr=0.05, momentum=0.9, nesterov=True)
    topt = torch.optim.SGD(groups(twin), lr=0.05, momentum=0.9, nesterov=True)
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.05] and opt.param_groups[1]["nesterov"]
    ours = run_steps(nbgrad, model, x, y, opt, STEPS)
    theirs = run_steps(torch, twin, torch.tensor(x.numpy()), torch.tensor(y.numpy()), topt, STEPS)
    assert_same_records(ours, theirs, rtol=1e-9, atol=1e-12)


def test_a_parameter_without_a_gradient_is_left_alone():
    used, unused = nn.Parameter(nbgrad.ones(2)), nn.Parameter(nbgrad.ones(2))
    opt = optim.Adam([used, unused], lr=0.1)
    (used * used).sum().backward()
    opt.step()
    assert unused.tolist() == [1.0, 1.0] and unused not in opt.state
    assert used.tolist() != [1.0, 1.0] and set(opt.state[used]) == {"step", "exp_avg", "exp_avg_sq"}


def test_a_step_changes_the_parameter_so_its_old_graph_refuses_backward_like_pytorch():
    w = nn.Parameter(nbgrad.tensor([1.0, 2.0]))
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_step_with_a_closure_returns_its_loss():
    w = nn.Parameter(nbgrad.tensor([3.0]))
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with nbgrad.no_grad():  # the closure still records: step turns recording on for it
        loss = opt.step(closure)
    assert loss.item() == 9.0 and w.item() == 3.0 - 0.25 * 6.0


def test_zero_grad_sets_to_none_or_zeroes_in_place():
    w = nn.Parameter(nbgrad.ones(3))
    opt = optim.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    held = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is held and held.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


def test_repr_is_pytorchs(torch):
    ours = repr(optim.SGD([nn.Parameter(nbgrad.ones(1))], lr=0.1, momentum=0.9))
    theirs = repr(torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1, momentum=0.9))
    assert ours == theirs


# ============================================================== state_dict

@pytest.mark.parametrize("name, config", [("SGD", SGD_CONFIGS[1]), ADAM_CONFIGS[3]])
def test_state_dict_has_pytorchs_layout_and_values(torch, name, config):
    model, x, y = model_and_data()
    twin = torch_twin(torch, model, torch.float64)
    opt = getattr(optim, name)(model.parameters(), **config)
    topt = getattr(torch.optim, name)(twin.parameters(), **config)
    run_steps(nbgrad, model, x, y, opt, 3)
    run_steps(torch, twin, torch.tensor(x.numpy()), torch.tensor(y.numpy()), topt, 3)
    ours, theirs = opt.state_dict(), topt.state_dict()
    assert list(ours["state"]) == list(theirs["state"])
    for index, state in ours["state"].items():
        assert list(state) == list(theirs["state"][index])
        for key, value in state.items():
            assert value.dtype.name == str(theirs["state"][index][key].dtype).removeprefix("torch.")
            np.testing.assert_allclose(value.numpy(), theirs["state"][index][key].numpy(), rtol=1e-9, atol=1e-12)
    assert ours["param_groups"] == theirs["param_groups"]


@pytest.mark.parametrize("name, config", [("SGD", SGD_CONFIGS[5]), ADAM_CONFIGS[5]])
def test_state_dict_round_trip_resumes_exactly(name, config):
    """Save after 3 steps, load into a fresh model and optimizer, take 3 more: the same as 6 steps at once."""
    model, x, y = model_and_data()
    opt = getattr(optim, name)(model.parameters(), **config)
    run_steps(nbgrad, model, x, y, opt, 3)
    saved_model, saved_opt = copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())
    straight = run_steps(nbgrad, model, x, y, opt, 3)

    resumed_model, _, _ = model_and_data(seed=1)
    resumed_model.load_state_dict(saved_model)
    resumed_opt = getattr(optim, name)(resumed_model.parameters(), lr=123.0)
    resumed_opt.load_state_dict(saved_opt)
    assert resumed_opt.param_groups[0]["lr"] == config["lr"]
    resumed = run_steps(nbgrad, resumed_model, x, y, resumed_opt, 3)
    assert_same_records(resumed, straight, rtol=0, atol=0)
    # loading copied the state: stepping did not change the dict it came from
    assert saved_opt["state"][0]["momentum_buffer" if name == "SGD" else "exp_avg"] is not \
        resumed_opt.state[resumed_model[0].weight]["momentum_buffer" if name == "SGD" else "exp_avg"]


def test_state_saved_by_pytorch_resumes_the_same_in_nbgrad(torch):
    model, x, y = model_and_data()
    twin = torch_twin(torch, model, torch.float64)
    tx, ty = torch.tensor(x.numpy()), torch.tensor(y.numpy())
    topt = torch.optim.Adam(twin.parameters(), lr=0.01)
    run_steps(torch, twin, tx, ty, topt, 3)
    saved = topt.state_dict()
    converted = {
        "state": {i: {k: nbgrad.tensor(v.numpy()) for k, v in s.items()} for i, s in saved["state"].items()},
        "param_groups": saved["param_groups"],
    }
    model.load_state_dict({k: nbgrad.tensor(v.numpy()) for k, v in twin.state_dict().items()})
    opt = optim.Adam(model.parameters())
    opt.load_state_dict(converted)
    assert_same_records(run_steps(nbgrad, model, x, y, opt, 3), run_steps(torch, twin, tx, ty, topt, 3), rtol=1e-9, atol=1e-12)


def test_loading_a_state_dict_that_does_not_fit_is_refused_and_changes_nothing():
    model, x, y = model_and_data()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    run_steps(nbgrad, model, x, y, opt, 1)
    before = opt.state_dict()
    other = optim.SGD(list(model.parameters())[:2], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="loaded state dict contains a parameter group that doesn't match the size"):
        opt.load_state_dict(other)
    with pytest.raises(ValueError, match="loaded state dict has a different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    assert all(after["state"][i]["momentum_buffer"] is before["state"][i]["momentum_buffer"] for i in before["state"])


# ============================================================== bad input: clear errors, nothing changed

def test_an_optimizer_needs_parameters(torch):
    for make in (lambda o: o.SGD([], lr=0.1), lambda o: o.Adam([]), lambda o: o.AdamW(iter([]))):
        with pytest.raises(ValueError) as ours:
            make(optim)
        with pytest.raises(ValueError) as theirs:
            make(torch.optim)
        assert str(ours.value) == str(theirs.value) == "optimizer got an empty parameter list"


@pytest.mark.parametrize("make, message", [
    (lambda o, p: o.SGD(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda o, p: o.Adam(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda o, p: o.AdamW(p, lr=-1e-3), "Invalid learning rate: -0.001"),
    (lambda o, p: o.SGD(p, lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda o, p: o.SGD(p, lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda o, p: o.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (lambda o, p: o.Adam(p, betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    (lambda o, p: o.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (lambda o, p: o.Adam(p, eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (lambda o, p: o.SGD([], lr=-0.1), "Invalid learning rate: -0.1"),  # checked before the parameters
])
def test_bad_hyperparameters_are_refused_with_pytorchs_message(torch, make, message):
    with pytest.raises(ValueError) as ours:
        make(optim, [nn.Parameter(nbgrad.ones(1))])
    with pytest.raises(ValueError) as theirs:
        make(torch.optim, [torch.nn.Parameter(torch.ones(1))])
    assert str(ours.value) == str(theirs.value) == message


def test_bad_parameter_lists_are_refused():
    w = nn.Parameter(nbgrad.ones(2))
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts, but got nbgrad.FloatTensor"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is int"):
        optim.SGD([w, 3], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([w * 2], lr=0.1)
    for unordered in ({w}, [{"params": {w}}]):  # PyTorch refuses only the second; a set's order is not fixed
        with pytest.raises(TypeError, match="ordering of tensors in sets will change between runs"):
            optim.SGD(unordered, lr=0.1)


def test_a_bad_parameter_group_changes_nothing():
    a, b = nn.Parameter(nbgrad.ones(2)), nn.Parameter(nbgrad.ones(2))
    opt = optim.SGD([a], lr=0.1)
    group = {"params": [b], "lr": -1.0}
    with pytest.raises(ValueError, match="Invalid learning rate: -1.0"):
        opt.add_param_group(group)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [a, b]})
    assert len(opt.param_groups) == 1 and opt.param_groups[0]["params"] == [a]
    assert group == {"params": [b], "lr": -1.0}  # the caller's dict was not filled in
    opt.add_param_group({"params": [b], "lr": 0.5})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5] and opt.param_groups[1]["momentum"] == 0


def test_named_parameters_are_accepted_and_keep_their_names():
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    params = opt.param_groups[0]["params"]
    assert len(params) == 2 and params[0] is model.weight and params[1] is model.bias


# ============================================================== the other optimizers, without PyTorch

P0, G0 = np.array([1.0, -2.0]), np.array([2.0, -4.0])  # loss = (p·p).sum(): the first gradient is 2·p
SIGN = np.sign(G0)
MU1, MU2 = 0.9 * (1 - 0.5 * 0.96**0.004), 0.9 * (1 - 0.5 * 0.96**0.008)  # NAdam's momentum at steps 1 and 2
FIRST_STEPS = [
    # RMSprop: v = (1 - α)g², p ← p - lr·g/(√v + eps)
    ("RMSprop", {"lr": 0.01, "alpha": 0.99}, P0 - 0.01 * G0 / (0.1 * np.abs(G0) + 1e-8)),
    # Adagrad: s = g², p ← p - lr·g/(|g| + eps)
    ("Adagrad", {"lr": 0.1}, P0 - 0.1 * G0 / (np.abs(G0) + 1e-10)),
    # Adagrad from s = 1: p ← p - lr·g/√(1 + g²)
    ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 1.0, "eps": 0.0}, P0 - 0.1 * G0 / np.sqrt(1 + G0**2)),
    # Adadelta: v = 0.1g², Δ = √eps/√(v + eps)·g
    ("Adadelta", {"lr": 1.0}, P0 - np.sqrt(1e-6) / np.sqrt(0.1 * G0**2 + 1e-6) * G0),
    # Adamax: m = 0.1g, u = |g| + eps, p ← p - lr/0.1 · m/u
    ("Adamax", {"lr": 0.002}, P0 - 0.002 * G0 / (np.abs(G0) + 1e-8)),
    # NAdam: m = 0.1g, √(v/(1 - β₂)) = |g|; the g term has weight 1, the m term μ₂/(1 - μ₁μ₂)
    ("NAdam", {"lr": 0.002, "eps": 0.0}, P0 - 0.002 * SIGN * (1 + 0.1 * MU2 / (1 - MU1 * MU2))),
    # RAdam: ρ₁ = 1 ≤ 5, so the plain momentum step: p ← p - lr·m/(1 - β₁) = p - lr·g
    ("RAdam", {"lr": 0.01}, P0 - 0.01 * G0),
]


@pytest.mark.parametrize("name, config, expected", FIRST_STEPS, ids=[f"{n}-{c}" for n, c, _ in FIRST_STEPS])
def test_first_step_is_the_hand_computed_one(name, config, expected):
    p = nn.Parameter(nbgrad.tensor(P0))
    opt = getattr(optim, name)([p], **config)
    (p * p).sum().backward()
    opt.step()
    rtol = 1e-7 if name == "NAdam" else 1e-14  # NAdam keeps Π in float32
    np.testing.assert_allclose(p.detach().numpy(), expected, rtol=rtol)


CONVERGING = [("RMSprop", {"lr": 0.01}), ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}),
              ("Adagrad", {"lr": 0.5}), ("Adadelta", {"lr": 50.0}), ("Adamax", {"lr": 0.05}), ("NAdam", {"lr": 0.05}),
              ("RAdam", {"lr": 0.05}), ("AdamW", {"lr": 0.05, "weight_decay": 0.0})]


@pytest.mark.parametrize("name, config", CONVERGING, ids=[f"{n}-{c}" for n, c in CONVERGING])
def test_each_optimizer_finds_the_minimum_of_a_quadratic(name, config):
    target = nbgrad.tensor([1.5, -0.5, 3.0], dtype=nbgrad.float64)
    p = nn.Parameter(nbgrad.zeros(3, dtype=nbgrad.float64))
    opt = getattr(optim, name)([p], **config)
    for _ in range(500):
        opt.zero_grad()
        ((p - target) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(p.detach().numpy(), target.numpy(), atol=1e-2)


@pytest.mark.parametrize("name", ["RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"])
def test_a_learning_rate_edited_in_param_groups_takes_effect(name):
    p = nn.Parameter(nbgrad.tensor(P0))
    opt = getattr(optim, name)([p])
    opt.param_groups[0]["lr"] = 0.0
    (p * p).sum().backward()
    opt.step()
    assert p.tolist() == P0.tolist() and opt.state[p]["step"].item() == 1.0
    opt.param_groups[0]["lr"] = 0.1
    opt.step()
    assert p.tolist() != P0.tolist()


@pytest.mark.parametrize("name", ["RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"])
def test_new_optimizers_resume_exactly_from_a_state_dict(name):
    model, x, y = model_and_data()
    opt = getattr(optim, name)(model.parameters(), lr=0.01)
    run_steps(nbgrad, model, x, y, opt, 3)
    saved_model, saved_opt = copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())
    straight = run_steps(nbgrad, model, x, y, opt, 3)
    resumed_model, _, _ = model_and_data(seed=1)
    resumed_model.load_state_dict(saved_model)
    resumed_opt = getattr(optim, name)(resumed_model.parameters())
    resumed_opt.load_state_dict(saved_opt)
    assert sorted(saved_opt["state"]) == list(range(4))
    assert all(s["step"].item() == 3.0 for s in saved_opt["state"].values())
    # NAdam's mu_product comes back in the parameter's dtype (float64), not float32, as in PyTorch
    tol = 1e-6 if name == "NAdam" else 0
    assert_same_records(run_steps(nbgrad, resumed_model, x, y, resumed_opt, 3), straight, rtol=tol, atol=tol)


# ============================================================== a real training run

def test_two_moons_mlp_reaches_97_percent_training_accuracy():
    X, y = make_moons(n_samples=200, noise=0.1, seed=0)
    nbgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 2))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(300):
        loss = loss_fn(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with nbgrad.no_grad():
        accuracy = (model(X).argmax(dim=1) == y).float().mean().item()
    assert accuracy >= 0.97, f"training accuracy {accuracy:.3f} after 300 steps"
    assert loss.item() < 0.1


def lbfgs_closure(opt, loss_fn):
    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss
    return closure


def test_lbfgs_first_iteration_is_a_gradient_step_scaled_by_the_gradients_size():
    p = nn.Parameter(nbgrad.tensor(P0))
    opt = optim.LBFGS([p], max_iter=1)
    loss = opt.step(lbfgs_closure(opt, lambda: (p * p).sum()))
    # t = min(1, 1/Σ|g|)·lr = 1/6 with g = (2, -4): p ← p - g/6
    assert loss.item() == 5.0
    np.testing.assert_allclose(p.detach().numpy(), P0 - G0 / 6, rtol=1e-15)
    assert opt.state[p]["func_evals"] == 1 and opt.state[p]["n_iter"] == 1


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_solves_a_least_squares_problem(line_search_fn):
    A = nbgrad.tensor([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0], [1.0, 0.0, 1.0]], dtype=nbgrad.float64)
    b = nbgrad.tensor([1.0, -2.0, 0.5, 3.0], dtype=nbgrad.float64)
    p = nn.Parameter(nbgrad.zeros(3, dtype=nbgrad.float64))
    opt = optim.LBFGS([p], line_search_fn=line_search_fn, max_iter=50, tolerance_grad=1e-12, tolerance_change=1e-14)
    for _ in range(3):
        opt.step(lbfgs_closure(opt, lambda: ((A @ p - b) ** 2).sum()))
    expected = np.linalg.lstsq(A.numpy(), b.numpy(), rcond=None)[0]
    np.testing.assert_allclose(p.detach().numpy(), expected, atol=1e-9)


def test_lbfgs_needs_a_closure_and_one_parameter_group():
    p, q = nn.Parameter(nbgrad.ones(1)), nn.Parameter(nbgrad.ones(1))
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'closure'"):
        optim.LBFGS([p]).step()
    with pytest.raises(ValueError, match=r"LBFGS doesn't support per-parameter options \(parameter groups\)"):
        optim.LBFGS([{"params": [p]}, {"params": [q]}])


# ============================================================== lr_scheduler, without PyTorch

def lrs_over(make_scheduler, steps, lr=0.1, optimizer=optim.SGD, **opt_kwargs):
    """The learning rate after the constructor and after each of ``steps`` (optimizer step, scheduler step) pairs."""
    opt = optimizer([nn.Parameter(nbgrad.ones(1))], lr=lr, **opt_kwargs)
    scheduler = make_scheduler(opt)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        lrs.append(opt.param_groups[0]["lr"])
    assert scheduler.get_last_lr() == [lrs[-1]]
    return lrs


def test_step_multistep_and_exponential_schedules_by_hand():
    from nbgrad.optim import lr_scheduler as L
    np.testing.assert_allclose(lrs_over(lambda o: L.StepLR(o, step_size=2, gamma=0.5), 5),
                               [0.1, 0.1, 0.05, 0.05, 0.025, 0.025], rtol=1e-15)
    np.testing.assert_allclose(lrs_over(lambda o: L.MultiStepLR(o, milestones=[1, 3, 3]), 4),
                               [0.1, 0.01, 0.01, 0.0001, 0.0001], rtol=1e-12)
    np.testing.assert_allclose(lrs_over(lambda o: L.ExponentialLR(o, gamma=0.9), 3),
                               [0.1, 0.09, 0.081, 0.0729], rtol=1e-15)


def test_warmup_cosine_and_lambda_schedules_by_hand():
    from nbgrad.optim import lr_scheduler as L
    np.testing.assert_allclose(lrs_over(lambda o: L.LinearLR(o, start_factor=0.25, total_iters=3), 4),
                               [0.025, 0.05, 0.075, 0.1, 0.1], rtol=1e-14)
    np.testing.assert_allclose(lrs_over(lambda o: L.ConstantLR(o, factor=0.5, total_iters=2), 3),
                               [0.05, 0.05, 0.1, 0.1], rtol=1e-15)
    # half a cosine from 0.1 to 0 over 4 steps: 0.1·(1 + cos(πt/4))/2
    np.testing.assert_allclose(lrs_over(lambda o: L.CosineAnnealingLR(o, T_max=4), 4),
                               [0.1 * (1 + np.cos(np.pi * t / 4)) / 2 for t in range(5)], rtol=1e-12, atol=1e-17)
    np.testing.assert_allclose(lrs_over(lambda o: L.LambdaLR(o, lambda epoch: 1 / (epoch + 1)), 3),
                               [0.1, 0.05, 0.1 / 3, 0.025], rtol=1e-15)
    np.testing.assert_allclose(lrs_over(lambda o: L.MultiplicativeLR(o, lambda epoch: 0.5), 2),
                               [0.1, 0.05, 0.025], rtol=1e-15)
    # warm-up for 2 steps, then exponential decay from the initial lr
    sequential = lambda o: L.SequentialLR(  # noqa: E731
        o, [L.LinearLR(o, start_factor=0.5, total_iters=2), L.ExponentialLR(o, gamma=0.5)], milestones=[2])
    np.testing.assert_allclose(lrs_over(sequential, 4), [0.05, 0.075, 0.1, 0.05, 0.025], rtol=1e-14)
    np.testing.assert_allclose(lrs_over(lambda o: L.CosineAnnealingWarmRestarts(o, T_0=2), 4),
                               [0.1, 0.05, 0.1, 0.05, 0.1], rtol=1e-14)


def test_one_cycle_rises_to_max_lr_then_anneals_and_cycles_momentum():
    from nbgrad.optim import lr_scheduler as L
    momenta = []

    def make(opt):
        scheduler = L.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.5, anneal_strategy="linear")
        original_step = scheduler.step
        scheduler.step = lambda: (original_step(), momenta.append(opt.param_groups[0]["momentum"]))
        return scheduler

    lrs = lrs_over(make, 9, momentum=0.9)
    # linear from max_lr/div_factor up to max_lr at step 4, then down to that divided by final_div_factor at step 9
    np.testing.assert_allclose(lrs, [0.04 + 0.96 * t / 4 for t in range(5)] + [1 - (1 - 4e-6) * t / 5 for t in range(1, 6)],
                               rtol=1e-13)
    # momentum moves the other way: lowest (base_momentum) where the lr is highest
    np.testing.assert_allclose(momenta, [0.95 - 0.1 * t / 4 for t in range(1, 5)] + [0.85 + 0.1 * t / 5 for t in range(1, 6)],
                               rtol=1e-13)


def test_reduce_lr_on_plateau_waits_for_patience_then_cools_down():
    from nbgrad.optim import lr_scheduler as L
    opt = optim.SGD([nn.Parameter(nbgrad.ones(1))], lr=1.0)
    scheduler = L.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1, min_lr=0.2)
    lrs = []
    for metric in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]:
        scheduler.step(metric)
        lrs.append(opt.param_groups[0]["lr"])
    # two bad epochs → halve; one cooldown epoch; two more bad epochs → halve; never below min_lr
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]
    scheduler2 = L.ReduceLROnPlateau(opt, mode="max", patience=0)
    scheduler2.step(1.0)
    scheduler2.step(2.0)
    assert opt.param_groups[0]["lr"] == 0.25 and scheduler2.best == 2.0


def test_a_scheduler_warns_when_it_steps_before_its_optimizer():
    from nbgrad.optim import lr_scheduler as L
    opt = optim.SGD([nn.Parameter(nbgrad.ones(1))], lr=0.1)
    scheduler = L.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        scheduler.step()


def test_scheduler_state_dict_round_trip():
    from nbgrad.optim import lr_scheduler as L
    opt = optim.SGD([nn.Parameter(nbgrad.ones(1))], lr=0.1)
    scheduler = L.StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(3):
        opt.step()
        scheduler.step()
    saved = copy.deepcopy(scheduler.state_dict())
    assert saved["last_epoch"] == 3 and saved["base_lrs"] == [0.1] and "optimizer" not in saved
    opt2 = optim.SGD([nn.Parameter(nbgrad.ones(1))], lr=0.1)
    scheduler2 = L.StepLR(opt2, step_size=5)
    scheduler2.load_state_dict(saved)
    opt2.param_groups[0]["lr"] = scheduler.get_last_lr()[0]
    opt.step(), opt2.step()
    scheduler.step(), scheduler2.step()
    assert scheduler2.get_last_lr() == scheduler.get_last_lr() == [0.025]


def test_lr_scheduler_is_a_submodule_as_in_pytorch():
    import nbgrad.optim.lr_scheduler as by_import
    assert optim.lr_scheduler is by_import and by_import.OneCycleLR.__name__ == "OneCycleLR"
