"""Loss primitives whose PyTorch nodes are single ops (MseLossBackward0, NllLossBackward0)."""
import numpy as np

from ._base import Primitive

_REDUCE = {"mean": np.mean, "sum": np.sum, "none": lambda x: x}


class MseLoss(Primitive):
    """reduce((x - y)²);  ∂/∂x = 2(x - y)/n,  ∂/∂y = -2(x - y)/n  (n = element count for 'mean')"""

    saved_names = ("self", "target")

    @staticmethod
    def forward(ctx, x, y, reduction):
        ctx.save_for_backward(x, y)
        ctx.reduction = reduction
        return _REDUCE[reduction]((x._data - y._data) ** 2)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        scale = 2 / x._data.size if ctx.reduction == "mean" else 2
        diff = (x - y) * scale
        g = grad * diff
        return g, -g, None


class NllLoss(Primitive):
    """-reduce(logp[i, target_i]·w);  ∂/∂logp[i, target_i] = -w/W (W = total weight for 'mean')"""

    saved_names = ("target",)

    @staticmethod
    def forward(ctx, logp, target, weight, reduction, ignore_index):
        x = logp._data
        batched = x.ndim == 2
        rows = x if batched else x[None]
        t = target.reshape(-1)
        w = np.ones(rows.shape[1], x.dtype) if weight is None else weight.astype(x.dtype)
        keep = t != ignore_index
        safe_t = np.where(keep, t, 0)
        per = w[safe_t] * keep
        picked = -rows[np.arange(len(t)), safe_t] * per
        ctx.target, ctx.reduction = target, reduction
        ctx._per, ctx._shape = per, x.shape
        if reduction == "none":
            return picked if batched else picked[0]
        if reduction == "sum":
            return picked.sum()
        ctx._total = per.sum()
        return picked.sum() / ctx._total

    @staticmethod
    def backward(ctx, grad):
        per = ctx._per / ctx._total if ctx.reduction == "mean" else ctx._per
        t = ctx.target.reshape(-1)
        onehot = np.zeros((len(t), ctx._shape[-1]), dtype=per.dtype)
        onehot[np.arange(len(t)), np.where(t >= 0, t, 0)] = -per
        onehot = onehot.reshape(ctx._shape)
        if ctx.reduction == "none":
            g = grad.unsqueeze(-1) if len(ctx._shape) == 2 else grad
            return g * onehot, None, None, None, None
        return grad * onehot, None, None, None, None
