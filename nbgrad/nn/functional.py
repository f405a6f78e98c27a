"""``nbgrad.nn.functional``: the functional forms of layers, activations and losses, as in PyTorch."""
import math

import numpy as np

from .. import _random
from .._dtype import from_numpy_dtype, scalar_type_name
from ..ops import elementwise as _elementwise, linalg as _linalg, loss as _loss
from .._argcheck import _broadcast_shapes, _require_floating
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


def _implicit_dim(name, input, dim, stacklevel):
    """PyTorch's deprecated choice when no dim is given: 0 for 0-, 1- and 3-d input, else 1, with its warning."""
    if dim is not None:
        return dim
    import warnings

    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an "
                  "argument.", UserWarning, stacklevel=stacklevel)
    return 0 if input._data.ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    dim = _implicit_dim("softmax", input, dim, _stacklevel)
    return (input if dtype is None else input.to(dtype)).softmax(dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    dim = _implicit_dim("log_softmax", input, dim, _stacklevel)
    return (input if dtype is None else input.to(dtype)).log_softmax(dim)


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


def _legacy_reduction(size_average, reduce, reduction):
    """The 2018 arguments ``size_average`` and ``reduce``, when given, decide the reduction, with PyTorch's warning."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "none" if not reduce else "mean" if size_average else "sum"
    import warnings

    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
                  UserWarning, stacklevel=3)
    return reduction


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean (or sum) of squared differences."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
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


def _check_arguments(function, input, target, weight, **numbers):
    """PyTorch's argument parser: Tensors where it wants Tensors, floats where it wants floats (by position)."""
    positions = {"input": 1, "target": 2, "weight": 3, "label_smoothing": 6}
    for name, value in (("input", input), ("target", target), ("weight", weight)):
        if not isinstance(value, Tensor) and not (name == "weight" and value is None):
            raise TypeError(f"{function}(): argument '{name}' (position {positions[name]}) must be Tensor, not "
                            f"{type(value).__name__}")
    for name, value in numbers.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise TypeError(f"{function}(): argument '{name}' (position {positions[name]}) must be float, not "
                            f"{type(value).__name__}")


def _check_targets(input, target, weight, ignore_index):
    """PyTorch's checks of class-index targets (those of ``nll_loss_nd``, then of its 1-2 or 4-d kernel), in
    its order; returns the targets as an array shaped for the kernel."""
    shape, t = input._data.shape, target._data
    if len(shape) < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {len(shape)})")
    if len(shape) != 1 and shape[0] != (t.shape[0] if t.ndim else 0):  # PyTorch reads a 0-d target's size as 0
        raise ValueError(f"Expected input batch_size ({shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    if t.dtype != np.int64:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_dtype_name(target)}")
    classes = shape[1] if len(shape) > 1 else shape[0]
    if len(shape) <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if len(shape) == 1:
            if t.size != 1:
                raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {t.size}")
            t = t.reshape(())
        if weight is not None and weight._data.shape != (classes,):
            raise RuntimeError(
                f"weight tensor should be defined either for all {classes} classes or no classes but got weight "
                f"tensor of shape: {list(weight._data.shape)}"
            )
    elif len(shape) == 4:
        if t.ndim != 3:
            raise RuntimeError(
                f"only batches of spatial targets supported (3D tensors) but got targets of dimension: {t.ndim}")
        if weight is not None and weight._data.size != classes:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
        if t.shape != shape[:1] + shape[2:]:
            raise RuntimeError(f"size mismatch (got input: {list(shape)} , target: {list(t.shape)}")
    else:
        out_size = shape[:1] + shape[2:]
        if t.shape[1:] != shape[2:]:
            raise RuntimeError(f"Expected target size {list(out_size)}, got {list(t.shape)}")
        if weight is not None and weight._data.size != classes:
            raise RuntimeError("weight tensor should be defined either for all or no classes")
    flat = t.reshape(-1)
    # only when some target is out of range, look for ignored ones and the culprit
    if flat.size and not (0 <= np.minimum.reduce(flat) and np.maximum.reduce(flat) < classes):
        bad = flat[(flat != ignore_index) & ((flat < 0) | (flat >= classes))]
        if bad.size:
            raise IndexError(f"Target {int(bad[0])} is out of bounds.")
    return t


