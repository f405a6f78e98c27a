"""``Tensor``: an ndarray plus what autograd needs (``requires_grad``, ``grad``, ``grad_fn``).

Methods here are one line each: they turn Python scalars and arrays into operands and call the op
classes in ``nbgrad.ops``, which hold the maths. This file holds what a reader needs first (storage,
autograd state, conversion, arithmetic); the rest of PyTorch's API (reductions, shape, indexing, in-place)
is inherited from ``TensorAPI`` (``_tensor_api.py``), and PyTorch's argument checks are in ``_argcheck.py``.
"""
import numbers
import warnings

import numpy as np

from . import _device, _dtype, printing
from ._dtype import check_scalar_fits, cpp_type_name, from_numpy_dtype, get_default_dtype, scalar_array, scalar_type_name
from ._argcheck import (
    _broadcast_shapes, _check_bool_subtraction, _check_clamp_bounds, _check_dim, _require_floating, _require_tensor,
    _result_type,
)
from ._tensor_api import _ALL as _NOT_GIVEN, TensorAPI
from .autograd import grad_mode
from .autograd.function import NOWHERE, AccumulateGrad
from .ops import elementwise as E, views


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``nbgrad.Size([2, 2])``; slices, sums and repeats stay Sizes."""

    def __repr__(self):
        return f"nbgrad.Size({list(self)})"

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other):
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):  # ``(1,) + shape``: Python asks the subclass first
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def numel(self):
        return int(np.prod(self, dtype=np.int64))


_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
    "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
    "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor "
    "by mistake, make sure you access the leaf Tensor instead."
)


class Tensor(TensorAPI):
    """A multi-dimensional array that can record the operations applied to it."""

    __slots__ = (
        "_data", "_requires_grad", "_grad_fn", "_grad", "_version_counter", "_accumulator",
        "_base", "_view_version", "_creation_meta", "name", "__weakref__",
    )
    # Tensor must win over ndarray in ``array + tensor``: numpy then defers to Tensor.__radd__.
    __array_priority__ = 1000
    _source = None  # the tensor an operand was cast from, for one op (see _Cast)

    @classmethod
    def _make(cls, data):
        t = object.__new__(cls)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t._requires_grad = False
        t._grad_fn = None
        t._grad = None
        t._version_counter = [0]
        t._accumulator = None
        t._base = None
        t.name = None
        return t

    def __new__(cls, *args, **kwargs):
        """``nbgrad.Tensor(2, 3)``, ``nbgrad.Tensor([1, 2])``: PyTorch's legacy constructor, in the default dtype."""
        from ._creation import legacy_new

        return legacy_new(None, args, kwargs)

    def __init__(self, *args, **kwargs):
        pass  # everything happened in __new__

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
    def grad_fn(self):
        """The node that made this tensor (None for a leaf). A view whose base changed in place since it
        was last read gets its history again, from the base (``AsStridedBackward0``), as in PyTorch."""
        if self._base is not None and self._version_counter[0] != self._view_version:
            views.regenerate(self)
        return self._grad_fn

    @property
    def _version(self):
        return self._version_counter[0]

    @property
    def device(self):
        return _device.CPU

    @property
    def is_cuda(self):
        return False

    # ----- autograd state -----
    @property
    def requires_grad(self):
        if self._base is not None:  # as in PyTorch, a view requires grad if its base does (even one made under
            return self._requires_grad or self._base._requires_grad  # no_grad, whose gradient goes nowhere)
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
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None and not self._retains_grad:
            self.grad_fn._retained = AccumulateGrad(self)

    def _grad_node(self):
        """The node that receives this tensor's gradient (its grad_fn, or a leaf's AccumulateGrad)."""
        if self._base is not None and self._version_counter[0] != self._view_version:
            views.regenerate(self)
        if self._grad_fn is not None:
            return self._grad_fn
        if not self._requires_grad:
            if self._base is not None and self._base._requires_grad:  # a view made under no_grad
                return NOWHERE
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
        self._grad_fn = None
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
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def _scalar(self):
        if self._data.size != 1:  # PyTorch's words for float(t) and int(t); t.item() has its own
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'no values' if not self._data.size else 'more than one value'} "
                               "is ambiguous")
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
        return printing.format_tensor(data, suffixes=suffixes, dtype_name=repr(dt) if shown else None)

    def __format__(self, spec):
        # PyTorch's rule: a 0-d Tensor formats as its number (f"{loss}" is 2.3), any other as its repr
        if self._data.ndim == 0 and type(self) is Tensor:
            return format(self.item(), spec)
        return object.__format__(repr(self), spec)

    def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False):
        """Cast (differentiable: ToCopyBackward0): ``to(dtype)``, ``to(other_tensor)``, ``to("cpu", dtype)``,
        ``to(device)``. The CPU is nbgrad's one device: another raises a CPU-only PyTorch build's error."""
        flags = []
        for arg in args:
            if isinstance(arg, _dtype.dtype):
                dtype = arg
            elif isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, (str, _device.device)):
                device = arg
            else:
                flags.append(arg)  # to(dtype, non_blocking, copy), as PyTorch's positional order
        copy = flags[1] if len(flags) > 1 else copy
        _device.check(device, creating=False)
        np_dtype = self._data.dtype if dtype is None else dtype.numpy
        if np_dtype == self._data.dtype and not copy:
            return self
        return E.ToCopy.apply(self, np_dtype)

    def cuda(self, device=None, non_blocking=False):
        """As in a PyTorch build without CUDA: raises."""
        _device.cuda_error(device)

    def clone(self):
        return E.Clone.apply(self)

    def contiguous(self):
        return self if self._data.flags.c_contiguous else E.Clone.apply(self)

    # ----- arithmetic -----
    def _promoted(self, other, true_divide=False):
        """Turn ``other`` into a tensor and cast both to PyTorch's result dtype (for true division, a
        floating one: integers then go to the default dtype from their own values, as in PyTorch)."""
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
        if true_divide and not target.is_floating_point:
            target = get_default_dtype()
        b = _cast(other, target) if isinstance(other, Tensor) else Tensor._make(scalar_array(other, target.numpy))
        return _cast(self, target), b

    def _operands(self, other, true_divide=False):
        """The operands of an element-wise op: promoted, floating for true division, broadcastable."""
        if type(other) is Tensor:  # the common case, decided without a call: same dtype, same shape
            da, db = self._data, other._data
            if da.dtype == db.dtype and da.shape == db.shape and (da.dtype.kind == "f" or not true_divide):
                return self, other
        a, b = self._promoted(other, true_divide)
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

    def div(self, other, *, rounding_mode=_NOT_GIVEN):
        if rounding_mode is not _NOT_GIVEN:  # None included: PyTorch's div with a rounding mode (DivBackward2)
            return self._div_rounding(other, rounding_mode)
        return E.Div.apply(*self._operands(other, true_divide=True))

    def pow(self, exponent):
        if isinstance(exponent, numbers.Number) and not isinstance(exponent, bool):
            if self._data.dtype.kind != "f" and isinstance(exponent, numbers.Integral) and exponent < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            target = _result_type(self, exponent)
            if target is not _dtype.float32:  # PyTorch checks that the exponent fits, but not for float32
                check_scalar_fits(exponent, target)
            return E.Pow.apply(self.to(target), exponent)
        a, b = self._operands(exponent)
        if a._data.dtype.kind == "b" and isinstance(exponent, Tensor):
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        return E.PowTensor.apply(a, b)

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
            a = self._operands(other)[0]  # an integer number wraps to the tensor's dtype, as in PyTorch
            return E.Rsub.apply(a, other if a._data.dtype.kind == "f" else scalar_array(other, a._data.dtype))
        return self._operands(other)[1].sub(self)

    def __rtruediv__(self, other):
        if isinstance(other, numbers.Number):
            return self.reciprocal() * other
        return self._operands(other)[1].div(self)

    def __rpow__(self, other):
        if isinstance(other, numbers.Number) and not isinstance(other, bool):
            return E.Rpow.apply(self.to(_result_type(self, other)), other)
        b, a = self._operands(other)
        if a._data.dtype.kind == "b":  # `True ** bool_tensor`; `bool_tensor ** True` is allowed, as in PyTorch
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        return E.PowTensor.apply(a, b)

    def __rmatmul__(self, other):
        if isinstance(other, (numbers.Number, list, tuple)):
            return NotImplemented
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

    def sgn(self):
        return E.Sgn.apply(self)

    def square(self):
        return self.pow(2)

    def clamp(self, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("nbgrad.clamp: At least one of 'min' or 'max' must not be None")
        bounds = [b for b in (min, max) if b is not None]
        if any(isinstance(b, Tensor) for b in bounds):
            _check_clamp_bounds(min, max)
            for b in bounds:
                _broadcast_shapes(self._data.shape, b._data.shape)
            target = _result_type(self, *bounds)
            lo, hi = (None if b is None else b.to(target) for b in (min, max))
            return E.ClampTensor.apply(self.to(target), lo, hi)
        target = _result_type(self, *bounds)
        for b in bounds:
            check_scalar_fits(b, target)
        if target is _dtype.bool:
            kernel = "clamp" if len(bounds) == 2 else ("clamp_min" if max is None else "clamp_max")
            raise NotImplementedError(f'"{kernel}_scalar_cpu" not implemented for \'Bool\'')
        return E.Clamp.apply(self.to(target), min, max)

    clip = clamp

    def maximum(self, other):
        _require_tensor(other, "maximum")
        return E.Maximum.apply(*self._operands(other))

    def minimum(self, other):
        _require_tensor(other, "minimum")
        return E.Minimum.apply(*self._operands(other))




class _Cast(Tensor):
    """An operand cast to an op's result dtype (``float32_t * float64_t``), unrecorded: as in PyTorch, the op's
    node links to the operand itself (no ToCopyBackward0 between them) and casts its gradient back."""

    __slots__ = ("_source",)

    def _grad_node(self):
        return self._source._grad_node()


def _cast(t, dtype):
    if t._data.dtype == dtype.numpy:
        return t
    if not (grad_mode.state.enabled and t.requires_grad):
        return t.to(dtype)
    c = _Cast._make(t._data.astype(dtype.numpy))
    c._source, c._requires_grad, c._version_counter = t, True, t._version_counter
    return c
