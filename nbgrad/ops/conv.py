"""Convolution, pooling, normalization and padding: the primitives of PyTorch's image layers.

No Python loop runs over pixels, only over kernel positions. A convolution copies its input's windows into
one matrix (im2col: one strided slice per kernel position) and makes one matrix product; its backward is
the same product the other way round, and adds the columns back into the image by one slice per kernel
position (col2im). Max pooling reads the same slices. Average pooling and adaptive average pooling average
rows and columns separately (a window's count is a product of one count per dim), so each is two small
products; so is reflect or replicate padding.
"""
import numpy as np

from ..autograd import function
from ._base import Primitive, Rule, constant, expand, raw, saved, sum_dims


def _is_tensor(x):
    return isinstance(x, function.Tensor)


def _padded(x, pads, value=0.0):
    """``x`` with each spatial dim padded by (before, after) from ``pads``; ``x`` itself when nothing is added."""
    if not any(b or a for b, a in pads):
        return x
    lead = x.ndim - len(pads)
    out = np.full(x.shape[:lead] + tuple(n + b + a for n, (b, a) in zip(x.shape[lead:], pads)), value, x.dtype)
    out[(Ellipsis,) + tuple(slice(b, b + n) for n, (b, _) in zip(x.shape[lead:], pads))] = x
    return out


def _kernel_slices(offsets, stride, dilation, out):
    """Where kernel position ``offsets`` reads in the padded input: one strided slice per spatial dim."""
    return tuple(slice(k * dl, k * dl + s * (o - 1) + 1, s) for k, s, dl, o in zip(offsets, stride, dilation, out))


# ============================================================== convolution

