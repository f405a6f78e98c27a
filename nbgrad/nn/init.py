"""``nbgrad.nn.init``: fill a tensor in place with initial weights, as ``torch.nn.init`` does.

Values come from nbgrad's seeded generator (``nbgrad.manual_seed``). The numbers differ from PyTorch's
(another generator), the distributions are the same. Every function works under ``no_grad``, so it can fill
a parameter, and returns the tensor it filled.
"""
import math
import warnings

import numpy as np

from ..autograd import no_grad
from ..tensor import Tensor


def calculate_gain(nonlinearity, param=None):
    """The factor that keeps activations' variance steady through ``nonlinearity`` (PyTorch's table)."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                        "conv_transpose3d", "sigmoid"):
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """Inputs and outputs one weight connects: (size(1), size(0)) times the receptive field of a conv."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _random_fill(tensor, draw, generator):
    """Fill ``tensor`` with ``draw(rng)`` values from ``generator`` (an ``nbgrad.Generator``), recorded as the
    tensor's own random fill is."""
    with no_grad():
        return tensor._fill_random(draw(generator._rng))


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with U(a, b)."""
    if generator is not None:
        return _random_fill(tensor, lambda rng: rng.uniform(a, b, tensor.shape), generator)
    with no_grad():
        return tensor.uniform_(a, b)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with N(mean, std²)."""
    if generator is not None:
        return _random_fill(tensor, lambda rng: rng.normal(mean, std, tensor.shape), generator)
    with no_grad():
        return tensor.normal_(mean, std)


def _norm_cdf(x):
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def _truncated_normal(rng, shape, dtype, mean, std, a, b):
    """N(mean, std²) restricted to [a, b], by PyTorch's two ways of rejection: redraw the normal values outside
    [a, b] when most fall inside, else draw uniformly on [a, b] and accept by the normal density."""
    lo, hi = np.array(a, dtype), np.array(b, dtype)  # compared in the tensor's dtype, as PyTorch does
    if _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std) > 0.3:
        out = rng.normal(mean, std, shape).astype(dtype)
        outside = (out < lo) | (out > hi)
        while outside.any():
            out[outside] = rng.normal(mean, std, int(outside.sum()))
            outside = (out < lo) | (out > hi)
        return out
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2
    out = rng.uniform(a, b, shape).astype(dtype)
    pending = np.ones(shape, bool)
    while True:
        log_density = -0.5 * ((out[pending] - mean) / std) ** 2 - log_peak
        rejected = np.log(rng.uniform(size=log_density.shape)) > log_density
        pending[pending] = rejected
        if not pending.any():
            return out
        out[pending] = rng.uniform(a, b, int(pending.sum()))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """Fill with N(mean, std²) truncated to [a, b]: values outside are drawn again."""
    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values "
                      "may be incorrect.", stacklevel=2)
    from .. import _random

    rng = _random.generator() if generator is None else generator._rng
    values = _truncated_normal(rng, tuple(tensor.shape), tensor._data.dtype, mean, std, a, b)
    with no_grad():
        return tensor._fill_random(values)


def constant_(tensor, val):
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    return constant_(tensor, 1.0)


def zeros_(tensor):
    with no_grad():
        return tensor.zero_()


def _set(tensor, array):
    with no_grad():
        tensor.copy_(Tensor._make(array.astype(tensor._data.dtype)))
    return tensor


def eye_(tensor):
    """Fill a matrix with the identity (ones on the diagonal, zeros elsewhere)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _set(tensor, np.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """Fill a 3-, 4- or 5-d convolution weight so the convolution is the identity: a 1 at the kernel's centre
    joining channel d to channel d (in each of ``groups`` groups), zeros elsewhere."""
    dimensions = tensor.dim()
    if dimensions not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tuple(tensor.shape)
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_chans_per_grp = sizes[0] // groups
    centre = tuple(size // 2 for size in sizes[2:])
    values = np.zeros(sizes)
    for g in range(groups):
        for d in range(min(out_chans_per_grp, sizes[1])):
            values[(g * out_chans_per_grp + d, d) + centre] = 1
    return _set(tensor, values)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot: U(-a, a) with a = √3·std, std = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot: N(0, std²) with std = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He: U(-b, b) with b = gain·√(3 / fan).  ``nn.Linear`` uses it with a = √5: b = 1/√fan_in."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He: N(0, std²) with std = gain / √fan."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix times ``gain`` (over dims 1.. flattened): Q of the QR decomposition of a
    normal matrix, its columns' signs fixed by R's diagonal so that Q is uniformly distributed (PyTorch's way)."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    from .. import _random

    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    rng = _random.generator() if generator is None else generator._rng
    flattened = rng.normal(0.0, 1.0, (rows, cols)).astype(tensor._data.dtype)
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _set(tensor, q.reshape(tensor.shape) * gain)


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """N(0, std²) values with ⌈sparsity·rows⌉ zeros in each column, at random rows."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    from .. import _random

    rows, cols = tensor.shape
    rng = _random.generator() if generator is None else generator._rng
    values = rng.normal(0.0, std, (rows, cols))
    num_zeros = math.ceil(sparsity * rows)
    for col_idx in range(cols):
        values[rng.permutation(rows)[:num_zeros], col_idx] = 0
    return _set(tensor, values)


def _make_deprecate(method):
    new_name = method.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.", FutureWarning,
                      stacklevel=2)
        return method(*args, **kwargs)

    deprecated_init.__doc__ = f"Deprecated name of ``{new_name}``."
    deprecated_init.__name__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)
