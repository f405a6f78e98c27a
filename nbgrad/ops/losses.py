"""Loss primitives beyond the first three (``loss``): binary cross entropy on probabilities, smooth L1, Huber
and soft margin, with their backward nodes. Loaded at first use (``nbgrad._lazy``).
"""
import numpy as np

from ..autograd import function
from ._base import Primitive, Rule, constant, either, exp, raw, saved
from .elementwise import add_scalar, div_scalar, mul_scalar, where
from .loss import _REDUCE


_BCE_EPS = 1e-12  # PyTorch's, in binary_cross_entropy's double backward
_BCE_CLAMP = float(np.float32(1e-12))  # PyTorch's clamp of (1 - x)·x in its backward: 1e-12 as a C float


def _norm(x, reduction):
    """PyTorch's norm in the loss backwards: 1/n for 'mean' (n = element count), else 1."""
    return 1 / raw(x).size if reduction == "mean" else 1.0


logit = either(lambda x: np.log(x / (1 - x)), lambda t: t.logit())  # recorded: LogitBackward0


class BinaryCrossEntropy(Primitive):
    rule = Rule(
        "reduce(-w·[y·ln x + (1 - y)·ln(1 - x)]) (each ln at least -100);  ∂/∂x = w·(x - y)/(x(1 - x))/n,  "
        "∂/∂y = -w·ln(x/(1 - x))/n  (n = element count for 'mean', else 1)",
        latex=(r"\operatorname{reduce}\bigl(-w\,[$y \ln $x + (1 - $y) \ln(1 - $x)]\bigr)",
               r"\frac{w\,($x - $y)}{n\,$x (1 - $x)}", r"-\frac{w}{n} \ln \frac{$x}{1 - $x}"),
    )

    saved_names = ("self", "target")

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        """``weight``: None or an array that broadcasts to x (a constant: PyTorch has no derivative for it)."""
        ctx.save_for_backward(x, y)
        ctx.weight, ctx.reduction = weight, reduction
        xs, ys = x._data, y._data
        # NOTE: each log is clamped at -100, as in PyTorch, so x = 0 or 1 gives a finite loss (100·w)
        with np.errstate(divide="ignore"):
            log_x, log_1mx = np.maximum(np.log(xs), -100), np.maximum(np.log1p(-xs), -100)
        loss = (ys - 1) * log_1mx - ys * log_x
        if weight is not None:
            loss = loss * weight
        return _REDUCE[reduction](loss).astype(xs.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, y = saved(ctx, grad)
        weight, reduction = ctx.weight, ctx.reduction
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_x = binary_cross_entropy_backward(grad, x, y, weight, reduction)
        if ctx.needs_input_grad[1]:  # PyTorch's binary_cross_entropy_target_backward, in its order
            grad_y = -logit(x) * grad
            if weight is not None:
                grad_y = grad_y * constant(weight, grad)
            if reduction == "mean":
                grad_y = div_scalar(grad_y, raw(x).size)
        return grad_x, grad_y, None, None


class BinaryCrossEntropyBackward(Primitive):
    rule = Rule(
        "g·w·(x - y)/(x(1 - x))/n, binary_cross_entropy's backward (g = grad_output, x = self, y = target);  "
        "∂/∂g = w·(x - y)/(x(1 - x))/n,  ∂/∂x = γ·g·w·(x² - 2xy + y)/(x²(1 - x)²)/n,  "
        "∂/∂y = -γ·g·w/(x(1 - x))/n (γ = the gradient coming in)",
        latex=(r"$grad_output \cdot \frac{w\,($self - $target)}{n\,$self (1 - $self)}",
               r"\frac{w\,($self - $target)}{n\,$self (1 - $self)}",
               r"\gamma \, $grad_output \frac{w\,($self^{2} - 2 $self $target + $target)}{n\,$self^{2} (1 - $self)^{2}}",
               r"-\gamma \, $grad_output \frac{w}{n\,$self (1 - $self)}"),
        local=False,
    )

    saved_names = ("grad_output", "self", "target")

    @staticmethod
    def forward(ctx, grad_output, self, target, weight, reduction):
        ctx.save_for_backward(grad_output, self, target)
        ctx.weight, ctx.reduction = weight, reduction
        return binary_cross_entropy_backward(grad_output._data, self._data, target._data, weight, reduction)

    @staticmethod
    def backward(ctx, grad):
        # PyTorch's binary_cross_entropy_double_backward(_grad_output, _target), with its 1e-12 terms
        g, x, y = saved(ctx, grad)
        weight, reduction = ctx.weight, ctx.reduction
        w = None if weight is None else constant(weight, grad)
        n = raw(x).size

        def weighted(t):
            t = t if w is None else t * w
            return div_scalar(t, n) if reduction == "mean" else t

        grad_g = (x - y) / (add_scalar(x, _BCE_EPS) * add_scalar(1 - x, _BCE_EPS)) * grad
        if w is not None:
            grad_g = grad_g * w
        if reduction != "none":  # grad_output is one number: its gradient adds up every element's
            grad_g = grad_g.sum()
            grad_g = div_scalar(grad_g, n) if reduction == "mean" else grad_g
        gg = grad * g
        grad_x = (x * x - mul_scalar(x * y, 2) + y) / (add_scalar(x, _BCE_EPS) ** 2 * add_scalar(1 - x, _BCE_EPS) ** 2)
        grad_x = weighted(grad_x * gg)
        denominator = (1 - x) * x
        denominator = where(raw(denominator) < _BCE_EPS, constant(np.full((), _BCE_EPS, raw(x).dtype), grad),
                            denominator)
        grad_y = (-gg if w is None else -gg * w) / denominator
        grad_y = div_scalar(grad_y, n) if reduction == "mean" else grad_y
        return grad_g, grad_x, grad_y, None, None


def binary_cross_entropy_backward(grad, self, target, weight, reduction):
    """PyTorch's binary_cross_entropy_backward: the formula on arrays; on Tensors, one recorded op."""
    if isinstance(grad, function.Tensor):
        return BinaryCrossEntropyBackward.apply(grad, self, target, weight, reduction)
    # NOTE: x(1 - x) is clamped at (float) 1e-12, as in PyTorch: at x = 0 or 1 the gradient is finite
    g = grad * (self - target) / np.maximum((1 - self) * self, _BCE_CLAMP)
    if weight is not None:
        g = g * weight
    return (g * _norm(self, reduction)).astype(self.dtype, copy=False)


class _PiecewiseLoss(Primitive):
    """Shared by smooth L1 and Huber: quadratic where |x - y| < the parameter, linear beyond."""

    saved_names = ("self", "target")
    _backward_op = None

    @classmethod
    def forward(cls, ctx, x, y, reduction, parameter):
        ctx.save_for_backward(x, y)
        ctx.reduction, ctx.parameter = reduction, parameter
        z = np.abs(x._data - y._data)
        return _REDUCE[reduction](cls._loss(z, parameter)).astype(x._data.dtype, copy=False)

    @classmethod
    def backward(cls, ctx, grad):
        x, y = saved(ctx, grad)
        g = cls._backward_op.backward_of(grad, x, y, ctx.reduction, ctx.parameter)
        if not isinstance(grad, function.Tensor):  # on arrays, y's gradient is -g: no second pass
            return g, -g, None, None
        # recorded: y's is the same backward with x and y swapped, a node of its own, as in PyTorch
        grad_y = cls._backward_op.backward_of(grad, y, x, ctx.reduction, ctx.parameter) if ctx.needs_input_grad[1] \
            else None
        return g, grad_y, None, None


class _PiecewiseLossBackward(Primitive):
    saved_names = ("grad_output", "self", "target")

    @classmethod
    def forward(cls, ctx, grad_output, self, target, reduction, parameter):
        ctx.save_for_backward(grad_output, self, target)
        ctx.reduction, ctx.parameter = reduction, parameter
        return cls._formula(grad_output._data, self._data, target._data, reduction, parameter)

    @classmethod
    def backward_of(cls, grad, self, target, reduction, parameter):
        """The loss's backward: the formula on arrays; on Tensors, this op recorded."""
        if isinstance(grad, function.Tensor):
            return cls.apply(grad, self, target, reduction, parameter)
        return cls._formula(grad, self, target, reduction, parameter)

    @classmethod
    def backward(cls, ctx, grad):
        g, x, y = saved(ctx, grad)
        reduction, parameter = ctx.reduction, ctx.parameter
        # NOTE: the curvature is taken where |x - y| < parameter only (0 at the joins), as PyTorch's
        # smooth_l1_loss_double_backward and huber_loss_double_backward
        inside = (np.abs(raw(x) - raw(y)) < parameter) * (cls._curvature(parameter) * _norm(x, reduction))
        grad_x = grad * g * constant(inside.astype(raw(grad).dtype), grad)
        # grad_output's gradient: the same backward applied to the incoming gradient (summed by the engine
        # to grad_output's one number for 'mean' and 'sum')
        return cls.backward_of(grad, x, y, reduction, parameter), grad_x, -grad_x, None, None


class SmoothL1LossBackward(_PiecewiseLossBackward):
    rule = Rule(
        "g·clamp((x - y)/β, -1, 1)/n, smooth_l1_loss's backward (g = grad_output, x = self, y = target, "
        "β = beta);  ∂/∂g = clamp((x - y)/β, -1, 1)/n,  ∂/∂x = γ·g/(β·n) where |x - y| < β, else 0,  ∂/∂y = -∂/∂x",
        latex=(r"$grad_output \cdot \operatorname{clamp}\bigl(\tfrac{$self - $target}{β}, -1, 1\bigr) / n",
               r"\operatorname{clamp}\bigl(\tfrac{$self - $target}{β}, -1, 1\bigr) / n",
               r"\frac{\gamma \, $grad_output}{β n} \text{ where } \lvert $self - $target \rvert < β",
               r"-\frac{\gamma \, $grad_output}{β n} \text{ where } \lvert $self - $target \rvert < β"),
        local=False,
    )

    @staticmethod
    def _curvature(beta):
        return 1 / beta

    @staticmethod
    def _formula(grad, self, target, reduction, beta):
        d = self - target
        norm = _norm(self, reduction)
        return np.where(d < -beta, -norm * grad, np.where(d > beta, norm * grad, norm * d * grad / beta)).astype(
            self.dtype, copy=False)


class HuberLossBackward(_PiecewiseLossBackward):
    rule = Rule(
        "g·clamp(x - y, -δ, δ)/n, huber_loss's backward (g = grad_output, x = self, y = target, δ = delta);  "
        "∂/∂g = clamp(x - y, -δ, δ)/n,  ∂/∂x = γ·g/n where |x - y| < δ, else 0,  ∂/∂y = -∂/∂x",
        latex=(r"$grad_output \cdot \operatorname{clamp}($self - $target, -δ, δ) / n",
               r"\operatorname{clamp}($self - $target, -δ, δ) / n",
               r"\frac{\gamma \, $grad_output}{n} \text{ where } \lvert $self - $target \rvert < δ",
               r"-\frac{\gamma \, $grad_output}{n} \text{ where } \lvert $self - $target \rvert < δ"),
        local=False,
    )

    @staticmethod
    def _curvature(delta):
        return 1.0

    @staticmethod
    def _formula(grad, self, target, reduction, delta):
        d = self - target
        norm = _norm(self, reduction)
        return np.where(d < -delta, -norm * grad * delta,
                        np.where(d > delta, norm * grad * delta, norm * d * grad)).astype(self.dtype, copy=False)


class SmoothL1Loss(_PiecewiseLoss):
    rule = Rule(
        "reduce(½(x - y)²/β where |x - y| < β, else |x - y| - ½β) (β = beta);  ∂/∂x = clamp((x - y)/β, -1, 1)/n,  "
        "∂/∂y = -∂/∂x  (n = element count for 'mean', else 1)",
        latex=(r"\operatorname{reduce}\bigl(\tfrac{($x - $y)^{2}}{2β} \text{ or } \lvert $x - $y \rvert - \tfrac{β}{2}\bigr)",
               r"\operatorname{clamp}\bigl(\tfrac{$x - $y}{β}, -1, 1\bigr) / n",
               r"-\operatorname{clamp}\bigl(\tfrac{$x - $y}{β}, -1, 1\bigr) / n"),
    )
    _backward_op = SmoothL1LossBackward

    @staticmethod
    def _loss(z, beta):
        # NOTE: at |x - y| = β the linear piece is taken (the two agree there, and so do their slopes)
        return np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)


