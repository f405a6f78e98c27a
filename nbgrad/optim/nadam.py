"""``NAdam``: Adam with Nesterov momentum, the momentum coefficient warming up over the steps."""
import numpy as np

from .. import _creation
from .optimizer import Optimizer, _lerp_, _step_count, _updated


class NAdam(Optimizer):
    """PyTorch's NAdam. For each parameter p with gradient g, at step t:

        g ← g + weight_decay·p            (decoupled_weight_decay instead: p ← p·(1 - lr·weight_decay))
        μₜ ← β₁·(1 - ½·0.96^(t·momentum_decay)),  Π ← Π·μₜ      (Π: mu_product, kept in the state)
        m ← β₁·m + (1 - β₁)·g,  v ← β₂·v + (1 - β₂)·g²,  d ← √(v/(1 - β₂ᵗ)) + eps
        p ← p - lr·(1 - μₜ)/(1 - Π) · g/d - lr·μₜ₊₁/(1 - Π·μₜ₊₁) · m/d
    """

    _capturable_tensors = "params, mu_products and state_steps"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _check(self, group):
        super()._check(group)
        self._check_nonnegative(group, "eps")
        self._check_betas(group)
        self._check_nonnegative(group, "weight_decay", "momentum_decay")

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss if one is given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = float(group["lr"]), group["betas"], group["eps"]
            weight_decay, momentum_decay = group["weight_decay"], group["momentum_decay"]
            for p, grad in self._grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _step_count()
                    # a 0-d tensor of the default dtype (float32), as PyTorch's: its rounding is part of the steps
                    state["mu_product"] = _creation.ones(())
                    state["exp_avg"] = _creation.zeros_like(p)
                    state["exp_avg_sq"] = _creation.zeros_like(p)
                state["step"]._data += 1
                step = state["step"].item()
                bias_correction2 = 1 - beta2**step
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        p._data *= 1 - lr * weight_decay
                    else:
                        grad = grad + weight_decay * p._data
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                state["mu_product"]._data *= mu
                mu_product = state["mu_product"].item()
                exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
                _lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                denom = np.sqrt(exp_avg_sq / bias_correction2) + eps
                p._data += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (grad / denom)
                p._data += ((-lr * mu_next) / (1.0 - mu_product * mu_next)) * (exp_avg / denom)
                _updated(p)
        return loss
