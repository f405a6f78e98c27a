"""``Adadelta``: steps scaled by the ratio of running root mean squares of past updates and gradients."""
import numpy as np

from .. import _creation
from .optimizer import Optimizer, _step_count, _updated


class Adadelta(Optimizer):
    """PyTorch's Adadelta. For each parameter p with gradient g, every step:

        g ← g + weight_decay·p
        v ← ρ·v + (1 - ρ)·g²
        Δ ← √(u + eps) / √(v + eps) · g
        u ← ρ·u + (1 - ρ)·Δ²
        p ← p - lr·Δ
    """

    _capturable_devices = "['cuda', 'xpu', 'hpu', 'privateuseone']"

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _check(self, group):
        super()._check(group)
        if not 0.0 <= group["rho"] <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']}")
        self._check_nonnegative(group, "eps", "weight_decay")

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss if one is given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, rho, eps, weight_decay = float(group["lr"]), group["rho"], group["eps"], group["weight_decay"]
            for p, grad in self._grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _step_count()
                    state["square_avg"] = _creation.zeros_like(p)
                    state["acc_delta"] = _creation.zeros_like(p)
                state["step"]._data += 1
                if weight_decay != 0:
                    grad = grad + weight_decay * p._data
                square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
                square_avg *= rho
                square_avg += (1 - rho) * grad * grad
                delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * grad
                acc_delta *= rho
                acc_delta += (1 - rho) * delta * delta
                p._data -= lr * delta
                _updated(p)
        return loss
