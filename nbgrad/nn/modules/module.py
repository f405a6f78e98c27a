"""``Module``: the base class of layers and models, as ``torch.nn.Module``.

A module finds its parameters, buffers and sub-modules by watching attribute assignment (``__setattr__``):
``self.fc = Linear(2, 3)`` registers a child, ``self.w = Parameter(...)`` a parameter. Everything else
(``parameters()``, ``state_dict()``, ``train()``, the repr) walks those three registries in order.

Calling a module runs ``forward`` inside its hooks, if it has any (``register_forward_hook``, ...); full
backward hooks wrap its inputs and outputs in identity nodes whose own hooks call them (``_hooks.py``).
"""
import warnings
from collections import OrderedDict, namedtuple

from ... import _device, _dtype
from ...autograd import no_grad
from ...autograd.function import RemovableHandle
from ...tensor import Tensor
from ..parameter import Buffer, Parameter

# Hooks on every module's calls (register_module_forward_hook, ...), run before each module's own.
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_forward_hooks_with_kwargs = {}
_global_forward_hooks_always_called = {}
_global_backward_pre_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()


class _HookHandle(RemovableHandle):
    """A hook's handle: ``remove()`` also forgets the hook's options (``with_kwargs``, ``always_call``)."""

    def __init__(self, hooks, *options):
        super().__init__(hooks)
        self._options = options

    def remove(self):
        super().remove()
        for option in self._options:
            option.pop(self.id, None)


def _add_hook(hooks, hook, prepend=False, options=()):
    """Register ``hook`` in ``hooks`` (first if ``prepend``); ``options``: (dict of the hooks that have an
    option, whether this one has it) pairs."""
    handle = _HookHandle(hooks, *[option for option, _ in options])
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    for option, on in options:
        if on:
            option[handle.id] = True
    return handle


def register_module_forward_pre_hook(hook):
    """``hook(module, args)`` before every module's forward (before the module's own pre-hooks)."""
    return _add_hook(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """``hook(module, args, output)`` after every module's forward (before the module's own hooks)."""
    return _add_hook(_global_forward_hooks, hook, options=[(_global_forward_hooks_with_kwargs, with_kwargs),
                                                           (_global_forward_hooks_always_called, always_call)])


def register_module_full_backward_pre_hook(hook):
    return _add_hook(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook):
    return _add_hook(_global_backward_hooks, hook)


def _typename(value):
    if isinstance(value, Tensor):
        return f"nbgrad.{value.dtype.legacy_name}"
    cls = type(value)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


def _addindent(text, spaces):
    """Indent every line but the first (a child's repr nested in its parent's)."""
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line for line in rest])


def zero_grad_(params, set_to_none):
    """Reset the gradients of ``params``: to None (the default), or to zeros kept out of any graph."""
    for p in params:
        if p._grad is None:
            continue
        if set_to_none:
            p._grad = None
        else:
            p._grad = p._grad.detach() if p._grad.grad_fn is not None else p._grad.requires_grad_(False)
            p._grad.zero_()


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict(strict=False)`` could not match; prints as PyTorch's does."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _partial_hook_warning(inputs, result, grad_fn):
    """PyTorch's warning when an old-style backward hook on ``grad_fn`` misses some of a module's gradients."""
    if isinstance(result, Tensor):
        result = (result,)
    elif not (isinstance(result, tuple) and all(isinstance(r, Tensor) for r in result)):
        return ("Using non-full backward hooks on a Module that does not return a single Tensor or a tuple of "
                "Tensors is deprecated and will be removed in future versions. This hook will be missing some of "
                "the grad_output. Please use register_full_backward_hook to get the documented behavior.")
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    elif not (isinstance(inputs, tuple) and all(isinstance(i, Tensor) for i in inputs)):
        return ("Using non-full backward hooks on a Module that does not take as input a single Tensor or a tuple "
                "of Tensors is deprecated and will be removed in future versions. This hook will be missing some of "
                "the grad_input. Please use register_full_backward_hook to get the documented behavior.")
    out_grad_fn = {r.grad_fn for r in result if r.grad_fn is not None}
    if not out_grad_fn or (len(out_grad_fn) == 1 and grad_fn not in out_grad_fn):
        return ("Using a non-full backward hook when outputs are nested in python data structure is deprecated and "
                "will be removed in future versions. This hook will be missing some grad_output.")
    if len(out_grad_fn) > 1:
        return ("Using a non-full backward hook when outputs are generated by different autograd Nodes is "
                "deprecated and will be removed in future versions. This hook will be missing some grad_output. "
                "Please use register_full_backward_hook to get the documented behavior.")
    if {i.grad_fn for i in inputs if i.grad_fn is not None} != {n for n, _ in grad_fn.next_functions}:
        return ("Using a non-full backward hook when the forward contains multiple autograd Nodes is deprecated and "
                "will be removed in future versions. This hook will be missing some grad_input. Please use "
                "register_full_backward_hook to get the documented behavior.")
    return None


