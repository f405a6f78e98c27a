"""Reductions, and softmax / log-softmax (which normalise along a dimension)."""
from collections import namedtuple

import numpy as np

from ._base import Primitive, result

MinMaxResult = namedtuple("MinMaxResult", ["values", "indices"])
MinMaxResult.__module__ = "nbgrad.return_types"


def arg(x, dim, op):
    """Indices of the max (or min) along ``dim``, with ``dim`` kept as size 1; the first one on ties."""
    idx = np.argmax(x, axis=dim) if op == "max" else np.argmin(x, axis=dim)
    return np.expand_dims(idx, dim).astype(np.int64)


def _kept(grad, shape, dims, keepdim):
    """A reduced gradient with its reduced dims restored as size 1, ready to broadcast over ``shape``."""
    if keepdim or not dims:
        return grad
    return grad.reshape(tuple(1 if i in dims else s for i, s in enumerate(shape)))


class Sum(Primitive):
    """Σᵢ aᵢ;  ∂/∂aᵢ = 1"""

    @staticmethod
    def forward(ctx, a):
        ctx.self_sym_sizes = a._data.shape
        return a._data.sum()

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.self_sym_sizes)


class SumDim(Primitive):
    """Σ along dims;  ∂/∂aᵢ = 1"""

    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.self_sym_sizes, ctx.dim, ctx.keepdim = a._data.shape, dim, keepdim
        return a._data.sum(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        shape = ctx.self_sym_sizes
        return _kept(grad, shape, ctx.dim, ctx.keepdim).expand(shape), None, None


class Mean(Primitive):
    """(1/n) Σᵢ aᵢ;  ∂/∂aᵢ = 1/n"""

    @staticmethod
    def forward(ctx, a):
        ctx.self_sym_sizes = a._data.shape
        return a._data.mean()

    @staticmethod
    def backward(ctx, grad):
        shape = ctx.self_sym_sizes
        return (grad / max(int(np.prod(shape)), 1)).expand(shape)


class MeanDim(Primitive):
    """mean along dims;  ∂/∂aᵢ = 1/n (n = elements reduced)"""

    node_name = "MeanBackward1"

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        ctx.self_sym_sizes, ctx.dim, ctx.keepdim = a._data.shape, dim, keepdim
        return a._data.mean(axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        shape = ctx.self_sym_sizes
        n = int(np.prod([shape[d] for d in ctx.dim]))
        return (_kept(grad, shape, ctx.dim, ctx.keepdim) / n).expand(shape), None, None


class Var(Primitive):
    """Σ(aᵢ - ā)² / (n - c);  ∂/∂aᵢ = 2(aᵢ - ā)/(n - c)"""

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, dim, correction, keepdim):
        ctx.save_for_backward(a)
        ctx.dim, ctx.correction, ctx.keepdim = dim, correction, keepdim
        return a._data.var(axis=dim, ddof=correction, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        n = int(np.prod([a._data.shape[d] for d in ctx.dim]))
        centred = a - a.mean(ctx.dim, keepdim=True)
        return _kept(grad, a._data.shape, ctx.dim, ctx.keepdim) * centred * (2 / (n - ctx.correction)), None, None, None


class Std(Primitive):
    """√var(a);  ∂/∂aᵢ = (aᵢ - ā) / ((n - c)·std)"""

    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, dim, correction, keepdim):
        out = result(a._data.std(axis=dim, ddof=correction, keepdims=keepdim))
        ctx.save_for_backward(a, out)
        ctx.dim, ctx.correction, ctx.keepdim = dim, correction, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        shape = a._data.shape
        n = int(np.prod([shape[d] for d in ctx.dim]))
        centred = a - a.mean(ctx.dim, keepdim=True)
        scale = _kept(grad / out, shape, ctx.dim, ctx.keepdim) / (n - ctx.correction)
        return scale * centred, None, None, None


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
        a, out = ctx.saved_tensors
        shape = a._data.shape
        # NOTE: every element equal to the extreme gets an equal share, as PyTorch does for
        # max()/min() without dim and for amax/amin.
        hit = a._data == _kept(out, shape, ctx.dim, ctx.keepdim)._data
        share = hit / hit.sum(axis=ctx.dim, keepdims=True)
        grads = (_kept(grad, shape, ctx.dim, ctx.keepdim) * share.astype(a._data.dtype),)
        return grads + (None,) * (ctx._num_args - 1)


class Max(_Extreme):
    """max of all elements;  ∂/∂aᵢ = 1/k for each of the k maximal elements"""

    node_name = "MaxBackward1"
    _pick = staticmethod(np.max)


class Min(_Extreme):
    """min of all elements;  ∂/∂aᵢ = 1/k for each of the k minimal elements"""

    node_name = "MinBackward1"
    _pick = staticmethod(np.min)


class Amax(_Extreme):
    """max along dims;  ties share the gradient evenly"""

    _pick = staticmethod(np.max)


class Amin(_Extreme):
    """min along dims;  ties share the gradient evenly"""

    _pick = staticmethod(np.min)


class MaxDim(Primitive):
    """max along one dim, with indices;  ∂/∂aᵢ = 1 at the returned index, else 0"""

    node_name = "MaxBackward0"
    saved_names = ("indices",)

    @staticmethod
    def forward(ctx, a, dim, keepdim, indices):
        ctx.dim, ctx.keepdim, ctx.self_sym_sizes = dim, keepdim, a._data.shape
        ctx.indices = indices
        out = np.take_along_axis(a._data, indices, axis=dim)
        return out if keepdim else out.squeeze(dim)

    @staticmethod
    def backward(ctx, grad):
        shape, dim = ctx.self_sym_sizes, ctx.dim
        # NOTE: the whole gradient goes to the index returned (the first extreme), as in PyTorch.
        positions = np.arange(shape[dim]).reshape((-1,) + (1,) * (len(shape) - dim - 1))
        onehot = (positions == ctx.indices).astype(grad._data.dtype)
        return _kept(grad, shape, (dim,), ctx.keepdim) * onehot, None, None, None


class MinDim(MaxDim):
    """min along one dim, with indices;  ∂/∂aᵢ = 1 at the returned index, else 0"""

    node_name = "MinBackward0"


class Prod(Primitive):
    """Πᵢ aᵢ;  ∂/∂aᵢ = Πⱼ≠ᵢ aⱼ"""

    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a):
        out = result(np.asarray(a._data.prod()))
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        return grad * _others_product(a, out, None)


