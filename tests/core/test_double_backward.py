"""Double backward looks like PyTorch's: the graph a gradient carries under ``create_graph=True``.

For every expression of test_torch_parity.py's ``OPS`` (every primitive nbgrad registers, the activations
and losses of ``nn.functional`` among them) and a few more below, both libraries compute
``g = autograd.grad(out, inputs, v, create_graph=True)`` and these must agree:

* g's values and ``g.requires_grad``;
* g's whole graph, walked breadth first from ``g.grad_fn`` through ``next_functions`` (children in order,
  a node met again named by its number, ``AccumulateGrad`` by the input it belongs to): where PyTorch
  computes a backward with one named function (``tanh_backward``), the gradient's node is that function's
  (``TanhBackwardBackward0``), not the primitives of a formula;
* the second derivatives, grad of Σ g, in float64 to 1e-10.

Each expression runs twice: with a constant ``v``, as ``g.sum().backward()`` after a first ``grad`` does, and
with a ``v`` that requires grad, as in a Hessian-vector product by double backward (gradgradcheck): then
also the nodes a rule builds from the incoming gradient alone are recorded.

``STILL_DIFFERENT`` lists, with the reason, the expressions whose gradient graph still differs; each must
still differ (a fixed one is taken off the list). docs/differences.md says the same in words.
"""
import numpy as np
import pytest

import nbgrad
from test_torch_parity import OPS, V3, X, Y, array, as_nbgrad, assert_close, const, inputs_for, spec

pytestmark = pytest.mark.torch


# More cases for the rules this file is about: kinks, parameters, the nn.functional spellings.
EXTRA = {
    "relu at its kink": ((X,), lambda L, x: (x * 0).relu() * x),
    "functional sigmoid and tanh": ((X,), lambda L, x: L.nn.functional.sigmoid(x) * L.nn.functional.tanh(x)),
    "softplus at its threshold": ((X,), lambda L, x: L.nn.functional.softplus(x * 0 + 10, 2, 20)),
    "softplus negative beta": ((X,), lambda L, x: L.nn.functional.softplus(x, -1.5, 0.5)),
    "tanh of tanh": ((X,), lambda L, x: x.tanh().tanh()),
    "sigmoid times input": ((X,), lambda L, x: x.sigmoid() * x),
    "softmax dim 0": ((spec((2, 3, 2)),), lambda L, x: L.softmax(x, 0) * x),
    "log_softmax of a vector": ((V3,), lambda L, x: L.nn.functional.log_softmax(x, -1)),
    "mse_loss none": ((X, Y), lambda L, x, y: L.nn.functional.mse_loss(x, y, reduction="none")),
    "mse_loss of a constant input": ((const((2, 3)), Y), lambda L, c, y: L.nn.functional.mse_loss(c, y)),
    "nll_loss weighted, ignore_index": ((spec((3, 4)), ("int", (3,), 0, 4, False)),
                                        lambda L, x, t: L.nn.functional.nll_loss(
                                            x, t, weight=L.tensor([0.5, 1.0, 2.0, 1.5], dtype=L.float64),
                                            ignore_index=1)),
    "cross_entropy sum": ((X, ("int", (2,), 0, 3, False)),
                          lambda L, x, t: L.nn.functional.cross_entropy(x, t, reduction="sum")),
    "bce with logits, weight, target requires grad": (
        (X, spec((2, 3), 0.0, 1.0)),
        lambda L, x, y: L.nn.functional.binary_cross_entropy_with_logits(
            x, y, weight=L.tensor([0.5, 1.0, 2.0], dtype=L.float64))),
    "bce with logits, pos_weight, target requires grad": (
        (X, spec((2, 3), 0.0, 1.0)),
        lambda L, x, y: L.nn.functional.binary_cross_entropy_with_logits(
            x, y, reduction="sum", pos_weight=L.tensor([0.5, 1.0, 2.0], dtype=L.float64))),
    "nll_loss of a vector": ((V3, ("int", (), 0, 3, False)), lambda L, x, t: L.nn.functional.nll_loss(x, t)),
}
CASES = {**OPS, **EXTRA}

