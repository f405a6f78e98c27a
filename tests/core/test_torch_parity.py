"""Differential tests: the same code runs on nbgrad and on PyTorch, with the same float64 data.

Compared: forward values and dtypes, gradients, second derivatives (Hessian-vector products through
``create_graph=True``), the graph (``grad_fn.name()`` all the way down ``next_functions``), reprs, type
promotion, the exception type and message of every case in test_errors.py, and the behaviour of hooks,
retain_grad, accumulation, ``inputs=``, ``allow_unused``, grad modes, custom Functions and backward order.

Where nbgrad differs on purpose, the difference is normalised in one place and said so:

* ``torch.`` is ``nbgrad.`` in reprs and messages (``nbgrad.float64``, ``nbgrad.Size``, ...);
* C++ node names lose their namespace: PyTorch's ``torch::autograd::AccumulateGrad`` is ``AccumulateGrad``;
* a grad_fn's repr has no memory address: ``<AddBackward0>``, so notebook outputs are stable;
* an in-place error adds one sentence naming the node that saved the tensor ("It was saved by ...");
* the non-leaf ``.grad`` warning stops before PyTorch's link to its pull request and C++ source line;
* a matmul with a 3-D operand is recorded as one ``BmmBackward0`` node, and ``vector @ matrix`` ends in
  ``SqueezeBackward1``: PyTorch's graphs there show its internal folding and in-place squeeze
  (``UnsafeViewBackward0``, ``SqueezeBackward4``), which would teach nothing; their values still match.
"""
import re
import warnings
import zlib

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch not installed: differential tests against it are skipped")

from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import nbgrad  # noqa: E402
from nbgrad.ops import PRIMITIVES  # noqa: E402
from test_errors import CASES, assert_same, check_case  # noqa: E402

pytestmark = pytest.mark.torch
LIBS = (nbgrad, torch)
RTOL, ATOL = 1e-10, 1e-12
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None)


def as_nbgrad(text):
    """PyTorch's text in nbgrad's words (the deliberate differences listed above)."""
    return re.sub(r" object at 0x[0-9a-f]+", "", text).replace("torch::autograd::", "").replace("torch.", "nbgrad.")


def array(t):
    return None if t is None else t.detach().numpy(force=True)  # force: PyTorch's ZeroTensor gradients


def assert_close(got, want, what=""):
    """nbgrad's result (arrays, tensors, nested tuples, None) equals PyTorch's, dtypes included."""
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want), what
        for i, (g, w) in enumerate(zip(got, want)):
            assert_close(g, w, f"{what}[{i}]")
        return
    if want is None or got is None:
        assert got is None and want is None, what
        return
    g = array(got) if hasattr(got, "detach") else np.asarray(got)
    w = array(want) if hasattr(want, "detach") else np.asarray(want)
    assert g.dtype == w.dtype and g.shape == w.shape, f"{what}: {g.dtype}{g.shape} != {w.dtype}{w.shape}"
    if g.dtype == np.float32:  # NumPy's and PyTorch's float32 kernels may round the last bit differently
        np.testing.assert_allclose(g, w, rtol=1e-6, atol=1e-7, err_msg=what)
    else:
        np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL, err_msg=what)


# ======================================================================= ops: values, graphs, gradients

def spec(shape, lo=-2.0, hi=2.0, grad=True):
    return ("float", shape, lo, hi, grad)


def const(shape, lo=-2.0, hi=2.0):
    return spec(shape, lo, hi, grad=False)


def classes(n, classes):
    return ("int", (n,), 0, classes, False)


X, Y, ROW, COL, V3, P = spec((2, 3)), spec((2, 3)), spec((3,)), spec((2, 1)), spec((3,)), spec((2, 3), 0.5, 2.0)
F = "nn.functional"

