"""Ops that order or rearrange elements: sort, topk, kthvalue, cumulative sums, products and extremes, flips,
rolls, triangles and diagonals, repeats.

The ops that pick elements (sort, topk, kthvalue, cummax, cummin) are given the picked indices by their
Tensor method, which computes them: the indices are an output of no gradient, and the values' gradient is
scattered back to where they were picked, as PyTorch does it.
"""
import numpy as np

from ._base import (
    Primitive, Rule, constant, either, exp, expand, log, raw, result, saved, sum_dims, transpose, unsqueeze,
)
from .elementwise import _NoDerivative, where
from .index import zeros
from .reduce import _return_type
from .scatter import index_fill_value, scatter_add, scatter_src
from .shape import Diagonal, diagonal_backward

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


def _logcumsumexp_array(x, dim):
    return np.logaddexp.accumulate(x, axis=dim) if x.ndim else x.copy()


class Logcumsumexp(Primitive):
    rule = Rule("running log-sum-exp along dim: outᵢ = ln Σ_{j≤i} e^aⱼ;  ∂L/∂aᵢ = Σ_{k≥i} gₖ e^(aᵢ - outₖ)",
                latex=(r"\ln \textstyle\sum_{j \le i} e^{${a}_j}",
                       r"\textstyle\sum_{k \ge i} g_k e^{${a}_i - \mathrm{out}_k} \text{ (with } g\text{)}"),
                local=False)
    functions = ("logcumsumexp",)

    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, dim):
        out = result(_logcumsumexp_array(a._data, dim))
        ctx.save_for_backward(a, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = saved(ctx, grad)
        if not raw(a).ndim:
            return grad, None
        # PyTorch's logcumsumexp_backward: the sum is taken in log space, its positive and negative parts apart.
        # NOTE: where the gradient flowing in is 0 its log is -inf: the second derivative with respect to it is
        # then nan, as in PyTorch.
        lowest = constant(np.asarray(np.finfo(raw(a).dtype).min, raw(a).dtype), grad)
        g = raw(grad)
        log_abs = log(absolute(grad))
        positive = where(g > 0, log_abs, lowest)
        negative = where(g < 0, log_abs, lowest)
        dim = ctx.dim
        return (exp(reversed_logcumsumexp(positive - out, dim) + a)
                - exp(reversed_logcumsumexp(negative - out, dim) + a)), None


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
    functions = ("flip", "fliplr", "flipud")

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return _flip_array(a._data, dims)

    @staticmethod
    def backward(ctx, grad):
        return flip(grad, ctx.dims), None


def _roll_array(x, shifts, dims):
    if dims is None:  # the flattened tensor rolled, as PyTorch does without dims
        return np.roll(x.reshape(-1), shifts).reshape(x.shape)
    return np.roll(x, shifts, dims)


class Roll(Primitive):
    rule = Rule("a shifted along dims, elements leaving one end coming back at the other;  the gradient "
                "shifted back",
                latex=(r"\operatorname{roll}($a)", r"1 \text{ at the element's place before the shift}"))
    functions = ("roll",)

    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return _roll_array(a._data, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        return roll(grad, tuple(-s for s in ctx.shifts), ctx.dims), None, None


def _rot90_array(x, k, dims):
    return np.rot90(x, k, dims).copy()


class Rot90(Primitive):
    rule = Rule("a turned by k quarter turns in the plane of dims;  the gradient turned back",
                latex=(r"\operatorname{rot90}($a)", r"1 \text{ at the element's place before turning}"))
    functions = ("rot90",)

    @staticmethod
    def forward(ctx, a, k, dims):
        ctx.k, ctx.dims = k, dims
        return _rot90_array(a._data, k, dims)

    @staticmethod
    def backward(ctx, grad):
        return rot90(grad, -ctx.k, ctx.dims), None, None


class Tril(Primitive):
    rule = Rule("a's lower triangle (on and below the diagonal-th diagonal), zeros above;  ∂/∂a = 1 in the "
                "triangle, 0 above it",
                latex=(r"\operatorname{tril}($a)", r"1 \text{ in the triangle}"))
    functions = ("tril",)

    _triangle = staticmethod(np.tril)

    @classmethod
    def forward(cls, ctx, a, diagonal):
        ctx.diagonal = diagonal
        return cls._triangle(a._data, diagonal)

    @classmethod
    def backward(cls, ctx, grad):
        return either(cls._triangle, cls.apply)(grad, ctx.diagonal), None


class Triu(Tril):
    rule = Rule("a's upper triangle (on and above the diagonal-th diagonal), zeros below;  ∂/∂a = 1 in the "
                "triangle, 0 below it",
                latex=(r"\operatorname{triu}($a)", r"1 \text{ in the triangle}"))
    functions = ("triu",)

    _triangle = staticmethod(np.triu)


class DiagEmbed(Primitive):
    rule = Rule("zeros with a's last dim on the diagonal (offset) of the dims dim1 and dim2;  the gradient's "
                "diagonal",
                latex=(r"\operatorname{diag}($a)", r"1 \text{ on the diagonal}"))
    functions = ("diag_embed", "diag", "diagflat")

    @staticmethod
    def forward(ctx, a, offset, dim1, dim2):
        ctx.offset, ctx.dim1, ctx.dim2 = offset, dim1, dim2
        n = a._data.shape[-1] + abs(offset)
        sizes = list(a._data.shape[:-1])
        for d in sorted((dim1, dim2)):
            sizes.insert(d, n)
        return diagonal_backward(a._data, tuple(sizes), offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        return diagonal(grad, ctx.offset, ctx.dim1, ctx.dim2), None, None, None


class DiagonalCopy(Primitive):
    rule = Rule("a matrix's diagonal (offset above or below it), as a new vector;  the gradient goes back onto "
                "that diagonal, zeros elsewhere",
                latex=(r"\operatorname{diag}($a)", r"1 \text{ on the diagonal}"))

    node_name = "DiagonalBackward0_copy"  # PyTorch's diag of a matrix is diagonal_copy, named so

    @staticmethod
    def forward(ctx, a, offset):
        ctx.self_sym_sizes, ctx.offset = a._data.shape, offset
        return np.diagonal(a._data, offset).copy()

    @staticmethod
    def backward(ctx, grad):
        return diagonal_backward(grad, ctx.self_sym_sizes, ctx.offset, 0, 1), None


class Trace(Primitive):
    rule = Rule("Σᵢ aᵢᵢ, the sum of a matrix's diagonal;  ∂/∂a = 1 on the diagonal, 0 elsewhere",
                latex=(r"\textstyle\sum_i ${a}_{ii}", r"1 \text{ on the diagonal}"))
    functions = ("trace",)

    @staticmethod
    def forward(ctx, a):
        ctx.self_sym_sizes = a._data.shape
        return np.asarray(np.trace(a._data))

    @staticmethod
    def backward(ctx, grad):
        # as PyTorch's trace_backward: the gradient filled in at the diagonal's places in the flat matrix
        rows, columns = ctx.self_sym_sizes
        places = np.arange(min(rows, columns)) * (columns + 1)
        return index_fill_value(zeros(grad, (rows * columns,)), 0, places, grad).reshape(ctx.self_sym_sizes)


class Repeat(Primitive):
    rule = Rule("a tiled repeats times along each dim;  ∂/∂a sums the gradient over the copies",
                latex=(r"\operatorname{repeat}($a)", r"\text{the number of copies}"))
    functions = ("repeat", "tile")

    @staticmethod
    def forward(ctx, a, repeats):
        ctx.repeats, ctx.self_sym_sizes = repeats, a._data.shape
        x = a._data.reshape((1,) * (len(repeats) - a._data.ndim) + a._data.shape)
        return np.tile(x, repeats)

    @staticmethod
    def backward(ctx, grad):
        return repeat_backward(grad, ctx.repeats, ctx.self_sym_sizes), None


def repeat_backward(grad, repeats, sizes):
    """PyTorch's repeat_backward: the new leading dims summed away one at a time, then one reshape that
    gives each repeated dim its own axis of copies, and one sum over those axes."""
    if 0 in repeats:
        return zeros(grad, sizes)
    extra = len(repeats) - len(sizes)
    for _ in range(extra):
        grad = sum_dims(grad, (0,), False)
    split, copies = [], []
    for repeat, size in zip(repeats[extra:], sizes):
        if repeat != 1:
            split.append(repeat)
            copies.append(len(split) - 1)
        split.append(size)
    if copies:
        grad = sum_dims(grad.reshape(tuple(split)), tuple(copies), False)
    return grad


# A rule's flips and running sums and products: recorded on Tensors, done by NumPy on arrays.
flip = either(_flip_array, Flip.apply)
roll = either(_roll_array, Roll.apply)
rot90 = either(_rot90_array, Rot90.apply)
diagonal = either(lambda x, offset, dim1, dim2: np.diagonal(x, offset, dim1, dim2).copy(), Diagonal.apply)
cumsum = either(_cumsum_array, Cumsum.apply)
cumprod = either(lambda x, dim: np.cumprod(x, axis=dim), Cumprod.apply)


logcumsumexp = either(_logcumsumexp_array, Logcumsumexp.apply)
absolute = either(np.abs, lambda x: x.abs())


def reversed_logcumsumexp(x, dim):
    return flip(logcumsumexp(flip(x, (dim,)), dim), (dim,))


def reversed_cumsum(x, dim):
    """Σ_{k≥i} xₖ along dim, as PyTorch computes it: flip, cumsum, flip."""
    return flip(cumsum(flip(x, (dim,)), dim), (dim,))
