"""Graph nodes and ``Function``: how an operation records what backward will need.

Every differentiable operation, built-in or written by a user, is a ``Function`` subclass with a static
``forward(ctx, *args)`` and ``backward(ctx, *grads)``. Calling ``Fn.apply(...)`` runs forward and, when
some input requires grad, links a node into the graph. The node *is* the ``ctx`` that forward filled in,
as in PyTorch, and its class name is derived from the Function's name (``Mul`` -> ``MulBackward0``, a user's
``MyRelu`` -> ``MyReluBackward``), so names are never typed twice.
"""
import itertools
import traceback
import weakref

import numpy as np

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

    def _repr_html_(self):
        """Jupyter's rich display; the display layer is imported on first use, never by ``import nbgrad``."""
        from ..display.html import node_html

        return node_html(self)

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
    _saved_outputs = ()  # for each saved tensor: is it this node's own output?
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
        saved = self._unpacked()
        for t, version, is_output in zip(saved, self._versions, self._saved_outputs):
            if t is not None and t._version_counter[0] != version:
                raise RuntimeError(_modified_message(t, version, is_output, self))
        return saved

    def _unpacked(self):
        """The saved tensors, this node's own output rebuilt from its storage (see ``_link``)."""
        if True not in self._saved_outputs:
            return self._saved
        out = Tensor._make(self._output_data)
        out._version_counter, out.grad_fn, out._requires_grad = self._output_version, self, True
        return tuple(out if is_output else t for t, is_output in zip(self._saved, self._saved_outputs))

    def _release(self):
        self._saved = None

    def apply(self, *grads):
        return self._function.backward(self, *grads)

    # PyTorch exposes what a node saved as _saved_<name>; built-in ops name their saved tensors.
    def __getattr__(self, attr):
        if attr.startswith("_saved_"):
            key = attr[len("_saved_"):]
            if self._saved is None and key in self._function.saved_names:
                raise RuntimeError(_FREED)
            values = self.saved_values()
            if key in values:
                return values[key]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{attr}'")

    @property
    def saved_freed(self):
        """True once backward (without retain_graph) has freed the saved tensors."""
        return self._saved is None

    def saved_values(self):
        """What this node keeps for backward: saved tensors by name (until freed), then other parameters."""
        out = {}
        names = self._function.saved_names
        for i, t in enumerate(self._unpacked() if self._saved else ()):
            out[names[i] if i < len(names) else f"tensor{i}"] = t
        for key, value in vars(self).items():
            if not key.startswith("_") and key not in ("needs_input_grad", "next_functions"):
                out[key] = value
        return out


def _modified_message(t, version, is_output, node):
    """PyTorch's message, plus one sentence naming the node that saved the tensor (PyTorch leaves it out)."""
    shape = ", ".join(str(s) for s in t._data.shape)
    # As in PyTorch: a saved output names the node that saved it, a saved input the op that last wrote it.
    producer = node if is_output else t.grad_fn
    producer = f", which is output 0 of {_forward_op_name(producer)}," if producer is not None else ""
    if anomaly_mode.state.enabled:
        hint = ("Hint: the backtrace further above shows the operation that failed to compute its gradient. "
                "The variable in question was changed in there or anywhere later. Good luck!")
    else:
        hint = ("Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
                "with nbgrad.autograd.set_detect_anomaly(True, check_nan=False).")
    return (
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[nbgrad.{t.dtype.legacy_name} [{shape}]]{producer} is at version {t._version_counter[0]}; "
        f"expected version {version} instead. It was saved by {node.name()}. {hint}"
    )


def _forward_op_name(node):
    """The forward op of a node, as PyTorch names it in messages: MulBackward0 -> Mul, PowBackward1 -> Pow1."""
    name = node.name()
    head, sep, number = name.rpartition("Backward")
    if not sep or (number and not number.isdigit()):
        return name
    return head if number in ("", "0") else head + number


