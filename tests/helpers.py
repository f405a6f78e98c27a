"""The one gradient check every op test uses: nbgrad's backward against finite differences done in NumPy.

``check_grad(fn, *arrays)`` evaluates ``fn`` (a function of nbgrad tensors) at float64 ``arrays`` and checks

* first derivatives: for a random cotangent ``v``, the gradients ``autograd.grad`` returns must equal the
  central differences of ``Σ fn(x)·v``, one input element at a time. The perturbing and the summing are
  plain NumPy on float64 copies, so nothing of nbgrad's own ``gradcheck`` is trusted;
* second derivatives (``create_graph=True``): with random weights ``w``, the gradient of ``Σᵢ gradᵢ·wᵢ``
  with respect to each input *and* to ``v``, taken along a random direction, must equal the central
  difference of that same sum along it, each side computed by an ordinary first-order backward (checked
  above). One direction per input keeps this cheap; the generated examples vary the directions;
* dtypes: float64 in gives float64 out and float64 gradients; float32 in gives float32 out and float32
  gradients close to the float64 ones;
* the forward value against a NumPy ``reference`` when one is given.

It also records which primitives the checked graphs contained (both orders), so a test can prove it
exercised the ops it claims to cover.
"""
import contextlib
import sys

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import nbgrad
from nbgrad.autograd import function, grad
from nbgrad.autograd.graph import op_of, traverse

EPS = 1e-6
RTOL, ATOL = 1e-4, 1e-6

# Reproducible and fast: the same examples on every run, nothing written to a .hypothesis database.
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

_recorders = []


@contextlib.contextmanager
def recording():
    """Collect the primitive classes of every graph ``check_grad`` checks inside this block."""
    seen = set()
    _recorders.append(seen)
    try:
        yield seen
    finally:
        _recorders.remove(seen)


def _graph_nodes(*tensors):
    """The nodes of ops (every node but the leaves' AccumulateGrad) reachable from ``tensors``' grad_fns."""
    roots = [t.grad_fn for t in tensors if t is not None]
    return [node for node in traverse(*roots) if op_of(node) is not None]


def graph_ops(*tensors):
    """The op classes (``Function`` subclasses) of all nodes reachable from ``tensors``' grad_fns."""
    return {op_of(node) for node in _graph_nodes(*tensors)}


def _tensors(arrays, dtype, requires_grad=False):
    return [nbgrad.tensor(a, dtype=dtype, requires_grad=requires_grad) for a in arrays]


def _central_differences(scalar, arrays):
    """d scalar(arrays) / d arrays, element by element, in float64 NumPy."""
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros(a.shape)
        for k in np.ndindex(a.shape):
            moved = [b.copy() for b in arrays]
            moved[i][k] = a[k] + EPS
            up = scalar(moved)
            moved[i][k] = a[k] - EPS
            down = scalar(moved)
            g[k] = (up - down) / (2 * EPS)
        grads.append(g)
    return grads


def _value(fn, arrays):
    """fn at float64 arrays as an ndarray, recording nothing."""
    with nbgrad.no_grad():
        return np.asarray(fn(*_tensors(arrays, nbgrad.float64))._data, dtype=np.float64)


def _first_order(fn, arrays, v, create_graph=False, dtype=nbgrad.float64):
    """The gradients of Σ fn(x)·v (zeros for an input fn does not use), the output and the leaves."""
    xs = _tensors(arrays, dtype, requires_grad=True)
    out = fn(*xs)
    v_t = v if isinstance(v, nbgrad.Tensor) else nbgrad.tensor(v, dtype=out.dtype)
    grads = grad(out, xs, v_t, create_graph=create_graph, allow_unused=True)
    grads = [nbgrad.zeros_like(x) if g is None else g for x, g in zip(xs, grads)]
    return grads, out, xs


