"""Reductions, and softmax / log-softmax (which normalise along a dimension)."""
import math
import warnings
from collections import namedtuple

import numpy as np

from ..autograd import function, grad_mode
from ._base import Primitive, Rule, constant, exp, expand, mean_dims, raw, result, saved, transpose
from .backward import log_softmax_backward_data, softmax_backward_data
from .elementwise import where


def _count(shape):
    return int(np.prod(shape, dtype=np.int64))


def _reduced(node, number):
    return {"n": _count([node.self_sym_sizes[d] for d in node.dim])}


def _spread(node, number):
    shape = node._meta[0][1]
    return {"n": _count([shape[d] for d in node.dim]), "c": number(node.correction)}


def _return_type(name):
    """The (values, indices) pair ``max(dim)``/``min(dim)`` return, printed as PyTorch prints it."""
    cls = namedtuple(name, ["values", "indices"])
    cls.__module__ = "nbgrad.return_types"
    cls.__repr__ = lambda self: f"nbgrad.return_types.{name}(\nvalues={self.values!r},\nindices={self.indices!r})"
    return cls


RETURN_TYPES = {"max": _return_type("max"), "min": _return_type("min")}


# What PyTorch's argument parser says when max, min or prod is given dim=None (they have no dim=None form:
# without dim they reduce everything, with one they reduce along that int); logsumexp needs its dims.
_OVERLOADS = {
    "max": " * ()\n      didn't match because some of the keywords were incorrect: dim\n * (Tensor other)\n"
           "      didn't match because some of the keywords were incorrect: dim\n * (int dim, bool keepdim = False)\n",
    "prod": " * (*, nbgrad.dtype dtype = None)\n * (int dim, bool keepdim = False, *, nbgrad.dtype dtype = None)\n",
}
_OVERLOADS["min"] = _OVERLOADS["max"]


def dim_none_error(op, dim, keepdim_given=False):
    """PyTorch's TypeError for ``t.<op>(dim=...)`` with a dim of the wrong kind (None, or a tuple for max/min/prod),
    as the method is called by keyword: max, min, prod (one int dim, or none at all) and logsumexp (its dims)."""
    kind = type(dim).__name__
    if op == "logsumexp":
        return TypeError(f"logsumexp(): argument 'dim' must be tuple of ints, not {kind}")
    if keepdim_given:
        return TypeError(f"{op}(): argument 'dim' must be int, not {kind}")
    return TypeError(f"{op}() received an invalid combination of arguments - got (dim={kind}, ), but expected one "
                     f"of:\n{_OVERLOADS[op]}")


def arg(x, dim, op):
    """Indices of the max (or min) along ``dim``, with ``dim`` kept as size 1; the first one on ties.

    A 0-d tensor is its own extreme along dim 0 (or -1), at index 0, and stays 0-d, as in PyTorch.
    """
    if x.ndim == 0:
        return np.zeros((), np.int64)
    idx = np.argmax(x, axis=dim) if op == "max" else np.argmin(x, axis=dim)
    return np.expand_dims(idx, dim).astype(np.int64)


def _kept(grad, shape, dims, keepdim):
    """A reduced gradient with its reduced dims restored as size 1, ready to broadcast over ``shape``."""
    if keepdim or not dims:
        return grad
    return grad.reshape(tuple(1 if i in dims else s for i, s in enumerate(shape)))


class Sum(Primitive):
    rule = Rule("Σᵢ aᵢ;  ∂/∂aᵢ = 1",
                latex=(r"\textstyle\sum_i ${a}_i", "1"))
    functions = ("sum",)

    @staticmethod
    def forward(ctx, a):
        ctx.self_sym_sizes = a._data.shape
        return a._data.sum()

    @staticmethod
    def backward(ctx, grad):
        return expand(grad, ctx.self_sym_sizes)


