"""``nbgrad.optim`` against ``torch.optim``: every optimizer and scheduler option, step by step, in float64.

The same code drives both libraries (``lib`` is ``nbgrad`` or ``torch``) from the same initial values; the
parameters after each of 20 steps, and each learning rate a scheduler sets, must agree to 1e-10.
"""
import itertools

import numpy as np
import pytest

import nbgrad
import nbgrad.optim as optim

torch = pytest.importorskip("torch", reason="PyTorch not installed: differential tests against it are skipped")
pytestmark = pytest.mark.torch

STEPS = 20
TOL = {"rtol": 1e-10, "atol": 1e-10}
X0 = [0.3, -0.8, 1.4]
W0 = [[0.5, -0.2, 0.1], [-0.7, 0.4, 0.9]]


def make_params(lib):
    return (lib.tensor(X0, dtype=lib.float64, requires_grad=True),
            lib.tensor(W0, dtype=lib.float64, requires_grad=True))


def loss_of(lib, x, w, sign=1):
    """A Rosenbrock-like valley in x, plus a term that couples x and w (negated for ``maximize=True``)."""
    rosen = ((1 - x[:-1]) ** 2).sum() + 2 * ((x[1:] - x[:-1] ** 2) ** 2).sum()
    return sign * (rosen + (w @ x).tanh().sum() + 0.1 * (w * w).sum())


def trajectory(lib, make_optimizer, steps=STEPS, groups=False, closure=False):
    """Parameters after each step; at step 10 every group's lr is halved through ``param_groups``."""
    x, w = make_params(lib)
    params = [{"params": [x]}, {"params": [w], "lr": 0.02}] if groups else [x, w]
    opt = make_optimizer(lib.optim, params)
    sign = -1 if opt.defaults.get("maximize") else 1
    record = []
    for i in range(steps):
        if i == steps // 2:
            for group in opt.param_groups:
                group["lr"] = group["lr"] * 0.5

        def step_closure():
            opt.zero_grad()
            loss = loss_of(lib, x, w, sign)
            loss.backward()
            return loss

        if closure:
            opt.step(step_closure)
        else:
            step_closure()
            opt.step()
        record.append([x.detach().numpy().copy(), w.detach().numpy().copy()])
    return opt, record


def assert_same_trajectory(ours, theirs):
    assert np.isfinite(ours[-1][0]).all() and np.isfinite(ours[-1][1]).all()
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for p, tp in zip(a, b):
            np.testing.assert_allclose(p, tp, **TOL, err_msg=f"parameter after step {step + 1}")
    assert not np.allclose(ours[0][0], ours[-1][0])  # the parameters did move


def combos(**options):
    """Every combination of the options' values, as keyword dicts."""
    keys = list(options)
    return [dict(zip(keys, values)) for values in itertools.product(*options.values())]


