"""Graph nodes and ``Function``: how an operation records what backward will need.

Every differentiable operation, built-in or written by a user, is a ``Function`` subclass with a static
``forward(ctx, *args)`` and ``backward(ctx, *grads)``. Calling ``Fn.apply(...)`` runs forward and, when
some input requires grad, links a node into the graph. The node *is* the ``ctx`` that forward filled in,
as in PyTorch, and its class name is derived from the Function's name (``Mul`` -> ``MulBackward0``, a user's
``MyRelu`` -> ``MyReluBackward``), so names are never typed twice.

A user's forward may return several outputs (a tuple; what is not a tensor passes through): how their
gradients reach the one node, and the rest of PyTorch's custom Function API (``mark_dirty``, hooks on
nodes, ``once_differentiable``), are in ``_custom.py``.

Gradients reach a node as NumPy arrays in a plain pass, and built-in rules run on them; under
``create_graph`` (and always for a user's Function) they are Tensors, so the rule is recorded.
"""
import itertools
import traceback
import weakref

import numpy as np

from . import _checks, _saved, anomaly_mode, grad_mode

_sequence = itertools.count()


class Node:
    """A node of the backward graph (a tensor's ``grad_fn``), and what the engine needs of it.

    ``_next`` holds, for each tensor input in order, the node its gradient goes on to (``None`` for an
    input that needs none); ``next_functions`` shows it as PyTorch does. ``_seq`` orders execution as
    PyTorch's sequence numbers do: the node created last runs first among those that are ready.
    """

    _next = ()
    _pre_hooks = None  # hooks registered on the tensor this node produces
    _retained = None  # an AccumulateGrad for the non-leaf tensor whose .grad is kept (retain_grad)
    _sink = False
    _trace = None  # forward stack, recorded in anomaly mode
    _hooks = None  # the node's own hooks: {"pre": {...}, "post": {...}} (register_prehook, register_hook)
    _outputs = None  # a user's Function: per output of forward, (output_nr, shape, dtype), None if no tensor

    def name(self):
        return type(self).__name__

    @property
    def next_functions(self):
        out = []
        for node in self._next:
            if type(node) is _custom._OutputEdge:
                out.append((node.node, node.output_nr))
            else:
                out.append((None if node is NOWHERE else node, 0))
        return tuple(out)

    def register_prehook(self, fn):
        """Call ``fn(grad_outputs)`` before this node runs; a returned tuple replaces the gradients."""
        return _hook_handle(self._node_hooks("pre"), fn)

    def register_hook(self, fn):
        """Call ``fn(grad_inputs, grad_outputs)`` after this node runs; a returned tuple replaces grad_inputs."""
        return _hook_handle(self._node_hooks("post"), fn)

    def _node_hooks(self, kind):
        if self._hooks is None:
            self._hooks = {"pre": {}, "post": {}}
        return self._hooks[kind]

    def __repr__(self):
        # PyTorch adds the object's address; nbgrad leaves it out so notebook outputs are stable.
        return f"<{self.name()}>"

    def _add_pre_hook(self, hook):
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return _hook_handle(self._pre_hooks, hook)

    def _run_pre_hooks(self, grad):
        """The tensor's hooks, in order; one that returns a Tensor replaces the gradient."""
        carried, grad = grad, _as_tensor(grad)
        for hook in list(self._pre_hooks.values()):
            result = hook(grad)
            if result is not None:
                _checks.check_hook_result(hook, result, grad, Tensor)
                grad = result
        return grad if isinstance(carried, Tensor) else grad._data

    def _release(self):
        """Free what backward needed (nothing, unless the node saved tensors)."""


