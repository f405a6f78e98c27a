"""``Optimizer``: what every optimizer shares, as ``torch.optim.Optimizer``.

Parameters live in ``param_groups`` (each a dict: ``'params'`` plus that group's hyperparameters, the
constructor's values filling what a group leaves out); per-parameter state (momentum buffers, Adam's moving
averages) lives in ``state[param]``. A subclass writes ``step()`` and ``_check(group)``.

Updates are written on the parameters' NumPy arrays: they are not part of any graph (PyTorch runs them under
``no_grad``), and each bumps the parameter's version, so a graph that saved the old value refuses to backward.
"""
import copy
from collections import defaultdict

from .. import _creation
from ..autograd import enable_grad
from ..nn.modules.module import _typename, zero_grad_
from ..tensor import Tensor

# The names PyTorch's range checks give the hyperparameters: "Invalid epsilon value: -1e-08".
_NAMES = {"eps": "epsilon"}
_UNORDERED = (
    "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will "
    "change between runs. Please use a list instead."
)


class Optimizer:
    """Base class: holds ``param_groups``, ``state`` and ``defaults``; subclasses implement ``step``.

    ``foreach``, ``fused``, ``capturable`` and ``differentiable`` are kept in the groups as PyTorch keeps them.
    The first two choose among PyTorch's kernels for the same update: nbgrad has one. ``step()`` refuses
    ``capturable`` (CUDA graphs) as PyTorch refuses it for CPU parameters, and ``differentiable`` (a step
    recorded in the graph) for parameters that are leaves, as PyTorch's in-place update does.
    """

    # PyTorch's devices for capturable=True, and what its message says must be on them.
    _capturable_devices = "['cuda', 'xpu', 'hpu', 'privateuseone', 'xla']"
    _capturable_tensors = "params and state_steps"

    def __init__(self, params, defaults):
        self._check(defaults)
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
                + _typename(params)
            )
        if isinstance(params, set):  # PyTorch accepts a set here (not in a group): nbgrad keeps the order fixed
            raise TypeError(_UNORDERED)
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)
        if defaults.get("fused"):
            if defaults.get("differentiable"):
                raise RuntimeError("`fused` does not support `differentiable`")
            if defaults.get("foreach"):
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def _check(self, group):
        """Raise ValueError for a hyperparameter out of range (a negative learning rate, ...)."""
        lr = group["lr"]
        if isinstance(lr, Tensor) and lr.numel() != 1:  # a 0-d (or 1-element) tensor is a learning rate too
            raise ValueError("Tensor lr must be 1-element")
        if not float(lr) >= 0.0:
            shown = lr.item() if isinstance(lr, Tensor) and lr.dim() == 0 else lr  # as PyTorch formats a 0-d tensor
            raise ValueError(f"Invalid learning rate: {shown}")

    @staticmethod
    def _check_nonnegative(group, *keys):
        for key in keys:
            if not 0.0 <= group[key]:
                raise ValueError(f"Invalid {_NAMES.get(key, key)} value: {group[key]}")

    @staticmethod
    def _check_betas(group):
        for i, beta in enumerate(group["betas"]):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")

    def add_param_group(self, param_group):
        """Add a group of parameters with its own hyperparameters (the defaults fill in the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        group = dict(param_group)  # the caller's dict stays as it was
        params = group["params"]
        if isinstance(params, set):
            raise TypeError(_UNORDERED)
        params = [params] if isinstance(params, Tensor) else list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]  # from model.named_parameters()
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names and len(names) != len(params):
            raise ValueError("all optimizer params should be with/without names. Some param names are missing")
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_typename(p)}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        group["params"] = params
        if names:
            group["param_names"] = names
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check(group)
        taken = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in taken for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of every parameter: to None (the default), or to zeros."""
        zero_grad_((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure=None):
        raise NotImplementedError

    def _evaluate(self, closure):
        """The loss from ``closure`` (which recomputes it and calls backward), with recording on.

        Then PyTorch's refusals of a step, before any parameter changes.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            with_grad = [p for p in group["params"] if p._grad is not None]
            if group.get("capturable") and with_grad:
                raise AssertionError(f"If capturable=True, {self._capturable_tensors} must be on supported devices: "
                                     f"{self._capturable_devices}.")
            if group.get("differentiable") and any(p.is_leaf and p.requires_grad for p in with_grad):
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        return loss

    def _grads(self, group):
        """``(param, gradient array)`` for the parameters of ``group`` that have a gradient."""
        for p in group["params"]:
            if p._grad is not None:
                yield p, (-p._grad._data if group.get("maximize") else p._grad._data)

    # ----- saving and loading -----
    def state_dict(self):
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [index, ...]}]}``: parameters by position."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Take hyperparameters and state from ``state_dict``; parameters are matched by position.

        Tensors are copied (cast to the parameter's dtype, except the step count), so later steps do not
        change the dict that was loaded.
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
            )
        by_index = {i: p for g, s in zip(self.param_groups, saved_groups) for i, p in zip(s["params"], g["params"])}
        state = defaultdict(dict)
        for i, values in state_dict["state"].items():
            param = by_index[i]
            state[param] = {
                k: (v.to(param.dtype) if k != "step" and v.is_floating_point() else v).clone().detach()
                if isinstance(v, Tensor) else copy.deepcopy(v)
                for k, v in values.items()
            }
        groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            new = copy.deepcopy({k: v for k, v in saved.items() if k != "params"})
            new["params"] = group["params"]
            groups.append(new)
        self.state, self.param_groups = state, groups

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join(lines) + "\n)"


def _step_count():
    """A new step counter: a 0-d tensor of the default float dtype, as PyTorch's ``state['step']``."""
    return _creation.zeros(())


def _lerp_(start, end, weight):
    """``start`` ← ``start + weight·(end - start)`` in place, by PyTorch's formula for ``lerp_``."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


def _updated(param):
    """Mark a parameter written in place: a graph that saved its old value refuses to backward."""
    param._version_counter[0] += 1
