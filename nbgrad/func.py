"""``nbgrad.func``: ``torch.func``'s function transforms that follow from reverse mode: ``grad``,
``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd`` and ``hessian``.

A transform runs the function on inputs that require grad and differentiates it with ``autograd.grad``.
It records a graph only when its inputs already take part in one (a transform inside another transform,
or a caller's tensor that requires grad), so ``grad(grad(f))(x)`` is the second derivative and a plain
``grad(f)(x)`` returns tensors with no history, as in PyTorch. ``jacfwd`` computes by reverse mode: the same
values as PyTorch's forward mode. ``vmap`` is not provided.
"""
from .autograd import functional as _functional, grad_mode as _grad_mode
from .tensor import Tensor as _Tensor

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"]


def _argnums(argnums, n):
    """The positions to differentiate, with PyTorch's errors for bad ones."""
    if isinstance(argnums, tuple):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        for a in argnums:
            if not isinstance(a, int):
                raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
        return tuple(_argnum(a, n) for a in argnums)
    if not isinstance(argnums, int):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    return _argnum(argnums, n)


def _argnum(a, n):
    if not -n <= a < n:
        raise RuntimeError(f"Got argnum={a}, but only {n} positional inputs")
    return a % n


def _differentiable(x):
    # Linked to the caller's graph where there is one (nesting); otherwise a fresh leaf
    if x.requires_grad and _grad_mode.is_grad_enabled():
        return x.view_as(x)
    return x.detach().requires_grad_(True)


def _select(args, argnums):
    """The arguments with those at ``argnums`` made differentiable, and the differentiable ones."""
    args = list(args)
    chosen = argnums if isinstance(argnums, tuple) else (argnums,)
    for a in chosen:
        if not isinstance(args[a], _Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(args[a])}")
        args[a] = _differentiable(args[a])
    return args, tuple(args[a] for a in chosen)


def _nested(args):
    """Whether results must keep their graph: the inputs belong to an outer transform or the caller's graph."""
    return _grad_mode.is_grad_enabled() and any(isinstance(t, _Tensor) and t.requires_grad for t in args)


def _result(value, keep):
    """A transform's result (a tensor, or aux's tuples, lists and dicts of them) leaves without its graph
    unless the graph belongs to an outer transform or to the caller."""
    if keep:
        return value
    if isinstance(value, _Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)):
        return type(value)(_result(v, keep) for v in value)
    if isinstance(value, dict):
        return {k: _result(v, keep) for k, v in value.items()}
    return value


def _split_aux(out, has_aux, name):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{name}(f, ...)(*args): output of function f should be a tuple: (output, aux) "
                           "if has_aux is True")
    return out


def grad_and_value(func, argnums=0, has_aux=False):
    """``(gradient, value)`` of a function returning a one-element tensor (or ``((grad, (value, aux))``)."""
    def wrapper(*args, **kwargs):
        from .autograd import grad as autograd_grad

        positions = _argnums(argnums, len(args))
        keep = _nested(args[a] for a in (positions if isinstance(positions, tuple) else (positions,)))
        with _grad_mode.enable_grad():
            args, inputs = _select(args, positions)
            out, aux = _split_aux(func(*args, **kwargs), has_aux, "grad_and_value")
            if not isinstance(out, _Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(out)}")
            if out.dim() != 0 and out.numel() != 1:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {out.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                                   "instead?")
            if out.requires_grad:
                grads = autograd_grad(out, inputs, create_graph=keep, allow_unused=True, materialize_grads=True)
            else:
                from . import _creation

                grads = tuple(_creation.zeros_like(t) for t in inputs)
        grads = tuple(_result(g, keep) for g in grads)
        grads = grads if isinstance(positions, tuple) else grads[0]
        value = _result(out, keep)
        return (grads, (value, _result(aux, keep))) if has_aux else (grads, value)

    return wrapper


def grad(func, argnums=0, has_aux=False):
    """The gradient of a function returning a one-element tensor, with respect to ``args[argnums]``."""
    both = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        grads, value = both(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return wrapper


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` is the tuple of vᵀ·J, one per primal."""
    from .autograd import grad as autograd_grad

    keep = _nested(primals)
    with _grad_mode.enable_grad():
        args, inputs = _select(primals, tuple(range(len(primals))))
        out, aux = _split_aux(func(*args), has_aux, "vjp")
    outputs = out if isinstance(out, tuple) else (out,)

    def vjp_fn(*cotangents):
        cot = cotangents[0] if len(cotangents) == 1 and isinstance(out, tuple) else cotangents
        with _grad_mode.enable_grad():
            grads = autograd_grad([o for o in outputs], inputs, list(cot), retain_graph=True, create_graph=keep,
                                  allow_unused=True, materialize_grads=True)
        return tuple(_result(g, keep) for g in grads)

    value = tuple(_result(o, keep) for o in outputs) if isinstance(out, tuple) else _result(out, keep)
    return (value, vjp_fn, _result(aux, keep)) if has_aux else (value, vjp_fn)


def jvp(func, primals, tangents, *, has_aux=False):
    """``(func(*primals), J·tangents)``, computed by the double backward trick."""
    for what, value in (("primals", primals), ("tangents", tangents)):
        if not isinstance(value, tuple):
            raise RuntimeError(f"jvp(f, primals, tangents): Expected {what} to be a tuple. E.g. it should be "
                               "valid to call f(*primals).")
    if len(primals) != len(tangents):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the same python "
                           f"structure. For example, if primals is a tuple of 3 tensors, tangents also must be. "
                           f"Got primals with structure {len(primals)} and tangents with structure {len(tangents)}")
    aux = []

    def f(*args):
        out, extra = _split_aux(func(*args), has_aux, "jvp")
        aux.append(extra)
        return out

    keep = _nested(primals)
    out, product = _functional.jvp(f, tuple(primals), tuple(tangents), create_graph=keep)
    return (out, product, _result(aux[0], keep)) if has_aux else (out, product)


def jacrev(func, argnums=0, *, has_aux=False):
    """The Jacobian of ``func`` with respect to ``args[argnums]``, one backward pass per output element."""
    def wrapper(*args):
        positions = _argnums(argnums, len(args))
        chosen = positions if isinstance(positions, tuple) else (positions,)
        aux = []

        def f(*inputs):
            full = list(args)
            for a, t in zip(chosen, inputs):
                full[a] = t
            out, extra = _split_aux(func(*full), has_aux, "jacrev")
            aux.append(extra)
            return out

        inputs = tuple(args[a] for a in chosen)
        for t in inputs:
            if not isinstance(t, _Tensor):
                raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")
        keep = _nested(inputs)
        jac = _functional.jacobian(f, inputs if isinstance(positions, tuple) else inputs[0], create_graph=keep)
        return (jac, _result(aux[0], keep)) if has_aux else jac

    return wrapper


jacfwd = jacrev


def hessian(func, argnums=0):
    """The Hessian of a scalar function: the Jacobian of its gradient."""
    return jacrev(jacrev(func, argnums), argnums)
