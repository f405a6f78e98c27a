"""``Adamax``: Adam with the infinity norm of past gradients in place of their root mean square."""
import numpy as np

from .. import _creation
from .optimizer import Optimizer, _lerp_, _step_count, _updated


class Adamax(Optimizer):
    """PyTorch's Adamax. For each parameter p with gradient g, at step t:

        g ← g + weight_decay·p
        m ← β₁·m + (1 - β₁)·g
        u ← max(β₂·u, |g| + eps)
        p ← p - lr/(1 - β₁ᵗ) · m/u
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _check(self, group):
        super()._check(group)
        self._check_nonnegative(group, "eps")
        self._check_betas(group)
        self._check_nonnegative(group, "weight_decay")

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss if one is given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, (beta1, beta2) = float(group["lr"]), group["betas"]
            eps, weight_decay = group["eps"], group["weight_decay"]
            for p, grad in self._grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _step_count()
                    state["exp_avg"] = _creation.zeros_like(p)
                    state["exp_inf"] = _creation.zeros_like(p)
                state["step"]._data += 1
                step = state["step"].item()
                if weight_decay != 0:
                    grad = grad + weight_decay * p._data
                exp_avg, exp_inf = state["exp_avg"]._data, state["exp_inf"]._data
                _lerp_(exp_avg, grad, 1 - beta1)
                exp_inf *= beta2
                np.maximum(exp_inf, np.abs(grad) + eps, out=exp_inf)
                p._data -= lr / (1 - beta1**step) * (exp_avg / exp_inf)
                _updated(p)
        return loss