# id -> (inputs, fn(L, *tensors)); every primitive nbgrad registers appears at least once.
OPS = {
    "add": ((X, Y), lambda L, x, y: x + y),
    "add broadcast": ((X, ROW), lambda L, x, y: x + y),
    "add constant": ((X, const((2, 3))), lambda L, x, c: x + c),
    "constant add": ((X, const((3,))), lambda L, x, c: c + x),
    "add number": ((X,), lambda L, x: x + 1.5),
    "add alpha": ((X, Y), lambda L, x, y: x.add(y, alpha=-2.5)),
    "sub": ((X, COL), lambda L, x, y: x - y),
    "sub alpha": ((X, Y), lambda L, x, y: x.sub(y, alpha=3)),
    "rsub": ((X,), lambda L, x: 1.5 - x),
    "mul": ((X, ROW), lambda L, x, y: x * y),
    "mul number": ((X,), lambda L, x: 2 * x),
    "div": ((X, spec((2, 3), 0.5, 2.0)), lambda L, x, y: x / y),
    "div number": ((X,), lambda L, x: x / 4),
    "rdiv": ((P,), lambda L, x: 3 / x),
    "neg": ((X,), lambda L, x: -x),
    "reciprocal": ((P,), lambda L, x: x.reciprocal()),
    "pow 3": ((X,), lambda L, x: x ** 3),
    "pow 0.5": ((P,), lambda L, x: x ** 0.5),
    "pow -1.5": ((P,), lambda L, x: x.pow(-1.5)),
    "pow 0": ((X,), lambda L, x: x ** 0),
    "pow tensor": ((P, COL), lambda L, x, y: x ** y),
    "pow 0-dim tensor": ((P, spec(())), lambda L, x, y: x ** y),
    "rpow": ((X,), lambda L, x: 2.5 ** x),
    "square": ((X,), lambda L, x: x.square()),
    "abs": ((X,), lambda L, x: x.abs()),
    "sign": ((X,), lambda L, x: x.sign()),
    "sgn": ((X,), lambda L, x: L.sgn(x) * x),
    "remainder number": ((X,), lambda L, x: x % 0.7),
    "remainder tensor": ((X, spec((3,), 0.5, 2.0)), lambda L, x, y: L.remainder(x, -y)),
    "clamp tensors": ((X, spec((3,), -1.0, 0.0), COL), lambda L, x, lo, hi: x.clamp(lo, hi)),
    "exp": ((X,), lambda L, x: x.exp()),
    "log": ((P,), lambda L, x: x.log()),
    "log1p": ((spec((2, 3), -0.5, 2.0),), lambda L, x: x.log1p()),
    "expm1": ((X,), lambda L, x: L.expm1(x)),
    "logaddexp": ((X, ROW), lambda L, x, y: L.logaddexp(x, y)),
    "logaddexp with constant": ((X, const(())), lambda L, x, c: x.logaddexp(c)),
    "softplus": ((spec((2, 3), -30.0, 30.0),), lambda L, x: L.nn.functional.softplus(x)),
    "softplus beta threshold": ((spec((2, 3), -3.0, 3.0),), lambda L, x: L.nn.functional.softplus(x, 2, 1.5)),
    "sqrt": ((P,), lambda L, x: x.sqrt()),
    "sin": ((X,), lambda L, x: x.sin()),
    "cos": ((X,), lambda L, x: L.cos(x)),
    "tanh": ((X,), lambda L, x: x.tanh()),
    "sigmoid": ((X,), lambda L, x: L.sigmoid(x)),
    "relu": ((X,), lambda L, x: x.relu()),
    "functional relu": ((X,), lambda L, x: L.nn.functional.relu(x)),
    "clamp": ((X,), lambda L, x: x.clamp(-0.5, 0.7)),
    "clamp min": ((X,), lambda L, x: x.clamp(min=0)),
    "clamp max": ((X,), lambda L, x: L.clamp(x, max=0.3)),
    "maximum": ((X, ROW), lambda L, x, y: L.maximum(x, y)),
    "minimum": ((X, Y), lambda L, x, y: x.minimum(y)),
    "where": ((X, Y), lambda L, x, y: L.where(x > y, x, y * 2)),
    "clone": ((X,), lambda L, x: x.clone()),
    "to float32": ((X,), lambda L, x: x.to(L.float32)),
    "float": ((X,), lambda L, x: x.float() * 2),
    "contiguous of transpose": ((X,), lambda L, x: x.t().contiguous()),
    "sum": ((X,), lambda L, x: x.sum()),
    "sum dim": ((X,), lambda L, x: x.sum(0)),
    "sum dims keepdim": ((spec((2, 3, 2)),), lambda L, x: x.sum((0, 2), keepdim=True)),
    "sum empty dims": ((X,), lambda L, x: x.sum(dim=[])),
    "mean": ((X,), lambda L, x: x.mean()),
    "mean dim": ((X,), lambda L, x: x.mean(-1, keepdim=True)),
    "var": ((X,), lambda L, x: x.var()),
    "var dim biased": ((X,), lambda L, x: x.var(1, unbiased=False)),
    "std": ((X,), lambda L, x: x.std()),
    "std dim": ((X,), lambda L, x: x.std(0, keepdim=True)),
    "max": ((X,), lambda L, x: x.max()),
    "min": ((X,), lambda L, x: L.min(x)),
    "max dim": ((X,), lambda L, x: x.max(1).values),
    "min dim keepdim": ((X,), lambda L, x: x.min(0, keepdim=True).values),
    "max dim of 0-d": ((spec(()),), lambda L, x: x.max(0).values * 2),
    "min dim -1 keepdim of 0-d": ((spec(()),), lambda L, x: x.min(-1, keepdim=True).values),
    "amax": ((X,), lambda L, x: x.amax(1)),
    "amin": ((spec((2, 3, 2)),), lambda L, x: x.amin((0, 2))),
    "prod": ((X,), lambda L, x: x.prod()),
    "prod dim": ((X,), lambda L, x: x.prod(1)),
    "logsumexp": ((X,), lambda L, x: x.logsumexp(1)),
    "logsumexp dims keepdim": ((spec((2, 3, 2)),), lambda L, x: L.logsumexp(x, (0, 2), keepdim=True)),
    "logsumexp of 0-d": ((spec(()),), lambda L, x: x.logsumexp(-1)),
    "softmax": ((X,), lambda L, x: x.softmax(1)),
    "log_softmax": ((X,), lambda L, x: L.log_softmax(x, 0)),
    "dot": ((V3, V3), lambda L, x, y: x.dot(y)),
    "matmul vector vector": ((V3, V3), lambda L, x, y: x @ y),
    "matmul matrix vector": ((X, V3), lambda L, x, y: x @ y),
    "matmul matrix matrix": ((X, spec((3, 4))), lambda L, x, y: x @ y),
    "mm": ((X, spec((3, 2))), lambda L, x, y: x.mm(y)),
    "linear": ((X, spec((4, 3)), spec((4,))), lambda L, x, w, b: L.nn.functional.linear(x, w, b)),
    "reshape": ((X,), lambda L, x: x.reshape(3, 2)),
    "view": ((X,), lambda L, x: x.view(-1)),
    "flatten": ((spec((2, 3, 2)),), lambda L, x: x.flatten(1)),
    "transpose": ((spec((2, 3, 2)),), lambda L, x: x.transpose(0, 2)),
    "t": ((X,), lambda L, x: x.t()),
    "T": ((X,), lambda L, x: x.T),
    "mT": ((spec((2, 3, 2)),), lambda L, x: x.mT),
    "permute": ((spec((2, 3, 2)),), lambda L, x: x.permute(2, 0, 1)),
    "squeeze": ((spec((2, 1, 3)),), lambda L, x: x.squeeze()),
    "squeeze dim": ((spec((2, 1, 3)),), lambda L, x: x.squeeze(1)),
    "unsqueeze": ((X,), lambda L, x: x.unsqueeze(1)),
    "expand": ((COL,), lambda L, x: x.expand(2, 4)),
    "expand new dim": ((ROW,), lambda L, x: x.expand(2, -1)),
    "select": ((X,), lambda L, x: x[1]),
    "select method": ((spec((2, 3, 2)),), lambda L, x: x.select(1, -1) * 2 + L.select(x, 1, 0)),
    "narrow": ((spec((2, 3, 2)),), lambda L, x: x.narrow(1, 1, 2) * 2 + L.narrow(x, -2, -3, 2)),
    "diagonal": ((spec((3, 4)),), lambda L, x: x.diagonal() ** 2),
    "diagonal offset dims": ((spec((2, 3, 4)),), lambda L, x: L.diagonal(x, -1, 2, 1) ** 2),
    "unbind": ((X,), lambda L, x: (lambda u: u[0] * u[2] + u[2])(x.unbind(1))),
    "split": ((spec((5, 2)),), lambda L, x: (lambda p: L.cat([p[0] * p[1], p[2] ** 2]))(x.split(2))),
    "split with sizes": ((spec((2, 5)),), lambda L, x: (lambda p: L.cat([p[2], p[0] ** 2], 1))(L.split(x, [2, 1, 2], 1))),
    "chunk": ((spec((2, 5)),), lambda L, x: (lambda p: p[0] * p[1])(x.chunk(3, -1))),
    "select of vector": ((V3,), lambda L, x: x[1] * 2),
    "slice": ((X,), lambda L, x: x[:, 1:]),
    "strided slice": ((X,), lambda L, x: x[:, ::2]),
    "ellipsis select": ((X,), lambda L, x: x[..., 1]),
    "none index": ((X,), lambda L, x: x[None]),
    "everything": ((X,), lambda L, x: x[:]),
    "alias": ((X,), lambda L, x: x[..., :]),
    "reshape that copies": ((X,), lambda L, x: x.t().reshape(-1)),
    "reshape of a strided view": ((X,), lambda L, x: x[:, :1].reshape(2)),
    "list index": ((X,), lambda L, x: x[[0, 1, 1]]),
    "mask index": ((X,), lambda L, x: x[x > 0]),
    "chained index": ((X,), lambda L, x: x[1][2]),
    "setitem": ((X, spec(())), lambda L, x, v: _setitem(x * 1, (0, 1), v)),
    "setitem slice": ((X, ROW), lambda L, x, v: _setitem(x * 1, 1, v)),
    "in place through a view": ((X, Y), lambda L, x, y: _through_view(x * 1, y)),
    "view read after its base changed": ((X,), lambda L, x: _view_after_change(x * 1)),
    "in place through a view of a constant": ((X,), lambda L, x: _through_view(L.zeros(2, 3, dtype=x.dtype), x)),
    "add_ on a non-leaf": ((X, Y), lambda L, x, y: (x * 1).add_(y, alpha=2) * x),
    "mul_ on a non-leaf": ((X, ROW), lambda L, x, y: (x * 1).mul_(y) * x),
    "fill_": ((X,), lambda L, x: (x * 1).fill_(0.5) * x),
    "fill_ tensor": ((X, spec(())), lambda L, x, v: (x * 1).fill_(v) * x),
    "fill_ constant tensor": ((X, const(())), lambda L, x, v: (x * 1).fill_(v) * x),
    "fill_ of a constant": ((const((2, 3)), spec(())), lambda L, c, v: c.clone().fill_(v * v) * c),
    "zero_": ((X,), lambda L, x: (x * 1).zero_() + x),
    "copy_": ((X, Y), lambda L, x, y: (x * 1).copy_(y * 2) * x),
    "copy_ broadcast constant": ((X, const((3,))), lambda L, x, c: (x * 1).copy_(c) * x),
    "cat": ((X, Y), lambda L, x, y: L.cat([x, y], dim=1)),
    "cat with constant": ((X, const((1, 3))), lambda L, x, c: L.cat([x, c])),
    "stack": ((X, Y), lambda L, x, y: L.stack([x, y], dim=-1)),
    "mse_loss": ((X, Y), lambda L, x, y: L.nn.functional.mse_loss(x, y)),
    "mse_loss sum": ((X, const((2, 3))), lambda L, x, y: L.nn.functional.mse_loss(x, y, reduction="sum")),
    "cross_entropy": ((X, classes(2, 3)), lambda L, x, t: L.nn.functional.cross_entropy(x, t)),
    "nll_loss none": ((X, classes(2, 3)), lambda L, x, t: L.nn.functional.nll_loss(x, t, reduction="none")),
    "cross_entropy 4-d": ((spec((2, 3, 2, 2)), ("int", (2, 2, 2), 0, 3, False)),
                          lambda L, x, t: L.nn.functional.cross_entropy(x, t)),
    "nll_loss 3-d none": ((spec((2, 3, 4)), ("int", (2, 4), 0, 3, False)),
                          lambda L, x, t: L.nn.functional.nll_loss(x, t, reduction="none")),
    "bce with logits": ((X, const((2, 3), 0.0, 1.0)),
                        lambda L, x, y: L.nn.functional.binary_cross_entropy_with_logits(x, y)),
    "gather": ((X,), lambda L, x: x.gather(1, L.tensor([[0, 2, 2], [1, 0, 1]])) ** 2),
    "gather function": ((X,), lambda L, x: L.gather(x, 0, L.tensor([[1, 0, 1]])) ** 2),
    "scatter": ((X, spec((2, 2))), lambda L, x, s: x.scatter(1, L.tensor([[2, 0], [1, 2]]), s) ** 2),
    "scatter value": ((X,), lambda L, x: L.scatter(x, 0, L.tensor([[1, 0, 1]]), 0.5) ** 2),
    "scatter_ on a non-leaf": ((X, spec((1, 3))), lambda L, x, s: (x * 1).scatter_(0, L.tensor([[1, 0, 1]]), s) * x),
    "scatter_add": ((X, spec((2, 2))), lambda L, x, s: x.scatter_add(1, L.tensor([[2, 2], [0, 1]]), s) ** 2),
    "scatter_add_ on a non-leaf": ((X, spec((2, 2))),
                                   lambda L, x, s: (x * 1).scatter_add_(1, L.tensor([[2, 2], [0, 1]]), s) * x),
    "index_select": ((X,), lambda L, x: L.index_select(x, 1, L.tensor([2, 0, 2])) ** 2),
    "index_add": ((X, spec((2, 2))), lambda L, x, s: x.index_add(1, L.tensor([2, 2]), s) ** 2),
    "index_add alpha": ((X, spec((2, 2))), lambda L, x, s: x.index_add(1, L.tensor([0, 2]), s, alpha=-2) ** 2),
    "index_add_ on a non-leaf": ((X, spec((1, 3))), lambda L, x, s: (x * 1).index_add_(0, L.tensor([1]), s) * x),
    "index_fill": ((X,), lambda L, x: x.index_fill(1, L.tensor([0, -1]), 1.5) ** 2),
    "index_fill tensor": ((X, spec(())), lambda L, x, v: x.index_fill(1, L.tensor([0, 2, 0]), v) ** 2),
    "index_copy": ((X, spec((2, 2))), lambda L, x, s: x.index_copy(1, L.tensor([2, 0]), s) ** 2),
    "masked_fill": ((X,), lambda L, x: x.masked_fill(x > 0, 1.5) ** 2),
    "masked_fill broadcast mask": ((X,), lambda L, x: x.masked_fill(L.tensor([True, False, True]), -1.0) ** 2),
    "masked_fill tensor": ((X, spec(())), lambda L, x, v: L.masked_fill(x, x < 0, v) ** 2),
    "masked_fill_ on a non-leaf": ((X,), lambda L, x: (x * 1).masked_fill_(x > 0, 0.5) * x),
    "masked_select": ((X,), lambda L, x: x.masked_select(x > 0) ** 2),
    "masked_scatter": ((X, spec((7,))), lambda L, x, s: x.masked_scatter(x > 0, s) ** 2),
    "take": ((X,), lambda L, x: x.take(L.tensor([[0, -1], [5, 0]])) ** 2),
    "put": ((X, spec((3,))), lambda L, x, s: x.put(L.tensor([4, 0, -1]), s) ** 2),
    "put accumulate": ((X, spec((3,))), lambda L, x, s: L.put(x, L.tensor([4, 0, 4]), s, accumulate=True) ** 2),
    "put_ on a non-leaf": ((X, spec((2,))), lambda L, x, s: (x * 1).put_(L.tensor([1, 3]), s) * x),
    "take_along_dim": ((X,), lambda L, x: L.take_along_dim(x, L.tensor([[2], [0]]), 1) ** 2),
    "take_along_dim flattened": ((X,), lambda L, x: L.take_along_dim(x, L.tensor([4, 1])) ** 2),
    "sort": ((X,), lambda L, x: x.sort(1).values ** 2),
    "sort descending stable": ((X,), lambda L, x: L.sort(x, dim=0, descending=True, stable=True).values ** 2),
    "msort": ((X,), lambda L, x: L.msort(x) ** 2),
    "topk": ((X,), lambda L, x: x.topk(2).values ** 2),
    "topk smallest along dim 0": ((X,), lambda L, x: L.topk(x, 1, 0, largest=False).values ** 2),
    "kthvalue": ((X,), lambda L, x: x.kthvalue(2).values ** 2),
    "kthvalue keepdim": ((X,), lambda L, x: L.kthvalue(x, 1, 0, keepdim=True).values ** 2),
    "cummax": ((X,), lambda L, x: x.cummax(1).values ** 2),
    "cummin": ((X,), lambda L, x: L.cummin(x, 0).values ** 2),
    "cumsum": ((X,), lambda L, x: x.cumsum(1) ** 2),
    "cumprod": ((X,), lambda L, x: L.cumprod(x, 1) ** 2),
    "logcumsumexp": ((X,), lambda L, x: x.logcumsumexp(1) ** 2),
    "where method": ((X, Y), lambda L, x, y: x.where(x > y, y * 2)),
    "flip": ((spec((2, 3, 2)),), lambda L, x: x.flip(0, 2) ** 2),
    "fliplr and flipud": ((X,), lambda L, x: L.fliplr(x) * L.flipud(x)),
    "roll": ((X,), lambda L, x: x.roll((1, -2), (0, 1)) ** 2),
    "roll flattened": ((X,), lambda L, x: L.roll(x, 4) ** 2),
    "rot90": ((spec((2, 3, 2)),), lambda L, x: x.rot90(3, (2, 0)) ** 2),
    "tril": ((spec((3, 4)),), lambda L, x: x.tril() ** 2),
    "triu offset": ((spec((2, 3, 4)),), lambda L, x: L.triu(x, -1) ** 2),
    "tril_ on a non-leaf": ((spec((3, 3)),), lambda L, x: (x * 1).tril_(1) * x),
    "diag of a vector": ((V3,), lambda L, x: L.diag(x, 1) ** 2),
    "diag of a matrix": ((spec((3, 4)),), lambda L, x: x.diag(-1) ** 2),
    "diag_embed": ((X,), lambda L, x: L.diag_embed(x, 1, 0, 2) ** 2),
    "diagflat": ((X,), lambda L, x: x.diagflat(-1) ** 2),
    "trace": ((spec((3, 4)),), lambda L, x: x.trace() ** 2),
    "repeat": ((X,), lambda L, x: x.repeat(2, 1, 3) ** 2),
    "tile": ((X,), lambda L, x: L.tile(x, (2,)) ** 2),
    "repeat_interleave": ((X,), lambda L, x: x.repeat_interleave(2) ** 2),
    "repeat_interleave dim": ((X,), lambda L, x: L.repeat_interleave(x, 3, dim=1) ** 2),
    "repeat_interleave counts": ((X,), lambda L, x: x.repeat_interleave(L.tensor([0, 2]), dim=0) ** 2),

    "tan": ((spec((2, 3), -1.2, 1.2),), lambda L, x: x.tan()),
    "atan": ((X,), lambda L, x: L.arctan(x)),
    "asin": ((spec((2, 3), -0.9, 0.9),), lambda L, x: x.asin()),
    "acos": ((spec((2, 3), -0.9, 0.9),), lambda L, x: L.arccos(x)),
    "sinh": ((X,), lambda L, x: x.sinh()),
    "cosh": ((X,), lambda L, x: L.cosh(x)),
    "asinh": ((X,), lambda L, x: x.arcsinh()),
    "acosh": ((spec((2, 3), 1.2, 3.0),), lambda L, x: L.acosh(x)),
    "atanh": ((spec((2, 3), -0.9, 0.9),), lambda L, x: x.atanh()),
    "erf": ((X,), lambda L, x: x.erf()),
    "erfc": ((X,), lambda L, x: L.erfc(x)),
    "erfinv": ((spec((2, 3), -0.95, 0.95),), lambda L, x: x.erfinv()),
    "log2": ((P,), lambda L, x: x.log2()),
    "log10": ((P,), lambda L, x: L.log10(x)),
    "exp2": ((X,), lambda L, x: L.exp2(x)),
    "rsqrt": ((P,), lambda L, x: x.rsqrt()),
    "floor": ((X,), lambda L, x: x.floor() * x),
    "ceil": ((X,), lambda L, x: L.ceil(x) * x),
    "trunc": ((X,), lambda L, x: x.trunc() * x),
    "fix": ((X,), lambda L, x: L.fix(x) * x),
    "round": ((X,), lambda L, x: x.round() * x),
    "round decimals": ((X,), lambda L, x: L.round(x, decimals=1) * x),
    "frac": ((X,), lambda L, x: x.frac() * x),
    "div trunc": ((X, spec((3,), 0.5, 2.0)), lambda L, x, y: L.div(x, y, rounding_mode="trunc") * x),
    "div floor number": ((X,), lambda L, x: x.div(0.3, rounding_mode="floor") * x),
    "div rounding_mode None": ((X, spec((2, 3), 0.5, 2.0)), lambda L, x, y: x.div(y, rounding_mode=None)),
    "fmod number": ((X,), lambda L, x: x.fmod(0.7)),
    "fmod tensor": ((X, spec((2, 3), 0.5, 2.0)), lambda L, x, y: L.fmod(x, -y)),
    "nan_to_num": ((X,), lambda L, x: L.nan_to_num(x.log(), nan=0.5, neginf=-3.0)),
    "exp_ on a non-leaf": ((X,), lambda L, x: (x * 1).exp_() * x),
    "relu_ on a non-leaf": ((X,), lambda L, x: L.relu_(x * 1) * x),
    "sigmoid_ on a non-leaf": ((X,), lambda L, x: (x * 2).sigmoid_()),
    "tan_ on a non-leaf": ((spec((2, 3), -1.0, 1.0),), lambda L, x: (x * 1).tan_() * x),
    "floor_ on a non-leaf": ((X,), lambda L, x: (x * 1).floor_() * x),
    "clamp_min": ((X,), lambda L, x: L.clamp_min(x, 0.2)),
    "clamp_max": ((X,), lambda L, x: x.clamp_max(-0.1)),
    "clamp_min tensor": ((X, Y), lambda L, x, y: x.clamp_min(y)),
    "clamp_max tensor": ((X, Y), lambda L, x, y: L.clamp_max(x, y)),
    "clamp_min_ on a non-leaf": ((X,), lambda L, x: (x * 1).clamp_min_(0.3) * x),
    "lerp": ((X, Y), lambda L, x, y: L.lerp(x, y, 0.3)),
    "lerp weight above a half": ((X, Y), lambda L, x, y: x.lerp(y, 0.8)),
    "lerp tensor weight": ((X, Y, spec((2, 3), 0.0, 1.0)), lambda L, x, y, w: L.lerp(x, y, w)),
    "addcmul": ((X, Y, spec((2, 3))), lambda L, x, a, b: L.addcmul(x, a, b, value=0.5)),
    "addcdiv": ((X, Y, P), lambda L, x, a, b: x.addcdiv(a, b, value=-2)),
    "atan2": ((X, Y), lambda L, x, y: L.atan2(x, y)),
    "hypot": ((X, Y), lambda L, x, y: x.hypot(y)),
    "logit": ((spec((2, 3), 0.05, 0.95),), lambda L, x: L.logit(x)),
    "logit eps": ((spec((2, 3), -0.2, 1.2),), lambda L, x: x.logit(eps=0.1)),
    "fmax": ((X, Y), lambda L, x, y: L.fmax(x, y)),
    "fmin": ((X, ROW), lambda L, x, y: x.fmin(y)),

    "outer": ((V3, spec((2,))), lambda L, x, y: L.outer(x, y)),
    "mv": ((X, V3), lambda L, x, y: L.mv(x, y)),
    "bmm": ((spec((2, 2, 3)), spec((2, 3, 4))), lambda L, x, y: L.bmm(x, y)),
    "addmm": ((spec((3,)), X, spec((3, 3))), lambda L, c, x, y: L.addmm(c, x, y)),
    "addmm beta alpha": ((spec((2, 3)), X, spec((3, 3))), lambda L, c, x, y: c.addmm(x, y, beta=0.5, alpha=2.0)),
    "addmv": ((spec((2,)), X, V3), lambda L, c, x, y: L.addmv(c, x, y, beta=2.0, alpha=-1.0)),
    "baddbmm": ((spec((2, 1, 4)), spec((2, 2, 3)), spec((2, 3, 4))),
                lambda L, c, x, y: L.baddbmm(c, x, y, beta=0.5, alpha=2.0)),
    "addbmm": ((spec((4,)), spec((2, 2, 3)), spec((2, 3, 4))), lambda L, c, x, y: L.addbmm(c, x, y, alpha=3.0)),
    "einsum matmul": ((X, spec((3, 4))), lambda L, x, y: L.einsum("ij,jk->ik", x, y)),
    "einsum implicit": ((X, spec((3, 2))), lambda L, x, y: L.einsum("ij,jk", x, y)),
    "einsum batched": ((spec((2, 2, 3)), spec((2, 3, 4))), lambda L, x, y: L.einsum("bij,bjk->bik", x, y)),
    "einsum ellipsis": ((spec((2, 2, 3)), spec((3, 4))), lambda L, x, y: L.einsum("...ij,jk->...ik", x, y)),
    "einsum outer": ((V3, spec((2,))), lambda L, x, y: L.einsum("i,j->ij", x, y)),
    "einsum dot": ((V3, V3), lambda L, x, y: L.einsum("i,i->", x, y)),
    "einsum trace": ((spec((3, 3)),), lambda L, x: L.einsum("ii", x)),
    "einsum diagonal": ((spec((3, 3)),), lambda L, x: L.einsum("ii->i", x)),
    "einsum transpose sum": ((X,), lambda L, x: L.einsum("ij->j", x)),
    "einsum summed early": ((spec((2, 2, 3)), spec((2, 3, 4))), lambda L, x, y: L.einsum("bij,bjk->", x, y)),
    "einsum three": ((X, spec((3, 2)), spec((2, 2))), lambda L, x, y, z: L.einsum("ij,jk,kl->il", x, y, z)),
    "einsum list": ((X, spec((3,))), lambda L, x, y: L.einsum("ij,j->i", [x, y])),
    "einsum sublists": ((X, spec((3, 4))), lambda L, x, y: L.einsum(x, [0, 1], y, [1, 27], [0, 27])),
    "einsum sublists implicit": ((X, spec((3,))), lambda L, x, y: L.einsum(x, [..., 1], y, [1])),
    "kron": ((X, spec((2, 2))), lambda L, x, y: L.kron(x, y)),
    "kron ranks": ((V3, spec((2, 2))), lambda L, x, y: x.kron(y)),
    "norm": ((X,), lambda L, x: x.norm()),
    "norm p dim": ((X,), lambda L, x: x.norm(3, dim=1, keepdim=True)),
    "norm 1": ((X,), lambda L, x: L.norm(x, 1)),
    "norm inf": ((X,), lambda L, x: x.norm(float("inf"), dim=0)),
    "norm 0": ((X,), lambda L, x: x.norm(0)),
    "norm 1.5": ((X,), lambda L, x: x.norm(1.5)),
    "norm 0.5": ((X,), lambda L, x: x.norm(0.5, dim=1)),
    "norm fro dims": ((spec((2, 2, 3)),), lambda L, x: x.norm("fro", dim=(0, 2))),
    "vector_norm": ((X,), lambda L, x: L.linalg.vector_norm(x, -float("inf"), dim=-1)),
    "matrix_norm fro": ((spec((2, 2, 3)),), lambda L, x: L.linalg.matrix_norm(x)),
    "matrix_norm 1": ((X,), lambda L, x: L.linalg.matrix_norm(x, 1)),
    "matrix_norm -inf keepdim": ((X,), lambda L, x: L.linalg.matrix_norm(x, -float("inf"), keepdim=True)),
    "linalg.norm": ((X,), lambda L, x: L.linalg.norm(x)),
    "linalg.norm inf": ((X,), lambda L, x: L.linalg.norm(x, float("inf"))),
    "linalg.norm dim": ((X,), lambda L, x: L.linalg.norm(x, 1, dim=1)),
    "dist": ((X, spec((3,))), lambda L, x, y: L.dist(x, y)),
    "dist p": ((X, X), lambda L, x, y: x.dist(y, 3)),
    "dist inf": ((X, X), lambda L, x, y: L.dist(x, y, float("inf"))),
    "linalg.cross": ((spec((2, 3)), spec((2, 3))), lambda L, x, y: L.linalg.cross(x, y)),
    "cross dim": ((spec((3, 2)), spec((3, 2))), lambda L, x, y: L.cross(x, y, dim=0)),
    "linalg.inv": ((spec((3, 3)),), lambda L, x: L.linalg.inv(x + 4 * L.eye(3, dtype=L.float64))),
    "inverse batched": ((spec((2, 2, 2)),), lambda L, x: (x + 4 * L.eye(2, dtype=L.float64)).inverse()),
    "linalg.det": ((spec((3, 3)),), lambda L, x: L.linalg.det(x)),
    "det batched": ((spec((2, 2, 2)),), lambda L, x: L.det(x)),
    "linalg.solve vector": ((spec((3, 3)), V3), lambda L, a, b: L.linalg.solve(a + 4 * L.eye(3, dtype=L.float64), b)),
    "linalg.solve matrix": ((spec((3, 3)), spec((3, 2))),
                            lambda L, a, b: L.linalg.solve(a + 4 * L.eye(3, dtype=L.float64), b)),
    "linalg.solve right": ((spec((3, 3)), spec((2, 3))),
                           lambda L, a, b: L.linalg.solve(a + 4 * L.eye(3, dtype=L.float64), b, left=False)),

    "conv2d": ((spec((2, 2, 5, 5)), spec((3, 2, 3, 3)), spec((3,))),
               lambda L, x, w, b: L.nn.functional.conv2d(x, w, b, stride=2, padding=1)),
    "conv2d groups dilation": ((spec((1, 4, 6, 5)), spec((4, 2, 2, 2))),
                               lambda L, x, w: L.nn.functional.conv2d(x, w, None, 1, (1, 0), (2, 1), 2)),
    "conv2d same even kernel": ((spec((1, 2, 4, 5)), spec((2, 2, 2, 3))),
                                lambda L, x, w: L.nn.functional.conv2d(x, w, padding="same")),
    "conv2d unbatched": ((spec((2, 4, 4)), const((3, 2, 3, 3))), lambda L, x, w: L.nn.functional.conv2d(x, w)),
    "conv1d": ((spec((2, 2, 7)), spec((3, 2, 3)), const((3,))),
               lambda L, x, w, b: L.nn.functional.conv1d(x, w, b, stride=2, padding=1)),
    "max_pool2d ceil": ((spec((2, 2, 5, 5)),), lambda L, x: L.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True)),
    "max_pool2d dilation": ((spec((1, 2, 5, 6)),), lambda L, x: L.nn.functional.max_pool2d(x, 2, 1, dilation=2)),
    "max_pool2d unbatched": ((spec((2, 4, 4)),), lambda L, x: L.nn.functional.max_pool2d(x, 2)),
    "max_pool1d": ((spec((2, 3, 7)),), lambda L, x: L.nn.functional.max_pool1d(x, 3, 2, 1)),
    "avg_pool2d": ((spec((2, 2, 5, 5)),),
                   lambda L, x: L.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)),
    "avg_pool2d divisor": ((spec((1, 2, 4, 6)),), lambda L, x: L.nn.functional.avg_pool2d(x, 2, divisor_override=3)),
    "avg_pool1d": ((spec((2, 3, 7)),), lambda L, x: L.nn.functional.avg_pool1d(x, 3, 2, 1)),
    "adaptive_avg_pool2d": ((spec((2, 2, 5, 7)),), lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, (2, 3))),
    "adaptive_avg_pool2d 1x1": ((spec((2, 2, 3, 3)),), lambda L, x: L.nn.functional.adaptive_avg_pool2d(x, 1)),
    "batch_norm training": ((spec((4, 2, 3)), spec((2,)), spec((2,))),
                            lambda L, x, w, b: L.nn.functional.batch_norm(
                                x, L.zeros(2, dtype=x.dtype), L.ones(2, dtype=x.dtype), w, b, training=True)),
    "batch_norm eval": ((spec((2, 2, 2, 2)), const((2,)), const((2,), 0.5, 2.0), spec((2,)), spec((2,))),
                        lambda L, x, m, v, w, b: L.nn.functional.batch_norm(x, m, v, w, b)),
    "batch_norm no affine": ((spec((3, 2)),), lambda L, x: L.nn.functional.batch_norm(x, None, None, training=True)),
    "layer_norm": ((spec((2, 3)), spec((3,)), spec((3,))),
                   lambda L, x, w, b: L.nn.functional.layer_norm(x, (3,), w, b)),
    "layer_norm two dims": ((spec((2, 2, 3)), spec((2, 3))),
                            lambda L, x, w: L.nn.functional.layer_norm(x, (2, 3), w, eps=1e-3)),
    "group_norm": ((spec((2, 4, 3)), spec((4,)), spec((4,))),
                   lambda L, x, w, b: L.nn.functional.group_norm(x, 2, w, b)),
    "group_norm no affine": ((spec((2, 6)),), lambda L, x: L.nn.functional.group_norm(x, 3, eps=1e-3)),
    "pad": ((spec((2, 3, 2)),), lambda L, x: L.nn.functional.pad(x, (1, 2, 0, 1), value=0.5)),
    "pad negative": ((spec((2, 3)),), lambda L, x: L.nn.functional.pad(x, (-1, 1))),
    "pad reflect": ((spec((2, 2, 3, 4)),), lambda L, x: L.nn.functional.pad(x, (1, 2, 2, 0), mode="reflect")),
    "pad reflect 1d": ((spec((2, 4)),), lambda L, x: L.nn.functional.pad(x, (3, 1), mode="reflect")),
    "pad replicate": ((spec((2, 2, 3, 4)),), lambda L, x: L.nn.functional.pad(x, (1, 2, 0, 3), mode="replicate")),
    "pad replicate 1d": ((spec((2, 3, 4)),), lambda L, x: L.nn.functional.pad(x, (2, 1), mode="replicate")),

    "gelu": ((spec((2, 3), -4.0, 4.0),), lambda L, x: L.nn.functional.gelu(x)),
    "gelu tanh": ((spec((2, 3), -4.0, 4.0),), lambda L, x: L.nn.functional.gelu(x, approximate="tanh")),
    "leaky_relu": ((X,), lambda L, x: L.nn.functional.leaky_relu(x, 0.2)),
    "leaky_relu_": ((X,), lambda L, x: L.nn.functional.leaky_relu_(x * 1, 0.2)),
    "elu": ((X,), lambda L, x: L.nn.functional.elu(x, 0.7)),
    "elu inplace": ((X,), lambda L, x: L.nn.functional.elu(x * 1, 1.5, inplace=True)),
    "selu": ((X,), lambda L, x: L.nn.functional.selu(x)),
    "selu_": ((X,), lambda L, x: L.nn.functional.selu_(x * 1)),
    "celu": ((X,), lambda L, x: L.nn.functional.celu(x, 0.5)),
    "celu inplace": ((X,), lambda L, x: L.nn.functional.celu(x * 1, 2.0, inplace=True)),
    "silu": ((spec((2, 3), -5.0, 5.0),), lambda L, x: L.nn.functional.silu(x)),
    "mish": ((spec((2, 3), -5.0, 5.0),), lambda L, x: L.nn.functional.mish(x)),
    "hardtanh": ((X,), lambda L, x: L.nn.functional.hardtanh(x, -0.5, 1.2)),
    "relu6": ((spec((2, 3), -3.0, 9.0),), lambda L, x: L.nn.functional.relu6(x)),
    "softplus module": ((X,), lambda L, x: L.nn.Softplus(2.0, 1.0)(x)),
    "logsigmoid": ((spec((2, 3), -6.0, 6.0),), lambda L, x: L.nn.functional.logsigmoid(x)),
    "hardswish": ((spec((2, 3), -5.0, 5.0),), lambda L, x: L.nn.functional.hardswish(x)),
    "hardshrink": ((X,), lambda L, x: L.nn.functional.hardshrink(x, 0.4)),
    "softshrink": ((X,), lambda L, x: L.nn.Softshrink(0.3)(x)),
    "tanhshrink": ((X,), lambda L, x: L.nn.Tanhshrink()(x)),
    "threshold": ((X,), lambda L, x: L.nn.functional.threshold(x, 0.2, -1.5)),
    "binary_cross_entropy": ((spec((2, 3), 0.05, 0.95), spec((2, 3), 0.0, 1.0)),
                             lambda L, x, y: L.nn.functional.binary_cross_entropy(x, y)),
    "BCELoss weight sum": ((spec((2, 3), 0.05, 0.95), const((2, 3), 0.0, 1.0)),
                           lambda L, x, y: L.nn.BCELoss(L.tensor([0.5, 1.0, 2.0], dtype=L.float64), reduction="sum")(x, y)),
    "l1_loss sum": ((X, Y), lambda L, x, y: L.nn.functional.l1_loss(x, y, reduction="sum")),
    "L1Loss none": ((X, const((2, 3))), lambda L, x, y: L.nn.L1Loss(reduction="none")(x, y)),
    "smooth_l1_loss": ((X, Y), lambda L, x, y: L.nn.functional.smooth_l1_loss(x, y, beta=0.8)),
    "SmoothL1Loss sum beta 0": ((X, Y), lambda L, x, y: L.nn.SmoothL1Loss(reduction="sum", beta=0.0)(x, y)),
    "huber_loss none": ((X, Y), lambda L, x, y: L.nn.functional.huber_loss(x, y, reduction="none", delta=0.7)),
    "HuberLoss": ((X, Y), lambda L, x, y: L.nn.HuberLoss(delta=1.5)(x, y)),
    "kl_div batchmean": ((spec((2, 3), -3.0, 0.0), const((2, 3), 0.05, 1.0)),
                         lambda L, x, y: L.nn.functional.kl_div(x, y, reduction="batchmean")),
    "KLDivLoss log_target": ((spec((2, 3), -3.0, 0.0), spec((2, 3), -3.0, 0.0)),
                             lambda L, x, y: L.nn.KLDivLoss(reduction="sum", log_target=True)(x, y)),
    "xlogy of a constant": ((const((2, 3), 0.0, 2.0), P), lambda L, c, y: L.xlogy(c, y)),
    "soft_margin_loss": ((X, const((2, 3))), lambda L, x, y: L.nn.functional.soft_margin_loss(x, y.sign())),
    "SoftMarginLoss none": ((X, const((2, 3))), lambda L, x, y: L.nn.SoftMarginLoss(reduction="none")(x, y.sign())),
    "embedding": ((spec((5, 3)), ("int", (2, 3), 0, 5, False)), lambda L, w, i: L.nn.functional.embedding(i, w)),
    # squared: the gradient reaching the lookup's backward requires grad, so that backward is recorded
    "embedding squared": ((spec((5, 3)), ("int", (4,), 0, 5, False)),
                          lambda L, w, i: L.nn.functional.embedding(i, w, padding_idx=2) ** 2),
    "embedding padding_idx scale_grad_by_freq": (
        (spec((4, 2)), ("int", (6,), 0, 4, False)),
        lambda L, w, i: L.nn.functional.embedding(i, w, padding_idx=-1, scale_grad_by_freq=True)),

    **__import__("test_rnn_parity").TORCH_PARITY_OPS,  # the recurrent layers, with weights as constants
    "multiply": ((X, Y), lambda L, x, y: L.multiply(x, y)),
    "subtract alpha": ((X, Y), lambda L, x, y: L.subtract(x, y, alpha=2)),
    "absolute negative": ((X,), lambda L, x: L.absolute(L.negative(x))),
    "ravel": ((X,), lambda L, x: x.ravel()),
    "ravel transposed": ((X,), lambda L, x: L.ravel(x.t())),
    "movedim": ((spec((2, 3, 4)),), lambda L, x: x.movedim((0, 2), (1, 0))),
    "moveaxis": ((spec((2, 3, 4)),), lambda L, x: L.moveaxis(x, -1, 0)),
    "swapdims": ((spec((2, 3, 4)),), lambda L, x: L.swapdims(x, 0, 2)),
    "unflatten": ((spec((2, 6)),), lambda L, x: x.unflatten(1, (-1, 2))),
    "hstack": ((X, Y), lambda L, x, y: L.hstack([x, y])),
    "hstack vectors": ((V3, ROW), lambda L, x, y: L.hstack((x, y))),
    "vstack": ((V3, X), lambda L, x, y: L.vstack([x, y])),
    "dstack": ((V3, ROW), lambda L, x, y: L.dstack([x, y])),
    "dstack matrices": ((X, Y), lambda L, x, y: L.dstack([x, y])),
    "column_stack": ((spec((2,)), spec((2, 2))), lambda L, x, y: L.column_stack([x, y])),
    "tensor_split": ((spec((7, 2)),), lambda L, x: L.stack([p.sum(0) for p in x.tensor_split(3)])),
    "tensor_split indices": ((spec((2, 7)),), lambda L, x: L.cat(L.tensor_split(x, [1, 5], dim=1), 1)),
    "hsplit vsplit": ((spec((4, 4)),), lambda L, x: L.hsplit(x, 2)[1][1:3] + L.vsplit(x, [1, 3])[1][:, :2]),
    "broadcast_to": ((ROW,), lambda L, x: L.broadcast_to(x, (2, 3))),
    "broadcast_tensors": ((X, COL), lambda L, x, y: L.mul(*L.broadcast_tensors(x, y))),
    "float_power": ((P,), lambda L, x: L.float_power(x, 2.5)),
    "float_power tensor": ((P, COL), lambda L, x, y: x.float_power(y)),
    "float_power number": ((X,), lambda L, x: L.float_power(2, x)),
    "vdot": ((V3, V3), lambda L, x, y: L.vdot(x, y)),
    "inner": ((X, spec((4, 3))), lambda L, x, y: L.inner(x, y)),
    "inner vectors": ((V3, V3), lambda L, x, y: L.inner(x, y)),
    "tensordot": ((spec((2, 3, 4)), spec((4, 3, 2))), lambda L, x, y: L.tensordot(x, y, ([1, 2], [1, 0]))),
    "tensordot int": ((spec((2, 3, 4)), spec((3, 4, 2))), lambda L, x, y: L.tensordot(x, y, 2)),
    "tensordot all": ((X, Y), lambda L, x, y: L.tensordot(x, y, 2)),
    "nansum": ((X,), lambda L, x: L.nansum(x.log(), 1)),
    "nansum all": ((X,), lambda L, x: x.log().nansum()),
    "nansum all dims": ((X,), lambda L, x: x.log().nansum((0, 1))),
    "nanmean": ((spec((2, 3, 2)),), lambda L, x: L.nanmean(x.sqrt(), (0, 2), keepdim=True)),
    "diff": ((spec((2, 5)),), lambda L, x: L.diff(x, n=2)),
    "diff prepend": ((X, COL), lambda L, x, y: x.diff(dim=1, prepend=y, append=y)),
    # random draws made certain (std 0, p 0 or 1), so that both libraries draw the same values
    "normal std zero": ((X, spec((3,), 0.0, 0.0)), lambda L, x, s: L.normal(x, s)),
    "normal tensor mean": ((X,), lambda L, x: L.normal(x, 0.0) * x),
    "normal tensor std": ((spec((3,), 0.0, 0.0),), lambda L, s: L.normal(1.5, s)),
    "bernoulli certain": ((spec((2, 3), 1.0, 1.0),), lambda L, p: L.bernoulli(p) * p),
    "xlogy": ((X, P), lambda L, x, y: L.xlogy(x, y)),
    "xlogy broadcast": ((COL, P), lambda L, x, y: x.xlogy(y)),
    "xlogy number self": ((P,), lambda L, y: L.xlogy(2.5, y)),
    "xlogy number other": ((X,), lambda L, x: L.xlogy(x, 3.0)),
    "xlogy at zero": ((X, spec((2, 3), -1.0, 1.0)), lambda L, x, y: L.xlogy(x * 0, y * y.relu())),
    "median": ((spec((2, 4)),), lambda L, x: x.median()),
    "median of ties": ((X,), lambda L, x: L.median(x.round())),
    "median dim": ((spec((3, 4)),), lambda L, x: L.median(x, 1).values),
    "median dim keepdim": ((spec((4, 3)),), lambda L, x: x.median(0, keepdim=True)[0]),
    "var_mean": ((spec((3, 4)),), lambda L, x: (lambda v, m: v * 2 + m * m)(*L.var_mean(x, 1))),
    "std_mean": ((spec((3, 4)),), lambda L, x: (lambda s, m: s * m)(*L.std_mean(x, keepdim=True, correction=0))),
    "std_mean mean only": ((X,), lambda L, x: L.std_mean(x, 0)[1]),
    "aminmax": ((X,), lambda L, x: (lambda r: r.min * 2 + r.max)(L.aminmax(x))),
    "aminmax of ties": ((X,), lambda L, x: (lambda r: r.min - r.max)(L.aminmax(x.round() * x.abs().detach()))),
    "aminmax dim": ((spec((3, 4)),), lambda L, x: (lambda r: r.min * r.max)(x.aminmax(dim=1))),
    "aminmax dim keepdim max only": ((spec((3, 4)),), lambda L, x: L.aminmax(x, dim=0, keepdim=True).max),

    "shared node": ((X,), lambda L, x: (lambda b: b * b)(x + x)),
    "composite": ((X, Y), lambda L, x, y: ((x * y).exp() / (1 + y.abs())).sum(1).log_softmax(0)),
}
# The graph PyTorch records for these shows internals (see the module docstring); only values are compared.
VALUES_ONLY = {
    "matmul vector matrix": ((V3, spec((3, 4))), lambda L, x, y: x @ y),
    "matmul batched": ((spec((2, 2, 3)), spec((2, 3, 4))), lambda L, x, y: x @ y),
    "matmul broadcast batch": ((spec((2, 2, 3)), spec((3, 4))), lambda L, x, y: x @ y),
    "matmul vector batched": ((V3, spec((2, 3, 4))), lambda L, x, y: x @ y),
}


