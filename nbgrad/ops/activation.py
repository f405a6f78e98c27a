"""Activation ops whose PyTorch nodes are single ops (GeluBackward0, LeakyReluBackward0, EluBackward0, ...).

Where PyTorch computes a backward with one named function (``gelu_backward``, ``elu_backward``, ...), that
function is one op of its own when recorded (``create_graph=True``), with PyTorch's node name
(``GeluBackwardBackward0``); a plain backward calls the same formula on arrays. SiLU's and Mish's backwards are
written by PyTorch with ordinary ops: recorded, they are those ops' nodes.
"""
import math

import numpy as np

from ..autograd import function
from ._base import Primitive, Rule, constant, either, exp, raw, result, saved
from .elementwise import (
    add_scalar, div_scalar, mul_scalar, sigmoid, sub_scalar, threshold_backward, where, zero_of, zeros_like,
)

_ONE_WHERE = r"1 \text{ where } "
_SQRT1_2 = math.sqrt(0.5)
_PDF_SCALE = 1 / math.sqrt(2 * math.pi)  # φ(x) = e^(-x²/2)/√(2π)
_TANH_BETA = math.sqrt(2 / math.pi)  # the tanh form: tanh(√(2/π)·(x + κx³))
_KAPPA = 0.044715

tanh = either(np.tanh, lambda x: x.tanh())
log1p = either(np.log1p, lambda x: x.log1p())
_erf = np.frompyfunc(math.erf, 1, 1)  # NumPy has no erf; math.erf is exact to the last bit


def _one_minus(x):
    """1 - x; recorded as PyTorch's rules record it, a tensor 1 minus x (SubBackward0), not RsubBackward1."""
    return constant(np.ones((), raw(x).dtype), x) - x


def _approximate(node, number):
    return {"approximate": node.approximate}  # a word ('none' or 'tanh'), not a number


def _number(name):
    return lambda node, number: {name: number(getattr(node, name))}


# ============================================================== GELU

def _phi_cdf(x):
    """Φ(x), the standard normal CDF, on an array (in x's dtype)."""
    return (0.5 * (1 + np.asarray(_erf(x * _SQRT1_2), np.float64))).astype(x.dtype, copy=False)


class Gelu(Primitive):
    rule = Rule(
        "a·Φ(a) (Φ the standard normal CDF), or with approximate='tanh' ½a(1 + tanh(√(2/π)(a + 0.044715a³)));  "
        "∂/∂a = Φ(a) + a·φ(a) (φ the normal density), or the tanh form's derivative",
        latex=(r"$a \, \Phi($a)", r"\Phi($a) + $a \, \varphi($a)"),
        params=_approximate,
    )

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, approximate):
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        x = a._data
        if approximate == "tanh":
            return 0.5 * x * (1 + np.tanh(_TANH_BETA * (x + _KAPPA * x * x * x)))
        return x * _phi_cdf(x)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return gelu_backward(grad, a, ctx.approximate), None


class GeluBackward(Primitive):
    rule = Rule(
        "g·gelu'(self), GELU's backward (g = grad_output);  ∂/∂g = gelu'(self),  ∂/∂self = g·gelu''(self)",
        latex=(r"$grad_output \cdot \operatorname{gelu}'($self)", r"\operatorname{gelu}'($self)",
               r"$grad_output \cdot \operatorname{gelu}''($self)"),
        params=_approximate,
    )

    saved_names = ("grad_output", "self")

    @staticmethod
    def forward(ctx, grad_output, self, approximate):
        ctx.save_for_backward(grad_output, self)
        ctx.approximate = approximate
        return gelu_backward(grad_output._data, self._data, approximate)

    @staticmethod
    def backward(ctx, grad):
        g, x = saved(ctx, grad)
        return gelu_backward(grad, x, ctx.approximate), grad * g * _gelu_second(x, ctx.approximate), None


def gelu_backward(grad, self, approximate):
    """PyTorch's gelu_backward: the formula on arrays; on Tensors, one recorded op (GeluBackward)."""
    if isinstance(grad, function.Tensor):
        return GeluBackward.apply(grad, self, approximate)
    x = self
    if approximate == "tanh":
        inner = np.tanh(_TANH_BETA * (x + _KAPPA * x * x * x))
        right = 0.5 * x * (1 - inner * inner) * _TANH_BETA * (1 + 3 * _KAPPA * x * x)
        return grad * (0.5 * (1 + inner) + right)
    return grad * (_phi_cdf(x) + x * (np.exp(-0.5 * x * x) * _PDF_SCALE))


