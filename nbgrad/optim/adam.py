"""``Adam`` and ``AdamW``: steps scaled by running estimates of the gradient's first and second moments."""
import numpy as np

from .. import _creation
from ..tensor import Tensor
from .optimizer import Optimizer, _lerp_, _step_count, _updated


class Adam(Optimizer):
    """PyTorch's Adam. For each parameter p with gradient g, at step t:

        g ← g + weight_decay·p              (AdamW instead: p ← p·(1 - lr·weight_decay))
        m ← β₁·m + (1 - β₁)·g               v ← β₂·v + (1 - β₂)·g²
        v̂ ← max(v̂, v) if amsgrad else v
        p ← p - lr/(1 - β₁ᵗ) · m / (√v̂ / √(1 - β₂ᵗ) + eps)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _check(self, group):
        super()._check(group)
        self._check_nonnegative(group, "eps")
        self._check_betas(group)
        self._check_nonnegative(group, "weight_decay")
        betas = group["betas"]
        if not (all(isinstance(b, float) for b in betas) or all(isinstance(b, Tensor) for b in betas)):
            raise ValueError("betas must be either both floats or both Tensors")

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss if one is given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, eps = float(group["lr"]), group["eps"]  # lr: maybe a tensor
            beta1, beta2 = (float(b) for b in group["betas"])
            weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
            for p, grad in self._grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _step_count()
                    state["exp_avg"] = _creation.zeros_like(p)
                    state["exp_avg_sq"] = _creation.zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _creation.zeros_like(p)
                state["step"]._data += 1
                step = state["step"].item()
                if weight_decay != 0:
                    if group["decoupled_weight_decay"]:
                        p._data *= 1 - lr * weight_decay
                    else:
                        grad = grad + weight_decay * p._data
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                _lerp_(m, grad, 1 - beta1)
                v *= beta2
                v += (1 - beta2) * grad * grad
                if amsgrad:
                    v = np.maximum(state["max_exp_avg_sq"]._data, v, out=state["max_exp_avg_sq"]._data)
                step_size = lr / (1 - beta1**step)
                denom = np.sqrt(v) / (1 - beta2**step) ** 0.5 + eps
                p._data -= step_size * (m / denom)
                _updated(p)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay: p ← p·(1 - lr·weight_decay) before the Adam step (default 0.01)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
