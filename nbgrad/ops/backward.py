"""Backward ops of ops whose rule PyTorch computes with one named function (``_softmax_backward_data``,
``mse_loss_backward``, ...): recorded under ``create_graph=True``, each is one node with PyTorch's name
(``SoftmaxBackwardDataBackward0``), and its own backward gives the second derivatives.

A plain backward does not go through them: the op's rule calls a function of PyTorch's name
(``softmax_backward_data`` below), which computes the formula on arrays and records the op on Tensors. The element-wise ones
(``TanhBackward``, ...) sit next to their op in ``elementwise``.
"""
import numpy as np

from ..autograd import function
from ._base import Primitive, Rule, exp, raw, saved, sum_dims
from .elementwise import mul_scalar, zeros_like


class SoftmaxBackwardData(Primitive):
    rule = Rule(
        "s·(g - Σ g·s), softmax's backward (g = grad_output, s = output);  ∂/∂g = softmax's backward again,  "
        "∂/∂s = γ·g - γ·Σ s·g - g·Σ s·γ (γ = the gradient coming in)",
        latex=(
            r"$output \odot ($grad_output - \textstyle\sum $grad_output \odot $output)",
            r"s \odot (\gamma - \textstyle\sum \gamma \odot s)",
            r"\gamma g - \gamma \textstyle\sum s g - g \textstyle\sum s \gamma",
        ),
        local=False,
    )

    saved_names = ("grad_output", "output")

    @staticmethod
    def forward(ctx, grad_output, output, dim):
        ctx.save_for_backward(grad_output, output)
        ctx.dim = dim
        return softmax_backward_data(grad_output._data, output._data, dim)

    @staticmethod
    def backward(ctx, grad):
        g, s = saved(ctx, grad)
        dim = ctx.dim
        # PyTorch's softmax_double_backward
        grad_s = g * grad - sum_dims(s * g, dim, True) * grad - g * sum_dims(s * grad, dim, True)
        return softmax_backward_data(grad, s, dim), grad_s, None


def softmax_backward_data(grad, output, dim):
    """PyTorch\'s softmax_backward_data: the formula on arrays; on Tensors, one recorded op (SoftmaxBackwardData)."""
    if isinstance(grad, function.Tensor):
        return SoftmaxBackwardData.apply(grad, output, dim)
    return output * (grad - np.add.reduce(grad * output, axis=dim, keepdims=True))


class LogSoftmaxBackwardData(Primitive):
    rule = Rule(
        "g - eʸ·Σ g, log_softmax's backward (g = grad_output, y = output);  ∂/∂g = γ - Σ γ·eʸ,  "
        "∂/∂y = -γ·eʸ·Σ g (γ = the gradient coming in)",
        latex=(
            r"$grad_output - e^{$output} \textstyle\sum $grad_output",
            r"\gamma - \textstyle\sum \gamma \odot e^{y}",
            r"-\gamma \odot e^{y} \textstyle\sum g",
        ),
        local=False,
    )

    saved_names = ("grad_output", "output")

    @staticmethod
    def forward(ctx, grad_output, output, dim):
        ctx.save_for_backward(grad_output, output)
        ctx.dim = dim
        return log_softmax_backward_data(grad_output._data, output._data, dim)

    @staticmethod
    def backward(ctx, grad):
        g, y = saved(ctx, grad)
        dim = ctx.dim
        e = exp(y)
        return grad - sum_dims(grad * e, dim, True), -sum_dims(g, dim, True) * e * grad, None


def log_softmax_backward_data(grad, output, dim):
    """PyTorch\'s log_softmax_backward_data: the formula on arrays; on Tensors, one recorded op (LogSoftmaxBackwardData)."""
    if isinstance(grad, function.Tensor):
        return LogSoftmaxBackwardData.apply(grad, output, dim)
    return grad - np.exp(output) * np.add.reduce(grad, axis=dim, keepdims=True)


def _mse_scale(x, reduction):
    return 2 / raw(x).size if reduction == "mean" else 2


class MseLossBackward(Primitive):
    rule = Rule(
        "g·2(x - y)/n, mse_loss's backward (g = grad_output, x = self, y = target, n = element count for "
        "'mean', else 1);  ∂/∂g = Σ γ·2(x - y)/n,  ∂/∂x = 2γ·g/n,  ∂/∂y = -2γ·g/n (γ = the gradient coming in)",
        latex=(
            r"$grad_output \cdot \frac{2 ($self - $target)}{n}",
            r"\textstyle\sum \gamma \cdot \frac{2 ($self - $target)}{n}",
            r"\frac{2 \gamma \cdot $grad_output}{n}",
            r"-\frac{2 \gamma \cdot $grad_output}{n}",
        ),
        local=False,
    )

    saved_names = ("grad_output", "self", "target")

    @staticmethod
    def forward(ctx, grad_output, self, target, reduction):
        ctx.save_for_backward(grad_output, self, target)
        ctx.reduction = reduction
        return mse_loss_backward(grad_output._data, self._data, target._data, reduction)

    @staticmethod
    def backward(ctx, grad):
        g, x, y = saved(ctx, grad)
        reduction = ctx.reduction
        if reduction == "none":
            grad_g = mse_loss_backward(grad, x, y, reduction)
        else:  # g is one number: its gradient adds up every element's
            grad_g = (mse_loss_backward(zeros_like(g) + 1, x, y, reduction) * grad).sum()
        grad_x = mul_scalar(grad * g, _mse_scale(x, reduction))
        return grad_g, grad_x, -grad_x, None


def mse_loss_backward(grad, self, target, reduction):
    """PyTorch\'s mse_loss_backward: the formula on arrays; on Tensors, one recorded op (MseLossBackward)."""
    if isinstance(grad, function.Tensor):
        return MseLossBackward.apply(grad, self, target, reduction)
    return grad * ((self - target) * _mse_scale(self, reduction))


class NllLossBackward(Primitive):
    rule = Rule(
        "-g·w/W at each target, else 0: nll_loss's backward (g = grad_output, W = total weight for 'mean', else 1);  "
        "∂/∂g = nll_loss of the gradient coming in,  ∂/∂self = 0",
        latex=(r"-$grad_output \cdot \frac{w}{W} \text{ at each target}",
               r"-\textstyle\sum \gamma \cdot \frac{w}{W} \text{ at each target}", "0"),
        local=False,
    )

    @staticmethod
    def forward(ctx, grad_output, self, onehot, reduction):
        """``onehot``: -w/W at each target and 0 elsewhere, an array (nll_loss's forward made it)."""
        ctx.onehot, ctx.reduction = onehot, reduction
        return nll_loss_backward(grad_output._data, onehot, reduction)

    @staticmethod
    def backward(ctx, grad):
        picked = grad * ctx.onehot
        if ctx.reduction == "none":  # one gradient per target: the class dim is summed
            grad_g = sum_dims(picked, 1 if raw(picked).ndim > 1 else 0, False)
        else:
            grad_g = picked.sum()
        return grad_g, zeros_like(grad), None, None


class NllLoss2dBackward(NllLossBackward):
    rule = NllLossBackward.rule

    node_name = "NllLoss2DBackwardBackward0"


def nll_loss_backward(grad, onehot, reduction):
    """The gradient of nll_loss: ``onehot`` scaled by ``grad`` (one number, or one per target for 'none')."""
    if reduction == "none" and onehot.ndim > 1:
        grad = np.expand_dims(grad, 1)
    return grad * onehot

