"""Linear algebra beyond the matrix products: ``einsum``, ``outer`` and ``kron`` (composed from other nodes, as
PyTorch composes them), norms and distances, the cross product, inverse, determinant and solving ``A X = B``.
Loaded at first use (``nbgrad._lazy``): ``import nbgrad`` does not pay for it; the products are in ``linalg``.
"""
import math

import numpy as np

from .._dtype import from_numpy_dtype, scalar_type_name
from ..autograd import function
from ._base import Primitive, Rule, constant, either, raw, result, saved, unsqueeze
from .linalg import Bmm


# ============================================================== products PyTorch composes from other nodes

def outer(a, b):
    """a bᵀ for vectors, as PyTorch records it: ``a.reshape(n, 1) * b`` (ViewBackward0, MulBackward0)."""
    for name, x in (("self", a), ("vec2", b)):
        if x._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {x._data.ndim}-D")
    return a.reshape(a._data.shape[0], 1) * b


def kron(a, b):
    """The Kronecker product, as PyTorch records it: each operand viewed with a size-1 dim beside each of its
    dims, multiplied, and the pairs of dims merged (UnsafeViewBackward0, MulBackward0)."""
    from . import shape as S

    n = max(a._data.ndim, b._data.ndim)
    sa = (1,) * (n - a._data.ndim) + a._data.shape
    sb = (1,) * (n - b._data.ndim) + b._data.shape
    a_view = S.UnsafeView.apply(a, tuple(x for s in sa for x in (s, 1)))
    b_view = S.UnsafeView.apply(b, tuple(x for s in sb for x in (1, s)))
    return S.UnsafeView.apply(a_view * b_view, tuple(x * y for x, y in zip(sa, sb)))


_ELLIPSIS = "..."


def _subscript(label):
    """PyTorch's order of labels: A-Z before a-z."""
    return ord(label) - ord("A") if label.isupper() else ord(label) - ord("a") + 26


def _parse_operand_labels(lhs, count):
    labels, found_ellipsis, i = [[]], False, 0
    while i < len(lhs):
        c = lhs[i]
        if c == ".":
            op = len(labels) - 1
            if found_ellipsis:
                raise RuntimeError(f"einsum(): found '.' for operand {op} for which an ellipsis was already found")
            if lhs[i:i + 3] != _ELLIPSIS:
                raise RuntimeError(f"einsum(): found '.' for operand {op} that is not part of any ellipsis")
            labels[-1].append(_ELLIPSIS)
            found_ellipsis, i = True, i + 3
            continue
        if c == ",":
            labels.append([])
            if len(labels) > count:
                raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
            found_ellipsis = False
        elif c != " ":
            if not (c.isascii() and c.isalpha()):
                raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation string, subscripts "
                                   "must be in [a-zA-Z]")
            labels[-1].append(c)
        i += 1
    if len(labels) != count:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    return labels