class AccumulateGrad(Node):
    """The node that stores a leaf's gradient in ``.grad``; ``variable`` is that leaf.

    ``retain_grad()`` gives a non-leaf one too, kept beside its ``grad_fn``.
    """

    _seq = float("inf")  # as in PyTorch, a ready leaf accumulates before anything else runs
    _sink = True

    def __init__(self, variable):
        self.variable = variable

    def saved_values(self):
        return {}

    def accumulate(self, grad, create_graph):
        """``variable.grad += grad``: a first gradient becomes ``.grad``, later ones are added in place."""
        hooks = self._hooks
        if hooks is not None and hooks["pre"]:
            grad = _custom._run_prehooks(self, grad, create_graph)
        t = self.variable
        if not isinstance(grad, Tensor) and t._grad is None and _checks.unshared(grad):
            t._grad = Tensor._make(grad)  # as PyTorch does, take a gradient nothing else can see
        else:
            if not isinstance(grad, Tensor):
                grad = Tensor._make(grad)
            if t._grad is None:
                t._grad = grad if create_graph else Tensor._make(grad._data.copy())
            elif create_graph or t._grad._requires_grad:
                t._grad = t._grad + grad
            else:  # in place, as PyTorch does: a reference to .grad held by the user sees the new sum
                np.add(t._grad._data, grad._data, out=t._grad._data, casting="unsafe")
                t._grad._version_counter[0] += 1
        if hooks is not None and hooks["post"]:
            _custom._run_posthooks(self, (), grad, create_graph)


class _Nowhere(Node):
    """Where the gradient of a view made under no_grad goes: nowhere. As in PyTorch, the view requires grad
    with its base, so ops on it are recorded, but its edge leads to no node (``next_functions`` shows None)."""

    _seq = float("inf")
    _sink = True

    def accumulate(self, grad, create_graph):
        pass


NOWHERE = _Nowhere()


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
    """The node (and ``ctx``) of one call of a Function.

    ``_meta`` lines up with ``_next``: each tensor input's position among forward's arguments, its shape
    and its dtype (its gradient must match them); ``_constants`` holds weakly the inputs that needed no
    gradient, by index, for drawings.
    """

    _function = None
    _meta = ()
    _constants = None
    _saved = ()
    _versions = ()  # versions of the saved tensors when they were saved
    _saved_outputs = None  # for each saved tensor: is it this node's own output? (None: none is)
    _num_args = 0
    _needs = None
    _materialize = True  # missing output gradients reach backward as zeros (set_materialize_grads)
    _dirty = ()
    _non_differentiable = ()

    def mark_dirty(self, *tensors):
        """Forward changed these inputs in place (and returns them): their history now goes through this node."""
        self._dirty = tensors

    def mark_non_differentiable(self, *outputs):
        """These outputs get no gradient: they do not require grad, and backward gets zeros for them."""
        self._non_differentiable = outputs

    def set_materialize_grads(self, value):
        """False: an output that got no gradient reaches backward as None instead of zeros."""
        self._materialize = bool(value)

    @property
    def needs_input_grad(self):
        """For each argument of forward: is it a tensor that requires grad?"""
        if self._needs is None:
            needs = [False] * self._num_args
            for (pos, _, _), node in zip(self._meta, self._next):
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
            raise RuntimeError(_checks.FREED)
        if not self._versions:  # forward ran without recording: nothing was kept
            return saved
        saved = self._unpacked()
        outputs = self._saved_outputs or (False,) * len(saved)
        for i in self._function._check_order or range(len(saved)):
            t, version = saved[i], self._versions[i]
            if t is not None and t._version_counter[0] != version:
                raise RuntimeError(_checks.modified_message(t, version, outputs[i], self))
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
        out._version_counter, out._grad_fn, out._requires_grad = self._output_version, self, True
        return tuple(out if is_output else t for t, is_output in zip(self._saved, self._saved_outputs))

    def apply(self, *grads):
        return self._function.backward(self, *grads)

    def _run(self, grad, create_graph, hooks=True):
        """The gradients for this node's inputs: the Function's rule, then each shaped and typed like its input
        (inside the node's own hooks, if it has any)."""
        if hooks and self._hooks is not None:
            return _custom._run_hooked(self, grad, create_graph)
        function = self._function
        try:
            if create_graph or not function._builtin:
                raw = _recorded_rule(self, grad, create_graph)
            else:
                raw = function.backward(self, grad)  # on arrays: nothing is recorded, no Tensor is made
            if type(raw) is not tuple:
                raw = (raw,)
            out = []
            for child, (pos, shape, dtype) in zip(self._next, self._meta):
                g = raw[pos]
                if g is None or child is None:
                    out.append(None)
                    continue
                if create_graph or type(g) is not np.ndarray:
                    g = _carried(g, create_graph)
                data = g._data if create_graph else g
                if data.dtype != dtype:
                    g = g.to(Tensor._dtype_of(dtype)) if create_graph else g.astype(dtype)
                if data.shape != shape:
                    g = _checks.sum_to(g, shape, self, len(out))
                out.append(g)
            if anomaly_mode.state.enabled and anomaly_mode.state.check_nan:
                _checks.check_nan(self, out)
            return out
        except Exception:
            _checks.report_forward(self)
            raise

    def _release(self):
        self._saved = None
        if self._saved_outputs is not None:  # a saved output is kept as its array (see _link)
            self._output_data = None

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