# Expressions whose gradient's graph still differs from PyTorch's, and why.
SUM_TO = "the engine sums a broadcast gradient back with SumBackward1 only; PyTorch's sum_to adds ViewBackward0"
KEPT_DIM = "a reduced dim is put back with view (ViewBackward0); PyTorch unsqueezes (UnsqueezeBackward0)"
MASKED_FILL = "a zero norm is masked with where() (WhereBackward0); PyTorch's masked_fill (MaskedFillBackward0)"
STILL_DIFFERENT = {
    "in place through a view": "CopySlices' own backward is recorded as IndexBackward0/IndexPutBackward0 on the "
                               "flattened gradient; PyTorch's as CopyBackwards, an as_strided view and CopySlices",
    "in place through a view of a constant": "as 'in place through a view'",
    "mul": SUM_TO,
    "logaddexp": SUM_TO,
    "mul_ on a non-leaf": SUM_TO + "; PyTorch's mul_ also saves a clone of self (CloneBackward0)",
    "pow 0-dim tensor": "summing a gradient back to a 0-d input is SumBackward1 here, SumBackward0 in PyTorch",
    "div": "∂/∂b is -g·a/(b·b) here, -g·((a/b)/b) in PyTorch",
    "remainder tensor": "⌊a/b⌋ is a constant here; PyTorch records div(rounding_mode='floor') (DivBackward2, "
                        "derivative 0)",
    "var": "the mean is MeanBackward1 (PyTorch: MeanBackward0) and 2/(n - 1) a tensor, not a scalar",
    "var dim biased": "2/n is a tensor factor here (MulBackward0), a scalar in PyTorch",
    "std": "the zero-std mask is where() (WhereBackward0); PyTorch's masked_fill (MaskedFillBackward0)",
    "std dim": "the zero-std mask is where() (WhereBackward0); PyTorch's masked_fill (MaskedFillBackward0)",
    "prod dim": KEPT_DIM,
    "logsumexp": KEPT_DIM,
    "composite": "div's ∂/∂b (above); sum(1)'s gradient is put back with view, PyTorch unsqueezes",
    "bce with logits, pos_weight, target requires grad": "∂/∂target is built from log and exp here; PyTorch's "
                                                          "from log_sigmoid (LogSigmoidBackward0), no op of nbgrad's",
    "linear": "∂/∂weight is transposed with transpose(0, 1) (TransposeBackward0); PyTorch's t() (TBackward0)",
    "batch_norm training": "batch_norm's backward is recorded as its formula's ops (MeanBackward1, PowBackward0, "
                           "...); PyTorch's as one NativeBatchNormBackwardBackward0",
    "batch_norm eval": "as batch_norm training",
    "batch_norm no affine": "as batch_norm training",
    "layer_norm": "layer_norm's backward is recorded as its formula's ops; PyTorch's as one "
                  "NativeLayerNormBackwardBackward0",
    "layer_norm two dims": "as layer_norm",
    "outer": SUM_TO,
    **dict.fromkeys(["norm", "norm p dim", "norm 1.5", "norm 0.5", "norm fro dims", "matrix_norm fro", "linalg.norm",
                     "dist", "dist p"], MASKED_FILL),
    "inverse batched": "a batched product in the rule is one BmmBackward0; PyTorch's matmul folds the batch "
                       "(ViewBackward0, ExpandBackward0, UnsafeViewBackward0 around it)",
    **dict.fromkeys(["linalg.det", "det batched"], "det's rule is g·det·A⁻ᵀ through inv (LinalgInvExBackward0); "
                                                   "PyTorch solves against a diagonal (LinalgSolveExBackward0, "
                                                   "DiagEmbedBackward0)"),
    "linalg.solve vector": "∂/∂A is an outer product of broadcast vectors (UnsqueezeBackward0, MulBackward0); PyTorch "
                           "makes the vectors matrices (UnsqueezeBackward0, SqueezeBackward1) and multiplies them "
                           "(MmBackward0)",
    "atan2": "1/(a² + b²) at a = b = 0 is masked to 0 with where() (WhereBackward0); PyTorch's masked_fill",
    "group_norm": "group_norm's backward is recorded as its formula's ops; PyTorch's as one "
                  "NativeGroupNormBackwardBackward0",
    "group_norm no affine": "as group_norm",
    "inner": "view's backward views a gradient that mm's rule made non-contiguous (ViewBackward0); PyTorch "
             "reshapes it (ReshapeAliasBackward0)",
    **dict.fromkeys(["var_mean", "std_mean"], "as var and std; the mean's share is divided by n after expanding "
                    "(DivBackward0 by a tensor; PyTorch's DivBackward1)"),
    "std_mean mean only": "the mean's share is divided by n after expanding (DivBackward0 by a tensor; PyTorch's "
                          "DivBackward1)",
    "aminmax dim": "ties share the gradient through a product with a mask (MulBackward0); PyTorch divides by their "
                   "count (DivBackward0)",
    **dict.fromkeys(["xlogy", "xlogy broadcast", "xlogy at zero"], "∂/∂a is masked to 0 where a = 0 and b ≤ 0 with "
                    "where() (WhereBackward0); PyTorch's masked_fill (MaskedFillBackward0)"),
}


