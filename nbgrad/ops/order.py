"""Ops that order or rearrange elements: sort, topk, kthvalue, cumulative sums, products and extremes, flips,
rolls, triangles and diagonals, repeats.

The ops that pick elements (sort, topk, kthvalue, cummax, cummin) are given the picked indices by their
Tensor method, which computes them: the indices are an output of no gradient, and the values' gradient is
scattered back to where they were picked, as PyTorch does it.
"""
import numpy as np

from ._base import (
    Primitive, Rule, constant, either, expand, raw, result, saved, sum_dims, transpose, unsqueeze,
)
from .elementwise import _NoDerivative, where
from .index import zeros
from .reduce import _return_type
from .scatter import scatter_add, scatter_src

# The (values, indices) pairs, printed as PyTorch prints them
RETURN_TYPES = {name: _return_type(name) for name in ("sort", "topk", "kthvalue", "cummax", "cummin")}


# ----------------------------------------------------------------------------- picking elements

def sort_indices(x, dim, descending):
    """The indices that sort ``x`` along ``dim``, equal elements kept in their order (NaN counts as the
    largest, as in PyTorch)."""
    if x.ndim == 0:
        return np.zeros((), np.int64)
    if not descending:
        return np.argsort(x, axis=dim, kind="stable")
    # a stable ascending sort of the reversed slice, read backwards: descending, equal elements in their order
    reversed_order = np.argsort(np.flip(x, dim), axis=dim, kind="stable")
    return (x.shape[dim] - 1 - np.flip(reversed_order, dim)).astype(np.int64)


def cumulative_extreme_indices(x, dim, op):
    """For each position along ``dim``, the index of the max (or min) so far: the latest of equal extremes,
    and a NaN once seen, as in PyTorch."""
    if x.ndim == 0:
        return np.zeros((), np.int64)
    m = np.moveaxis(x, dim, -1)
    indices = np.zeros(m.shape, np.int64)
    if not m.shape[-1]:
        return np.moveaxis(indices, -1, dim)
    best, at = m[..., 0], np.zeros(m.shape[:-1], np.int64)
    better = np.greater_equal if op == "max" else np.less_equal
    for k in range(m.shape[-1]):
        v = m[..., k]
        with np.errstate(invalid="ignore"):
            take = np.isnan(v) | (~np.isnan(best) & better(v, best)) if m.dtype.kind == "f" else better(v, best)
        best, at = np.where(take, v, best), np.where(take, k, at)
        indices[..., k] = at
    return np.moveaxis(indices, -1, dim)


class _Picked(Primitive):
    """Shared rule: the values at ``indices`` along ``dim`` (given with ``dim`` kept); the gradient is written
    back where they were picked (each place once: scatter)."""

    @staticmethod
    def forward(ctx, a, dim, indices, keepdim=True):
        ctx.self_sym_sizes, ctx.dim, ctx.indices, ctx.keepdim = a._data.shape, dim, indices, keepdim
        if a._data.ndim == 0:
            return a._data.copy()
        out = np.take_along_axis(a._data, indices, axis=dim)
        return out if keepdim else out.squeeze(dim)

    @classmethod
    def backward(cls, ctx, grad):
        if not ctx.self_sym_sizes:
            return grad, None, None, None
        kept = grad if ctx.keepdim else unsqueeze(grad, ctx.dim)
        return cls._place(zeros(grad, ctx.self_sym_sizes), ctx.dim, ctx.indices, kept), None, None, None

    _place = staticmethod(scatter_src)


class Sort(_Picked):
    rule = Rule("a's elements sorted along dim;  the gradient goes back to where each element came from",
                latex=(r"\operatorname{sort}($a)", r"1 \text{ at the element's place before sorting}"),
                local=False)
    functions = ("sort", "msort")


class SortStable(Sort):
    rule = Sort.rule
    functions = ()

    node_name = "SortBackward1"  # PyTorch's overload with stable=


class Topk(_Picked):
    rule = Rule("the k largest (or smallest) elements along dim;  the gradient goes back to where they came from",
                latex=(r"\operatorname{topk}($a)", r"1 \text{ at the elements picked}"))
    functions = ("topk",)


class Kthvalue(_Picked):
    rule = Rule("the k-th smallest element along dim;  ∂/∂a = 1 at the element picked, else 0",
                latex=(r"\operatorname{kthvalue}($a)", r"1 \text{ at the element picked}"))
    functions = ("kthvalue",)


class Cummax(_Picked):
    rule = Rule("the largest element so far along dim;  the gradient goes to each element as often as it is "
                "the largest so far",
                latex=(r"\max_{j \le i} ${a}_j", r"1 \text{ for each time the element is the maximum so far}"))
    functions = ("cummax",)

    _place = staticmethod(scatter_add)  # an element can be the maximum of several places: its gradients add up


class Cummin(Cummax):
    rule = Rule("the smallest element so far along dim;  the gradient goes to each element as often as it is "
                "the smallest so far",
                latex=(r"\min_{j \le i} ${a}_j", r"1 \text{ for each time the element is the minimum so far}"))
    functions = ("cummin",)


class _NoGradient(_NoDerivative):
    """unique and unique_consecutive: PyTorch records a node that refuses backward."""

    @staticmethod
    def forward(ctx, a, values):
        return values


