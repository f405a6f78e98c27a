"""Gradients of the convolution, pooling, normalization and padding primitives (nbgrad.ops.conv), checked
against finite differences (first and second derivatives) over generated small shapes, and their forwards
against plain NumPy loops written from the definitions."""
import itertools

import numpy as np
import pytest
from hypothesis import given, strategies as st

import nbgrad
import nbgrad.nn.functional as F
from helpers import SETTINGS, arrays, check_grad, floats, on_grid
from nbgrad.ops import conv as C
from test_ops_grad import covers


def _naive_conv(x, w, b, stride, padding, dilation, groups):
    """The definition, one output element at a time."""
    d = x.ndim - 2
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    n, c = x.shape[:2]
    o, cg = w.shape[:2]
    kernel = w.shape[2:]
    out = [(xp.shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(d)]
    y = np.zeros((n, o, *out))
    for idx in itertools.product(range(n), range(o), *(range(m) for m in out)):
        b_, o_, pos = idx[0], idx[1], idx[2:]
        g = o_ // (o // groups)
        total = 0.0 if b is None else b[o_]
        for ci in range(cg):
            for k in itertools.product(*(range(m) for m in kernel)):
                at = tuple(p * s + kk * dl for p, s, kk, dl in zip(pos, stride, k, dilation))
                total += w[(o_, ci) + k] * xp[(b_, g * cg + ci) + at]
        y[idx] = total
    return y


@st.composite
def convolutions(draw, d):
    groups = draw(st.sampled_from([1, 2]))
    c, o = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d))
    padding = tuple(draw(st.integers(0, 1)) for _ in range(d))
    size = tuple(dl * (k - 1) + 1 - 2 * p + draw(st.integers(0, 2)) for k, dl, p in zip(kernel, dilation, padding))
    size = tuple(max(s, 1) for s in size)
    n = draw(st.integers(1, 2))
    x = draw(arrays((n, c) + size))
    w = draw(arrays((o, c // groups) + kernel))
    b = draw(st.none() | arrays((o,)))
    return x, w, b, stride, padding, dilation, groups


@covers(C.Convolution, C.ConvolutionBackward)
@given(case=convolutions(2))
@SETTINGS
def test_conv2d(case):
    x, w, b, stride, padding, dilation, groups = case

    def reference(*a):
        return _naive_conv(a[0], a[1], a[2] if b is not None else None, stride, padding, dilation, groups)

    def fn(*t):
        return F.conv2d(t[0], t[1], t[2] if b is not None else None, stride, padding, dilation, groups)

    check_grad(fn, *([x, w] if b is None else [x, w, b]), reference=reference)


@covers(C.Convolution)
@given(case=convolutions(1))
@SETTINGS
def test_conv1d(case):
    x, w, b, stride, padding, dilation, groups = case

    def reference(*a):
        return _naive_conv(a[0], a[1], a[2] if b is not None else None, stride, padding, dilation, groups)

    def fn(*t):
        return F.conv1d(t[0], t[1], t[2] if b is not None else None, stride, padding, dilation, groups)

    check_grad(fn, *([x, w] if b is None else [x, w, b]), reference=reference)


@covers(C.Convolution, C.ConstantPadNd)
@given(data=st.data(), kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)), dilation=st.integers(1, 2))
@SETTINGS
def test_conv2d_same_padding(data, kernel, dilation):
    """'same' keeps the size; an odd total padding puts the extra zero on the right (a ConstantPadNd first)."""
    x = data.draw(arrays((1, 2, 4, 5)))
    w = data.draw(arrays((2, 2) + kernel))
    if all(dilation * (k - 1) % 2 == 0 for k in kernel):  # symmetric: no pad node (the covers need one)
        kernel = (2, kernel[1])
        w = data.draw(arrays((2, 2) + kernel))

    def reference(a, b):
        total = [dilation * (k - 1) for k in kernel]
        xp = np.pad(a, [(0, 0), (0, 0)] + [(t // 2, t - t // 2) for t in total])
        return _naive_conv(xp, b, None, (1, 1), (0, 0), (dilation, dilation), 1)

    check_grad(lambda a, b: F.conv2d(a, b, padding="same", dilation=dilation), x, w, reference=reference)


def _naive_pool(x, kernel, stride, padding, dilation, ceil_mode, reduce, fill):
    """The definition of max (or, with dilation 1, average with count_include_pad) pooling, window by window."""
    out = C.pool_out_size(x.shape[-2:], kernel, stride, padding, dilation, ceil_mode)
    y = np.zeros(x.shape[:-2] + out)
    h, w = x.shape[-2:]
    for i, j in itertools.product(range(out[0]), range(out[1])):
        rows = [i * stride[0] - padding[0] + k * dilation[0] for k in range(kernel[0])]
        cols = [j * stride[1] - padding[1] + k * dilation[1] for k in range(kernel[1])]
        y[..., i, j] = reduce(x, rows, cols, h, w, padding, fill)
    return y


def _window_max(x, rows, cols, h, w, padding, fill):
    inside = [x[..., r, c] for r in rows for c in cols if 0 <= r < h and 0 <= c < w]
    return np.max(np.stack(inside, -1), -1)


@st.composite
def poolings(draw, dilated=True):
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2)) if dilated else (1, 1)
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    ceil_mode = draw(st.booleans())
    # every window reaches the image (one made of padding only is -inf, where differences mean nothing)
    size = tuple(dl * (k - 1) + 1 + draw(st.integers(0, 2)) for k, dl in zip(kernel, dilation))
    lead = draw(st.sampled_from([(1,), (2,), (1, 2), (2, 1)]))
    return lead + size, kernel, stride, padding, dilation, ceil_mode


@covers(C.MaxPool2DWithIndices, C.MaxPool2DWithIndicesBackward)
@given(data=st.data(), case=poolings())
@SETTINGS
def test_max_pool2d(data, case):
    shape, kernel, stride, padding, dilation, ceil_mode = case
    # distinct values: no window has a tie for its maximum that a finite difference could break
    x = data.draw(arrays(shape, on_grid(0.01), unique=True))

    def fn(a):
        return F.max_pool2d(a, kernel, stride, padding, dilation, ceil_mode)

    check_grad(fn, x, reference=lambda a: _naive_pool(a, kernel, stride, padding, dilation, ceil_mode, _window_max,
                                                      None))


def test_max_pool2d_ties_and_nan_choose_the_first():
    """NOTE: the first maximum of a window gets the gradient, and a NaN beats every number, as in PyTorch."""
    x = nbgrad.tensor([[[[1.0, 3.0], [3.0, 2.0]], [[1.0, float("nan")], [5.0, float("nan")]]]], requires_grad=True)
    out, indices = F.max_pool2d(x, 2, return_indices=True)
    assert indices.tolist() == [[[[1]], [[1]]]]
    out.sum().backward()
    assert x.grad.tolist() == [[[[0.0, 1.0], [0.0, 0.0]], [[0.0, 1.0], [0.0, 0.0]]]]


def _window_mean(count_include_pad, divisor_override):
    def reduce(x, rows, cols, h, w, padding, fill):
        inside = [x[..., r, c] for r in rows for c in cols if 0 <= r < h and 0 <= c < w]
        # the window's size is counted up to the padding's end, not beyond (ceil mode), as PyTorch does
        rows_in = [r for r in rows if r < h + padding[0]]
        cols_in = [c for c in cols if c < w + padding[1]]
        if divisor_override:
            count = divisor_override
        elif count_include_pad:
            count = len(rows_in) * len(cols_in)
        else:
            count = len(inside)
        return np.sum(np.stack(inside, -1), -1) / count

    return reduce


@covers(C.AvgPool2D, C.AvgPool2DBackward)
@given(data=st.data(), case=poolings(dilated=False), count_include_pad=st.booleans(),
       divisor_override=st.sampled_from([None, None, 3]))
@SETTINGS
def test_avg_pool2d(data, case, count_include_pad, divisor_override):
    shape, kernel, stride, padding, dilation, ceil_mode = case
    x = data.draw(arrays(shape))

    def fn(a):
        return F.avg_pool2d(a, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)

    reference = _window_mean(count_include_pad, divisor_override)
    check_grad(fn, x, reference=lambda a: _naive_pool(a, kernel, stride, padding, dilation, ceil_mode, reference, 0))


def _adaptive_reference(x, out):
    h, w = x.shape[-2:]
    y = np.zeros(x.shape[:-2] + out)
    for i, j in itertools.product(range(out[0]), range(out[1])):
        r0, r1 = (i * h) // out[0], -((-(i + 1) * h) // out[0])
        c0, c1 = (j * w) // out[1], -((-(j + 1) * w) // out[1])
        y[..., i, j] = x[..., r0:r1, c0:c1].mean(axis=(-1, -2))
    return y


@covers(C.AdaptiveAvgPool2D, C.AdaptiveAvgPool2DBackward)
@given(data=st.data(), lead=st.sampled_from([(1,), (2,), (2, 1)]), size=st.tuples(st.integers(1, 5), st.integers(1, 5)))
@SETTINGS
def test_adaptive_avg_pool2d(data, lead, size):
    out = tuple(data.draw(st.integers(1, n + 1)) for n in size)
    if out == (1, 1):  # a mean over the image, as PyTorch records it (MeanBackward1), not this op
        out = (2, 1)
    x = data.draw(arrays(lead + size))
    check_grad(lambda a: F.adaptive_avg_pool2d(a, out), x, reference=lambda a: _adaptive_reference(a, out))


def _normalized(x, axes, eps):
    mean = x.mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)


@covers(C.NativeBatchNorm)
@given(data=st.data(), shape=st.sampled_from([(3, 2), (2, 3, 2), (2, 2, 2, 2), (4, 1, 1, 2)]), affine=st.booleans(),
       training=st.booleans())
@SETTINGS
def test_batch_norm(data, shape, affine, training):
    x = data.draw(arrays(shape))
    c = shape[1]
    running_mean, running_var = data.draw(arrays((c,))), data.draw(arrays((c,), floats(0.5, 2.0)))
    w, b = data.draw(arrays((c,))), data.draw(arrays((c,)))
    axes = (0,) + tuple(range(2, len(shape)))
    view = (1, c) + (1,) * (len(shape) - 2)

    def fn(a, *wb):
        stats = [None, None] if training else [nbgrad.tensor(running_mean, dtype=a.dtype),
                                               nbgrad.tensor(running_var, dtype=a.dtype)]
        return F.batch_norm(a, *stats, *(wb or (None, None)), training=training, eps=1e-3)

    def reference(a, *wb):
        if training:
            y = _normalized(a, axes, 1e-3)
        else:
            y = (a - running_mean.reshape(view)) / np.sqrt(running_var.reshape(view) + 1e-3)
        return y * wb[0].reshape(view) + wb[1].reshape(view) if wb else y

    check_grad(fn, x, *((w, b) if affine else ()), reference=reference)


def test_batch_norm_updates_the_running_statistics():
    """In training, running = (1 - momentum)·running + momentum·batch, with the batch's unbiased variance."""
    x = np.arange(12.0).reshape(3, 4) ** 1.5
    mean, var = nbgrad.zeros(4, dtype=nbgrad.float64), nbgrad.ones(4, dtype=nbgrad.float64)
    F.batch_norm(nbgrad.tensor(x), mean, var, training=True, momentum=0.25)
    np.testing.assert_allclose(mean.numpy(), 0.25 * x.mean(0))
    np.testing.assert_allclose(var.numpy(), 0.75 + 0.25 * x.var(0, ddof=1))


@covers(C.NativeLayerNorm)
@given(data=st.data(), shape=st.sampled_from([(3,), (2, 3), (2, 2, 3), (2, 3, 2)]), dims=st.integers(1, 2),
       affine=st.sampled_from(["none", "weight", "both"]))
@SETTINGS
def test_layer_norm(data, shape, dims, affine):
    normalized = shape[len(shape) - min(dims, len(shape)):]
    x = data.draw(arrays(shape))
    params = [data.draw(arrays(normalized)) for _ in range({"none": 0, "weight": 1, "both": 2}[affine])]
    axes = tuple(range(len(shape) - len(normalized), len(shape)))

    def fn(a, *wb):
        return F.layer_norm(a, normalized, *wb, eps=1e-3)

    def reference(a, *wb):
        y = _normalized(a, axes, 1e-3)
        if wb:
            y = y * wb[0]
        return y + wb[1] if len(wb) > 1 else y

    check_grad(fn, x, *params, reference=reference)


@covers(C.NativeGroupNorm)
@given(data=st.data(), shape=st.sampled_from([(2, 4), (1, 4, 3), (2, 6, 2, 2)]), groups=st.sampled_from([1, 2]),
       affine=st.booleans())
@SETTINGS
def test_group_norm(data, shape, groups, affine):
    x = data.draw(arrays(shape))
    params = [data.draw(arrays((shape[1],))) for _ in range(2 if affine else 0)]
    view = (1, shape[1]) + (1,) * (len(shape) - 2)

    def reference(a, *wb):
        y = _normalized(a.reshape(shape[0], groups, -1), -1, 1e-3).reshape(shape)
        return y * wb[0].reshape(view) + wb[1].reshape(view) if wb else y

    check_grad(lambda a, *wb: F.group_norm(a, groups, *wb, eps=1e-3), x, *params, reference=reference)


@covers(C.ConstantPadNd)
@given(data=st.data(), shape=st.sampled_from([(3,), (2, 3), (2, 2, 3)]), value=st.sampled_from([0.0, 1.5]))
@SETTINGS
def test_pad_constant(data, shape, value):
    """Positive pads add ``value``; negative ones cut (as long as something is left)."""
    dims = data.draw(st.integers(1, len(shape)))
    pad = []
    for n in reversed(shape[len(shape) - dims:]):
        before = data.draw(st.integers(-(n - 1), 2))
        pad += [before, data.draw(st.integers(-(n - 1 + min(before, 0)), 2))]

    def reference(a):
        pairs = [(0, 0)] * (len(shape) - dims) + [(pad[2 * i], pad[2 * i + 1]) for i in range(dims)][::-1]
        cut = a[tuple(slice(-min(b, 0), a.shape[i] + min(e, 0)) for i, (b, e) in enumerate(pairs))]
        return np.pad(cut, [(max(b, 0), max(e, 0)) for b, e in pairs], constant_values=value)

    check_grad(lambda a: F.pad(a, pad, value=value), data.draw(arrays(shape)), reference=reference)


def _edge_reference(x, pad, mode):
    widths = [(0, 0)] * (x.ndim - len(pad) // 2) + [(pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)][::-1]
    return np.pad(x, [(max(b, 0), max(a, 0)) for b, a in widths], mode="reflect" if mode == "reflect" else "edge")


EDGE = {(mode, n): C.EDGE_PADS[mode, n] for mode in ("reflect", "replicate") for n in (2, 4)}


@covers({key: (op, op._backward_op) for key, op in EDGE.items()}, per="key")
@pytest.mark.parametrize("key", list(EDGE), ids=[f"{m}-{n}" for m, n in EDGE])
@given(data=st.data())
@SETTINGS
def test_pad_reflect_and_replicate(key, data):
    mode, n = key
    shape = data.draw(st.sampled_from([(2, 4), (1, 2, 3)] if n == 2 else [(2, 3, 4), (1, 2, 3, 3)]))
    limit = (lambda size: size - 1) if mode == "reflect" else (lambda size: 3)
    pad = []
    for size in reversed(shape[-(n // 2):]):
        pad += [data.draw(st.integers(0, limit(size))), data.draw(st.integers(0, limit(size)))]
    check_grad(lambda a: F.pad(a, pad, mode=mode), data.draw(arrays(shape)),
               reference=lambda a: _edge_reference(a, pad, mode))
