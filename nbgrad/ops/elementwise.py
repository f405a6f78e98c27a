"""Element-wise ops."""
import math

import numpy as np

from .._dtype import scalar_array
from ..autograd import function
from ._base import Primitive, Rule, constant, cos, either, exp, log, raw, result, saved, sin

_ONE_WHERE = r"1 \text{ where } "


def _alpha(node, number):
    return {"alpha": number(node.alpha), "_scaled": "" if node.alpha == 1 else rf"{number(node.alpha)} \cdot "}


def _beta(node, number):
    beta = number(node.beta)
    one = node.beta == 1
    return {"_scaled": "" if one else rf"{beta} \cdot ", "_inverse": "" if one else rf"\frac{{1}}{{{beta}}} ",
            "β": beta, "threshold": number(node.threshold)}


def _bounds(node, number):
    return {"lo": r"-\infty" if node.min is None else number(node.min),
            "hi": r"\infty" if node.max is None else number(node.max)}


def _times_alpha(b, alpha, dtype):
    """alpha·b in the result dtype (NumPy's 2 * bool_mask would be int64, and float16 + int64 float64)."""
    return (alpha * b).astype(dtype, copy=False)


class Add(Primitive):
    rule = Rule("a + α·b (α = alpha, usually 1);  ∂/∂a = 1,  ∂/∂b = α",
                latex=("$a + $_scaled$b", "1", "$alpha"), params=_alpha)
    infix = "+", "+"
    functions = ("add",)

    @staticmethod
    def forward(ctx, a, b, alpha):
        ctx.alpha = alpha
        return a._data + b._data if alpha == 1 else a._data + _times_alpha(b._data, alpha, a._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, grad if ctx.alpha == 1 else mul_scalar(grad, ctx.alpha), None


class Sub(Primitive):
    rule = Rule("a - α·b (α = alpha, usually 1);  ∂/∂a = 1,  ∂/∂b = -α",
                latex=("$a - $_scaled$b", "1", "-$alpha"), params=_alpha)
    infix = "-", "-"
    functions = ("sub", "subtract")

    @staticmethod
    def forward(ctx, a, b, alpha):
        ctx.alpha = alpha
        return a._data - b._data if alpha == 1 else a._data - _times_alpha(b._data, alpha, a._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad if ctx.alpha == 1 else mul_scalar(-grad, ctx.alpha), None


class Rsub(Primitive):
    rule = Rule("c - a for a number c;  ∂/∂a = -1",
                latex=("c - $a", "-1"))

    node_name = "RsubBackward1"

    @staticmethod
    def forward(ctx, a, c):
        return c - a._data

    @staticmethod
    def backward(ctx, grad):
        return -grad, None


# Arithmetic with a number that PyTorch's backward formulas record (2 * result, result + 1): the scalar
# overloads, whose nodes are numbered 1. A forward expression never makes them (`x * 2` in Python
# wraps the number in a tensor: MulBackward0), so they appear in the graphs of gradients only.
class MulScalar(Primitive):
    rule = Rule("a · c for a number c;  ∂/∂a = c",
                latex=(r"$a \cdot $c", "$c"), params=lambda node, number: {"c": number(node.other)})

    node_name = "MulBackward1"

    @staticmethod
    def forward(ctx, a, c):
        ctx.other = c
        return a._data * c

    @staticmethod
    def backward(ctx, grad):
        return mul_scalar(grad, ctx.other), None


class AddScalar(Primitive):
    rule = Rule("a + c for a number c;  ∂/∂a = 1",
                latex=("$a + $c", "1"), params=lambda node, number: {"c": number(node.other)})

    node_name = "AddBackward1"

    @staticmethod
    def forward(ctx, a, c):
        ctx.other = c
        return a._data + c

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class SubScalar(Primitive):
    rule = Rule("a - c for a number c;  ∂/∂a = 1",
                latex=("$a - $c", "1"), params=lambda node, number: {"c": number(node.other)})

    node_name = "SubBackward1"

    @staticmethod
    def forward(ctx, a, c):
        ctx.other = c
        return a._data - c

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class DivScalar(Primitive):
    rule = Rule("a / c for a number c;  ∂/∂a = 1/c",
                latex=(r"\frac{$a}{$c}", r"\frac{1}{$c}"), params=lambda node, number: {"c": number(node.other)})

    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx, a, c):
        ctx.other = c
        return a._data / c

    @staticmethod
    def backward(ctx, grad):
        return div_scalar(grad, ctx.other), None


mul_scalar = either(lambda x, c: x * c, MulScalar.apply)
div_scalar = either(lambda x, c: x / c, DivScalar.apply)
add_scalar = either(lambda x, c: x + c, AddScalar.apply)
sub_scalar = either(lambda x, c: x - c, SubScalar.apply)
# zeros where PyTorch's rule says zeros_like(grad): a constant, so nothing is recorded for it
zeros_like = either(np.zeros_like, lambda x: function.Tensor._make(np.zeros_like(x._data)))


def zero_of(grad):
    """A 0-d zero of grad's dtype, a constant: the 0 of PyTorch's where(mask, grad, 0) in a rule."""
    return constant(np.zeros((), raw(grad).dtype), grad)


class Mul(Primitive):
    rule = Rule("a · b;  ∂/∂a = b,  ∂/∂b = a",
                latex=(r"$a \cdot $b", "$b", "$a"))
    infix = "*", r"\cdot"
    functions = ("mul", "multiply")

    saved_names = ("self", "other")
    saved_for = ((1,), (0,))  # b * 3 then b.zero_() can still backpropagate: b is not kept

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a._data * b._data

    @staticmethod
    def backward(ctx, grad):
        a, b = saved(ctx, grad)
        return None if b is None else grad * b, None if a is None else grad * a


class Div(Primitive):
    rule = Rule("a / b;  ∂/∂a = 1/b,  ∂/∂b = -a/b²",
                latex=(r"\frac{$a}{$b}", r"\frac{1}{$b}", r"-\frac{$a}{$b^{2}}"))
    infix = "/", "/"
    functions = ("div", "divide")

    saved_names = ("self", "other")
    saved_for = ((1,), (0, 1))

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a._data / b._data

    @staticmethod
    def backward(ctx, grad):
        a, b = saved(ctx, grad)
        return grad / b, None if a is None else -grad * a / (b * b)


class Reciprocal(Primitive):
    rule = Rule("1 / a;  ∂/∂a = -1/a² = -result²",
                latex=(r"\frac{1}{$a}", r"-\frac{1}{$a^{2}}"))
    functions = ("reciprocal",)

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        out = result(1.0 / a._data)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved(ctx, grad)
        return -grad * (out * out)


class Neg(Primitive):
    rule = Rule("-a;  ∂/∂a = -1",
                latex=("-$a", "-1"))
    prefix = "-", "-"
    functions = ("neg",)

    @staticmethod
    def forward(ctx, a):
        return -a._data

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Primitive):
    rule = Rule(
        "aⁿ for a number n;  ∂/∂a = n·aⁿ⁻¹",
        latex=(
            "$a^{$n}",
            r"$n \cdot $a^{$_m}",
        ),
        params=lambda node, number: {"n": number(node.exponent), "_m": number(node.exponent - 1)},
    )
    postfix = "**{exponent}", "^{{{exponent}}}"
    functions = ("pow", "square")

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        return _pow_number(a._data, exponent)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        n = ctx.exponent
        if n == 0:  # NOTE: d(a⁰)/da = 0 everywhere, a = 0 included, as in PyTorch
            return zeros_like(grad), None
        return grad * mul_scalar(pow_number(a, n - 1), n), None