def _setitem(t, key, value):
    t[key] = value
    return t


def _through_view(b, y):
    """b[:, 1:] *= y[:, 1:] through a transposed view: b's history becomes CopySlices."""
    b.t()[1:].mul_(y[:, 1:].t())
    return b * y


def _view_after_change(b):
    """A view taken before its base changed in place is read from the base again: AsStridedBackward0."""
    row = b[0]
    b.mul_(3.0)
    return row * 2


def inputs_for(case_id, specs):
    """The same float64 (or int64) data for both libraries, seeded by the case's name."""
    rng = np.random.default_rng(zlib.crc32(case_id.encode()))
    arrays = []
    for kind, shape, lo, hi, grad in specs:
        if kind == "int":
            arrays.append((rng.integers(lo, hi, size=shape), False))
        else:
            arrays.append((rng.uniform(lo, hi, size=shape), grad))
    return [[L.tensor(a.copy(), requires_grad=g) for a, g in arrays] for L in LIBS]


def graph(node, inputs):
    """A node's name and, recursively, where it sends gradients: (None, 0) for constants, leaves by position."""
    if node is None:
        return None
    name = as_nbgrad(node.name())
    if name == "AccumulateGrad":
        return name, next(i for i, t in enumerate(inputs) if t is node.variable)
    return name, tuple((graph(child, inputs), nr) for child, nr in node.next_functions)


