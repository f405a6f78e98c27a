"""PyTorch's checks on what flows through a backward pass, with PyTorch's wording.

Kept out of the reading path (``engine.py``, ``function.py``): each is one named helper there.
"""
import sys
import warnings

import numpy as np

from . import anomaly_mode

FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call .backward() "
    "or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second "
    "time or if you need to access saved tensors after calling backward."
)


def modified_message(t, version, is_output, node):
    """PyTorch's message, plus one sentence naming the node that saved the tensor (PyTorch leaves it out)."""
    shape = ", ".join(str(s) for s in t.shape)
    # As in PyTorch: a saved output names the node that saved it, a saved input the op that last wrote it.
    producer = node if is_output else t.grad_fn
    # an output of a Function with several outputs sends its gradient to an edge that knows its number
    number = 0 if is_output or producer is None else getattr(t._grad_node(), "output_nr", 0)
    producer = f", which is output {number} of {forward_op_name(producer)}," if producer is not None else ""
    if anomaly_mode.state.enabled:
        hint = ("Hint: the backtrace further above shows the operation that failed to compute its gradient. "
                "The variable in question was changed in there or anywhere later. Good luck!")
    else:
        hint = ("Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
                "with nbgrad.autograd.set_detect_anomaly(True, check_nan=False).")
    return (
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[nbgrad.{t.dtype.legacy_name} [{shape}]]{producer} is at version {t._version}; "
        f"expected version {version} instead. It was saved by {node.name()}. {hint}"
    )


def forward_op_name(node):
    """The forward op of a node, as PyTorch names it in messages: MulBackward0 -> Mul, PowBackward1 -> Pow1."""
    name = node.name()
    head, sep, number = name.rpartition("Backward")
    if not sep or (number and not number.isdigit()):
        return name
    return head if number in ("", "0") else head + number


def check_count(node, raw):
    """A user's Function must return one gradient per forward argument, None for non-tensors."""
    if len(raw) != node._num_args:
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients "
            f"(expected {node._num_args}, got {len(raw)})"
        )
    positions = [pos for pos, _, _ in node._meta]
    if len(positions) != len(raw):
        for i, g in enumerate(raw):
            if g is not None and i not in positions:
                raise RuntimeError(
                    f"function {node.name()} returned a gradient different than None at position {i + 1}, but "
                    "the corresponding forward input was not a Variable"
                )


def check_node_hook_result(hook, result, grads, tensor_type):
    """A node's hook may return None or a tuple of Tensors (or None) shaped and typed as the gradients."""
    if not isinstance(result, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(result).__name__}'")
    name = getattr(hook, "__name__", type(hook).__name__)
    if len(result) != len(grads):
        raise RuntimeError(f"hook '{name}' has returned an incorrect number of values "
                           f"(got {len(result)}, but expected {len(grads)})")
    for value, grad in zip(result, grads):
        if value is not None and not isinstance(value, tensor_type):
            raise TypeError(f"expected Variable or None (got {type(value).__name__})")
        if value is not None and grad is not None:
            check_hook_result(hook, value, grad, tensor_type)
    return result


def check_dirty(dirty, outputs, grad_enabled, tensor_type):
    """``ctx.mark_dirty``: each tensor marked must be returned, and cannot be a leaf that requires grad."""
    returned = [t for t in dirty if any(t is o for o in outputs)]
    for t in returned:
        if grad_enabled and t.grad_fn is None and t._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place operation.")
    if len(returned) != len(dirty):
        raise RuntimeError(
            "Some elements marked as dirty during the forward method were not returned as output. The inputs "
            "that are modified inplace must all be outputs of the Function."
        )


def check_hook_result(hook, result, grad, tensor_type):
    """A tensor hook may return None or a Tensor of the gradient's shape and dtype."""
    if not isinstance(result, tensor_type):
        raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
    name = getattr(hook, "__name__", type(hook).__name__)
    if result.shape != grad.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if result.dtype != grad.dtype:
        raise RuntimeError(
            f"hook '{name}' has changed the type of value (was nbgrad.{grad.dtype.legacy_name} "
            f"got nbgrad.{result.dtype.legacy_name})"
        )


def check_nan(node, grads):
    """Anomaly mode with check_nan: PyTorch's error for a rule that returned nan."""
    for k, g in enumerate(grads):
        if g is not None and np.isnan(g if type(g) is np.ndarray else g.detach().numpy()).any():
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {k}th output.")


def report_forward(node):
    """Anomaly mode: on a failure in backward, say where the failing node's forward ran."""
    if node._trace is not None:
        warnings.warn(
            f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n{node._trace}",
            stacklevel=4,
        )


def sum_to(g, shape, node, k):
    """Sum a broadcast gradient back to its input's shape (with Tensor ops when create_graph records it)."""
    gshape = tuple(g.shape)
    lead = len(gshape) - len(shape)
    tail = gshape[lead:] if lead >= 0 else ()
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, tail)):
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {k} - got "
            f"{list(gshape)} but expected shape compatible with {list(shape)}"
        )
    kept = tuple(lead + i for i, s in enumerate(shape) if s == 1 and tail[i] != 1)
    dims = tuple(range(lead)) + kept
    if type(g) is np.ndarray:
        g = np.add.reduce(g, axis=dims, keepdims=bool(kept))
    else:
        g = g.sum(dim=dims, keepdim=bool(kept))
    # only leading dims removed (a bias): the sum already has the shape; otherwise drop the leading ones
    return g.reshape(shape) if kept and lead else g


def unshared(grad):
    """True when only the engine refers to the array ``grad``, so it can become a ``.grad`` as it is.

    A gradient the user passed in, one a hook returned, one sent to two leaves, or a view of other memory
    is referred to from elsewhere and gets copied instead. The count is the references ``accumulate`` holds
    (its argument), this function's argument and getrefcount's own.
    """
    return (type(grad) is np.ndarray and sys.getrefcount(grad) == _ENGINE_REFERENCES and grad.base is None
            and grad.flags.writeable)


_ENGINE_REFERENCES = 3
