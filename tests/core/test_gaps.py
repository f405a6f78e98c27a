"""Issue 12's gaps: PyTorch names a beginner meets that are thin functions of others (aliases, stacking and
splitting, layout queries, dtype rules, nan-ignoring reductions, random draws and the generator's state),
compared with PyTorch: values, dtypes, layouts and errors (type and message). Their graphs and derivatives
are compared in test_torch_parity.py's OPS, the gradients of their primitives in test_ops_gaps.py."""
import numpy as np
import pytest

import nbgrad

torch = pytest.importorskip("torch", reason="PyTorch not installed: these tests compare with it")
pytestmark = pytest.mark.torch
LIBS = (nbgrad, torch)


def same(ours, theirs, what=""):
    """nbgrad's result equals PyTorch's: tensors (value, dtype, shape), tuples of them, or plain values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, nbgrad.Tensor), what
        assert repr(ours.dtype) == repr(theirs.dtype).replace("torch.", "nbgrad."), what
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-12, err_msg=what)
        assert ours.shape == tuple(theirs.shape), what
    elif isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs), what
        for i, (a, b) in enumerate(zip(ours, theirs)):
            same(a, b, f"{what}[{i}]")
    elif isinstance(theirs, torch.dtype):
        assert repr(ours) == repr(theirs).replace("torch.", "nbgrad."), what
    else:
        assert ours == theirs, what


def run(expr, L):
    x = L.arange(24.0).reshape(2, 3, 4)
    v = L.tensor([3.0, float("nan"), -1.0, 2.0])
    i = L.tensor([[1, 2, 3], [4, 5, 6]])
    return eval(expr, {"L": L, "x": x, "v": v, "i": i})


VALUES = [
    # layout: strides in elements, offsets into the storage, contiguity
    "x.stride()", "x.stride(1)", "x.stride(-1)", "x.transpose(0, 2).stride()", "x[:, 1:].storage_offset()",
    "x[1, 2].storage_offset()", "x[:, :, ::2].stride()", "x.expand(2, 2, 3, 4).stride()", "x[:, 1].is_contiguous()",
    "x.is_contiguous()", "x.transpose(1, 2).is_contiguous()", "x.narrow(2, 1, 2).storage_offset()",
    "x.storage_offset()", "L.tensor(1.0).stride()", "x[0].t().stride()", "x.ndimension()", "L.tensor(2).ndimension()",
    "x.reshape(6, 4)[2:].storage_offset()", "x.unbind(1)[2].storage_offset()",
    # aliases
    "x.greater(10)", "x.greater_equal(11)", "x.less(5)", "x.less_equal(5)", "x.not_equal(x.flip(0))",
    "x.multiply(2)", "x.subtract(1, alpha=3)", "L.multiply(i, 2)", "L.subtract(i, 1)", "L.absolute(-x)",
    "L.negative(i)", "L.concatenate([x, x], 1)", "L.ravel(x.transpose(0, 1))", "L.swapaxes(x, 0, 1)",
    # shape
    "x.movedim(0, -1)", "L.movedim(x, (0, 1), (2, 0))", "L.moveaxis(x, [2], [0])", "L.tensor(1.0).movedim(0, -1)",
    "x.unflatten(-1, (2, 2))", "L.unflatten(x, 1, (1, -1, 1))", "L.hstack([i, i])", "L.hstack([v, v])",
    "L.vstack([v, v])", "L.vstack([L.tensor(1), L.tensor(2)])", "L.dstack([v, v])", "L.dstack([i, i])",
    "L.column_stack([v, v])", "L.column_stack([i.t(), L.tensor([1, 2, 3])])", "L.row_stack((i, i))",
    "L.hstack([i, i.double()])", "L.tensor_split(L.arange(7), 3)", "L.tensor_split(L.arange(7), [1, 5])",
    "L.tensor_split(L.arange(7), L.tensor([2, 9]))", "L.tensor_split(L.arange(7), L.tensor(2))",
    "x.tensor_split((3, 1), 2)", "x.tensor_split(5, dim=-2)", "L.hsplit(x, 3)", "L.hsplit(v, [1])",
    "L.vsplit(x, [1])", "x.vsplit(2)", "L.broadcast_to(v, (2, 4))", "L.broadcast_tensors(x, v, L.tensor(1))",
    "L.broadcast_shapes((2, 1), (3,), 1)", "L.broadcast_shapes()", "L.broadcast_shapes((0, 1), (2,))",
    # math
    "L.float_power(i, 2)", "L.float_power(x, -0.5)", "x.float_power(i[0, 0])", "L.float_power(2, i)",
    "L.vdot(v.nan_to_num(), v.flip(0).nan_to_num())", "L.inner(x, x)", "L.inner(i, i)",
    "L.tensordot(x, x, 0).shape", "L.tensordot(x, x, ([0, 1], [0, 1]))", "L.tensordot(i, i, L.tensor([[0], [0]]))",
    "L.tensordot(x, x, 3)", "L.nansum(v)", "v.nansum(0, keepdim=True)", "L.nansum(i)", "L.nansum(x, (0, 2))", "L.nansum(L.tensor(2.0), 0)", "L.nansum(x, ())", "L.nansum(x, None, True)",
    "L.nansum(i.bool())", "L.nansum(v, dtype=L.float64)", "L.nanmean(v)", "x.nanmean(1)",
    "L.nanmean(L.tensor([float('nan')]))", "L.diff(v)", "L.diff(i, n=2, dim=0)",
    "L.diff(x, 3)", "L.diff(x, n=0)", "L.diff(i, append=i, dim=0)", "L.diff(L.tensor([True, False, False]))",
    "L.diff(i, prepend=L.tensor([[0], [1]]))",
    # dtypes and creation
    "L.result_type(i, 1.0)", "L.result_type(x, i)", "L.result_type(1, 2)", "L.result_type(L.tensor(1.0), i)",
    "L.result_type(True, i)", "L.can_cast(L.float32, L.int32)", "L.can_cast(L.int64, L.float16)",
    "L.can_cast(L.bool, L.uint8)", "L.can_cast(L.int8, L.bool)", "L.logspace(0, 2, 3)", "L.logspace(-1, 1, 5, base=2)",
    "L.logspace(0, 3, 4, dtype=L.int64)", "L.logspace(0, 1, 0)", "L.logspace(1, 1, 1, dtype=L.float64)",
]


@pytest.mark.parametrize("expr", VALUES)
def test_values_match_pytorch(expr):
    same(run(expr, nbgrad), run(expr, torch), expr)


def test_broadcast_tensors_keeps_a_tensor_already_of_the_shape():
    for L in LIBS:
        x = L.zeros(2, 3)
        assert L.broadcast_tensors(x, L.zeros(3))[0] is x


ERRORS = [
    "x.unflatten(1, (2, 2))", "x.unflatten(1, ())", "x.movedim(0, 5)",
    "x.movedim((0, 1), (0,))", "x.movedim((0, 0), (0, 1))", "x.movedim((0, 1), (2, 2))", "L.hstack([])",
    "L.vstack(x)", "x.tensor_split(0)", "L.tensor(1.0).tensor_split(2)", "L.hsplit(x, 2)", "x.vsplit(0)",
    "L.vsplit(v, 1)", "L.hsplit(L.tensor(1.0), 1)", "L.broadcast_shapes((2, 3), (4,))", "L.broadcast_to(x, (2,))",
    "L.tensordot(x, x, ([1], [0]))", "L.tensordot(x, x, 4)", "L.tensordot(x, x, -1)",
    "L.tensordot(x, x, ([0, 1], [0]))", "L.inner(x, L.ones(3))", "L.inner(x, 2.0)", "L.vdot(x, x)", "L.nanmean(i)", "L.nanmean(i, dtype=L.float32)",
    "L.float_power(1, 2)", "L.diff(L.tensor(1.0))", "x.stride(3)", "L.tensor(1.0).stride(0)",
    "L.broadcast_shapes((-1,), (2,))",
]


@pytest.mark.parametrize("expr", ERRORS)
def test_errors_match_pytorch(expr):
    caught = []
    for L in LIBS:
        with pytest.raises(Exception) as info:
            run(expr, L)
        caught.append(info.value)
    ours, theirs = caught
    assert type(ours) is type(theirs), f"{type(ours).__name__}: {ours}"
    assert str(ours) == str(theirs).replace("torch.", "nbgrad."), expr