class SumDim(Primitive):
    rule = Rule("Σ along dims;  ∂/∂aᵢ = 1",
                latex=(r"\textstyle\sum_{\mathit{dim}} $a", "1"))

    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.self_sym_sizes, ctx.dim, ctx.keepdim = a._data.shape, dim, keepdim
        return a._data.sum(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        shape = ctx.self_sym_sizes
        return expand(_kept(grad, shape, ctx.dim, ctx.keepdim), shape), None, None


class Mean(Primitive):
    rule = Rule(
        "(1/n) Σᵢ aᵢ;  ∂/∂aᵢ = 1/n",
        latex=(
            r"\frac{1}{$n} \textstyle\sum_i ${a}_i",
            r"\frac{1}{$n}",
        ),
        params=lambda node, number: {"n": _count(node.self_sym_sizes)},
    )
    functions = ("mean",)

    @staticmethod
    def forward(ctx, a):
        ctx.self_sym_sizes = a._data.shape
        return a._data.mean()

    @staticmethod
    def backward(ctx, grad):
        shape = ctx.self_sym_sizes
        return expand(grad / max(math.prod(shape), 1), shape)


class MeanDim(Primitive):
    rule = Rule("mean along dims;  ∂/∂aᵢ = 1/n (n = elements reduced)",
                latex=(r"\operatorname{mean}_{\mathit{dim}} $a", r"\frac{1}{$n}"), params=_reduced)

    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.self_sym_sizes, ctx.dim, ctx.keepdim = a._data.shape, dim, keepdim
        return a._data.mean(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        shape = ctx.self_sym_sizes
        n = math.prod(shape[d] for d in ctx.dim)
        return expand(_kept(grad, shape, ctx.dim, ctx.keepdim) / n, shape), None, None


class Var(Primitive):
    rule = Rule(
        "Σ(aᵢ - ā)² / (n - c);  ∂/∂aᵢ = 2(aᵢ - ā)/(n - c)",
        latex=(
            r"\frac{1}{$n - $c} \textstyle\sum_i (${a}_i - \bar{$a})^2",
            r"\frac{2 ($a - \bar{$a})}{$n - $c}",
        ),
        params=_spread,
    )
    functions = ("var",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, dim, correction, keepdim):
        ctx.save_for_backward(a)
        ctx._all_dims, dim = dim is None or not a._data.ndim, _all_if_none(dim, a)
        ctx.dim, ctx.correction, ctx.keepdim = dim, correction, keepdim
        return _spread_of(np.var, a._data, dim, correction, keepdim)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return _var_backward(ctx, a, _kept(grad, raw(a).shape, ctx.dim, ctx.keepdim)), None, None, None


def _var_backward(ctx, a, grad):
    """2(a - ā)/(n - c) · grad, as PyTorch's var_backward, also where no degree of freedom is left (n ≤ c).

    NOTE: there, as in PyTorch: over all elements (no dim given) the gradient is ±inf, nan where a = ā; along
    given dims the factor 2/(n - c) is taken as it is, so inf at n = c and negative below.
    """
    x = raw(a)
    dof = math.prod(x.shape[d] for d in ctx.dim) - ctx.correction
    centred = a - mean_dims(a, ctx.dim, True)
    if dof <= 0 and ctx._all_dims:
        return grad * constant(np.where(raw(centred) == 0, np.nan, np.inf).astype(x.dtype), grad)
    return grad * centred * (2 / dof if dof else math.inf)


def _all_if_none(dim, a):
    return tuple(range(a._data.ndim)) if dim is None else dim


def _spread_of(fn, x, dim, correction, keepdim):
    """np.var or np.std; with no degree of freedom left PyTorch warns in its own words (and NumPy's is dropped)."""
    if math.prod(x.shape[d] for d in dim) - correction <= 0:
        warnings.warn(
            f"{fn.__name__}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
            "factor (input numel divided by output numel).", UserWarning, stacklevel=5)
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(x, axis=dim, ddof=correction, keepdims=keepdim)
    return fn(x, axis=dim, ddof=correction, keepdims=keepdim)


class Std(Primitive):
    rule = Rule(
        "√var(a);  ∂/∂aᵢ = (aᵢ - ā) / ((n - c)·std)",
        latex=(
            r"\sqrt{\operatorname{var} $a}",
            r"\frac{$a - \bar{$a}}{($n - $c) \operatorname{std} $a}",
        ),
        params=_spread,
    )
    functions = ("std",)

    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, dim, correction, keepdim):
        ctx._all_dims, dim = dim is None or not a._data.ndim, _all_if_none(dim, a)
        out = result(_spread_of(np.std, a._data, dim, correction, keepdim))
        ctx.save_for_backward(a, out)
        ctx.dim, ctx.correction, ctx.keepdim = dim, correction, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = saved(ctx, grad)
        # d√v = dv / (2√v). NOTE: where std = 0 (all elements equal) the gradient is taken as 0, not 0/0,
        # as in PyTorch.
        zero = raw(out) == 0
        safe = out + constant(zero.astype(raw(out).dtype), grad)
        per_var = where(zero, constant(np.zeros_like(raw(out)), grad), grad / (2 * safe))
        return _var_backward(ctx, a, _kept(per_var, raw(a).shape, ctx.dim, ctx.keepdim)), None, None, None


class _Extreme(Primitive):
    """Shared rule of full max/min and amax/amin: ties share the gradient evenly."""

    saved_names = ("self", "result")
    _pick = None

    @classmethod
    def forward(cls, ctx, a, dim=None, keepdim=False):
        dims = tuple(range(a._data.ndim)) if dim is None else dim
        out = result(np.asarray(cls._pick(a._data, axis=dims, keepdims=keepdim)))
        ctx.save_for_backward(a, out)
        ctx.dim, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = saved(ctx, grad)
        x = raw(a)
        shape = x.shape
        # NOTE: every element equal to the extreme gets an equal share, as PyTorch does for
        # max()/min() without dim and for amax/amin.
        hit = x == _kept(raw(out), shape, ctx.dim, ctx.keepdim)
        share = hit / hit.sum(axis=ctx.dim, keepdims=True)
        grads = (_kept(grad, shape, ctx.dim, ctx.keepdim) * share.astype(x.dtype),)
        return grads + (None,) * (ctx._num_args - 1)


class Max(_Extreme):
    rule = Rule("max of all elements;  ∂/∂aᵢ = 1/k for each of the k maximal elements",
                latex=(r"\max_i ${a}_i", r"\frac{1}{k} \text{ at each of the } k \text{ maxima}"))
    functions = ("max",)

    node_name = "MaxBackward1"
    _pick = staticmethod(np.max)


class Min(_Extreme):
    rule = Rule("min of all elements;  ∂/∂aᵢ = 1/k for each of the k minimal elements",
                latex=(r"\min_i ${a}_i", r"\frac{1}{k} \text{ at each of the } k \text{ minima}"))
    functions = ("min",)

    node_name = "MinBackward1"
    _pick = staticmethod(np.min)


class Amax(_Extreme):
    rule = Rule("max along dims;  ties share the gradient evenly",
                latex=(r"\max_{\mathit{dim}} $a", r"\frac{1}{k} \text{ at each of the } k \text{ maxima}"))
    functions = ("amax",)

    _pick = staticmethod(np.max)


class Amin(_Extreme):
    rule = Rule("min along dims;  ties share the gradient evenly",
                latex=(r"\min_{\mathit{dim}} $a", r"\frac{1}{k} \text{ at each of the } k \text{ minima}"))
    functions = ("amin",)

    _pick = staticmethod(np.min)


class MaxDim(Primitive):
    rule = Rule("max along one dim, with indices;  ∂/∂aᵢ = 1 at the returned index, else 0",
                latex=(r"\max_{\mathit{dim}} $a", r"1 \text{ at the index returned, else } 0"))

    node_name = "MaxBackward0"
    saved_names = ("indices",)

    @staticmethod
    def forward(ctx, a, dim, keepdim, indices):
        ctx.dim, ctx.keepdim, ctx.self_sym_sizes = dim, keepdim, a._data.shape
        if a._data.ndim == 0:  # its own extreme, at index 0 (see arg)
            ctx.indices = indices
            return a._data.copy()
        ctx.indices = indices if keepdim else indices.squeeze(dim)  # as returned, as PyTorch saves them
        out = np.take_along_axis(a._data, indices, axis=dim)
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx, grad):
        shape, dim = ctx.self_sym_sizes, ctx.dim
        if not shape:
            return grad, None, None, None
        # NOTE: the whole gradient goes to the index returned (the first extreme), as in PyTorch.
        positions = np.arange(shape[dim]).reshape((-1,) + (1,) * (len(shape) - dim - 1))
        kept = ctx.indices if ctx.keepdim else np.expand_dims(ctx.indices, dim)
        onehot = (positions == kept).astype(raw(grad).dtype)
        return _kept(grad, shape, (dim,), ctx.keepdim) * onehot, None, None, None