def evaluate(L, fn, tensors, rng_seed):
    """Forward value, graph, first-order gradients and a Hessian-vector product of fn at ``tensors``."""
    out = fn(L, *tensors)
    rng = np.random.default_rng(rng_seed)
    v = L.tensor(rng.standard_normal(tuple(out.shape)), dtype=out.dtype)
    diff = [t for t in tensors if t.requires_grad]
    grads = L.autograd.grad(out, diff, v, create_graph=True, allow_unused=True)
    weights = [L.tensor(rng.standard_normal(tuple(t.shape)), dtype=t.dtype) for t in diff]
    terms = [(g * w).sum() for g, w in zip(grads, weights) if g is not None and g.requires_grad]
    if terms:
        second = L.autograd.grad(sum(terms), diff, allow_unused=True)
    else:  # the first derivatives are constant
        second = [None] * len(diff)
    # None (nothing flows) and zeros (zeros flow) are the same second derivative
    second = [np.zeros(tuple(t.shape)) if h is None else array(h) for t, h in zip(diff, second)]
    return out, graph(out.grad_fn, tensors), [array(g) for g in grads], second


@pytest.mark.parametrize("case_id", list(OPS) + list(VALUES_ONLY))
def test_values_graph_and_derivatives_match_pytorch(case_id):
    specs, fn = OPS.get(case_id) or VALUES_ONLY[case_id]
    ours, theirs = (evaluate(L, fn, tensors, 7) for L, tensors in zip(LIBS, inputs_for(case_id, specs)))
    out, graph_ours, grads, second = ours
    t_out, graph_theirs, t_grads, t_second = theirs
    assert repr(out.dtype) == as_nbgrad(repr(t_out.dtype))
    assert_close(out, t_out, "forward")
    assert_close(grads, t_grads, "gradients")
    assert_close(second, t_second, "second derivatives")
    if case_id in OPS:
        assert graph_ours == graph_theirs