class Function:
    """Base class of differentiable operations: subclass it, write static ``forward`` and ``backward``.

    ``forward(ctx, *args)`` runs with gradient recording off and returns a Tensor (or array);
    ``backward(ctx, grad)`` returns one gradient per argument of forward (``None`` for arguments that
    are not tensors or need none).  Call it as ``MyFunction.apply(*args)``.
    """

    saved_names = ()  # names under which a node shows its saved tensors (PyTorch's _saved_self, ...)
    is_view = False  # the output shares storage (and so the version counter) with the first input
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
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom autograd.Function to use it "
            "with backward mode AD."
        )

    @classmethod
    def apply(cls, *args):
        enabled = grad_mode.state.enabled
        if not enabled and cls._builtin:
            # Nothing can be recorded and built-in forwards only write to ctx: skip the node. This is the
            # path of every op inside a backward rule, so it is kept short.
            out = cls.forward(_UNRECORDED, *args)
            if type(out) is np.ndarray and not cls.is_view:
                return Tensor._make(out)
            return _output(cls, out, args)
        ctx = cls._backward_cls()
        if enabled or not cls._builtin:  # a user's forward may read it even under no_grad, as in PyTorch
            ctx.needs_input_grad = tuple([isinstance(a, Tensor) and a._requires_grad for a in args])
        grad_mode.state.enabled = False
        try:
            out = _output(cls, cls.forward(ctx, *args), args)
        finally:
            grad_mode.state.enabled = enabled
        # Integer and bool results are never differentiable: they are returned without history.
        if enabled and True in ctx.needs_input_grad and out._data.dtype.kind == "f":
            _link(ctx, args, out)
        return out


class _Unrecorded:
    """The ctx a built-in forward gets when nothing is recorded: whatever it saves is dropped.

    One instance serves every call (nbgrad runs on the kernel's one thread); attributes a forward sets on
    it are overwritten by the next call.
    """

    def save_for_backward(self, *tensors):
        pass


_UNRECORDED = _Unrecorded()


def _output(cls, out, args):
    """Forward's result as a new Tensor; a view op's result shares its input's version counter."""
    if not isinstance(out, Tensor):
        out = Tensor._make(out)
    elif out.grad_fn is not None or _is_one_of(out, args):
        out = Tensor._make(out._data)
    if cls.is_view and np.may_share_memory(out._data, args[0]._data):
        src = args[0]
        out._version_counter = src._version_counter
        out._base = src._base if src._base is not None else src
    return out


def _is_one_of(out, args):
    for a in args:
        if a is out:
            return True
    return False


def _link(ctx, args, out):
    """Connect a node to its inputs' nodes and make it the output's grad_fn."""
    ctx._seq = next(_sequence)
    next_functions, input_meta, positions = [], [], []
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            next_functions.append((a._grad_node(), 0))
            input_meta.append((a._data.shape, a._data.dtype))
            positions.append(i)
    ctx.next_functions = tuple(next_functions)
    ctx._input_meta = tuple(input_meta)
    ctx._positions = tuple(positions)
    ctx._num_args = len(args)
    saved = ctx._saved
    if saved:
        versions, saved_outputs = [], []  # saved_outputs: for the message should one be changed in place
        for t in saved:
            versions.append(t._version_counter[0] if t is not None else 0)
            saved_outputs.append(t is out)
        ctx._versions, ctx._saved_outputs = tuple(versions), tuple(saved_outputs)
        if True in saved_outputs:
            # Holding the output itself would make a cycle (node -> output -> node) that only the garbage
            # collector frees, keeping large arrays alive; as PyTorch does, keep its storage and version
            # counter, and rebuild the tensor when backward unpacks it.
            ctx._saved = tuple(None if is_output else t for t, is_output in zip(saved, saved_outputs))
            ctx._output_data, ctx._output_version = out._data, out._version_counter
    if anomaly_mode.state.enabled:
        ctx._trace = "".join(traceback.format_stack()[:-3])
    # Weak, so the graph keeps no values alive; drawings use it to show a node's output while it exists.
    ctx._output = weakref.ref(out)
    out.grad_fn = ctx
    out._requires_grad = True
