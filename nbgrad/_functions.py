"""Module-level functions (``nbgrad.exp(t)``, ``nbgrad.cat([...])``, ...), as PyTorch has them."""
import functools
import warnings
from numbers import Number

import numpy as np

from ._dtype import check_scalar_fits, from_numpy_dtype, promote_types, scalar_type_name
from .ops import PRIMITIVES, elementwise as E, shape as S
from ._argcheck import _broadcast_shapes, _check_dim, _check_inplace_result
from .autograd.grad_mode import is_grad_enabled, set_grad_enabled
from .tensor import Tensor


def _tensor(x):
    if isinstance(x, Tensor):
        return x
    from ._creation import tensor

    return tensor(x)


# Functions whose number-first form PyTorch records as the reflected operator does: ``remainder(5, t)`` is
# ``5 % t`` (no derivative: NotImplemented), ``pow(2, t)`` is ``2 ** t`` (PowBackward2).
_NUMBER_FIRST = {"remainder": "__rmod__", "pow": "__rpow__"}


def derived_function(name):
    """``nbgrad.<name>`` for an op that lists ``name`` in its ``functions`` (None if no op does)."""
    op = next((op for op in PRIMITIVES if name in op.functions), None)
    return None if op is None else _function(name, op)


def derived_functions():
    """Every ``nbgrad.<name>`` the ops name, as a dict."""
    ops = {}
    for op in PRIMITIVES:
        for name in op.functions:
            ops.setdefault(name, op)
    return {name: _function(name, op) for name, op in ops.items()}


def _with_out(name, fn, differentiable=True):
    """``fn`` taking PyTorch's ``out=`` too: the result is written into ``out``, which is returned."""
    def with_out(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        from .autograd import grad_mode

        tensors = [a for a in (*args, *kwargs.values(), out) if isinstance(a, Tensor)]
        if differentiable and grad_mode.is_grad_enabled() and any(t.requires_grad for t in tensors):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, "
                               "but one of the arguments requires grad.")
        with grad_mode.no_grad():  # and the write into out records nothing either
            _write_out(out, fn(*args, **kwargs))
        return out

    with_out.__name__ = with_out.__qualname__ = fn.__name__
    with_out.__doc__ = fn.__doc__
    return with_out


def _write_out(out, result):
    _check_inplace_result(out, result.dtype)
    if out._data.shape != result._data.shape:
        if out._data.size:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape {list(out._data.shape)}, which "
                f"does not match the required output shape {list(result._data.shape)}. This behavior is deprecated, "
                "and in a future PyTorch release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0).",
                UserWarning, stacklevel=3)
        out._data = np.empty(result._data.shape, out._data.dtype)
    out.copy_(result)


def _function(name, op):
    """The Tensor method of that name (which converts and checks the arguments as PyTorch does), or, for an
    op with no method, the op itself."""
    if hasattr(Tensor, name):
        reflected = _NUMBER_FIRST.get(name)

        def fn(input, *args, **kwargs):
            if reflected and isinstance(input, Number) and args and isinstance(args[0], Tensor) and not kwargs:
                return getattr(args[0], reflected)(input)  # PyTorch's (Number self, Tensor other) overload
            return getattr(_tensor(input), name)(*args, **kwargs)

        doc = f"``nbgrad.{name}(t, ...)`` is ``t.{name}(...)``: {op.rule.text}" if op.rule else None
    else:
        def fn(*args):
            return op.apply(*[_tensor(a) for a in args])

        doc = op.__doc__
    fn.__name__, fn.__qualname__, fn.__doc__ = name, name, doc
    return _with_out(name, fn)