class Module:
    """Base class of every layer and model: subclass it, create layers in ``__init__``, write ``forward``."""

    _version = 1

    def __init__(self, *args, **kwargs):
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if args:
            raise TypeError(
                f"{type(self).__name__}.__init__() takes 1 positional argument but {len(args) + 1} were given")
        # object.__setattr__: our own __setattr__ needs these registries to exist already
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_backward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "_is_full_backward_hook", None)  # which kind _backward_hooks holds
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks_with_kwargs", OrderedDict())
        object.__setattr__(self, "_forward_hooks_always_called", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks_with_kwargs", OrderedDict())
        object.__setattr__(self, "_state_dict_pre_hooks", OrderedDict())
        object.__setattr__(self, "_state_dict_hooks", OrderedDict())
        object.__setattr__(self, "_load_state_dict_pre_hooks", OrderedDict())
        object.__setattr__(self, "_load_state_dict_post_hooks", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        if (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or self._backward_pre_hooks
                or _global_forward_pre_hooks or _global_forward_hooks or _global_backward_pre_hooks
                or _global_backward_hooks):
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args, kwargs):
        """``forward`` inside the hooks, in PyTorch's order: forward pre-hooks (global, then the module's),
        inputs wrapped for the backward hooks, forward, forward hooks, outputs wrapped for the backward hooks.
        If forward (or a hook) raises, the ``always_call`` forward hooks not yet run still run."""
        result = None
        called = set()
        try:
            for hook_id, hook in (*_global_forward_pre_hooks.items(), *self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    new = hook(self, args, kwargs)
                    if new is not None:
                        if not (isinstance(new, tuple) and len(new) == 2):
                            raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                               f"new_kwargs), but got {new}.")
                        args, kwargs = new
                else:
                    new = hook(self, args)
                    if new is not None:
                        args = new if isinstance(new, tuple) else (new,)
            backward_hook = None
            backward_pre_hooks = [*_global_backward_pre_hooks.values(), *self._backward_pre_hooks.values()]
            backward_hooks = [*_global_backward_hooks.values()]
            old_hooks = []  # register_backward_hook's
            (backward_hooks if self._is_full_backward_hook else old_hooks).extend(self._backward_hooks.values())
            if backward_hooks or backward_pre_hooks:
                from ._hooks import BackwardHook

                backward_hook = BackwardHook(self, backward_hooks, backward_pre_hooks)
                args = backward_hook.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            for hook_id, hook in (*_global_forward_hooks.items(), *self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called or hook_id in _global_forward_hooks_always_called:
                    called.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs or hook_id in _global_forward_hooks_with_kwargs:
                    new = hook(self, args, kwargs, result)
                else:
                    new = hook(self, args, result)
                if new is not None:
                    result = new
            if backward_hook is not None:
                if not isinstance(result, (Tensor, tuple)):
                    warnings.warn("For backward hooks to be called, module output should be a Tensor or a tuple of "
                                  f"Tensors but received {type(result)}", stacklevel=3)
                result = backward_hook.setup_output_hook(result)
            if old_hooks:
                self._hook_output_node(old_hooks, args, result)
            return result
        except Exception:
            for hooks, always, scope in ((_global_forward_hooks, _global_forward_hooks_always_called, "global module"),
                                         (self._forward_hooks, self._forward_hooks_always_called, "module")):
                for hook_id, hook in hooks.items():
                    if hook_id not in always or hook_id in called:
                        continue
                    try:
                        if hooks is self._forward_hooks and hook_id in self._forward_hooks_with_kwargs:
                            new = hook(self, args, kwargs, result)
                        else:
                            new = hook(self, args, result)
                        if new is not None:
                            result = new
                    except Exception as e:
                        warnings.warn(f"{scope} forward hook with ``always_call=True`` raised an exception that was "
                                      f"silenced as another error was raised in forward: {str(e)}", stacklevel=3)
            raise

    # ----- hooks -----
    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, args)`` before forward; it may return new args (a value or a tuple).
        With ``with_kwargs``: ``hook(module, args, kwargs)``, returning None or ``(args, kwargs)``."""
        return _add_hook(self._forward_pre_hooks, hook, prepend,
                         [(self._forward_pre_hooks_with_kwargs, with_kwargs)])

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """``hook(module, args, output)`` after forward; it may return a new output.
        With ``with_kwargs``: ``hook(module, args, kwargs, output)``. ``always_call``: also when forward raises."""
        return _add_hook(self._forward_hooks, hook, prepend,
                         [(self._forward_hooks_with_kwargs, with_kwargs),
                          (self._forward_hooks_always_called, always_call)])

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(module, grad_output)`` when the gradients of the outputs are known; it may return new ones."""
        return _add_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(module, grad_input, grad_output)`` once the gradients of the inputs are known (tuples, None for
        an argument that is not a tensor or needs no gradient); it may return a new ``grad_input``."""
        self._check_backward_hook_kind(True)
        return _add_hook(self._backward_hooks, hook, prepend)

    def register_backward_hook(self, hook):
        """Deprecated: ``hook(module, grad_input, grad_output)`` on the node of the output's last operation
        only, so ``grad_input`` holds the gradients of that operation's inputs (``register_full_backward_hook``
        gives the module's)."""
        self._check_backward_hook_kind(False)
        return _add_hook(self._backward_hooks, hook)

    def _check_backward_hook_kind(self, full):
        if self._is_full_backward_hook is (not full):
            raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a single Module. "
                               "Please use only one of them.")
        self._is_full_backward_hook = full

    def _hook_output_node(self, hooks, args, result):
        """``register_backward_hook``'s hooks, put on the grad_fn of the first tensor of ``result``, with
        PyTorch's warnings where that node cannot see all the module's gradients."""
        var = result
        while not isinstance(var, Tensor):
            var = next(v for v in var.values() if isinstance(v, Tensor)) if isinstance(var, dict) else var[0]
        grad_fn = var.grad_fn
        if grad_fn is None:
            return
        for hook in hooks:
            grad_fn.register_hook(lambda grad_input, grad_output, hook=hook: hook(self, grad_input, grad_output))
        message = _partial_hook_warning(args, result, grad_fn)
        if message:
            warnings.warn(message, FutureWarning, stacklevel=4)

    # ----- registration -----
    def _check_name(self, name, kind, registry):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name, param):
        """Add ``param`` (a Parameter, or None for an absent one such as ``bias=False``) under ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter", self._parameters)
        if param is not None:
            if not isinstance(param, Parameter):
                raise TypeError(
                    f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                    "(torch.nn.Parameter or None required)"
                )
            if param.grad_fn is not None:
                raise ValueError(
                    f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be created "
                    f"explicitly. To express '{name}' as a function of another Tensor, compute the value in "
                    "the forward() method."
                )
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor that is state but not a parameter (saved in ``state_dict`` unless not ``persistent``)."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{_typename(tensor)}' object to buffer '{name}' (torch Tensor or None required)"
            )
        if isinstance(tensor, Buffer):  # the module keeps a plain tensor, sharing the Buffer's storage
            tensor = tensor.detach().requires_grad_(tensor.requires_grad)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add a child module under ``name`` (what ``self.name = module`` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module

    register_module = add_module

    def __setattr__(self, name, value):
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep=self._parameters)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as parameter '{name}' (torch.nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            if "_modules" not in self.__dict__:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep=self._modules)
            self._modules[name] = value
        elif name in self.__dict__.get("_modules", ()):
            if value is not None:
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as child module '{name}' (torch.nn.Module or None expected)"
                )
            self._modules[name] = None
        elif isinstance(value, Buffer) or name in self.__dict__.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{_typename(value)}' as buffer '{name}' "
                    "(torch.nn.Buffer, torch.Tensor or None expected)"
                )
            persistent = value.persistent if isinstance(value, Buffer) else name not in self._non_persistent_buffers_set
            self.register_buffer(name, value, persistent)
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name, keep):
        """Drop ``name`` from the other registries: it is about to be registered in ``keep``, where an entry
        of that name keeps its place, as in PyTorch."""
        self.__dict__.pop(name, None)
        for registry in (self._parameters, self._buffers, self._modules):
            if registry is not keep:
                registry.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name):
        # only called when normal lookup fails: the registries hold parameters, buffers and children
        for registry in ("_parameters", "_buffers", "_modules"):
            found = self.__dict__.get(registry)
            if found is not None and name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    # ----- finding by dotted name -----
    def _get_name(self):
        return type(self).__name__

    def get_submodule(self, target):
        """The module at dotted path ``target`` (``"encoder.0"``); ``""`` is this module."""
        if target == "":
            return self
        module = self
        for item in target.split("."):
            if not hasattr(module, item):
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return module

    def set_submodule(self, target, module, strict=False):
        """Put ``module`` at dotted path ``target``, replacing what is there (``strict``: it must exist)."""
        if target == "":
            raise ValueError("Cannot set the submodule without a target name!")
        atoms = target.split(".")
        if not isinstance(module, Module):
            raise ValueError(f"`module` is not an nn.Module, found {type(module)}")
        parent = self.get_submodule(".".join(atoms[:-1]))
        if strict and not hasattr(parent, atoms[-1]):
            raise AttributeError(f"{parent._get_name()} has no attribute `{atoms[-1]}`")
        if hasattr(parent, atoms[-1]) and not isinstance(getattr(parent, atoms[-1]), Module):
            raise AttributeError(f"`{atoms[-1]}` is not an nn.Module")
        setattr(parent, atoms[-1], module)

    def get_parameter(self, target):
        """The parameter at dotted path ``target`` (``"encoder.0.weight"``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target):
        """The buffer at dotted path ``target`` (``"bn.running_mean"``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return getattr(module, name)

    # ----- walking the tree -----
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """This module and every module below it, depth first, with dotted names (each module once)."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name, remove_duplicate)

    def modules(self, remove_duplicate=True):
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and value in seen):
                    continue
                seen.add(value)
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """``(name, parameter)`` pairs: ``'0.weight'``, ``'0.bias'``, ... (a shared parameter once)."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn):
        """Call ``fn`` on every child (recursively) and then on this module, e.g. to initialise weights."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ----- modes and gradients -----
    def train(self, mode=True):
        """Training mode (dropout active); ``train(False)`` is ``eval()``. Applies to every sub-module."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        zero_grad_(self.parameters(), set_to_none)

    # ----- dtype and device -----
    def to(self, *args, device=None, dtype=None, non_blocking=False, memory_format=None):
        """Cast every floating parameter and buffer (and gradient) to ``dtype``, in place: ``to(dtype)``,
        ``to(device)``, ``to(device, dtype)``, ``to(tensor)``. The CPU is nbgrad's one device: ``to("cpu")``
        is a no-op and another device raises a CPU-only PyTorch build's error."""
        for arg in args:
            if isinstance(arg, _dtype.dtype):
                dtype = arg
            elif isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, bool):
                continue  # non_blocking: nothing is asynchronous on the CPU
            else:
                device = arg
        _device.check(device, creating=False)
        if dtype is None:
            return self
        if not dtype.is_floating_point:
            raise TypeError(
                f"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={dtype}")
        for t in [*self.parameters(), *self.buffers()]:
            if t.is_floating_point():
                t._data = t._data.astype(dtype.numpy, copy=False)
                if t._grad is not None:
                    t._grad = Tensor._make(t._grad._data.astype(dtype.numpy, copy=False))
        return self

    def cpu(self):
        return self

    def cuda(self, device=None):
        """As in a PyTorch build without CUDA: raises."""
        _device.cuda_error(device)

    def half(self):
        from ..._dtype import float16

        return self.to(float16)

    def double(self):
        from ..._dtype import float64

        return self.to(float64)

    def float(self):
        from ..._dtype import float32

        return self.to(float32)

    # ----- saving and loading -----
    def register_state_dict_pre_hook(self, hook):
        """``hook(module, prefix, keep_vars)`` before ``state_dict`` saves this module."""
        return _add_hook(self._state_dict_pre_hooks, hook)

    def register_state_dict_post_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata)`` after ``state_dict`` saved this module and its
        children; it may change ``state_dict`` in place (and must return None)."""
        return _add_hook(self._state_dict_hooks, hook)

    def register_load_state_dict_pre_hook(self, hook):
        """``hook(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs)`` before ``load_state_dict`` matches this module's keys; it may change ``state_dict``."""
        return _add_hook(self._load_state_dict_pre_hooks, hook)

    def register_load_state_dict_post_hook(self, hook):
        """``hook(module, incompatible_keys)`` once this module and its children are matched; it may change
        ``incompatible_keys.missing_keys`` and ``.unexpected_keys`` in place (before ``strict`` checks them).

        It runs before any value is copied (nbgrad copies once every check has passed)."""
        return _add_hook(self._load_state_dict_post_hooks, hook)

    def state_dict(self, *, destination=None, prefix="", keep_vars=False):
        """Every parameter and persistent buffer by dotted name; values share storage but carry no graph.
        Its ``_metadata`` gives each module's version, by dotted name, as PyTorch's does."""
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        out = destination
        local_metadata = {"version": self._version}
        if hasattr(out, "_metadata"):
            out._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        for name, param in self._parameters.items():
            if param is not None:
                out[prefix + name] = param if keep_vars else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                out[prefix + name] = buffer if keep_vars else buffer.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=out, prefix=f"{prefix}{name}.", keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            if hook(self, out, prefix, local_metadata) is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return out

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy values from ``state_dict`` into the parameters and buffers of the same names (with ``assign``:
        make them the module's own, as Parameters where parameters were). Keys are matched module by module,
        as in PyTorch; with ``strict``, a missing or unexpected key is an error.

        Every key and shape is checked before anything is copied, so a failed load changes nothing
        (PyTorch may have copied some tensors already when it raises).
        """
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors, loads = [], [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)
        if metadata is not None:
            state_dict._metadata = metadata
        self._match_state_dict(state_dict, "", metadata, _IncompatibleKeys(missing, unexpected), errors, loads)
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError(
                "Error(s) in loading state_dict for {}:\n\t{}".format(type(self).__name__, "\n\t".join(errors))
            )
        with no_grad():
            for module, name, target, value in loads:
                if not assign:
                    target.copy_(value)
                elif isinstance(target, Parameter):
                    setattr(module, name, value if isinstance(value, Parameter)
                            else Parameter(value, requires_grad=target.requires_grad))
                else:
                    setattr(module, name, value)
        return _IncompatibleKeys(missing, unexpected)

    def _match_state_dict(self, state_dict, prefix, metadata, incompatible, errors, loads):
        """PyTorch's ``_load_from_state_dict``, checks only (with the hooks around it): what would be loaded is
        added to ``loads``."""
        missing, unexpected = incompatible
        local_metadata = {} if metadata is None else metadata.get(prefix[:-1], {})
        for hook in self._load_state_dict_pre_hooks.values():
            hook(self, state_dict, prefix, local_metadata, True, missing, unexpected, errors)
        local = [(k, v) for k, v in self._parameters.items() if v is not None]
        local += [(k, v) for k, v in self._buffers.items()
                  if v is not None and k not in self._non_persistent_buffers_set]
        local_names = {k for k, _ in local}
        for name, target in local:
            key = prefix + name
            if key not in state_dict:
                missing.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                errors.append(f'While copying the parameter named "{key}", expected torch.Tensor or Tensor-like '
                              f"object from checkpoint but received {type(value)}")
                continue
            if target.dim() == 0 and value.shape == (1,):  # as PyTorch: a 1-element vector loads into a scalar
                value = value[0]
            if value.shape != target.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape {value.shape} from checkpoint, "
                              f"the shape in current model is {target.shape}.")
                continue
            loads.append((self, name, target, value))
        for key in state_dict:
            if key.startswith(prefix):
                first, *rest = key[len(prefix):].split(".", 1)
                if (first not in self._modules) if rest else (first not in local_names):
                    unexpected.append(key)
        for name, child in self._modules.items():
            if child is not None:
                child_prefix = f"{prefix}{name}."
                child_state = {k: v for k, v in state_dict.items() if k.startswith(child_prefix)}
                child._match_state_dict(child_state, child_prefix, metadata, incompatible, errors, loads)
        for hook in self._load_state_dict_post_hooks.values():
            if hook(self, incompatible) is not None:
                raise AssertionError(
                    "Hooks registered with ``register_load_state_dict_post_hook`` are not expected to return new "
                    "values, if incompatible_keys need to be modified, it should be done inplace."
                )

    # ----- printing -----
    def extra_repr(self):
        """The text inside this module's parentheses, before its children (``in_features=2, ...``)."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): {_addindent(repr(module), 2)}" for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{type(self).__name__}({body})"
