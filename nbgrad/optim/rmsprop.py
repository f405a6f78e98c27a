"""``RMSprop``: steps divided by a running root mean square of the gradient."""
import numpy as np

from .. import _creation
from .optimizer import Optimizer, _lerp_, _step_count, _updated


class RMSprop(Optimizer):
    """PyTorch's RMSprop. For each parameter p with gradient g, every step:

        g ← g + weight_decay·p
        v ← α·v + (1 - α)·g²
        d ← √v + eps,  or if centered:  ḡ ← α·ḡ + (1 - α)·g,  d ← √(v - ḡ²) + eps
        b ← momentum·b + g/d,  p ← p - lr·b      (if momentum > 0)
        p ← p - lr·g/d                           (otherwise)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _check(self, group):
        super()._check(group)
        self._check_nonnegative(group, "eps", "momentum", "weight_decay", "alpha")

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss if one is given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, alpha, eps = float(group["lr"]), group["alpha"], group["eps"]
            weight_decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p, grad in self._grads(group):
                state = self.state[p]
                if not state:
                    state["step"] = _step_count()
                    state["square_avg"] = _creation.zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _creation.zeros_like(p)
                    if centered:
                        state["grad_avg"] = _creation.zeros_like(p)
                state["step"]._data += 1
                if weight_decay != 0:
                    grad = grad + weight_decay * p._data
                square_avg = state["square_avg"]._data
                square_avg *= alpha
                square_avg += (1 - alpha) * grad * grad
                if centered:
                    grad_avg = state["grad_avg"]._data
                    _lerp_(grad_avg, grad, 1 - alpha)
                    avg = np.sqrt(square_avg - grad_avg * grad_avg)
                else:
                    avg = np.sqrt(square_avg)
                avg += eps
                if momentum > 0:
                    buf = state["momentum_buffer"]._data
                    buf *= momentum
                    buf += grad / avg
                    p._data -= lr * buf
                else:
                    p._data -= lr * (grad / avg)
                _updated(p)
        return loss