def _assert_close(analytical, numerical, what, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(analytical, numerical, rtol=rtol, atol=atol, err_msg=what)


def check_grad(fn, *arrays, second_order=True, float32=True, reference=None, unused_nodes=False):
    """Check fn's first (and second) derivatives at float64 ``arrays``; return the ops its graphs used.
    ``unused_nodes``: fn makes nodes that are not in the output's graph (in-place changes through views)."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    rng = np.random.default_rng(len(arrays) + sum(a.size for a in arrays))

    # ---- first order ----
    xs = _tensors(arrays, nbgrad.float64, requires_grad=True)
    first = next(function._sequence)
    out = fn(*xs)
    created = next(function._sequence) - first - 1
    # built-in forwards run with grad mode on and must record nothing of their own
    assert unused_nodes or created == len(_graph_nodes(out)), f"{created} nodes were created, {len(_graph_nodes(out))} are in the graph"
    assert out.dtype == nbgrad.float64, f"float64 inputs gave a {out.dtype} output"
    assert out.requires_grad, "the output does not require grad"
    if reference is not None:
        np.testing.assert_allclose(out._data, reference(*arrays), rtol=1e-7, atol=1e-12, err_msg="forward")
    v = rng.standard_normal(out.shape)
    ops = graph_ops(out)
    analytical = grad(out, xs, nbgrad.tensor(v, dtype=nbgrad.float64), allow_unused=True)
    for i, (x, g) in enumerate(zip(xs, analytical)):
        if g is not None:
            assert g.shape == x.shape, f"gradient {i} has shape {g.shape}, input {x.shape}"
            assert g.dtype == nbgrad.float64, f"gradient {i} is {g.dtype} for a float64 input"
    analytical = [np.zeros(a.shape) if g is None else g._data for a, g in zip(arrays, analytical)]
    numerical = _central_differences(lambda xs_: float(np.sum(_value(fn, xs_) * v)), arrays)
    # The differences' own rounding error: each sum carries about ε·Σ|fᵢ·vᵢ|, divided by EPS (large outputs,
    # e^y at y = 12, would otherwise fail a correct gradient)
    rounding = 8 * np.finfo(np.float64).eps * float(np.sum(np.abs(_value(fn, arrays) * v))) / EPS
    for i, (a, n) in enumerate(zip(analytical, numerical)):
        _assert_close(a, n, f"first derivative with respect to input {i}", atol=ATOL + rounding)

    # ---- second order: differentiate Σᵢ gradᵢ·wᵢ with respect to the inputs and to v ----
    if second_order:
        w = [rng.standard_normal(a.shape) for a in arrays]
        v_t = nbgrad.tensor(v, dtype=nbgrad.float64, requires_grad=True)
        g1, _, xs2 = _first_order(fn, arrays, v_t, create_graph=True)
        # the same rules ran on Tensors (recorded) here and on arrays above: they must agree
        for i, (g, a) in enumerate(zip(g1, analytical)):
            np.testing.assert_allclose(g._data, a, rtol=1e-12, atol=1e-14,
                                       err_msg=f"gradient {i}: the rule on Tensors differs from the rule on arrays")
        total = sum((g * nbgrad.tensor(wi, dtype=nbgrad.float64)).sum() for g, wi in zip(g1, w))
        assert total.requires_grad, "with create_graph=True the gradients carry no graph"
        ops |= graph_ops(total)
        second = grad(total, xs2 + [v_t], allow_unused=True)
        second = [np.zeros(t.shape) if g is None else g._data for t, g in zip(xs2 + [v_t], second)]

        def weighted_first(xs_and_v):
            gs, _, _ = _first_order(fn, xs_and_v[:-1], xs_and_v[-1])
            return float(sum(np.sum(g._data * wi) for g, wi in zip(gs, w)))

        # one random direction per input (and one for v): a Hessian-vector product by differences
        points = arrays + [v]
        for i, (point, h) in enumerate(zip(points, second)):
            u = rng.standard_normal(point.shape)
            moved = list(points)
            moved[i] = point + EPS * u
            up = weighted_first(moved)
            moved[i] = point - EPS * u
            down = weighted_first(moved)
            which = f"input {i}" if i < len(arrays) else "the output gradient"
            _assert_close(np.sum(h * u), (up - down) / (2 * EPS), f"second derivative with respect to {which}")

    # ---- float32: same op, float32 all the way through ----
    if float32:
        g32, out32, _ = _first_order(fn, arrays, v, dtype=nbgrad.float32)
        assert out32.dtype == nbgrad.float32, f"float32 inputs gave a {out32.dtype} output"
        for i, (g, a) in enumerate(zip(g32, analytical)):
            assert g.dtype == nbgrad.float32, f"gradient {i} is {g.dtype} for a float32 input"
            scale = max(1.0, float(np.abs(a).max(initial=0)))
            _assert_close(g._data, a, f"float32 gradient {i}", rtol=1e-3, atol=1e-3 * scale)

    for seen in _recorders:
        seen |= ops
    return ops


# ---------------------------------------------------------------- strategies

def floats(lo=-3.0, hi=3.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def away_from_zero(lo=0.1, hi=3.0):
    """Floats with lo <= |x| <= hi: finite differences never step across a kink at 0."""
    return floats(lo, hi) | floats(-hi, -lo)


def on_grid(step=0.01, lo=-3.0, hi=3.0, offset=0.0):
    """Multiples of ``step`` (plus ``offset``): with unique=True, values at least ``step`` apart."""
    return st.integers(int(lo / step), int(hi / step)).map(lambda k: k * step + offset)


def shapes(min_dims=0, max_dims=3, min_side=1, max_side=3):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def arrays(shape, elements=None, unique=False):
    return hnp.arrays(np.float64, shape, elements=floats() if elements is None else elements, unique=unique)


def seed_graph():
    """The first lesson's example: x = ones(2, 2); y = x + 2; z = y * y * 3; out = z.mean()."""
    x = nbgrad.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return {"x": x, "y": y, "z": z, "out": out}


class Cube(function.Function):
    """A custom Function, f(a) = a³, with a hand-written backward and no rule of its own."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a.detach().numpy() ** 3

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return 3 * a * a * grad


def fresh_shell():
    """A new IPython shell, not IPython's global one, so nothing leaks into other tests' ``get_ipython()``."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    main, displayhook, excepthook = sys.modules["__main__"], sys.displayhook, sys.excepthook
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell(config=config)
    # Creating a shell takes over __main__ and the hooks; give them back to pytest.
    sys.modules["__main__"], sys.displayhook, sys.excepthook = main, displayhook, excepthook
    return shell