# Functions of tensors that are no differentiable op of their own.
def argmax(input, dim=None, keepdim=False):
    return _tensor(input).argmax(dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    return _tensor(input).argmin(dim, keepdim)


def numel(input):
    return _tensor(input).numel()


def isnan(input):
    return _tensor(input).isnan()


def logical_not(input):
    return _tensor(input).logical_not()


def equal(input, other):
    return _tensor(input).equal(other)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _tensor(input).allclose(other, rtol, atol, equal_nan)


# Comparisons, floor division and bitwise ops: Tensor methods that record no op of their own (so no derived
# function); PyTorch has them as functions too, under these names and its aliases.
def _method_function(name, *aliases):
    def fn(input, other):
        return getattr(_tensor(input), name)(other)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``nbgrad.{name}(t, other)`` is ``t.{name}(other)``."
    fn = _with_out(name, fn, differentiable=name == "div")
    return {n: fn for n in (name, *aliases)}


METHOD_FUNCTIONS = {
    **_method_function("eq"), **_method_function("ne", "not_equal"), **_method_function("lt", "less"),
    **_method_function("le", "less_equal"), **_method_function("gt", "greater"),
    **_method_function("ge", "greater_equal"), **_method_function("floor_divide"),
    **_method_function("bitwise_and"), **_method_function("bitwise_or"), **_method_function("bitwise_xor"),
    **_method_function("div", "true_divide"),
}


def bitwise_not(input):
    return _tensor(input).bitwise_not()


def is_tensor(obj):
    return isinstance(obj, Tensor)


def _common(tensors, fn):
    """The tensors of ``cat``/``stack``, promoted to one dtype, with PyTorch's errors for anything else."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    if not tensors:
        if fn == "cat":
            raise ValueError("nbgrad.cat(): expected a non-empty list of Tensors")
        raise RuntimeError("stack expects a non-empty TensorList")
    dt = from_numpy_dtype(tensors[0]._data.dtype)
    for t in tensors[1:]:
        dt = promote_types(dt, from_numpy_dtype(t._data.dtype))
    return [t.to(dt) for t in tensors]


def cat(tensors, dim=0):
    """Join tensors along an existing dimension."""
    tensors = _common(tensors, "cat")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    first = tensors[0]
    d = _check_dim(dim, first._data.ndim)
    for i, t in enumerate(tensors[1:], 1):
        if t._data.ndim != first._data.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first._data.ndim} and {t._data.ndim}"
            )
        for axis, (a, b) in enumerate(zip(first._data.shape, t._data.shape)):
            if axis != d and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {a} but got size "
                    f"{b} for tensor number {i} in the list."
                )
    return S.Cat.apply(d, *tensors)


concat = cat


def stack(tensors, dim=0):
    """Join same-shaped tensors along a new dimension."""
    tensors = _common(tensors, "stack")
    first = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != first._data.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first._data.shape)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    return S.Stack.apply(_check_dim(dim, first._data.ndim + 1), *tensors)


def logaddexp(input, other):
    """ln(eⁱⁿᵖᵘᵗ + eᵒᵗʰᵉʳ), computed without overflow; both must be tensors, as in PyTorch."""
    for name, position, t in (("input", 1, input), ("other", 2, other)):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"logaddexp(): argument '{name}' (position {position}) must be Tensor, not {type(t).__name__}"
            )
    return input.logaddexp(other)


def where(condition, input, other):
    """Elements of ``input`` where ``condition`` holds, else of ``other``."""
    condition = _tensor(condition)
    if condition._data.dtype.kind != "b":
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{scalar_type_name(condition.dtype)}"
        )
    if isinstance(input, Tensor):
        a, b = input._operands(other)
    elif isinstance(other, Tensor):
        b, a = other._operands(input)
    else:
        a, b = _tensor(input)._operands(other)
    _broadcast_shapes(condition._data.shape, _broadcast_shapes(a._data.shape, b._data.shape))
    if a._data.dtype != np.float16:  # PyTorch checks that a number fits the result dtype, but not for float16
        for x in (input, other):
            if not isinstance(x, Tensor):
                check_scalar_fits(x, a.dtype)
    return E.Where.apply(condition._data, a, b)

def take_along_dim(input, indices, dim=None):
    return _tensor(input).take_along_dim(indices, dim)


def nonzero(input, *, as_tuple=False):
    return _tensor(input).nonzero(as_tuple=as_tuple)


def argwhere(input):
    return _tensor(input).argwhere()


def _logical_reduction(name):
    def fn(input, dim=None, keepdim=False):
        return getattr(_tensor(input), name)(dim, keepdim)

    fn.__name__ = fn.__qualname__ = name
    return fn


# nbgrad.any and nbgrad.all, kept out of this module's names so that Python's any and all still work here
LOGICAL_REDUCTIONS = {"any": _logical_reduction("any"), "all": _logical_reduction("all")}


def count_nonzero(input, dim=None):
    return _tensor(input).count_nonzero(dim)


def argsort(input, dim=-1, descending=False, *, stable=False):
    return _tensor(input).argsort(dim, descending, stable=stable)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    return _tensor(input).unique(sorted, return_inverse, return_counts, dim)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    return _tensor(input).unique_consecutive(return_inverse, return_counts, dim)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """``repeat_interleave(t, repeats, dim)`` is ``t.repeat_interleave(repeats, dim)``; given only a tensor of
    counts, the indices 0, 1, ... each repeated that many times, as in PyTorch."""
    if repeats is None:
        counts = _tensor(input)
        return Tensor._make(np.repeat(np.arange(counts._data.size), counts._data.reshape(-1)))
    return _tensor(input).repeat_interleave(repeats, dim, output_size=output_size)


def _input_tensor(input, fn):
    """PyTorch's functions of a tensor refuse a number or a list as their input."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input


def div(input, other, **rounding_mode):
    """``input / other``; ``rounding_mode="trunc"`` or ``"floor"`` rounds the quotient (DivBackward2)."""
    return _tensor(input).div(other, **rounding_mode)


divide = div


def _tensor_function(name):
    """``nbgrad.<name>(input, ...)``: the Tensor method of that name, for a tensor input only."""
    def fn(input, *args, **kwargs):
        return getattr(_input_tensor(input, name), name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``nbgrad.{name}(t, ...)`` is ``t.{name}(...)``."
    return fn


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    from ._argcheck import _require_tensor

    _require_tensor(other, "isclose", position=2)
    return _input_tensor(input, "isclose").isclose(other, rtol, atol, equal_nan)


def _logical_function(name):
    def fn(input, other):
        from ._argcheck import _require_tensor

        _require_tensor(other, name, position=2)
        return getattr(_input_tensor(input, name), name)(other)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``nbgrad.{name}(t, other)`` is ``t.{name}(other)``."
    return fn


logical_and, logical_or, logical_xor = (_logical_function(f"logical_{n}") for n in ("and", "or", "xor"))
isinf, isposinf, isneginf, isfinite, isreal, signbit = (
    _tensor_function(n) for n in ("isinf", "isposinf", "isneginf", "isfinite", "isreal", "signbit"))

# PyTorch's functions of the in-place methods (``torch.relu_(t)`` is ``t.relu_()``)
INPLACE_FUNCTIONS = {name: _tensor_function(name) for name in (
    "exp_", "log_", "log1p_", "expm1_", "sqrt_", "abs_", "neg_", "negative_", "sin_", "cos_", "tanh_", "sigmoid_",
    "relu_", "reciprocal_", "square_", "tan_", "atan_", "arctan_", "asin_", "arcsin_", "acos_", "arccos_", "sinh_",
    "cosh_", "asinh_", "arcsinh_", "acosh_", "arccosh_", "atanh_", "arctanh_", "erf_", "erfc_", "log2_", "log10_",
    "exp2_", "rsqrt_", "floor_", "ceil_", "trunc_", "fix_", "round_", "frac_", "nan_to_num_", "clamp_", "clip_",
    "clamp_min_", "clamp_max_", "logit_",
)}

absolute, negative, ravel, vdot, nansum, nanmean, diff, tensor_split, hsplit, vsplit = (
    _tensor_function(n) for n in ("absolute", "negative", "ravel", "vdot", "nansum", "nanmean", "diff",
                                  "tensor_split", "hsplit", "vsplit"))
movedim, moveaxis, swapaxes, swapdims, unflatten, inner = (
    _tensor_function(n) for n in ("movedim", "moveaxis", "swapaxes", "swapdims", "unflatten", "inner"))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) from one node (VarMeanBackward0); a function only, as in PyTorch."""
    from .ops import misc

    t = _input_tensor(input, "var_mean")
    if t._data.dtype.kind != "f":
        raise RuntimeError("var_mean only support floating point and complex dtypes")
    return misc.VarMean.apply(t, *t._var_args(dim, unbiased, keepdim, correction))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) from one node (StdMeanBackward0); a function only, as in PyTorch."""
    from .ops import misc

    t = _input_tensor(input, "std_mean")
    if t._data.dtype.kind != "f":
        raise RuntimeError("std_mean only support floating point and complex dtypes")
    return misc.StdMean.apply(t, *t._var_args(dim, unbiased, keepdim, correction))


def float_power(input, exponent):
    if isinstance(input, Number) and isinstance(exponent, Tensor):
        return exponent.double().__rpow__(input)  # PyTorch's (Number self, Tensor exponent) overload
    _check_binary_overloads("float_power", input, exponent, "exponent")
    return input.float_power(exponent)


def _check_binary_overloads(name, input, other, other_name):
    """PyTorch's TypeError for a binary function given anything but (Tensor, Tensor), (Number, Tensor), (Tensor,
    Number)."""
    if isinstance(input, Tensor) and isinstance(other, (Tensor, Number)) or isinstance(other, Tensor) and isinstance(
            input, Number):
        return
    raise TypeError(
        f"{name}() received an invalid combination of arguments - got ({type(input).__name__}, "
        f"{type(other).__name__}), but expected one of:\n * (Tensor input, Tensor {other_name}, *, Tensor out = None)"
        f"\n * (Number self, Tensor {other_name}, *, Tensor out = None)\n"
        f" * (Tensor input, Number {other_name}, *, Tensor out = None)\n")


def multiply(input, other):
    return _tensor(input).mul(other)


def subtract(input, other, *, alpha=1):
    return _tensor(input).sub(other, alpha=alpha)


concatenate = cat


def broadcast_shapes(*shapes):
    """The shape tensors of these shapes broadcast to (a Size), with PyTorch's error when there is none."""
    from .tensor import Size

    shapes = [(s,) if isinstance(s, Number) else tuple(s) for s in shapes]
    out = [1] * max((len(s) for s in shapes), default=0)
    for i, shape in enumerate(shapes):
        for k in range(1, len(shape) + 1):
            size = shape[-k]
            if size < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
            if size != 1 and out[-k] not in (1, size):
                raise RuntimeError(f"Attempting to broadcast a dimension of length {size} at {-k}! Mismatching "
                                   f"argument at index {i} had {tuple(shape)}; but expected shape should be "
                                   f"broadcastable to {out}")
            if out[-k] == 1:
                out[-k] = size
    return Size(out)


def broadcast_to(input, size):
    return _tensor(input).expand(size)


def broadcast_tensors(*tensors):
    """The tensors expanded to their common shape; one already of that shape is returned as it is."""
    if len(tensors) == 1 and not isinstance(tensors[0], Tensor):
        tensors = tuple(tensors[0])
    shape = tuple(broadcast_shapes(*[t._data.shape for t in tensors]))
    return tuple(t if t._data.shape == shape else t.expand(shape) for t in tensors)


def _stackable(tensors, fn):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{fn} expects a non-empty TensorList")
    return tensors


def _atleast(t, ndim):
    shape = t._data.shape
    if t._data.ndim >= ndim:
        return t
    if t._data.ndim == 0:
        return t.reshape((1,) * ndim)
    if ndim == 2:
        return t.unsqueeze(0)
    return t.unsqueeze(0).unsqueeze(-1) if len(shape) == 1 else t.unsqueeze(-1)


def hstack(tensors):
    tensors = [_atleast(t, 1) for t in _stackable(tensors, "hstack")]
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    return cat([_atleast(t, 2) for t in _stackable(tensors, "vstack")], 0)


row_stack = vstack


def dstack(tensors):
    return cat([_atleast(t, 3) for t in _stackable(tensors, "dstack")], 2)


def column_stack(tensors):
    tensors = _stackable(tensors, "column_stack")
    return cat([t.reshape(t._data.size, 1) if t._data.ndim <= 1 else t for t in tensors], 1)


def tensordot(a, b, dims=2, out=None):
    """Σ over the paired dims of ``a`` and ``b``: PyTorch's decomposition (permute, reshape, mm, view)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, Number):
        dims = int(dims)
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a._data.ndim or dims > b._data.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        dims_a, dims_b = list(range(a._data.ndim - dims, a._data.ndim)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, Number) else list(d) for d in dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    dims_a = [_check_dim(d, a._data.ndim) for d in dims_a]
    dims_b = [_check_dim(d, b._data.ndim) for d in dims_b]
    for da, db in zip(dims_a, dims_b):
        sa, sb = a._data.shape[da], b._data.shape[db]
        if sa != sb:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {sa} in dim {da} and second "
                               f"has size {sb} in dim {db}")
    free_a = [d for d in range(a._data.ndim) if d not in dims_a]
    free_b = [d for d in range(b._data.ndim) if d not in dims_b]
    shape = [a._data.shape[d] for d in free_a] + [b._data.shape[d] for d in free_b]
    pa, pb = a.permute(free_a + dims_a), b.permute(dims_b + free_b)
    if not free_a and not free_b:
        flat = [p if p._data.ndim == 1 else p.reshape(-1) for p in (pa, pb)]
        result = flat[0].dot(flat[1]).view(shape)
    else:
        size_a, size_b = int(np.prod(shape[:len(free_a)])), int(np.prod(shape[len(free_a):]))
        contracted = int(np.prod([a._data.shape[d] for d in dims_a]))
        result = pa.reshape(size_a, contracted).mm(pb.reshape(contracted, size_b)).view(shape)
    if out is not None:
        _write_out(out, result.detach())
        return out
    return result


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    from ._creation import _check_device, _finish, _np_dtype

    _check_device(device)
    values = np.power(float(base), np.linspace(float(start), float(end), int(steps)))
    return _finish(values.astype(_np_dtype(dtype)), requires_grad)


def result_type(tensor1, tensor2):
    from ._argcheck import _result_type

    return _result_type(tensor1, tensor2)


_KINDS = "biuf"  # bool < integers < floating: a cast may not go down this order


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow ``from_`` to become ``to`` (no cast to a lower kind)."""
    kind_from, kind_to = (_KINDS.index("i" if d.numpy.kind == "u" else d.numpy.kind) for d in (from_, to))
    return kind_from <= kind_to


def _normal_overloads(mean, std):
    kinds = ", ".join(type(a).__name__ for a in (mean, std))
    return TypeError(
        f"normal() received an invalid combination of arguments - got ({kinds}), but expected one of:\n"
        " * (Tensor mean, Tensor std, *, nbgrad.Generator generator = None, Tensor out = None)\n"
        " * (Tensor mean, float std = 1, *, nbgrad.Generator generator = None, Tensor out = None)\n"
        " * (float mean, Tensor std, *, nbgrad.Generator generator = None, Tensor out = None)\n"
        " * (float mean, float std, tuple of ints size, *, nbgrad.Generator generator = None, Tensor out = None, "
        "nbgrad.dtype dtype = None, nbgrad.layout layout = None, nbgrad.device device = None, bool pin_memory = False, "
        "bool requires_grad = False)\n")


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           pin_memory=False, requires_grad=False):
    """Draws from N(mean, std²): PyTorch's four forms (tensors of means and/or stds, or two numbers and a size)."""
    from . import _random
    from ._creation import _check_device, _finish, _np_dtype
    from .ops import misc

    rng = _random.generator() if generator is None else generator._rng
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_t and not std_t:
        if size is None:
            raise _normal_overloads(mean, std)
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        _check_device(device)
        from ._creation import _shape

        values = rng.normal(float(mean), float(std), size=_shape((size,)))
        result = _finish(values.astype(_np_dtype(dtype)), requires_grad)
    else:
        for t in (mean, std):
            if isinstance(t, Tensor) and t._data.dtype.kind != "f":
                raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for '{scalar_type_name(t.dtype)}'")
        if std_t and (std._data < 0).any() or not std_t and std < 0:
            raise RuntimeError("normal expects all elements of std >= 0.0" if std_t else
                               f"normal expects std >= 0.0, but found std {std:g}")
        like = mean if mean_t else std
        shape = _broadcast_shapes(mean._data.shape, std._data.shape) if mean_t and std_t else like._data.shape
        draws = rng.standard_normal(size=tuple(shape))
        values = (np.asarray(mean._data if mean_t else mean) + np.asarray(std._data if std_t else std) * draws)
        values = values.astype(like._data.dtype)
        op = misc.NormalTensorTensor if mean_t and std_t else misc.NormalTensorFloat if mean_t else misc.NormalFloatTensor
        result = op.apply(mean, std, values)
    if out is not None:
        _write_out(out, result.detach())
        return out
    return result