def _gelu_second(x, approximate):
    """gelu''(x), with operations that work on arrays and Tensors (recorded: PyTorch's is composite too)."""
    if approximate == "tanh":
        # u = β(x + κx³), t = tanh u, s = 1 - t²:  f'' = s·u' + ½x·s·(u'' - 2t·u'²)
        x2 = x * x
        t = tanh(mul_scalar(x + mul_scalar(x2 * x, _KAPPA), _TANH_BETA))
        s = 1 - t * t
        du = mul_scalar(add_scalar(mul_scalar(x2, 3 * _KAPPA), 1), _TANH_BETA)
        ddu = mul_scalar(x, 6 * _KAPPA * _TANH_BETA)
        return s * du + mul_scalar(x, 0.5) * s * (ddu - mul_scalar(t * du * du, 2))
    # φ(x)(2 - x²)
    return mul_scalar(exp(mul_scalar(x * x, -0.5)), _PDF_SCALE) * (2 - x * x)


# ============================================================== LeakyReLU

class LeakyRelu(Primitive):
    rule = Rule(
        "a where a > 0, else s·a (s = negative_slope);  ∂/∂a = 1 where a > 0, else s",
        latex=(r"$a \text{ where } $a > 0 \text{, else } $negative_slope \, $a",
               _ONE_WHERE + r"$a > 0 \text{, else } $negative_slope"),
        params=_number("negative_slope"),
    )

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, negative_slope):
        ctx.save_for_backward(a)
        ctx.negative_slope = negative_slope
        x = a._data
        return np.where(x > 0, x, x * negative_slope).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return leaky_relu_backward(grad, a, ctx.negative_slope), None  # NOTE: the slope at 0 is s, as in PyTorch


class LeakyReluInplace(LeakyRelu):
    """``leaky_relu_``: the node saves the result (the input is overwritten), as PyTorch's LeakyReluBackward1."""

    rule = LeakyRelu.rule
    node_name = "LeakyReluBackward1"
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a, negative_slope):
        ctx.negative_slope = negative_slope
        x = a._data
        out = result(np.where(x > 0, x, x * negative_slope).astype(x.dtype, copy=False))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.negative_slope < 0:  # the sign of the result no longer tells the side: PyTorch refuses
            raise RuntimeError(
                "In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. "
                "This is caused by calling in-place forward function with a negative slope, please call "
                "out-of-place version instead. File an issue at https://github.com/pytorch/pytorch if you do "
                "require supporting in-place leakRelu backward calculation with negative slope")
        (out,) = saved(ctx, grad)
        return leaky_relu_backward(grad, out, ctx.negative_slope), None


class LeakyReluBackward(Primitive):
    rule = Rule(
        "g where self > 0, else s·g: leaky_relu's backward (g = grad_output);  ∂/∂g = 1 where self > 0, else s,  "
        "∂/∂self = 0",
        latex=(r"$grad_output \text{ where } $self > 0 \text{, else } $negative_slope \, $grad_output",
               _ONE_WHERE + r"$self > 0 \text{, else } $negative_slope", "0"),
        params=_number("negative_slope"),
    )

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, grad_output, self, negative_slope):
        ctx.save_for_backward(self)
        ctx.negative_slope = negative_slope
        return leaky_relu_backward(grad_output._data, self._data, negative_slope)

    @staticmethod
    def backward(ctx, grad):
        (x,) = saved(ctx, grad)
        # the slope is piecewise constant: self gets zeros, as in PyTorch
        return leaky_relu_backward(grad, x, ctx.negative_slope), zeros_like(grad), None


def leaky_relu_backward(grad, self, negative_slope):
    """PyTorch's leaky_relu_backward: the formula on arrays; on Tensors, one recorded op (LeakyReluBackward)."""
    if isinstance(grad, function.Tensor):
        return LeakyReluBackward.apply(grad, self, negative_slope)
    return np.where(self > 0, grad, grad * negative_slope).astype(grad.dtype, copy=False)


# ============================================================== ELU, SELU, CELU

