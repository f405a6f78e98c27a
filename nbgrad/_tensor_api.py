"""The rest of PyTorch's Tensor API: comparisons, reductions, linear algebra, shape, indexing, in place.

``Tensor`` (``nbgrad/tensor.py``) is what a reader needs first: storage, autograd state, arithmetic.
It inherits these methods, which follow the same pattern (check the arguments as PyTorch does, call an
op) and are kept here so that the class a newcomer reads stays short.
"""
import numbers
import weakref

import numpy as np

from . import tensor as _tensor  # Tensor subclasses TensorAPI: the name is read when a method runs
from ._argcheck import (
    _broadcast_shapes, _check_bool_subtraction, _check_dim, _check_dims, _check_division_kernel,
    _check_inplace_result, _reduced_dims, _result_type, _returned_indices,
)
from . import _dtype as _dtype_mod
from ._dtype import from_legacy_name, scalar_array, scalar_type_name
from .autograd import grad_mode
from .ops import elementwise as E, index as I, linalg as L, reduce as R, shape as S, views
from ._lazy import lazy_module

# sorting, gathering, scattering, and element-wise functions beyond the basic ones
O, SC, M = lazy_module("nbgrad.ops.order"), lazy_module("nbgrad.ops.scatter"), lazy_module("nbgrad.ops.maths")
A = lazy_module("nbgrad.ops.algebra")


# No dim given: the reduction over every element (SumBackward0, MaxBackward1, ...). A dim of None given is
# another call in PyTorch: sum and mean over every dim (SumBackward1), a TypeError for max, min and prod.
_ALL = object()