def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability ``input`` (or ``p``), else 0, in input's dtype."""
    result = _input_tensor(input, "bernoulli").bernoulli(p, generator=generator)
    if out is not None:
        _write_out(out, result.detach())
        return out
    return result


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    result = _input_tensor(input, "multinomial").multinomial(num_samples, replacement, generator=generator)
    if out is not None:
        _write_out(out, result)
        return out
    return result


def bincount(input, weights=None, minlength=0):
    return _input_tensor(input, "bincount").bincount(weights, minlength)


def histc(input, bins=100, min=0, max=0, *, out=None):  # noqa: A002  (PyTorch's argument names)
    result = _input_tensor(input, "histc").histc(bins, min, max)
    if out is not None:
        _write_out(out, result)
        return out
    return result


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """For each value, the index where it would be inserted to keep ``sorted_sequence`` (its last dim) sorted."""
    if side is not None and side not in ("left", "right"):
        raise RuntimeError(f"nbgrad.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError("nbgrad.searchsorted(): side and right can't be set to opposites, got side of left while "
                           "right was True")
    side = side or ("right" if right else "left")
    seq = sorted_sequence._data
    values = input._data if isinstance(input, Tensor) else np.asarray(input)
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, -1)
    if seq.ndim > 1 and seq.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(
            "nbgrad.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries "
            "tensor and input value tensor must match, but we got boundaries tensor "
            f"{list(seq.shape)} and input value tensor {list(values.shape)}")
    if seq.ndim <= 1:
        found = np.searchsorted(seq, values, side=side)
    else:
        rows = [np.searchsorted(s, v, side=side) for s, v in zip(seq.reshape(-1, seq.shape[-1]),
                                                                 values.reshape(-1, values.shape[-1]))]
        found = np.stack(rows).reshape(values.shape)
    result = Tensor._make(np.asarray(found).astype(np.int32 if out_int32 else np.int64))
    if out is not None:
        _write_out(out, result)
        return out
    return result


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each value among sorted ``boundaries`` (right=False: boundaries[i-1] < x <= boundaries[i])."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


