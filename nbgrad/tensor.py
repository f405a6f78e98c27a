"""``Tensor``: an ndarray plus what autograd needs (``requires_grad``, ``grad``, ``grad_fn``).

Methods here are one line each: they turn Python scalars and arrays into operands and call the op
classes in ``nbgrad.ops``, which hold the maths.
"""
import numbers
import warnings

import numpy as np

from . import _dtype, _formatting
from ._dtype import cpp_type_name, from_numpy_dtype, get_default_dtype, promote_types, scalar_type_name
from .autograd import grad_mode
from .autograd.function import AccumulateGrad
from .ops import elementwise as E, index as I, linalg as L, reduce as R, shape as S


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``nbgrad.Size([2, 2])``."""

    def __repr__(self):
        return f"nbgrad.Size({list(self)})"

    def numel(self):
        return int(np.prod(self, dtype=np.int64))


_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
    "by mistake, make sure you access the leaf Tensor instead."
)


def _check_dim(dim, ndim):
    """Normalise a (possibly negative) dimension, with PyTorch's IndexError."""
    lo, hi = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not lo <= dim <= hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % ndim if ndim else 0


def _check_dims(dim, ndim):
    dims = (dim,) if isinstance(dim, numbers.Integral) else tuple(dim)
    dims = tuple(_check_dim(d, ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return dims


def _reduced_dims(dim, ndim):
    """The dims a reduction runs over; an empty list means all of them, as in PyTorch.

    A 0-d tensor accepts dim 0 (or -1) and then reduces nothing, as in PyTorch.
    """
    dims = _check_dims(dim, ndim)
    return () if ndim == 0 else dims or tuple(range(ndim))


def _returned_indices(indices, dim, keepdim):
    """Indices from ``ops.reduce.arg`` (``dim`` kept as size 1) as max/min/argmax return them."""
    return indices if keepdim or indices.ndim == 0 else indices.squeeze(dim)


def _require_floating(t, op):
    """PyTorch has no integer kernel for some ops and says so (rather than casting, as ``exp`` does)."""
    if t._data.dtype.kind != "f":
        raise NotImplementedError(f'"{op}_cpu" not implemented for \'{scalar_type_name(t.dtype)}\'')


def _category(dt):
    return 2 if dt.is_floating_point else (0 if dt is _dtype.bool else 1)


def _result_type(*operands):
    """PyTorch's result dtype for tensors and Python numbers.

    Operands rank as tensors with dimensions > 0-dim tensors > Python numbers; dtypes are promoted within
    a rank, and a lower rank decides only when its kind (bool < integer < floating) is higher: so
    ``int64 tensor + 1.5`` is float32 (the default dtype), but ``float32 tensor + 0-dim float64`` stays float32.
    """
    by_rank = [None, None, None]
    for x in operands:
        if isinstance(x, Tensor):
            rank, dt = (0 if x._data.ndim else 1), from_numpy_dtype(x._data.dtype)
        elif isinstance(x, (bool, np.bool_)):
            rank, dt = 2, _dtype.bool
        elif isinstance(x, numbers.Integral):
            rank, dt = 2, _dtype.int64
        elif isinstance(x, numbers.Real):
            rank, dt = 2, get_default_dtype()
        else:
            raise TypeError(f"unsupported operand type: {type(x).__name__}")
        by_rank[rank] = dt if by_rank[rank] is None else promote_types(by_rank[rank], dt)
    result = None
    for dt in by_rank:
        if dt is not None and (result is None or _category(dt) > _category(result)):
            result = dt
    return result


def _is_bool(x):
    return isinstance(x, (bool, np.bool_)) or isinstance(x, Tensor) and x._data.dtype.kind == "b"


def _check_bool_subtraction(a, b):
    """PyTorch refuses to subtract bools, worded by whether one or both operands are bool."""
    if not (_is_bool(a) or _is_bool(b)):
        return
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    raise RuntimeError(
        "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a "
        "mask, use the `~` or `logical_not()` operator instead."
    )


def _broadcast_shapes(a, b):
    """The broadcast shape, or PyTorch's error naming the first dimension that does not fit."""
    n = max(len(a), len(b))
    out = []
    for i in range(-1, -n - 1, -1):
        sa = a[i] if -i <= len(a) else 1
        sb = b[i] if -i <= len(b) else 1
        if sa != sb and sa != 1 and sb != 1:
            raise RuntimeError(
                f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at non-singleton "
                f"dimension {n + i}"
            )
        out.append(max(sa, sb))
    return tuple(reversed(out))


class Tensor:
    """A multi-dimensional array that can record the operations applied to it."""

    __slots__ = (
        "_data", "_requires_grad", "grad_fn", "_grad", "_version_counter", "_accumulator",
        "_base", "name", "__weakref__",
    )
    # Tensor must win over ndarray in ``array + tensor``: numpy then defers to Tensor.__radd__.
    __array_priority__ = 1000

    @classmethod
    def _make(cls, data):
        t = object.__new__(cls)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t._requires_grad = False
        t.grad_fn = None
        t._grad = None
        t._version_counter = [0]
        t._accumulator = None
        t._base = None
        t.name = None
        return t

    def __init__(self, *args, **kwargs):
        raise TypeError("create tensors with nbgrad.tensor(data), nbgrad.zeros(...), nbgrad.ones(...), ...")

    # ----- metadata -----
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_check_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return from_numpy_dtype(self._data.dtype)

    @staticmethod
    def _dtype_of(np_dtype):
        return from_numpy_dtype(np_dtype)

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def _version(self):
        return self._version_counter[0]

    @property
    def device(self):
        return "cpu"

    # ----- autograd state -----
    @property
    def requires_grad(self):
        return self._requires_grad

    # PyTorch words the integer-dtype check differently in each place it makes it; so do we.
    @requires_grad.setter
    def requires_grad(self, value):
        self._set_requires_grad(value, "only Tensors of floating point and complex dtype can require gradients")

    def requires_grad_(self, requires_grad=True):
        return self._set_requires_grad(requires_grad, "only Tensors of floating point dtype can require gradients")

    def _set_requires_grad(self, requires_grad, dtype_message):
        requires_grad = bool(requires_grad)
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a "
                    "computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(dtype_message)
        self._requires_grad = requires_grad
        return self

    @property
    def grad(self):
        if self.grad_fn is not None and not self._retains_grad:
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{cpp_type_name(value.dtype)}' to a tensor with "
                    f"grad_dtype '{scalar_type_name(self.dtype)}'. The gradient must match the tensor's grad_dtype "
                    "(defaults to the tensor's dtype). You can set the tensor's grad_dtype attribute with a "
                    "specific dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes "
                    "of a tensor and its gradient may break downstream systems that assume they match."
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a tensor of size "
                    f"'{list(self._data.shape)}'. Please ensure that the gradient and the tensor are the same size"
                )
        self._grad = value

    @property
    def _retains_grad(self):
        return self.grad_fn is not None and self.grad_fn._retained is not None \
            and self.grad_fn._retained.variable is self

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        """Keep this non-leaf tensor's gradient in ``.grad`` during backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None and not self._retains_grad:
            self.grad_fn._retained = AccumulateGrad(self)

    def _grad_node(self):
        """The node that receives this tensor's gradient (its grad_fn, or a leaf's AccumulateGrad)."""
        if self.grad_fn is not None:
            return self.grad_fn
        if not self._requires_grad:
            return None
        if self._accumulator is None:
            self._accumulator = AccumulateGrad(self)
        return self._accumulator

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return self._grad_node()._add_pre_hook(hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None, retain_variables=None):
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``; ``gradient`` weights a non-scalar self."""
        from .autograd import backward

        backward((self,), None if gradient is None else (gradient,), retain_graph, create_graph,
                 inputs=inputs, retain_variables=retain_variables)

    # ----- conversion -----
    @property
    def data(self):
        """The same storage without autograd history; changes through it are not tracked (unsafe)."""
        t = Tensor._make(self._data)
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._data = value._data

    def detach(self):
        """A tensor sharing storage (and the version counter) with no history."""
        t = Tensor._make(self._data)
        t._version_counter = self._version_counter
        return t

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    def __repr__(self):
        suffixes = []
        if self.grad_fn is not None:
            suffixes.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self._requires_grad:
            suffixes.append("requires_grad=True")
        data = self._data
        dt = from_numpy_dtype(data.dtype)
        shown = dt is not get_default_dtype() and not (data.size and dt in (_dtype.int64, _dtype.bool))
        return _formatting.format_tensor(data, suffixes=suffixes, dtype_name=repr(dt) if shown else None)

    def __format__(self, spec):
        if self._data.ndim == 0 and spec:
            return format(self.item(), spec)
        return object.__format__(repr(self), spec)

    def to(self, dtype, copy=False):
        """Cast to ``dtype`` (differentiable: ToCopyBackward0)."""
        if isinstance(dtype, Tensor):
            dtype = dtype.dtype
        if dtype.numpy == self._data.dtype and not copy:
            return self
        return E.ToCopy.apply(self, dtype.numpy)

    def type(self, dtype=None):
        if dtype is None:
            return f"nbgrad.{self.dtype.legacy_name}"
        return self.to(dtype)

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def long(self):
        return self.to(_dtype.int64)

    def bool(self):
        return self.to(_dtype.bool)

    def type_as(self, other):
        return self.to(other.dtype)

    def clone(self):
        return E.Clone.apply(self)

    def contiguous(self):
        return self if self._data.flags.c_contiguous else E.Clone.apply(self)

    # ----- arithmetic -----
    def _promoted(self, other):
        """Turn ``other`` into a tensor and cast both to PyTorch's result dtype."""
        # Fast path, as _result_type would decide: equal dtypes, or a Python number with a floating tensor.
        if isinstance(other, Tensor):
            if other._data.dtype == self._data.dtype:
                return self, other
            if other._data.dtype.kind == "b" and self._data.dtype.kind == "f":
                return self, other  # NumPy's float-with-bool result is PyTorch's: no cast needed (a mask)
        elif isinstance(other, (int, float)) and self._data.dtype.kind == "f":
            return self, Tensor._make(np.asarray(other, dtype=self._data.dtype))
        if not isinstance(other, (Tensor, numbers.Number)):
            from ._creation import tensor

            other = tensor(other)
        target = _result_type(self, other)
        b = other.to(target) if isinstance(other, Tensor) else Tensor._make(np.asarray(other, dtype=target.numpy))
        return self.to(target), b

    def _operands(self, other, true_divide=False):
        """The operands of an element-wise op: promoted, floating for true division, broadcastable."""
        if type(other) is Tensor:  # the common case, decided without a call: same dtype, same shape
            da, db = self._data, other._data
            if da.dtype == db.dtype and da.shape == db.shape and (da.dtype.kind == "f" or not true_divide):
                return self, other
        a, b = self._promoted(other)
        if true_divide and a._data.dtype.kind != "f":
            a, b = a.to(get_default_dtype()), b.to(get_default_dtype())
        sa, sb = a._data.shape, b._data.shape
        # a 0-d operand (a Python number) broadcasts against anything, a bias against the rows it matches
        if sa != sb and sa and sb and sa[-len(sb):] != sb:
            _broadcast_shapes(sa, sb)
        return a, b

    def add(self, other, *, alpha=1):
        return E.Add.apply(*self._operands(other), alpha)

    def sub(self, other, *, alpha=1):
        _check_bool_subtraction(self, other)
        return E.Sub.apply(*self._operands(other), alpha)

    def mul(self, other):
        return E.Mul.apply(*self._operands(other))

    def div(self, other):
        return E.Div.apply(*self._operands(other, true_divide=True))

    def pow(self, exponent):
        if isinstance(exponent, numbers.Number) and not isinstance(exponent, bool):
            if self._data.dtype.kind != "f" and isinstance(exponent, numbers.Integral) and exponent < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            return E.Pow.apply(self.to(_result_type(self, exponent)), exponent)
        return E.PowTensor.apply(*self._operands(exponent))

    __add__ = __radd__ = add
    __sub__ = sub
    __mul__ = __rmul__ = mul
    __truediv__ = div
    __pow__ = pow

    def __rsub__(self, other):
        if type(other) in (int, float) and self._data.dtype.kind == "f":  # `1 - t`, common in backward rules
            return E.Rsub.apply(self, other)
        _check_bool_subtraction(other, self)
        if isinstance(other, numbers.Number):
            return E.Rsub.apply(self._operands(other)[0], other)
        return self._operands(other)[1].sub(self)

    def __rtruediv__(self, other):
        if isinstance(other, numbers.Number):
            return self.reciprocal() * other
        return self._operands(other)[1].div(self)

    def __rpow__(self, other):
        if isinstance(other, numbers.Number) and not isinstance(other, bool):
            return E.Rpow.apply(self.to(_result_type(self, other)), other)
        b, a = self._operands(other)
        return E.PowTensor.apply(a, b)

    def __rmatmul__(self, other):
        from ._creation import tensor

        return tensor(other).matmul(self)

    def __neg__(self):
        if self._data.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a "
                "mask, use the `~` or `logical_not()` operator instead."
            )
        return E.Neg.apply(self)

    neg = __neg__

    def __pos__(self):
        return self

    def __abs__(self):
        return E.Abs.apply(self)

    abs = __abs__

    def exp(self):
        return E.Exp.apply(self._floating())

    def log(self):
        return E.Log.apply(self._floating())

    def log1p(self):
        return E.Log1p.apply(self._floating())

    def expm1(self):
        return E.Expm1.apply(self._floating())

    def logaddexp(self, other):
        if not isinstance(other, Tensor):
            raise TypeError(
                f"logaddexp(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}"
            )
        a, b = self._operands(other)
        _require_floating(a, "logaddexp")
        return E.Logaddexp.apply(a, b)

    def sqrt(self):
        return E.Sqrt.apply(self._floating())

    def sin(self):
        return E.Sin.apply(self._floating())

    def cos(self):
        return E.Cos.apply(self._floating())

    def tanh(self):
        return E.Tanh.apply(self._floating())

    def sigmoid(self):
        return E.Sigmoid.apply(self._floating())

    def relu(self):
        return E.Relu.apply(self)

    def reciprocal(self):
        return E.Reciprocal.apply(self._floating())

    def _floating(self):
        """Integer and bool tensors become the default dtype before a function with non-integer values."""
        return self if self._data.dtype.kind == "f" else self.to(get_default_dtype())

    def sign(self):
        return E.Sign.apply(self)

    def square(self):
        return self.pow(2)

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("nbgrad.clamp: At least one of 'min' or 'max' must not be None")
        bounds = [b for b in (min, max) if b is not None]
        return E.Clamp.apply(self.to(_result_type(self, *bounds)), min, max)

    clip = clamp

    def maximum(self, other):
        return E.Maximum.apply(*self._operands(other))

    def minimum(self, other):
        return E.Minimum.apply(*self._operands(other))

    # comparisons (bool results), floor division and remainder: element-wise, with no gradient to record
    def _elementwise_no_grad(self, other, op):
        b = other._data if isinstance(other, Tensor) else other
        if isinstance(b, Tensor) or hasattr(b, "shape"):
            _broadcast_shapes(self._data.shape, np.shape(b))
        return Tensor._make(np.asarray(op(self._data, b)))

    def __eq__(self, other):
        return self._elementwise_no_grad(other, np.equal)

    def __ne__(self, other):
        return self._elementwise_no_grad(other, np.not_equal)

    def __lt__(self, other):
        return self._elementwise_no_grad(other, np.less)

    def __le__(self, other):
        return self._elementwise_no_grad(other, np.less_equal)

    def __gt__(self, other):
        return self._elementwise_no_grad(other, np.greater)

    def __ge__(self, other):
        return self._elementwise_no_grad(other, np.greater_equal)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def __floordiv__(self, other):
        return self._elementwise_no_grad(other, np.floor_divide)  # not differentiable in PyTorch either

    def __rfloordiv__(self, other):
        return Tensor._make(np.asarray(np.floor_divide(other, self._data)))

    def __mod__(self, other):
        return self._elementwise_no_grad(other, np.remainder)

    def __and__(self, other):
        return self._elementwise_no_grad(other, np.logical_and if self._data.dtype.kind == "b" else np.bitwise_and)

    def __or__(self, other):
        return self._elementwise_no_grad(other, np.logical_or if self._data.dtype.kind == "b" else np.bitwise_or)

    def __invert__(self):
        return Tensor._make(~self._data)

    def logical_not(self):
        return Tensor._make(np.logical_not(self._data))

    def equal(self, other):
        return self._data.shape == other._data.shape and bool(np.array_equal(self._data, other._data))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(np.allclose(self._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isnan(self):
        return Tensor._make(np.isnan(self._data))

    # ----- reductions -----
    def sum(self, dim=None, keepdim=False, *, dtype=None):
        t = self if dtype is None else self.to(dtype)
        if t._data.dtype.kind == "b":
            t = t.long()
        if dim is None:
            return R.Sum.apply(t)
        return R.SumDim.apply(t, _reduced_dims(dim, t._data.ndim), keepdim)

    def mean(self, dim=None, keepdim=False, *, dtype=None):
        t = self if dtype is None else self.to(dtype)
        if t._data.dtype.kind != "f":
            raise RuntimeError(
                f"mean(): could not infer output dtype. {'Input' if dtype is None else 'Optional'} dtype must be "
                f"either a floating point or complex dtype. Got: {scalar_type_name(t.dtype)}"
            )
        if dim is None:
            return R.Mean.apply(t)
        return R.MeanDim.apply(t, _reduced_dims(dim, t._data.ndim), keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return R.Var.apply(self, *self._var_args(dim, unbiased, keepdim, correction))

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return R.Std.apply(self, *self._var_args(dim, unbiased, keepdim, correction))

    def _var_args(self, dim, unbiased, keepdim, correction):
        if self._data.dtype.kind != "f":
            raise RuntimeError("std and var only support floating point and complex dtypes")
        if isinstance(dim, bool):  # var(False) means unbiased=False, as in PyTorch
            dim, unbiased = None, dim
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        dims = tuple(range(self._data.ndim)) if dim is None else _reduced_dims(dim, self._data.ndim)
        return dims, correction, keepdim

    def _minmax(self, cls_all, cls_dim, dim, keepdim, op):
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError(
                    f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            return cls_all.apply(self)
        if isinstance(dim, Tensor):  # max(other) is maximum(other), as in PyTorch
            return self.maximum(dim) if op == "max" else self.minimum(dim)
        d, indices = self._extreme_indices(dim, op, op)  # kept dim: gathering along it is then one call
        values = cls_dim.apply(self, d, keepdim, indices)
        return R.RETURN_TYPES[op](values, Tensor._make(_returned_indices(indices, d, keepdim)))

    def max(self, dim=None, keepdim=False):
        return self._minmax(R.Max, R.MaxDim, dim, keepdim, "max")

    def min(self, dim=None, keepdim=False):
        return self._minmax(R.Min, R.MinDim, dim, keepdim, "min")

    def amax(self, dim=(), keepdim=False):
        dims = _reduced_dims(dim, self._data.ndim)
        return R.Amax.apply(self, dims, keepdim)

    def amin(self, dim=(), keepdim=False):
        dims = _reduced_dims(dim, self._data.ndim)
        return R.Amin.apply(self, dims, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return self._arg(dim, keepdim, "max")

    def argmin(self, dim=None, keepdim=False):
        return self._arg(dim, keepdim, "min")

    def _arg(self, dim, keepdim, op):
        if dim is None:
            if self._data.size == 0:
                raise IndexError(f"arg{op}(): Expected reduction dim to be specified for input.numel() == 0.")
            flat = R.arg(self._data.reshape(-1), 0, op)
            return Tensor._make(flat.reshape((1,) * self._data.ndim if keepdim else ()))
        d, indices = self._extreme_indices(dim, op, "arg" + op)
        return Tensor._make(_returned_indices(indices, d, keepdim))

    def _extreme_indices(self, dim, op, name):
        """The checked ``dim`` of max/min/argmax/argmin and the indices along it, with that dim kept."""
        d = _check_dim(dim, self._data.ndim)
        if self._data.ndim and self._data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        return d, R.arg(self._data, d, op)

    def prod(self, dim=None, keepdim=False):
        if dim is None:
            return R.Prod.apply(self)
        return R.ProdDim.apply(self, _check_dim(dim, self._data.ndim), keepdim)

    def logsumexp(self, dim, keepdim=False):
        t = self._floating()
        return R.Logsumexp.apply(t, _reduced_dims(dim, t._data.ndim), keepdim)

    def softmax(self, dim):
        return R.Softmax.apply(self, _check_dim(dim, self._data.ndim))

    def log_softmax(self, dim):
        return R.LogSoftmax.apply(self, _check_dim(dim, self._data.ndim))

    # ----- linear algebra -----
    def matmul(self, other):
        if not isinstance(other, Tensor):
            from ._creation import tensor

            other = tensor(other)
        return L.matmul(self, other)

    __matmul__ = matmul

    def mm(self, other):
        if self._data.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if other._data.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        L.check_matmul(self, other)
        return L.Mm.apply(self, other)

    def dot(self, other):
        if self._data.ndim != 1 or other._data.ndim != 1:
            raise RuntimeError(
                f"1D tensors expected, but got {self._data.ndim}D and {other._data.ndim}D tensors"
            )
        L.check_matmul(self, other)
        return L.Dot.apply(self, other)

    # ----- shape -----
    def reshape(self, *shape):
        return S.View.apply(self, S.infer_shape(shape, self._data.size))

    def view(self, *shape):
        shape = S.infer_shape(shape, self._data.size)
        S.check_viewable(self._data, shape)
        return S.View.apply(self, shape)

    def view_as(self, other):
        return self.view(other._data.shape)

    def reshape_as(self, other):
        return self.reshape(other._data.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        if self._data.ndim == 0:
            return self.reshape(1)
        s, e = _check_dim(start_dim, self._data.ndim), _check_dim(end_dim, self._data.ndim)
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        shape = self._data.shape
        if s == e:
            return self
        return self.reshape(shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:])

    def transpose(self, dim0, dim1):
        n = self._data.ndim
        return S.Transpose.apply(self, _check_dim(dim0, n), _check_dim(dim1, n))

    swapaxes = transpose

    def t(self):
        if self._data.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D")
        return S.T.apply(self, 0, min(1, max(self._data.ndim - 1, 0)))

    def permute(self, *dims):
        if len(dims) == 1 and not isinstance(dims[0], numbers.Integral):
            dims = tuple(dims[0])
        if len(dims) != self._data.ndim:
            raise RuntimeError(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                f"of the desired ordering of dimensions i.e. input.dim() = {self._data.ndim} is not equal "
                f"to len(dims) = {len(dims)}"
            )
        dims = tuple(_check_dim(d, self._data.ndim) for d in dims)
        if len(set(dims)) != len(dims):
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        return S.Permute.apply(self, dims)

    @property
    def T(self):
        return S.Permute.apply(self, tuple(reversed(range(self._data.ndim))))

    @property
    def mT(self):
        return self.transpose(-2, -1)

    def squeeze(self, dim=None):
        if dim is None:
            return S.Squeeze.apply(self, tuple(i for i, s in enumerate(self._data.shape) if s == 1))
        dims = tuple(d for d in _check_dims(dim, max(self._data.ndim, 1)) if self._data.ndim and self._data.shape[d] == 1)
        return S.SqueezeDim.apply(self, dims)

    def unsqueeze(self, dim):
        return S.Unsqueeze.apply(self, _check_dim(dim, self._data.ndim + 1))

    def expand(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = tuple(shape[0])
        return S.Expand.apply(self, S.expanded_shape(self, shape))

    def expand_as(self, other):
        return self.expand(other._data.shape)

    def broadcast_to(self, shape):
        return self.expand(shape)

    # ----- indexing -----
    def __getitem__(self, key):
        return I.getitem(self, key)

    def __setitem__(self, key, value):
        I.setitem(self, key, value)

    # ----- in place -----
    def _check_inplace(self, through_view=False):
        """Refuse to write to a leaf that requires grad (``through_view``: the write goes through a view of it)."""
        if grad_mode.state.enabled:
            if self.grad_fn is None and self._requires_grad and not through_view:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            base = self if self._base is None else self._base
            if (through_view or base is not self) and base.grad_fn is None and base._requires_grad:
                raise RuntimeError(
                    "a view of a leaf Variable that requires grad is being used in an in-place operation."
                )

    def _check_output_shape(self, shape):
        """An in-place result must have this tensor's shape (it cannot grow by broadcasting)."""
        if shape != self._data.shape:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape {list(shape)}"
            )

    def _inplace(self, result):
        """Make ``self`` hold ``result``: same storage, new history, version bumped."""
        self._check_output_shape(result._data.shape)
        if result._requires_grad and self._base is not None and self._base._requires_grad:
            raise RuntimeError(
                "nbgrad does not track in-place changes through a view of a tensor that requires grad; "
                "change the tensor itself, or work on a copy (.clone())"
            )
        np.copyto(self._data, result._data, casting="unsafe")
        if result._requires_grad:
            self.grad_fn = result.grad_fn
            self._requires_grad = True
        self._version_counter[0] += 1
        return self

    def _snapshot(self):
        """This tensor as it is now, for an in-place op to record: later writes must not reach it."""
        if not (grad_mode.state.enabled and self._requires_grad):
            return self
        t = Tensor._make(self._data.copy())
        t.grad_fn, t._requires_grad, t._accumulator = self.grad_fn, True, self._accumulator
        return t

    def _update(self, method, ufunc, other, **kwargs):
        """``self = self <op> other`` in place: recorded like the out-of-place op when grad is needed."""
        self._check_inplace()
        if grad_mode.state.enabled and (self._requires_grad or getattr(other, "_requires_grad", False)):
            return self._inplace(getattr(self._snapshot(), method)(other, **kwargs))
        # Nothing to record (an optimizer step under no_grad): write into this tensor's memory directly,
        # as NumPy's ``a -= b`` does, rather than computing a new array and copying it back.
        a, b = self._operands(other, true_divide=ufunc is np.true_divide)  # checks that b broadcasts
        if b._data.shape != self._data.shape and b._data.ndim:
            self._check_output_shape(_broadcast_shapes(self._data.shape, b._data.shape))
        b = b._data if kwargs.get("alpha", 1) == 1 else b._data * kwargs["alpha"]
        ufunc(self._data, b, out=self._data, casting="unsafe")
        self._version_counter[0] += 1
        return self

    def add_(self, other, *, alpha=1):
        return self._update("add", np.add, other, alpha=alpha)

    def sub_(self, other, *, alpha=1):
        _check_bool_subtraction(self, other)
        return self._update("sub", np.subtract, other, alpha=alpha)

    def mul_(self, other):
        return self._update("mul", np.multiply, other)

    def div_(self, other):
        return self._update("div", np.true_divide, other)

    def pow_(self, exponent):
        self._check_inplace()
        return self._inplace(self._snapshot().pow(exponent))

    def clamp_(self, min=None, max=None):
        self._check_inplace()
        return self._inplace(self._snapshot().clamp(min, max))

    def copy_(self, src):
        self._check_inplace()
        from ._creation import tensor

        src = src if isinstance(src, Tensor) else tensor(src)
        self._check_output_shape(_broadcast_shapes(self._data.shape, src._data.shape))
        return self._inplace(E.Copy.apply(self._snapshot(), src))

    def fill_(self, value):
        self._check_inplace()
        if isinstance(value, Tensor):
            if value._data.ndim:
                raise RuntimeError(
                    "fill_ only supports 0-dimension value tensor but got tensor with "
                    f"{value._data.ndim} dimensions."
                )
            return self._inplace(E.FillTensor.apply(self._snapshot(), value))
        return self._inplace(E.Fill.apply(self._snapshot(), value))

    def zero_(self):
        self._check_inplace()
        return self._inplace(E.Zero.apply(self._snapshot(), 0))

    def uniform_(self, a=0.0, b=1.0):
        from . import _random

        return self._fill_random(_random.uniform_array(self._data.shape, a, b))

    def normal_(self, mean=0.0, std=1.0):
        from . import _random

        return self._fill_random(_random.normal_array(self._data.shape, mean, std))

    def _fill_random(self, values):
        self._check_inplace()
        # recorded as a copy from a constant, so the old history gets no gradient (it was overwritten)
        return self._inplace(E.Copy.apply(self._snapshot(), Tensor._make(values)))

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_

