"""Loss primitives whose PyTorch nodes are single ops (MseLossBackward0, NllLossBackward0, ...)."""
import math

import numpy as np

from ._base import Primitive, Rule, constant, exp, log, raw, saved, unsqueeze
from .elementwise import sigmoid, where

_REDUCE = {"mean": np.mean, "sum": np.sum, "none": lambda x: x}


class MseLoss(Primitive):
    rule = Rule("reduce((x - y)²);  ∂/∂x = 2(x - y)/n,  ∂/∂y = -2(x - y)/n  (n = element count for 'mean')",
                latex=(r"\operatorname{mean}(($x - $y)^2)", r"\frac{2 ($x - $y)}{n}", r"-\frac{2 ($x - $y)}{n}"))

    saved_names = ("self", "target")

    @staticmethod
    def forward(ctx, x, y, reduction):
        ctx.save_for_backward(x, y)
        ctx.reduction = reduction
        return _REDUCE[reduction]((x._data - y._data) ** 2)

    @staticmethod
    def backward(ctx, grad):
        x, y = saved(ctx, grad)
        scale = 2 / raw(x).size if ctx.reduction == "mean" else 2
        diff = (x - y) * scale
        g = grad * diff
        return g, -g, None


class NllLoss(Primitive):
    rule = Rule("-reduce(logp[i, target_i]·w);  ∂/∂logp[i, target_i] = -w/W (W = total weight for 'mean')",
                latex=(r"-\operatorname{mean}_i\, $logp[i, t_i]", r"-\frac{w}{W} \text{ at each target}"))

    saved_names = ("target",)

    @staticmethod
    def forward(ctx, logp, target, weight, reduction, ignore_index):
        x = logp._data
        batched = x.ndim == 2
        rows = x if batched else x[None]
        t = target.reshape(-1)
        keep = t != ignore_index
        at = np.arange(len(t)), np.where(keep, t, 0)  # the picked element of each row (row 0's for ignored ones)
        per = keep.astype(x.dtype) if weight is None else weight.astype(x.dtype)[at[1]] * keep  # each row's weight
        picked = -rows[at] * per
        ctx.target, ctx.reduction = target, reduction
        ctx._per, ctx._shape, ctx._at = per, x.shape, at
        if reduction == "none":
            return picked if batched else picked[0]
        if reduction == "sum":
            return np.add.reduce(picked)
        ctx._total = np.add.reduce(per)
        return np.add.reduce(picked) / ctx._total

    @staticmethod
    def backward(ctx, grad):
        per = ctx._per / ctx._total if ctx.reduction == "mean" else ctx._per
        onehot = np.zeros((len(per), ctx._shape[-1]), dtype=per.dtype)
        onehot[ctx._at] = -per
        onehot = onehot.reshape(ctx._shape)
        if ctx.reduction == "none":
            g = unsqueeze(grad, -1) if len(ctx._shape) == 2 else grad
            return g * onehot, None, None, None, None
        return grad * onehot, None, None, None, None


def _log1p_exp_neg(x):
    """log(1 + e⁻ˣ) with the rule's operations, so create_graph can differentiate it: e to a positive power
    never appears (no overflow), and no kink is used (relu or abs would give the derivative 0 at x = 0
    instead of -σ(0) = -1/2)."""
    zero = constant(np.zeros_like(raw(x)), x)
    pos, neg = where(raw(x) >= 0, x, zero), where(raw(x) < 0, x, zero)
    # x >= 0: log(1 + e⁻ˣ) + log 2 - log 2;   x < 0: log 2 + log(1 + eˣ) - x - log 2
    return log(exp(-pos) + 1) + (log(exp(neg) + 1) - neg) - math.log(2.0)


class BinaryCrossEntropyWithLogits(Primitive):
    """``p`` (pos_weight) is 1 when not given, and then ∂/∂x = w·(σ(x) - y)."""

    rule = Rule(
        "reduce(w·[(1-y)·x + c·log(1+e⁻ˣ)]), c = 1+(p-1)·y;  ∂/∂x = w·(c·σ(x) - p·y),  ∂/∂y = w·((p-1)·log(1+e⁻ˣ) - x)",
        latex=(
            r"\operatorname{reduce}\bigl(w\,[(1 - $y)\,$x + c \log(1 + e^{-$x})]\bigr),\ c = 1 + (p - 1)\,$y",
            r"w\,\bigl(c\,\sigma($x) - p\,$y\bigr)",
            r"w\,\bigl((p - 1) \log(1 + e^{-$x}) - $x\bigr)",
        ),
    )

    saved_names = ("self", "target", "weight", "pos_weight")

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        ctx.save_for_backward(x, y, weight, pos_weight)
        ctx.reduction = reduction
        xs, ys = x._data, y._data
        softplus = np.logaddexp(0, -xs)  # log(1 + e⁻ˣ) without overflow
        coef = 1 if pos_weight is None else 1 + (pos_weight._data - 1) * ys
        loss = (1 - ys) * xs + coef * softplus
        if weight is not None:
            loss = loss * weight._data
        return _REDUCE[reduction](loss).astype(xs.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, y, weight, pos_weight = saved(ctx, grad)
        if ctx.reduction == "mean":
            grad = grad / raw(x).size
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            p = pos_weight
            s = sigmoid(x)
            grad_x = s - y if p is None else ((p - 1) * y + 1) * s - p * y
            grad_x = grad * (grad_x if weight is None else grad_x * weight)
        if ctx.needs_input_grad[1]:
            grad_y = -x
            if pos_weight is not None:
                grad_y = grad_y + (pos_weight - 1) * _log1p_exp_neg(x)
            grad_y = grad * (grad_y if weight is None else grad_y * weight)
        return grad_x, grad_y, None, None, None