def test_every_primitive_is_compared_with_pytorch():
    """Adding an op to nbgrad without comparing its values and gradients with PyTorch's fails here."""
    nbgrad._lazy.load_all()  # the op families that load at first use, all of them
    seen = set()

    def walk(node):
        if node is not None and node not in seen:
            seen.add(node)
            for child, _ in node.next_functions:
                walk(child)

    for case_id, (specs, fn) in {**OPS, **VALUES_ONLY}.items():
        tensors = inputs_for(case_id, specs)[0]
        out = fn(nbgrad, *tensors)
        walk(out.grad_fn)
        # the ops a backward records (TanhBackward, ...) appear in the graphs of the gradients
        diff = [t for t in tensors if t.requires_grad]
        for g in nbgrad.autograd.grad(out, diff, nbgrad.ones_like(out), create_graph=True, allow_unused=True):
            walk(None if g is None else g.grad_fn)
    recorded = {type(node)._function.__name__ for node in seen if hasattr(type(node), "_function")}
    backward_only = {"IndexPut"}  # the backward of indexing: recorded when the gradient flowing in requires grad
    abstract = {cls.__name__ for cls in PRIMITIVES if cls.__name__.startswith("_")}
    missing = {cls.__name__ for cls in PRIMITIVES} - recorded - backward_only - abstract
    assert not missing, f"primitives never compared with PyTorch: {sorted(missing)}"