def einsum(equation, *operands):
    """Sums of products over named dims (``"ij,jk->ik"``), recorded as PyTorch's decomposition records them:
    each operand's dims are aligned (``diagonal`` for a repeated label, ``unsqueeze`` for a missing one,
    ``permute``), operands are multiplied pairwise from the left (``bmm`` where a dim is summed, else ``*``),
    and the summed dims are removed with ``view`` (``sum`` for one operand)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    lhs, arrow, rhs = equation.partition("->")
    op_labels = _parse_operand_labels(lhs, len(operands))

    count = {}
    ell_num_dim = 0
    for i, (t, labels) in enumerate(zip(operands, op_labels)):
        ndim = t._data.ndim
        named = [c for c in labels if c != _ELLIPSIS]
        has_ellipsis = len(named) != len(labels)
        for c in named:
            count[c] = count.get(c, 0) + 1
        if has_ellipsis:
            ell_num_dim = max(ell_num_dim, ndim - len(named))
        if has_ellipsis and len(named) > ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(named)}) is more than the "
                               f"number of dimensions ({ndim}) for operand {i}")
        if not has_ellipsis and len(named) != ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(named)}) does not match "
                               f"the number of dimensions ({ndim}) for operand {i} and no ellipsis was given")

    order = sorted(count, key=_subscript)
    perm_index, ell_index, ell_in_output, position = 0, 0, False, {}
    if not arrow:
        perm_index, ell_in_output = ell_num_dim, True  # implicit output: the ellipsis, then labels seen once
        for c in order:
            if count[c] == 1:
                position[c] = perm_index
                perm_index += 1
    else:
        i = 0
        while i < len(rhs):
            c = rhs[i]
            if c == ".":
                if ell_in_output:
                    raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found")
                if rhs[i:i + 3] != _ELLIPSIS:
                    raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)")
                ell_index, ell_in_output = perm_index, True
                perm_index += ell_num_dim
                i += 3
                continue
            if c != " ":
                if not (c.isascii() and c.isalpha()):
                    raise RuntimeError(f"einsum(): invalid subscript given at index {len(lhs) + 2 + i} in the "
                                       "equation string, subscripts must be in [a-zA-Z]")
                if c in position or c not in count:
                    raise RuntimeError(f"einsum(): output subscript {c}" + (
                        " appears more than once in the output" if c in position
                        else " does not appear in the equation for any input operand"))
                position[c] = perm_index
                perm_index += 1
            i += 1
    out_num_dim = perm_index
    if not ell_in_output:
        ell_index = perm_index
        perm_index += ell_num_dim
    for c in order:
        if c not in position:
            position[c] = perm_index
            perm_index += 1

    # Align every operand to the dims (output dims, then summed dims), counting the operands where each dim
    # is not of size 1: a dim only one operand has can be summed at once.
    label_size, ell_sizes, dim_counts, ops = {}, [1] * ell_num_dim, [0] * perm_index, []
    for i, (op, labels) in enumerate(zip(operands, op_labels)):
        permutation = [-1] * perm_index
        dim = 0
        for c in labels:
            if c == _ELLIPSIS:
                ndim = operands[i]._data.ndim - (len(labels) - 1)
                for j in range(ell_num_dim - ndim, ell_num_dim):
                    size = op._data.shape[dim]
                    if size != 1:
                        if ell_sizes[j] not in (1, size):
                            raise RuntimeError(f"einsum(): dimension {j} covered by ellipsis in operand {i}has size "
                                               f"{size} which does not broadcast with previously seen ellipsis with "
                                               f"size {ell_sizes[j]} for the respective dimension")
                        ell_sizes[j] = size
                        dim_counts[ell_index + j] += 1
                    permutation[ell_index + j] = dim
                    dim += 1
            elif permutation[position[c]] == -1:
                size = op._data.shape[dim]
                if size != 1:
                    if label_size.get(c, 1) not in (1, size):
                        raise RuntimeError(f"einsum(): subscript {c} has size {size} for operand {i} which does not "
                                           f"broadcast with previously seen size {label_size[c]}")
                    label_size[c] = size
                    dim_counts[position[c]] += 1
                permutation[position[c]] = dim
                dim += 1
            else:  # a repeated label: its diagonal, put where the label first was
                prev = permutation[position[c]]
                if op._data.shape[dim] != op._data.shape[prev]:
                    raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the sizes don't "
                                       f"match, {op._data.shape[dim]} != {op._data.shape[prev]}")
                op = op.diagonal(0, prev, dim)
                back = list(range(op._data.ndim - 1))
                back.insert(prev, op._data.ndim - 1)
                op = op.permute(back)
        for k, val in enumerate(permutation):
            if val == -1:
                op = op.unsqueeze(dim)
                permutation[k] = dim
                dim += 1
        ops.append(op.permute(permutation))

    while len(ops) > 1:
        a, b = ops.pop(0), ops.pop(0)
        sum_dims, a_sum, b_sum = [], [], []
        for dim in range(out_num_dim, perm_index):
            sa, sb = a._data.shape[dim], b._data.shape[dim]
            if sa != 1 and sb != 1:
                dim_counts[dim] -= 1
                if dim_counts[dim] == 1:
                    sum_dims.append(dim)
                    dim_counts[dim] = 0
            elif dim_counts[dim] == 1:
                if sa != 1:
                    a_sum.append(dim)
                    dim_counts[dim] = 0
                elif sb != 1:
                    b_sum.append(dim)
                    dim_counts[dim] = 0
        if a_sum:
            a = a.sum(a_sum, True)
        if b_sum:
            b = b.sum(b_sum, True)
        ops.insert(0, _sumproduct_pair(a, b, sum_dims))

    result = ops[0]
    if perm_index - out_num_dim > 0:
        if len(operands) > 1:
            return result.view(result._data.shape[:out_num_dim])
        return result.sum(list(range(out_num_dim, perm_index)))
    return result


def _sumproduct_pair(left, right, sum_dims):
    """left · right summed over ``sum_dims`` (kept as size 1), as one ``bmm`` of the operands permuted and
    reshaped to (dims of both, dims of left only, summed) and (dims of both, summed, dims of right only)."""
    if not sum_dims:
        return left * right
    lro, lo, ro = [], [], []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(left._data.ndim):
        sl, sr = left._data.shape[i] != 1, right._data.shape[i] != 1
        if i in sum_dims:
            if sl and sr:
                sum_size *= left._data.shape[i]
            elif sl:
                left = left.sum(i, True)
            elif sr:
                right = right.sum(i, True)
        elif sl and sr:
            lro.append(i)
            lro_size *= left._data.shape[i]
        elif sl:
            lo.append(i)
            lo_size *= left._data.shape[i]
        else:
            ro.append(i)
            ro_size *= right._data.shape[i]
    out_size = ([left._data.shape[d] for d in lro] + [left._data.shape[d] for d in lo] + [1] * len(sum_dims)
                + [right._data.shape[d] for d in ro])
    lperm = lro + lo + sum_dims + ro
    rperm = lro + sum_dims + ro + lo
    operm = [0] * len(out_size)
    for i, d in enumerate(lro + lo + sum_dims + ro):
        operm[d] = i
    left = left.permute(lperm).reshape(lro_size, lo_size, sum_size)
    right = right.permute(rperm).reshape(lro_size, sum_size, ro_size)
    return bmm_checked(left, right).view(out_size).permute(operm)


def check_bmm(A, B):
    sa, sb = A._data.shape, B._data.shape
    if len(sa) != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if len(sb) != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{sa[0]}, {sa[2]}] but "
                           f"got: [{sb[0]}, {sb[1]}].")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(from_numpy_dtype(A._data.dtype))} but found "
                           f"{scalar_type_name(from_numpy_dtype(B._data.dtype))}")


def bmm_checked(A, B):
    check_bmm(A, B)
    return Bmm.apply(A, B)


# ============================================================== norms, distances, the cross product

def _norm_name(ord):
    return "inf" if ord == math.inf else "-inf" if ord == -math.inf else f"{ord:g}"


def _norm_latex(ord):
    return r"\infty" if ord == math.inf else r"-\infty" if ord == -math.inf else f"{ord:g}"


def _vector_norm(x, ord, dims, keepdim):
    """‖x‖_ord over ``dims`` (a tuple) on an array."""
    a = np.abs(x)
    if ord == 2:
        return np.sqrt(np.add.reduce(a * a, axis=dims, keepdims=keepdim))
    if ord == 1:
        return np.add.reduce(a, axis=dims, keepdims=keepdim)
    if ord == math.inf:
        return np.max(a, axis=dims, keepdims=keepdim)
    if ord == -math.inf:
        return np.min(a, axis=dims, keepdims=keepdim)
    if ord == 0:
        return np.add.reduce((a != 0).astype(x.dtype), axis=dims, keepdims=keepdim)
    return np.add.reduce(a ** ord, axis=dims, keepdims=keepdim) ** (1.0 / ord)


def _kept(x, dims, keepdim):
    """A reduced value with its reduced dims put back as size 1 (``unsqueeze``, as PyTorch's rules do), ready
    to broadcast; ``dims`` None (every dim) needs none: a 0-d value broadcasts as it is."""
    if keepdim or dims is None:
        return x
    for d in sorted(dims):
        x = unsqueeze(x, d)
    return x


_abs = either(np.abs, lambda x: x.abs())


def _zero_where(mask, x):
    """x, with 0 where ``mask`` (an array) holds: PyTorch's ``masked_fill_(mask, 0)`` in a rule."""
    from .elementwise import where, zeros_like

    return where(mask, zeros_like(x), x)


def _norm_backward(grad, a, norm, ord, dims):
    """PyTorch's ``norm_backward``: ∂‖a‖ₚ/∂a = sgn(a)|a|ᵖ⁻¹ / ‖a‖ₚᵖ⁻¹, with its special cases."""
    from .elementwise import sgn

    if ord == 0:  # a count of nonzeros: PyTorch gives no gradient at all (None), not zeros
        return None
    if ord == 1:
        return sgn(a) * grad
    zero_norm = raw(norm) == 0
    if ord == 2:
        return grad * _zero_where(zero_norm, a / norm)
    if math.isinf(ord):
        x = np.abs(raw(a))
        # NOTE: every element whose |a| is the norm gets an equal share, as PyTorch does (ties split evenly).
        hit = (x == raw(norm)) | np.isnan(x)
        count = constant(np.add.reduce(hit, axis=dims, keepdims=True).astype(x.dtype), grad)
        return sgn(a) * ((grad / count) * constant(hit.astype(x.dtype), grad))
    if ord < 1:
        scaled = sgn(a) * _zero_where(raw(a) == 0, _abs(a) ** (ord - 1))
        return scaled * grad * norm ** (1 - ord)
    scaled = sgn(a) * _abs(a) ** (ord - 1) if ord < 2 else a * _abs(a) ** (ord - 2)
    return scaled * _zero_where(zero_norm, grad / norm ** (ord - 1))


class LinalgVectorNorm(Primitive):
    rule = Rule("‖a‖ₚ = (Σᵢ |aᵢ|ᵖ)^(1/p) over dims;  ∂/∂aᵢ = sgn(aᵢ) |aᵢ|ᵖ⁻¹ / ‖a‖ₚᵖ⁻¹",
                latex=(r"\lVert $a \rVert_{$_p}", r"\operatorname{sgn}($a)\,\lvert $a \rvert^{$_p-1} / "
                       r"\lVert $a \rVert_{$_p}^{$_p-1}"),
                params=lambda node, number: {"ord": _norm_name(node._saved_ord), "_p": _norm_latex(node._saved_ord)})

    saved_names = ("self", "result")

    @staticmethod
    def forward(ctx, a, ord, dims, keepdim):
        out = result(np.asarray(_vector_norm(a._data, ord, dims, keepdim)))
        ctx.save_for_backward(a, out)
        ctx._saved_ord, ctx.dim, ctx.keepdim = ord, dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        a, norm = saved(ctx, grad)
        grad, norm = (_kept(x, ctx.dim, ctx.keepdim) for x in (grad, norm))
        return _norm_backward(grad, a, norm, ctx._saved_ord, ctx.dim), None, None, None


class Dist(Primitive):
    rule = Rule("‖a − b‖ₚ;  ∂/∂a = sgn(a − b) |a − b|ᵖ⁻¹ / ‖a − b‖ₚᵖ⁻¹,  ∂/∂b = −∂/∂a",
                latex=(r"\lVert $a - $b \rVert_{$_p}", r"\operatorname{sgn}($a - $b)\,\lvert $a - $b \rvert^{$_p-1} / "
                       r"\lVert $a - $b \rVert_{$_p}^{$_p-1}", r"-\partial/\partial $a"),
                params=lambda node, number: {"p": _norm_name(node._saved_p), "_p": _norm_latex(node._saved_p)},
                local=False)
    functions = ("dist",)

    saved_names = ("self", "other", "result")

    @staticmethod
    def forward(ctx, a, b, p):
        diff = a._data - b._data
        out = result(np.asarray(_vector_norm(diff, p, None, False)))
        ctx.save_for_backward(a, b, out)
        ctx._saved_p = p
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, norm = saved(ctx, grad)
        d = a - b
        g = _norm_backward(grad, d, norm, ctx._saved_p, None)
        return g, None if g is None else -g, None


class LinalgCross(Primitive):
    rule = Rule("a × b along dim (vectors of 3);  ∂/∂a = b × G,  ∂/∂b = G × a",
                latex=(r"$a \times $b", r"$b \times G", r"G \times $a"), local=False)

    saved_names = ("self", "other")
    saved_for = ((1,), (0,))

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.save_for_backward(a, b)
        ctx.dim = dim
        return np.cross(a._data, b._data, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, b = saved(ctx, grad)
        d = ctx.dim
        return (None if b is None else _cross(b, grad, d), None if a is None else _cross(grad, a, d), None)


_cross = either(lambda x, y, d: np.cross(x, y, axis=d), lambda x, y, d: LinalgCross.apply(x, y, d))


# ============================================================== inverse, determinant, solving A X = B

class LinAlgError(RuntimeError):
    """A matrix the operation cannot use (singular), as ``torch.linalg.LinAlgError``."""


def check_square(A, fn):
    if A._data.ndim < 2:
        raise RuntimeError(f"linalg.{fn}: The input tensor A must have at least 2 dimensions.")
    n, m = A._data.shape[-2:]
    if n != m:
        raise RuntimeError(f"linalg.{fn}: A must be batches of square matrices, but they are {n} by {m} matrices")
    if A._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.{fn}: Expected a floating point or complex tensor as input. Got "
                           f"{scalar_type_name(from_numpy_dtype(A._data.dtype))}")


def _first_zero_pivot(a):
    """The 1-based index of the first zero pivot of LU with partial pivoting (LAPACK's getrf ``info``), or 0."""
    u = a.astype(np.float64, copy=True)
    n = u.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if u[p, k] == 0:
            return k + 1
        u[[k, p]] = u[[p, k]]
        u[k + 1:, k:] -= np.outer(u[k + 1:, k] / u[k, k], u[k, k:])
    return 0


_mT = either(lambda x: np.swapaxes(x, -2, -1), lambda x: x.mT)
_matmul = either(np.matmul, lambda a, b: a.matmul(b))


class LinalgInvEx(Primitive):
    rule = Rule("A⁻¹;  ∂/∂A = −A⁻ᵀ G A⁻ᵀ",
                latex=("${A}^{-1}", r"-{$A}^{-\top} G\, {$A}^{-\top}"), local=False)

    saved_names = ("inverse",)

    @staticmethod
    def forward(ctx, A):
        try:
            inverse = result(np.linalg.inv(A._data))
        except np.linalg.LinAlgError:
            for a in A._data.reshape(-1, *A._data.shape[-2:]):
                k = _first_zero_pivot(a)
                if k:
                    raise LinAlgError(f"linalg.inv: The diagonal element {k} is zero, the inversion could not be "
                                      "completed because the input matrix is singular.") from None
            raise
        ctx.save_for_backward(inverse)
        return inverse

    @staticmethod
    def backward(ctx, grad):
        (inverse,) = saved(ctx, grad)
        return -_matmul(_mT(inverse), _matmul(grad, _mT(inverse)))


_inv = either(np.linalg.inv, LinalgInvEx.apply)


class LinalgDet(Primitive):
    rule = Rule("det A;  ∂/∂A = g · det A · A⁻ᵀ",
                latex=(r"\det $A", r"g\,\det($A)\, {$A}^{-\top}"), local=False)

    saved_names = ("A", "result")

    @staticmethod
    def forward(ctx, A):
        det = result(np.asarray(np.linalg.det(A._data)))
        ctx.save_for_backward(A, det)
        return det

    @staticmethod
    def backward(ctx, grad):
        A, det = saved(ctx, grad)
        # a singular (or nearly singular) matrix has no usable inverse: the cofactors themselves, as PyTorch gives
        if raw(A).size and (np.linalg.cond(raw(A)) > 1e8).any():
            return unsqueeze(unsqueeze(grad, -1), -1) * _cofactors(A)
        scale = unsqueeze(unsqueeze(grad * det, -1), -1)
        return scale * _mT(_inv(A))


_det = either(lambda x: np.asarray(np.linalg.det(x)), lambda x: LinalgDet.apply(x))


def _stack(items, dim):
    if not isinstance(items[0], function.Tensor):
        return np.stack(items, dim)
    from .shape import Stack

    return Stack.apply(dim % (items[0]._data.ndim + 1), *items)


def _cofactors(A):
    """The matrix of cofactors, (−1)ⁱ⁺ʲ times the determinant of A without row i and column j."""
    n = raw(A).shape[-1]
    if n == 1:
        return A * 0 + 1
    rows = []
    for i in range(n):
        keep_rows = [k for k in range(n) if k != i]
        row = []
        for j in range(n):
            keep_cols = [k for k in range(n) if k != j]
            minor = A[..., keep_rows, :][..., keep_cols]
            row.append(_det(minor) * (-1) ** (i + j))
        rows.append(_stack(row, -1))
    return _stack(rows, -2)


def _is_vector_rhs(A, B, left=True):
    """PyTorch's reading of ``solve(A, B)``: B is a vector (or a batch of them) when it has one dim less than A."""
    return left and (B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1]))