def _recorded_rule(node, grad, create_graph):
    """The rule run on Tensors, recorded if ``create_graph``; a user's Function is checked, built-ins trusted."""
    state = grad_mode.state
    prev, state.enabled = state.enabled, create_graph
    try:
        if node._outputs is None:
            raw = node._function.backward(node, _as_tensor(grad))
        else:
            raw = node._function.backward(node, *_custom._backward_grads(node, grad))
    finally:
        state.enabled = prev
    if not node._function._builtin:
        _checks.check_count(node, raw if type(raw) is tuple else (raw,))
    return raw


def _as_tensor(g):
    return g if isinstance(g, Tensor) else Tensor._make(g)


def _carried(g, create_graph):
    """A rule's gradient as the pass carries it: a Tensor under create_graph, else an array. It may come as
    a Tensor from a user's Function, or as a NumPy scalar from a rule run on 0-d arrays."""
    if create_graph:
        return _as_tensor(g)
    return g._data if isinstance(g, Tensor) else np.asarray(g)


class Function:
    """Base class of differentiable operations: subclass it, write static ``forward`` and ``backward``.

    ``forward(ctx, *args)`` runs with gradient recording off and returns a Tensor (or array), or a tuple
    of outputs; ``backward(ctx, *grads)`` gets one gradient per output and returns one gradient per
    argument of forward (``None`` for arguments that are not tensors or need none).  Call it as
    ``MyFunction.apply(*args)``. Or, as in PyTorch, write ``forward(*args)`` without ``ctx`` and fill the
    ctx in ``setup_context(ctx, inputs, output)``.
    """

    saved_names = ()  # names under which a node shows its saved tensors (PyTorch's _saved_self, ...)
    saved_for = None  # for each saved tensor, the (tensor) arguments whose gradient reads it (None: every one)
    is_view = False  # the output shares storage (and so the version counter) with the first input
    # Teaching text (see nbgrad.ops.Rule): the rule, and how the op is written in an expression:
    # a op b (infix), op a (prefix) or a op (postfix), each as (Python, LaTeX).
    rule = None
    infix = prefix = postfix = None
    functions = ()  # the nbgrad.<name> functions that call this op, as in PyTorch (derived: nbgrad._functions)
    _builtin = False
    _node_base = BackwardNode  # what its nodes are; an op whose node runs differently (CopySlices) says so
    _setup_context = False  # forward(*args) with a separate setup_context(ctx, inputs, output)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._setup_context = cls.setup_context is not Function.setup_context
        # PyTorch checks saved tensors in the order its formulas first use them: by the first input that needs each
        used_by = cls.saved_for
        cls._check_order = None if used_by is None else sorted(range(len(used_by)), key=lambda i: min(used_by[i]))
        rule = cls.__dict__.get("rule")
        if rule is not None:  # the docstring states the maths: the rule first, then any notes
            cls.__doc__ = rule.text + (f"\n\n{cls.__doc__}" if cls.__dict__.get("__doc__") else "")
        name = cls.__dict__.get("node_name")
        if name is None:
            name = f"{cls.__name__}Backward0" if cls._builtin else f"{cls.__name__}Backward"
        attrs = {"_function": cls, "__module__": cls.__module__}
        if cls._builtin:
            attrs.update(_saved.accessors(cls, lambda array: Tensor._make(array)))
        cls._backward_cls = type(name, (cls._node_base,), attrs)

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
            if cls._setup_context:  # forward(*args) knows no ctx; setup_context(ctx, inputs, output) fills it
                result = cls.forward(*args)
                cls.setup_context(ctx, args, result)
            else:
                result = cls.forward(ctx, *args)
        finally:
            state.enabled = enabled
        return _custom._user_outputs(cls, ctx, args, result, enabled and True in ctx._needs)

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")