BINARY = {
    "add": lambda L, a, b: a + b, "sub": lambda L, a, b: a - b, "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b, "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: L.minimum(a, b), "pow": lambda L, a, b: a ** b,
    "where": lambda L, a, b: L.where(a > b, a * b, b),
}


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       op=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2**16))
@SETTINGS
def test_broadcasting_binary_ops_match_pytorch(shapes, op, seed):
    rng = np.random.default_rng(seed)
    data = [rng.uniform(0.5, 2.0, size=s) for s in shapes.input_shapes]
    cotangent = rng.standard_normal(shapes.result_shape)
    results = []
    for L in LIBS:
        a, b = (L.tensor(d, requires_grad=True) for d in data)
        out = BINARY[op](L, a, b)
        out.backward(L.tensor(cotangent))
        results.append((out, a.grad, b.grad))
    assert_close(*results)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), keepdim=st.booleans(), seed=st.integers(0, 99),
       op=st.sampled_from(["sum", "mean", "var", "std", "amax", "prod", "softmax", "log_softmax", "max", "min"]),
       data=st.data())
@SETTINGS
def test_reductions_over_any_dim_match_pytorch(shape, keepdim, seed, op, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    fns = {
        "softmax": lambda t: t.softmax(dim), "log_softmax": lambda t: t.log_softmax(dim),
        "max": lambda t: t.max(dim, keepdim).values, "min": lambda t: t.min(dim, keepdim=keepdim).values,
        "prod": lambda t: t.prod(dim, keepdim),
    }
    fn = fns.get(op, lambda t: getattr(t, op)(dim, keepdim=keepdim))
    x = np.random.default_rng(seed).standard_normal(shape)
    results = []
    for L in LIBS:
        t = L.tensor(x, requires_grad=True)
        out = fn(t)
        out.backward(L.tensor(np.arange(out.numel(), dtype=np.float64).reshape(tuple(out.shape))))
        results.append((out, t.grad))
    assert_close(*results)


# ======================================================================= ties and kinks

# "Ties and kinks follow PyTorch": each row is an expression at a point where the derivative is a choice.
KINKS = {
    "full max splits ties evenly": ([1.0, 3.0, 3.0, 2.0], lambda L, x: x.max()),
    "full min splits ties evenly": ([2.0, 1.0, 1.0, 1.0], lambda L, x: x.min()),
    "max(dim) sends all to the returned index": ([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], lambda L, x: x.max(1).values),
    "min(dim) sends all to the returned index": ([[1.0, 1.0, 3.0], [0.0, 2.0, 0.0]], lambda L, x: x.min(1).values),
    "amax splits ties evenly": ([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], lambda L, x: x.amax(1)),
    "maximum ties give half each": ([1.0, 2.0, 3.0], lambda L, x: L.maximum(x, L.tensor([1.0, 5.0, 3.0]))),
    "minimum ties give half each": ([1.0, 2.0, 3.0], lambda L, x: L.minimum(L.tensor([1.0, 0.0, 3.0]), x)),
    "maximum of a tensor with itself": ([1.0, -2.0], lambda L, x: L.maximum(x, x)),
    "clamp passes gradient at its bounds": ([-1.0, 0.0, 0.5, 1.0, 2.0], lambda L, x: x.clamp(0.0, 1.0)),
    "clamp min only": ([-1.0, 0.0, 2.0], lambda L, x: x.clamp(min=0.0)),
    "relu'(0) = 0": ([-1.0, 0.0, 2.0], lambda L, x: x.relu()),
    "abs'(0) = 0": ([-1.0, 0.0, 2.0], lambda L, x: x.abs()),
    "sign' = 0": ([-1.0, 0.0, 2.0], lambda L, x: x.sign()),
    "sqrt'(0) = inf": ([0.0, 4.0], lambda L, x: x.sqrt()),
    "d(x^0)/dx = 0 at 0": ([0.0, 2.0], lambda L, x: x ** 0),
    "d(x^y)/dx at x = 0, y = 0": ([0.0, 0.0, 2.0], lambda L, x: x ** L.tensor([0.0, 2.0, 0.5])),
    "d(x^y)/dy at x = 0": ([0.0, 2.0, 0.5], lambda L, y: L.tensor([0.0, 0.0, 2.0]) ** y),
    "d(0^y)/dy": ([-1.0, 0.0, 2.0], lambda L, y: 0.0 ** y),
    "softplus above and at its threshold": ([19.0, 20.0, 21.0], lambda L, x: L.nn.functional.softplus(x)),
    "logsumexp of -inf and inf": ([[-float("inf"), -float("inf"), 1.0], [float("inf"), 1.0, 2.0]],
                                  lambda L, x: x.logsumexp(1)),
    "prod with one zero": ([0.0, 2.0, 3.0], lambda L, x: x.prod()),
    "prod with two zeros": ([[0.0, 2.0], [0.0, 0.0]], lambda L, x: x.prod(1)),
    "std of equal values": ([1.5, 1.5, 1.5], lambda L, x: x.std()),
    "std(dim) of equal values": ([[1.5, 1.5], [1.0, 2.0]], lambda L, x: x.std(1)),
}


@pytest.mark.parametrize("case_id", KINKS)
def test_ties_and_kinks_follow_pytorch(case_id):
    values, fn = KINKS[case_id]
    results = []
    for L in LIBS:
        x = L.tensor(values, dtype=L.float64, requires_grad=True)
        out = fn(L, x.to(L.float64))
        out.backward(L.ones_like(out))
        results.append((out, x.grad))
    assert_close(*results)


# ======================================================================= type promotion

PROMOTION = [
    "i + 1.5", "i + 2", "i * True", "i / i", "i / 2", "i / 2.0", "b + b", "b + 1", "b * 2.5", "b + i",
    "f + d", "f + d0", "d0 + f", "i + d0", "i + f0", "b + i0", "f * i0", "d0 + f0", "i0 + 1.5", "f0 * d",
    "i ** 2", "i ** 0.5", "2 ** i", "2.5 ** i", "f ** i", "1 - i", "1 / i", "-i", "i.abs()", "i.relu()",
    "i.exp()", "i.sqrt()", "i.sigmoid()", "b.sin()", "i.clamp(0, 2)", "i.clamp(0.5, 2.5)", "i.sum()",
    "b.sum()", "f.sum()", "i.max()", "i.sign()", "i.square()", "d.square()", "L.maximum(i, f)",
    "L.minimum(f, d)", "L.where(b, i, f)", "L.where(b, i, 1.5)", "L.where(b, f, d0)", "L.cat([i, f])",
    "L.stack([i, d])", "L.cat([b, i])", "i @ i", "f @ f", "i.float()", "f.long()", "i.double()",
    "f.to(L.bool)", "i > 1.5", "f == d", "i.mean(dtype=L.float64)", "f.sum(dtype=L.float64)", "i.prod()",
    "b.prod()", "i.reciprocal()", "f.maximum(d0)", "i.log1p()", "b.expm1()", "i.logsumexp(0)",
    "L.logaddexp(f, d0)",
    # an integer to a negative integer power: 1, ±1 for -1, else 0 (only a negative *number* exponent fails)
    "i ** (i - 3)", "(1 - i) ** (i - 4)", "(i - 2) ** -i", "2 ** (i - 2)", "L.pow(-1, -i)", "i ** -i0",
    "i0 ** (i - 3)", "b ** (i - 3)", "i.pow(i - 3)",
]


@pytest.mark.parametrize("expr", PROMOTION)
def test_result_dtypes_follow_pytorch_promotion(expr):
    results = []
    for L in LIBS:
        env = {
            "L": L, "i": L.tensor([1, 2, 3]), "b": L.tensor([True, False, True]), "f": L.tensor([1.5, -2.0, 3.0]),
            "d": L.tensor([0.25, 2.0, -1.0], dtype=L.float64), "i0": L.tensor(2), "f0": L.tensor(-1.5),
            "d0": L.tensor(0.5, dtype=L.float64),
        }
        results.append(eval(expr, env))
    ours, theirs = results
    assert repr(ours.dtype) == as_nbgrad(repr(theirs.dtype))
    assert_close(ours, theirs)


# ======================================================================= indices

# max/min along a dim and argmax/argmin: values and int64 indices, 0-d tensors (dim 0 or -1) included
INDEX_RESULTS = [
    "s.max(0)", "s.min(-1)", "s.max(0, keepdim=True)", "s.argmax(0)", "s.argmin(-1, keepdim=True)",
    "s.argmax(keepdim=True)", "m.argmax(keepdim=True)", "m.argmin(dim=None, keepdim=True)", "m.argmax(1)",
    "m.min(0, keepdim=True)", "L.nn.functional.one_hot(L.tensor([[0, 2], [1, 0]]))",
    "L.nn.functional.one_hot(L.tensor(1), 3)", "L.nn.functional.one_hot(L.zeros(0, dtype=L.int64), 2)",
]


@pytest.mark.parametrize("expr", INDEX_RESULTS)
def test_index_results_match_pytorch(expr):
    ours, theirs = (eval(expr, {"L": L, "s": L.tensor(1.5), "m": L.tensor([[1.0, 4.0], [3.0, 2.0]])}) for L in LIBS)
    assert_close(ours, theirs)


# ======================================================================= printing

REPRS = [
    "L.tensor([1.0, 2.0], requires_grad=True) * 2", "L.tensor(3.5)", "L.tensor([1, 2])", "L.tensor([True, False])",
    "L.zeros(2, 3, dtype=L.float64)", "L.tensor([])", "L.tensor([1e-8, 1.0])", "L.arange(2000.0)",
    "L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)", "L.tensor([1.5], dtype=L.float64, requires_grad=True)",
    "L.zeros(0, dtype=L.int64)", "L.tensor([float('nan'), float('inf'), -float('inf')])",
    "L.ones(2, requires_grad=True).sum()", "L.tensor([[1.0, -2.0]], requires_grad=True).max(1)",
    "L.ones(2, 3).min(0, keepdim=True)", "L.ones(2, 3).shape", "L.float64", "L.tensor([1, 2]).dtype",
    "(L.ones(2, requires_grad=True) * 2).grad_fn", "L.tensor([123456789.0, 0.001])", "L.tensor(2.5).exp()",
    "L.tensor([1, 2]) / 3", "L.tensor([[1, 2], [3, 4]], dtype=L.float64) @ L.ones(2, 1, dtype=L.float64)",
]


@pytest.mark.parametrize("expr", REPRS)
def test_repr_matches_pytorch(expr):
    ours, theirs = (repr(eval(expr, {"L": L})) for L in LIBS)
    assert ours == as_nbgrad(theirs)


# ======================================================================= bad input

@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_errors_match_pytorch(case):
    """PyTorch raises the same type with the same message as nbgrad does for every case of test_errors.py."""
    expected = re.sub(r" It was saved by \w+\.", "", case.message).replace("nbgrad.", "torch.")
    theirs, theirs_after = check_case(torch, case, expected)
    ours, ours_after = check_case(nbgrad, case, case.message)
    assert_same(ours_after, _numpy(theirs_after))  # the undisturbed set-ups agree
    if case.after_in_torch and theirs.after is not None:
        assert_same(theirs.after(), theirs_after)


def _numpy(x):
    if isinstance(x, (tuple, list)):
        return type(x)(_numpy(v) for v in x)
    return x if x is None else x.detach().numpy()


# ======================================================================= autograd behaviour, side by side

def transcript_of(scenario):
    """Run ``scenario`` on both libraries; each returns a transcript (values, names, flags) to compare."""
    ours, theirs = scenario(nbgrad), scenario(torch)
    assert_transcripts_equal(ours, theirs)


def assert_transcripts_equal(ours, theirs, where="transcript"):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, (tuple, list)) and len(ours) == len(theirs), f"{where}: {ours!r} != {theirs!r}"
        for i, (o, t) in enumerate(zip(ours, theirs)):
            assert_transcripts_equal(o, t, f"{where}[{i}]")
    elif hasattr(theirs, "detach"):
        assert_close(ours, theirs, where)
    elif isinstance(theirs, str):
        assert ours == as_nbgrad(theirs), where
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-6), where
    else:
        assert ours == theirs, where


