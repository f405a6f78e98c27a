"""Matrix products. ``matmul`` picks the primitive PyTorch would (dot, mv, mm, or a batched product)."""
import math

import numpy as np

from .._dtype import cpp_type_name, from_numpy_dtype, scalar_type_name
from ._base import Primitive, Rule, either, expand, raw, saved, t, transpose, unsqueeze


def check_matmul(a, b):
    """PyTorch's error for ``a @ b`` that cannot be computed, worded by the kernel PyTorch would use.

    PyTorch folds the batch dims of a 3-D+ ``a`` into rows when ``b`` is a vector or matrix (so the
    message shows ``mv``/``mm`` shapes), and broadcasts batch dims for ``bmm`` otherwise. Operands must
    have the same dtype: matmul does not promote.
    """
    sa, sb = a._data.shape, b._data.shape
    na, nb = len(sa), len(sb)
    if na == nb == 2 and sa[1] == sb[0] and a._data.dtype == b._data.dtype:  # the common case: nothing to report
        return
    da, db = from_numpy_dtype(a._data.dtype), from_numpy_dtype(b._data.dtype)
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if na == 1 and nb == 1:
        if da is not db:
            raise RuntimeError(
                f"dot : expected both vectors to have same dtype, but found {scalar_type_name(da)} and "
                f"{scalar_type_name(db)}"
            )
        if sa != sb:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have the same number "
                f"of elements, but got {sa[0]} and {sb[0]} elements respectively"
            )
        return
    rows = math.prod(sa[:-1])
    if nb == 1:
        if sa[-1] != sb[0]:
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{sa[-1]}), vec ({sb[0]})")
        if da is not db:
            raise RuntimeError(
                f"addmv input tensors must have the same dtype, but got {scalar_type_name(db)}, "
                f"{scalar_type_name(da)}, and {scalar_type_name(db)}"
            )
    elif nb == 2:
        if sa[-1] != sb[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{sa[-1]} and {sb[0]}x{sb[1]})")
        if da is not db:
            raise RuntimeError(
                f"expected m1 and m2 to have the same dtype, but got: {cpp_type_name(da)} != {cpp_type_name(db)}"
            )
    else:
        from .._argcheck import _broadcast_shapes

        batch = int(np.prod(_broadcast_shapes(sa[:-2], sb[:-2]), dtype=np.int64))
        if sa[-1] != sb[-2]:
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: [{batch}, {sa[-1]}] but got: "
                f"[{batch}, {sb[-2]}]."
            )
        if da is not db:
            raise RuntimeError(f"expected scalar type {scalar_type_name(da)} but found {scalar_type_name(db)}")