class _Unique2(_NoGradient):
    rule = Rule("a's distinct elements;  no derivative: PyTorch defines none, so backward raises",
                latex=(r"\operatorname{unique}($a)", r"\text{none}"))
    node_name = "Unique2Backward0"
    _aten = "_unique2"


class _UniqueDim(_NoGradient):
    rule = _Unique2.rule
    node_name = "UniqueDimBackward0"
    _aten = "unique_dim"


class _UniqueConsecutive(_NoGradient):
    rule = Rule("a without consecutive repeats;  no derivative: PyTorch defines none, so backward raises",
                latex=(r"\operatorname{unique\_consecutive}($a)", r"\text{none}"))
    node_name = "UniqueConsecutiveBackward0"
    _aten = "unique_consecutive"


def unique_consecutive(x, dim):
    """Values, inverse and counts of the runs of equal elements (or slices along ``dim``) of ``x``."""
    flat = x.reshape(-1) if dim is None else np.moveaxis(x, dim, 0)
    n = flat.shape[0]
    if n == 0:
        values = flat
        return (values if dim is None else np.moveaxis(values, 0, dim)), np.zeros(0, np.int64), np.zeros(0, np.int64)
    differs = flat[1:] != flat[:-1]
    if differs.ndim > 1:
        differs = differs.reshape(n - 1, int(np.prod(differs.shape[1:]))).any(axis=1)
    starts = np.concatenate([[True], differs])
    values = flat[starts]
    inverse = np.cumsum(starts) - 1
    counts = np.diff(np.append(np.flatnonzero(starts), n))
    return (values if dim is None else np.moveaxis(values, 0, dim)), inverse.astype(np.int64), counts.astype(np.int64)


# ----------------------------------------------------------------------------- cumulative sums and products

def _flip_array(x, dims):
    return np.flip(x, dims).copy()


def _cumsum_array(x, dim):
    return np.cumsum(x, axis=dim) if x.ndim else x.copy()


class Cumsum(Primitive):
    rule = Rule("running sum along dim: outᵢ = Σ_{j≤i} aⱼ;  ∂L/∂aᵢ = Σ_{k≥i} gₖ (the gradient's reversed "
                "running sum)",
                latex=(r"\textstyle\sum_{j \le i} ${a}_j", r"\textstyle\sum_{k \ge i} g_k \text{ (with } g\text{)}"),
                local=False)
    functions = ("cumsum",)

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return _cumsum_array(a._data, dim)

    @staticmethod
    def backward(ctx, grad):
        if not raw(grad).ndim:
            return grad, None
        return reversed_cumsum(grad, ctx.dim), None


class Cumprod(Primitive):
    rule = Rule("running product along dim: outᵢ = Π_{j≤i} aⱼ;  ∂L/∂aᵢ = Σ_{k≥i} gₖ Π_{j≤k, j≠i} aⱼ",
                latex=(r"\textstyle\prod_{j \le i} ${a}_j",
                       r"\textstyle\sum_{k \ge i} g_k \prod_{j \le k, j \ne i} ${a}_j \text{ (with } g\text{)}"),
                local=False)
    functions = ("cumprod",)

    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, dim):
        out = result(np.cumprod(a._data, axis=dim) if a._data.ndim else a._data.copy())
        ctx.save_for_backward(a, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = saved(ctx, grad)
        x = raw(a)
        if not x.ndim:
            return grad, None
        if np.all(x != 0):  # PyTorch's formula, and its graph: the reversed running sum of out·g, over a
            return reversed_cumsum(out * grad, ctx.dim) / a, None
        return _cumprod_backward_with_zeros(a, grad, ctx.dim), None


def _cumprod_backward_with_zeros(a, grad, dim):
    """Σ_{k≥i} gₖ Π_{j≤k, j≠i} aⱼ where dividing by a zero aᵢ fails: the products are taken directly, as the
    running products of n copies of each slice, copy i with a 1 in place of aᵢ (an n×n table per slice,
    which can be differentiated again)."""
    m = transpose(a, dim, -1)
    shape = raw(m).shape
    n = shape[-1]
    copies = expand(unsqueeze(m, -2), shape[:-1] + (n, n))
    without = where(np.eye(n, dtype=bool), constant(np.ones((), raw(a).dtype), a), copies)
    later = constant(np.triu(np.ones((n, n), raw(a).dtype)), a)  # k ≥ i
    total = sum_dims(cumprod(without, -1) * later * unsqueeze(transpose(grad, dim, -1), -2), (-1,), False)
    return transpose(total, dim, -1)


# ----------------------------------------------------------------------------- rearranging

class Flip(Primitive):
    rule = Rule("a reversed along dims;  the gradient reversed back",
                latex=(r"\operatorname{flip}($a)", r"1 \text{ at the mirrored place}"))
    functions = ("flip",)

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return _flip_array(a._data, dims)

    @staticmethod
    def backward(ctx, grad):
        return flip(grad, ctx.dims), None


# A rule's flips and running sums and products: recorded on Tensors, done by NumPy on arrays.
flip = either(_flip_array, Flip.apply)
cumsum = either(_cumsum_array, Cumsum.apply)
cumprod = either(lambda x, dim: np.cumprod(x, axis=dim), Cumprod.apply)


def reversed_cumsum(x, dim):
    """Σ_{k≥i} xₖ along dim, as PyTorch computes it: flip, cumsum, flip."""
    return flip(cumsum(flip(x, (dim,)), dim), (dim,))