def _pow_number(x, n):
    """``x ** n`` for a number n as PyTorch computes it: √x for n = 0.5 and 1/√x for n = -0.5, so that
    (-inf) ** 0.5 is nan and (-0.0) ** -0.5 is -inf (C's pow gives inf for both), to the last bit."""
    if n == 0.5:
        return np.sqrt(x)
    if n == -0.5:
        return 1 / np.sqrt(x)
    return x ** n


pow_number = either(_pow_number, lambda t, n: t ** n)


class PowTensor(Primitive):
    rule = Rule("aᵇ;  ∂/∂a = b·aᵇ⁻¹,  ∂/∂b = aᵇ·ln a",
                latex=("$a^{$b}", r"$b \cdot $a^{$b - 1}", r"$a^{$b} \ln $a"))
    infix = "**", "^"
    functions = ("pow",)

    node_name = "PowBackward1"
    saved_names = ("self", "exponent", "result")

    @staticmethod
    def forward(ctx, a, b):
        out = result(_power(a._data, b._data))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = saved(ctx, grad)
        grad_a = None
        if ctx.needs_input_grad[0]:
            # NOTE: where b = 0 the derivative is taken as exactly +0 (not 0·0⁻¹ at a = 0), and so is its own
            # derivative ∂²/∂a∂b there, as in PyTorch's pow_backward_self.
            zero = constant(np.zeros((), raw(grad).dtype), grad)
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_a = where(raw(b) == 0, zero, grad * (b * a ** sub_scalar(b, 1)))
        grad_b = None
        if ctx.needs_input_grad[1]:
            # NOTE: where a = 0 and b >= 0 the term aᵇ·ln a is taken as exactly +0 (its limit), as in PyTorch.
            zero = constant(np.zeros((), raw(grad).dtype), grad)
            with np.errstate(divide="ignore", invalid="ignore"):
                grad_b = grad * where((raw(a) == 0) & (raw(b) >= 0), zero, out * log(a))
        return grad_a, grad_b