def _im2col(x, kernel, stride, dilation, padding, groups):
    """The input's windows as one matrix per group: (groups, C/groups·prod(kernel), prod(out)·N).

    The batch is the last axis: each kernel position then copies runs of N·W_out contiguous numbers, not of
    W_out (twice as fast for LeNet's second convolution, measured); the gradients use the same order.
    """
    n, c = x.shape[:2]
    xt = np.moveaxis(x, 0, -1)  # (C, *size, N)
    pads = [(p, p) for p in padding] + [(0, 0)]
    xp = _padded(xt, pads) if any(padding) else np.ascontiguousarray(xt)
    out = _out_size(x.shape[2:], kernel, stride, padding, dilation)
    cols = np.empty((c,) + tuple(kernel) + tuple(out) + (n,), x.dtype)
    for offsets in np.ndindex(*kernel):  # one slice per kernel position, none per pixel
        cols[(slice(None),) + offsets] = xp[(slice(None),) + _kernel_slices(offsets, stride, dilation, out)]
    return cols.reshape(groups, c // groups * int(np.prod(kernel)), -1), out


def _conv(x, w, stride, padding, dilation, groups, cols=None):
    """Forward on arrays; returns the output and the im2col matrix it used (for the weight's gradient)."""
    o, kernel = w.shape[0], w.shape[2:]
    if cols is None:
        cols, out = _im2col(x, kernel, stride, dilation, padding, groups)
    else:
        out = _out_size(x.shape[2:], kernel, stride, padding, dilation)
    y = np.matmul(w.reshape(groups, o // groups, -1), cols)  # (groups, O/groups, positions·N)
    y = y.reshape((o,) + tuple(out) + (x.shape[0],))
    return np.ascontiguousarray(np.moveaxis(y, -1, 0)), cols


def _out_size(size, kernel, stride, padding, dilation):
    return tuple((n + 2 * p - dl * (k - 1) - 1) // s + 1
                 for n, k, s, p, dl in zip(size, kernel, stride, padding, dilation))


def _grad_matrix(g, groups):
    """The output's gradient as (groups, O/groups, positions·N), the layout of ``_conv``'s product."""
    o = g.shape[1]
    return np.ascontiguousarray(np.moveaxis(g, 0, -1)).reshape(groups, o // groups, -1)


def _conv_input_grad(g, w, x_shape, stride, padding, dilation, groups, g2=None):
    """Gradient of the convolution for its input (a transposed convolution): one product, then col2im.

    The batch is the last axis here, as in ``_im2col``: each kernel position's slice adds runs of N·W_out
    contiguous numbers, not of W_out (2.5x faster at LeNet's sizes, measured).
    """
    d = len(stride)
    c, kernel, out, o = x_shape[1], w.shape[2:], g.shape[2:], w.shape[0]
    if g2 is None:
        g2 = _grad_matrix(g, groups)
    wg = w.reshape(groups, o // groups, -1)
    cols = wg[0].T @ g2[0] if groups == 1 else np.matmul(wg.transpose(0, 2, 1), g2)
    cols = cols.reshape((c,) + tuple(kernel) + tuple(out) + (x_shape[0],))
    padded = np.zeros((c,) + tuple(n + 2 * p for n, p in zip(x_shape[2:], padding)) + (x_shape[0],), g.dtype)
    for offsets in np.ndindex(*kernel):  # one slice per kernel position, none per pixel
        at = _kernel_slices(offsets, stride, dilation, out)
        padded[(slice(None),) + at] += cols[(slice(None),) + offsets]
    inner = padded[(slice(None),) + tuple(slice(p, p + n) for p, n in zip(padding, x_shape[2:]))]
    return np.moveaxis(inner, d + 1, 0)


def _conv_weight_grad(x, g, w_shape, stride, padding, dilation, groups, cols=None, g2=None):
    """Gradient of the convolution for its weight: the gradient times the input's windows, summed over the batch."""
    if cols is None:
        cols, _ = _im2col(x, w_shape[2:], stride, dilation, padding, groups)
    if g2 is None:
        g2 = _grad_matrix(g, groups)
    if groups == 1:  # a plain 2-d product: NumPy's stacked matmul is slower on a transposed operand
        return (g2[0] @ cols[0].T).reshape(w_shape)
    return np.matmul(g2, cols.transpose(0, 2, 1)).reshape(w_shape)


def convolution(x, w, params):
    """The convolution of ``x`` by ``w`` (no bias): on arrays, or recorded on Tensors."""
    if _is_tensor(x):
        return Convolution.apply(x, w, function.Tensor._make(np.zeros(0, raw(w).dtype)), *params)
    return _conv(x, w, *params)[0]


def convolution_backward(g, x, w, params, output):
    """PyTorch's ``convolution_backward``, one of its results: the gradient for the input (0), the weight (1)
    or the bias (2), given the output's gradient ``g``; on arrays, or recorded on Tensors."""
    if _is_tensor(g):
        return ConvolutionBackward.apply(g, x, w, *params, output)
    if output == 0:
        return _conv_input_grad(g, w, x.shape, *params)
    if output == 1:
        return _conv_weight_grad(x, g, w.shape, *params)
    return np.add.reduce(g, axis=(0,) + tuple(range(2, g.ndim)))


class Convolution(Primitive):
    rule = Rule(
        "y[n,o,p] = b[o] + Σ_{c,k} w[o,c,k]·x[n,c,s·p + d·k - pad];  ∂/∂x = the gradient convolved back with w "
        "(transposed convolution),  ∂/∂w = Σ_{n,p} g[n,o,p]·x[n,c,s·p + d·k - pad],  ∂/∂b = Σ_{n,p} g[n,o,p]",
        latex=(
            r"b_o + \textstyle\sum_{c,k} ${weight}_{o,c,k}\, ${input}_{n,c,sp + dk}",
            r"\textstyle\sum_{o,k} g_{n,o,p}\, w_{o,c,k} \text{ at } p: sp + dk = i",
            r"\textstyle\sum_{n,p} g_{n,o,p}\, x_{n,c,sp + dk}",
            r"\textstyle\sum_{n,p} g_{n,o,p}",
        ),
        local=False,
        params=lambda node, number: {"stride": node.stride, "padding": node.padding, "dilation": node.dilation,
                                     "groups": node.groups},
    )

    saved_names = ("input", "weight")

    @staticmethod
    def forward(ctx, input, weight, bias, stride, padding, dilation, groups):
        """``bias``: an empty constant when there is none (it stands for PyTorch's (None, 0) edge)."""
        y, cols = _conv(input._data, weight._data, stride, padding, dilation, groups)
        if bias._data.size:
            y += bias._data.reshape((-1,) + (1,) * len(stride))
        ctx.save_for_backward(input, weight)
        ctx.stride, ctx.padding, ctx.dilation, ctx.groups = stride, padding, dilation, groups
        ctx._cols = cols  # the im2col matrix: the weight's gradient needs it again
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = saved(ctx, grad)
        params = (ctx.stride, ctx.padding, ctx.dilation, ctx.groups)
        need = ctx.needs_input_grad
        if _is_tensor(grad):
            grads = [convolution_backward(grad, x, w, params, i) if need[i] else None for i in range(3)]
            return (*grads, None, None, None, None)
        g2 = _grad_matrix(grad, ctx.groups)  # shared by both products
        grad_x = _conv_input_grad(grad, w, x.shape, *params, g2=g2) if need[0] else None
        grad_w = _conv_weight_grad(x, grad, w.shape, *params, cols=ctx._cols, g2=g2) if need[1] else None
        grad_b = convolution_backward(grad, x, w, params, 2) if need[2] else None
        return grad_x, grad_w, grad_b, None, None, None, None


class ConvolutionBackward(Primitive):
    """Recorded under ``create_graph``: one node per gradient (``output``), where PyTorch makes the three in one
    node; each has PyTorch's name and inputs (grad_output, input, weight)."""

    rule = Rule(
        "the convolution's gradient for its input (a transposed convolution of g by w), its weight (Σ g·x over "
        "the windows) or its bias (Σ g);  each is linear in g and in x or w: its derivatives are the "
        "convolution and the other two gradients again",
        latex=(r"\operatorname{conv\_backward}($grad_output, $input, $weight)", r"\operatorname{conv}(\gamma, w)",
               r"\operatorname{conv}^\top(g, \gamma)", r"\operatorname{conv}_w(\gamma, g)"),
        local=False,
    )

    node_name = "ConvolutionBackwardBackward0"
    saved_names = ("grad_output", "input", "weight")

    @staticmethod
    def forward(ctx, grad_output, input, weight, stride, padding, dilation, groups, output):
        ctx.save_for_backward(grad_output, input, weight)
        ctx.params, ctx.output = (stride, padding, dilation, groups), output
        out = convolution_backward(grad_output._data, input._data, weight._data, ctx.params, output)
        return np.ascontiguousarray(out)

    @staticmethod
    def backward(ctx, grad):
        g, x, w = saved(ctx, grad)
        p, need = ctx.params, ctx.needs_input_grad
        if ctx.output == 0:  # transposed convolution of g by w
            grads = (convolution(grad, w, p) if need[0] else None, None,
                     convolution_backward(g, grad, w, p, 1) if need[2] else None)
        elif ctx.output == 1:  # correlation of x with g
            grads = (convolution(x, grad, p) if need[0] else None,
                     convolution_backward(g, x, grad, p, 0) if need[1] else None, None)
        else:  # Σ g over the batch and the positions
            view = grad.reshape((1, -1) + (1,) * (raw(g).ndim - 2))
            grads = (expand(view, raw(g).shape) if need[0] else None, None, None)
        return (*grads, None, None, None, None, None)


# ============================================================== max pooling

def pool_out_size(size, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's pooling_output_shape: the last window must start inside the input or its left padding."""
    out = []
    for n, k, s, p, dl in zip(size, kernel, stride, padding, dilation):
        span = n + 2 * p - dl * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
        o = span // s + 1
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        out.append(o)
    return tuple(out)


def max_pool(x, kernel, stride, padding, dilation, ceil_mode):
    """Each window's maximum, and where it is as a flat index into its image (PyTorch's ``indices``)."""
    d = len(kernel)
    size = x.shape[-d:]
    out = pool_out_size(size, kernel, stride, padding, dilation, ceil_mode)
    # the padding on the right reaches as far as the last window does
    pads = [(p, max(0, (o - 1) * s + dl * (k - 1) + 1 - n - p))
            for n, k, s, p, dl, o in zip(size, kernel, stride, padding, dilation, out)]
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = _padded(x, pads, fill)
    # one pass per kernel position (a window's elements in order), none per pixel
    values = [xp[(Ellipsis,) + _kernel_slices(offsets, stride, dilation, out)] for offsets in np.ndindex(*kernel)]
    best = values[0].copy()
    for value in values[1:]:
        np.maximum(best, value, out=best)  # NaN wins: np.maximum passes it on
    # NOTE: the first maximum of a window is the one, and the first NaN if there is one, as in PyTorch
    which = np.zeros(best.shape, np.int64)
    found = np.isnan(best) if best.dtype.kind == "f" and np.isnan(best).any() else None
    offsets = list(np.ndindex(*kernel))
    for number in range(len(values) - 1, -1, -1):  # last to first: the first match is written last
        hit = values[number] == best if found is None else (values[number] == best) | np.isnan(values[number])
        if any(padding):  # the padding never wins, even a tie with an input of -inf (as in PyTorch)
            hit &= _inside(offsets[number], size, out, stride, padding, dilation)
        np.copyto(which, number, where=hit)
    # the position in the image: the window's first element's, plus the chosen element's offset in the window
    start = np.zeros((), np.int64)
    for axis in range(d):
        pos = np.arange(out[axis]) * stride[axis] - padding[axis]
        start = start[..., None] * size[axis] + pos
    offset = np.zeros((), np.int64)
    for axis in range(d):
        offset = offset[..., None] * size[axis] + np.arange(kernel[axis]) * dilation[axis]
    index = offset.reshape(-1)[which]
    index += start
    return best, index


def _inside(offsets, size, out, stride, padding, dilation):
    """Which windows read kernel position ``offsets`` from the image itself, not from its padding."""
    inside = np.ones((), bool)
    for k, n, o, s, p, dl in zip(offsets, size, out, stride, padding, dilation):
        pos = np.arange(o) * s - p + k * dl
        inside = inside[..., None] & (pos >= 0) & (pos < n)
    return inside


def _gather_flat(values, index, spatial):
    """``values`` (..., *image) read at ``index`` (..., *out), flat positions in each image."""
    flat = values.reshape(values.shape[:-spatial] + (-1,)) if not _is_tensor(values) else values.flatten(-spatial)
    lead = raw(index).shape[:-spatial]
    count = int(np.prod(lead)) if lead else 1
    per = raw(flat).shape[-1]
    where = (index.reshape(count, -1) + (np.arange(count) * per)[:, None]).reshape(-1)
    return flat.reshape(-1)[where].reshape(raw(index).shape)


def _scatter_flat(g, index, image_shape):
    """The gradient ``g`` (..., *out) added into zeros (..., *image) at ``index``: one bincount."""
    spatial = len(image_shape)
    lead = g.shape[:-spatial]
    count = int(np.prod(lead)) if lead else 1
    per = int(np.prod(image_shape))
    where = (index.reshape(count, -1) + (np.arange(count) * per)[:, None]).reshape(-1)
    out = np.bincount(where, weights=g.reshape(-1), minlength=count * per)
    return out.astype(g.dtype, copy=False).reshape(lead + tuple(image_shape))


class MaxPool2DWithIndices(Primitive):
    rule = Rule(
        "y = max over each window;  ∂/∂xᵢ = Σ of the gradients of the windows whose maximum xᵢ is",
        latex=(r"\max_{k} ${input}_{sp + dk}", r"\textstyle\sum_{p:\ \operatorname{argmax}_p = i} g_p"),
        params=lambda node, number: {"kernel_size": node.kernel_size, "stride": node.stride,
                                     "padding": node.padding, "dilation": node.dilation, "ceil_mode": node.ceil_mode},
    )

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, input, kernel_size, stride, padding, dilation, ceil_mode, pooled):
        """``pooled``: the maxima and their indices, as ``max_pool`` finds them (PyTorch returns both)."""
        ctx.save_for_backward(input)
        ctx.kernel_size, ctx.stride, ctx.padding, ctx.dilation, ctx.ceil_mode = (
            kernel_size, stride, padding, dilation, ceil_mode)
        values, ctx.indices = pooled
        return values

    @staticmethod
    def backward(ctx, grad):
        # NOTE: each window sends its gradient to its first maximum only (ties go to the first), as PyTorch
        if _is_tensor(grad):
            (x,) = ctx.saved_tensors
            return (MaxPool2DWithIndicesBackward.apply(grad, x, ctx.indices),) + (None,) * 6
        shape = ctx._saved_arrays()[0].shape
        return (_scatter_flat(grad, ctx.indices, shape[-2:]),) + (None,) * 6


class MaxPool2DWithIndicesBackward(Primitive):
    rule = Rule(
        "the gradients of the windows added at their maxima (max pooling's backward);  ∂/∂g = γ read at the maxima,  "
        "∂/∂self = 0",
        latex=(r"\textstyle\sum_{p:\ \operatorname{argmax}_p = i} ${grad_output}_p",
               r"\gamma_{\operatorname{argmax}_p}", "0"),
        local=False,
    )

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, grad_output, input, indices):
        ctx.save_for_backward(input)
        ctx.indices = indices
        return _scatter_flat(grad_output._data, indices, input._data.shape[-2:])

    @staticmethod
    def backward(ctx, grad):
        (x,) = saved(ctx, grad)
        zeros = constant(np.zeros(raw(x).shape, raw(grad).dtype), grad)
        return _gather_flat(grad, ctx.indices, 2), zeros, None


# ============================================================== average pooling

def _average_matrix(n, k, s, p, out, ceil_mode, count_include_pad, divide):
    """One spatial dim of average pooling as an (out, n) matrix: row i averages window i.

    A window's divisor is a product of one count per dim (PyTorch's ``(hend - hstart)·(wend - wstart)``),
    so pooling over 2 dims is this matrix on one side and the other's on the other side.
    """
    start = np.arange(out) * s - p
    end = np.minimum(start + k, n + p)  # a window may hang over the padding in ceil mode: not counted
    size = end - start
    lo, hi = np.maximum(start, 0), np.minimum(end, n)
    cols = np.arange(n)
    inside = (cols >= lo[:, None]) & (cols < hi[:, None])
    if not divide:
        return inside.astype(np.float64)
    count = size if count_include_pad else hi - lo
    return inside / count[:, None]


def _average_matrices(shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override, dtype):
    out = pool_out_size(shape, kernel, stride, padding, (1, 1), ceil_mode)
    rows, cols = (_average_matrix(n, k, s, p, o, ceil_mode, count_include_pad, divisor_override is None)
                  for n, k, s, p, o in zip(shape, kernel, stride, padding, out))
    if divisor_override is not None:
        rows = rows / divisor_override
    return rows.astype(dtype), cols.T.astype(dtype)


def _pool_matrices(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    return _average_matrices(raw(x).shape[-2:], kernel_size, stride, padding, ceil_mode, count_include_pad,
                             divisor_override, raw(x).dtype)


class AvgPool2D(Primitive):
    rule = Rule(
        "y = the mean of each window (A_h·x·A_wᵀ, A = one dim's averaging matrix);  ∂/∂x = A_hᵀ·g·A_w",
        latex=(r"A_h\, $input\, A_w^\top", r"A_h^\top\, g\, A_w"),
        local=False,
        params=lambda node, number: {"kernel_size": node.kernel_size, "stride": node.stride,
                                     "padding": node.padding, "ceil_mode": node.ceil_mode,
                                     "count_include_pad": node.count_include_pad},
    )

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
        ctx.save_for_backward(input)
        ctx.kernel_size, ctx.stride, ctx.padding, ctx.ceil_mode, ctx.count_include_pad = (
            kernel_size, stride, padding, ceil_mode, count_include_pad)
        ctx.divisor_override = divisor_override
        ctx.params = (kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
        rows, cols = _pool_matrices(input._data, *ctx.params)
        return rows @ input._data @ cols

    @staticmethod
    def backward(ctx, grad):
        (x,) = saved(ctx, grad)
        if _is_tensor(grad):
            return (AvgPool2DBackward.apply(grad, x, *ctx.params),) + (None,) * 6
        rows, cols = _pool_matrices(x, *ctx.params)
        return (rows.T @ grad @ cols.T,) + (None,) * 6


class AvgPool2DBackward(Primitive):
    rule = Rule(
        "A_hᵀ·g·A_w, average pooling's backward;  ∂/∂g = average pooling of γ,  ∂/∂self = 0",
        latex=(r"A_h^\top\, $grad_output\, A_w", r"A_h\, \gamma\, A_w^\top", "0"),
        local=False,
    )

    saved_names = ("grad_output", "self")

    @staticmethod
    def forward(ctx, grad_output, input, *params):
        ctx.save_for_backward(input)
        ctx.params = params
        rows, cols = _pool_matrices(input._data, *params)
        return rows.T @ grad_output._data @ cols.T

    @staticmethod
    def backward(ctx, grad):
        if _is_tensor(grad):
            return (AvgPool2D.apply(grad, *ctx.params), None) + (None,) * 6
        rows, cols = _pool_matrices(grad, *ctx.params)
        return (rows @ grad @ cols, None) + (None,) * 6


class AdaptiveAvgPool2D(Primitive):
    rule = Rule(
        "y = the mean of each of out windows that tile the input (A_h·x·A_wᵀ);  ∂/∂x = A_hᵀ·g·A_w",
        latex=(r"A_h\, $input\, A_w^\top", r"A_h^\top\, g\, A_w"),
        local=False,
        params=lambda node, number: {"output_size": node.output_size},
    )

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, input, output_size):
        ctx.save_for_backward(input)
        ctx.output_size = output_size
        rows, cols = _adaptive_matrices(input._data, output_size)
        return rows @ input._data @ cols

    @staticmethod
    def backward(ctx, grad):
        (x,) = saved(ctx, grad)
        if _is_tensor(grad):
            return AdaptiveAvgPool2DBackward.apply(grad, x), None
        rows, cols = _adaptive_matrices(x, ctx.output_size)
        return rows.T @ grad @ cols.T, None


class AdaptiveAvgPool2DBackward(Primitive):
    rule = Rule(
        "A_hᵀ·g·A_w, adaptive average pooling's backward;  ∂/∂g = adaptive average pooling of γ,  ∂/∂self = 0",
        latex=(r"A_h^\top\, $grad_output\, A_w", r"A_h\, \gamma\, A_w^\top", "0"),
        local=False,
    )

    saved_names = ("grad_output", "self")

    @staticmethod
    def forward(ctx, grad_output, input):
        ctx.save_for_backward(input)
        g = grad_output._data
        ctx.output_size = g.shape[-2:]
        rows, cols = _adaptive_matrices(input._data, ctx.output_size)
        return rows.T @ g @ cols.T

    @staticmethod
    def backward(ctx, grad):
        if _is_tensor(grad):
            return AdaptiveAvgPool2D.apply(grad, ctx.output_size), None
        rows, cols = _adaptive_matrices(grad, ctx.output_size)
        return rows @ grad @ cols, None


def _adaptive_matrices(x, output_size):
    rows, cols = (_adaptive_matrix(n, o).astype(x.dtype) for n, o in zip(x.shape[-2:], output_size))
    return rows, cols.T


def _adaptive_matrix(n, out):
    """Window i spans [floor(i·n/out), ceil((i+1)·n/out)), as PyTorch's start_index/end_index."""
    i = np.arange(out)
    start, end = (i * n) // out, -((-(i + 1) * n) // out)
    cols = np.arange(n)
    inside = (cols >= start[:, None]) & (cols < end[:, None])
    return inside / (end - start)[:, None]


# ============================================================== normalization

def _given(t):
    """An optional tensor argument: an empty constant stands for an absent one (PyTorch's (None, 0) edge)."""
    return t if t._data.size else None


def _channel_view(v, ndim):
    """A per-channel vector (C,) shaped to broadcast over (N, C, *spatial)."""
    return v.reshape((1, -1) + (1,) * (ndim - 2))


class NativeBatchNorm(Primitive):
    rule = Rule(
        "y = (x - μ)/√(σ² + ε)·w + b, μ and σ² over every dim but the channel's (the batch's in training, "
        "the running ones in eval);  ∂/∂x = w/√(σ² + ε)·(g - mean(g) - x̂·mean(g·x̂)) in training, "
        "w/√(σ² + ε)·g in eval,  ∂/∂w = Σ g·x̂,  ∂/∂b = Σ g",
        latex=(
            r"\frac{$input - \mu}{\sqrt{\sigma^2 + \epsilon}}\, $weight + $bias",
            r"\frac{w}{\sqrt{\sigma^2 + \epsilon}} \bigl(g - \overline{g} - \hat{x}\, \overline{g \hat{x}}\bigr)",
            r"\textstyle\sum g\, \hat{x}",
            r"\textstyle\sum g",
        ),
        local=False,
        params=lambda node, number: {"training": node.training, "eps": node.eps},
    )

    saved_names = ("input", "weight")

    @staticmethod
    def forward(ctx, input, weight, bias, running_mean, running_var, training, momentum, eps):
        """``running_mean``/``running_var``: arrays (or None), updated in place in training, as PyTorch does;
        ``weight``/``bias``: empty constants when absent."""
        x = input._data
        axes = (0,) + tuple(range(2, x.ndim))
        if training:
            mean = x.mean(axis=axes)
            centred = x - _channel_view(mean, x.ndim)
            var = np.mean(centred * centred, axis=axes)
            if running_mean is not None:
                count = x.size // x.shape[1]
                running_mean *= 1 - momentum
                running_mean += momentum * mean
                running_var *= 1 - momentum
                running_var += momentum * var * count / max(count - 1, 1)
        else:
            mean, var = running_mean, running_var
            centred = x - _channel_view(mean, x.ndim)
        invstd = 1 / np.sqrt(var + eps)
        y = centred * _channel_view(invstd.astype(x.dtype), x.ndim)
        weight, bias = _given(weight), _given(bias)
        if weight is not None:
            y = y * _channel_view(weight._data, x.ndim)
        if bias is not None:
            y = y + _channel_view(bias._data, x.ndim)
        ctx.save_for_backward(input, weight)
        ctx.training, ctx.eps = training, eps
        ctx._stats = mean.astype(x.dtype), invstd.astype(x.dtype)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = saved(ctx, grad)
        need = ctx.needs_input_grad
        ndim = raw(x).ndim
        axes = (0,) + tuple(range(2, ndim))
        mean, invstd = ctx._stats
        if ctx.training and _is_tensor(grad):  # recorded: μ and σ depend on x
            mu = x.mean(axes, keepdim=True)
            centred = x - mu
            invstd_v = ((centred * centred).mean(axes, keepdim=True) + ctx.eps) ** -0.5
        else:
            centred = x - constant(_channel_view(mean, ndim), x)
            invstd_v = constant(_channel_view(invstd, ndim), x)
        xhat = centred * invstd_v
        grad_x = grad_w = grad_b = None
        if need[0]:
            scale = invstd_v if w is None else invstd_v * _channel_view(w, ndim)
            if ctx.training:
                count = raw(x).size // raw(x).shape[1]
                g_mean = sum_dims(grad, axes, True) / count
                gx_mean = sum_dims(grad * xhat, axes, True) / count
                grad_x = (grad - g_mean - xhat * gx_mean) * scale
            else:
                grad_x = grad * scale
        if need[1]:
            grad_w = sum_dims(grad * xhat, axes, False)
        if need[2]:
            grad_b = sum_dims(grad, axes, False)
        return grad_x, grad_w, grad_b, None, None, None, None, None


def _statistics(x, axes, eps):
    """The mean and 1/√(σ² + ε) of an array over ``axes`` (kept), as layer and group norm save them."""
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    return mean, 1 / np.sqrt(np.mean(centred * centred, axis=axes, keepdims=True) + eps)


def _normalized(x, axes, eps, stats):
    """x̂ = (x - μ)/√(σ² + ε) and 1/√(σ² + ε): from the forward's ``stats`` in a plain backward, from ``x``
    itself when the backward is recorded (then μ and σ depend on x)."""
    if _is_tensor(x):
        centred = x - x.mean(axes, keepdim=True)
        invstd = ((centred * centred).mean(axes, keepdim=True) + eps) ** -0.5
    else:
        mean, invstd = stats
        centred = x - mean
    return centred * invstd, invstd


def _normalized_grad(gw, xhat, invstd, axes, count):
    """∂/∂x of a normalization, given g·w: (g·w - mean(g·w) - x̂·mean(g·w·x̂))/√(σ² + ε) over ``axes``."""
    return (gw - sum_dims(gw, axes, True) / count - xhat * (sum_dims(gw * xhat, axes, True) / count)) * invstd


class NativeLayerNorm(Primitive):
    rule = Rule(
        "y = (x - μ)/√(σ² + ε)·w + b, μ and σ² over the normalized (last) dims;  "
        "∂/∂x = w/√(σ² + ε)·(g·w - mean(g·w) - x̂·mean(g·w·x̂)),  ∂/∂w = Σ g·x̂,  ∂/∂b = Σ g",
        latex=(
            r"\frac{$input - \mu}{\sqrt{\sigma^2 + \epsilon}}\, $weight + $bias",
            r"\frac{1}{\sqrt{\sigma^2 + \epsilon}} \bigl(gw - \overline{gw} - \hat{x}\, \overline{gw \hat{x}}\bigr)",
            r"\textstyle\sum g\, \hat{x}",
            r"\textstyle\sum g",
        ),
        local=False,
        params=lambda node, number: {"normalized_shape": node.normalized_shape, "eps": node.eps},
    )

    saved_names = ("input", "weight")

    @staticmethod
    def forward(ctx, input, normalized_shape, weight, bias, eps):
        x = input._data
        axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
        mean, invstd = _statistics(x, axes, eps)
        y = (x - mean) * invstd
        weight, bias = _given(weight), _given(bias)
        if weight is not None:
            y = y * weight._data
        if bias is not None:
            y = y + bias._data
        ctx.save_for_backward(input, weight)
        ctx.normalized_shape, ctx.eps = normalized_shape, eps
        ctx._stats = mean, invstd
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = saved(ctx, grad)
        need = ctx.needs_input_grad
        ndim = raw(x).ndim
        axes = tuple(range(ndim - len(ctx.normalized_shape), ndim))
        lead = tuple(range(ndim - len(axes)))
        xhat, invstd = _normalized(x, axes, ctx.eps, ctx._stats)
        grad_x = grad_w = grad_b = None
        if need[0]:
            gw = grad if w is None else grad * w
            grad_x = _normalized_grad(gw, xhat, invstd, axes, int(np.prod(ctx.normalized_shape)))
        if need[2]:
            grad_w = sum_dims(grad * xhat, lead, False) if lead else grad * xhat
        if need[3]:
            grad_b = sum_dims(grad, lead, False) if lead else grad
        return grad_x, None, grad_w, grad_b, None


class NativeGroupNorm(Primitive):
    rule = Rule(
        "y = (x - μ)/√(σ² + ε)·w + b, μ and σ² over each group of channels (and their positions) of each sample;  "
        "∂/∂x = 1/√(σ² + ε)·(g·w - mean(g·w) - x̂·mean(g·w·x̂)) per group,  ∂/∂w = Σ g·x̂,  ∂/∂b = Σ g",
        latex=(
            r"\frac{$input - \mu}{\sqrt{\sigma^2 + \epsilon}}\, $weight + $bias",
            r"\frac{1}{\sqrt{\sigma^2 + \epsilon}} \bigl(gw - \overline{gw} - \hat{x}\, \overline{gw \hat{x}}\bigr)",
            r"\textstyle\sum g\, \hat{x}",
            r"\textstyle\sum g",
        ),
        local=False,
        params=lambda node, number: {"group": node.group, "eps": node.eps},
    )

    saved_names = ("input", "weight")

    @staticmethod
    def forward(ctx, input, weight, bias, group, eps):
        """``weight``/``bias``: empty constants when absent."""
        x = input._data
        grouped = x.reshape(x.shape[0], group, -1)
        mean, invstd = _statistics(grouped, -1, eps)
        y = ((grouped - mean) * invstd).reshape(x.shape)
        weight, bias = _given(weight), _given(bias)
        if weight is not None:
            y = y * _channel_view(weight._data, x.ndim)
        if bias is not None:
            y = y + _channel_view(bias._data, x.ndim)
        ctx.save_for_backward(input, weight)
        ctx.group, ctx.eps = group, eps
        ctx._stats = mean, invstd
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = saved(ctx, grad)
        need = ctx.needs_input_grad
        shape = raw(x).shape
        grouped = (shape[0], ctx.group, -1)
        xhat, invstd = _normalized(x.reshape(grouped), -1, ctx.eps, ctx._stats)
        grad_x = grad_w = grad_b = None
        if need[0]:
            gw = (grad if w is None else grad * _channel_view(w, len(shape))).reshape(grouped)
            grad_x = _normalized_grad(gw, xhat, invstd, -1, raw(gw).shape[-1]).reshape(shape)
        axes = (0,) + tuple(range(2, len(shape)))
        if need[1]:
            grad_w = sum_dims(grad * xhat.reshape(shape), axes, False)
        if need[2]:
            grad_b = sum_dims(grad, axes, False)
        return grad_x, grad_w, grad_b, None, None


# ============================================================== padding

def _constant_pad(x, pad, value):
    """PyTorch's ``constant_pad_nd`` on an array: ``pad`` is (before, after) for the last dims, last dim first;
    a negative pad cuts instead."""
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)][::-1]
    lead = x.ndim - len(pairs)
    cut = x[(Ellipsis,) + tuple(slice(-min(b, 0), n + min(a, 0)) for n, (b, a) in zip(x.shape[lead:], pairs))]
    out = _padded(cut, [(max(b, 0), max(a, 0)) for b, a in pairs], value)
    return out.copy() if out is cut else out


def constant_pad(x, pad, value):
    if _is_tensor(x):
        return ConstantPadNd.apply(x, pad, value)
    return _constant_pad(x, pad, value)


class ConstantPadNd(Primitive):
    rule = Rule(
        "x with value added around it (or cut, where a pad is negative);  ∂/∂x = g without the padding "
        "(g padded by -pad)",
        latex=(r"\operatorname{pad}($input)", r"\operatorname{pad}(g, -p)"),
        params=lambda node, number: {"pad": node.pad, "value": number(node.value)},
    )

    @staticmethod
    def forward(ctx, input, pad, value):
        ctx.pad, ctx.value = pad, value
        return _constant_pad(input._data, pad, value)

    @staticmethod
    def backward(ctx, grad):
        return constant_pad(grad, tuple(-p for p in ctx.pad), 0.0), None, None


def _pad_matrix(n, before, after, mode, dtype):
    """One dim of reflect or replicate padding as an (n + before + after, n) matrix: row i picks the element
    position i reads (a reflection at the edges, or the edge element itself)."""
    reads = np.arange(-before, n + after)
    if mode == "reflect":
        reads = np.abs(reads)
        reads = np.where(reads > n - 1, 2 * (n - 1) - reads, reads)
    else:
        reads = np.clip(reads, 0, n - 1)
    return (reads[:, None] == np.arange(n)).astype(dtype)


def _pad_matrices(shape, pad, mode, dtype):
    """(rows, cols): x padded is rows @ x @ colsᵀ (rows None for one padded dim)."""
    cols = _pad_matrix(shape[-1], pad[0], pad[1], mode, dtype)
    rows = _pad_matrix(shape[-2], pad[2], pad[3], mode, dtype) if len(pad) == 4 else None
    return rows, cols


def _sandwich(rows, x, cols):
    y = x @ cols
    return y if rows is None else rows @ y


class _EdgePad(Primitive):
    """Reflect or replicate padding of the last one (1D) or two (2D) dims, as two small products."""

    mode = None
    _backward_op = None

    @classmethod
    def forward(cls, ctx, input, pad):
        x = input._data
        ctx.save_for_backward(input)
        ctx.padding = pad
        rows, cols = _pad_matrices(x.shape, pad, cls.mode, x.dtype)
        return _sandwich(rows, x, cols.T)

    @classmethod
    def backward(cls, ctx, grad):
        (x,) = saved(ctx, grad)
        if _is_tensor(grad):
            return cls._backward_op.apply(grad, x, ctx.padding), None
        rows, cols = _pad_matrices(x.shape, ctx.padding, cls.mode, x.dtype)
        return _sandwich(None if rows is None else rows.T, grad, cols), None


class _EdgePadBackward(Primitive):
    """The backward of reflect or replicate padding: each element gets the gradients of the places that read it."""

    _forward_op = None

    @classmethod
    def forward(cls, ctx, grad_output, input, pad):
        x = input._data
        ctx.save_for_backward(input)
        ctx.padding = pad
        rows, cols = _pad_matrices(x.shape, pad, cls._forward_op.mode, x.dtype)
        return _sandwich(None if rows is None else rows.T, grad_output._data, cols)

    @classmethod
    def backward(cls, ctx, grad):
        if _is_tensor(grad):
            return cls._forward_op.apply(grad, ctx.padding), None, None
        rows, cols = _pad_matrices(raw(grad).shape, ctx.padding, cls._forward_op.mode, grad.dtype)
        return _sandwich(rows, grad, cols.T), None, None


_REFLECT = Rule("x extended by its mirror image at each edge (the edge not repeated);  ∂/∂xᵢ = Σ of the gradients of "
                "the places that read xᵢ", latex=(r"\operatorname{reflect}($input)", r"\textstyle\sum_{j \to i} g_j"),
                local=False, params=lambda node, number: {"padding": node.padding})
_REPLICATE = Rule("x extended by repeating its edge elements;  ∂/∂xᵢ = Σ of the gradients of the places that read xᵢ",
                  latex=(r"\operatorname{replicate}($input)", r"\textstyle\sum_{j \to i} g_j"),
                  local=False, params=lambda node, number: {"padding": node.padding})
_PAD_BACKWARD = Rule("Σ of g over the places that read each element (padding's backward);  ∂/∂g = the padding "
                     "of γ,  ∂/∂self = 0",
                     latex=(r"\textstyle\sum_{j \to i} ${grad_output}_j", r"\operatorname{pad}(\gamma)", "0"),
                     local=False)


class ReflectionPad1D(_EdgePad):
    rule, mode = _REFLECT, "reflect"


class ReflectionPad2D(_EdgePad):
    rule, mode = _REFLECT, "reflect"


class ReplicationPad1D(_EdgePad):
    rule, mode = _REPLICATE, "replicate"


class ReplicationPad2D(_EdgePad):
    rule, mode = _REPLICATE, "replicate"


class ReflectionPad1DBackward(_EdgePadBackward):
    rule, _forward_op = _PAD_BACKWARD, ReflectionPad1D


class ReflectionPad2DBackward(_EdgePadBackward):
    rule, _forward_op = _PAD_BACKWARD, ReflectionPad2D


class ReplicationPad1DBackward(_EdgePadBackward):
    rule, _forward_op = _PAD_BACKWARD, ReplicationPad1D


class ReplicationPad2DBackward(_EdgePadBackward):
    rule, _forward_op = _PAD_BACKWARD, ReplicationPad2D


for _op, _back in ((ReflectionPad1D, ReflectionPad1DBackward), (ReflectionPad2D, ReflectionPad2DBackward),
                   (ReplicationPad1D, ReplicationPad1DBackward), (ReplicationPad2D, ReplicationPad2DBackward)):
    _op._backward_op = _back
EDGE_PADS = {("reflect", 2): ReflectionPad1D, ("reflect", 4): ReflectionPad2D,
             ("replicate", 2): ReplicationPad1D, ("replicate", 4): ReplicationPad2D}