class MinDim(MaxDim):
    rule = Rule("min along one dim, with indices;  ∂/∂aᵢ = 1 at the returned index, else 0",
                latex=(r"\min_{\mathit{dim}} $a", r"1 \text{ at the index returned, else } 0"))

    node_name = "MinBackward0"


class Prod(Primitive):
    rule = Rule("Πᵢ aᵢ;  ∂/∂aᵢ = Πⱼ≠ᵢ aⱼ",
                latex=(r"\textstyle\prod_i ${a}_i", r"\textstyle\prod_{j \ne i} ${a}_j"))
    functions = ("prod",)

    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a):
        out = result(np.asarray(a._data.prod()))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = saved(ctx, grad)
        return grad * _others_product(a, out, None)


class ProdDim(Primitive):
    rule = Rule("Π along a dim;  ∂/∂aᵢ = product of the other elements of its slice",
                latex=(r"\textstyle\prod_{\mathit{dim}} $a", r"\textstyle\prod_{j \ne i} ${a}_j"))

    node_name = "ProdBackward1"
    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        out = result(a._data.prod(axis=dim, keepdims=keepdim))
        ctx.save_for_backward(a, out)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = saved(ctx, grad)
        shape, dims = raw(a).shape, (ctx.dim,)
        # the saved output itself, reshaped: with create_graph the rule is then differentiated through it
        others = _others_product(a, _kept(out, shape, dims, ctx.keepdim), ctx.dim)
        return _kept(grad, shape, dims, ctx.keepdim) * others, None, None