def _power(base, exponent):
    """``base ** exponent`` in NumPy, which refuses the negative integer exponents that PyTorch computes.

    NOTE: as in PyTorch, an integer to a negative integer power is 1 for base 1, ±1 for base -1 (by the
    parity of the exponent) and 0 (the truncated quotient) for any other base, 0 included.
    """
    if exponent.dtype.kind != "i" or not (exponent < 0).any():
        out = base ** exponent
        return out if out.dtype == base.dtype else out.astype(base.dtype)  # NumPy's bool ** bool is int8
    negative = exponent < 0
    out = base ** np.where(negative, 0, exponent)
    odd = exponent % 2 == 1
    truncated = np.where(base == 1, 1, np.where(base == -1, np.where(odd, -1, 1), 0))
    return np.where(negative, truncated, out).astype(out.dtype, copy=False)


class Rpow(Primitive):
    rule = Rule("cᵃ for a number c;  ∂/∂a = cᵃ·ln c",
                latex=("$c^{$a}", r"$c^{$a} \ln $c"), params=lambda node, number: {"c": number(node.self)})

    node_name = "PowBackward2"
    saved_names = ("exponent", "result")

    @staticmethod
    def forward(ctx, a, c):
        out = result(_power(scalar_array(c, a._data.dtype), a._data))
        ctx.save_for_backward(a, out)
        ctx.self = c
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = saved(ctx, grad)
        c = ctx.self
        if c == 0:  # NOTE: where a ≥ 0 the derivative of 0ᵃ is taken as 0; elsewhere it is result·ln 0 =
            # result·(-inf) (so +inf for (-0.0)ᵃ at an odd negative a, nan at a = nan), as in PyTorch.
            with np.errstate(invalid="ignore"):
                d = np.where(raw(a) >= 0, 0.0, raw(out) * -np.inf).astype(raw(a).dtype)
            return grad * constant(d, grad), None
        return grad * mul_scalar(out, math.log(c) if c > 0 else math.nan), None


