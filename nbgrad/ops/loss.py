"""Loss primitives whose PyTorch nodes are single ops (MseLossBackward0, NllLossBackward0, ...)."""
import math

import numpy as np

from ..autograd import function
from . import backward as B
from ._base import Primitive, Rule, constant, exp, log, raw, saved
from .elementwise import add_scalar, div_scalar, sigmoid, where

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
        g = B.mse_loss_backward(grad, x, y, ctx.reduction)
        if not isinstance(grad, function.Tensor):  # on arrays, y's gradient is -g: no second pass
            return g, -g, None
        # recorded: y's is mse_loss_backward with x and y swapped, a node of its own, as in PyTorch
        return g, B.mse_loss_backward(grad, y, x, ctx.reduction) if ctx.needs_input_grad[1] else None, None


class NllLoss(Primitive):
    rule = Rule("-reduce(logp[i, target_i]·w);  ∂/∂logp[i, target_i] = -w/W (W = total weight for 'mean')",
                latex=(r"-\operatorname{mean}_i\, $logp[i, t_i]", r"-\frac{w}{W} \text{ at each target}"))

    saved_names = ("self",)
    _backward_op = B.NllLossBackward  # what backward records under create_graph

    @staticmethod
    def forward(ctx, logp, target, weight, reduction, ignore_index):
        """``logp`` is (C,), (N, C) or, for NllLoss2d, (N, C, H, W); ``target`` has its shape without C."""
        x = logp._data
        axis = 0 if x.ndim == 1 else 1  # the class dim
        keep = target != ignore_index
        safe = np.where(keep, target, 0)  # an ignored target picks class 0, with weight 0
        per = keep.astype(x.dtype) if weight is None else weight.astype(x.dtype)[safe] * keep  # each target's weight
        if x.ndim <= 2:  # one index per target, (row, class): a third of take_along_axis's time here (measured)
            at = (np.arange(len(safe)), safe) if x.ndim == 2 else (safe,)
            picked = -x[at] * per
        else:
            at = np.expand_dims(safe, axis)
            picked = -np.take_along_axis(x, at, axis).squeeze(axis) * per
        ctx.save_for_backward(logp)  # only for its place in the graph of a recorded gradient, as in PyTorch
        ctx.target, ctx.reduction = target, reduction
        ctx._per, ctx._keep, ctx._shape, ctx._at, ctx._axis = per, keep, x.shape, at, axis
        if reduction == "none":
            return picked
        if reduction == "sum":
            return np.add.reduce(picked, axis=None)
        ctx._total = total = np.add.reduce(per, axis=None)
        if not total:  # every target ignored: 0/0 = nan, as in PyTorch
            return np.full((), np.nan, x.dtype)
        return np.add.reduce(picked, axis=None) / total

    @classmethod
    def backward(cls, ctx, grad):
        per = ctx._per
        if ctx.reduction == "mean":  # NOTE: an ignored target gets 0 even when all are ignored (0/0), as in PyTorch
            # (and a kept target whose weight is 0 gets 0/0 = nan when all weights are 0)
            per = per / ctx._total if ctx._total else np.where(ctx._keep, np.nan, 0).astype(per.dtype)
        onehot = np.zeros(ctx._shape, dtype=per.dtype)
        if isinstance(ctx._at, tuple):
            onehot[ctx._at] = 0 - per  # not -per: an ignored target's 0 stays +0, as in PyTorch
        else:
            np.put_along_axis(onehot, ctx._at, np.expand_dims(0 - per, ctx._axis), ctx._axis)
        if isinstance(grad, function.Tensor):  # recorded: one node, NllLossBackwardBackward0, as in PyTorch
            (logp,) = ctx.saved_tensors
            return cls._backward_op.apply(grad, logp, onehot, ctx.reduction), None, None, None, None
        return B.nll_loss_backward(grad, onehot, ctx.reduction), None, None, None, None


class NllLoss2d(NllLoss):
    rule = Rule("-reduce(logp[n, target_nhw, h, w]·w);  ∂/∂logp[n, target_nhw, h, w] = -w/W (W = total weight "
                "for 'mean')",
                latex=(r"-\operatorname{mean}_{n,h,w}\, $logp[n, t_{nhw}, h, w]", r"-\frac{w}{W} \text{ at each target}"))

    node_name = "NllLoss2DBackward0"
    _backward_op = B.NllLoss2dBackward


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

        def scaled(derivative):  # in PyTorch's order, so a recorded gradient has its nodes: ·grad, ·w, /n
            g = derivative * grad
            if weight is not None:
                g = g * weight
            return div_scalar(g, raw(x).size) if ctx.reduction == "mean" else g

        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            s = sigmoid(x)
            if pos_weight is None:
                grad_x = scaled(s - y)
            else:
                py = pos_weight * y
                grad_x = scaled((add_scalar(py, 1) - y) * s - py)
        if ctx.needs_input_grad[1]:
            grad_y = -x
            if pos_weight is not None:
                grad_y = grad_y + (pos_weight - 1) * _log1p_exp_neg(x)
            grad_y = scaled(grad_y)
        return grad_x, grad_y, None, None, None
