"""PyTorch's own nodes for a few functions beginners meet: nansum, vdot, the random draws normal and bernoulli, xlogy, median, var_mean and std_mean, aminmax."""
import math
from collections import namedtuple

import numpy as np

from ..autograd import function, grad_mode
from ._base import Primitive, Rule, constant, either, expand, raw, result, saved, unsqueeze
from .elementwise import where, zero_of
from .linalg import Dot
from .reduce import MaxDim, _all_if_none, _kept, _return_type, _spread_of, _var_backward


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
    rule = Rule("a draw from N(mean, std²) for a tensor of means;  ∂/∂mean = 0 (as PyTorch)",
                latex=(r"x \sim \mathcal{N}(\mu, \sigma^2)", "0"), local=False)
    node_name = "NormalBackward1"


class NormalFloatTensor(_Sample):
    rule = Rule("a draw from N(mean, std²) for a tensor of stds;  ∂/∂std = 0 (as PyTorch)",
                latex=(r"x \sim \mathcal{N}(\mu, \sigma^2)", "0"), local=False)
    node_name = "NormalBackward2"


class NormalTensorTensor(_Sample):
    rule = Rule("a draw from N(mean, std²) for tensors of means and stds;  ∂/∂mean = ∂/∂std = 0 (as PyTorch)",
                latex=(r"x \sim \mathcal{N}(\mu, \sigma^2)", "0"), local=False)
    node_name = "NormalBackward3"


class Bernoulli(_Sample):
    rule = Rule("1 with probability p, else 0;  ∂/∂p = 0 (as PyTorch)",
                latex=(r"x \sim \operatorname{Bernoulli}(p)", "0"), local=False)


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
    rule = Rule("c · log(b) for a number c;  ∂/∂b = c/b", latex=(r"$c \log ${b}", r"\frac{$c}{${b}}"),
                params=lambda node, number: {"c": number(node.self)})
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