CASES = (
    [("SGD", c) for c in combos(lr=[0.05], momentum=[0, 0.9], dampening=[0, 0.3], weight_decay=[0, 0.1],
                                 maximize=[False, True]) if not (c["momentum"] == 0 and c["dampening"])]
    + [("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=w)) for w in (0, 0.1)]
    + [(name, {"lr": 0.05, "weight_decay": 0.1, "maximize": True})
       for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam")]
    + [("Adam", c) for c in combos(lr=[0.05], betas=[(0.9, 0.999), (0.3, 0.5)], weight_decay=[0, 0.1],
                                    amsgrad=[False, True],
                                    decoupled_weight_decay=[False, True])]
    + [("AdamW", c) for c in combos(lr=[0.05], weight_decay=[0.01, 0.3], amsgrad=[False, True])]
    + [("RMSprop", c) for c in combos(lr=[0.01], alpha=[0.99, 0.6], eps=[1e-8, 1e-3], weight_decay=[0, 0.1],
                                       momentum=[0, 0.7], centered=[False, True])]
    + [("Adagrad", c) for c in combos(lr=[0.1], lr_decay=[0, 0.05], weight_decay=[0, 0.1],
                                       initial_accumulator_value=[0, 0.5], eps=[1e-10, 1e-2])]
    + [("Adadelta", c) for c in combos(lr=[1.0, 0.5], rho=[0.9, 0.4], eps=[1e-6, 1e-3], weight_decay=[0, 0.1])]
    + [("Adamax", c) for c in combos(lr=[0.05], betas=[(0.9, 0.999), (0.3, 0.5)], eps=[1e-8, 1e-2],
                                      weight_decay=[0, 0.1])]
    + [("NAdam", c) for c in combos(lr=[0.05], betas=[(0.9, 0.999), (0.3, 0.5)], weight_decay=[0, 0.1],
                                     momentum_decay=[4e-3, 0.2], decoupled_weight_decay=[False, True])]
    + [("RAdam", c) for c in combos(lr=[0.05], betas=[(0.9, 0.999), (0.5, 0.8)], weight_decay=[0, 0.1],
                                     decoupled_weight_decay=[False, True])]
)


def case_id(case):
    name, config = case
    return name + "-" + ",".join(f"{k}={v}" for k, v in config.items())


@pytest.mark.parametrize("name, config", CASES, ids=[case_id(c) for c in CASES])
def test_trajectory_matches_pytorch(name, config):
    make = lambda o, params: getattr(o, name)(params, **config)  # noqa: E731
    assert_same_trajectory(trajectory(nbgrad, make)[1], trajectory(torch, make)[1])


DEFAULTS = {"SGD": {"lr": 0.05, "momentum": 0.9}, "Adam": {"lr": 0.05, "amsgrad": True}, "AdamW": {"lr": 0.05},
            "RMSprop": {"momentum": 0.5, "centered": True}, "Adagrad": {"lr": 0.1}, "Adadelta": {},
            "Adamax": {}, "NAdam": {}, "RAdam": {"lr": 0.05}}
NAMES = list(DEFAULTS)


def make_named(name, **extra):
    return lambda o, params: getattr(o, name)(params, **{**DEFAULTS[name], **extra})


@pytest.mark.parametrize("name", NAMES)
def test_parameter_groups_and_a_closure_match_pytorch(name):
    ours = trajectory(nbgrad, make_named(name), groups=True, closure=True)
    theirs = trajectory(torch, make_named(name), groups=True, closure=True)
    assert_same_trajectory(ours[1], theirs[1])
    assert [g["lr"] for g in ours[0].param_groups] == [g["lr"] for g in theirs[0].param_groups]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("flags", [{"foreach": True}, {"foreach": False}, {"fused": True}],
                         ids=["foreach", "no-foreach", "fused"])
def test_foreach_and_fused_are_accepted_where_pytorch_accepts_them(name, flags):
    """They choose among PyTorch's kernels for one update; where PyTorch has no such argument, nbgrad has none."""
    try:
        theirs = trajectory(torch, make_named(name, **flags))
    except TypeError as error:
        with pytest.raises(TypeError) as ours:
            trajectory(nbgrad, make_named(name, **flags))
        assert str(ours.value).replace("nbgrad", "torch") == str(error)
        return
    ours = trajectory(nbgrad, make_named(name, **flags))
    assert_same_trajectory(ours[1], theirs[1])
    assert ours[0].param_groups[0] | {"params": None} == theirs[0].param_groups[0] | {"params": None}


def raised(lib, make):
    """The exception ``make(lib.optim, params)`` raises, constructing or stepping; None if it raises none."""
    x, w = make_params(lib)
    try:
        opt = make(lib.optim, [x, w])
        loss_of(lib, x, w).backward()
        opt.step()
    except Exception as error:  # noqa: BLE001  (any exception type is compared with PyTorch's)
        return error, x.detach().numpy().copy()
    return None, x.detach().numpy().copy()


FLAG_CASES = [(name, flags) for name in NAMES for flags in (
    {"capturable": True}, {"differentiable": True}, {"fused": True, "foreach": True},
    {"fused": True, "differentiable": True})]


@pytest.mark.parametrize("name, flags", FLAG_CASES, ids=[case_id(c) for c in FLAG_CASES])
def test_capturable_differentiable_and_fused_refusals_are_pytorchs(name, flags):
    ours, x = raised(nbgrad, make_named(name, **flags))
    theirs, _ = raised(torch, make_named(name, **flags))
    assert type(ours) is type(theirs)
    assert str(ours).replace("nbgrad", "torch") == str(theirs)
    assert x.tolist() == X0  # refused before any parameter changed


BAD = [
    ("SGD", {"lr": -1}), ("Adam", {"lr": -1}), ("Adam", {"betas": (0, 0.9)}), ("Adam", {"weight_decay": -0.1}),
    ("AdamW", {"eps": -1.0}),
    ("RMSprop", {"lr": -0.5}), ("RMSprop", {"eps": -1e-8}), ("RMSprop", {"momentum": -0.1}),
    ("RMSprop", {"weight_decay": -1}), ("RMSprop", {"alpha": -0.5}),
    ("Adagrad", {"lr": -1}), ("Adagrad", {"lr_decay": -0.1}), ("Adagrad", {"weight_decay": -1}),
    ("Adagrad", {"initial_accumulator_value": -1}), ("Adagrad", {"eps": -1e-10}),
    ("Adadelta", {"lr": -1}), ("Adadelta", {"rho": 1.5}), ("Adadelta", {"rho": -0.1}), ("Adadelta", {"eps": -1}),
    ("Adadelta", {"weight_decay": -1}),
    ("Adamax", {"lr": -1}), ("Adamax", {"eps": -1}), ("Adamax", {"betas": (1.0, 0.9)}),
    ("Adamax", {"betas": (0.9, 1.0)}), ("Adamax", {"weight_decay": -1}),
    ("NAdam", {"lr": -1}), ("NAdam", {"eps": -1}), ("NAdam", {"betas": (-0.1, 0.9)}),
    ("NAdam", {"weight_decay": -1}), ("NAdam", {"momentum_decay": -1}),
    ("RAdam", {"lr": -1}), ("RAdam", {"eps": -1}), ("RAdam", {"betas": (0.9, 1.5)}), ("RAdam", {"weight_decay": -2}),
]


@pytest.mark.parametrize("name, config", BAD, ids=[case_id(c) for c in BAD])
def test_bad_hyperparameters_are_refused_with_pytorchs_message(name, config):
    ours, theirs = raised(nbgrad, make_named(name, **config))[0], raised(torch, make_named(name, **config))[0]
    assert type(ours) is type(theirs) is ValueError
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("name", NAMES)
def test_an_empty_parameter_list_is_refused_as_pytorch_refuses_it(name):
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)([])
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([])
    assert str(ours.value) == str(theirs.value) == "optimizer got an empty parameter list"


@pytest.mark.parametrize("name", NAMES)
def test_repr_is_pytorchs(name):
    ours = repr(getattr(optim, name)([nbgrad.ones(1, requires_grad=True)], **DEFAULTS[name]))
    theirs = repr(getattr(torch.optim, name)([torch.ones(1, requires_grad=True)], **DEFAULTS[name]))
    assert ours == theirs


# ============================================================== state_dict

def assert_same_state_dict(ours, theirs):
    assert list(ours["state"]) == list(theirs["state"])
    for index, state in ours["state"].items():
        assert list(state) == list(theirs["state"][index])
        for key, value in state.items():
            assert value.dtype.name == str(theirs["state"][index][key].dtype).removeprefix("torch.")
            np.testing.assert_allclose(value.numpy(), theirs["state"][index][key].numpy(), **TOL)
    assert ours["param_groups"] == theirs["param_groups"]


def to_nbgrad(state_dict):
    return {"state": {i: {k: nbgrad.tensor(v.numpy()) for k, v in s.items()} for i, s in state_dict["state"].items()},
            "param_groups": state_dict["param_groups"]}


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_has_pytorchs_layout_and_values(name):
    ours = trajectory(nbgrad, make_named(name), steps=5, groups=True)[0]
    theirs = trajectory(torch, make_named(name), steps=5, groups=True)[0]
    assert_same_state_dict(ours.state_dict(), theirs.state_dict())


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_before_any_step_is_pytorchs(name):
    """Adagrad makes its state in the constructor; the others at their first step."""
    ours = make_named(name)(optim, list(make_params(nbgrad)))
    theirs = make_named(name)(torch.optim, list(make_params(torch)))
    assert_same_state_dict(ours.state_dict(), theirs.state_dict())


@pytest.mark.parametrize("name", NAMES)
def test_a_state_saved_by_pytorch_resumes_the_same_in_nbgrad(name):
    """Ten steps in PyTorch, its state_dict loaded into nbgrad's optimizer: the next ten steps agree."""
    def run(lib, opt, x, w, steps):
        record = []
        for _ in range(steps):
            opt.zero_grad()
            loss_of(lib, x, w).backward()
            opt.step()
            record.append([x.detach().numpy().copy(), w.detach().numpy().copy()])
        return record

    tx, tw = make_params(torch)
    topt = make_named(name)(torch.optim, [tx, tw])
    run(torch, topt, tx, tw, 10)
    x = nbgrad.tensor(tx.detach().numpy(), requires_grad=True)
    w = nbgrad.tensor(tw.detach().numpy(), requires_grad=True)
    opt = getattr(optim, name)([x, w], lr=123.0)
    opt.load_state_dict(to_nbgrad(topt.state_dict()))
    assert opt.param_groups[0]["lr"] == topt.param_groups[0]["lr"]
    assert_same_trajectory(run(nbgrad, opt, x, w, 10), run(torch, topt, tx, tw, 10))

