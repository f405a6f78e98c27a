"""Graph nodes and ``Function``: how an operation records what backward will need.

Every differentiable operation, built-in or written by a user, is a ``Function`` subclass with a static
``forward(ctx, *args)`` and ``backward(ctx, *grads)``. Calling ``Fn.apply(...)`` runs forward and, when
some input requires grad, links a node into the graph. The node *is* the ``ctx`` that forward filled in,
as in PyTorch, and its class name is derived from the Function's name (``Mul`` -> ``MulBackward0``, a user's
``MyRelu`` -> ``MyReluBackward``), so names are never typed twice.
"""
import itertools
import traceback

from . import anomaly_mode, grad_mode

# Set by nbgrad.tensor once the Tensor class exists (the two modules need each other).
Tensor = None

_sequence = itertools.count()

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second "
    "time or if you need to access saved tensors after calling backward."
)


class Node:
    """A node of the backward graph (a tensor's ``grad_fn``).

    ``next_functions`` holds one ``(node, 0)`` pair per tensor input, ``None`` for inputs that need no
    gradient, in the order of the inputs.  ``_seq`` orders execution as PyTorch's sequence numbers do:
    the node created last runs first among those that are ready.
    """

    next_functions = ()
    _pre_hooks = None  # hooks registered on the tensor this node produces
    _retained = None  # the non-leaf tensor whose .grad is kept (retain_grad)
    _trace = None  # forward stack, recorded in anomaly mode

    def name(self):
        return type(self).__name__

    def __repr__(self):
        # PyTorch adds the object's address; nbgrad leaves it out so notebook outputs are stable.
        return f"<{self.name()}>"

    def _add_pre_hook(self, hook):
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return _hook_handle(self._pre_hooks, hook)


class AccumulateGrad(Node):
    """The node that stores a leaf's gradient in ``.grad``; ``variable`` is that leaf."""

    _seq = float("inf")  # as in PyTorch, a ready leaf accumulates before anything else runs

    def __init__(self, variable):
        self.variable = variable

    def saved_values(self):
        return {}


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook away again."""

    _ids = itertools.count()

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _hook_handle(hooks, hook):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    return handle


class BackwardNode(Node):
    """The node (and ``ctx``) of one call of a Function."""

    _function = None
    _saved = ()
    _versions = ()  # versions of the saved tensors when they were saved
    _producers = ()
    needs_input_grad = ()

    def save_for_backward(self, *tensors):
        """Keep tensors (inputs or outputs of forward) for backward; they are checked for in-place changes."""
        self._saved = tensors

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED)
        if not self._versions:  # forward ran without recording: nothing was kept
            return saved
        for t, version, producer in zip(saved, self._versions, self._producers):
            if t is not None and t._version_counter[0] != version:
                raise RuntimeError(_modified_message(t, version, producer, self))
        return saved

    def _release(self):
        self._saved = None

    def apply(self, *grads):
        return self._function.backward(self, *grads)

    # PyTorch exposes what a node saved as _saved_<name>; built-in ops name their saved tensors.
    def __getattr__(self, attr):
        if attr.startswith("_saved_"):
            values = self.saved_values()
            key = attr[len("_saved_"):]
            if key in values:
                return values[key]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    def saved_values(self):
        """What this node keeps for backward: saved tensors by name, then the non-tensor parameters."""
        out = {}
        if self._saved is None:
            raise RuntimeError(_FREED)
        names = self._function.saved_names
        for i, t in enumerate(self._saved):
            out[names[i] if i < len(names) else f"tensor{i}"] = t
        for key, value in vars(self).items():
            if not key.startswith("_") and key not in ("needs_input_grad", "next_functions"):
                out[key] = value
        return out


def _modified_message(t, version, producer, node):
    shape = ", ".join(str(s) for s in t._data.shape)
    producer = f", which is output 0 of {producer.name()}," if producer is not None else ""
    return (
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[nbgrad.{t.dtype.legacy_name} [{shape}]]{producer} is at version {t._version_counter[0]}; "
        f"expected version {version} instead. It was saved by {node.name()}. Hint: enable anomaly "
        "detection to find the operation that failed to compute its gradient, with "
        "nbgrad.autograd.set_detect_anomaly(True)."
    )


class Function:
    """Base class of differentiable operations: subclass it, write static ``forward`` and ``backward``.

    ``forward(ctx, *args)`` runs with gradient recording off and returns a Tensor (or array);
    ``backward(ctx, grad)`` returns one gradient per argument of forward (``None`` for arguments that
    are not tensors or need none).  Call it as ``MyFunction.apply(*args)``.
    """

    saved_names = ()  # names under which a node shows its saved tensors (PyTorch's _saved_self, ...)
    _builtin = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("node_name")
        if name is None:
            name = f"{cls.__name__}Backward0" if cls._builtin else f"{cls.__name__}Backward"
        cls._backward_cls = type(name, (BackwardNode,), {"_function": cls, "__module__": cls.__module__})

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("You must implement the backward function for custom autograd.Function.")

    @classmethod
    def apply(cls, *args):
        ctx = cls._backward_cls()
        enabled = grad_mode.state.enabled
        record = False
        if enabled:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    record = True
                    break
        if record:
            ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        grad_mode.state.enabled = False
        try:
            out = cls.forward(ctx, *args)
        finally:
            grad_mode.state.enabled = enabled
        if isinstance(out, Tensor):
            if out.grad_fn is not None or any(out is a for a in args):
                out = Tensor._make(out._data)
        else:
            out = Tensor._make(out)
        if record:
            _link(ctx, args, out)
        return out


def _link(ctx, args, out):
    """Connect a node to its inputs' nodes and make it the output's grad_fn."""
    ctx._seq = next(_sequence)
    next_functions = []
    metas = []
    positions = []
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            next_functions.append((a._grad_node(), 0))
            metas.append((a._data.shape, a._data.dtype))
            positions.append(i)
    ctx.next_functions = tuple(next_functions)
    ctx._input_meta = tuple(metas)
    ctx._positions = tuple(positions)
    ctx._num_args = len(args)
    if ctx._saved:
        ctx._versions = tuple(t._version_counter[0] if t is not None else 0 for t in ctx._saved)
        # who made each saved tensor, for the error message should it be changed in place later
        ctx._producers = tuple(ctx if t is out else (t.grad_fn if t is not None else None) for t in ctx._saved)
    if anomaly_mode.state.enabled:
        ctx._trace = "".join(traceback.format_stack()[:-3])
    if not out._data.dtype.kind == "f":
        raise RuntimeError(f"{ctx.name()}: only floating point outputs can require gradients")
    out.grad_fn = ctx
    out._requires_grad = True
