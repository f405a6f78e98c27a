"""Graph nodes and ``Function``: how an operation records what backward will need.

Every differentiable operation, built-in or written by a user, is a ``Function`` subclass with a static
``forward(ctx, *args)`` and ``backward(ctx, *grads)``. Calling ``Fn.apply(...)`` runs forward and, when
some input requires grad, links a node into the graph. The node *is* the ``ctx`` that forward filled in,
as in PyTorch, and its class name is derived from the Function's name (``Mul`` -> ``MulBackward0``, a user's
``MyRelu`` -> ``MyReluBackward``), so names are never typed twice.
"""
import dis
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

    The engine reads ``_inputs``: for each tensor input, its position among forward's arguments, its
    node (``None`` if it needs no gradient), its shape and its dtype (the gradient must match them).
    """

    _inputs = ()
    _pre_hooks = None  # hooks registered on the tensor this node produces
    _retained = None  # the non-leaf tensor whose .grad is kept (retain_grad)
    _trace = None  # forward stack, recorded in anomaly mode

    def name(self):
        return type(self).__name__

    @property
    def next_functions(self):
        return tuple([(node, 0) for _, node, _, _ in self._inputs])

    @property
    def _positions(self):
        return tuple([pos for pos, _, _, _ in self._inputs])

    @property
    def _input_meta(self):
        return tuple([(shape, dtype) for _, _, shape, dtype in self._inputs])

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
    _saved_outputs = None  # for each saved tensor: is it this node's own output? (None: none is)
    _num_args = 0
    _needs = None

    @property
    def needs_input_grad(self):
        """For each argument of forward: is it a tensor that requires grad?"""
        if self._needs is None:
            needs = [False] * self._num_args
            for pos, node, _, _ in self._inputs:
                needs[pos] = node is not None
            self._needs = tuple(needs)
        return self._needs

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
        outputs = self._saved_outputs or (False,) * len(saved)
        for t, version, is_output in zip(saved, self._versions, outputs):
            if t is not None and t._version_counter[0] != version:
                raise RuntimeError(_modified_message(t, version, is_output, self))
        return saved

    def _saved_arrays(self):
        """The saved tensors' arrays, for a built-in rule running on arrays; checked as ``saved_tensors`` is."""
        saved = self._saved
        if saved is None or not self._versions:
            return self.saved_tensors
        outputs, out = self._saved_outputs, []
        for i, (t, version) in enumerate(zip(saved, self._versions)):
            if t is not None:
                if t._version_counter[0] != version:
                    return self.saved_tensors  # raises, naming the change
                out.append(t._data)
            elif outputs is not None and outputs[i]:
                if self._output_version[0] != version:
                    return self.saved_tensors
                out.append(self._output_data)
            else:
                out.append(None)
        return out

    def _unpacked(self):
        """The saved tensors, this node's own output rebuilt from its storage (see ``_link``)."""
        if self._saved_outputs is None:
            return self._saved
        out = Tensor._make(self._output_data)
        out._version_counter, out.grad_fn, out._requires_grad = self._output_version, self, True
        return tuple(out if is_output else t for t, is_output in zip(self._saved, self._saved_outputs))

    def apply(self, *grads):
        return self._function.backward(self, *grads)

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
            if not key.startswith("_"):
                out[key] = value
        return out


def _saved_accessors(cls):
    """PyTorch's ``_saved_<name>`` properties of a built-in op's node: one per saved tensor (named by
    ``saved_names``) and one per attribute its forward stores on ctx (``ctx.alpha = ...``).

    Properties rather than a ``__getattr__`` hook: the hook would slow down every attribute read on every
    node, and the engine reads a few per node.
    """
    out = {f"_saved_{name}": property(_saved_tensor(i)) for i, name in enumerate(cls.saved_names)}
    for klass in cls.__mro__:  # what forward stores itself wins (max(dim) keeps its indices as ctx.indices)
        forward = klass.__dict__.get("forward")
        forward = getattr(forward, "__func__", forward)
        if forward is None:
            continue
        for name in _stored_attributes(forward.__code__):
            if not name.startswith("_"):
                out[f"_saved_{name}"] = property(_parameter(name))
    return out