def _elu_params(node, number):
    alpha, scale, input_scale = node.alpha, node.scale, node.input_scale

    def factor(v):  # a factor of 1 is not written
        return "" if v == 1 else rf"{number(v)} \, "

    return {"alpha": number(alpha), "scale": number(scale), "input_scale": number(input_scale),
            "_s": factor(scale), "_sa": factor(scale * alpha), "_k": factor(input_scale),
            "_sak": factor(scale * alpha * input_scale)}


def _elu(x, alpha, scale, input_scale):
    return np.where(x > 0, x * scale, np.expm1(x * input_scale) * (alpha * scale)).astype(x.dtype, copy=False)


class Elu(Primitive):
    rule = Rule(
        "λ·a where a > 0, else λα(e^(κa) - 1) (α = alpha, λ = scale, κ = input_scale: 1, 1 for ELU);  "
        "∂/∂a = λ where a > 0, else λακ·e^(κa)",
        latex=(r"$_s$a \text{ where } $a > 0 \text{, else } $_sa(e^{$_k$a} - 1)",
               r"$scale \text{ where } $a > 0 \text{, else } $_sak e^{$_k$a}"),
        params=_elu_params,
    )

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, alpha, scale, input_scale):
        ctx.save_for_backward(a)
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, input_scale
        return _elu(a._data, alpha, scale, input_scale)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        # NOTE: at a = 0 the slope is the left one, λακ (1 for ELU with α = 1), as in PyTorch
        return elu_backward(grad, ctx.alpha, ctx.scale, ctx.input_scale, False, a), None, None, None


class EluInplace(Elu):
    """``elu_`` (and ``selu_``): the node saves the result, as PyTorch's EluBackward1."""

    rule = Elu.rule
    node_name = "EluBackward1"
    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a, alpha, scale, input_scale):
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, input_scale
        out = result(_elu(a._data, alpha, scale, input_scale))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.alpha < 0:  # the sign of the result no longer tells the side: PyTorch refuses
            raise RuntimeError(
                "In-place elu backward calculation is triggered with a negative slope which is not supported. "
                "This is caused by calling in-place forward function with a negative slope, please call "
                "out-of-place version instead.")
        (out,) = saved(ctx, grad)
        return elu_backward(grad, ctx.alpha, ctx.scale, ctx.input_scale, True, out), None, None, None


class Celu(Elu):
    rule = Rule(
        "a where a > 0, else α(e^(a/α) - 1) (α = alpha);  ∂/∂a = 1 where a > 0, else e^(a/α)",
        latex=(r"$a \text{ where } $a > 0 \text{, else } $alpha (e^{$a / $alpha} - 1)",
               r"1 \text{ where } $a > 0 \text{, else } e^{$a / $alpha}"),
        params=_elu_params,
    )


class CeluInplace(EluInplace):
    rule = Celu.rule
    node_name = "CeluBackward1"


class EluBackward(Primitive):
    rule = Rule(
        "g·elu'(x), ELU's backward from x = self or from the result (g = grad_output);  ∂/∂g = elu'(x),  "
        "∂/∂self = g·λακ²·e^(κ·self) where self < 0, else 0",
        latex=(r"$grad_output \cdot \operatorname{elu}'(x)", r"\operatorname{elu}'(x)",
               r"$grad_output \, $scale $alpha $input_scale^{2} e^{$input_scale x} \text{ where } x < 0"),
        params=_elu_params,
    )

    saved_names = ("grad_output", "self_or_result")

    @staticmethod
    def forward(ctx, grad_output, self_or_result, alpha, scale, input_scale, is_result):
        ctx.save_for_backward(grad_output, self_or_result)
        ctx.alpha, ctx.scale, ctx.input_scale, ctx.is_result = alpha, scale, input_scale, is_result
        return elu_backward(grad_output._data, alpha, scale, input_scale, is_result, self_or_result._data)

    @staticmethod
    def backward(ctx, grad):
        g, x = saved(ctx, grad)
        alpha, scale, input_scale, is_result = ctx.alpha, ctx.scale, ctx.input_scale, ctx.is_result
        # NOTE: as PyTorch's elu_double_backward, the curvature is taken where x < 0 only (0 at x = 0)
        negative = raw(x) < 0
        if is_result:  # d(κ(y + λα))/dy = κ
            grad_x = where(negative, mul_scalar(grad * g, input_scale), zero_of(grad))
        else:
            grad_x = where(negative, mul_scalar(grad * g * exp(mul_scalar(x, input_scale)),
                                                scale * alpha * input_scale * input_scale), zero_of(grad))
        return elu_backward(grad, alpha, scale, input_scale, is_result, x), grad_x, None, None, None, None


