"""``nbgrad.nn.functional``: the functional forms of activations and losses, as in PyTorch."""
import numpy as np

from ..ops import loss as _loss
from ..tensor import Tensor, _check_dim

_REDUCTIONS = ("none", "mean", "sum")


def relu(input):
    return input.relu()


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def softmax(input, dim):
    return input.softmax(dim)


def log_softmax(input, dim):
    return input.log_softmax(dim)


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
        raise RuntimeError(
            f"expected scalar type Long but found {target.dtype.name.capitalize() if target.dtype.name != 'float32' else 'Float'}"
        )
    if input._data.ndim not in (1, 2):
        raise ValueError(f"Expected 1 or 2 dimensions (got {input._data.ndim})")
    batch = input._data.shape[0] if input._data.ndim == 2 else 1
    if target._data.size != batch or (input._data.ndim == 2 and target._data.ndim != 1):
        raise ValueError(f"Expected input batch_size ({batch}) to match target batch_size ({target._data.size}).")
    classes = input._data.shape[-1]
    t = target._data.reshape(-1)
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
    """``nll_loss(log_softmax(input, 1), target)``: the usual loss for class scores (logits)."""
    _check_reduction(reduction)
    _check_targets(input, target, weight, ignore_index)
    return nll_loss(input.log_softmax(_check_dim(-1, input._data.ndim)), target, weight, ignore_index, reduction)