_STORE_ATTR, _EXTENDED_ARG = dis.opmap["STORE_ATTR"], dis.opmap["EXTENDED_ARG"]


def _stored_attributes(code):
    """The attribute names a function assigns (``x.name = ...``), read from its bytecode: a plain scan, as
    ``dis.get_instructions`` would add milliseconds to ``import nbgrad`` over all the ops."""
    names, extended, raw = set(), 0, code.co_code
    for i in range(0, len(raw), 2):
        op, arg = raw[i], raw[i + 1] | extended
        extended = arg << 8 if op == _EXTENDED_ARG else 0
        if op == _STORE_ATTR:
            names.add(code.co_names[arg])
    return names


def _parameter(name):
    def get(node):
        try:
            value = vars(node)[name]
        except KeyError:
            raise AttributeError(f"'{type(node).__name__}' object has no attribute '_saved_{name}'") from None
        return Tensor._make(value) if type(value) is np.ndarray else value  # indices, targets: Tensors in PyTorch

    return get


def _saved_tensor(i):
    def get(node):
        if node._saved is None:
            raise RuntimeError(_FREED)
        return node._unpacked()[i]

    return get


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
        attrs = {"_function": cls, "__module__": cls.__module__}
        if cls._builtin:
            attrs.update(_saved_accessors(cls))
        cls._backward_cls = type(name, (BackwardNode,), attrs)

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
        state = grad_mode.state
        enabled = state.enabled
        if cls._builtin:
            # Built-in forwards compute on arrays and record nothing, so grad mode can stay as it is; under
            # no_grad (every op inside a backward rule run on Tensors) they get no node at all.
            ctx = cls._backward_cls() if enabled else _UNRECORDED
            out = cls.forward(ctx, *args)
            out = Tensor._make(out) if type(out) is np.ndarray and not cls.is_view else _output(cls, out, args)
            # Integer and bool results are never differentiable: they are returned without history.
            if enabled and out._data.dtype.kind == "f":
                _link(ctx, args, out)  # unless no input requires grad
            return out
        ctx = cls._backward_cls()
        # a user's forward may read needs_input_grad, even under no_grad, as in PyTorch
        ctx._needs = tuple([isinstance(a, Tensor) and a._requires_grad for a in args])
        ctx._num_args = len(args)
        state.enabled = False
        try:
            out = _output(cls, cls.forward(ctx, *args), args)
        finally:
            state.enabled = enabled
        if enabled and True in ctx._needs and out._data.dtype.kind == "f":
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
    """Connect a node to its inputs' nodes and make it the output's grad_fn (if any input requires grad)."""
    inputs, linked = [], False
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            node = a._grad_node()
            if node is not None:
                linked = True
            data = a._data
            inputs.append((i, node, data.shape, data.dtype))
    if not linked:
        return
    ctx._seq = next(_sequence)
    ctx._inputs = tuple(inputs)
    ctx._num_args = len(args)
    saved = ctx._saved
    if saved:
        versions, has_output = [], False
        for t in saved:
            if t is None:
                versions.append(0)
            else:
                versions.append(t._version_counter[0])
                if t is out:
                    has_output = True
        ctx._versions = tuple(versions)
        if has_output:
            # Holding the output itself would make a cycle (node -> output -> node) that only the garbage
            # collector frees, keeping large arrays alive; as PyTorch does, keep its storage and version
            # counter, and rebuild the tensor when backward unpacks it.
            ctx._saved_outputs = tuple([t is out for t in saved])  # also for the message, should it change
            ctx._saved = tuple([None if t is out else t for t in saved])
            ctx._output_data, ctx._output_version = out._data, out._version_counter
    if anomaly_mode.state.enabled:
        ctx._trace = "".join(traceback.format_stack()[:-3])
    # Weak, so the graph keeps no values alive; drawings use it to show a node's output while it exists.
    ctx._output = weakref.ref(out)
    out.grad_fn = ctx
    out._requires_grad = True
