"""Gradient clipping, as ``torch.nn.utils.clip_grad``: rescale (or clamp) the ``.grad`` of parameters in place,
between ``backward()`` and the optimizer's ``step()``."""
import functools
import math
import types
import warnings

import numpy as np

from ... import _creation
from ...autograd import no_grad
from ...tensor import Tensor


def _no_grad(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with no_grad():
            return function(*args, **kwargs)

    return wrapper


def _vector_norm(array, norm_type):
    """‖x‖_p of all elements: (Σ|x|ᵖ)^(1/p); p = inf: max |x|, -inf: min |x|, 0: the count of non-zeros."""
    magnitudes = np.abs(array.reshape(-1))
    if norm_type == math.inf:
        return magnitudes.max(initial=0)
    if norm_type == -math.inf:
        return magnitudes.min(initial=math.inf)
    if norm_type == 0:
        return np.asarray(np.count_nonzero(magnitudes), array.dtype)
    return np.sum(magnitudes**norm_type) ** (1 / norm_type)


def _get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False):
    """The norm of the norms of ``tensors`` (the norm of all their elements together), as a 0-d tensor."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _creation.tensor(0.0)
    dtype = np.result_type(*[t._data.dtype for t in tensors])
    norms = np.array([_vector_norm(t._data, norm_type) for t in tensors], dtype)
    total = Tensor._make(np.asarray(_vector_norm(norms, norm_type), dtype))
    if error_if_nonfinite and not np.isfinite(total._data):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return total


@_no_grad
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6)), where total_norm is the ``norm_type``
    norm of all gradients together; returns total_norm. (``foreach`` is accepted and has no effect.)"""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = _get_total_norm(grads, norm_type, error_if_nonfinite)
    if grads:
        clip_coef = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
        with np.errstate(invalid="ignore"):  # a non-finite norm makes NaN gradients, silently as in PyTorch
            for g in grads:
                g.mul_(clip_coef.to(g.dtype))
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated name of ``clip_grad_norm_``."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@_no_grad
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value]. (``foreach`` is accepted and has no effect.)"""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)