class _Unrecorded:
    """The ctx a built-in forward gets when nothing is recorded: whatever it saves is dropped.

    One instance serves every call (nbgrad runs on the kernel's one thread); attributes a forward sets on
    it are overwritten by the next call.
    """

    def save_for_backward(self, *tensors):
        pass


_UNRECORDED = _Unrecorded()


def _output(cls, out, args):
    """Forward's result as a new Tensor. A view op's result is a view of its input's base: it shares the
    base's version counter, and remembers the version it was made at and whether grad mode was on then."""
    if not isinstance(out, Tensor):
        out = Tensor._make(out)
    elif out._grad_fn is not None or _is_one_of(out, args):
        out = Tensor._make(out._data)
    if cls.is_view and (np.may_share_memory(out._data, args[0]._data) or not out._data.size):
        src = args[0]
        base = src._base if src._base is not None else src
        out._version_counter = src._version_counter
        out._base = base
        out._view_version = src._version_counter[0]
        if grad_mode.state.enabled:
            out._creation_meta = src._creation_meta if src._base is not None else None
        else:  # as in PyTorch it has no history (its gradient goes nowhere), and refuses in-place changes
            out._creation_meta = "no_grad"
    return out


def _is_one_of(out, args):
    for a in args:
        if a is out:
            return True
    return False


def _link(ctx, args, out):
    """Connect a node to its inputs' nodes and make it the output's grad_fn (if any input requires grad)."""
    nodes, meta, linked = [], [], False
    for i, a in enumerate(args):
        if type(a) is Tensor:
            data = a._data
        elif isinstance(a, Tensor):  # an output of several, or an operand cast for this op (its own dtype counts)
            data = a._data if a._source is None else a._source._data
        else:
            continue
        node = a._grad_node()
        if node is None:
            if ctx._constants is None:
                ctx._constants = {}
            ctx._constants[len(nodes)] = weakref.ref(a)
        else:
            linked = True
        nodes.append(node)
        meta.append((i, data.shape, data.dtype))
    if not linked:
        return
    ctx._seq = next(_sequence)
    ctx._next = tuple(nodes)
    ctx._meta = tuple(meta)
    ctx._num_args = len(args)
    if type(out) is tuple:
        return _custom._link_outputs(ctx, out)
    saved = ctx._saved
    if saved:
        # as PyTorch, keep only what a gradient that is needed will read (when some input needs none)
        if None in nodes and ctx._function.saved_for is not None:  # (its ops take tensors only: position = index)
            saved = ctx._saved = tuple([t if any([nodes[k] is not None for k in users]) else None
                                        for t, users in zip(saved, ctx._function.saved_for)])
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
    out._grad_fn = ctx
    out._requires_grad = True


from ..tensor import Tensor  # noqa: E402  (Tensor's methods call Function.apply: the two are mutual)
from . import _custom  # noqa: E402  (several outputs, node hooks: the rest of the custom Function API)

once_differentiable = _custom.once_differentiable  # where PyTorch has it: torch.autograd.function
