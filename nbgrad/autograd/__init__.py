"""``nbgrad.autograd``: PyTorch's autograd API (backward, grad, Function, gradcheck, modes)."""
import numbers
import warnings

import numpy as np

from .anomaly_mode import (  # noqa: F401
    detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly,
)
from . import graph  # noqa: F401
from .engine import BackwardPass, BackwardStep  # noqa: F401
from .function import AccumulateGrad, Function, Node, _as_tensor  # noqa: F401
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: F401
from ..tensor import Tensor  # function.py has loaded it: Tensor and Function are mutual


def _tensors(value, what):
    if isinstance(value, Tensor):
        return (value,)
    value = tuple(value)
    for v in value:
        if not isinstance(v, Tensor):
            raise TypeError(f"{what} must be Tensors, got {type(v).__name__}")
    return value


def _roots(tensors, grad_tensors, create_graph):
    """Pair each output's node with its starting gradient (as the pass carries it: an array unless
    ``create_graph``); check everything before anything runs."""
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, Tensor) or isinstance(grad_tensors, numbers.Number):
        grad_tensors = (grad_tensors,)
    grad_tensors = tuple(grad_tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"got {len(grad_tensors)} tensors and {len(tensors)} gradients")
    roots = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = Tensor._make(np.array(1, t._data.dtype).reshape(t._data.shape))
        elif not isinstance(g, Tensor):
            from .. import _creation

            g = _creation.tensor(g, dtype=t.dtype)
        if g._data.shape != t._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] has a shape of {t.shape}."
            )
        if g._data.dtype != t._data.dtype:
            g = g.to(t.dtype)
        roots.append((t._grad_node(), g if create_graph else g._data))
    return roots


def backward(tensors=None, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None, *, variables=None, retain_variables=None):
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the leaves (or of ``inputs``).

    ``grad_tensors`` weights each non-scalar output: the result is the gradient of Σ tensor·grad.
    The 2018 names ``variables``, ``grad_variables`` and ``retain_variables`` still work, with a warning.
    """
    if variables is not None:
        warnings.warn("`variables` is deprecated. Use `tensors` instead.", FutureWarning, stacklevel=2)
        tensors = variables
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.", FutureWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both passed to "
                               "`backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    if retain_variables is not None:
        warnings.warn("`retain_variables` is deprecated. Use `retain_graph` instead.", FutureWarning, stacklevel=2)
        if retain_graph is None:
            retain_graph = retain_variables
    if tensors is None:
        raise TypeError("backward() missing required argument 'tensors'")
    create_graph = bool(create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    tensors = _tensors(tensors, "tensors")
    roots = _roots(tensors, grad_tensors, create_graph)
    targets = None
    if inputs is not None:
        inputs = _tensors(inputs, "inputs")
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:
            if not t._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        targets = {}
        for t in inputs:
            t.retain_grad()  # as in PyTorch: a non-leaf named in inputs= keeps its .grad, now and later
            targets[t._grad_node()] = t
    walk = BackwardPass(roots, create_graph=create_graph, targets=targets).run()
    if targets is not None:  # the leaves named in inputs= (the non-leaves were retained above)
        walk.pending.update({node: g for node, g in walk.captured.items() if node._sink})
    walk.commit(retain_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return d(outputs)/d(inputs) without touching any ``.grad``."""
    from .. import _creation

    outputs = _tensors(outputs, "outputs")
    inputs_t = _tensors(inputs, "inputs")
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    create_graph = bool(create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    for t in inputs_t:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    roots = _roots(outputs, grad_outputs, create_graph)
    nodes = [t._grad_node() if t.grad_fn is not None else t._accumulator for t in inputs_t]
    targets = {n: None for n in nodes if n is not None}
    walk = BackwardPass(roots, create_graph=create_graph, targets=targets).run()
    result = []
    for i, (t, node) in enumerate(zip(inputs_t, nodes)):
        g = walk.captured.get(node) if node is not None else None
        if g is not None:
            g = _as_tensor(g)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
            if materialize_grads:
                g = _creation.zeros_like(t)
        result.append(g)
    walk.commit(retain_graph)  # only retained non-leaf gradients are pending: no leaf's .grad changes
    return tuple(result)


def backward_pass(tensor, gradient=None, *, record_sums=False):
    """The steps ``tensor.backward(gradient)`` would take, as an un-run ``BackwardPass`` whose steps show
    Tensors. Iterating it changes nothing; ``commit(retain_graph=True)`` then writes the leaves' ``.grad``
    as ``backward(retain_graph=True)`` would. ``record_sums``: each step carries its inputs' partial sums.
    """
    roots = _roots((tensor,), None if gradient is None else (gradient,), False)
    return BackwardPass(roots, record_sums=record_sums, present=_as_tensor)


def Variable(data, requires_grad=False, volatile=False):
    """The 2018 API: ``Variable(t, requires_grad=True)`` now simply returns a Tensor, as in PyTorch."""
    from .. import _creation

    if volatile:
        warnings.warn("volatile was removed and now has no effect. Use `with nbgrad.no_grad():` instead.",
                      UserWarning, stacklevel=2)
    t = data.detach() if isinstance(data, Tensor) else _creation.tensor(data)
    return t.requires_grad_(requires_grad)


from .gradcheck import gradcheck, gradgradcheck, GradcheckError  # noqa: E402,F401


def __getattr__(name):
    """``nbgrad.autograd.functional`` loads when first named (``import nbgrad`` stays as light as before)."""
    if name == "functional":
        import importlib

        return importlib.import_module(f"{__name__}.functional")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
