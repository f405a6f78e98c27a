"""Embedding lookup (``nn.Embedding``, ``F.embedding``): rows of a weight picked by integer indices, its PyTorch
node EmbeddingBackward0, and its backward op, EmbeddingDenseBackwardBackward0 when recorded."""
import numpy as np

from ..autograd import function
from ._base import Primitive, Rule, constant, raw
from .elementwise import where, zero_of


def _params(node, number):
    return {"padding_idx": "none" if node.padding_idx < 0 else str(node.padding_idx)}


class Embedding(Primitive):
    rule = Rule(
        "weight[indices]: one row of weight per index;  ∂/∂weight[k] = Σ of the gradient's rows at the indices "
        "equal to k (0 for the row padding_idx; divided by k's count with scale_grad_by_freq)",
        latex=(r"$weight[\text{indices}]", r"\textstyle\sum_{i:\ \text{indices}_i = k} \gamma_i \text{ for row } k"),
        local=False,
        params=_params,
    )

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        """``indices``: an int array; ``padding_idx``: -1 for none (PyTorch's convention)."""
        ctx.indices, ctx.padding_idx, ctx.scale_grad_by_freq = indices, padding_idx, scale_grad_by_freq
        ctx.num_weights = weight._data.shape[0]
        return weight._data[indices]

    @staticmethod
    def backward(ctx, grad):
        return embedding_dense_backward(grad, ctx.indices, ctx.num_weights, ctx.padding_idx,
                                        ctx.scale_grad_by_freq), None, None, None


class EmbeddingDenseBackward(Primitive):
    rule = Rule(
        "the gradient's rows added into the indexed rows of zeros (num_weights, dim): embedding's backward;  "
        "∂/∂grad_output = the incoming gradient's rows at the indices (0 at padding_idx)",
        latex=(r"\textstyle\sum_{i:\ \text{indices}_i = k} $grad_output_i \text{ for row } k",
               r"\gamma[\text{indices}]"),
        local=False,
        params=_params,
    )

    @staticmethod
    def forward(ctx, grad_output, indices, num_weights, padding_idx, scale_grad_by_freq):
        ctx.indices, ctx.padding_idx = indices, padding_idx
        ctx.counts = np.bincount(indices.reshape(-1), minlength=num_weights) if scale_grad_by_freq else None
        return embedding_dense_backward(grad_output._data, indices, num_weights, padding_idx, scale_grad_by_freq)

    @staticmethod
    def backward(ctx, grad):
        # the rows at the indices, 0 at padding_idx, as PyTorch's embedding_dense_double_backward; divided by the
        # counts with scale_grad_by_freq, which PyTorch's omits (its second derivative is then wrong)
        indices = ctx.indices
        picked = grad[indices]
        if ctx.counts is not None:
            picked = picked / constant(np.expand_dims(ctx.counts[indices], -1).astype(raw(grad).dtype), grad)
        if ctx.padding_idx >= 0:
            padding = np.expand_dims(indices == ctx.padding_idx, -1)
            picked = where(padding, zero_of(picked), picked)
        return picked, None, None, None, None


def embedding_dense_backward(grad, indices, num_weights, padding_idx, scale_grad_by_freq):
    """PyTorch's embedding_dense_backward: on arrays, the formula; on Tensors, one recorded op."""
    if isinstance(grad, function.Tensor):
        return EmbeddingDenseBackward.apply(grad, indices, num_weights, padding_idx, scale_grad_by_freq)
    flat = indices.reshape(-1)
    rows = grad.reshape(flat.size, grad.shape[-1])  # the weight is 2-d: one row of the gradient per index
    if scale_grad_by_freq:
        counts = np.bincount(flat, minlength=num_weights)
        rows = rows / counts[flat][:, None]
    if padding_idx >= 0:
        rows = rows * (flat != padding_idx)[:, None]
    out = np.zeros((num_weights, rows.shape[1]), grad.dtype)
    np.add.at(out, flat, rows)
    return out