# With a v that requires grad, these differ too (besides STILL_DIFFERENT), and why.
INDEXING = "indexing's backward is IndexPutBackward0; PyTorch's SelectBackwardBackward0, SliceBackwardBackward0, " \
           "IndexPutImplBackward0"
EXTREME = "a tie is split by a product with a mask (MulBackward0); PyTorch's masked_fill and division"
TRANSPOSE = "t()'s backward is transpose(0, 1) (TransposeBackward0); PyTorch's t() (TBackward0)"
ALSO_WITH_A_GRAD_THAT_REQUIRES_GRAD = {
    "add broadcast": SUM_TO,
    "clamp tensors": SUM_TO,
    "maximum": EXTREME + " (WhereBackward0, MaskedFillBackward0, DivBackward1)",
    "minimum": EXTREME + " (WhereBackward0, MaskedFillBackward0, DivBackward1)",
    "max": EXTREME + " (MaskedFillBackward1, DivBackward0)",
    "min": EXTREME + " (MaskedFillBackward1, DivBackward0)",
    "amax": EXTREME + " (MaskedFillBackward1, DivBackward0)",
    "amin": EXTREME + " (MaskedFillBackward1, DivBackward0)",
    "fmax": "the winner's mask is where() (WhereBackward0); PyTorch's masked_fill (MaskedFillBackward0)",
    "fmin": "as fmax",
    "max dim": "the gradient is placed by a product with a one-hot mask; PyTorch scatters it (ScatterBackward0)",
    "min dim keepdim": "as max dim",
    "max dim of 0-d": "as max dim",
    "min dim -1 keepdim of 0-d": "as max dim",
    "sum dim": KEPT_DIM,
    "sum empty dims": "sum over dims=[] reduces everything: its backward views the gradient first (ViewBackward0)",
    "mean": "the gradient is divided by n as a tensor before expanding; PyTorch expands, then DivBackward1",
    "mean dim": KEPT_DIM + "; divided by n as a tensor (PyTorch: DivBackward1)",
    "contiguous of transpose": TRANSPOSE,
    "t": TRANSPOSE,
    "squeeze": "squeeze's backward reshapes (ViewBackward0); PyTorch unsqueezes (UnsqueezeBackward0)",
    "squeeze dim": "squeeze's backward reshapes (ViewBackward0); PyTorch unsqueezes (UnsqueezeBackward0)",
    "conv2d unbatched": "as squeeze dim",
    "max_pool1d": "as squeeze dim",
    "avg_pool1d": "as squeeze dim",
    "adaptive_avg_pool2d 1x1": KEPT_DIM + "; divided by n as a tensor (PyTorch: DivBackward1)",
    "expand new dim": "expand's backward sums and reshapes; PyTorch's sum_to",
    "select": INDEXING,
    "select of vector": INDEXING,
    "select method": INDEXING,
    "narrow": INDEXING,
    "slice": INDEXING,
    "strided slice": INDEXING,
    "ellipsis select": INDEXING,
    "everything": INDEXING,
    "list index": INDEXING,
    "mask index": INDEXING,
    "chained index": INDEXING,
    "setitem": "indexed assignment's backward is IndexBackward0/IndexPutBackward0 on views; PyTorch's CopySlices, "
               "CopyBackwards, AsStridedBackward0",
    "setitem slice": "as setitem",
    "reshape that copies": TRANSPOSE,
    "reshape of a strided view": INDEXING,
    "view read after its base changed": "the old view's gradient is placed by IndexPutBackward0 and ViewBackward0; "
                                        "PyTorch's CopySlices and AsStridedBackward0",
    "addmm": SUM_TO,
    "addbmm": SUM_TO,
    "matrix_norm 1": EXTREME + " (amax's)",
    "matrix_norm -inf keepdim": EXTREME + " (amin's)",
    "linalg.norm inf": EXTREME + " (amax's)",
    "einsum trace": KEPT_DIM + " (sum's)",
    "einsum transpose sum": KEPT_DIM + " (sum's)",
    "ravel transposed": TRANSPOSE,
    **dict.fromkeys(["tensor_split", "tensor_split indices", "hsplit vsplit", "diff", "diff prepend"], INDEXING),
    "broadcast_to": "as expand new dim",
    "xlogy number other": "as xlogy",
    "xlogy number self": "the gradient times the number a is MulBackward0 with a constant; PyTorch's MulBackward1",
    "median": EXTREME + " (MaskedFillBackward1, DivBackward0)",
    "aminmax": EXTREME + " (DivBackward0)",
    "aminmax dim keepdim max only": EXTREME + " (DivBackward0); the output with no gradient adds zeros (AddBackward0)",
    **dict.fromkeys(["median dim", "median dim keepdim"], "as max dim"),
}