def test_hook_return_value_replaces_the_gradient_and_remove_takes_it_away():
    def scenario(L):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        h1 = a.register_hook(lambda g: g * 10)
        h2 = a.register_hook(lambda g: seen.append(g.clone()))  # sees the replaced gradient, returns None
        (a * a).sum().backward()
        first = a.grad.clone()
        h1.remove()
        h1.remove()  # a second remove is harmless
        a.grad = None
        (a * a).sum().backward()
        h2.remove()
        b = a * 3
        b.register_hook(lambda g: g + 1)  # on a non-leaf: changes what flows on
        b.sum().backward()
        return first, seen, a.grad

    transcript_of(scenario)


def test_hooks_fire_in_pytorchs_order_on_a_graph_with_shared_nodes():
    def scenario(L):
        order = []

        def hook(name):
            return lambda g: order.append((name, g.tolist()))

        a = L.tensor([1.0, 2.0], requires_grad=True)
        a.register_hook(hook("a"))
        b = a + a
        b.register_hook(hook("b"))
        c = b * b
        c.register_hook(hook("c"))
        c.sum().backward()

        x, y = L.tensor([1.0, 2.0], requires_grad=True), L.tensor([3.0, 4.0], requires_grad=True)
        x.register_hook(hook("x"))
        y.register_hook(hook("y"))
        u, v, w = x * y, x.exp(), y.sin()
        for name, t in (("u", u), ("v", v), ("w", w)):
            t.register_hook(hook(name))
        z = (u + v) * w + u
        z.register_hook(hook("z"))
        z.sum().backward()
        return order

    transcript_of(scenario)