def elu_backward(grad, alpha, scale, input_scale, is_result, self_or_result):
    """PyTorch's elu_backward: the formula on arrays; on Tensors, one recorded op (EluBackward)."""
    if isinstance(grad, function.Tensor):
        return EluBackward.apply(grad, self_or_result, alpha, scale, input_scale, is_result)
    x = self_or_result
    if is_result:
        negative = grad * (input_scale * (x + alpha * scale))
    else:
        negative = grad * (np.exp(x * input_scale) * (alpha * scale * input_scale))
    return np.where(x > 0, grad * scale, negative).astype(grad.dtype, copy=False)


# ============================================================== SiLU, Mish: backwards of ordinary ops

class Silu(Primitive):
    rule = Rule("a·σ(a);  ∂/∂a = σ(a)(1 + a(1 - σ(a)))",
                latex=(r"$a \, \sigma($a)", r"\sigma($a)\bigl(1 + $a (1 - \sigma($a))\bigr)"))

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        x = a._data
        return x * sigmoid(x)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        s = sigmoid(a)
        return grad * s * add_scalar(a * _one_minus(s), 1)  # in PyTorch's order, so a recorded graph is its


class Mish(Primitive):
    rule = Rule("a·tanh(softplus(a));  ∂/∂a = tanh(softplus(a)) + a·σ(a)(1 - tanh²(softplus(a)))",
                latex=(r"$a \tanh(\operatorname{softplus}($a))",
                       r"\tanh(\operatorname{softplus}($a)) + $a \, \sigma($a) (1 - \tanh^{2}(\operatorname{softplus}($a)))"))

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        x = a._data
        return x * np.tanh(np.logaddexp(0, x))

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        # PyTorch's mish_backward, with softplus written log1p(eˣ) as there (eˣ = inf gives tanh(inf) = 1)
        with np.errstate(over="ignore"):
            t = tanh(log1p(exp(a)))
        return grad * (t + a * sigmoid(a) * _one_minus(t * t))


# ============================================================== Hardtanh (and ReLU6)

def _bounds(node, number):
    return {"min_val": number(node.min_val), "max_val": number(node.max_val)}


class Hardtanh(Primitive):
    rule = Rule(
        "min(max(a, lo), hi) (lo = min_val, hi = max_val);  ∂/∂a = 1 where lo < a < hi, else 0",
        latex=(r"\min(\max($a, $min_val), $max_val)", _ONE_WHERE + r"$min_val < $a < $max_val \text{, else } 0"),
        params=_bounds,
    )

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, min_val, max_val):
        ctx.save_for_backward(a)
        ctx.min_val, ctx.max_val = min_val, max_val
        x = a._data
        return np.where(x < min_val, min_val, np.where(x > max_val, max_val, x)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        # NOTE: the bounds themselves get 0 (exclusive, unlike clamp), as in PyTorch
        return hardtanh_backward(grad, a, ctx.min_val, ctx.max_val), None, None


class HardtanhBackward(Primitive):
    rule = Rule(
        "g where lo < self < hi, else 0: hardtanh's backward (g = grad_output);  ∂/∂g = 1 where lo < self < hi, "
        "else 0,  ∂/∂self = 0",
        latex=(r"$grad_output \text{ where } $min_val < $self < $max_val \text{, else } 0",
               _ONE_WHERE + r"$min_val < $self < $max_val \text{, else } 0", "0"),
        params=_bounds,
    )

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, grad_output, self, min_val, max_val):
        ctx.save_for_backward(self)
        ctx.min_val, ctx.max_val = min_val, max_val
        return hardtanh_backward(grad_output._data, self._data, min_val, max_val)

    @staticmethod
    def backward(ctx, grad):
        (x,) = saved(ctx, grad)
        return hardtanh_backward(grad, x, ctx.min_val, ctx.max_val), zeros_like(grad), None, None


