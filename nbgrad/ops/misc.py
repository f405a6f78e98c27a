"""PyTorch's own nodes for a few functions beginners meet: nansum, vdot, the random draws normal and bernoulli."""
import numpy as np

from ..autograd import function
from ._base import Primitive, Rule, constant, expand, raw, unsqueeze
from .linalg import Dot


class Nansum(Primitive):
    rule = Rule("Σ of the elements that are not nan;  ∂/∂aᵢ = 0 at a nan, else 1",
                latex=(r"\textstyle\sum_{a_i \ne \mathrm{nan}} ${a}_i", r"[${a}_i \ne \mathrm{nan}]"))

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        """``dim``: the dims reduced, () for all of them (PyTorch's dim=None, whose gradient is expanded as it is)."""
        ctx.self_sym_sizes, ctx.dim, ctx.keepdim = a._data.shape, dim, keepdim
        ctx.counted = ~np.isnan(a._data)
        return np.nansum(a._data, axis=dim or None, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.keepdim:
            for d in sorted(ctx.dim):  # PyTorch's unsqueeze_multiple
                grad = unsqueeze(grad, d)
        return expand(grad, ctx.self_sym_sizes) * constant(ctx.counted.astype(raw(grad).dtype), grad), None, None


class Vdot(Dot):
    """Dot's rule under vdot's name (for real vectors the conjugate changes nothing)."""
    functions = ()
    saved_names = ("self", "other")


class _Sample(Primitive):
    """A random draw that PyTorch differentiates as a constant: each tensor parameter's gradient is zero."""

    @staticmethod
    def forward(ctx, *args):
        *params, values = args
        ctx.shapes = [None if not isinstance(p, function.Tensor) else p._data.shape for p in params]
        return values

    @staticmethod
    def backward(ctx, grad):
        dtype = raw(grad).dtype
        return (*(None if s is None else constant(np.zeros(s, dtype), grad) for s in ctx.shapes), None)


class NormalTensorFloat(_Sample):
    rule = Rule("a draw from N(mean, std²) for a tensor of means;  ∂/∂mean = 0 (as PyTorch)", local=False)
    node_name = "NormalBackward1"


class NormalFloatTensor(_Sample):
    rule = Rule("a draw from N(mean, std²) for a tensor of stds;  ∂/∂std = 0 (as PyTorch)", local=False)
    node_name = "NormalBackward2"


class NormalTensorTensor(_Sample):
    rule = Rule("a draw from N(mean, std²) for tensors of means and stds;  ∂/∂mean = ∂/∂std = 0 (as PyTorch)",
                local=False)
    node_name = "NormalBackward3"


class Bernoulli(_Sample):
    rule = Rule("1 with probability p, else 0;  ∂/∂p = 0 (as PyTorch)", local=False)
