"""``gradcheck`` / ``gradgradcheck``: compare backward's Jacobian with finite differences.

As in PyTorch: central differences with ``eps=1e-6``, pass when ``|analytical - numerical| <=
atol + rtol·|numerical|`` everywhere (``atol=1e-5``, ``rtol=1e-3``), and a failure shows both Jacobians
(rows: input elements, columns: output elements). Use float64 inputs: float32 is too coarse for eps=1e-6.
"""
import warnings

import numpy as np


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the analytical and numerical Jacobians differ."""


def _as_tuple(x):
    from ..tensor import Tensor

    return (x,) if isinstance(x, Tensor) else tuple(x)


def _differentiable(outputs):
    return [o for o in outputs if o.is_floating_point()]


def _numerical(func, inputs, i, outputs, eps):
    """d(outputs)/d(inputs[i]) by central differences, one (numel_in, numel_out) matrix per output."""
    x = inputs[i]._data
    flat = x.reshape(-1)  # a view: writing to it perturbs the input seen by func
    if not np.shares_memory(flat, x):
        raise GradcheckError("gradcheck needs inputs whose storage can be perturbed in place")
    jac = [np.zeros((x.size, o._data.size)) for o in outputs]
    # func runs with grad mode on: gradgradcheck's func itself calls grad()
    for k in range(x.size):
        orig = flat[k].copy()
        flat[k] = orig + eps
        plus = [o._data.astype(np.float64).reshape(-1) for o in _differentiable(_as_tuple(func(*inputs)))]
        flat[k] = orig - eps
        minus = [o._data.astype(np.float64).reshape(-1) for o in _differentiable(_as_tuple(func(*inputs)))]
        flat[k] = orig
        for j in range(len(outputs)):
            jac[j][k] = (plus[j] - minus[j]) / (2 * eps)
    return jac


def _analytical(outputs, inputs, wanted):
    """d(outputs)/d(inputs) from backward, one row of the Jacobian per output element."""
    from .. import _creation
    from . import grad

    jacs = {(i, j): np.zeros((inputs[i]._data.size, o._data.size)) for i in wanted for j, o in enumerate(outputs)}
    diff_inputs = [inputs[i] for i in wanted]
    for j, out in enumerate(outputs):
        if not out._requires_grad:
            continue
        for k in range(out._data.size):
            onehot = _creation.zeros_like(out)
            onehot._data.reshape(-1)[k] = 1
            grads = grad(out, diff_inputs, onehot, retain_graph=True, allow_unused=True)
            for i, g in zip(wanted, grads):
                if g is not None:
                    jacs[(i, j)][:, k] = g._data.reshape(-1)
    return jacs


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              fast_mode=False, masked=None):
    """True if ``func``'s analytical gradients match finite differences for every input that requires grad."""
    inputs = _as_tuple(inputs)
    wanted = [i for i, t in enumerate(inputs) if getattr(t, "_requires_grad", False)]
    if not wanted:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of "
                         "the them have requires_grad=True.")
    for i in wanted:
        if inputs[i]._data.dtype != np.float64:
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point or complex. "
                "This check will likely fail if all the inputs are not of double precision floating point "
                "or complex. ", UserWarning, stacklevel=2)
    outputs = _differentiable(_as_tuple(func(*inputs)))
    analytical = _analytical(outputs, inputs, wanted)
    for i in wanted:
        numerical = _numerical(func, inputs, i, outputs, eps)
        for j in range(len(outputs)):
            a, n = analytical[(i, j)], numerical[j]
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                from ..tensor import Tensor

                raise GradcheckError(
                    f"Jacobian mismatch for output {j} with respect to input {i},\n"
                    f"numerical:{Tensor._make(n)!r}\nanalytical:{Tensor._make(a)!r}\n"
                )
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """gradcheck of the gradients themselves: backward's own backward (create_graph=True) is checked."""
    from .. import _creation
    from . import grad

    inputs = _as_tuple(inputs)
    n = len(inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)  # its own generator: checking must not shift the user's seed
        outputs = _differentiable(_as_tuple(func(*inputs)))
        grad_outputs = tuple(
            _creation.tensor(rng.standard_normal(o._data.shape), dtype=o.dtype, requires_grad=True)
            for o in outputs
        )
    grad_outputs = _as_tuple(grad_outputs)

    def first_derivatives(*args):
        ins, gos = args[:n], args[n:]
        outs = _differentiable(_as_tuple(func(*ins)))
        diff = [t for t in ins if getattr(t, "_requires_grad", False)]
        grads = grad(outs, diff, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
