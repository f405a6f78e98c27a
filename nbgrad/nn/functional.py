"""``nbgrad.nn.functional``: the functional forms of layers, activations and losses, as in PyTorch."""
import numpy as np

from .. import _random
from .._dtype import from_numpy_dtype, scalar_type_name
from ..ops import elementwise as _elementwise, linalg as _linalg, loss as _loss
from .._argcheck import _broadcast_shapes, _check_dim, _require_floating
from ..tensor import Tensor

_REDUCTIONS = ("none", "mean", "sum")


def _dtype_name(t):
    return scalar_type_name(from_numpy_dtype(t._data.dtype))


def linear(input, weight, bias=None):
    """``input @ weightᵀ + bias``, the map of ``nn.Linear``: one AddmmBackward0 node for a batch, as in PyTorch."""
    if input._data.ndim == 2 and weight._data.ndim == 2 and bias is not None:
        (n, k), (m, k2) = input._data.shape, weight._data.shape
        if input._data.dtype != weight._data.dtype:
            raise RuntimeError(
                f"mat1 and mat2 must have the same dtype, but got {_dtype_name(input)} and {_dtype_name(weight)}"
            )
        if bias._data.dtype != weight._data.dtype:
            raise RuntimeError(
                f"self and mat2 must have the same dtype, but got {_dtype_name(bias)} and {_dtype_name(weight)}"
            )
        if k != k2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})")
        try:
            np.broadcast_to(bias._data, (n, m))
        except ValueError:
            raise RuntimeError(
                f"The expanded size of the tensor ({m}) must match the existing size ({bias._data.shape[-1]}) at "
                f"non-singleton dimension {bias._data.ndim - 1}.  Target sizes: [{n}, {m}].  Tensor sizes: "
                f"{list(bias._data.shape)}"
            ) from None
        return _linalg.Addmm.apply(bias, input, weight.t())
    if input._data.ndim == 0 or weight._data.ndim == 0:
        raise RuntimeError(
            f"both arguments to linear need to be at least 1D, but they are {input._data.ndim}D and "
            f"{weight._data.ndim}D"
        )
    out = input.matmul(weight.t())
    return out if bias is None else out + bias


def relu(input, inplace=False):
    """max(x, 0); ``inplace=True`` overwrites ``input`` (as ``nn.ReLU(inplace=True)`` does)."""
    if inplace:
        input._check_inplace()
        return input._inplace(input._snapshot().relu())
    return input.relu()


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def softplus(input, beta=1.0, threshold=20.0):
    """ln(1 + e^(β·x))/β, a smooth relu; x itself where β·x > threshold, as in PyTorch."""
    _require_floating(input, "softplus")
    return _elementwise.Softplus.apply(input, beta, threshold)


def softmax(input, dim):
    return input.softmax(dim)


def log_softmax(input, dim):
    return input.log_softmax(dim)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p), in training only.

    The mask comes from nbgrad's seeded generator (``nbgrad.manual_seed``), so a lesson is repeatable.
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    keep = _random.uniform_array(input._data.shape) >= p
    scale = 0.0 if p == 1 else 1 / (1 - p)
    mask = Tensor._make((keep * scale).astype(input._data.dtype))
    return input.mul_(mask) if inplace else input * mask