def test_retain_grad_and_accumulation_across_backward_calls():
    def scenario(L):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        b = a * 2
        b.retain_grad()
        c = b * b
        loss = c.sum()
        loss.backward(retain_graph=True)
        first = (a.grad.clone(), b.grad.clone())
        held = a.grad
        loss.backward()  # the same graph again: both accumulate
        (a * 3).sum().backward()  # a new graph: a accumulates again
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            c_grad = c.grad
        return (first, a.grad, b.grad, held is a.grad, b.retains_grad, c.retains_grad, c_grad, a.is_leaf,
                b.is_leaf)

    transcript_of(scenario)


def test_integer_gradient_is_cast_to_the_output_dtype():
    def scenario(L):
        a = L.tensor([1.0, 2.0], requires_grad=True)
        (a * 2).backward(L.tensor([1, 3]))
        return a.grad

    transcript_of(scenario)


def test_backward_inputs_limits_accumulation_and_retains_non_leaf_grads():
    def scenario(L):
        a, b = L.tensor([1.0, 2.0], requires_grad=True), L.tensor([3.0, 4.0], requires_grad=True)
        m = a * b
        out = m.exp().sum()
        out.backward(inputs=[m, b], retain_graph=True)
        after_first = (a.grad, b.grad.clone(), m.grad.clone(), m.retains_grad)
        out.backward(inputs=a)
        return after_first, a.grad, b.grad, m.grad

    transcript_of(scenario)


def test_grad_allow_unused_and_materialize_grads():
    def scenario(L):
        a, b = L.tensor([1.0, 2.0], requires_grad=True), L.tensor([3.0], requires_grad=True)
        y = (a * a).sum()
        unused = L.autograd.grad(y, [a, b], retain_graph=True, allow_unused=True)
        zeros = L.autograd.grad(y, [b, a], retain_graph=True, materialize_grads=True)
        through_non_leaf = L.autograd.grad(y, a * 1, allow_unused=True)  # a * 1 is not in y's graph
        return unused, zeros, through_non_leaf, a.grad, b.grad

    transcript_of(scenario)


def test_hessian_vector_product_and_gradient_of_a_gradient():
    def scenario(L):
        x = L.tensor([0.5, -1.0, 2.0], dtype=L.float64, requires_grad=True)
        W = L.tensor([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]], dtype=L.float64, requires_grad=True)
        y = ((W @ x).tanh() ** 2).sum() + (x * x.sin()).sum()
        (g,) = L.autograd.grad(y, x, create_graph=True)
        v = L.tensor([1.0, 0.5, -2.0], dtype=L.float64)
        hvp_x, hvp_w = L.autograd.grad((g * v).sum(), [x, W], retain_graph=True)
        g.sum().backward()  # .grad of the leaves gets d/dx of the gradient's sum
        third = L.autograd.grad(L.autograd.grad(x.sin().sum(), x, create_graph=True)[0].sum(), x,
                                create_graph=True)[0]
        return g, hvp_x, hvp_w, x.grad, W.grad, third, graph(g.grad_fn, [x, W])[0]

    transcript_of(scenario)


def test_grad_modes_nest_and_work_as_decorators():
    def scenario(L):
        a = L.tensor([1.0], requires_grad=True)
        log = []
        with L.no_grad():
            log.append((a * 2).requires_grad)
            with L.enable_grad():
                log.append((a * 2).requires_grad)
                with L.set_grad_enabled(False):
                    log.append((a * 2).requires_grad)
                log.append(L.is_grad_enabled())
            log.append(L.is_grad_enabled())
        log.append(L.is_grad_enabled())

        @L.no_grad()
        def called(x):
            return x * 2

        @L.no_grad
        def bare(x):
            return x * 2

        @L.enable_grad()
        def enabled(x):
            return x * 2

        @L.set_grad_enabled(False)
        def disabled(x):
            return x * 2

        log.append(L.is_grad_enabled())  # decorating with set_grad_enabled(False) leaves the mode alone
        log += [called(a).requires_grad, bare(a).requires_grad, disabled(a).requires_grad]
        with L.no_grad():
            log.append(enabled(a).requires_grad)
        L.set_grad_enabled(False)  # as a plain call it takes effect at once
        log.append(L.is_grad_enabled())
        L.set_grad_enabled(True)
        try:
            with L.no_grad():
                raise KeyError("inside")
        except KeyError:
            pass
        log.append(L.is_grad_enabled())  # an exception restores the mode
        with L.no_grad():
            b = a * 2
        log += [b.requires_grad, b.grad_fn, b.is_leaf, (a.detach() * 2).requires_grad]
        return log

    transcript_of(scenario)


def test_custom_function_name_needs_input_grad_and_saved_tensors():
    def scenario(L):
        log = []

        class Cube(L.autograd.Function):
            @staticmethod
            def forward(ctx, x, k, y):
                ctx.save_for_backward(x, y)
                ctx.k = k
                log.append(("forward", ctx.needs_input_grad))
                return x ** 3 * k + y

            @staticmethod
            def backward(ctx, g):
                x, y = ctx.saved_tensors
                log.append(("backward", ctx.needs_input_grad, len(ctx.saved_tensors)))
                return g * 3 * x ** 2 * ctx.k, None, g if ctx.needs_input_grad[2] else None

        x, y = L.tensor([1.0, 2.0], requires_grad=True), L.tensor([1.0, -1.0])
        out = Cube.apply(x, 2.0, y)
        log += [out.grad_fn.name(), type(out.grad_fn).__name__, graph(out.grad_fn, [x, y]), out.is_leaf,
                out.requires_grad]
        out.sum().backward()
        log.append(x.grad)
        with L.no_grad():
            quiet = Cube.apply(x, 2.0, y)
        log += [quiet.requires_grad, quiet.grad_fn]
        try:
            out.grad_fn.saved_tensors
        except RuntimeError as error:
            log.append(str(error))  # freed by backward
        second = Cube.apply(x, 1.0, L.tensor([0.0, 0.0], requires_grad=True))
        (g,) = L.autograd.grad(second.sum(), x, create_graph=True)
        log.append(L.autograd.grad(g.sum(), x)[0])  # backward written with tensor ops is differentiable
        return log

    transcript_of(scenario)


def test_version_counters_and_views_follow_pytorch():
    def scenario(L):
        x = L.ones(3)
        log = [x._version]
        x.add_(1)
        x[0] = 5.0
        x.mul_(2)
        log.append(x._version)
        view = x[1:]
        view.add_(1)
        x.detach().add_(1)
        log += [x._version, view._version, x]
        a = L.ones(2, requires_grad=True)
        y = a * 1
        y.sub_(3)
        y[1] = 0.0
        log += [y._version, graph(y.grad_fn, [a])]
        return log

    transcript_of(scenario)


def test_integer_results_of_differentiable_inputs_have_no_history():
    def scenario(L):
        a = L.tensor([1.5, -2.0], requires_grad=True)
        results = [a.long(), a.argmax(), a > 0, a.max(0).indices, a.to(L.bool)]
        return [(r.requires_grad, r.grad_fn, r.is_leaf, r) for r in results]

    transcript_of(scenario)


def test_non_leaf_grad_warning_starts_with_pytorchs_text():
    messages = []
    for L in LIBS:
        b = L.tensor([1.0], requires_grad=True) * 2
        with pytest.warns(UserWarning) as record:
            assert b.grad is None
        messages.append(str(record[0].message))
    ours, theirs = messages
    assert theirs.startswith(ours) and ours.endswith("make sure you access the leaf Tensor instead.")


def test_anomaly_mode_changes_the_in_place_hint_as_pytorch_does():
    messages = []
    for L in LIBS:
        a = L.tensor([1.0, 2.0], requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # both warn that anomaly mode is slow, and where forward ran
            with L.autograd.detect_anomaly():
                b = a.exp()
                b.add_(1)
                with pytest.raises(RuntimeError) as info:
                    b.sum().backward()
        messages.append(str(info.value))
    ours, theirs = messages
    assert re.sub(r" It was saved by \w+\.", "", ours) == as_nbgrad(theirs)


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("op", ["max", "min"])
def test_saved_values_read_as_in_pytorch(op, keepdim):
    """``_saved_<name>`` of nodes that keep more than tensors: parameters as numbers and indices as Tensors."""
    data = [[1.0, 5.0, 2.0], [3.0, 2.0, 7.0]]
    mine, theirs = (lib.tensor(data, requires_grad=True) for lib in (nbgrad, torch))
    m, t = (getattr(x, op)(dim=1, keepdim=keepdim).values.grad_fn for x in (mine, theirs))
    np.testing.assert_array_equal(array(m._saved_indices), t._saved_indices.numpy())
    assert m._saved_dim == t._saved_dim and m._saved_keepdim == t._saved_keepdim
    a, b = (x.add(x, alpha=3).grad_fn._saved_alpha for x in (mine, theirs))
    assert a == b
    targets = [1, 2]
    losses = (lib.nn.functional.cross_entropy(x, lib.tensor(targets)) for lib, x in ((nbgrad, mine), (torch, theirs)))
    got, want = (loss.grad_fn._saved_target for loss in losses)
    np.testing.assert_array_equal(array(got), want.numpy())