class HuberLoss(_PiecewiseLoss):
    rule = Rule(
        "reduce(½(x - y)² where |x - y| < δ, else δ(|x - y| - ½δ)) (δ = delta);  ∂/∂x = clamp(x - y, -δ, δ)/n,  "
        "∂/∂y = -∂/∂x  (n = element count for 'mean', else 1)",
        latex=(r"\operatorname{reduce}\bigl(\tfrac{($x - $y)^{2}}{2} \text{ or } δ (\lvert $x - $y \rvert - \tfrac{δ}{2})\bigr)",
               r"\operatorname{clamp}($x - $y, -δ, δ) / n", r"-\operatorname{clamp}($x - $y, -δ, δ) / n"),
    )
    _backward_op = HuberLossBackward

    @staticmethod
    def _loss(z, delta):
        return np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))


class SoftMarginLoss(Primitive):
    rule = Rule("reduce(ln(1 + e^(-y·x)));  ∂/∂x = -y·σ(-y·x)/n  (n = the input's element count for 'mean', else 1)",
                latex=(r"\operatorname{reduce}\bigl(\ln(1 + e^{-y $x})\bigr)", r"-\frac{y \, \sigma(-y $x)}{n}"))

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, x, target, reduction):
        """``target``: the labels, an array (PyTorch defines no derivative for them)."""
        ctx.save_for_backward(x)
        ctx.target, ctx.reduction = target, reduction
        return _REDUCE[reduction](np.logaddexp(0, -x._data * target)).astype(x._data.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (x,) = saved(ctx, grad)
        return soft_margin_loss_backward(grad, x, ctx.target, ctx.reduction), None, None


class SoftMarginLossBackward(Primitive):
    rule = Rule(
        "-g·y·σ(-y·x)/n, soft_margin_loss's backward (g = grad_output, x = self, y = the labels);  "
        "∂/∂g = -y·σ(-y·x)/n,  ∂/∂x = γ·g·y²·σ(y·x)σ(-y·x)/n (γ = the gradient coming in)",
        latex=(r"-$grad_output \frac{y \, \sigma(-y $self)}{n}", r"-\frac{y \, \sigma(-y $self)}{n}",
               r"\gamma \, $grad_output \frac{y^{2} \sigma(y $self) \sigma(-y $self)}{n}"),
        local=False,
    )

    saved_names = ("grad_output", "self")

    @staticmethod
    def forward(ctx, grad_output, self, target, reduction):
        ctx.save_for_backward(grad_output, self)
        ctx.target, ctx.reduction = target, reduction
        return soft_margin_loss_backward(grad_output._data, self._data, target, reduction)

    @staticmethod
    def backward(ctx, grad):
        # PyTorch's soft_margin_loss_double_backward(_grad_output)
        g, x = saved(ctx, grad)
        y = constant(ctx.target.astype(raw(x).dtype), grad)
        z = exp(x * -y)
        grad_x = mul_scalar(y * y * z / ((z + 1) * (z + 1)), _norm(x, ctx.reduction)) * (grad * g)
        # grad_output's gradient: the same backward applied to the incoming gradient (summed by the engine to
        # grad_output's one number for 'mean' and 'sum')
        return soft_margin_loss_backward(grad, x, ctx.target, ctx.reduction), grad_x, None, None


def soft_margin_loss_backward(grad, self, target, reduction):
    """PyTorch's soft_margin_loss_backward (``target`` an array): the formula on arrays; on Tensors, one recorded op."""
    if isinstance(grad, function.Tensor):
        return SoftMarginLossBackward.apply(grad, self, target, reduction)
    z = np.exp(-target * self)
    return (-_norm(self, reduction) * target * z / (1 + z) * grad).astype(self.dtype, copy=False)