class Dot(Primitive):
    rule = Rule("a·b = Σᵢ aᵢbᵢ for vectors;  ∂/∂a = b,  ∂/∂b = a",
                latex=(r"\textstyle\sum_i ${a}_i ${b}_i", "$b", "$a"))
    infix = "@", r"\cdot"
    functions = ("dot",)

    saved_names = ("self", "tensor")
    saved_for = ((1,), (0,))

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.dot(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        a, b = saved(ctx, grad)
        return None if b is None else grad * b, None if a is None else grad * a


class Mv(Primitive):
    rule = Rule("A v for a matrix and a vector;  ∂/∂A = g vᵀ,  ∂/∂v = Aᵀ g",
                latex=("$A $v", r"g\,$v^{\top}", r"$A^{\top} g"), local=False)
    infix = "@", r"\,"
    functions = ("mv",)

    saved_names = ("self", "vec")
    saved_for = ((1,), (0,))

    @staticmethod
    def forward(ctx, A, v):
        ctx.save_for_backward(A, v)
        return A._data @ v._data

    @staticmethod
    def backward(ctx, grad):
        A, v = saved(ctx, grad)
        return (None if v is None else _ger(grad, v),
                None if A is None else mm_or_mv(t(A), grad))


class Mm(Primitive):
    rule = Rule("A B for matrices;  ∂/∂A = G Bᵀ,  ∂/∂B = Aᵀ G",
                latex=("$A $B", r"G\,$B^{\top}", r"$A^{\top} G"), local=False)
    infix = "@", r"\,"
    functions = ("mm", "matmul")

    saved_names = ("self", "mat2")
    saved_for = ((1,), (0,))

    @staticmethod
    def forward(ctx, A, B):
        ctx.save_for_backward(A, B)
        return A._data @ B._data

    @staticmethod
    def backward(ctx, grad):
        A, B = saved(ctx, grad)
        return None if B is None else mm(grad, t(B)), None if A is None else mm(t(A), grad)


def _scaled(node, number):
    return {name: number(v) for name, v in (("beta", node._saved_beta), ("alpha", node._saved_alpha)) if v != 1}


def _times(x, factor):
    """``x · factor``, skipped when the factor is 1 (PyTorch's ``maybe_multiply``: no extra node then)."""
    from .elementwise import mul_scalar

    return x if factor == 1 else mul_scalar(x, factor)


def _column_major(array):
    """A matrix stored column by column (a transposed one, as ``weight.t()``), by PyTorch's stride test."""
    rows = array.shape[0]
    return array.strides[0] == array.itemsize and array.strides[1] == rows * array.itemsize


def _scaled_sum(beta, c, alpha, product):
    """β·c + α·product in place on ``product``; c is ignored when β is 0 (its nan and inf too), as in PyTorch."""
    if alpha != 1:
        product *= alpha
    if beta != 0:
        product += c if beta == 1 else beta * c
    return product


class Addmm(Primitive):
    rule = Rule("β c + α A B (c broadcast over the rows: a linear layer);  ∂/∂c = β G,  ∂/∂A = α G Bᵀ,  ∂/∂B = α Aᵀ G",
                latex=(r"$c + $A $B", "1", r"G\,$B^{\top}", r"$A^{\top} G"), local=False, params=_scaled)
    functions = ("addmm",)

    saved_names = ("mat1", "mat2")
    saved_for = ((2,), (1,))

    @staticmethod
    def forward(ctx, c, A, B, beta=1, alpha=1):
        ctx.save_for_backward(A, B)
        ctx._saved_beta, ctx._saved_alpha = beta, alpha
        ctx.column_major = _column_major(A._data), _column_major(B._data)
        return _scaled_sum(beta, c._data, alpha, A._data @ B._data)

    @staticmethod
    def backward(ctx, grad):
        A, B = saved(ctx, grad)
        alpha = ctx._saved_alpha
        a_column_major, b_column_major = ctx.column_major
        # As PyTorch's mm_mat1_backward/mm_mat2_backward: a column-major input (B is weightᵀ in a linear layer)
        # gets its gradient as the transpose of a product, so it comes out column-major too (TBackward0) and
        # storing it in .grad is a plain copy rather than a transposing one.
        if B is None:
            grad_a = None
        else:
            grad_a = _times(t(mm(B, t(grad))) if a_column_major else mm(grad, t(B)), alpha)
        if A is None:
            grad_b = None
        else:
            grad_b = _times(t(mm(t(grad), A)) if b_column_major else mm(t(A), grad), alpha)
        return _times(grad, ctx._saved_beta), grad_a, grad_b, None, None


class Addmv(Primitive):
    rule = Rule("β c + α A v;  ∂/∂c = β g,  ∂/∂A = α g vᵀ,  ∂/∂v = α Aᵀ g",
                latex=(r"$c + $A $v", "1", r"g\,$v^{\top}", r"$A^{\top} g"), local=False, params=_scaled)
    functions = ("addmv",)

    saved_names = ("mat", "vec")
    saved_for = ((2,), (1,))

    @staticmethod
    def forward(ctx, c, A, v, beta=1, alpha=1):
        ctx.save_for_backward(A, v)
        ctx._saved_beta, ctx._saved_alpha = beta, alpha
        return _scaled_sum(beta, c._data, alpha, A._data @ v._data)

    @staticmethod
    def backward(ctx, grad):
        A, v = saved(ctx, grad)
        alpha = ctx._saved_alpha
        return (_times(grad, ctx._saved_beta),
                None if v is None else _times(_ger(grad, v), alpha),
                None if A is None else _times(mm_or_mv(t(A), grad), alpha), None, None)


class Baddbmm(Primitive):
    rule = Rule("β c + α A B for each batch;  ∂/∂c = β G,  ∂/∂A = α G Bᵀ,  ∂/∂B = α Aᵀ G",
                latex=(r"$c + $A $B", "1", r"G\,$B^{\top}", r"$A^{\top} G"), local=False, params=_scaled)
    functions = ("baddbmm",)

    saved_names = ("batch1", "batch2")
    saved_for = ((2,), (1,))

    @staticmethod
    def forward(ctx, c, A, B, beta=1, alpha=1):
        ctx.save_for_backward(A, B)
        ctx._saved_beta, ctx._saved_alpha = beta, alpha
        return _scaled_sum(beta, c._data, alpha, A._data @ B._data)

    @staticmethod
    def backward(ctx, grad):
        A, B = saved(ctx, grad)
        alpha = ctx._saved_alpha
        return (_times(grad, ctx._saved_beta),
                None if B is None else _times(bmm(grad, transpose(B, 1, 2)), alpha),
                None if A is None else _times(bmm(transpose(A, 1, 2), grad), alpha), None, None)


class Addbmm(Primitive):
    rule = Rule("β c + α Σ_b A_b B_b (a sum of matrix products);  ∂/∂c = β G,  ∂/∂A_b = α G B_bᵀ,  ∂/∂B_b = α A_bᵀ G",
                latex=(r"$c + \textstyle\sum_b ${A}_b ${B}_b", "1", r"G\,${B}_b^{\top}", r"${A}_b^{\top} G"), local=False,
                params=_scaled)
    functions = ("addbmm",)

    saved_names = ("batch1", "batch2")
    saved_for = ((2,), (1,))

    @staticmethod
    def forward(ctx, c, A, B, beta=1, alpha=1):
        ctx.save_for_backward(A, B)
        ctx._saved_beta, ctx._saved_alpha = beta, alpha
        ctx.batches = A._data.shape[0]
        return _scaled_sum(beta, c._data, alpha, np.add.reduce(A._data @ B._data, axis=0))

    @staticmethod
    def backward(ctx, grad):
        A, B = saved(ctx, grad)
        alpha = ctx._saved_alpha
        g = expand(unsqueeze(grad, 0), (ctx.batches, *raw(grad).shape))
        return (_times(grad, ctx._saved_beta),
                None if B is None else _times(bmm(g, transpose(B, 1, 2)), alpha),
                None if A is None else _times(bmm(transpose(A, 1, 2), g), alpha), None, None)


class Bmm(Primitive):
    rule = Rule("A B over batch dims (broadcast);  ∂/∂A = G Bᵀ,  ∂/∂B = Aᵀ G (summed over broadcast batch dims)",
                latex=("$A $B", r"G\,$B^{\top}", r"$A^{\top} G"), local=False)
    infix = "@", r"\,"
    functions = ("bmm",)

    saved_names = ("self", "mat2")
    saved_for = ((1,), (0,))

    @staticmethod
    def forward(ctx, A, B):
        ctx.save_for_backward(A, B)
        return A._data @ B._data

    @staticmethod
    def backward(ctx, grad):
        A, B = saved(ctx, grad)
        return (None if B is None else bmm(grad, transpose(B, -2, -1)),
                None if A is None else bmm(transpose(A, -2, -1), grad))


def _ger(u, v):
    """u vᵀ as PyTorch's ``ger`` records it in a rule: ``u.reshape(n, 1) * v``."""
    return u.reshape(-1, 1) * v


# A rule's matrix products, recorded as the node PyTorch's rule records on Tensors, plain ``@`` on arrays.
mm = either(np.matmul, lambda a, b: Mm.apply(a, b))
bmm = either(np.matmul, lambda a, b: Bmm.apply(a, b))
mm_or_mv = either(np.matmul, lambda a, b: a.matmul(b))


def matmul(a, b):
    """PyTorch's matmul dispatch: vectors are promoted to matrices and the added dim removed after."""
    check_matmul(a, b)
    na, nb = a._data.ndim, b._data.ndim
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