def _others_product(a, out, dim):
    """For each element, the product of all the others (of ``a``, or of its slice along ``dim``).

    That is result/a when nothing is zero. With zeros the division fails, so the products are taken
    directly: in NumPy from cumulative products, or, when the rule is itself being recorded
    (create_graph), as the product along the rows of an n×n copy of each slice with ones on its
    diagonal, which can be differentiated again.
    """
    x = raw(a)
    if np.all(x != 0):
        return out / a
    whole = dim is None or x.ndim == 0
    slices = a.reshape(-1) if whole else transpose(a, dim, -1)  # the elements of each product along the last dim
    m = raw(slices)
    n = m.shape[-1]
    if isinstance(a, function.Tensor) and grad_mode.state.enabled:
        rows = slices.unsqueeze(-2).expand(m.shape[:-1] + (n, n))
        others = where(np.eye(n, dtype=bool), result(np.ones((), x.dtype)), rows).prod(-1)
    else:
        ones = np.ones_like(m[..., :1])
        left = np.cumprod(np.concatenate([ones, m[..., :-1]], -1), -1)  # products before each element
        right = np.cumprod(np.concatenate([ones, m[..., :0:-1]], -1), -1)[..., ::-1]  # and after it
        others = constant(left * right, a)
    return others.reshape(x.shape) if whole else transpose(others, dim, -1)


class Logsumexp(Primitive):
    rule = Rule("ln Σⱼ eᵃʲ along dims;  ∂/∂aᵢ = e^(aᵢ - result) (the softmax of a)",
                latex=(r"\ln \textstyle\sum_{\mathit{dim}} e^{$a}", r"e^{$a - \mathrm{result}}"))
    functions = ("logsumexp",)

    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        x = a._data
        # shift by the max so that exp cannot overflow; an infinite max (or none, for an empty slice) by 0,
        # so that inf - inf never turns into nan
        peak = np.max(x, axis=dim, keepdims=True, initial=-np.inf)
        peak = np.where(np.isfinite(peak), peak, 0)
        total = np.log(np.exp(x - peak).sum(axis=dim, keepdims=True)) + peak
        out = result(total if keepdim else total.squeeze(dim))
        ctx.save_for_backward(a, out)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = saved(ctx, grad)
        shape, dims, keepdim = raw(a).shape, ctx.dim, ctx.keepdim
        return _kept(grad, shape, dims, keepdim) * exp(a - _kept(out, shape, dims, keepdim)), None, None


class Softmax(Primitive):
    rule = Rule(
        "sᵢ = eᵃⁱ / Σⱼ eᵃʲ;  ∂L/∂aᵢ = sᵢ (gᵢ - Σⱼ gⱼ sⱼ)",
        latex=(
            r"\frac{e^{${a}_i}}{\sum_j e^{${a}_j}}",
            r"s_i (g_i - \textstyle\sum_j g_j s_j) \text{ (with } g\text{)}",
        ),
        local=False,
    )
    functions = ("softmax",)

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a, dim):
        x = a._data
        e = np.exp(x - np.maximum.reduce(x, axis=dim, keepdims=True))
        out = result(e / np.add.reduce(e, axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = saved(ctx, grad)
        return softmax_backward_data(grad, s, ctx.dim), None


class LogSoftmax(Primitive):
    rule = Rule(
        "aᵢ - log Σⱼ eᵃʲ;  ∂L/∂aᵢ = gᵢ - softmax(a)ᵢ Σⱼ gⱼ",
        latex=(
            r"${a}_i - \log \textstyle\sum_j e^{${a}_j}",
            r"g_i - \operatorname{softmax}($a)_i \textstyle\sum_j g_j \text{ (with } g\text{)}",
        ),
        local=False,
    )
    functions = ("log_softmax",)

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a, dim):
        x = a._data
        shifted = x - np.maximum.reduce(x, axis=dim, keepdims=True)
        out = result(shifted - np.log(np.add.reduce(np.exp(shifted), axis=dim, keepdims=True)))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved(ctx, grad)
        return log_softmax_backward_data(grad, out, ctx.dim), None
