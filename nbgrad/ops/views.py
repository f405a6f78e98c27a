"""In-place changes and views, as PyTorch records them.

A view (``b[1:]``, ``b.t()``, ``b.view(6)``) shares its base's storage and its version counter: every
in-place change to either counts once for both. Two nodes keep the gradients right when one of them
changes in place:

- ``CopySlices``: an in-place op through a view rewrites the *base's* history. The base is now "the old
  base, with the view's elements replaced by op(view, ...)"; its gradient passes unchanged outside the
  view, and through the op's own rule inside it.
- ``AsStridedBackward0``: a view whose base changed (through it, through another view, or directly) gets
  its history again from the base: "these elements of the base". PyTorch does this lazily, when the view's
  ``grad_fn`` is next read or the view is next used, and so does nbgrad (``Tensor.grad_fn``).

Both find the view's elements in the base by position (``positions``), computed from NumPy's strides, so
any chain of views of any base works the same way.
"""
import weakref

import numpy as np

from ..autograd import _checks, function
from ._base import Primitive, Rule, raw
from . import index as I  # indexing's rules, read when a rule runs (index.py makes views: the two are mutual)


def _addresses(array):
    """The memory address of each element of ``array``."""
    out = np.full(array.shape, array.__array_interface__["data"][0], dtype=np.int64)
    for dim, (n, stride) in enumerate(zip(array.shape, array.strides)):
        out += (np.arange(n, dtype=np.int64) * stride).reshape((n,) + (1,) * (array.ndim - dim - 1))
    return out


def positions(view, base):
    """For each element of ``view``, its position in ``base`` read in order (``base.reshape(-1)``)."""
    wanted = _addresses(view._data)
    if not wanted.size:
        return wanted
    found = _addresses(base._data).reshape(-1)
    order = np.argsort(found, kind="stable")
    at = order[np.searchsorted(found, wanted, sorter=order).clip(0, found.size - 1)]
    if not np.array_equal(found[at], wanted):
        raise RuntimeError("nbgrad cannot find this view's elements in its base (a view of another dtype?)")
    return at


_REPEATS = ("unsupported operation: more than one element of the written-to tensor refers to a single memory "
            "location. Please clone() the tensor before performing the operation.")


def check_overlap(t, others, one_value=False):
    """PyTorch's memory checks before writing into ``t``: no two of its elements are one location (an expanded
    tensor; unless ``one_value`` is written everywhere), and no operand overlaps it in part (``t[1:] = t[:-1]``;
    the very same elements are fine)."""
    data = t._data
    if 0 in data.strides and not one_value and any(s == 0 and n > 1 for n, s in zip(data.shape, data.strides)):
        raise RuntimeError(_REPEATS)
    for other in others:
        # two arrays that each own their memory cannot overlap: the common case is decided without NumPy
        if (isinstance(other, function.Tensor) and other._data is not data
                and (data.base is not None or other._data.base is not None) and np.may_share_memory(data, other._data)):
            if _partial_overlap(data, other._data):
                raise RuntimeError(
                    "unsupported operation: some elements of the input tensor and the written-to tensor refer to a "
                    "single memory location. Please clone() the tensor before performing the operation."
                )


def _partial_overlap(a, b):
    """PyTorch's test (``get_overlap_status``): only dense tensors are compared, by their byte ranges."""
    if not (_dense(a) and _dense(b)):
        return False  # too hard to tell: PyTorch lets it pass
    a0, b0 = a.__array_interface__["data"][0], b.__array_interface__["data"][0]
    a1, b1 = a0 + a.nbytes, b0 + b.nbytes
    if (a0, a1) == (b0, b1):
        return a.strides != b.strides
    return a0 < b1 and b0 < a1


def _dense(a):
    """The elements fill one block of memory with no gaps and no repeats (in some order of the dims)."""
    expected = a.itemsize
    for stride, n in sorted((abs(s), n) for s, n in zip(a.strides, a.shape) if n != 1):
        if stride != expected:
            return False
        expected *= n
    return True


class Alias(Primitive):
    rule = Rule("a itself, as a new view (t[...]);  ∂/∂a = 1",
                latex=("$a", "1"))
    is_view = True

    @staticmethod
    def forward(ctx, a):
        return a._data[...]

    @staticmethod
    def backward(ctx, grad):
        return grad


class AsStrided(Primitive):
    rule = Rule("a view of a read again after an in-place change: the elements of a at its positions;  "
                "∂/∂a puts the gradient back at those positions",
                latex=(r"$a[\mathit{view}]", r"1 \text{ at the view's elements}"))

    @staticmethod
    def forward(ctx, a, at):
        ctx.positions = at
        return a._data.reshape(-1)[at]

    @staticmethod
    def backward(ctx, grad):
        at = ctx.positions
        flat = I.zeros(grad, (int(np.prod(ctx._meta[0][1], dtype=np.int64)),))
        return I.index_put(flat, ((), (at,)), grad, True).reshape(ctx._meta[0][1]), None