class TensorAPI:
    __slots__ = ()

    # comparisons (bool results): element-wise, with no gradient to record
    def _elementwise_no_grad(self, other, op):
        a = self._data
        if isinstance(other, _tensor.Tensor):
            b = other._data
            _broadcast_shapes(a.shape, b.shape)
            if b.dtype != a.dtype:  # compared in PyTorch's result dtype (a 0-d float64 is rounded to float32 first)
                target = _result_type(self, other).numpy
                a, b = a.astype(target, copy=False), b.astype(target, copy=False)
        elif isinstance(other, numbers.Number) and not (a.dtype.kind == "f" and type(other) in (int, float)):
            # a number is cast to the tensor's dtype, wrapping as PyTorch does: int8 tensor == 200 compares with -56
            target = _result_type(self, other).numpy
            a, b = a.astype(target, copy=False), scalar_array(other, target)
        else:
            b = other
            if hasattr(b, "shape"):
                _broadcast_shapes(a.shape, np.shape(b))
        return _tensor.Tensor._make(np.asarray(op(a, b)))

    def __eq__(self, other):
        if other is None:  # PyTorch's answer (not an error): no tensor equals None
            return False
        return self._elementwise_no_grad(other, np.equal)

    def __ne__(self, other):
        if other is None:
            return True
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

    # floor division and remainder: PyTorch's result dtypes; remainder is differentiable, floor division
    # records a node that refuses backward (PyTorch defines no derivative for it)
    def remainder(self, other):
        if isinstance(other, numbers.Number):
            target = _result_type(self, other)
            _check_division_kernel(target, "remainder")
            return E.Remainder.apply(self.to(target), other)
        a, b = self._operands(other)
        _check_division_kernel(a.dtype, "remainder")
        return E.RemainderTensor.apply(a, b)

    def __rmod__(self, other):
        if isinstance(other, numbers.Number):  # `5 % t`: PyTorch's remainder(Scalar, Tensor) has no derivative
            target = _result_type(self, other)
            _check_division_kernel(target, "remainder")
            return E._Rremainder.apply(self.to(target), other)
        return self._operands(other)[1].remainder(self)

    def floor_divide(self, other):
        a, b = self._operands(other)
        _check_division_kernel(a.dtype, "div_floor")
        return E._FloorDivide.apply(a, b)

    def __rfloordiv__(self, other):
        b, a = self._operands(other)
        _check_division_kernel(a.dtype, "div_floor")
        return E._FloorDivide.apply(a, b)

    __mod__, __floordiv__ = remainder, floor_divide

    # bitwise (logical, for bools): PyTorch's result dtypes (bool & int is int); no integer kernel for floats
    def _bitwise(self, other, ufunc, name):
        if not isinstance(other, (_tensor.Tensor, numbers.Number)):
            from ._creation import tensor

            other = tensor(other)
        b = other._data if isinstance(other, _tensor.Tensor) else other
        _broadcast_shapes(self._data.shape, np.shape(b))
        target = _result_type(self, other)
        if target.is_floating_point:
            raise NotImplementedError(f'"bitwise_{name}_cpu" not implemented for \'{scalar_type_name(target)}\'')
        np_dtype = target.numpy
        b = b.astype(np_dtype, copy=False) if isinstance(b, np.ndarray) else scalar_array(b, np_dtype)
        return _tensor.Tensor._make(np.asarray(ufunc(self._data.astype(np_dtype, copy=False), b)))

    def bitwise_and(self, other):
        return self._bitwise(other, np.bitwise_and, "and")

    def bitwise_or(self, other):
        return self._bitwise(other, np.bitwise_or, "or")

    def bitwise_xor(self, other):
        return self._bitwise(other, np.bitwise_xor, "xor")

    __and__ = __rand__ = bitwise_and
    __or__ = __ror__ = bitwise_or
    __xor__ = __rxor__ = bitwise_xor

    def __invert__(self):
        if self._data.dtype.kind == "f":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
        return _tensor.Tensor._make(~self._data)

    bitwise_not = __invert__

    def logical_not(self):
        return _tensor.Tensor._make(np.logical_not(self._data))

    def equal(self, other):
        return self._data.shape == other._data.shape and bool(np.array_equal(self._data, other._data))

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return bool(np.allclose(self._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isnan(self):
        return _tensor.Tensor._make(np.isnan(self._data))

    # ----- reductions -----
    def sum(self, dim=_ALL, keepdim=False, *, dtype=None):
        t = self if dtype is None else self.to(dtype)
        if dtype is None and t._data.dtype.kind in "biu" and t._data.dtype != np.int64:
            t = t.long()  # PyTorch sums bools and every integer type in int64 (NumPy: uint8 in uint64)
        if dim is _ALL and not keepdim:
            out = R.Sum.apply(t)
        else:
            out = R.SumDim.apply(t, _reduced_dims(() if dim is None or dim is _ALL else dim, t._data.ndim), keepdim)
        # NumPy sums small integers in int64; a dtype asked for is the result's, wrapping as in PyTorch
        return out if dtype is None or out._data.dtype == dtype.numpy else out.to(dtype)

    def mean(self, dim=_ALL, keepdim=False, *, dtype=None):
        t = self if dtype is None else self.to(dtype)
        if t._data.dtype.kind != "f":
            raise RuntimeError(
                f"mean(): could not infer output dtype. {'Input' if dtype is None else 'Optional'} dtype must be "
                f"either a floating point or complex dtype. Got: {scalar_type_name(t.dtype)}"
            )
        if dim is _ALL and not keepdim:
            return R.Mean.apply(t)
        return R.MeanDim.apply(t, _reduced_dims(() if dim is None or dim is _ALL else dim, t._data.ndim), keepdim)

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
        dims = None if dim is None else _reduced_dims(dim, self._data.ndim)  # None: all, which PyTorch's rule tells apart
        return dims, correction, keepdim

    def _minmax(self, cls_all, cls_dim, dim, keepdim, op):
        if dim is None or isinstance(dim, (tuple, list)):
            raise R.dim_none_error(op, dim, keepdim is not False)
        if dim is _ALL:
            if self._data.size == 0:
                raise RuntimeError(
                    f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument."
                )
            return cls_all.apply(self)
        if isinstance(dim, _tensor.Tensor):  # max(other) is maximum(other), as in PyTorch
            return self.maximum(dim) if op == "max" else self.minimum(dim)
        d, indices = self._extreme_indices(dim, op, op)  # kept dim: gathering along it is then one call
        values = cls_dim.apply(self, d, keepdim, indices)
        return R.RETURN_TYPES[op](values, _tensor.Tensor._make(_returned_indices(indices, d, keepdim)))

    def max(self, dim=_ALL, keepdim=False):
        return self._minmax(R.Max, R.MaxDim, dim, keepdim, "max")

    def min(self, dim=_ALL, keepdim=False):
        return self._minmax(R.Min, R.MinDim, dim, keepdim, "min")

    def amax(self, dim=(), keepdim=False):
        dims = _reduced_dims(() if dim is None else dim, self._data.ndim)
        return R.Amax.apply(self, dims, keepdim)

    def amin(self, dim=(), keepdim=False):
        dims = _reduced_dims(() if dim is None else dim, self._data.ndim)
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
            return _tensor.Tensor._make(flat.reshape((1,) * self._data.ndim if keepdim else ()))
        if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):  # PyTorch's argument parser's words
            raise TypeError(f"arg{op}(): argument 'dim' must be int, not {type(dim).__name__}")
        d, indices = self._extreme_indices(dim, op, "arg" + op)
        return _tensor.Tensor._make(_returned_indices(indices, d, keepdim))

    def _extreme_indices(self, dim, op, name):
        """The checked ``dim`` of max/min/argmax/argmin and the indices along it, with that dim kept."""
        d = _check_dim(dim, self._data.ndim)
        if self._data.ndim and self._data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        return d, R.arg(self._data, d, op)

    def prod(self, dim=_ALL, keepdim=False):
        t = self.long() if self._data.dtype.kind in "biu" and self._data.dtype != np.int64 else self  # as sum
        if dim is None or isinstance(dim, (tuple, list)):
            raise R.dim_none_error("prod", dim, keepdim is not False)
        if dim is _ALL:
            return R.Prod.apply(t)
        return R.ProdDim.apply(t, _check_dim(dim, t._data.ndim), keepdim)

    def logsumexp(self, dim=_ALL, keepdim=False):
        if dim is _ALL:
            raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
        if dim is None:
            raise R.dim_none_error("logsumexp", dim)
        t = self._floating()
        return R.Logsumexp.apply(t, _reduced_dims(dim, t._data.ndim), keepdim)

    def softmax(self, dim):
        return R.Softmax.apply(self, _check_dim(dim, self._data.ndim))

    def log_softmax(self, dim):
        return R.LogSoftmax.apply(self, _check_dim(dim, self._data.ndim))

    # ----- linear algebra -----
    def matmul(self, other):
        if isinstance(other, (numbers.Number, list, tuple)):  # PyTorch makes no tensor of them here
            raise TypeError(f"matmul(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}")
        if not isinstance(other, _tensor.Tensor):
            from ._creation import tensor

            other = tensor(other)
        if self._data.dtype.kind == "b" and other._data.dtype.kind == "b":
            L.check_matmul(self, other)
            na, nb = self._data.ndim, other._data.ndim
            kernel = "dot" if na == nb == 1 else "addmv_impl_cpu" if nb == 1 else "addmm_impl_cpu_" if nb == 2 else "bmm"
            raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")  # PyTorch has no bool product
        return L.matmul(self, other)

    def __matmul__(self, other):
        if isinstance(other, (numbers.Number, list, tuple)):
            return NotImplemented  # Python's TypeError, as in PyTorch: `t @ 2` is not a product
        return self.matmul(other)


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
        """As in PyTorch: a view when the strides allow one (ViewBackward0 if contiguous, else
        ReshapeAliasBackward0), else a contiguous copy given the shape (CloneBackward0, UnsafeViewBackward0)."""
        shape = S.infer_shape(shape, self._data.size)
        if self._data.flags.c_contiguous:
            return S.View.apply(self, shape)
        if S.viewable(self._data, shape):
            return S.ReshapeAlias.apply(self, shape)
        return S.UnsafeView.apply(self.clone(), shape)

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

    def select(self, dim, index):
        n = self._data.ndim
        if n == 0:
            raise IndexError("select() cannot be applied to a 0-dim tensor.")
        d, index = _check_dim(dim, n), int(index)
        if not -self._data.shape[d] <= index < self._data.shape[d]:
            raise IndexError(f"select(): index {index} out of range for tensor of size {list(self._data.shape)} "
                             f"at dimension {d}")
        return I.Select.apply(self, ((I._numpy_step("select", d, index),), ()))  # as t[..., index]

    def narrow(self, dim, start, length):
        if self._data.ndim == 0:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        start, length = int(start), int(length)
        if length < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        d = _check_dim(dim, self._data.ndim)
        size = self._data.shape[d]
        if not -size <= start <= size:
            raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
        start += size if start < 0 else 0
        if start + length > size:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
        return I.Slice.apply(self, ((I._numpy_step("slice", d, slice(start, start + length)),), ()))

    def diagonal(self, offset=0, dim1=0, dim2=1):
        n = self._data.ndim
        d1, d2 = _check_dim(dim1, n), _check_dim(dim2, n)
        if d1 == d2:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        return S.Diagonal.apply(self, int(offset), d1, d2)

    def unbind(self, dim=0):
        if self._data.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        return S.Unbind.apply(self, _check_dim(dim, self._data.ndim))

    def split(self, split_size, dim=0):
        """Pieces of ``split_size`` along ``dim`` (SplitBackward0), or of the sizes in a list (SplitWithSizesBackward0)."""
        if self._data.ndim == 0:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        if isinstance(split_size, numbers.Integral):
            if split_size < 0:
                raise RuntimeError(f"split expects split_size be non-negative, but got split_size={split_size}")
            d = _check_dim(dim, self._data.ndim)
            if split_size == 0 and self._data.shape[d]:
                raise RuntimeError("split_size can only be 0 if dimension size is 0, but got dimension size of "
                                   f"{self._data.shape[d]}")
            return S.Split.apply(self, int(split_size), d)
        sizes = [int(s) for s in split_size]
        d = _check_dim(dim, self._data.ndim)
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                               f"split_sizes={sizes}")
        if sum(sizes) != self._data.shape[d]:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {self._data.shape[d]} (input "
                               f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
        return S.SplitWithSizes.apply(self, sizes, d)

    def chunk(self, chunks, dim=0):
        if self._data.ndim == 0:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        d = _check_dim(dim, self._data.ndim)
        size = self._data.shape[d]
        if size == 0:  # as PyTorch: `chunks` empty pieces, by split_with_sizes
            return S.SplitWithSizes.apply(self, [0] * int(chunks), d)
        return S.Split.apply(self, -(-size // int(chunks)), d)

    def expand_as(self, other):
        return self.expand(other._data.shape)

    def broadcast_to(self, shape):
        return self.expand(shape)

    # ----- indexing -----
    def __getitem__(self, key):
        return I.getitem(self, key)

    def __setitem__(self, key, value):
        I.setitem(self, key, value)

    # ----- dtype and device: PyTorch's shorthands -----
    def is_signed(self):
        return self._data.dtype.kind in "if"

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def cpu(self):
        return self

    def type(self, dtype=None):
        """The type's old name (``'nbgrad.FloatTensor'``) or, given a dtype or such a name, a cast to it."""
        if dtype is None:
            return f"nbgrad.{self.dtype.legacy_name}"
        return self.to(from_legacy_name(dtype) if isinstance(dtype, str) else dtype)

    # PyTorch's shorthands for .to(dtype)
    def half(self):
        return self.to(_dtype_mod.float16)

    def float(self):
        return self.to(_dtype_mod.float32)

    def double(self):
        return self.to(_dtype_mod.float64)

    def byte(self):
        return self.to(_dtype_mod.uint8)

    def char(self):
        return self.to(_dtype_mod.int8)

    def short(self):
        return self.to(_dtype_mod.int16)

    def int(self):
        return self.to(_dtype_mod.int32)

    def long(self):
        return self.to(_dtype_mod.int64)

    def bool(self):
        return self.to(_dtype_mod.bool)

    def type_as(self, other):
        return self.to(other.dtype)

    # ----- in place -----
    def _recorded(self, others):
        """Will an in-place op on this tensor with these operands be recorded (grad mode on, one requires grad)?"""
        return grad_mode.state.enabled and (
            self.requires_grad or any(isinstance(o, _tensor.Tensor) and o.requires_grad for o in others))

    def _check_inplace(self, *others, one_value=False):
        """PyTorch's checks before an in-place change to this tensor, with ``others`` as the op's other
        operands: the autograd checks (when the change would be recorded), then memory overlap (which
        ``one_value`` may have: fill_ with a number, zero_, a copy from the very same memory)."""
        if self._recorded(others):
            base = self._base
            if base is not None:
                if self._creation_meta is not None:  # made under no_grad, or one of several views (unbind)
                    raise views.rebase_error(self, indirect=False)
                if self.requires_grad and base.grad_fn is None and base._requires_grad:
                    raise RuntimeError(
                        "a view of a leaf Variable that requires grad is being used in an in-place operation."
                    )
            if self.requires_grad and self.grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        views.check_overlap(self, others, one_value)

    def _check_output_shape(self, shape):
        """An in-place result must have this tensor's shape (it cannot grow by broadcasting)."""
        if shape != self._data.shape:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape {list(shape)}"
            )

    def _inplace(self, result):
        """Make ``self`` hold ``result``: same storage, ``result``'s history, version bumped. Through a view,
        the base's history is rewritten (``CopySlices``), as in PyTorch."""
        self._check_output_shape(result._data.shape)
        if self._data.dtype.kind != "f":  # only a floating tensor takes any result: the others check first
            _check_inplace_result(self, _tensor.Tensor._dtype_of(result._data.dtype))
        np.copyto(self._data, result._data, casting="unsafe")
        self._version_counter[0] += 1
        node = result._grad_fn
        if node is None:
            return self
        if node._saved_outputs is not None:  # the op's output, saved for backward, is this tensor now
            node._output_data, node._output_version = self._data, self._version_counter
            node._versions = tuple([self._version_counter[0] if out else v
                                    for v, out in zip(node._versions, node._saved_outputs)])
        if self._base is not None:
            views.rebase_history(self, result)
            return self
        old = self._grad_fn
        node._output = weakref.ref(self)
        self._grad_fn, self._requires_grad = node, True
        views.move_retained(old, self)
        return self

    def _snapshot(self, *others):
        """This tensor as it is now, for an in-place op to record (and save, if ``others`` need it for their
        gradients, as PyTorch saves the original self): later writes must not reach it."""
        if not self._recorded(others):
            return self
        t = _tensor.Tensor._make(self._data.copy())
        t._grad_fn, t._requires_grad, t._accumulator = self.grad_fn, self.requires_grad, self._accumulator
        return t

    def _update(self, method, ufunc, other, **kwargs):
        """``self = self <op> other`` in place: recorded like the out-of-place op when grad is needed."""
        self._check_inplace(other)
        if grad_mode.state.enabled and (
            self.requires_grad or isinstance(other, _tensor.Tensor) and other.requires_grad
        ):
            return self._inplace(getattr(self._snapshot(other), method)(other, **kwargs))
        # Nothing to record (an optimizer step under no_grad): write into this tensor's memory directly,
        # as NumPy's ``a -= b`` does, rather than computing a new array and copying it back.
        a, b = self._operands(other, true_divide=ufunc is np.true_divide)  # checks that b broadcasts
        if b._data.shape != self._data.shape and b._data.ndim:
            self._check_output_shape(_broadcast_shapes(self._data.shape, b._data.shape))
        if self._data.dtype.kind != "f":  # `int_tensor += 1.5` would truncate: refused, as in PyTorch
            _check_inplace_result(self, _tensor.Tensor._dtype_of(a._data.dtype))
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

    def div_(self, other, *, rounding_mode=_ALL):
        if rounding_mode is _ALL:
            return self._update("div", np.true_divide, other)
        return self._checked_update("div", other, rounding_mode=rounding_mode)

    def pow_(self, exponent):
        self._check_inplace(exponent)
        return self._inplace(self._snapshot().pow(exponent))

    def clamp_(self, min=None, max=None):
        self._check_inplace(min, max)
        if self._data.dtype.kind != "f":  # PyTorch names the C++ type when the bounds are numbers
            bounds = [b for b in (min, max) if b is not None]
            if bounds and not any(isinstance(b, _tensor.Tensor) for b in bounds):
                _check_inplace_result(self, _result_type(self, *bounds), cpp_names=True)
        return self._inplace(self._snapshot(min, max).clamp(min, max))

    def _checked_update(self, method, other, **kwargs):
        """``self = self.<method>(other)``, checking the shape, then the dtype, before the op's own checks
        (an integer division by zero, a missing kernel), in PyTorch's order."""
        self._check_inplace(other)
        if isinstance(other, (_tensor.Tensor, numbers.Number)):
            self._check_output_shape(_broadcast_shapes(self._data.shape, np.shape(getattr(other, "_data", other))))
            if self._data.dtype.kind != "f":
                _check_inplace_result(self, _result_type(self, other))
        return self._inplace(getattr(self._snapshot(other), method)(other, **kwargs))

    def remainder_(self, other):
        return self._checked_update("remainder", other)

    def floor_divide_(self, other):
        return self._checked_update("floor_divide", other)

    def bitwise_and_(self, other):
        return self._checked_update("bitwise_and", other)

    def bitwise_or_(self, other):
        return self._checked_update("bitwise_or", other)

    def bitwise_xor_(self, other):
        return self._checked_update("bitwise_xor", other)

    def copy_(self, src):
        from ._creation import tensor

        src = src if isinstance(src, _tensor.Tensor) else tensor(src)
        # as in PyTorch, a copy from the very same memory writes nothing, so may go into an expanded tensor
        same = src._data.__array_interface__ == self._data.__array_interface__
        self._check_inplace(src, one_value=same)
        self._check_output_shape(_broadcast_shapes(self._data.shape, src._data.shape))
        return self._inplace(E.Copy.apply(self._snapshot(), src))

    def fill_(self, value):
        self._check_inplace(value, one_value=not isinstance(value, _tensor.Tensor))  # a number may fill repeats
        if isinstance(value, _tensor.Tensor):
            if value._data.ndim:
                raise RuntimeError(
                    "fill_ only supports 0-dimension value tensor but got tensor with "
                    f"{value._data.ndim} dimensions."
                )
            return self._inplace(E.FillTensor.apply(self._snapshot(), value))
        _dtype_mod.check_scalar_fits(value, self.dtype)  # int8.fill_(300): PyTorch's error, not a wrapped value
        return self._inplace(E.Fill.apply(self._snapshot(), value))

    def zero_(self):
        self._check_inplace(one_value=True)
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
        return self._inplace(E.Copy.apply(self._snapshot(), _tensor.Tensor._make(values)))

    # gather / scatter / index / mask ops (nbgrad/ops/scatter.py): PyTorch's checks, then one op
    def gather(self, dim, index, *, sparse_grad=False):
        d = _check_dim(dim, self._data.ndim)
        idx = SC.index_array("gather", index, lambda i: RuntimeError("gather(): Expected dtype int32/int64 for index"))
        SC.check_gather(self, d, idx)
        return SC.Gather.apply(self, d, idx)

    def scatter(self, dim, index, src=None, value=None, *, reduce=None):
        src = value if src is None else src
        d = _check_dim(dim, self._data.ndim)
        idx = SC.index_array("scatter", index, SC.scatter_index_error)
        if reduce is not None and reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if isinstance(src, _tensor.Tensor):
            if src._data.dtype != self._data.dtype:
                raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
            SC.check_scatter(self, d, idx, src)
            if reduce is None:
                return SC.Scatter.apply(self, d, idx, src)
            SC.warn_reduce_deprecated()
            return SC._ScatterReduce.apply(self, d, idx, src, reduce)
        SC.check_scatter(self, d, idx, None)
        if reduce is None:
            return SC.ScatterValue.apply(self, d, idx, src)
        return SC._ScatterReduce.apply(self, d, idx, src, reduce)

    def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
        src = value if src is None else src
        self._check_inplace(src)
        return self._inplace(self._snapshot(src).scatter(dim, index, src, reduce=reduce))

    def scatter_add(self, dim, index, src):
        d = _check_dim(dim, self._data.ndim)
        idx = SC.index_array("scatter", index, SC.scatter_index_error)
        if not isinstance(src, _tensor.Tensor):
            raise TypeError(f"scatter_add(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}")
        if src._data.dtype != self._data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        SC.check_scatter(self, d, idx, src)
        return SC.ScatterAdd.apply(self, d, idx, src)

    def scatter_add_(self, dim, index, src):
        self._check_inplace(src)
        return self._inplace(self._snapshot(src).scatter_add(dim, index, src))

    def index_select(self, dim, index):
        d = _check_dim(dim, self._data.ndim)
        idx = SC.index_array("index_select", index,
                             lambda i: RuntimeError("index_select(): Expected dtype int32 or int64 for index"))
        if idx.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        idx = idx.reshape(-1)
        if not self._data.ndim and idx.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
        if ((idx < 0) | (idx >= (self._data.shape[d] if self._data.ndim else 1))).any():
            raise IndexError("index out of range in self")
        return SC.IndexSelect.apply(self, d, idx)

    def _slices_source(self, op, dim, index, source, index_error, checks, int32=True):
        """The checked dim and index of index_add/index_copy, with ``source`` checked by ``checks``."""
        d = _check_dim(dim, self._data.ndim)
        idx = SC.index_array(op, index, index_error, int32)
        if not isinstance(source, _tensor.Tensor):
            raise TypeError(f"{op}(): argument 'source' (position 3) must be Tensor, not {type(source).__name__}")
        checks(d, idx)
        return d, idx.reshape(-1)

    def index_add(self, dim, index, source, *, alpha=1):
        def checks(d, idx):
            if idx.ndim > 1:
                raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
                                 f"{SC.type_name(index._data)} and size: {list(idx.shape)}")
            count = source._data.shape[d] if source._data.ndim else 1
            if idx.size != count:
                raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                                   f"({count}), for dim: {d}")
            if source._data.dtype != self._data.dtype:
                raise RuntimeError(f"index_add_(): self ({SC.type_name(self._data)}) and source "
                                   f"({SC.type_name(source._data)}) must have the same scalar type")
            expected = self._data.shape[:d] + (idx.size,) + self._data.shape[d + 1:]
            if source._data.ndim and source._data.shape != expected:
                raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                                   f"dimension. Got self.shape = {list(self._data.shape)} source.shape = "
                                   f"{list(source._data.shape)}")
            SC._check_in_range(idx.reshape(-1), self._data.shape[d] if self._data.ndim else 1, d)

        d, idx = self._slices_source("index_add", dim, index, source, lambda i: RuntimeError(
            f"index_add_(): Expected dtype int32/int64 for index but got: {SC.type_name(i)}"), checks)
        return SC.IndexAdd.apply(self, d, idx, source, alpha)

    def index_add_(self, dim, index, source, *, alpha=1):
        self._check_inplace(source)
        return self._inplace(self._snapshot(source).index_add(dim, index, source, alpha=alpha))

    def index_copy(self, dim, index, source):
        def checks(d, idx):
            if idx.ndim > 1:
                raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
            count = source._data.shape[d] if source._data.ndim else 1
            if idx.size != count:
                raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) "
                                 f"({count})")
            if source._data.dtype != self._data.dtype:
                raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                                   f"{SC.type_name(self._data)} and (source) {SC.type_name(source._data)}")
            SC._check_in_range(idx.reshape(-1), self._data.shape[d] if self._data.ndim else 1, d, "index_copy_(): ",
                               IndexError)

        d, idx = self._slices_source("index_copy", dim, index, source, lambda i: RuntimeError(
            f"index_copy_(): Expected a long tensor for index, but got {SC.type_name(i)}"), checks, int32=False)
        return SC.IndexCopy.apply(self, d, idx, source)

    def index_copy_(self, dim, index, source):
        self._check_inplace(source)
        return self._inplace(self._snapshot(source).index_copy(dim, index, source))

    def index_fill(self, dim, index, value):
        d = _check_dim(dim, self._data.ndim)
        idx = SC.index_array("index_fill", index, lambda i: IndexError(
            "index_fill_(): Expected dtype int64 for index."), int32=False)
        if idx.ndim > 1:
            raise RuntimeError("Index has to be a vector/scalar")
        size = self._data.shape[d] if self._data.ndim else 1
        idx = idx.reshape(-1)
        bad = (idx < -size) | (idx >= size)
        if bad.any():
            raise IndexError(f"index {idx[bad][0]} is out of bounds for dimension {d} with size {size}")
        idx = idx % size if size else idx  # index_fill wraps a negative index, as PyTorch
        if isinstance(value, _tensor.Tensor):
            if value._data.ndim:
                raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                                   f"{value._data.ndim} dimension(s).")
            return SC.IndexFillTensor.apply(self, d, idx, value)
        return SC.IndexFill.apply(self, d, idx, value)

    def index_fill_(self, dim, index, value):
        self._check_inplace(value)
        return self._inplace(self._snapshot(value).index_fill(dim, index, value))

    def masked_fill(self, mask, value):
        mask = SC.check_mask("masked_fill_", mask)
        if isinstance(value, _tensor.Tensor):
            if value._data.ndim:
                raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                                   f"{value._data.ndim} dimension(s).")
            _broadcast_shapes(mask.shape, self._data.shape)
            return SC.MaskedFillTensor.apply(self, mask, value)
        _broadcast_shapes(mask.shape, self._data.shape)
        return SC.MaskedFill.apply(self, mask, value)

    def masked_fill_(self, mask, value):
        self._check_inplace(value)
        if isinstance(mask, _tensor.Tensor):
            self._check_output_shape(_broadcast_shapes(self._data.shape, mask._data.shape))
        return self._inplace(self._snapshot(value).masked_fill(mask, value))

    def masked_select(self, mask):
        mask = SC.check_mask("masked_select", mask)
        _broadcast_shapes(mask.shape, self._data.shape)
        return SC.MaskedSelect.apply(self, mask)

    def masked_scatter(self, mask, source):
        mask = SC.check_mask("masked_scatter_", mask)
        if source._data.dtype != self._data.dtype:
            raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                               f"{SC.type_name(self._data)} and {SC.type_name(source._data)}")
        shape = _broadcast_shapes(self._data.shape, mask.shape)
        if source._data.size < np.count_nonzero(np.broadcast_to(mask, shape)):
            raise RuntimeError("Number of elements of source < number of ones in mask")
        return SC.MaskedScatter.apply(self, mask, source)

    def masked_scatter_(self, mask, source):
        self._check_inplace(source)
        if isinstance(mask, _tensor.Tensor):
            self._check_output_shape(_broadcast_shapes(self._data.shape, mask._data.shape))
        return self._inplace(self._snapshot(source).masked_scatter(mask, source))

    def take(self, index):
        idx = SC.index_array("take", index, lambda i: RuntimeError(
            f"take(): Expected a long tensor for index, but got {SC.type_name(i)}"), int32=False)
        numel = self._data.size
        bad = (idx < -numel) | (idx >= numel)
        if bad.any():
            raise IndexError(f"out of range: tried to access index {idx[bad][0]} on a tensor of {numel} elements.")
        return SC.Take.apply(self, idx % numel if numel else idx)

    def put(self, index, source, accumulate=False):
        idx = SC.index_array("put", index, lambda i: RuntimeError(
            f"put_(): Expected a long tensor for index, but got {SC.type_name(i)}"), int32=False)
        if source._data.dtype != self._data.dtype:
            raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                               f"{SC.type_name(self._data)} and source.dtype = {SC.type_name(source._data)}")
        if source._data.size != idx.size:
            raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                             f"source.numel() = {source._data.size}, index.numel() = {idx.size}")
        numel = self._data.size
        bad = (idx < -numel) | (idx >= numel)
        if bad.any():
            raise IndexError(f"out of range: tried to access index {idx[bad][0]} on a tensor of {numel} elements.")
        return SC.Put.apply(self, idx % numel if numel else idx, source, bool(accumulate))

    def put_(self, index, source, accumulate=False):
        self._check_inplace(source)
        return self._inplace(self._snapshot(source).put(index, source, accumulate))

    def take_along_dim(self, indices, dim=None):
        if indices._data.dtype != np.int64:
            raise RuntimeError("nbgrad.take_along_dim(): dtype of indices should be Long but got "
                               f"{SC.type_name(indices._data)}")
        if dim is None:
            return self.reshape(-1).gather(0, indices.reshape(-1))
        d = _check_dim(dim, self._data.ndim)
        if self._data.ndim != indices._data.ndim:
            raise RuntimeError("nbgrad.take_along_dim(): input and indices should have the same number of dimensions, "
                               f"but got {self._data.ndim} dimensions for input, and {indices._data.ndim} dimensions "
                               "for indices")
        # PyTorch's helper: each broadcast to the other's shape, except along dim
        sizes = list(self._data.shape)
        sizes[d] = indices._data.shape[d]
        indices = indices.broadcast_to(_broadcast_shapes(tuple(sizes), indices._data.shape))
        sizes = list(indices._data.shape)
        sizes[d] = self._data.shape[d]
        return self.broadcast_to(_broadcast_shapes(tuple(sizes), self._data.shape)).gather(d, indices)

    def nonzero(self, *, as_tuple=False):
        data = self._data
        if as_tuple:
            positions = np.nonzero(data if data.ndim else data.reshape(1))
            return tuple(_tensor.Tensor._make(i.astype(np.int64)) for i in positions)
        return _tensor.Tensor._make(np.argwhere(data).astype(np.int64))

    def argwhere(self):
        return self.nonzero()

    def _logical_reduction(self, fn, dim, keepdim):
        data = self._data
        dims = None if dim is None else _reduced_dims(dim, data.ndim)
        out = np.asarray(fn(data, axis=dims, keepdims=keepdim))
        # PyTorch answers in bool, but in uint8 for a uint8 tensor
        return _tensor.Tensor._make(out.astype(np.uint8) if data.dtype == np.uint8 else out)

    def any(self, dim=None, keepdim=False):
        return self._logical_reduction(np.any, dim, keepdim)

    def all(self, dim=None, keepdim=False):
        return self._logical_reduction(np.all, dim, keepdim)

    def count_nonzero(self, dim=None):
        dims = None if dim is None else _reduced_dims(dim, self._data.ndim)
        return _tensor.Tensor._make(np.asarray(np.count_nonzero(self._data, axis=dims), dtype=np.int64))

    # sorting, cumulative and ordering ops (nbgrad/ops/order.py)
    def sort(self, dim=-1, descending=False, *, stable=None):
        d = _check_dim(dim, self._data.ndim)
        indices = O.sort_indices(self._data, d, descending)
        op = O.Sort if stable is None else O.SortStable  # PyTorch's stable= overload is SortBackward1
        values = op.apply(self, d, indices)
        return O.RETURN_TYPES["sort"](values, _tensor.Tensor._make(indices))

    def argsort(self, dim=-1, descending=False, *, stable=False):
        return _tensor.Tensor._make(O.sort_indices(self._data, _check_dim(dim, self._data.ndim), descending))

    def msort(self):
        return self.sort(0).values

    def topk(self, k, dim=-1, largest=True, sorted=True):
        if not isinstance(k, numbers.Integral) or isinstance(k, bool):
            raise TypeError(f"topk(): argument 'k' (position 1) must be int, not {type(k).__name__}")
        d = _check_dim(dim, self._data.ndim)
        if not 0 <= k <= (self._data.shape[d] if self._data.ndim else 1):
            raise RuntimeError("selected index k out of range")
        indices = O.sort_indices(self._data, d, largest)
        if self._data.ndim:
            indices = np.take(indices, range(k), axis=d)
        values = O.Topk.apply(self, d, indices)
        return O.RETURN_TYPES["topk"](values, _tensor.Tensor._make(indices))

    def kthvalue(self, k, dim=-1, keepdim=False):
        if not isinstance(k, numbers.Integral) or isinstance(k, bool):
            raise TypeError(f"kthvalue(): argument 'k' (position 1) must be int, not {type(k).__name__}")
        d = _check_dim(dim, self._data.ndim)
        if not 1 <= k <= (self._data.shape[d] if self._data.ndim else 1):
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
        indices = O.sort_indices(self._data, d, False)
        if self._data.ndim:
            indices = np.take(indices, [k - 1], axis=d)
        values = O.Kthvalue.apply(self, d, indices, keepdim)
        return O.RETURN_TYPES["kthvalue"](values, _tensor.Tensor._make(_returned_indices(indices, d, keepdim)))

    def _cumulative_extreme(self, op, dim):
        d = _check_dim(dim, self._data.ndim)
        indices = O.cumulative_extreme_indices(self._data, d, op)
        values = (O.Cummax if op == "max" else O.Cummin).apply(self, d, indices)
        return O.RETURN_TYPES["cum" + op](values, _tensor.Tensor._make(indices))

    def cummax(self, dim):
        return self._cumulative_extreme("max", dim)

    def cummin(self, dim):
        return self._cumulative_extreme("min", dim)

    def _cumulative(self, op, name, dim, dtype):
        if dim is _ALL:
            raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
        t = self if dtype is None else self.to(dtype)
        if dtype is None and t._data.dtype.kind in "biu" and t._data.dtype != np.int64:
            t = t.long()  # PyTorch accumulates bools and integers in int64
        return op.apply(t, _check_dim(dim, t._data.ndim))

    def cumsum(self, dim=_ALL, *, dtype=None):
        return self._cumulative(O.Cumsum, "cumsum", dim, dtype)

    def cumprod(self, dim=_ALL, *, dtype=None):
        return self._cumulative(O.Cumprod, "cumprod", dim, dtype)

    def logcumsumexp(self, dim):
        if self._data.dtype.kind != "f":
            raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{SC.type_name(self._data)}'")
        return O.Logcumsumexp.apply(self, _check_dim(dim, self._data.ndim))

    def where(self, condition, other):
        from ._functions import where

        return where(condition, self, other)

    def cumsum_(self, dim, *, dtype=None):
        self._check_inplace()
        return self._inplace(self._snapshot().cumsum(dim, dtype=dtype))

    def cumprod_(self, dim, *, dtype=None):
        self._check_inplace()
        return self._inplace(self._snapshot().cumprod(dim, dtype=dtype))

    def unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        data = self._data
        if dim is None:
            values, inverse, counts = np.unique(data.reshape(-1), return_inverse=True, return_counts=True)
            inverse = inverse.reshape(data.shape)
            op = O._Unique2
        else:
            d = _check_dim(dim, data.ndim)
            if any(n == 0 for k, n in enumerate(data.shape) if k != d):
                raise RuntimeError(
                    "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
            values, inverse, counts = np.unique(data, return_inverse=True, return_counts=True, axis=d)
            op = O._UniqueDim
        return self._unique_result(op, values, inverse, counts, return_inverse, return_counts)

    def unique_consecutive(self, return_inverse=False, return_counts=False, dim=None):
        d = None if dim is None else _check_dim(dim, self._data.ndim)
        values, inverse, counts = O.unique_consecutive(self._data, d)
        if d is None:
            inverse = inverse.reshape(self._data.shape)
        return self._unique_result(O._UniqueConsecutive, values, inverse, counts, return_inverse, return_counts)

    def _unique_result(self, op, values, inverse, counts, return_inverse, return_counts):
        out = op.apply(self, np.ascontiguousarray(values))
        extra = [_tensor.Tensor._make(a.astype(np.int64)) for a, wanted in ((inverse, return_inverse),
                                                                            (counts, return_counts)) if wanted]
        return (out, *extra) if extra else out

    # flips, rolls, triangles, diagonals and repeats (nbgrad/ops/order.py)
    def flip(self, *dims):
        if len(dims) == 1 and not isinstance(dims[0], numbers.Integral):
            dims = tuple(dims[0])
        return O.Flip.apply(self, _check_dims(dims, self._data.ndim) if self._data.ndim else ())

    def fliplr(self):
        if self._data.ndim < 2:
            raise RuntimeError("Input must be >= 2-d.")
        return O.Flip.apply(self, (1,))

    def flipud(self):
        if self._data.ndim < 1:
            raise RuntimeError("Input must be >= 1-d.")
        return O.Flip.apply(self, (0,))

    def roll(self, shifts, dims=None):
        shifts = (shifts,) if isinstance(shifts, numbers.Integral) else tuple(shifts)
        if dims is not None:
            dims = (dims,) if isinstance(dims, numbers.Integral) else tuple(dims)
        if not shifts:
            raise RuntimeError("`shifts` required")
        if dims is None or not dims:
            if len(shifts) != 1:
                raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
            return O.Roll.apply(self, tuple(int(s) for s in shifts), None)
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
        dims = tuple(_check_dim(d, self._data.ndim) for d in dims)
        return O.Roll.apply(self, tuple(int(s) for s in shifts), dims)

    def rot90(self, k=1, dims=(0, 1)):
        dims = tuple(dims)
        if len(dims) != 2:
            raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
        if self._data.ndim < 2:
            raise RuntimeError(f"expected total dims >= 2, but got total dims = {self._data.ndim}")
        if dims[0] == dims[1] or abs(dims[0] - dims[1]) == self._data.ndim:  # PyTorch names the dims as given
            raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
        d0, d1 = (_check_dim(d, self._data.ndim) for d in dims)
        return O.Rot90.apply(self, int(k) % 4, (d0, d1))

    def _triangle(self, op, name, diagonal):
        if self._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return op.apply(self, int(diagonal))

    def tril(self, diagonal=0):
        return self._triangle(O.Tril, "tril", diagonal)

    def triu(self, diagonal=0):
        return self._triangle(O.Triu, "triu", diagonal)

    def tril_(self, diagonal=0):
        self._check_inplace()
        return self._inplace(self._snapshot().tril(diagonal))

    def triu_(self, diagonal=0):
        self._check_inplace()
        return self._inplace(self._snapshot().triu(diagonal))

    def diag_embed(self, offset=0, dim1=-2, dim2=-1):
        n = self._data.ndim + 1
        d1, d2 = _check_dim(dim1, n), _check_dim(dim2, n)
        if d1 == d2:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        return O.DiagEmbed.apply(self, int(offset), d1, d2)

    def diag(self, diagonal=0):
        if self._data.ndim == 1:
            return O.DiagEmbed.apply(self, int(diagonal), 0, 1)
        if self._data.ndim == 2:
            return O.DiagonalCopy.apply(self, int(diagonal))
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self._data.ndim}D")

    def diagflat(self, offset=0):
        return O.DiagEmbed.apply(self.reshape(-1), int(offset), 0, 1)

    def trace(self):
        if self._data.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self._data.ndim}")
        return O.Trace.apply(self)

    def repeat(self, *repeats):
        if len(repeats) == 1 and not isinstance(repeats[0], numbers.Integral):
            repeats = tuple(repeats[0])
        repeats = tuple(int(r) for r in repeats)
        if len(repeats) < self._data.ndim:
            raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                               "tensor")
        shape = (1,) * (len(repeats) - self._data.ndim) + self._data.shape
        sizes = [r * n for r, n in zip(repeats, shape)]
        if any(n < 0 for n in sizes):
            bad = next(n for n in sizes if n < 0)
            raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {sizes}")
        return O.Repeat.apply(self, repeats)

    def tile(self, *dims):
        if len(dims) == 1 and not isinstance(dims[0], numbers.Integral):
            dims = tuple(dims[0])
        return self.repeat((1,) * (self._data.ndim - len(dims)) + tuple(dims))

    def repeat_interleave(self, repeats, dim=None, *, output_size=None):
        """As PyTorch: a number of repeats is an unsqueeze, expand, clone and view; a tensor of repeats picks
        each slice that many times (index_select)."""
        t = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else _check_dim(dim, t._data.ndim)
        if isinstance(repeats, _tensor.Tensor):
            counts = repeats._data
            if counts.dtype.kind not in "iu":
                raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{SC.type_name(counts)}'")
            size = t._data.shape[d] if t._data.ndim else 1
            if counts.ndim == 1 and counts.size != 1 and counts.size != size:
                raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                                   f"{counts.size} and input.size({d}) = {size}")
            if (counts < 0).any():
                raise RuntimeError("repeats can not be negative")
            index = np.repeat(np.arange(size), np.broadcast_to(counts.reshape(-1), (size,)))
            return SC.IndexSelect.apply(t, d, index)
        count = int(repeats)
        if count < 0:
            raise RuntimeError("Repeats must be non-negative")
        shape = t._data.shape
        if not shape:
            t, shape = t.reshape(1), (1,)
        wide = shape[:d + 1] + (count,) + shape[d + 1:]
        return t.unsqueeze(d + 1).expand(wide).clone().view(shape[:d] + (shape[d] * count,) + shape[d + 1:])

    # functions of one input with non-integer values: integer and bool tensors become the default dtype
    def tan(self):
        return M.Tan.apply(self._floating())

    def atan(self):
        return M.Atan.apply(self._floating())

    def asin(self):
        return M.Asin.apply(self._floating())

    def acos(self):
        return M.Acos.apply(self._floating())

    def sinh(self):
        return M.Sinh.apply(self._floating())

    def cosh(self):
        return M.Cosh.apply(self._floating())

    def asinh(self):
        return M.Asinh.apply(self._floating())

    def acosh(self):
        return M.Acosh.apply(self._floating())

    def atanh(self):
        return M.Atanh.apply(self._floating())

    def erf(self):
        return M.Erf.apply(self._floating())

    def erfc(self):
        return M.Erfc.apply(self._floating())

    def erfinv(self):
        return M.Erfinv.apply(self._floating())

    def log2(self):
        return M.Log2.apply(self._floating())

    def log10(self):
        return M.Log10.apply(self._floating())

    def exp2(self):
        return M.Exp2.apply(self._floating())

    def rsqrt(self):
        return M.Rsqrt.apply(self._floating())

    arctan, arcsin, arccos, arcsinh, arccosh, arctanh = atan, asin, acos, asinh, acosh, atanh

    # rounding: an integer tensor is its own rounding (a copy); PyTorch has no bool kernel
    def _rounded(self, op, kernel):
        if self._data.dtype.kind == "b":
            raise NotImplementedError(f'"{kernel}_vml_cpu" not implemented for \'Bool\'')
        return op.apply(self)

    def floor(self):
        return self._rounded(M.Floor, "floor")

    def ceil(self):
        return self._rounded(M.Ceil, "ceil")

    def trunc(self):
        return self._rounded(M.Trunc, "trunc")

    fix = trunc

    def round(self, *, decimals=_ALL):
        if decimals is _ALL:
            return self._rounded(M.Round, "round")
        if self._data.dtype.kind != "f":  # round(decimals=) has no integer kernel in PyTorch
            kernel = "round_vml" if decimals == 0 else "round"
            raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'{scalar_type_name(self.dtype)}\'')
        return M.RoundDecimals.apply(self, int(decimals))

    def frac(self):
        if self._data.dtype.kind != "f":
            raise NotImplementedError(f'"frac_cpu" not implemented for \'{scalar_type_name(self.dtype)}\'')
        return M.Frac.apply(self)

    # division with a rounding mode (DivBackward2 even for rounding_mode=None, as in PyTorch), fmod
    def _div_rounding(self, other, rounding_mode):
        if rounding_mode not in (None, "trunc", "floor"):
            raise RuntimeError(
                f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")
        if rounding_mode is None:
            return M.DivMode.apply(*self._operands(other, true_divide=True), None)
        a, b = self._operands(other)
        _check_division_kernel(a.dtype, f"div_{rounding_mode}")
        return M.DivMode.apply(a, b, rounding_mode)

    def divide(self, other, *, rounding_mode=_ALL):
        return self.div(other, rounding_mode=rounding_mode)

    def true_divide(self, other):
        return self.div(other)

    def divide_(self, other, *, rounding_mode=_ALL):
        return self.div_(other, rounding_mode=rounding_mode)

    def true_divide_(self, other):
        return self.div_(other)

    def fmod(self, other):
        if isinstance(other, numbers.Number):
            target = _result_type(self, other)
            _check_division_kernel(target, "fmod")
            return M.Fmod.apply(self.to(target), other)
        a, b = self._operands(other)
        _check_division_kernel(a.dtype, "fmod")
        return M.FmodTensor.apply(a, b)

    def fmod_(self, other):
        return self._checked_update("fmod", other)

    # tests of values (bool results, nothing to record)
    def isinf(self):
        return _tensor.Tensor._make(np.isinf(self._data))

    def isposinf(self):
        return _tensor.Tensor._make(np.isposinf(self._data) if self._data.dtype.kind == "f"
                                    else np.zeros(self._data.shape, bool))

    def isneginf(self):
        return _tensor.Tensor._make(np.isneginf(self._data) if self._data.dtype.kind == "f"
                                    else np.zeros(self._data.shape, bool))

    def isfinite(self):
        return _tensor.Tensor._make(np.isfinite(self._data))

    def isreal(self):
        return _tensor.Tensor._make(np.ones(self._data.shape, bool))  # no complex dtypes here: all real

    def signbit(self):
        x = self._data
        return _tensor.Tensor._make(np.signbit(x) if x.dtype.kind == "f" else np.asarray(x < 0))

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        from ._argcheck import _require_tensor

        _require_tensor(other, "isclose")
        if other._data.dtype != self._data.dtype:
            raise RuntimeError(f"{scalar_type_name(self.dtype)} did not match {scalar_type_name(other.dtype)}")
        if rtol < 0:
            raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
        if atol < 0:
            raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
        a, b = self._data, other._data
        _broadcast_shapes(a.shape, b.shape)
        close = a == b  # equal infinities too
        if a.dtype.kind != "b":
            if a.dtype.kind != "f":  # as PyTorch, integers are compared in the default dtype
                a, b = a.astype(_dtype_mod.get_default_dtype().numpy), b.astype(_dtype_mod.get_default_dtype().numpy)
            if equal_nan:
                close = close | (np.isnan(a) & np.isnan(b))
            error = np.abs(a - b)
            close = close | (np.isfinite(error) & (error <= atol + np.abs(rtol * b)))
        return _tensor.Tensor._make(np.asarray(close))

    def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
        return M.NanToNum.apply(self, nan, posinf, neginf)

    # logical ops: truth values of any dtype, bool results
    def _logical(self, other, ufunc, name):
        from ._argcheck import _require_tensor

        _require_tensor(other, f"logical_{name}")
        _broadcast_shapes(self._data.shape, other._data.shape)
        return _tensor.Tensor._make(np.asarray(ufunc(self._data, other._data)))

    def logical_and(self, other):
        return self._logical(other, np.logical_and, "and")

    def logical_or(self, other):
        return self._logical(other, np.logical_or, "or")

    def logical_xor(self, other):
        return self._logical(other, np.logical_xor, "xor")

    # in place: the op on a snapshot of this tensor, written back (recorded with the op's own node, as in
    # PyTorch: x.exp_() is ExpBackward0), after PyTorch's checks; a result the dtype cannot hold is refused
    def _inplace_version(name):
        def method(self, *args, **kwargs):
            others = (*args, *kwargs.values())
            self._check_inplace(*others)
            return self._inplace(getattr(self._snapshot(*others), name)(*args, **kwargs))

        method.__name__ = method.__qualname__ = name + "_"
        method.__doc__ = f"``t.{name}(...)`` written into ``t``."
        return method

    def negative(self):
        return self.neg()

    def absolute(self):
        return self.abs()

    (exp_, log_, log1p_, expm1_, sqrt_, abs_, absolute_, neg_, negative_, sin_, cos_, tanh_, sigmoid_, relu_,
     reciprocal_, square_, sign_, sgn_, tan_, atan_, arctan_, asin_, arcsin_, acos_, arccos_, sinh_, cosh_, erf_,
     erfc_, erfinv_, log2_, log10_, exp2_, rsqrt_, floor_, ceil_, trunc_, fix_, round_, frac_, nan_to_num_) = map(
        _inplace_version, (
            "exp", "log", "log1p", "expm1", "sqrt", "abs", "absolute", "neg", "negative", "sin", "cos", "tanh",
            "sigmoid", "relu", "reciprocal", "square", "sign", "sgn", "tan", "atan", "arctan", "asin", "arcsin",
            "acos", "arccos", "sinh", "cosh", "erf", "erfc", "erfinv", "log2", "log10", "exp2", "rsqrt", "floor",
            "ceil", "trunc", "fix", "round", "frac", "nan_to_num"))

    def _inplace_no_derivative(self, op):
        """asinh_, acosh_, atanh_: PyTorch records them with a node that refuses backward."""
        self._check_inplace()
        return self._inplace(op.apply(self._snapshot()._floating()))

    def asinh_(self):
        return self._inplace_no_derivative(M._AsinhInplace)

    def acosh_(self):
        return self._inplace_no_derivative(M._AcoshInplace)

    def atanh_(self):
        return self._inplace_no_derivative(M._AtanhInplace)

    arcsinh_, arccosh_, arctanh_ = asinh_, acosh_, atanh_

    # one-sided clamps (their own nodes in PyTorch: ClampMinBackward0, ...)
    def _clamp_one(self, bound, op, op_tensor):
        if isinstance(bound, _tensor.Tensor):
            _broadcast_shapes(self._data.shape, bound._data.shape)
            target = _result_type(self, bound)
            return op_tensor.apply(_tensor._cast(self, target), _tensor._cast(bound, target))
        target = _result_type(self, bound)
        _dtype_mod.check_scalar_fits(bound, target)
        return op.apply(_tensor._cast(self, target), bound)

    def clamp_min(self, min):
        return self._clamp_one(min, M.ClampMin, M.ClampMinTensor)

    def clamp_max(self, max):
        return self._clamp_one(max, M.ClampMax, M.ClampMaxTensor)

    def _clamp_one_(self, method, bound):
        self._check_inplace(bound)
        if self._data.dtype.kind != "f" and not isinstance(bound, _tensor.Tensor):  # named as clamp_ names them
            _check_inplace_result(self, _result_type(self, bound), cpp_names=True)
        return self._inplace(getattr(self._snapshot(bound), method)(bound))

    def clamp_min_(self, min):
        return self._clamp_one_("clamp_min", min)

    def clamp_max_(self, max):
        return self._clamp_one_("clamp_max", max)

    clip_ = clamp_

    def lerp(self, end, weight):
        for name, t in (("end", end), ("weight", weight)):
            if isinstance(t, _tensor.Tensor) and t._data.dtype != self._data.dtype:
                raise RuntimeError(f"expected dtype {self.dtype.cpp_name} for `{name}` but got dtype {t.dtype.cpp_name}")
        if isinstance(weight, _tensor.Tensor):
            _broadcast_shapes(_broadcast_shapes(self._data.shape, end._data.shape), weight._data.shape)
            return M.LerpTensor.apply(self, end, weight)
        if self._data.dtype.kind != "f":
            raise NotImplementedError(f'"lerp_kernel_scalar" not implemented for \'{scalar_type_name(self.dtype)}\'')
        _broadcast_shapes(self._data.shape, end._data.shape)
        return M.Lerp.apply(self, end, weight)

    def _pointwise3(self, tensor1, tensor2):
        """addcmul/addcdiv's operands in their result dtype (linked to the originals: no ToCopyBackward0)."""
        _broadcast_shapes(_broadcast_shapes(self._data.shape, tensor1._data.shape), tensor2._data.shape)
        target = _result_type(self, tensor1, tensor2)
        return [_tensor._cast(t, target) for t in (self, tensor1, tensor2)]

    def addcmul(self, tensor1, tensor2, *, value=1):
        return M.Addcmul.apply(*self._pointwise3(tensor1, tensor2), value)

    def addcdiv(self, tensor1, tensor2, *, value=1):
        if tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform "
                "a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + "
                "value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * "
                "tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: "
                "(input + value * tensor1 / tensor2), for all dtypes.")
        return M.Addcdiv.apply(*self._pointwise3(tensor1, tensor2), value)

    def atan2(self, other):
        from ._argcheck import _require_tensor

        _require_tensor(other, "atan2")
        a, b = self._operands(other, true_divide=True)  # integers give the default dtype, as in PyTorch
        return M.Atan2.apply(a, b)

    def hypot(self, other):
        from ._argcheck import _require_tensor

        _require_tensor(other, "hypot")
        a, b = self._operands(other)
        if a._data.dtype.kind != "f":
            raise NotImplementedError(f'"hypot_cpu" not implemented for \'{scalar_type_name(a.dtype)}\'')
        return M.Hypot.apply(a, b)

    def fmax(self, other):
        from ._argcheck import _require_tensor

        _require_tensor(other, "fmax")
        return M.Fmax.apply(*self._operands(other))

    def fmin(self, other):
        from ._argcheck import _require_tensor

        _require_tensor(other, "fmin")
        return M.Fmin.apply(*self._operands(other))

    def logit(self, eps=None):
        return M.Logit.apply(self._floating(), eps)

    arctan2 = atan2
    lerp_, addcmul_, addcdiv_, atan2_, arctan2_, hypot_ = map(
        _inplace_version, ("lerp", "addcmul", "addcdiv", "atan2", "arctan2", "hypot"))
    logit_ = _inplace_version("logit")
    del _inplace_version


    # PyTorch's other names for methods nbgrad has
    def multiply(self, other):
        return self.mul(other)

    def subtract(self, other, *, alpha=1):
        return self.sub(other, alpha=alpha)

    def greater(self, other):
        return self.gt(other)

    def greater_equal(self, other):
        return self.ge(other)

    def less(self, other):
        return self.lt(other)

    def less_equal(self, other):
        return self.le(other)

    def not_equal(self, other):
        return self.ne(other)

    def ndimension(self):
        return self._data.ndim

    swapdims = transpose

    # memory layout, read from the NumPy array: strides in elements, offset from the start of its storage
    def stride(self, dim=None):
        itemsize = self._data.itemsize
        strides = tuple(s // itemsize for s in self._data.strides)
        if dim is None:
            return strides
        if not self._data.ndim:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return strides[_check_dim(dim, self._data.ndim)]

    def storage_offset(self):
        root = self._data
        while isinstance(root.base, np.ndarray):
            root = root.base
        start = self._data.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        return start // self._data.itemsize

    def is_contiguous(self, memory_format=None):
        return bool(self._data.flags.c_contiguous)

    def ravel(self):
        return self.contiguous().view(-1)

    def movedim(self, source, destination):
        n = self._data.ndim
        src = [source] if isinstance(source, numbers.Integral) else list(source)
        dst = [destination] if isinstance(destination, numbers.Integral) else list(destination)
        if len(src) != len(dst):
            raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain "
                               f"the same number of dims as destination ({dst} dims)")
        src_d = [_check_dim(d, max(n, 1)) for d in src]
        dst_d = [_check_dim(d, max(n, 1)) for d in dst]
        if len(set(src_d)) != len(src_d):
            raise RuntimeError(f"movedim: repeated dim in `source` ({src})")
        if len(set(dst_d)) != len(dst_d):
            raise RuntimeError(f"movedim: repeated dim in `destination` ({dst})")
        if n == 0:
            return S.Permute.apply(self, ())
        rest = iter(d for d in range(n) if d not in src_d)
        moved = dict(zip(dst_d, src_d))
        return S.Permute.apply(self, tuple(moved[i] if i in moved else next(rest) for i in range(n)))

    moveaxis = movedim

    def unflatten(self, dim, sizes):
        n = self._data.ndim
        d = _check_dim(dim, max(n, 1))
        sizes = [int(s) for s in sizes]
        if not sizes:
            raise RuntimeError("unflatten: sizes must be non-empty")
        size = self._data.shape[d] if n else 1
        if sizes.count(-1) > 1:
            raise RuntimeError("only one dimension can be inferred")
        known = int(np.prod([s for s in sizes if s != -1]))
        if -1 in sizes and known and size % known == 0:
            sizes[sizes.index(-1)] = size // known
        elif int(np.prod(sizes)) != size:
            raise RuntimeError(f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} "
                               f"({size}) in the input tensor")
        shape = self._data.shape
        return self.view(shape[:d] + tuple(sizes) + shape[d + 1:])

    def tensor_split(self, indices_or_sections, dim=0):
        if self._data.ndim == 0:
            raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
        d = _check_dim(dim, self._data.ndim)
        size = self._data.shape[d]
        if isinstance(indices_or_sections, _tensor.Tensor):
            spec = indices_or_sections._data
            indices_or_sections = int(spec) if spec.ndim == 0 else [int(i) for i in spec]
        if isinstance(indices_or_sections, numbers.Integral):
            sections = int(indices_or_sections)
            if sections <= 0:
                raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
            small, extra = divmod(size, sections)
            bounds = np.cumsum([0] + [small + 1] * extra + [small] * (sections - extra))
        else:
            bounds = [0, *[int(i) for i in indices_or_sections], size]
        pieces = []
        for start, stop in zip(bounds[:-1], bounds[1:]):
            start, stop = min(max(int(start), 0), size), min(max(int(stop), 0), size)
            pieces.append(I.Slice.apply(self, ((I._numpy_step("slice", d, slice(start, max(start, stop))),), ())))
        return tuple(pieces)

    def _split_directional(self, sections, dim, fn, need):
        n = self._data.ndim
        if n < need:
            raise RuntimeError(f"nbgrad.{fn} requires a tensor with at least {need} dimension"
                               f", but got a tensor with {n} dimensions!")
        if isinstance(sections, numbers.Integral):
            size = self._data.shape[dim]
            if sections == 0 or size % sections:
                raise RuntimeError(f"nbgrad.{fn} attempted to split along dimension {dim}, but the size of the "
                                   f"dimension {size} is not divisible by the split_size {sections}!")
        return self.tensor_split(sections, dim)

    def hsplit(self, sections):
        return self._split_directional(sections, 1 if self._data.ndim > 1 else 0, "hsplit", 1)

    def vsplit(self, sections):
        return self._split_directional(sections, 0, "vsplit", 2)

    def float_power(self, exponent):
        if isinstance(exponent, _tensor.Tensor):
            return self.double().pow(exponent.double())
        return self.double().pow(exponent)

    def vdot(self, other):
        from .ops import misc

        if self._data.ndim != 1 or other._data.ndim != 1:
            raise RuntimeError(f"1D tensors expected, but got {self._data.ndim}D and {other._data.ndim}D tensors")
        L.check_matmul(self, other)
        return misc.Vdot.apply(self, other)

    def inner(self, other):
        from . import _functions

        if not isinstance(other, _tensor.Tensor):
            raise TypeError(f"inner(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")
        if self._data.ndim == 0 or other._data.ndim == 0:
            return self * other
        if self._data.shape[-1] != other._data.shape[-1]:
            raise RuntimeError("inner() the last dimension must match on both input tensors but got shapes "
                               f"{list(self._data.shape)} and {list(other._data.shape)}")
        return _functions.tensordot(self, other, ([-1], [-1]))

    def nansum(self, dim=None, keepdim=False, *, dtype=None):
        from .ops import misc

        t = self if dtype is None else self.to(dtype)
        if dtype is None and t._data.dtype.kind in "biu" and t._data.dtype != np.int64:
            t = t.long()  # as sum: bools and every integer type in int64
        dims = () if dim is None else _check_dims(dim, t._data.ndim)
        dims = dims if t._data.ndim else ()  # a 0-d tensor's dim 0 reduces nothing
        return misc.Nansum.apply(t, dims, keepdim)

    def nanmean(self, dim=None, keepdim=False, *, dtype=None):
        if self._data.dtype.kind != "f":
            raise RuntimeError("nanmean(): expected input to have floating point or complex dtype but got "
                               f"{scalar_type_name(self.dtype)}")
        t = self if dtype is None else self.to(dtype)
        count = t.isnan().logical_not().sum(dim, keepdim)
        return t.nansum(dim, keepdim) / count

    def diff(self, n=1, dim=-1, prepend=None, append=None):
        from ._functions import cat

        if self._data.ndim == 0:
            raise RuntimeError("diff expects input to be at least one-dimensional")
        d = _check_dim(dim, self._data.ndim)
        t = self
        if prepend is not None or append is not None:
            t = cat([x for x in (prepend, self, append) if x is not None], d)
        for _ in range(n):
            size = t._data.shape[d]
            if size == 0:
                break
            t = t.narrow(d, 1, size - 1) - t.narrow(d, 0, size - 1) if t._data.dtype.kind != "b" else \
                t.narrow(d, 1, size - 1).logical_xor(t.narrow(d, 0, size - 1))
        return t

    # random draws into a tensor of self's dtype
    def bernoulli(self, p=None, *, generator=None):
        from . import _random
        from .ops import misc

        if self._data.dtype.kind != "f":
            raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for '{scalar_type_name(self.dtype)}'")
        rng = _random.generator() if generator is None else generator._rng
        if p is not None:
            if not 0 <= p <= 1:
                raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
            return _tensor.Tensor._make((rng.random(self._data.shape) < p).astype(self._data.dtype))
        probabilities = self._data
        if not ((probabilities >= 0) & (probabilities <= 1)).all():
            raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
                               "be improved?  If so, please report an enhancement request to PyTorch.)")
        return misc.Bernoulli.apply(self, (rng.random(self._data.shape) < probabilities).astype(self._data.dtype))

    def bernoulli_(self, p=0.5, *, generator=None):
        from . import _random

        rng = _random.generator() if generator is None else generator._rng
        if isinstance(p, _tensor.Tensor):
            probabilities = np.broadcast_to(p._data, self._data.shape)
            if not ((probabilities >= 0) & (probabilities <= 1)).all():
                raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
                                   "message be improved?  If so, please report an enhancement request to PyTorch.)")
        elif not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
        else:
            probabilities = p
        return self._fill_random(rng.random(self._data.shape) < probabilities)

    def exponential_(self, lambd=1.0, *, generator=None):
        from . import _random

        if self._data.dtype.kind != "f":
            raise RuntimeError("Exponential distribution is a continuous probability distribution. dtype must be a "
                               f"floating point but you specified {scalar_type_name(self.dtype)}")
        if not lambd > 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
        rng = _random.generator() if generator is None else generator._rng
        return self._fill_random(rng.exponential(1.0 / lambd, self._data.shape))

    def random_(self, *bounds, generator=None, **named):
        """Integers drawn uniformly from [from, to): ``random_(to)``, ``random_(from, to)``; with no bounds, from
        0 to the largest integer self's dtype holds exactly (2²⁴ for float32, the maximum for integers)."""
        from . import _random

        bounds = bounds + tuple(named[k] for k in ("from", "to") if k in named)
        dt = self._data.dtype
        if len(bounds) == 2 and bounds[1] is not None:
            low, high = int(bounds[0]), int(bounds[1])
        elif len(bounds) == 1:
            low, high = 0, int(bounds[0])
        else:
            low = int(bounds[0]) if bounds else 0
            high = (2 if dt.kind == "b" else 2 ** (np.finfo(dt).nmant + 1) + 1 if dt.kind == "f"
                    else int(np.iinfo(dt).max) + 1)
        if low >= high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
        if dt.kind in "iu":
            info, c_type = np.iinfo(dt), self._C_TYPES[dt.name]
            if not info.min <= low <= info.max:
                raise RuntimeError(f"from is out of bounds for {c_type}")
            if not info.min <= high - 1 <= info.max:
                raise RuntimeError(f"to - 1 is out of bounds for {c_type}")
        rng = _random.generator() if generator is None else generator._rng
        return self._fill_random(rng.integers(low, high, size=self._data.shape))

    # the C types PyTorch's messages name
    _C_TYPES = {"uint8": "unsigned char", "int8": "signed char", "int16": "short", "int32": "int", "int64": "long"}

    def multinomial(self, num_samples, replacement=False, *, generator=None):
        """Indices drawn with the weights in self's last dim (with or without replacement)."""
        from . import _random

        p = self._data
        if p.dtype.kind != "f":
            raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                               f"{scalar_type_name(self.dtype)}")
        if p.ndim not in (1, 2):
            raise RuntimeError("prob_dist must be 1 or 2 dim")
        if num_samples <= 0:
            raise RuntimeError("cannot sample n_sample <= 0 samples")
        if not replacement and num_samples > p.shape[-1]:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        if not np.isfinite(p).all() or (p < 0).any():
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        rows = p.reshape(-1, p.shape[-1]).astype(np.float64)
        if (rows.sum(-1) <= 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        rng = _random.generator() if generator is None else generator._rng
        if replacement:
            cdf = np.cumsum(rows, -1) / rows.sum(-1, keepdims=True)
            draws = rng.random((len(rows), num_samples))
            picked = np.stack([np.searchsorted(c, d, side="right") for c, d in zip(cdf, draws)])
            picked = np.minimum(picked, rows.shape[-1] - 1)
        else:
            # successive sampling without replacement: the largest p / Exp(1) keys (zero weights come last)
            keys = rows / rng.exponential(size=rows.shape)
            picked = np.argsort(-keys, axis=-1, kind="stable")[:, :num_samples]
        return _tensor.Tensor._make(picked.reshape(p.shape[:-1] + (num_samples,)).astype(np.int64))

    # counting and searching: integer results, no gradient
    def bincount(self, weights=None, minlength=0):
        x = self._data
        if x.dtype.kind not in "iu":
            raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{scalar_type_name(self.dtype)}'")
        if x.ndim != 1 or (x < 0).any():
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        if weights is None:
            return _tensor.Tensor._make(np.bincount(x, minlength=minlength).astype(np.int64))
        w = weights._data
        if w.ndim != 1 or len(w) != len(x):
            raise RuntimeError("weights should be 1-d and have the same length as input")
        dtype = w.dtype if w.dtype in (np.float32, np.float16) else np.float64
        return _tensor.Tensor._make(np.bincount(x, w.astype(np.float64), minlength=minlength).astype(dtype))

    def histc(self, bins=100, min=0, max=0):  # noqa: A002  (PyTorch's argument names)
        x = self._data
        if x.dtype.kind != "f":
            raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{scalar_type_name(self.dtype)}'")
        if bins <= 0:
            raise RuntimeError(f"nbgrad.histogram(): bins must be > 0, but got {bins} for dimension 0")
        if min > max:
            raise RuntimeError("nbgrad.histc: max must be larger than min")
        low, high = float(min), float(max)
        if low == high and x.size:
            low, high = float(x.min()), float(x.max())
        if low == high:
            low, high = low - 1, high + 1
        kept = x[(x >= low) & (x <= high)].astype(np.float64)
        which = np.minimum(((kept - low) * bins / (high - low)).astype(np.int64), bins - 1)
        return _tensor.Tensor._make(np.bincount(which, minlength=bins).astype(x.dtype))

    def _refuse_python_map(self, name):
        if self.requires_grad:
            raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() instead.")

    def apply_(self, callable):  # noqa: A002
        """Each element replaced by ``callable(element)`` (a Python number), as PyTorch's CPU-only apply_."""
        self._refuse_python_map("apply_")
        values = np.array([callable(v) for v in self._data.reshape(-1).tolist()]).reshape(self._data.shape)
        return self._fill_random(values)

    def map_(self, tensor, callable):  # noqa: A002
        """Each element replaced by ``callable(element, other)``, ``tensor`` broadcast to self's shape."""
        self._refuse_python_map("map_")
        other = np.broadcast_to(tensor._data, self._data.shape).reshape(-1).tolist()
        values = np.array([callable(a, b) for a, b in zip(self._data.reshape(-1).tolist(), other)])
        return self._fill_random(values.reshape(self._data.shape))

    def xlogy(self, other):
        from .ops import misc

        if isinstance(other, _tensor.Tensor):
            return misc.Xlogy.apply(*self._operands(other, true_divide=True))
        if not isinstance(other, numbers.Number):
            kind = type(other).__name__
            raise TypeError(f"xlogy() received an invalid combination of arguments - got ({kind}), but expected one of:"
                            f"\n * (Tensor other)\n      didn't match because some of the arguments have invalid types: "
                            f"(!{kind}!)\n * (Number other)\n      didn't match because some of the arguments have "
                            f"invalid types: (!{kind}!)\n")
        a = self if self._data.dtype.kind == "f" else self.to(_dtype_mod.get_default_dtype())
        return misc.XlogyNumberOther.apply(a, float(other))

    def median(self, dim=None, keepdim=False):
        """The lower median of all elements, or along ``dim`` with its indices (``values``, ``indices``)."""
        from .ops import misc

        if self._data.dtype.kind == "b":
            raise NotImplementedError("\"median_cpu\" not implemented for 'Bool'")
        if dim is None:
            return misc.Median.apply(self)
        if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
            raise TypeError(f"median(): argument 'dim' must be int, not {type(dim).__name__}")
        n = self._data.ndim
        d = _check_dim(dim, max(n, 1))
        if n and self._data.shape[d] == 0:
            raise IndexError(f"median(): Expected reduction dim {d} to have non-zero size.")
        indices = misc.median_indices(self._data, d) if n else np.zeros((), np.int64)
        values = misc.MedianDim.apply(self, d, keepdim, indices)
        shown = indices if keepdim or not n else indices.squeeze(d)
        return misc.MEDIAN(values, _tensor.Tensor._make(shown))

    def aminmax(self, *, dim=None, keepdim=False):
        """(min, max) from one node (AminmaxBackward0): over every element, or along ``dim``."""
        from .ops import misc

        n = self._data.ndim
        if dim is None:
            if not self._data.size:
                raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                                   "identity.")
            dims = tuple(range(n))
        else:
            if isinstance(dim, bool) or not isinstance(dim, numbers.Integral):
                raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
            d = _check_dim(dim, max(n, 1))
            if n and not self._data.shape[d]:
                raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
            dims = (d,) if n else ()
        return misc.AMINMAX(*misc.Aminmax.apply(self, dims, keepdim))

    # new tensors with self's dtype (and device) unless told otherwise
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        from ._creation import new_filled

        return new_filled(self, size, "new_zeros", 0, dtype, device, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        from ._creation import new_filled

        return new_filled(self, size, "new_ones", 1, dtype, device, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        from ._creation import new_filled

        # zero-filled rather than uninitialised: lesson outputs must not depend on leftover memory
        return new_filled(self, size, "new_empty", 0, dtype, device, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        from ._creation import new_filled

        if isinstance(size, numbers.Integral):
            raise TypeError(f"new_full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
        return new_filled(self, (size,), "new_full", fill_value, dtype, device, requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from ._creation import new_tensor

        return new_tensor(self, data, dtype, device, requires_grad)

    # products: PyTorch's checks, then one node each (outer and einsum are compositions, as in PyTorch)
    def mv(self, vec):
        if self._data.ndim != 2 or vec._data.ndim != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got 1, {self._data.ndim}, {vec._data.ndim}")
        L.check_matmul(self, vec)
        return L.Mv.apply(self, vec)

    def bmm(self, mat2):
        return A.bmm_checked(self, mat2)

    def outer(self, vec2):
        return A.outer(self, vec2)

    ger = outer

    def kron(self, other):
        return A.kron(self, other)

    def _scaled_product(self, op, a, b, beta, alpha, shape):
        """``beta * self + alpha * (a ⊗ b)`` for addmm and its kin: ``self`` must broadcast to ``shape``."""
        S.expanded_shape(self, shape)
        return op.apply(self, a, b, beta, alpha)

    def addmm(self, mat1, mat2, *, beta=1, alpha=1):
        for name, m in (("mat1", mat1), ("mat2", mat2)):
            if m._data.ndim != 2:
                raise RuntimeError(f"{name} must be a matrix, got {m._data.ndim}-D tensor")
        (r, k), (k2, c) = mat1._data.shape, mat2._data.shape
        if k != k2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({r}x{k} and {k2}x{c})")
        for m in (mat1, mat2):
            if m._data.dtype != self._data.dtype:
                raise RuntimeError(f"self and mat2 must have the same dtype, but got {scalar_type_name(self.dtype)} "
                                   f"and {scalar_type_name(m.dtype)}")
        return self._scaled_product(L.Addmm, mat1, mat2, beta, alpha, (r, c))

    def addmv(self, mat, vec, *, beta=1, alpha=1):
        if mat._data.ndim != 2 or vec._data.ndim != 1 or self._data.ndim > 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got {self._data.ndim}, {mat._data.ndim}, "
                               f"{vec._data.ndim}")
        r, k = mat._data.shape
        if k != vec._data.shape[0] or self._data.shape not in ((), (1,), (r,)):
            raise RuntimeError(f"size mismatch, got input ({self._data.shape[0] if self._data.ndim else 1}), mat "
                               f"({r}x{k}), vec ({vec._data.shape[0]})")
        if not self._data.dtype == mat._data.dtype == vec._data.dtype:
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got {scalar_type_name(self.dtype)}, "
                               f"{scalar_type_name(mat.dtype)}, and {scalar_type_name(vec.dtype)}")
        return self._scaled_product(L.Addmv, mat, vec, beta, alpha, (r,))

    def baddbmm(self, batch1, batch2, *, beta=1, alpha=1):
        A.check_bmm(batch1, batch2)
        if not self._data.dtype == batch1._data.dtype == batch2._data.dtype:
            raise RuntimeError(f"Input dtypes must be the same, got: input {self.dtype.cpp_name}, batch1: "
                               f"{batch1.dtype.cpp_name}, batch2: {batch2.dtype.cpp_name}")
        (b, r, _), c = batch1._data.shape, batch2._data.shape[2]
        return self._scaled_product(L.Baddbmm, batch1, batch2, beta, alpha, (b, r, c))

    def addbmm(self, batch1, batch2, *, beta=1, alpha=1):
        for name, m in (("batch1", batch1), ("batch2", batch2)):
            if m._data.ndim != 3:
                raise RuntimeError(f"{name} must be a 3D tensor")
        (b, r, k), (b2, k2, c) = batch1._data.shape, batch2._data.shape
        if b != b2:
            raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {b} and {b2}")
        if k != k2:
            raise RuntimeError(f"Incompatible matrix sizes for bmm ({r}x{k} and {k2}x{c})")
        A.check_bmm(batch1, batch2)
        if self._data.dtype != batch1._data.dtype:
            raise RuntimeError(f"expected scalar type {scalar_type_name(batch1.dtype)} but found "
                               f"{scalar_type_name(self.dtype)}")
        return self._scaled_product(L.Addbmm, batch1, batch2, beta, alpha, (r, c))

    def inverse(self):
        from . import linalg

        return linalg.inv(self)

    def det(self):
        from . import linalg

        return linalg.det(self)

    # norms and distances
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        """PyTorch's ``Tensor.norm``: a vector norm (``"fro"`` is the 2-norm), over ``dim`` or every element."""
        from . import linalg

        if isinstance(p, str):
            if p == "fro" and (dim is None or isinstance(dim, numbers.Integral) or len(dim) <= 2):
                return linalg.vector_norm(self, 2, dim, keepdim, dtype=dtype)
            return linalg.matrix_norm(self, p, tuple(range(self._data.ndim)) if dim is None else dim, keepdim,
                                      dtype=dtype)
        return linalg.vector_norm(self, 2.0 if p is None else p, dim, keepdim, dtype=dtype)

    def dist(self, other, p=2):
        a, b = self._operands(other)
        if not a._data.dtype.kind == "f":
            raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                               f"{scalar_type_name(a.dtype)} instead.")
        _broadcast_shapes(a._data.shape, b._data.shape)
        return A.Dist.apply(a, b, float(p))

    def cross(self, other, dim=None):
        from . import linalg

        if dim is None:
            import warnings

            warnings.warn(
                "Using nbgrad.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                "explicitly or simply use nbgrad.linalg.cross.\nThe default value of dim will change to agree with "
                "that of linalg.cross in a future release.", UserWarning, stacklevel=2)
            shape = _broadcast_shapes(self._data.shape, other._data.shape)
            dim = next((d for d, s in enumerate(shape) if s == 3), None)
            if dim is None:
                raise RuntimeError("no dimension of size 3 in input")
        return linalg.cross(self, other, dim=dim)

    __iadd__, __isub__, __imul__, __itruediv__ = add_, sub_, mul_, div_
    __imod__, __ifloordiv__, __ipow__ = remainder_, floor_divide_, pow_
    __iand__, __ior__, __ixor__ = bitwise_and_, bitwise_or_, bitwise_xor_