def hardtanh_backward(grad, self, min_val, max_val):
    """PyTorch's hardtanh_backward: the formula on arrays; on Tensors, one recorded op (HardtanhBackward)."""
    if isinstance(grad, function.Tensor):
        return HardtanhBackward.apply(grad, self, min_val, max_val)
    x = self
    return np.where((x > min_val) & (x < max_val), grad, 0).astype(grad.dtype, copy=False)


# ============================================================== LogSigmoid, Hardswish, Hardshrink, Softshrink

class LogSigmoid(Primitive):
    rule = Rule("ln σ(a) = -softplus(-a);  ∂/∂a = σ(-a) = 1 - σ(a)",
                latex=(r"\ln \sigma($a)", r"\sigma(-$a)"))

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        x = a._data
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return log_sigmoid_backward(grad, a)


class LogSigmoidBackward(Primitive):
    rule = Rule("g·σ(-self), log_sigmoid's backward (g = grad_output);  ∂/∂g = σ(-self),  "
                "∂/∂self = -γ·g·σ(self)(1 - σ(self)) (γ = the gradient coming in)",
                latex=(r"$grad_output \cdot \sigma(-$self)", r"\sigma(-$self)",
                       r"-\gamma \, $grad_output \, \sigma($self)(1 - \sigma($self))"))

    saved_names = ("grad_output", "self")

    @staticmethod
    def forward(ctx, grad_output, self):
        ctx.save_for_backward(grad_output, self)
        return log_sigmoid_backward(grad_output._data, self._data)

    @staticmethod
    def backward(ctx, grad):
        g, x = saved(ctx, grad)
        z = sigmoid(x)  # PyTorch's log_sigmoid_double_backward: γ·g·(z - 1)·z
        return log_sigmoid_backward(grad, x), grad * g * sub_scalar(z, 1) * z


def log_sigmoid_backward(grad, self):
    """PyTorch's log_sigmoid_backward: the formula on arrays; on Tensors, one recorded op (LogSigmoidBackward)."""
    if isinstance(grad, function.Tensor):
        return LogSigmoidBackward.apply(grad, self)
    return grad * sigmoid(-self)


class Hardswish(Primitive):
    rule = Rule("a·min(max(a + 3, 0), 6)/6;  ∂/∂a = 0 where a ≤ -3, a/3 + ½ where a < 3, else 1",
                latex=(r"$a \, \frac{\min(\max($a + 3, 0), 6)}{6}",
                       r"0 \text{ where } $a \le -3 \text{, } \tfrac{$a}{3} + \tfrac12 \text{ where } $a < 3 "
                       r"\text{, else } 1"))

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        x = a._data
        return x * np.minimum(np.maximum(x + 3, 0), 6) / 6

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        # NOTE: at a = -3 the slope is 0 and at a = 3 it is 1 (the outer pieces), as in PyTorch
        return hardswish_backward(grad, a)


class HardswishBackward(Primitive):
    rule = Rule("g·hardswish'(self), hardswish's backward (g = grad_output);  ∂/∂g = hardswish'(self),  "
                "∂/∂self = γ·g/3 where -3 < self < 3, else 0 (γ = the gradient coming in)",
                latex=(r"$grad_output \cdot \operatorname{hardswish}'($self)", r"\operatorname{hardswish}'($self)",
                       r"\frac{\gamma \, $grad_output}{3} \text{ where } -3 < $self < 3"))

    saved_names = ("grad_output", "self")

    @staticmethod
    def forward(ctx, grad_output, self):
        ctx.save_for_backward(grad_output, self)
        return hardswish_backward(grad_output._data, self._data)

    @staticmethod
    def backward(ctx, grad):
        g, x = saved(ctx, grad)
        inside = (raw(x) > -3) & (raw(x) < 3)
        return hardswish_backward(grad, x), where(inside, div_scalar(grad * g, 3.0), zero_of(grad))


def hardswish_backward(grad, self):
    """PyTorch's hardswish_backward: the formula on arrays; on Tensors, one recorded op (HardswishBackward)."""
    if isinstance(grad, function.Tensor):
        return HardswishBackward.apply(grad, self)
    x = self
    return np.where(x <= -3, 0, np.where(x < 3, grad * (x / 3 + 0.5), grad)).astype(grad.dtype, copy=False)