def _remainder(a, b):
    """PyTorch's remainder on arrays: the sign of the divisor, as Python's ``%``.

    For floats, fmod corrected by b where the signs differ, as PyTorch computes it: -5 % 2.5 is -0.0 there
    (NumPy's np.remainder gives +0.0) and 5 % inf is 5, -5 % inf is inf.
    """
    if a.dtype.kind != "f" and b.dtype.kind != "f":  # a float may come with a bool mask, uncast
        _check_integer_divisor(b)
        return np.remainder(a, b)
    mod = np.fmod(a, b)
    return np.where((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod).astype(mod.dtype, copy=False)


def _floor_divide(a, b):
    """PyTorch's floor division on arrays (as Python's ``//``); an integer division by 0 raises as there."""
    if a.dtype.kind != "f" and b.dtype.kind != "f":
        _check_integer_divisor(b)
    return np.floor_divide(a, b)


def _check_integer_divisor(b):
    if (b == 0).any():
        raise RuntimeError("ZeroDivisionError")


class Remainder(Primitive):
    rule = Rule("a mod c = a - c·⌊a/c⌋ for a number c;  ∂/∂a = 1 (a sawtooth: slope 1 between its jumps)",
                latex=(r"$a \bmod c", "1"))
    functions = ("remainder",)

    @staticmethod
    def forward(ctx, a, c):
        x = a._data
        return _remainder(x, scalar_array(c, x.dtype))

    @staticmethod
    def backward(ctx, grad):
        return grad, None  # NOTE: at a jump (a a multiple of c) the slope is taken as 1, as in PyTorch


class RemainderTensor(Primitive):
    rule = Rule("a mod b = a - b·⌊a/b⌋;  ∂/∂a = 1,  ∂/∂b = -⌊a/b⌋",
                latex=(r"$a \bmod $b", "1", r"-\left\lfloor \frac{$a}{$b} \right\rfloor"))
    infix = "%", r"\bmod"
    functions = ("remainder",)

    node_name = "RemainderBackward1"
    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _remainder(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        a, b = saved(ctx, grad)
        # ⌊a/b⌋ is piecewise constant: a constant in a recorded rule too (its derivative is 0, as in PyTorch)
        return grad, -grad * constant(_floor_divide(raw(a), raw(b)), grad)


# Ops PyTorch gives no derivative. Their node is PyTorch's generic NotImplemented, which refuses backward.
# They are not registered as ops (leading underscore): there is no gradient to check, only the refusal
# (tests/core/test_fidelity.py).
class _NoDerivative(Primitive):
    _aten = None  # PyTorch's name of the op, for the message

    @classmethod
    def backward(cls, ctx, grad):
        raise RuntimeError(f"derivative for aten::{cls._aten} is not implemented")


class _FloorDivide(_NoDerivative):
    rule = Rule("⌊a / b⌋;  no derivative: PyTorch defines none, so backward raises",
                latex=(r"\left\lfloor \frac{$a}{$b} \right\rfloor", r"\text{none}", r"\text{none}"))
    infix = "//", "//"

    node_name = "NotImplemented"
    _aten = "floor_divide"

    @staticmethod
    def forward(ctx, a, b):
        return _floor_divide(a._data, b._data)


class _Rremainder(_NoDerivative):
    rule = Rule("c mod a for a number c;  no derivative: PyTorch defines none, so backward raises",
                latex=(r"c \bmod $a", r"\text{none}"))

    node_name = "NotImplemented"
    _aten = "remainder"

    @staticmethod
    def forward(ctx, a, c):
        x = a._data
        return _remainder(scalar_array(c, x.dtype), x)


class Abs(Primitive):
    rule = Rule("|a|;  ∂/∂a = sign(a)",
                latex=(r"\lvert $a \rvert", r"\operatorname{sign}($a)"))
    functions = ("abs",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad * sgn(a)  # NOTE: abs'(0) = sgn(0) = 0, as in PyTorch


class Sign(Primitive):
    rule = Rule("sign(a);  ∂/∂a = 0 (piecewise constant)",
                latex=(r"\operatorname{sign}($a)", "0"))
    functions = ("sign",)

    @staticmethod
    def forward(ctx, a):
        x = a._data
        if x.dtype.kind == "b":  # a bool is its own sign, as in PyTorch
            return x.copy()
        # NOTE: computed as (a > 0) - (a < 0), as PyTorch does: sign(nan) = 0 (NumPy's np.sign gives nan).
        return (x > 0).astype(x.dtype) - (x < 0)

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad)


class Sgn(Sign):
    rule = Rule("sgn(a), the sign (PyTorch's name for it in abs's rule);  ∂/∂a = 0 (piecewise constant)",
                latex=(r"\operatorname{sgn}($a)", "0"))
    functions = ("sgn",)


sgn = either(np.sign, Sgn.apply)


class Exp(Primitive):
    rule = Rule("eᵃ;  ∂/∂a = eᵃ = result",
                latex=("e^{$a}", "e^{$a}"))
    functions = ("exp",)

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        out = result(np.exp(a._data))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved(ctx, grad)
        return grad * out


class Log(Primitive):
    rule = Rule("ln a;  ∂/∂a = 1/a",
                latex=(r"\ln $a", r"\frac{1}{$a}"))
    functions = ("log",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad / a


class Log1p(Primitive):
    rule = Rule("ln(1 + a), exact for small a;  ∂/∂a = 1/(1 + a)",
                latex=(r"\ln(1 + $a)", r"\frac{1}{1 + $a}"))
    functions = ("log1p",)

    node_name = "Log1PBackward0"  # PyTorch's spelling
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad / add_scalar(a, 1)


class Expm1(Primitive):
    rule = Rule("eᵃ - 1, exact for small a;  ∂/∂a = eᵃ = result + 1",
                latex=("e^{$a} - 1", "e^{$a}"))
    functions = ("expm1",)

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        out = result(np.expm1(a._data))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved(ctx, grad)
        return grad * add_scalar(out, 1)


class Logaddexp(Primitive):
    rule = Rule("ln(eᵃ + eᵇ);  ∂/∂a = σ(a - b),  ∂/∂b = σ(b - a)",
                latex=(r"\ln(e^{$a} + e^{$b})", r"\sigma($a - $b)", r"\sigma($b - $a)"))

    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.logaddexp(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        a, b = saved(ctx, grad)
        # as PyTorch: g / (1 + e^(b - a)); where e^(b - a) overflows the gradient is g / inf = 0, its limit
        with np.errstate(over="ignore"):
            return grad / add_scalar(exp(b - a), 1), grad / add_scalar(exp(a - b), 1)


class Softplus(Primitive):
    rule = Rule(
        "ln(1 + e^(βa))/β, or a where βa > threshold;  ∂/∂a = σ(βa), or 1 where βa > threshold",
        latex=(
            r"$_inverse\ln(1 + e^{$_scaled$a}) \text{, or } $a \text{ where } $_scaled$a > $threshold",
            r"\sigma($_scaled$a) \text{, or } 1 \text{ where } $_scaled$a > $threshold",
        ),
        params=_beta,
    )

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, beta, threshold):
        ctx.save_for_backward(a)
        ctx.beta, ctx.threshold = beta, threshold
        x = a._data
        scaled = x * beta
        # NOTE: where βa > threshold softplus is taken to be a itself, as in PyTorch (the two differ there
        # by less than e⁻ᵗʰʳᵉˢʰᵒˡᵈ/β). np.logaddexp(0, z) is ln(1 + eᶻ) without overflow.
        return np.where(scaled > threshold, x, np.logaddexp(0, scaled) / beta).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return softplus_backward(grad, a, ctx.beta, ctx.threshold), None, None


class SoftplusBackward(Primitive):
    rule = Rule(
        "g·σ(β·self), or g where β·self > threshold: softplus's backward (g = grad_output);  ∂/∂g = σ(β·self), "
        "or 1;  ∂/∂self = g·β·σ(β·self)(1 - σ(β·self)) where β·self < threshold, else 0",
        latex=(
            r"$grad_output \cdot \sigma($_scaled$self) \text{, or } $grad_output \text{ where } $_scaled$self > $threshold",
            r"\sigma($_scaled$self) \text{, or } 1 \text{ where } $_scaled$self > $threshold",
            r"$grad_output \cdot β \sigma($_scaled$self)(1 - \sigma($_scaled$self)) \text{ where } "
            r"$_scaled$self < $threshold",
        ),
        params=_beta,
    )

    saved_names = ("grad_output", "self")

    @staticmethod
    def forward(ctx, grad_output, self, beta, threshold):
        ctx.save_for_backward(grad_output, self)
        ctx.beta, ctx.threshold = beta, threshold
        return softplus_backward(grad_output._data, self._data, beta, threshold)

    @staticmethod
    def backward(ctx, grad):
        g, a = saved(ctx, grad)
        beta, threshold = ctx.beta, ctx.threshold
        # NOTE: as PyTorch's softplus_double_backward, the curvature is 0 where βa ≥ threshold (at the
        # threshold itself too, where the first derivative still takes the σ branch).
        scaled = mul_scalar(a, beta)
        curved = constant(raw(scaled) < threshold, grad)
        second = mul_scalar(sigmoid_backward(grad * g, sigmoid(scaled)) * curved, beta)
        return softplus_backward(grad, a, beta, threshold), second, None, None


def softplus_backward(grad, self, beta, threshold):
    """PyTorch\'s softplus_backward: the formula on arrays; on Tensors, one recorded op (SoftplusBackward)."""
    if isinstance(grad, function.Tensor):
        return SoftplusBackward.apply(grad, self, beta, threshold)
    scaled = self * beta
    return np.where(scaled > threshold, grad, grad * _sigmoid(scaled))


class Sqrt(Primitive):
    rule = Rule("√a;  ∂/∂a = 1/(2√a) = 1/(2·result)",
                latex=(r"\sqrt{$a}", r"\frac{1}{2\sqrt{$a}}"))
    functions = ("sqrt",)

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        out = result(np.sqrt(a._data))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved(ctx, grad)
        return grad / mul_scalar(out, 2)


class Sin(Primitive):
    rule = Rule("sin a;  ∂/∂a = cos a",
                latex=(r"\sin $a", r"\cos $a"))
    functions = ("sin",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad * cos(a)


class Cos(Primitive):
    rule = Rule("cos a;  ∂/∂a = -sin a",
                latex=(r"\cos $a", r"-\sin $a"))
    functions = ("cos",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad * -sin(a)


class Tanh(Primitive):
    rule = Rule("tanh a;  ∂/∂a = 1 - tanh²a = 1 - result²",
                latex=(r"\tanh $a", r"1 - \tanh^{2} $a"))
    functions = ("tanh",)

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        out = result(np.tanh(a._data))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved(ctx, grad)
        return tanh_backward(grad, out)


# A backward that PyTorch computes with one named function (tanh_backward, ...) is one op of its own when it
# is recorded (create_graph=True): its node is PyTorch's (TanhBackwardBackward0), and its backward gives the
# second derivatives. A plain backward calls the same formula on arrays, with no op in between.
class TanhBackward(Primitive):
    rule = Rule("g·(1 - y²), tanh's backward (g = grad_output, y = output);  ∂/∂g = 1 - y²,  ∂/∂y = -2g·y",
                latex=(r"$grad_output \cdot (1 - $output^{2})", r"1 - $output^{2}", r"-2 $grad_output \cdot $output"))

    saved_names = ("grad_output", "output")

    @staticmethod
    def forward(ctx, grad_output, output):
        ctx.save_for_backward(grad_output, output)
        return tanh_backward(grad_output._data, output._data)

    @staticmethod
    def backward(ctx, grad):
        g, y = saved(ctx, grad)
        return tanh_backward(grad, y), grad * (mul_scalar(y, -2) * g)


def tanh_backward(grad, output):
    """PyTorch\'s tanh_backward: the formula on arrays; on Tensors, one recorded op (TanhBackward)."""
    if isinstance(grad, function.Tensor):
        return TanhBackward.apply(grad, output)
    return grad * (1 - output * output)


class Sigmoid(Primitive):
    rule = Rule("σ(a) = 1/(1 + e⁻ᵃ);  ∂/∂a = σ(a)(1 - σ(a)) = result·(1 - result)",
                latex=(r"\sigma($a)", r"\sigma($a)\,\bigl(1 - \sigma($a)\bigr)"))
    functions = ("sigmoid",)

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        out = result(_sigmoid(a._data))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved(ctx, grad)
        return sigmoid_backward(grad, out)


class SigmoidBackward(Primitive):
    rule = Rule("g·y(1 - y), σ's backward (g = grad_output, y = output);  ∂/∂g = y(1 - y),  ∂/∂y = g·(1 - 2y)",
                latex=(r"$grad_output \cdot $output (1 - $output)", r"$output (1 - $output)",
                       r"$grad_output \cdot (1 - 2 $output)"))

    saved_names = ("grad_output", "output")

    @staticmethod
    def forward(ctx, grad_output, output):
        ctx.save_for_backward(grad_output, output)
        return sigmoid_backward(grad_output._data, output._data)

    @staticmethod
    def backward(ctx, grad):
        g, y = saved(ctx, grad)
        return sigmoid_backward(grad, y), grad * (g * add_scalar(mul_scalar(y, -2), 1))


def sigmoid_backward(grad, output):
    """PyTorch\'s sigmoid_backward: the formula on arrays; on Tensors, one recorded op (SigmoidBackward)."""
    if isinstance(grad, function.Tensor):
        return SigmoidBackward.apply(grad, output)
    return grad * output * (1 - output)


def _sigmoid(x):
    """σ on an array, split by sign so that exp never overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


sigmoid = either(_sigmoid, lambda x: x.sigmoid())


class Relu(Primitive):
    rule = Rule("max(a, 0);  ∂/∂a = 1 where a > 0, else 0",
                latex=(r"\max($a, 0)", _ONE_WHERE + r"$a > 0 \text{, else } 0"))
    functions = ("relu",)

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        out = result(np.maximum(a._data, 0))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved(ctx, grad)
        return threshold_backward(grad, out, 0)  # NOTE: relu'(0) = 0, as in PyTorch


class ThresholdBackward(Primitive):
    rule = Rule("g where self > threshold, else 0: relu's backward (g = grad_output, self = relu's result);  "
                "∂/∂g = 1 where self > threshold, else 0,  ∂/∂self = 0",
                latex=(r"$grad_output \text{ where } $self > $threshold \text{, else } 0",
                       _ONE_WHERE + r"$self > $threshold \text{, else } 0", "0"),
                params=lambda node, number: {"threshold": number(node.threshold)})

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, grad_output, self, threshold):
        ctx.save_for_backward(self)
        ctx.threshold = threshold
        return threshold_backward(grad_output._data, self._data, threshold)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        # the mask is piecewise constant: a gets zeros, as in PyTorch (a value, not "no gradient")
        return threshold_backward(grad, a, ctx.threshold), constant(np.zeros_like(raw(grad)), grad), None


def threshold_backward(grad, self, threshold):
    """PyTorch\'s threshold_backward: the formula on arrays; on Tensors, one recorded op (ThresholdBackward)."""
    if isinstance(grad, function.Tensor):
        return ThresholdBackward.apply(grad, self, threshold)
    return grad * (self > threshold)


class Clamp(Primitive):
    rule = Rule(
        "min(max(a, lo), hi);  ∂/∂a = 1 where lo ≤ a ≤ hi, else 0",
        latex=(
            r"\min(\max($a, $lo), $hi)",
            _ONE_WHERE + r"$lo \le $a \le $hi \text{, else } 0",
        ),
        params=_bounds,
    )
    functions = ("clamp", "clip")

    node_name = "ClampBackward1"
    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a)
        ctx.min, ctx.max = lo, hi
        return _clip(a._data, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        x = raw(a)
        # NOTE: the bounds themselves pass the gradient (inclusive), as in PyTorch.
        inside = np.ones(x.shape, dtype=bool)
        if ctx.min is not None:
            inside &= x >= ctx.min
        if ctx.max is not None:
            inside &= x <= ctx.max
        return where(inside, grad, zero_of(grad)), None, None


def _clip(x, lo, hi):
    """min(max(x, lo), hi) as PyTorch computes it: x itself where it ties with a bound (-0.0 stays -0.0,
    where np.clip gives 0.0), a nan bound gives nan."""
    if lo is not None:
        x = np.where((x < lo) | (lo != lo), lo, x)
    if hi is not None:
        x = np.where((x > hi) | (hi != hi), hi, x)
    return x


class ClampTensor(Primitive):
    rule = Rule(
        "min(max(a, lo), hi) for tensors lo, hi;  ∂/∂a = 1 where lo ≤ a ≤ hi,  ∂/∂lo = 1 where a < lo < hi,  "
        "∂/∂hi = 1 where a > hi or hi < lo",
        latex=(
            r"\min(\max($a, $lo), $hi)",
            _ONE_WHERE + r"$lo \le $a \le $hi \text{, else } 0",
            _ONE_WHERE + r"$a < $lo < $hi \text{, else } 0",
            _ONE_WHERE + r"$a > $hi \text{ or } $hi < $lo \text{, else } 0",
        ),
    )
    functions = ("clamp", "clip")

    node_name = "ClampBackward0"
    saved_names = ("self", "min", "max")

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a, lo, hi)
        return _clip(a._data, None if lo is None else lo._data, None if hi is None else hi._data)

    @staticmethod
    def backward(ctx, grad):
        a, lo, hi = saved(ctx, grad)
        x = raw(a)
        zero = zero_of(grad)
        # NOTE: as PyTorch's clamp_backward_min_max: a keeps the gradient at the bounds (inclusive); with
        # crossed bounds (hi < lo) the result is hi, and hi gets it all.
        if lo is None:
            return where(x <= raw(hi), grad, zero), None, where(x > raw(hi), grad, zero)
        if hi is None:
            return where(x >= raw(lo), grad, zero), where(x < raw(lo), grad, zero), None
        l, h = raw(lo), raw(hi)
        return (where((x >= l) & (x <= h), grad, zero), where((x < l) & (l < h), grad, zero),
                where((x > h) | (h < l), grad, zero))


class _Pairwise(Primitive):
    """Shared rule of maximum and minimum: each pair's winner gets the gradient, a tie splits it."""

    saved_names = ("self", "other")
    _pick = _wins = None

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return cls._pick(a._data, b._data)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = saved(ctx, grad)
        return _split(grad, cls._wins(raw(a), raw(b)), raw(a) == raw(b))


class Maximum(_Pairwise):
    rule = Rule(
        "max(a, b);  ∂/∂a = 1 where a > b, ½ where a = b;  ∂/∂b likewise",
        latex=(
            r"\max($a, $b)",
            _ONE_WHERE + r"$a > $b \text{, } \tfrac12 \text{ where } $a = $b",
            _ONE_WHERE + r"$b > $a \text{, } \tfrac12 \text{ where } $a = $b",
        ),
    )
    functions = ("maximum",)
    _pick, _wins = staticmethod(np.maximum), staticmethod(np.greater)


class Minimum(_Pairwise):
    rule = Rule(
        "min(a, b);  ∂/∂a = 1 where a < b, ½ where a = b;  ∂/∂b likewise",
        latex=(
            r"\min($a, $b)",
            _ONE_WHERE + r"$a < $b \text{, } \tfrac12 \text{ where } $a = $b",
            _ONE_WHERE + r"$b < $a \text{, } \tfrac12 \text{ where } $a = $b",
        ),
    )
    functions = ("minimum",)
    _pick, _wins = staticmethod(np.minimum), staticmethod(np.less)


def _split(grad, first_wins, tie):
    # NOTE: ties send half the gradient to each input, as PyTorch's maximum/minimum do.
    share = first_wins + 0.5 * tie
    dtype = raw(grad).dtype
    return grad * share.astype(dtype), grad * (1 - share).astype(dtype)


class Where(Primitive):
    rule = Rule("where(c, a, b);  ∂/∂a = 1 where c, ∂/∂b = 1 where not c (c is a bool array, not an input)",
                latex=(r"\operatorname{where}(c, $a, $b)", _ONE_WHERE + "c", _ONE_WHERE + r"\lnot c"))

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.condition = condition
        return np.where(condition, a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        zero = zero_of(grad)
        c = ctx.condition
        return None, where(c, grad, zero), where(c, zero, grad)


def where(condition, a, b):
    """``where`` inside a rule: recorded (``Where``) on Tensors, NumPy's on arrays."""
    return Where.apply(condition, a, b) if isinstance(a, function.Tensor) else np.where(condition, a, b)


class Clone(Primitive):
    rule = Rule("a copy of a;  ∂/∂a = 1",
                latex=("$a", "1"))

    @staticmethod
    def forward(ctx, a):
        return a._data.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


class ToCopy(Primitive):
    rule = Rule("a cast to another dtype;  ∂/∂a = 1 (the engine casts the gradient back to a's dtype)",
                latex=("$a", "1"))

    @staticmethod
    def forward(ctx, a, np_dtype):
        return a._data.astype(np_dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


# The in-place writes that replace a tensor's values: the old values get gradient 0, as in PyTorch.
class Fill(Primitive):
    rule = Rule("a with every element set to a number (fill_);  ∂/∂a = 0",
                latex=(r"\operatorname{fill}($a)", "0"))

    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, a, value):
        return np.full(a._data.shape, value, dtype=a._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad), None


class FillTensor(Primitive):
    rule = Rule(
        "a with every element set to a 0-d tensor v (fill_(v));  ∂/∂a = 0,  ∂/∂v = Σ grad",
        latex=(
            r"\operatorname{fill}($a, $v)",
            "0",
            r"1 \text{ for each element (the gradients add up)}",
        ),
        local=False,
    )

    node_name = "FillBackward3"

    @staticmethod
    def forward(ctx, a, v):
        return np.full(a._data.shape, v._data, dtype=a._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad), grad.sum()


class Zero(Fill):
    rule = Rule("a with every element set to 0 (zero_);  ∂/∂a = 0",
                latex=(r"\operatorname{zero}($a)", "0"))

    node_name = "ZeroBackward0"


class Copy(Primitive):
    rule = Rule("src written over a (a.copy_(src), cast to a's dtype, broadcast to its shape);  ∂/∂a = 0,  ∂/∂src = 1",
                latex=(r"$src \text{ written over } $a", "0", "1"))

    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, a, src):
        return np.broadcast_to(src._data, a._data.shape).astype(a._data.dtype)

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad), grad