def xlogy(input, other, *, out=None):
    """input · log(other), 0 where input is 0 (unless other is nan); either may be a number."""
    from ._dtype import get_default_dtype
    from .ops import misc

    _check_binary_overloads("xlogy", input, other, "other")
    if isinstance(input, Number):
        b = other if other._data.dtype.kind == "f" else other.to(get_default_dtype())
        result = misc.XlogyNumberSelf.apply(float(input), b)
    else:
        result = input.xlogy(other)
    if out is not None:
        _write_out(out, result.detach())
        return out
    return result


def median(input, dim=None, keepdim=False):
    return _input_tensor(input, "median").median(dim, keepdim)


def aminmax(input, *, dim=None, keepdim=False):
    return _input_tensor(input, "aminmax").aminmax(dim=dim, keepdim=keepdim)


def _require_input(input, fn):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")


def clone(input, *, memory_format=None):
    _require_input(input, "clone")
    return input.clone()


def detach(input):
    _require_input(input, "detach")
    return input.detach()


def outer(input, vec2):
    return input.outer(vec2)


ger = outer


def kron(input, other):
    return input.kron(other)


def _subscript_letters(sublist):
    def letter(n):
        if n is Ellipsis:
            return "..."
        if 0 <= n < 26:
            return chr(ord("A") + n)
        if 26 <= n < 52:
            return chr(ord("a") + n - 26)
        raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")

    return "".join(letter(n) for n in sublist)