class ProdDim(Primitive):
    """Π along a dim;  ∂/∂aᵢ = product of the other elements of its slice"""

    node_name = "ProdBackward1"
    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, dim, keepdim):
        out = result(a._data.prod(axis=dim, keepdims=True))
        ctx.save_for_backward(a, out)
        ctx.dim, ctx.keepdim = dim, keepdim
        return out._data if keepdim else out._data.squeeze(dim)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        shape = a._data.shape
        return _kept(grad, shape, (ctx.dim,), ctx.keepdim) * _others_product(a, out, ctx.dim), None, None


def _others_product(a, out, dim):
    """Product of all elements but one, for each element: result/a when nothing is zero.

    With zeros present that division fails, so the products are computed directly; that path is
    exact for the first derivative but constant (not differentiable again).
    """
    if np.all(a._data != 0):
        return out / a
    d = 0 if dim is None else dim
    m = np.moveaxis(a._data.reshape(-1) if dim is None else a._data, d, -1)
    ones = np.ones_like(m[..., :1])
    left = np.cumprod(np.concatenate([ones, m[..., :-1]], -1), -1)  # products before each element
    right = np.cumprod(np.concatenate([ones, m[..., :0:-1]], -1), -1)[..., ::-1]  # and after it
    return result(np.moveaxis(left * right, -1, d).reshape(a._data.shape))


class Softmax(Primitive):
    """sᵢ = eᵃⁱ / Σⱼ eᵃʲ;  ∂L/∂aᵢ = sᵢ (gᵢ - Σⱼ gⱼ sⱼ)"""

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a, dim):
        x = a._data
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        out = result(e / e.sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return s * (grad - (grad * s).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Primitive):
    """aᵢ - log Σⱼ eᵃʲ;  ∂L/∂aᵢ = gᵢ - softmax(a)ᵢ Σⱼ gⱼ"""

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a, dim):
        x = a._data
        shifted = x - x.max(axis=dim, keepdims=True)
        out = result(shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True)))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - out.exp() * grad.sum(ctx.dim, keepdim=True), None