def _nll_loss_nd(logp, target, weight, reduction, ignore_index):
    """PyTorch's ``nll_loss_nd``: NllLoss for (C,) and (N, C); NllLoss2d for (N, C, H, W); other shapes
    (N, C, d1, ...) are viewed as (N, C, 1, d1·...) for NllLoss2d, and a 'none' result viewed back."""
    w = None if weight is None else weight._data
    shape = logp._data.shape
    if len(shape) <= 2:
        return _loss.NllLoss.apply(logp, target, w, reduction, ignore_index)
    if len(shape) == 4:
        return _loss.NllLoss2d.apply(logp, target, w, reduction, ignore_index)
    n, c = shape[:2]
    empty = logp._data.size == 0
    logp = logp.view(n, c, 0, 0) if empty else logp.view(n, c, 1, -1)
    target = target.reshape((n, 0, 0) if target.size == 0 else (n, 1, -1))
    out = _loss.NllLoss2d.apply(logp, target, w, reduction, ignore_index)
    return out.view(shape[:1] + shape[2:]) if reduction == "none" else out


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of the target classes, given log-probabilities ``input``: (C,), (N, C) or
    (N, C, d1, d2, ...) with targets (N, d1, d2, ...)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_arguments("nll_loss_nd", input, target, weight)
    t = _check_targets(input, target, weight, ignore_index)
    return _nll_loss_nd(input, t, weight, reduction, ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """``nll_loss(log_softmax(input, class dim), target)``: the usual loss for class scores (logits), with the
    classes along dim 1 (dim 0 for a single sample).

    A ``target`` of the same shape as ``input`` holds class probabilities instead of indices: the loss is then
    ``-Σ_c w_c·target_c·log_softmax(input)_c`` per sample ('mean' divides by the number of samples).
    ``label_smoothing`` ε mixes the targets with the uniform distribution over the C classes:
    ``(1 - ε)·loss + ε/C · Σ_c (-w_c·log_softmax(input)_c)``, as PyTorch computes it.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_arguments("cross_entropy_loss", input, target, weight, label_smoothing=label_smoothing)
    if target._data.shape == input._data.shape:  # PyTorch's test: equal shapes
        if not target.is_floating_point():
            raise RuntimeError(
                f"Expected floating point type for target with class probabilities, got {_dtype_name(target)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        _check_smoothing(label_smoothing)
        return _cross_entropy_with_probabilities(input, target, weight, reduction, label_smoothing)
    t = _check_targets(input, target, weight, ignore_index)
    class_dim = 0 if input._data.ndim == 1 else 1
    logp = input.log_softmax(class_dim)
    nll = _nll_loss_nd(logp, t, weight, reduction, ignore_index)
    if label_smoothing <= 0.0:
        return nll
    _check_smoothing(label_smoothing)
    return _smoothed(logp, t, nll, weight, reduction, ignore_index, label_smoothing, class_dim)


def _check_smoothing(label_smoothing):
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")


def _class_view(weight, ndim, class_dim):
    """A weight of shape (C,) shaped to broadcast along the class dim of an ``ndim``-d input."""
    return weight.view(tuple(-1 if d == class_dim else 1 for d in range(ndim)))


def _smoothed(logp, target, nll, weight, reduction, ignore_index, label_smoothing, class_dim):
    """PyTorch's ``cross_entropy_loss_label_smoothing``, operation by operation."""
    ndim, n_classes = logp._data.ndim, logp._data.shape[class_dim]
    ignored = target == ignore_index
    per_class = logp if weight is None else logp * _class_view(weight, ndim, class_dim)
    smooth = -per_class.sum(class_dim)
    smooth = _zero_where(ignored, smooth)  # PyTorch's masked_fill_(ignored, 0)
    if reduction == "mean":
        if weight is None:
            total = float((~ignored).sum())
        else:
            total = float(weight._data[target[~ignored]].sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            ret = smooth.sum() / Tensor._make(np.asarray(total, logp._data.dtype))
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    # C++ multiplies by numbers: MulBackward1
    return _elementwise.mul_scalar(nll, 1 - label_smoothing) + _elementwise.mul_scalar(ret, label_smoothing / n_classes)


def _zero_where(ignored, smooth):
    """``smooth`` with 0 where the target is ignored (PyTorch's ``masked_fill_``; here a WhereBackward0 node)."""
    return _elementwise.where(ignored, Tensor._make(np.zeros((), smooth._data.dtype)), smooth)


def _cross_entropy_with_probabilities(input, target, weight, reduction, label_smoothing):
    """PyTorch's ``cross_entropy_loss_prob_target``, operation by operation."""
    ndim = input._data.ndim
    class_dim = 0 if ndim == 1 else 1
    n_classes = input._data.shape[class_dim] if ndim else 1
    logp = input.log_softmax(class_dim)
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    per_class = logp * target
    if weight is not None:
        per_class = per_class * _class_view(weight, ndim, class_dim)
    if reduction == "none":
        return -per_class.sum(class_dim)
    if reduction == "sum":
        return -per_class.sum()
    if not input._data.size:
        return -per_class.sum().fill_(math.nan)
    return _elementwise.div_scalar(-per_class.sum(), input._data.size / n_classes)  # DivBackward1, as C++ divides


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """Binary cross-entropy of ``sigmoid(input)`` against ``target`` in [0, 1], computed stably from the logits.

    ``pos_weight`` (broadcast along the last dim) weighs the positive term: > 1 favours recall.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
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

# Convolution, pooling, normalization and padding. Their primitives (nbgrad.ops.conv) load on first use:
# ``import nbgrad`` stays as fast as before.
def _ops():
    from ..ops import conv

    return conv


def _ntuple(value, n, name, op="convolution"):
    """An int or an n-sequence as an n-tuple, with PyTorch's error for a sequence of another length."""
    if isinstance(value, int):
        return (value,) * n
    value = tuple(value)
    if len(value) == 1:
        return value * n
    if len(value) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values to match the "
                           f"{op} dimensions, but got {name}={list(value)}")
    return value


def _shape_text(shape, sep=", "):
    return "[" + sep.join(str(n) for n in shape) + "]"


def _or_absent(t, like):
    """An optional tensor argument of a primitive: PyTorch's node shows an absent one as a (None, 0) edge, which
    an empty constant gives."""
    return Tensor._make(np.zeros(0, like._data.dtype)) if t is None else t


def _conv_nd(d, input, weight, bias, stride, padding, dilation, groups):
    """PyTorch's ``conv1d``/``conv2d``: an unbatched input runs as a batch of one (unsqueeze, then squeeze)."""
    shape = input._data.shape
    if len(shape) not in (d + 1, d + 2):
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to conv{d}d, but got input of "
                           f"size: {_shape_text(shape)}")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"Input type (nbgrad.{input.dtype.legacy_name}) and weight type "
                           f"(nbgrad.{weight.dtype.legacy_name}) should be the same or input should be a MKLDNN "
                           "tensor and weight is a dense tensor")
    stride, dilation = _ntuple(stride, d, "stride"), _ntuple(dilation, d, "dilation")
    kernel = weight._data.shape[2:]
    extra = None
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * d
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [dl * (k - 1) for k, dl in zip(kernel, dilation)]
            padding = tuple(t // 2 for t in total)
            if any(t % 2 for t in total):  # the odd one out goes on the right, by an explicit pad, as in PyTorch
                extra = tuple(v for t in reversed(total) for v in (0, t % 2))
                import warnings

                warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a "
                              "zero-padded copy of the input be created", UserWarning, stacklevel=3)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    padding = _ntuple(padding, d, "padding")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(dl <= 0 for dl in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    w_shape = weight._data.shape
    if len(w_shape) != d + 2:
        raise RuntimeError(f"Expected {d + 2}-dimensional input for {d + 2}-dimensional weight {_shape_text(w_shape)}, "
                           f"but got {len(shape)}-dimensional input of size {_shape_text(shape)} instead")
    if w_shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{_shape_text(w_shape)}] instead")
    batched = shape if len(shape) == d + 2 else (1,) + shape
    if batched[1] != w_shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {_shape_text(w_shape)}, expected input"
                           f"{_shape_text(batched)} to have {w_shape[1] * groups} channels, but got {batched[1]} "
                           "channels instead")
    if bias is not None and bias._data.shape != (w_shape[0],):
        raise RuntimeError(f"Given weight of size {_shape_text(w_shape)}, expected bias to be 1-dimensional with "
                           f"{w_shape[0]} elements, but got bias of size {_shape_text(bias._data.shape)} instead")
    padded = [n + 2 * p + (extra[2 * (d - 1 - i) + 1] if extra else 0)
              for i, (n, p) in enumerate(zip(batched[2:], padding))]
    reach = [dl * (k - 1) + 1 for k, dl in zip(kernel, dilation)]
    if any(r > n for r, n in zip(reach, padded)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, reach))}). Kernel size can't be greater than actual input size")
    x = input if len(shape) == d + 2 else input.unsqueeze(0)
    if extra is not None:
        x = _ops().ConstantPadNd.apply(x, extra, 0.0)
    out = _ops().Convolution.apply(x, weight, _or_absent(bias, weight), stride, padding, dilation, groups)
    return out if len(shape) == d + 2 else out.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Cross-correlation of (N, C, L) signals with (O, C/groups, k) kernels: ConvolutionBackward0."""
    return _conv_nd(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Cross-correlation of (N, C, H, W) images with (O, C/groups, kH, kW) kernels: ConvolutionBackward0."""
    return _conv_nd(2, input, weight, bias, stride, padding, dilation, groups)


