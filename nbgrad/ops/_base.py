"""What every built-in op shares: registration (for the meta-test), PyTorch-style node names, its
teaching text (``Rule``), and the few functions that let one backward rule run on NumPy arrays or on Tensors.

A plain ``backward()`` runs the rules on arrays: nothing is recorded, so wrapping every intermediate
in a Tensor would be pure cost. With ``create_graph=True`` the same rules get Tensors and are recorded,
which is what makes gradients of gradients. Each derivative is therefore written once, with operators
(``+ - * / **``, comparisons, ``@``, ``reshape``, indexing) that NumPy and Tensors share, and, where the two
spell a function differently, with the functions below.
"""
import numpy as np

from ..autograd import function

PRIMITIVES = []


class Rule:
    """An op's derivative rule, for people: the trace and the drawings are made from it.

    ``text``: the rule in words, naming inputs by forward's argument names (``a · b;  ∂/∂a = b,  ∂/∂b = a``);
    it is also the op's docstring. ``latex``: the output as a LaTeX template, then the derivative for each
    input (``$a`` is forward's argument ``a``). ``params(node, number)``: the op's parameters as text, given a
    number formatter; those named with a leading underscore are pieces of LaTeX, the others are also listed
    after the text. ``local``: the op's backward applied to ones gives each input element's own derivative
    (true when every input element reaches one output element: element-wise ops and reductions).
    """

    def __init__(self, text, latex=None, *, local=True, params=None):
        self.text = text
        self.latex = latex
        self.local = local
        self.params = params


class Primitive(function.Function):
    """A built-in op: its node is named ``<ClassName>Backward0`` unless ``node_name`` says otherwise."""

    _builtin = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):  # a leading underscore marks a shared base, not an op
            PRIMITIVES.append(cls)


def result(array):
    """Wrap a forward result as a Tensor so that forward can save it for backward."""
    return function.Tensor._make(array)


def saved(ctx, grad):
    """What forward saved, as arrays when the rule runs on arrays (``grad`` is one), else as Tensors."""
    return ctx.saved_tensors if isinstance(grad, function.Tensor) else ctx._saved_arrays()


def raw(x):
    """The array behind a value (a mask or a shape is computed the same way in both cases)."""
    return x._data if isinstance(x, function.Tensor) else x


def constant(array, like):
    """A constant array, as a value of the same kind as ``like``."""
    return function.Tensor._make(array) if isinstance(like, function.Tensor) else array


def either(array_fn, tensor_fn):
    """One function of a rule: ``tensor_fn`` on a Tensor (so it is recorded), ``array_fn`` on arrays."""
    def fn(x, *args):
        return tensor_fn(x, *args) if isinstance(x, function.Tensor) else array_fn(x, *args)

    return fn


def _broadcast(x, shape):
    # A new array rather than np.broadcast_to's read-only view: as fast for small arrays (broadcast_to
    # is Python-level), and a gradient that owns its memory can become a .grad without a copy.
    out = np.empty(shape, x.dtype)
    out[...] = x
    return out


def _method(name):
    return lambda x, *args: getattr(x, name)(*args)


exp = either(np.exp, _method("exp"))
log = either(np.log, _method("log"))
sign = either(np.sign, _method("sign"))
sin = either(np.sin, _method("sin"))
cos = either(np.cos, _method("cos"))
t = either(np.transpose, _method("t"))
expand = either(lambda x, shape: _broadcast(x, shape), _method("expand"))
permute = either(np.transpose, _method("permute"))
squeeze = either(np.squeeze, _method("squeeze"))
unsqueeze = either(np.expand_dims, _method("unsqueeze"))
transpose = either(lambda x, d0, d1: np.swapaxes(x, d0, d1) if np.ndim(x) else x, _method("transpose"))
sum_dims = either(lambda x, dims, keepdim: np.add.reduce(x, axis=dims, keepdims=keepdim), _method("sum"))
mean_dims = either(lambda x, dims, keepdim: x.mean(axis=dims, keepdims=keepdim), _method("mean"))