class _Shrink(Primitive):
    """Shared by hardshrink and softshrink: the gradient passes where |a| > λ, else 0."""

    saved_names = ("self",)
    _backward_op = None

    @classmethod
    def forward(cls, ctx, a, lambd):
        ctx.save_for_backward(a)
        ctx.lambd = lambd
        return cls._shrink(a._data, lambd)

    @classmethod
    def backward(cls, ctx, grad):
        (a,) = saved(ctx, grad)
        # NOTE: at |a| = λ the gradient is 0 (strict inequalities), as in PyTorch
        return cls._backward_op.backward_of(grad, a, ctx.lambd), None


class _ShrinkBackward(Primitive):
    saved_names = ("self",)

    @classmethod
    def forward(cls, ctx, grad_output, self, lambd):
        ctx.save_for_backward(self)
        ctx.lambd = lambd
        return _shrink_backward(grad_output._data, self._data, lambd)

    @classmethod
    def backward_of(cls, grad, self, lambd):
        """The shrink's backward: the formula on arrays; on Tensors, this op recorded."""
        return cls.apply(grad, self, lambd) if isinstance(grad, function.Tensor) else _shrink_backward(grad, self, lambd)

    @classmethod
    def backward(cls, ctx, grad):
        (x,) = saved(ctx, grad)
        # the mask is piecewise constant: self gets zeros, as in PyTorch
        return cls.backward_of(grad, x, ctx.lambd), zeros_like(grad), None


def _shrink_backward(grad, self, lambd):
    return np.where((self < -lambd) | (self > lambd), grad, 0).astype(grad.dtype, copy=False)


_SHRINK_BACKWARD = Rule(
    "g where |self| > λ, else 0: the shrink's backward (g = grad_output);  ∂/∂g = 1 where |self| > λ, else 0,  "
    "∂/∂self = 0",
    latex=(r"$grad_output \text{ where } \lvert $self \rvert > $lambd \text{, else } 0",
           _ONE_WHERE + r"\lvert $self \rvert > $lambd \text{, else } 0", "0"),
    params=_number("lambd"),
)


class HardshrinkBackward(_ShrinkBackward):
    rule = _SHRINK_BACKWARD


class SoftshrinkBackward(_ShrinkBackward):
    rule = _SHRINK_BACKWARD


class Hardshrink(_Shrink):
    rule = Rule("a where |a| > λ (λ = lambd), else 0;  ∂/∂a = 1 where |a| > λ, else 0",
                latex=(r"$a \text{ where } \lvert $a \rvert > $lambd \text{, else } 0",
                       _ONE_WHERE + r"\lvert $a \rvert > $lambd \text{, else } 0"),
                params=_number("lambd"))
    _backward_op = HardshrinkBackward

    @staticmethod
    def _shrink(x, lambd):
        return np.where((x < -lambd) | (x > lambd), x, 0).astype(x.dtype, copy=False)


class Softshrink(_Shrink):
    rule = Rule("a - λ where a > λ, a + λ where a < -λ, else 0 (λ = lambd);  ∂/∂a = 1 where |a| > λ, else 0",
                latex=(r"$a \mp $lambd \text{ where } \lvert $a \rvert > $lambd \text{, else } 0",
                       _ONE_WHERE + r"\lvert $a \rvert > $lambd \text{, else } 0"),
                params=_number("lambd"))
    _backward_op = SoftshrinkBackward

    @staticmethod
    def _shrink(x, lambd):
        return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0)).astype(x.dtype, copy=False)


# ============================================================== Threshold

class Threshold(Primitive):
    rule = Rule("a where a > t (t = threshold), else v (v = value);  ∂/∂a = 1 where a > t, else 0",
                latex=(r"$a \text{ where } $a > $threshold \text{, else } $value",
                       _ONE_WHERE + r"$a > $threshold \text{, else } 0"),
                params=lambda node, number: {"threshold": number(node.threshold), "value": number(node.value)})

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, threshold, value):
        ctx.save_for_backward(a)
        ctx.threshold, ctx.value = threshold, value
        x = a._data
        return np.where(x > threshold, x, value).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        # NOTE: at a = t the result is v and the gradient 0, as in PyTorch (relu's rule, threshold_backward)
        return threshold_backward(grad, a, ctx.threshold), None, None