def rebase_error(view, indirect):
    """PyTorch's refusal to change a view made under no_grad, or one of the views an op returns several of
    (unbind, split: ``_creation_meta`` "multi_output"); ``indirect``: through its base or another view."""
    changed = "its base or another view of its base has been" if indirect else "is being"
    node = view._grad_fn
    if view._creation_meta == "multi_output":
        # PyTorch numbers the output (output_nr); only an output of a node with several has another than 0
        head = (f"Output {getattr(view._accumulator, 'output_nr', 0)} of {_checks.forward_op_name(node)} is a view "
                f"and {changed} modified inplace." if node is not None else
                f"A view was created in no_grad mode and {changed} modified inplace with grad mode enabled.")
        return RuntimeError(
            f"{head} This view is the output of a function that returns multiple views. Such functions do not allow "
            "the output views to be modified inplace. You should replace the inplace operation by an out-of-place one."
        )
    prefix = (f"Output 0 of {_checks.forward_op_name(node)} is a view of a view which was created in" if node is not None
              else "A view was created in")
    return RuntimeError(
        f"{prefix} no_grad mode and {changed} modified inplace with grad mode enabled. Given that this use case is "
        "ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the "
        "inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside "
        "(if you want the inplace to be tracked)."
    )


def regenerate(view):
    """Give ``view`` its history again from its base, if the base changed in place since it was last read."""
    base = view._base
    if view._grad_fn is None and not base._requires_grad:
        view._view_version = view._version_counter[0]
        return
    if view._creation_meta is not None:  # made under no_grad, or one of several views: PyTorch refuses
        raise rebase_error(view, indirect=True)
    view._view_version = view._version_counter[0]
    ctx = AsStrided._backward_cls()
    ctx.positions = positions(view, base)
    old = view._grad_fn
    function._link(ctx, (base, ctx.positions), view)
    move_retained(old, view)


def move_retained(old, t):
    """``retain_grad()`` follows a tensor from its old node to its new history, as in PyTorch (its hooks stay)."""
    if old is not None and old._retained is not None and old._retained.variable is t and t._grad_fn is not old:
        t._grad_fn._retained, old._retained = old._retained, None


class _CopySlicesNode(function.BackwardNode):
    """The node of ``CopySlices``: it holds the op's own node (``_fn``) and runs it on the view's part."""

    def _release(self):
        self._fn._release()

    @property
    def saved_freed(self):
        return self._fn._saved is None


class CopySlices(Primitive):
    rule = Rule(
        "base with the view's elements replaced by op(view, ...) (an in-place op through a view);  "
        "∂/∂base = 1 outside the view, the op's derivative inside it;  ∂/∂others = the op's, on the view's part",
        latex=(r"\mathit{base} \text{ with } \mathit{op}(\mathit{view}, \dots) \text{ in the view}",
               r"1 \text{ outside the view}, \frac{\partial\, \mathit{op}}{\partial\, \mathit{view}} \text{ inside}"),
        local=False,
    )
    node_name = "CopySlices"
    _node_base = _CopySlicesNode

    @staticmethod
    def backward(ctx, grad):
        at, fn = ctx._positions, ctx._fn
        if np.unique(at).size != at.size:  # the view repeats elements of the base (it was expanded)
            raise RuntimeError(_REPEATS)
        flat = grad.reshape(-1)
        grads = fn._run(I.index(flat, ((), (at,))), isinstance(grad, function.Tensor))
        inside = grads[0] if grads[0] is not None else I.zeros(grad, raw(at).shape)
        return (I.index_put(flat, ((), (at,)), inside, False).reshape(ctx._meta[0][1]), *grads[1:])


def rebase_history(view, result):
    """After ``view`` took ``result``'s values in place: the base's history becomes a ``CopySlices`` around
    ``result``'s node, and the view's is read from the base again."""
    base, fn = view._base, result._grad_fn
    ctx = CopySlices._backward_cls()
    ctx._fn = fn
    ctx._positions = positions(view, base)
    base_node = base._grad_node()
    shape = base._data.shape
    ctx._next = (base_node, *fn._next[1:])
    ctx._meta = ((0, shape, base._data.dtype), *[(k + 1, s, d) for k, (_, s, d) in enumerate(fn._meta[1:])])
    if fn._constants:
        ctx._constants = {k: ref for k, ref in fn._constants.items() if k}
    ctx._seq = fn._seq
    ctx._num_args = len(ctx._meta)
    old = base._grad_fn
    ctx._output = weakref.ref(base)
    base._grad_fn, base._requires_grad = ctx, True
    move_retained(old, base)
    view._view_version = -1  # read from the base again, now
    regenerate(view)
