"""``SGD``: stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""
from ..tensor import Tensor
from .optimizer import Optimizer, _updated


class SGD(Optimizer):
    """PyTorch's SGD. For each parameter p with gradient g, every step:

        g ← g + weight_decay·p
        b ← g on the first step, then b ← momentum·b + (1 - dampening)·g      (if momentum ≠ 0)
        g ← g + momentum·b  if nesterov  else  b
        p ← p - lr·g
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach, "differentiable": differentiable,
                    "fused": fused}
        super().__init__(params, defaults)

    def _check(self, group):
        super()._check(group)
        if group["momentum"] < 0.0:
            raise ValueError(f"Invalid momentum value: {group['momentum']}")
        if group["weight_decay"] < 0.0:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns the closure's loss if one is given."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            lr, momentum, dampening = float(group["lr"]), group["momentum"], group["dampening"]  # lr: maybe a tensor
            weight_decay, nesterov = group["weight_decay"], group["nesterov"]
            for p, grad in self._grads(group):
                if weight_decay != 0:
                    grad = grad + weight_decay * p._data
                if momentum != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        state["momentum_buffer"] = Tensor._make(grad.copy())
                    else:
                        buf = state["momentum_buffer"]._data
                        buf *= momentum
                        buf += (1 - dampening) * grad
                    buf = state["momentum_buffer"]._data
                    grad = grad + momentum * buf if nesterov else buf
                p._data -= lr * grad
                _updated(p)
        return loss