def median_indices(x, dim):
    """The index along ``dim`` of each lower median (the stable sort's (n-1)//2-th), or of the first nan, kept as size 1."""
    order = np.argsort(x, axis=dim, kind="stable")
    picked = np.take(order, [(x.shape[dim] - 1) // 2], axis=dim)
    nan = np.isnan(x) if x.dtype.kind == "f" else np.zeros(x.shape, bool)
    first_nan = np.expand_dims(np.argmax(nan, axis=dim), dim)
    return np.where(nan.any(axis=dim, keepdims=True), first_nan, picked).astype(np.int64)


class Median(Primitive):
    rule = Rule("the lower median of all elements;  ∂/∂aᵢ = 1/k for each of the k elements equal to it",
                latex=(r"\operatorname{median}($a)", r"\frac{1}{k} \text{ at each of the } k \text{ medians}"))
    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a):
        x = a._data.reshape(-1)
        out = result(x[median_indices(x, 0)[0]] if x.size else np.asarray(np.nan, x.dtype))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = saved(ctx, grad)
        x, m = raw(a), raw(out)
        hit = (x == m) | (np.isnan(x) & np.isnan(m))  # PyTorch's evenly_distribute_backward
        return grad * (hit / hit.sum()).astype(x.dtype)


MEDIAN = _return_type("median")  # what median(dim) returns: (values, indices)


class MedianDim(MaxDim):
    rule = Rule("the lower median along one dim, with indices;  ∂/∂aᵢ = 1 at the returned index, else 0",
                latex=(r"\operatorname{median}_{\mathit{dim}} $a", r"1 \text{ at the index returned, else } 0"))
    node_name = "MedianBackward1"


class _TwoOutputs(Primitive):
    """One node whose forward gives two differentiable tensors (PyTorch's output_nr 0 and 1)."""

    @classmethod
    def apply(cls, a, *params):
        enabled = grad_mode.state.enabled
        ctx = cls._backward_cls() if enabled else function._UNRECORDED
        outs = tuple([function._output(cls, piece, (a,)) for piece in cls.forward(ctx, a, *params)])
        if enabled:
            ctx._outputs = tuple([(nr, out._data.shape, out._data.dtype) for nr, out in enumerate(outs)])
            function._link(ctx, (a, *params), outs)
        return outs


class _SpreadMean(_TwoOutputs):
    """var_mean and std_mean: one node with two outputs, (spread, mean), as PyTorch's."""

    @classmethod
    def forward(cls, ctx, a, dim, correction, keepdim):
        ctx._all_dims, dim = dim is None or not a._data.ndim, _all_if_none(dim, a)
        ctx.dim, ctx.correction, ctx.keepdim = dim, correction, keepdim
        spread = result(np.asarray(_spread_of(cls._spread, a._data, dim, correction, keepdim)))
        ctx.save_for_backward(a, spread)
        return spread, np.asarray(a._data.mean(axis=dim, keepdims=keepdim))

    @classmethod
    def backward(cls, ctx, *grads):
        if len(grads) == 1 and hasattr(grads[0], "slots"):  # a plain pass: the outputs' gradients in one _Grads
            grads = grads[0].slots
        g_spread, g_mean = grads
        a, spread = saved(ctx, g_spread if g_spread is not None else g_mean)
        shape = raw(a).shape
        total = None if g_spread is None else cls._spread_backward(ctx, a, spread, g_spread)
        if g_mean is not None:  # as PyTorch: an output that got no gradient adds nothing (not even zeros)
            n = math.prod(shape[d] for d in ctx.dim)
            from_mean = expand(_kept(g_mean, shape, ctx.dim, ctx.keepdim), shape) / n
            total = from_mean if total is None else total + from_mean
        return total, None, None, None


class VarMean(_SpreadMean):
    rule = Rule("(var(a), mean(a));  ∂var/∂aᵢ = 2(aᵢ - ā)/(n - c),  ∂mean/∂aᵢ = 1/n",
                latex=(r"(\operatorname{var}($a), \bar{$a})",
                       r"\left(\frac{2(${a}_i - \bar{$a})}{n - c}, \frac{1}{n}\right)"),
                local=False)
    saved_names = ("self",)
    _spread = staticmethod(np.var)

    @staticmethod
    def _spread_backward(ctx, a, spread, grad):
        return _var_backward(ctx, a, _kept(grad, raw(a).shape, ctx.dim, ctx.keepdim))


class StdMean(_SpreadMean):
    rule = Rule("(std(a), mean(a));  ∂std/∂aᵢ = (aᵢ - ā)/((n - c)·std),  ∂mean/∂aᵢ = 1/n",
                latex=(r"(\operatorname{std}($a), \bar{$a})",
                       r"\left(\frac{${a}_i - \bar{$a}}{(n - c) \operatorname{std}($a)}, \frac{1}{n}\right)"),
                local=False)
    saved_names = ("self", "result0")
    _spread = staticmethod(np.std)

    @staticmethod
    def _spread_backward(ctx, a, spread, grad):
        zero = raw(spread) == 0  # as std: 0 where all elements are equal, not 0/0
        safe = spread + constant(zero.astype(raw(spread).dtype), grad)
        per_var = where(zero, constant(np.zeros_like(raw(spread)), grad), grad / (2 * safe))
        return _var_backward(ctx, a, _kept(per_var, raw(a).shape, ctx.dim, ctx.keepdim))


def _aminmax_repr(self):
    return f"nbgrad.return_types.aminmax(\nmin={self.min!r},\nmax={self.max!r})"


AMINMAX = namedtuple("aminmax", ["min", "max"])
AMINMAX.__module__ = "nbgrad.return_types"
AMINMAX.__repr__ = _aminmax_repr


class Aminmax(_TwoOutputs):
    rule = Rule("(min, max) of a, over all elements or along dim;  ties share each gradient evenly",
                latex=(r"(\min $a, \max $a)", r"1 \text{ at the extremes}"), local=False)
    saved_names = ("self", "min", "max")

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        """``dim``: the dims reduced (all of them for PyTorch's dim=None)."""
        x = a._data
        ctx.dim, ctx.keepdim = dim, keepdim
        low, high = (result(np.asarray(fn(x, axis=dim, keepdims=keepdim))) for fn in (np.min, np.max))
        ctx.save_for_backward(a, low, high)
        return low, high

    @staticmethod
    def backward(ctx, *grads):
        if len(grads) == 1 and hasattr(grads[0], "slots"):
            grads = grads[0].slots
        present = next(g for g in grads if g is not None)
        a, low, high = saved(ctx, present)
        x = raw(a)
        total = None
        for g, extreme in zip(grads, (low, high)):
            if g is None:
                continue
            hit = x == _kept(raw(extreme), x.shape, ctx.dim, ctx.keepdim)
            share = (hit / hit.sum(axis=ctx.dim, keepdims=True)).astype(x.dtype)
            part = _kept(g, x.shape, ctx.dim, ctx.keepdim) * share
            total = part if total is None else total + part
        return total, None, None