def check_solve(A, B, left=True):
    check_square(A, "solve")
    a, b = A._data, B._data
    vector = _is_vector_rhs(a, b, left)
    rows = b.shape[-1] if vector or not left else b.shape[-2]
    if rows != a.shape[-1]:
        cols = 1 if vector else b.shape[-1] if left else b.shape[-2]
        shape = f"{rows}x{cols}" if left else f"{cols}x{rows}"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({a.shape[-2]}x{a.shape[-1]} and {shape})")
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {scalar_type_name(from_numpy_dtype(a.dtype))} and B of type "
                           f"{scalar_type_name(from_numpy_dtype(b.dtype))} instead")


def _solve_arrays(a, b, left=True):
    """A⁻¹ B (``left``) or B A⁻¹, on arrays."""
    if not left:
        return np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)
    return np.linalg.solve(a, b[..., None])[..., 0] if _is_vector_rhs(a, b) else np.linalg.solve(a, b)


class LinalgSolveEx(Primitive):
    rule = Rule("X = A⁻¹ B, the solution of A X = B (X A = B if not left);  ∂/∂A = −(A⁻ᵀ G) Xᵀ,  ∂/∂B = A⁻ᵀ G",
                latex=("${A}^{-1} $B", r"-({$A}^{-\top} G)\, X^{\top}", r"{$A}^{-\top} G"), local=False)

    saved_names = ("A", "result")

    @staticmethod
    def forward(ctx, A, B, left=True):
        ctx.vector, ctx.left = _is_vector_rhs(A._data, B._data, left), left
        try:
            out = result(_solve_arrays(A._data, B._data, left))
        except np.linalg.LinAlgError:
            raise LinAlgError("nbgrad.linalg.solve: The solver failed because the input matrix is singular.") from None
        ctx.save_for_backward(A, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        A, X = saved(ctx, grad)
        grad_b = _solve(_mT(A), grad, ctx.left)
        if not ctx.left:  # X A = B: ∂/∂A = −Xᵀ (G A⁻ᵀ)
            grad_a = -_matmul(_mT(X), grad_b)
        elif ctx.vector:
            grad_a = -(unsqueeze(grad_b, -1) * unsqueeze(X, -2))
        else:
            grad_a = -_matmul(grad_b, _mT(X))
        return grad_a, grad_b, None


_solve = either(_solve_arrays, LinalgSolveEx.apply)