def one_hot(tensor, num_classes=-1):
    """Class indices (int64) as rows of zeros with a 1 at the index: shape ``tensor.shape + (num_classes,)``.

    ``num_classes=-1`` takes one more than the largest index. The result is int64 and has no gradient.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot(): argument 'input' (position 1) must be Tensor, not {type(tensor).__name__}")
    if not isinstance(num_classes, int) or isinstance(num_classes, bool):
        raise TypeError(
            f"one_hot(): argument 'num_classes' (position 2) must be int, not {type(num_classes).__name__}"
        )
    indices = tensor._data
    if indices.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if indices.size == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    elif indices.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    elif num_classes == -1:
        num_classes = int(indices.max()) + 1
    elif indices.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((indices[..., None] == np.arange(num_classes)).astype(np.int64))


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def mse_loss(input, target, reduction="mean"):
    """Mean (or sum) of squared differences."""
    _check_reduction(reduction)
    if input._data.shape != target._data.shape:
        import warnings

        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
            "same size.", UserWarning, stacklevel=2)
        shape = np.broadcast_shapes(input._data.shape, target._data.shape)
        input, target = input.expand(shape), target.expand(shape)
    input, target = input._operands(target)
    return _loss.MseLoss.apply(input, target, reduction)


def _check_targets(input, target, weight, ignore_index):
    if not isinstance(target, Tensor):
        raise TypeError(f"nll_loss(): argument 'target' must be Tensor, not {type(target).__name__}")
    if target._data.dtype != np.int64:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_dtype_name(target)}")
    if input._data.ndim not in (1, 2):
        raise ValueError(f"Expected 1 or 2 dimensions (got {input._data.ndim})")
    batch = input._data.shape[0] if input._data.ndim == 2 else 1
    if target._data.size != batch or (input._data.ndim == 2 and target._data.ndim != 1):
        raise ValueError(f"Expected input batch_size ({batch}) to match target batch_size ({target._data.size}).")
    classes = input._data.shape[-1]
    t = target._data.reshape(-1)
    if t.size and not (0 <= np.minimum.reduce(t) and np.maximum.reduce(t) < classes):  # only then look for ignored targets and the culprit
        bad = t[(t != ignore_index) & ((t < 0) | (t >= classes))]
        if bad.size:
            raise IndexError(f"Target {int(bad[0])} is out of bounds.")
    if weight is not None and weight._data.shape != (classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no classes but got weight "
            f"tensor of shape: {list(weight._data.shape)}"
        )


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of the target classes, given log-probabilities ``input`` (N, C)."""
    _check_reduction(reduction)
    _check_targets(input, target, weight, ignore_index)
    w = None if weight is None else weight._data
    return _loss.NllLoss.apply(input, target._data, w, reduction, ignore_index)


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """``nll_loss(log_softmax(input, 1), target)``: the usual loss for class scores (logits).

    A floating ``target`` of the same shape as ``input`` holds class probabilities instead of indices:
    the loss is then ``-Σ_c w_c·target_c·log_softmax(input)_c`` per sample ('mean' divides by the batch size).
    """
    _check_reduction(reduction)
    if isinstance(target, Tensor) and target.is_floating_point() and target._data.shape == input._data.shape:
        return _cross_entropy_with_probabilities(input, target, weight, reduction)
    _check_targets(input, target, weight, ignore_index)
    logp = input.log_softmax(_check_dim(-1, input._data.ndim))
    # nll_loss without its checks: the targets were checked against input, which has logp's shape
    return _loss.NllLoss.apply(logp, target._data, None if weight is None else weight._data, reduction, ignore_index)


def _cross_entropy_with_probabilities(input, target, weight, reduction):
    if input._data.ndim not in (1, 2):
        raise ValueError(f"Expected 1 or 2 dimensions (got {input._data.ndim})")
    per_class = input.log_softmax(input._data.ndim - 1) * target
    if weight is not None:
        per_class = per_class * weight
    losses = -per_class.sum(input._data.ndim - 1)
    if reduction == "none":
        return losses
    total = losses.sum()
    return total / (input._data.shape[0] if input._data.ndim == 2 else 1) if reduction == "mean" else total


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    """Binary cross-entropy of ``sigmoid(input)`` against ``target`` in [0, 1], computed stably from the logits.

    ``pos_weight`` (broadcast along the last dim) weighs the positive term: > 1 favours recall.
    """
    _check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    if not target.is_floating_point():
        raise RuntimeError(
            f"result type {_dtype_name(input)} can't be cast to the desired output type {_dtype_name(target)}"
        )
    input, target = input._operands(target)
    extras = []
    for t in (weight, pos_weight):
        if t is not None:
            t = t.to(input.dtype)
            _broadcast_shapes(input._data.shape, t._data.shape)  # PyTorch's error for a shape that cannot apply
        extras.append(t)
    return _loss.BinaryCrossEntropyWithLogits.apply(input, target, *extras, reduction)
