"""Matrix products. ``matmul`` picks the primitive PyTorch would (dot, mv, mm, or a batched product)."""
import numpy as np

from ._base import Primitive


def _shape(a):
    return "x".join(str(s) for s in a._data.shape)


class Dot(Primitive):
    """a·b = Σᵢ aᵢbᵢ for vectors;  ∂/∂a = b,  ∂/∂b = a"""

    saved_names = ("self", "tensor")

    @staticmethod
    def forward(ctx, a, b):
        if a._data.shape != b._data.shape:
            n, m = a._data.shape[0], b._data.shape[0]
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number "
                f"of elements, but got {n} and {m} elements respectively"
            )
        ctx.save_for_backward(a, b)
        return np.dot(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


class Mv(Primitive):
    """A v for a matrix and a vector;  ∂/∂A = g vᵀ,  ∂/∂v = Aᵀ g"""

    saved_names = ("self", "vec")

    @staticmethod
    def forward(ctx, a, v):
        if a._data.shape[1] != v._data.shape[0]:
            raise RuntimeError(f"size mismatch, got input ({a._data.shape[0]}), mat ({_shape(a)}), vec ({v._data.shape[0]})")
        ctx.save_for_backward(a, v)
        return a._data @ v._data

    @staticmethod
    def backward(ctx, grad):
        a, v = ctx.saved_tensors
        return grad.unsqueeze(1) * v.unsqueeze(0), a.t().matmul(grad)


class Mm(Primitive):
    """A B for matrices;  ∂/∂A = G Bᵀ,  ∂/∂B = Aᵀ G"""

    saved_names = ("self", "mat2")

    @staticmethod
    def forward(ctx, a, b):
        if a._data.shape[1] != b._data.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape(a)} and {_shape(b)})")
        ctx.save_for_backward(a, b)
        return a._data @ b._data

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = Mm.apply(grad, b.t()) if ctx.needs_input_grad[0] else None
        grad_b = Mm.apply(a.t(), grad) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Bmm(Primitive):
    """A B over batch dims (broadcast);  ∂/∂A = G Bᵀ,  ∂/∂B = Aᵀ G (summed over broadcast batch dims)"""

    saved_names = ("self", "mat2")

    @staticmethod
    def forward(ctx, a, b):
        sa, sb = a._data.shape, b._data.shape
        if sa[-1] != sb[-2]:
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: [{', '.join(map(str, sa[:-2] + sa[-1:]))}] "
                f"but got: [{', '.join(map(str, sb[:-3 if len(sb) > 2 else -2] + sb[-2:-1]))}]."
            )
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            raise RuntimeError(
                f"The size of tensor a ({sa[-3]}) must match the size of tensor b ({sb[-3]}) at non-singleton dimension 0"
            ) from None
        ctx.save_for_backward(a, b)
        return a._data @ b._data

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        grad_a = Bmm.apply(grad, b.mT) if ctx.needs_input_grad[0] else None
        grad_b = Bmm.apply(a.mT, grad) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


def matmul(a, b):
    """PyTorch's matmul dispatch: vectors are promoted to matrices and the added dim removed after."""
    na, nb = a._data.ndim, b._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if na == 1 and nb == 1:
        return Dot.apply(a, b)
    if na == 2 and nb == 1:
        return Mv.apply(a, b)
    if na == 2 and nb == 2:
        return Mm.apply(a, b)
    if na == 1 and nb == 2:
        return Mm.apply(a.unsqueeze(0), b).squeeze(0)
    if na == 1:
        return Bmm.apply(a.unsqueeze(0), b).squeeze(-2)
    if nb == 1:
        return Bmm.apply(a, b.unsqueeze(-1)).squeeze(-1)
    return Bmm.apply(a, b)