def _pool_checks(input, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's ``pool2d_shape_check``; returns the output size."""
    if any(s == 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel_size must be greater than zero, but got kH: {kernel[0]} kW: {kernel[1]}")
    for k, p, dl in zip(kernel, padding, dilation):
        if p > k // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={dl}")
    shape = input._data.shape
    out = _ops().pool_out_size(shape[-2:], kernel, stride, padding, dilation, ceil_mode)
    if any(o < 1 for o in out):
        c = shape[-3]
        raise RuntimeError(f"Given input size: ({c}x{shape[-2]}x{shape[-1]}). Calculated output size: "
                           f"({c}x{out[0]}x{out[1]}). Output size is too small")
    return out


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The largest value of each window: MaxPool2DWithIndicesBackward0 (the gradient goes to the first maximum)."""
    shape = input._data.shape
    if len(shape) not in (3, 4) or 0 in shape[-3:]:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    kernel = _ntuple(kernel_size, 2, "kernel_size", "pooling")
    stride = kernel if stride is None or stride == [] or stride == () else _ntuple(stride, 2, "stride", "pooling")
    padding, dilation = _ntuple(padding, 2, "padding", "pooling"), _ntuple(dilation, 2, "dilation", "pooling")
    _pool_checks(input, kernel, stride, padding, dilation, ceil_mode)
    pooled = _ops().max_pool(input._data, kernel, stride, padding, dilation, ceil_mode)
    out = _ops().MaxPool2DWithIndices.apply(input, kernel, stride, padding, dilation, ceil_mode, pooled)
    return (out, Tensor._make(pooled[1])) if return_indices else out


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """max_pool2d over (N, C, 1, L), as PyTorch computes it (unsqueeze, pool, squeeze)."""
    shape = input._data.shape
    if len(shape) not in (2, 3) or 0 in shape[-2:]:
        raise RuntimeError(f"max_pool1d() Expected 2D or 3D input tensor, but got {_shape_text(shape)}")
    stride = kernel_size if stride is None or stride == [] or stride == () else stride
    out = max_pool2d(input.unsqueeze(-2), (1, _ntuple(kernel_size, 1, "kernel_size")[0]),
                     (1, _ntuple(stride, 1, "stride")[0]), (0, _ntuple(padding, 1, "padding")[0]),
                     (1, _ntuple(dilation, 1, "dilation")[0]), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean of each window: AvgPool2DBackward0."""
    shape = input._data.shape
    if len(shape) < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-len(shape)}, {len(shape) - 1}], but "
                         f"got -3)")
    if len(shape) > 4:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    kernel = _ntuple(kernel_size, 2, "kernel_size", "pooling")
    stride = kernel if stride is None or stride == [] or stride == () else _ntuple(stride, 2, "stride", "pooling")
    padding = _ntuple(padding, 2, "padding", "pooling")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _pool_checks(input, kernel, stride, padding, (1, 1), ceil_mode)
    return _ops().AvgPool2D.apply(input, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """avg_pool2d over (N, C, 1, L), as PyTorch computes it (unsqueeze, pool, squeeze)."""
    stride = kernel_size if stride is None or stride == [] or stride == () else stride
    out = avg_pool2d(input.unsqueeze(-2), (1, _ntuple(kernel_size, 1, "kernel_size")[0]),
                     (1, _ntuple(stride, 1, "stride")[0]), (0, _ntuple(padding, 1, "padding")[0]), ceil_mode,
                     count_include_pad)
    return out.squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    """Means over ``output_size`` windows that tile the image: AdaptiveAvgPool2DBackward0, or a mean over the
    last two dims (MeanBackward1) for a 1x1 output, as PyTorch records it."""
    shape = input._data.shape
    if len(shape) not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {_shape_text(shape)}")
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    if len(output_size) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    output_size = tuple(n if o is None else o for o, n in zip(output_size, shape[-2:]))
    if output_size == (1, 1):
        return input.mean((-1, -2), keepdim=True)
    return _ops().AdaptiveAvgPool2D.apply(input, output_size)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """(x - mean)/√(var + eps)·weight + bias per channel (dim 1): NativeBatchNormBackward0. In training the
    batch's statistics normalize, and the running ones (if given) move towards them by ``momentum``, with
    the unbiased variance, as in PyTorch."""
    _check_batch_norm(input, running_mean, running_var, weight, bias, training)
    stats = [None if t is None else t._data for t in (running_mean, running_var)]
    if training and running_mean is not None:
        for t in (running_mean, running_var):  # updated in place, as PyTorch's kernel does
            t._version_counter[0] += 1
    return _ops().NativeBatchNorm.apply(input, _or_absent(weight, input), _or_absent(bias, input), *stats, training,
                                        momentum, eps)


def _check_batch_norm(input, running_mean, running_var, weight, bias, training):
    shape = input._data.shape
    if training:
        count = int(np.prod(shape)) // shape[1] if len(shape) > 1 else 0
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    channels = shape[1] if len(shape) > 1 else 1
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t._data.size != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t._data.size}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean must be defined in evaluation mode")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(x - mean)/√(var + eps)·weight + bias over the last ``len(normalized_shape)`` dims: NativeLayerNormBackward0."""
    normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    shape = input._data.shape
    if shape[len(shape) - len(normalized_shape):] != normalized_shape or len(shape) < len(normalized_shape):
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{_shape_text(shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t._data.shape != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{_shape_text(t._data.shape)} and normalized_shape = {list(normalized_shape)}")
    return _ops().NativeLayerNorm.apply(input, normalized_shape, _or_absent(weight, input), _or_absent(bias, input),
                                       eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """(x - mean)/√(var + eps)·weight + bias, the statistics over each group of channels of each sample:
    NativeGroupNormBackward0."""
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {len(shape)}")
    if shape[1] % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {_shape_text(shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t._data.shape != (shape[1],):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, but "
                               f"got {name} of shape {_shape_text(t._data.shape)} and input of shape "
                               f"{_shape_text(shape)}")
    return _ops().NativeGroupNorm.apply(input, _or_absent(weight, input), _or_absent(bias, input), num_groups, eps)


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims: ``pad`` = (left, right) of the last dim, then of the one before, ...;
    a negative pad cuts. Mode 'constant' (ConstantPadNdBackward0)."""
    pad = tuple(pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input._data.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input._data.ndim}")
    if mode != "constant":
        return _edge_pad(input, pad, mode, value)
    shape = input._data.shape
    for i in range(len(pad) // 2):
        n = shape[-1 - i]
        if n + pad[2 * i] + pad[2 * i + 1] < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return _ops().ConstantPadNd.apply(input, pad, 0.0 if value is None else value)


def _edge_pad(input, pad, mode, value):
    """Reflect or replicate padding of the last dim (2 pads) or two (4 pads): ReflectionPad1DBackward0, ..."""
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    ndim = input._data.ndim
    if len(pad) // 2 + 1 not in (ndim, ndim - 1) or len(pad) not in (2, 4, 6):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {ndim}D input tensor.\nSupported combinations for "
            "non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or 4D input: "
            "padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    op = _ops().EDGE_PADS.get((mode, len(pad)))
    if op is None:  # circular, and 3 padded dims: not yet (docs/differences.md)
        raise NotImplementedError(f"mode='{mode}' with padding size {len(pad)}")
    shape = input._data.shape
    if mode == "reflect":
        for i in range(len(pad) // 2):
            dim = ndim - 1 - i
            if pad[2 * i] >= shape[dim] or pad[2 * i + 1] >= shape[dim]:
                raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding input "
                                   f"dimension, but got: padding ({pad[2 * i]}, {pad[2 * i + 1]}) at dimension {dim} "
                                   f"of input {_shape_text(shape)}")
    return op.apply(input, pad)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(‖input‖_p along dim, eps), composed as PyTorch composes it: norm, clamp_min, expand_as, div."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    return out.copy_(input / denom)


from .._lazy import lazy_module  # noqa: E402

# this family's ops, loaded at first use
_activation_ops, _embedding = lazy_module("nbgrad.ops.activation"), lazy_module("nbgrad.ops.embedding")
_losses = lazy_module("nbgrad.ops.losses")


def _activation(input, op, inplace_op, inplace, *args):
    """``op`` on ``input``, or with ``inplace=True`` written over it (recorded by ``inplace_op``: PyTorch's
    node for the in-place form, which saves the result where the input is gone)."""
    if not inplace:
        return op.apply(input, *args)
    input._check_inplace()
    return input._inplace(inplace_op.apply(input._snapshot(), *args))


def gelu(input, approximate="none"):
    """x·Φ(x), Φ the standard normal CDF; ``approximate='tanh'``: ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"GeluKernelImpl" not implemented for \'{_dtype_name(input)}\'')
    return _activation_ops.Gelu.apply(input, approximate)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, else negative_slope·x."""
    _require_floating(input, "leaky_relu")
    return _activation(input, _activation_ops.LeakyRelu, _activation_ops.LeakyReluInplace, inplace, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, else α(eˣ - 1)."""
    _require_floating(input, "elu")
    return _activation(input, _activation_ops.Elu, _activation_ops.EluInplace, inplace, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """λ·elu(x, α) with PyTorch's constants α ≈ 1.6733, λ ≈ 1.0507 (one EluBackward0 node, as there)."""
    _require_floating(input, "elu")
    return _activation(input, _activation_ops.Elu, _activation_ops.EluInplace, inplace, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """x where x > 0, else α(e^(x/α) - 1)."""
    _require_floating(input, "elu")
    return _activation(input, _activation_ops.Celu, _activation_ops.CeluInplace, inplace, alpha, 1.0, 1 / alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def silu(input, inplace=False):
    """x·σ(x) (also called swish)."""
    _require_floating(input, "silu")
    return _activation(input, _activation_ops.Silu, _activation_ops.Silu, inplace)


def mish(input, inplace=False):
    """x·tanh(softplus(x))."""
    _require_floating(input, "mish")
    return _activation(input, _activation_ops.Mish, _activation_ops.Mish, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clipped to [min_val, max_val]; its gradient is 0 at the bounds themselves, as in PyTorch."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _activation(input, _activation_ops.Hardtanh, _activation_ops.Hardtanh, inplace, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(x, 0), 6): ``hardtanh(x, 0, 6)``, a HardtanhBackward0 node as in PyTorch."""
    return hardtanh(input, 0.0, 6.0, inplace)

def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """The rows of ``weight`` at the indices ``input`` (any shape): shape ``input.shape + (embedding_dim,)``.

    ``padding_idx``: that row gets no gradient. ``max_norm``: the rows looked up are first rescaled in place (no
    gradient) to norm at most ``max_norm``. ``sparse=True`` still gives a dense gradient (nbgrad has no sparse
    tensors).
    """
    num_weights = weight._data.shape[0] if weight._data.ndim else 0
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < num_weights, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -num_weights, "Padding_idx must be within num_embeddings"
            padding_idx = num_weights + padding_idx
    else:
        padding_idx = -1
    indices = input._data
    if indices.dtype not in (np.int64, np.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got nbgrad.{input.dtype.legacy_name} instead (while checking arguments "
                           "for embedding)")
    if weight._data.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if indices.size and (indices.min() < 0 or indices.max() >= num_weights):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm_(weight, indices, max_norm, norm_type)
    return _embedding.Embedding.apply(weight, indices.astype(np.int64, copy=False), padding_idx, scale_grad_by_freq)


def _embedding_renorm_(weight, indices, max_norm, norm_type):
    """PyTorch's embedding_renorm_ under no_grad: each looked-up row whose norm exceeds max_norm is scaled by
    max_norm/(norm + 1e-7), in place (the weight's version counts the write)."""
    rows = np.unique(indices)
    data = weight._data
    norms = np.linalg.norm(data[rows], ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        data[rows[over]] *= (max_norm / (norms[over] + 1e-7))[:, None].astype(data.dtype)
    weight._version_counter[0] += 1


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value."""
    return _activation(input, _activation_ops.Threshold, _activation_ops.Threshold, inplace, threshold, value)


def threshold_(input, threshold, value):
    return _activation(input, _activation_ops.Threshold, _activation_ops.Threshold, True, threshold, value)


def logsigmoid(input):
    """ln σ(x), computed without overflow."""
    _require_floating(input, "log_sigmoid")
    return _activation_ops.LogSigmoid.apply(input)


def hardswish(input, inplace=False):
    """x·relu6(x + 3)/6."""
    _require_floating(input, "hardswish")
    return _activation(input, _activation_ops.Hardswish, _activation_ops.Hardswish, inplace)


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    _require_floating(input, "hardshrink")
    return _activation_ops.Hardshrink.apply(input, lambd)


def softshrink(input, lambd=0.5):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""
    if input._data.dtype.kind != "f":  # PyTorch's message names its check, not a kernel
        raise NotImplementedError(f'"softshrink_check" not implemented for \'{_dtype_name(input)}\'')
    if not 0 <= lambd <= np.finfo(input._data.dtype).max:
        raise RuntimeError(f"lambda must be in range [0, {np.finfo(input._data.dtype).max:g}] for input dtype "
                           f"{_dtype_name(input)}, but found {lambd:g}")
    return _activation_ops.Softshrink.apply(input, lambd)


def softsign(input):
    """x/(1 + |x|): PyTorch's ops (DivBackward0 of AddBackward0 of AbsBackward0)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


_SELU_ALPHA_TIMES_SCALE = 1.7580993408473766  # PyTorch's alpha for alpha dropout: SELU's λα


def _dropout_impl(input, p, training, inplace, feature, alpha):
    """PyTorch's ``_dropout_impl``: a noise of ones kept with probability 1 - p, per element or, for feature
    dropout, per (sample, channel); scaled by 1/(1 - p), or for alpha dropout mapped so that SELU's mean and
    variance are kept (the dropped values go to -λα, then an affine map). The noise comes from nbgrad's seeded
    generator, so it cannot equal PyTorch's."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input._data.size == 0:
        return input
    if p == 1:
        zero = Tensor._make(np.zeros((), input._data.dtype))
        return input.mul_(zero) if inplace else input * zero
    shape = input._data.shape
    if feature:
        if len(shape) < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = shape[:2] + (1,) * (len(shape) - 2)
    keep = (_random.uniform_array(shape) >= p).astype(input._data.dtype)
    if not alpha:
        noise = Tensor._make((keep / (1 - p)).astype(input._data.dtype))
        return input.mul_(noise) if inplace else input * noise
    a = 1 / math.sqrt((_SELU_ALPHA_TIMES_SCALE ** 2 * p + 1) * (1 - p))
    b = Tensor._make(((keep - 1) * (_SELU_ALPHA_TIMES_SCALE * a) + _SELU_ALPHA_TIMES_SCALE * a * p).astype(keep.dtype))
    noise = Tensor._make((keep * a).astype(keep.dtype))
    return (input.mul_(noise) if inplace else input * noise).add_(b)


def _unbatched(input, p, training, inplace):
    """dropout1d and dropout3d of an input without its batch dim: as one batch of one (unsqueeze(0), then
    squeeze(0)); in place, the input itself is written over with that one sample's channel noise."""
    if not inplace:
        return _dropout_impl(input.unsqueeze(0), p, training, False, True, False).squeeze(0)
    if p == 0 or not training or input._data.size == 0:
        return input
    shape = input._data.shape
    keep = (_random.uniform_array(shape[:1] + (1,) * (len(shape) - 1)) >= p).astype(input._data.dtype)
    return input.mul_(Tensor._make(keep * (0.0 if p == 1 else 1 / (1 - p))))


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels: each (sample, channel) row of a (N, C, L) or (C, L) input with probability p."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    ndim = input._data.ndim
    if ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that dropout1d exists to provide "
            "channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch "
            "dimension (i.e. 2D or 3D inputs).")
    if ndim == 2:
        return _unbatched(input, p, training, inplace)
    return _dropout_impl(input, p, training, inplace, True, False)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (feature maps) of an (N, C, H, W) input, each with probability p."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    ndim = input._data.ndim
    import warnings

    if ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated and will result in an error in "
            "a future release. To retain the behavior and silence this warning, please use dropout instead. Note "
            "that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d "
            "instead.", stacklevel=2)
    return _dropout_impl(input, p, training, inplace, True, False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of an (N, C, D, H, W) or (C, D, H, W) input, each with probability p."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    ndim = input._data.ndim
    if ndim not in (4, 5):
        import warnings

        warnings.warn(
            f"dropout3d: Received a {ndim}-D input to dropout3d, which is deprecated and will result in an error in "
            "a future release. To retain the behavior and silence this warning, please use dropout instead. Note "
            "that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    if ndim != 5:
        return _unbatched(input, p, training, inplace)
    return _dropout_impl(input, p, training, inplace, True, False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout for SELU networks: dropped values become -λα, then an affine map keeps mean 0 and variance 1."""
    return _dropout_impl(input, p, training, inplace, False, True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels (each (sample, channel) at once)."""
    return _dropout_impl(input, p, training, inplace, True, True)


def _size_warning(input, target):
    """PyTorch's warning when a loss's target broadcasts to the input; then both are expanded, as there."""
    if input._data.shape == target._data.shape:
        return input, target
    import warnings

    warnings.warn(
        f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
        "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
        "same size.", UserWarning, stacklevel=3)
    shape = _broadcast_shapes(input._data.shape, target._data.shape)
    return input.expand(shape), target.expand(shape)


def _reduce(loss, reduction):
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def _weighted(loss, weight, input, reduction, mean):
    """The Python tail of PyTorch's l1_loss and huber_loss with a ``weight``: weigh, then reduce."""
    if weight._data.shape != input._data.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = loss * weight
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    return weighted if reduction == "none" else weighted.sum() if reduction == "sum" else mean(weighted)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum) of absolute differences: |x - y| (AbsBackward0 of SubBackward0, as in PyTorch)."""
    input, target = _size_warning(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted((input - target).abs(), weight, input, reduction, lambda w_l: w_l.sum() / weight.sum())
    _check_reduction(reduction)
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """½(x - y)²/β where |x - y| < β, else |x - y| - ½β; ``beta=0`` is ``l1_loss``."""
    input, target = _size_warning(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta == 0.0:
        return _reduce((input - target).abs(), reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = input._operands(target)
    return _losses.SmoothL1Loss.apply(input, target, reduction, beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """½(x - y)² where |x - y| < δ, else δ(|x - y| - ½δ)."""
    input, target = _size_warning(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target = input._operands(target)
    if weight is not None:
        loss = _weighted(_losses.HuberLoss.apply(input, target, "none", delta), weight, input, reduction,
                         lambda w_l: w_l.mean())
        return loss
    _check_reduction(reduction)
    return _losses.HuberLoss.apply(input, target, reduction, delta)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """ln(1 + e^(-y·x)) for labels y = ±1, averaged: a logistic loss on the margin y·x."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target.requires_grad:
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. "
                           "This input cannot have requires_grad True.")
    input, target = input._operands(target)
    return _losses.SoftMarginLoss.apply(input, target._data, reduction)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-w·[y·ln x + (1 - y)·ln(1 - x)] for probabilities x in [0, 1] (each ln clamped at -100, as in PyTorch)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if target._data.shape != input._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) "
                         "is deprecated. Please ensure they have the same size.")
    w = None
    if weight is not None:
        w = np.broadcast_to(weight._data, _broadcast_shapes(target._data.shape, weight._data.shape))
    for t in (target,) if w is None else (target, weight):
        if t._data.dtype != input._data.dtype:
            raise RuntimeError(f"Found dtype {_dtype_name(t)} but expected {_dtype_name(input)}")
    x = input._data
    if not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1")
    return _losses.BinaryCrossEntropy.apply(input, target, w, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Σ y·(ln y - x) for log-probabilities x and probabilities y (``log_target``: y given as ln y too);
    ``reduction='batchmean'`` divides the sum by the batch size, KL divergence's definition."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    else:
        if reduction == "mean":
            import warnings

            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          UserWarning, stacklevel=2)
        _check_reduction("sum" if reduction == "batchmean" else reduction)
    if log_target:
        difference = target - input  # made first: the engine then adds target's two gradients in PyTorch's order
        loss = target.exp() * difference
    else:
        loss = target.xlogy(target) - target * input
    if reduction == "batchmean":
        reduced = loss.sum()
        return reduced / input._data.shape[0] if input._data.ndim else reduced
    return _reduce(loss, reduction)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x): the smallest input gets the largest probability."""
    dim = _implicit_dim("softmin", input, dim, _stacklevel)
    return (-input if dtype is None else (-input).to(dtype)).softmax(dim)