def walk(grad_fn, inputs):
    """A gradient's graph in a canonical order: breadth first, children in ``next_functions`` order.

    Each node is (name, children); a child is (its number in this order, input_nr), ``None`` for a
    constant, and ``AccumulateGrad`` is named with the position of its leaf among ``inputs``.
    """
    if grad_fn is None:
        return None
    numbers, order, queue = {grad_fn: 0}, [], [grad_fn]
    while queue:
        node = queue.pop(0)
        name = as_nbgrad(node.name())
        if name == "AccumulateGrad":
            order.append((name, next(i for i, t in enumerate(inputs) if t is node.variable)))
            continue
        children = []
        for child, nr in node.next_functions:
            if child is None:
                children.append(None)
                continue
            if child not in numbers:
                numbers[child] = len(numbers)
                queue.append(child)
            children.append((numbers[child], nr))
        order.append((name, tuple(children)))
    return order


def double_backward(L, fn, tensors, v_requires_grad):
    """g's values, requires_grad flags and graphs, then the second derivatives (grad of Σ g)."""
    out = fn(L, *tensors)
    v = L.tensor(np.random.default_rng(7).standard_normal(tuple(out.shape)), dtype=out.dtype,
                 requires_grad=v_requires_grad)
    diff = [t for t in tensors if t.requires_grad]
    grads = L.autograd.grad(out, diff, v, create_graph=True, allow_unused=True)
    flags = [None if g is None else g.requires_grad for g in grads]
    graphs = [None if g is None else walk(g.grad_fn, [*tensors, v]) for g in grads]
    terms = [g.sum() for g in grads if g is not None and g.requires_grad]
    second = L.autograd.grad(sum(terms), diff, allow_unused=True) if terms else [None] * len(diff)
    # None (nothing flows) and zeros (zeros flow) are the same second derivative
    second = [np.zeros(tuple(t.shape)) if h is None else array(h) for t, h in zip(diff, second)]
    return grads, flags, graphs, second


@pytest.mark.parametrize("v_requires_grad", [False, True], ids=["v constant", "v requires grad"])
@pytest.mark.parametrize("case_id", CASES)
def test_gradient_graph_and_second_derivatives_match_pytorch(case_id, v_requires_grad, torch):
    specs, fn = CASES[case_id]
    (grads, flags, graphs, second), (t_grads, t_flags, t_graphs, t_second) = (
        double_backward(L, fn, tensors, v_requires_grad)
        for L, tensors in zip((nbgrad, torch), inputs_for(case_id, specs)))
    assert_close(grads, t_grads, "gradients")
    assert_close(second, t_second, "second derivatives")
    known = {**STILL_DIFFERENT, **(ALSO_WITH_A_GRAD_THAT_REQUIRES_GRAD if v_requires_grad else {})}
    if case_id in known:
        assert (flags, graphs) != (t_flags, t_graphs), f"{case_id} now matches PyTorch: take it off the list"
    else:
        assert flags == t_flags, "requires_grad of the gradients"
        assert graphs == t_graphs


def test_still_different_names_only_known_cases():
    assert set(STILL_DIFFERENT) | set(ALSO_WITH_A_GRAD_THAT_REQUIRES_GRAD) <= set(CASES)


def test_a_plain_backward_records_nothing():
    """Without create_graph the rules run on arrays: the backward ops are not even called as ops."""
    x = nbgrad.tensor([-1.0, 0.5, 2.0], dtype=nbgrad.float64, requires_grad=True)
    (g,) = nbgrad.autograd.grad((x.tanh() + x.sigmoid() + x.relu()).sum(), x)
    assert not g.requires_grad and g.grad_fn is None


def test_relus_gradient_requires_grad_under_create_graph_as_in_pytorch(torch):
    for L in (nbgrad, torch):
        x = L.tensor([-1.0, 2.0], dtype=L.float64, requires_grad=True)
        (g,) = L.autograd.grad(x.relu().sum(), x, create_graph=True)
        assert g.requires_grad and as_nbgrad(g.grad_fn.name()) == "ThresholdBackwardBackward0"
        (h,) = L.autograd.grad(g.sum(), x)
        assert h.tolist() == [0.0, 0.0]
