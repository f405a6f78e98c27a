"""PyTorch's own nodes for a few functions beginners meet: nansum, vdot, the random draws normal and bernoulli, xlogy."""
import numpy as np

from ..autograd import function
from ._base import Primitive, Rule, constant, either, expand, raw, saved, unsqueeze
from .elementwise import where, zero_of
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


def _xlogy_array(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((a == 0) & ~np.isnan(b), 0, a * np.log(b)).astype(np.result_type(a, b), copy=False)


xlogy = either(_xlogy_array, lambda a, b: a.xlogy(b))


class Xlogy(Primitive):
    rule = Rule("a · log(b), 0 where a = 0 (unless b is nan);  ∂/∂a = log(b) (0 where a = 0 and b ≤ 0),  ∂/∂b = a/b",
                latex=(r"${a} \log ${b}", r"\log ${b}", r"\frac{${a}}{${b}}"))
    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _xlogy_array(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        a, b = saved(ctx, grad)
        return _xlogy_grad_self(grad, a, b), grad * a / b


def _xlogy_grad_self(grad, a, b):
    """PyTorch's xlogy(grad, b), masked to 0 where a = 0 and b ≤ 0 (where a·log(b) is the constant 0)."""
    return where((raw(a) == 0) & (raw(b) <= 0), zero_of(grad), xlogy(grad, b))


class XlogyNumberSelf(Primitive):
    rule = Rule("a · log(b) for a number a;  ∂/∂b = a/b", latex=(r"${a} \log ${b}", None, r"\frac{${a}}{${b}}"))
    node_name = "XlogyBackward1"
    saved_names = ("other",)

    @staticmethod
    def forward(ctx, a, b):
        ctx.self = a
        ctx.save_for_backward(b)
        return _xlogy_array(np.asarray(a, b._data.dtype), b._data)

    @staticmethod
    def backward(ctx, grad):
        (b,) = saved(ctx, grad)
        return None, grad * ctx.self / b


class XlogyNumberOther(Primitive):
    rule = Rule("a · log(b) for a number b;  ∂/∂a = log(b) (0 where a = 0 and b ≤ 0)",
                latex=(r"${a} \log ${b}", r"\log ${b}"))
    node_name = "XlogyBackward2"
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, b):
        ctx.other = b
        ctx.save_for_backward(a)
        return _xlogy_array(a._data, np.asarray(b, a._data.dtype))

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return _xlogy_grad_self(grad, a, constant(np.asarray(ctx.other, raw(a).dtype), grad)), None