def einsum(*args):
    """``einsum("ij,jk->ik", a, b)``, or the sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``: sums of
    products over named dims (see nbgrad.ops.algebra.einsum)."""
    from .ops import algebra as linalg

    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, or at least one "
                         "operand and its subscripts list")
    if not isinstance(args[0], str):  # operand, sublist, operand, sublist, ..., [output sublist]
        operands, sublists = args[0:-1:2] if len(args) % 2 else args[0::2], args[1::2]
        equation = ",".join(_subscript_letters(s) for s in sublists[:len(operands)])
        if len(args) % 2:
            equation += "->" + _subscript_letters(args[-1])
        return linalg.einsum(equation, *operands)
    return linalg.einsum(*args)


def inverse(input):
    return input.inverse()


def det(input):
    return input.det()


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    return input.norm(p, dim, keepdim, dtype)


def cross(input, other, dim=None):
    return input.cross(other, dim)


def is_floating_point(input):
    _require_input(input, "is_floating_point")
    return input.is_floating_point()


def meshgrid(*tensors, indexing=None):
    """Coordinate grids: the i-th input viewed along dim i and expanded to every input's length (``"ij"``);
    ``"xy"`` swaps the first two dims, as NumPy's default."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("nbgrad.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing not in ("xy", "ij"):
        raise RuntimeError(f'nbgrad.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    for t in tensors[1:]:
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors = (tensors[1], tensors[0], *tensors[2:])
    shape = [t.numel() for t in tensors]
    grids = []
    for i, t in enumerate(tensors):
        along = [1] * len(tensors)
        along[i] = -1
        grids.append(t.view(along).expand(shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


class _InferenceState:
    enabled = False


def is_inference_mode_enabled():
    return _InferenceState.enabled


class inference_mode:
    """No graph is recorded inside, as under ``no_grad`` (a context manager and a decorator, with or without
    parentheses); inside ``inference_mode(False)`` graphs are recorded, even within ``no_grad``, as in PyTorch."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # used bare as a decorator: ``mode`` is the function

    def __init__(self, mode=True):
        self.mode = mode

    def __enter__(self):
        self._prev = is_grad_enabled(), _InferenceState.enabled
        set_grad_enabled(not self.mode)
        _InferenceState.enabled = self.mode

    def __exit__(self, *exc):
        set_grad_enabled(self._prev[0])
        _InferenceState.enabled = self._prev[1]
        return False

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return fn(*args, **kwargs)

        return wrapper


# save and load live in nbgrad.serialization, which imports zipfile and json only when first used.
def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save tensors, state dicts and nested containers to a path or a binary file object (see nbgrad.serialization)."""
    from . import serialization

    kwargs = {} if pickle_module is None else {"pickle_module": pickle_module}
    serialization.save(obj, f, pickle_protocol=pickle_protocol, **kwargs)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load what ``save`` wrote; with ``weights_only=True`` (the default) nothing in the file is run."""
    from . import serialization

    return serialization.load(f, map_location, pickle_module, weights_only=weights_only, mmap=mmap,
                              **pickle_load_args)
