"""``RAdam``: Adam whose adaptive step is switched on, and rectified, once its variance estimate is reliable."""
import numpy as np

from .. import _creation
from .optimizer import Optimizer, _lerp_, _step_count, _updated


class RAdam(Optimizer):
    """PyTorch's RAdam. For each parameter p with gradient g, at step t:

        g ← g + weight_decay·p            (decoupled_weight_decay instead: p ← p·(1 - lr·weight_decay))
        m ← β₁·m + (1 - β₁)·g,  v ← β₂·v + (1 - β₂)·g²,  m̂ ← m/(1 - β₁ᵗ)
        ρ∞ = 2/(1 - β₂) - 1,  ρₜ = ρ∞ - 2t·β₂ᵗ/(1 - β₂ᵗ)
        if ρₜ > 5:  r = √((ρₜ - 4)(ρₜ - 2)ρ∞ / ((ρ∞ - 4)(ρ∞ - 2)ρₜ))
                    p ← p - lr·m̂·√(1 - β₂ᵗ)/(√v + eps)·r
        else:       p ← p - lr·m̂
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False, differentiable=False):
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable, "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
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
                    state["exp_avg_sq"] = _creation.zeros_like(p)
                state["step"]._data += 1
                step = state["step"].item()
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        p._data *= 1 - lr * weight_decay
                    else:
                        grad = grad + weight_decay * p._data
                exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
                _lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                bias_corrected_exp_avg = exp_avg / bias_correction1
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    adaptive_lr = (bias_correction2**0.5) / (np.sqrt(exp_avg_sq) + eps)
                    p._data -= bias_corrected_exp_avg * lr * adaptive_lr * rect
                else:
                    p._data -= bias_corrected_exp_avg * lr
                _updated(p)
        return loss
