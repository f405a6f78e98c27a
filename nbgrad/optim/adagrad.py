"""``Adagrad``: steps divided by the root of the sum of all squared gradients so far."""
import numpy as np

from .. import _creation
from .optimizer import Optimizer, _step_count, _updated


class Adagrad(Optimizer):
    """PyTorch's Adagrad. For each parameter p with gradient g, at step t:

        g ← g + weight_decay·p
        s ← s + g²                     (s starts at initial_accumulator_value)
        p ← p - lr/(1 + (t - 1)·lr_decay) · g/(√s + eps)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        # Unlike the other optimizers, PyTorch's makes the state of every parameter here, and always from the
        # constructor's initial_accumulator_value (a group's own is not used).
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p):
        state = self.state[p]
        state["step"] = _step_count()
        state["sum"] = _creation.full_like(p, self.defaults["initial_accumulator_value"])

    def _check(self, group):
        super()._check(group)
        self._check_nonnegative(group, "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss if one is given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, lr_decay, eps, weight_decay = float(group["lr"]), group["lr_decay"], group["eps"], group["weight_decay"]
            for p, grad in self._grads(group):
                if not self.state[p]:  # a parameter added by add_param_group
                    self._init_state(p)
                state = self.state[p]
                state["step"]._data += 1
                step = state["step"].item()
                if weight_decay != 0:
                    grad = grad + weight_decay * p._data
                clr = lr / (1 + (step - 1) * lr_decay)
                state_sum = state["sum"]._data
                state_sum += grad * grad
                p._data -= clr * (grad / (np.sqrt(state_sum) + eps))
                _updated(p)
        return loss
