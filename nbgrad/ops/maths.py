"""Element-wise functions a tutorial reaches for beyond the basic ones: trigonometric and hyperbolic functions,
erf, logarithms to other bases, rounding, division with a rounding mode, fmod, one-sided clamps, lerp,
addcmul/addcdiv, atan2, hypot, logit, fmax/fmin. They load when first used (``nbgrad._lazy``), so
``import nbgrad`` does not pay for them; the basic element-wise ops are in ``elementwise``.
"""
import math

import numpy as np

from .._dtype import scalar_array
from ..autograd import function
from ._base import Primitive, Rule, constant, either, exp, raw, result, saved
from .elementwise import (  # noqa: F401
    Div, Sub, _ONE_WHERE, _check_integer_divisor, _clip, add_scalar, mul_scalar, pow_number, sub_scalar, where, zero_of, zeros_like,
)


# ============================================================== more functions of one input (issue 12)
# Each is its own node in PyTorch (TanBackward0, ...); the rules are PyTorch's (derivatives.yaml), written
# once for arrays and Tensors.
cosh = either(np.cosh, lambda t: t.cosh())
sinh = either(np.sinh, lambda t: t.sinh())
rsqrt = either(lambda x: 1 / np.sqrt(x), lambda t: t.rsqrt())
_SQRT_PI = math.sqrt(math.pi)
# 1 - x with the 1 a tensor, as PyTorch's C++ rules write it (SubBackward0, no gradient to the 1)
one_minus = either(lambda x: 1 - x, lambda t: Sub.apply(function.Tensor._make(np.ones((), t._data.dtype)), t, 1))


class Tan(Primitive):
    rule = Rule("tan a;  ∂/∂a = 1 + tan²a = 1 + result²",
                latex=(r"\tan $a", r"1 + \tan^{2} $a"))
    functions = ("tan",)

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        out = result(np.tan(a._data))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved(ctx, grad)
        return grad * add_scalar(pow_number(out, 2), 1)


class Atan(Primitive):
    rule = Rule("arctan a;  ∂/∂a = 1/(1 + a²)",
                latex=(r"\arctan $a", r"\frac{1}{1 + $a^{2}}"))
    functions = ("atan", "arctan")

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctan(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad / add_scalar(a * a, 1)


class Asin(Primitive):
    rule = Rule("arcsin a;  ∂/∂a = 1/√(1 - a²)",
                latex=(r"\arcsin $a", r"\frac{1}{\sqrt{1 - $a^{2}}}"))
    functions = ("asin", "arcsin")

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsin(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad * rsqrt(add_scalar(-a * a, 1))


class Acos(Primitive):
    rule = Rule("arccos a;  ∂/∂a = -1/√(1 - a²)",
                latex=(r"\arccos $a", r"-\frac{1}{\sqrt{1 - $a^{2}}}"))
    functions = ("acos", "arccos")

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccos(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad * -rsqrt(add_scalar(-a * a, 1))


class Sinh(Primitive):
    rule = Rule("sinh a;  ∂/∂a = cosh a",
                latex=(r"\sinh $a", r"\cosh $a"))
    functions = ("sinh",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sinh(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad * cosh(a)


class Cosh(Primitive):
    rule = Rule("cosh a;  ∂/∂a = sinh a",
                latex=(r"\cosh $a", r"\sinh $a"))
    functions = ("cosh",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cosh(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad * sinh(a)


class Asinh(Primitive):
    rule = Rule("arsinh a;  ∂/∂a = 1/√(a² + 1)",
                latex=(r"\operatorname{arsinh} $a", r"\frac{1}{\sqrt{$a^{2} + 1}}"))
    functions = ("asinh", "arcsinh")

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsinh(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad * rsqrt(add_scalar(pow_number(a, 2), 1))


class Acosh(Primitive):
    rule = Rule("arcosh a;  ∂/∂a = 1/√(a² - 1)",
                latex=(r"\operatorname{arcosh} $a", r"\frac{1}{\sqrt{$a^{2} - 1}}"))
    functions = ("acosh", "arccosh")

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccosh(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad * rsqrt(sub_scalar(a * a, 1))


class Atanh(Primitive):
    rule = Rule("artanh a;  ∂/∂a = 1/(1 - a²)",
                latex=(r"\operatorname{artanh} $a", r"\frac{1}{1 - $a^{2}}"))
    functions = ("atanh", "arctanh")

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctanh(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return mul_scalar(grad, 1) / one_minus(pow_number(a, 2))  # PyTorch's grad * 1 / (1 - a²)


def _elementwise_float64(fn, x):
    """A scalar function of Python's math module over an array, computed in float64 and given x's dtype
    (NumPy has no erf)."""
    return np.asarray(np.frompyfunc(fn, 1, 1)(x.astype(np.float64)), dtype=x.dtype)


class Erf(Primitive):
    rule = Rule("erf a = (2/√π)·∫₀ᵃ e^(-t²) dt;  ∂/∂a = (2/√π)·e^(-a²)",
                latex=(r"\operatorname{erf} $a", r"\frac{2}{\sqrt{\pi}} e^{-$a^{2}}"))
    functions = ("erf",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _elementwise_float64(math.erf, a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return mul_scalar(exp(-pow_number(a, 2)), 2 / _SQRT_PI) * grad


class Erfc(Primitive):
    rule = Rule("erfc a = 1 - erf a;  ∂/∂a = -(2/√π)·e^(-a²)",
                latex=(r"\operatorname{erfc} $a", r"-\frac{2}{\sqrt{\pi}} e^{-$a^{2}}"))
    functions = ("erfc",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _elementwise_float64(math.erfc, a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return mul_scalar(exp(-pow_number(a, 2)), -2 / _SQRT_PI) * grad


def _erfinv(y):
    """erf⁻¹ on an array: an approximation good to about 1e-3, then Halley steps on erf (erfc near ±1,
    where 1 - |y| is exact), to float64's precision; ±1 gives ±inf and |y| > 1 nan, as in PyTorch."""
    y64 = y.astype(np.float64)
    a = np.abs(y64)
    inside = a < 1
    a_in = np.where(inside, a, 0.5)
    # Winitzki's closed form for the start
    k = 0.147
    ln = np.log1p(-a_in * a_in)
    first = 2 / (math.pi * k) + ln / 2
    x = np.sqrt(np.sqrt(first * first - ln / k) - first)
    for _ in range(3):
        near_zero = _elementwise_float64(math.erf, x) - a_in
        f = np.where(a_in <= 0.5, near_zero, (1 - a_in) - _elementwise_float64(math.erfc, x))
        slope = 2 / _SQRT_PI * np.exp(-x * x)
        x = x - f / (slope * (1 + x * f))
    x = np.where(inside, x, np.where(a == 1, np.inf, np.nan))
    return (np.copysign(x, y64)).astype(y.dtype)


erfinv = either(_erfinv, lambda t: t.erfinv())


class Erfinv(Primitive):
    rule = Rule("erf⁻¹ a;  ∂/∂a = (√π/2)·e^((erf⁻¹ a)²)",
                latex=(r"\operatorname{erf}^{-1} $a", r"\frac{\sqrt{\pi}}{2} e^{(\operatorname{erf}^{-1} $a)^{2}}"))
    functions = ("erfinv",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _erfinv(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return mul_scalar(exp(pow_number(erfinv(a), 2)), _SQRT_PI / 2) * grad


class Log2(Primitive):
    rule = Rule("log₂ a;  ∂/∂a = 1/(a·ln 2)",
                latex=(r"\log_{2} $a", r"\frac{1}{$a \ln 2}"))
    functions = ("log2",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log2(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad / mul_scalar(a, math.log(2))


class Log10(Primitive):
    rule = Rule("log₁₀ a;  ∂/∂a = 1/(a·ln 10)",
                latex=(r"\log_{10} $a", r"\frac{1}{$a \ln 10}"))
    functions = ("log10",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log10(a._data)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad / mul_scalar(a, math.log(10))


class Exp2(Primitive):
    rule = Rule("2ᵃ;  ∂/∂a = 2ᵃ·ln 2 = result·ln 2",
                latex=("2^{$a}", r"2^{$a} \ln 2"))
    functions = ("exp2",)

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        out = result(np.exp2(a._data))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved(ctx, grad)
        return mul_scalar(grad * out, math.log(2))


class Rsqrt(Primitive):
    rule = Rule("1/√a;  ∂/∂a = -1/(2a√a) = -result³/2",
                latex=(r"\frac{1}{\sqrt{$a}}", r"-\frac{1}{2 $a \sqrt{$a}}"))
    functions = ("rsqrt",)

    saved_names = ("result",)

    @staticmethod
    def forward(ctx, a):
        out = result(1 / np.sqrt(a._data))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = saved(ctx, grad)
        return mul_scalar(grad, -0.5) * pow_number(out, 3)


# ============================================================== rounding (issue 12)
# Piecewise constant: the gradient is zeros (a value, not "no gradient"), as PyTorch's rules say; an
# integer tensor is already rounded and comes back as a copy.
class _Rounding(Primitive):
    _round = None

    @classmethod
    def forward(cls, ctx, a):
        x = a._data
        return cls._round(x) if x.dtype.kind == "f" else x.copy()

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad)


class Floor(_Rounding):
    rule = Rule("⌊a⌋, the largest integer ≤ a;  ∂/∂a = 0 (piecewise constant)",
                latex=(r"\lfloor $a \rfloor", "0"))
    functions = ("floor",)
    _round = staticmethod(np.floor)


class Ceil(_Rounding):
    rule = Rule("⌈a⌉, the smallest integer ≥ a;  ∂/∂a = 0 (piecewise constant)",
                latex=(r"\lceil $a \rceil", "0"))
    functions = ("ceil",)
    _round = staticmethod(np.ceil)


class Trunc(_Rounding):
    rule = Rule("a rounded towards 0;  ∂/∂a = 0 (piecewise constant)",
                latex=(r"\operatorname{trunc} $a", "0"))
    functions = ("trunc", "fix")
    _round = staticmethod(np.trunc)


class Round(_Rounding):
    rule = Rule("a rounded to the nearest integer, halves to even;  ∂/∂a = 0 (piecewise constant)",
                latex=(r"\operatorname{round} $a", "0"))
    functions = ("round",)
    _round = staticmethod(np.rint)


class RoundDecimals(Primitive):
    rule = Rule("a rounded to d decimals, halves to even;  ∂/∂a = 0 (piecewise constant)",
                latex=(r"\operatorname{round}($a, $d)", "0"), params=lambda node, number: {"d": str(node.decimals)})

    node_name = "RoundBackward1"

    @staticmethod
    def forward(ctx, a, decimals):
        ctx.decimals = decimals
        x = a._data
        # as PyTorch's kernel: scaled by 10^|d| in x's dtype, rounded, scaled back
        scale = np.asarray(10.0 ** abs(decimals), x.dtype)
        return np.rint(x * scale) / scale if decimals >= 0 else np.rint(x / scale) * scale

    @staticmethod
    def backward(ctx, grad):
        return zeros_like(grad), None


class Frac(Primitive):
    rule = Rule("a - trunc a, the fractional part;  ∂/∂a = 1",
                latex=(r"$a - \operatorname{trunc} $a", "1"))
    functions = ("frac",)

    @staticmethod
    def forward(ctx, a):
        x = a._data
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx, grad):
        return grad  # NOTE: at the jumps (integers) the slope is taken as 1, as in PyTorch


# ============================================================== division with a rounding mode, fmod (issue 12)
def _divide(a, b, rounding_mode):
    """PyTorch's div on arrays: true division (None), rounded towards 0 ("trunc") or down ("floor").

    Floats: trunc(a / b), and NumPy's floor_divide, which rounds as PyTorch's div_floor (and Python's //)
    do. Integers: exact, with PyTorch's error for a division by 0.
    """
    if rounding_mode is None:
        return a / b
    if a.dtype.kind == "f":
        return np.trunc(a / b) if rounding_mode == "trunc" else np.floor_divide(a, b)
    _check_integer_divisor(b)
    q = np.floor_divide(a, b)
    if rounding_mode == "trunc":  # floor is one below trunc where the signs differ and b does not divide a
        q = q + ((q * b != a) & ((a < 0) != (b < 0)))
    return q


class DivMode(Primitive):
    rule = Rule("a / b rounded by rounding_mode (None: not rounded);  ∂/∂a = 1/b,  ∂/∂b = -a/b², "
                "or 0 and 0 when rounded (piecewise constant)",
                latex=(r"\operatorname{div}($a, $b)", r"\frac{1}{$b} \text{ or } 0", r"-\frac{$a}{$b^{2}} \text{ or } 0"),
                params=lambda node, number: {"rounding_mode": repr(node.rounding_mode)})

    node_name = "DivBackward2"
    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b, rounding_mode):
        ctx.rounding_mode = rounding_mode
        if rounding_mode is None:
            ctx.save_for_backward(a, b)
        return _divide(a._data, b._data, rounding_mode)

    @staticmethod
    def backward(ctx, grad):
        if ctx.rounding_mode is not None:
            return zeros_like(grad), zeros_like(grad), None
        a, b = saved(ctx, grad)
        return grad / b, -grad * (a / b / b), None


div_trunc = either(lambda a, b: _divide(a, b, "trunc"), lambda a, b: DivMode.apply(a, b, "trunc"))


class Fmod(Primitive):
    rule = Rule("a - c·trunc(a/c) for a number c, the sign of a;  ∂/∂a = 1 (slope 1 between its jumps)",
                latex=(r"\operatorname{fmod}($a, c)", "1"), params=lambda node, number: {"c": number(node.other)})
    functions = ("fmod",)

    @staticmethod
    def forward(ctx, a, c):
        ctx.other = c
        x = a._data
        c = scalar_array(c, x.dtype)
        if x.dtype.kind != "f":
            _check_integer_divisor(c)
        return np.fmod(x, c)

    @staticmethod
    def backward(ctx, grad):
        return grad, None  # NOTE: at a jump (a a multiple of c) the slope is taken as 1, as in PyTorch


class FmodTensor(Primitive):
    rule = Rule("a - b·trunc(a/b), the sign of a;  ∂/∂a = 1,  ∂/∂b = -trunc(a/b)",
                latex=(r"\operatorname{fmod}($a, $b)", "1", r"-\operatorname{trunc} \frac{$a}{$b}"))
    functions = ("fmod",)

    node_name = "FmodBackward1"
    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        x, y = a._data, b._data
        if x.dtype.kind != "f":
            _check_integer_divisor(y)
        return np.fmod(x, y)

    @staticmethod
    def backward(ctx, grad):
        a, b = saved(ctx, grad)
        # PyTorch records trunc(a/b) as div(rounding_mode="trunc"): DivBackward2, derivative 0
        return grad, -grad * div_trunc(a, b)


class NanToNum(Primitive):
    rule = Rule("a with nan, +inf, -inf replaced by numbers;  ∂/∂a = 1 where a is finite, else 0",
                latex=(r"\operatorname{nan\_to\_num}($a)", _ONE_WHERE + r"$a \text{ is finite, else } 0"))
    functions = ("nan_to_num",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, nan, posinf, neginf):
        ctx.save_for_backward(a)
        x = a._data
        if x.dtype.kind != "f":
            return x.copy()
        # NOTE: a missing posinf/neginf is the dtype's largest/lowest finite value, as in PyTorch
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return grad * constant(np.isfinite(raw(a)), grad), None, None, None


# ============================================================== in place with no derivative (issue 12)
# PyTorch records asinh_, acosh_ and atanh_ with a node of their own (AsinhBackward1, ...) that refuses
# backward. Not registered as ops (leading underscore): there is no gradient to check, only the refusal.
class _InplaceNoDerivative(Primitive):
    _aten = None

    @classmethod
    def backward(cls, ctx, grad):
        raise NotImplementedError(f"the derivative for 'inplace version of {cls._aten}' is not implemented.")


class _AsinhInplace(_InplaceNoDerivative):
    rule = Rule("arsinh a, in place (asinh_);  no derivative: PyTorch defines none, so backward raises",
                latex=(r"\operatorname{arsinh} $a", r"\text{none}"))

    node_name = "AsinhBackward1"
    _aten = "asinh"

    @staticmethod
    def forward(ctx, a):
        return np.arcsinh(a._data)


class _AcoshInplace(_InplaceNoDerivative):
    rule = Rule("arcosh a, in place (acosh_);  no derivative: PyTorch defines none, so backward raises",
                latex=(r"\operatorname{arcosh} $a", r"\text{none}"))

    node_name = "AcoshBackward1"
    _aten = "acosh"

    @staticmethod
    def forward(ctx, a):
        return np.arccosh(a._data)


class _AtanhInplace(_InplaceNoDerivative):
    rule = Rule("artanh a, in place (atanh_);  no derivative: PyTorch defines none, so backward raises",
                latex=(r"\operatorname{artanh} $a", r"\text{none}"))

    node_name = "AtanhBackward1"
    _aten = "atanh"

    @staticmethod
    def forward(ctx, a):
        return np.arctanh(a._data)


# ============================================================== one-sided clamps, interpolation, products (issue 12)
class ClampMin(Primitive):
    rule = Rule("max(a, lo) for a number lo;  ∂/∂a = 1 where a ≥ lo, else 0",
                latex=(r"\max($a, $lo)", _ONE_WHERE + r"$a \ge $lo \text{, else } 0"),
                params=lambda node, number: {"lo": number(node.min)})
    functions = ("clamp_min",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, lo):
        ctx.save_for_backward(a)
        ctx.min = lo
        return _clip(a._data, lo, None)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return where(raw(a) >= ctx.min, grad, zero_of(grad)), None  # NOTE: the bound passes it, as in PyTorch


class ClampMax(Primitive):
    rule = Rule("min(a, hi) for a number hi;  ∂/∂a = 1 where a ≤ hi, else 0",
                latex=(r"\min($a, $hi)", _ONE_WHERE + r"$a \le $hi \text{, else } 0"),
                params=lambda node, number: {"hi": number(node.max)})
    functions = ("clamp_max",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, hi):
        ctx.save_for_backward(a)
        ctx.max = hi
        return _clip(a._data, None, hi)

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        return where(raw(a) <= ctx.max, grad, zero_of(grad)), None  # NOTE: the bound passes it, as in PyTorch


class ClampMinTensor(Primitive):
    rule = Rule("max(a, lo) for a tensor lo;  ∂/∂a = 1 where a ≥ lo,  ∂/∂lo = 1 where a < lo",
                latex=(r"\max($a, $lo)", _ONE_WHERE + r"$a \ge $lo \text{, else } 0",
                       _ONE_WHERE + r"$a < $lo \text{, else } 0"))
    functions = ("clamp_min",)

    node_name = "ClampMinBackward1"
    saved_names = ("self", "min")

    @staticmethod
    def forward(ctx, a, lo):
        ctx.save_for_backward(a, lo)
        return _clip(a._data, lo._data, None)

    @staticmethod
    def backward(ctx, grad):
        a, lo = saved(ctx, grad)
        x, lo, zero = raw(a), raw(lo), zero_of(grad)
        return where(x >= lo, grad, zero), where(x < lo, grad, zero)


class ClampMaxTensor(Primitive):
    rule = Rule("min(a, hi) for a tensor hi;  ∂/∂a = 1 where a ≤ hi,  ∂/∂hi = 1 where a > hi",
                latex=(r"\min($a, $hi)", _ONE_WHERE + r"$a \le $hi \text{, else } 0",
                       _ONE_WHERE + r"$a > $hi \text{, else } 0"))
    functions = ("clamp_max",)

    node_name = "ClampMaxBackward1"
    saved_names = ("self", "max")

    @staticmethod
    def forward(ctx, a, hi):
        ctx.save_for_backward(a, hi)
        return _clip(a._data, None, hi._data)

    @staticmethod
    def backward(ctx, grad):
        a, hi = saved(ctx, grad)
        x, hi, zero = raw(a), raw(hi), zero_of(grad)
        return where(x <= hi, grad, zero), where(x > hi, grad, zero)


def number_over(c, x):
    """c / x with the number c a tensor, as PyTorch's C++ rules write it (DivBackward0, no gradient to c)."""
    if isinstance(x, function.Tensor):
        return Div.apply(function.Tensor._make(scalar_array(c, x._data.dtype)), x)
    return c / x


def _lerp(a, b, w):
    """a + w·(b - a) as PyTorch computes it: from b's side for w ≥ 0.5, so that w = 1 gives b exactly."""
    return np.where(np.abs(w) < 0.5, a + w * (b - a), b - (b - a) * (1 - w)).astype(a.dtype, copy=False)


class Lerp(Primitive):
    rule = Rule("a + w·(b - a) for a number w;  ∂/∂a = 1 - w,  ∂/∂b = w",
                latex=(r"$a + w ($b - $a)", "1 - w", "w"), params=lambda node, number: {"w": number(node.weight)})
    functions = ("lerp",)

    node_name = "LerpBackward0"

    @staticmethod
    def forward(ctx, a, b, weight):
        ctx.weight = weight
        return _lerp(a._data, b._data, scalar_array(weight, a._data.dtype))

    @staticmethod
    def backward(ctx, grad):
        w = ctx.weight
        return mul_scalar(grad, 1 - w), mul_scalar(grad, w), None


class LerpTensor(Primitive):
    rule = Rule("a + w·(b - a);  ∂/∂a = 1 - w,  ∂/∂b = w,  ∂/∂w = b - a",
                latex=(r"$a + $w ($b - $a)", r"1 - $w", "$w", "$b - $a"))
    functions = ("lerp",)

    node_name = "LerpBackward1"
    saved_names = ("self", "end", "weight")
    saved_for = ((2,), (2,), (0, 1))

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        return _lerp(a._data, b._data, w._data)

    @staticmethod
    def backward(ctx, grad):
        a, b, w = saved(ctx, grad)
        return (None if w is None else grad * one_minus(w), None if w is None else grad * w,
                None if a is None else grad * (b - a))


class Addcmul(Primitive):
    rule = Rule("a + v·t₁·t₂ for a number v (value);  ∂/∂a = 1,  ∂/∂t₁ = v·t₂,  ∂/∂t₂ = v·t₁",
                latex=(r"$a + v \cdot $tensor1 \cdot $tensor2", "1", r"v \cdot $tensor2", r"v \cdot $tensor1"),
                params=lambda node, number: {"v": number(node.value)})
    functions = ("addcmul",)

    saved_names = ("tensor1", "tensor2")
    saved_for = ((2,), (1,))

    @staticmethod
    def forward(ctx, a, tensor1, tensor2, value):
        ctx.save_for_backward(tensor1, tensor2)
        ctx.value = value
        x = a._data
        return x + scalar_array(value, x.dtype) * tensor1._data * tensor2._data

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = saved(ctx, grad)
        v = ctx.value
        return grad, None if t2 is None else grad * mul_scalar(t2, v), None if t1 is None else grad * mul_scalar(t1, v), None


class Addcdiv(Primitive):
    rule = Rule("a + v·t₁/t₂ for a number v (value);  ∂/∂a = 1,  ∂/∂t₁ = v/t₂,  ∂/∂t₂ = -v·t₁/t₂²",
                latex=(r"$a + v \frac{$tensor1}{$tensor2}", "1", r"\frac{v}{$tensor2}",
                       r"-\frac{v \cdot $tensor1}{$tensor2^{2}}"),
                params=lambda node, number: {"v": number(node.value)})
    functions = ("addcdiv",)

    saved_names = ("tensor1", "tensor2")
    saved_for = ((2,), (1, 2))

    @staticmethod
    def forward(ctx, a, tensor1, tensor2, value):
        ctx.save_for_backward(tensor1, tensor2)
        ctx.value = value
        x = a._data
        return x + scalar_array(value, x.dtype) * tensor1._data / tensor2._data

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = saved(ctx, grad)
        v = ctx.value
        return (grad, None if t2 is None else grad * number_over(v, t2),
                None if t1 is None else -grad * (mul_scalar(t1, v) / (t2 * t2)), None)


class Atan2(Primitive):
    rule = Rule("the angle of the point (b, a): arctan(a/b) in the right quadrant;  ∂/∂a = b/(a² + b²),  "
                "∂/∂b = -a/(a² + b²)",
                latex=(r"\operatorname{atan2}($a, $b)", r"\frac{$b}{$a^{2} + $b^{2}}", r"-\frac{$a}{$a^{2} + $b^{2}}"))
    functions = ("atan2", "arctan2")

    saved_names = ("self", "other")

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a._data, b._data)

    @staticmethod
    def backward(ctx, grad):
        a, b = saved(ctx, grad)
        with np.errstate(divide="ignore"):
            recip = either(np.reciprocal, lambda t: t.reciprocal())(a * a + b * b)
        # NOTE: at a = b = 0 both derivatives are taken as 0 (1/0 masked to 0), as in PyTorch's atan2_backward
        recip = where(raw(recip) == np.inf, zero_of(grad), recip)
        return grad * b * recip, grad * -a * recip


class Hypot(Primitive):
    rule = Rule("√(a² + b²);  ∂/∂a = a/result,  ∂/∂b = b/result",
                latex=(r"\sqrt{$a^{2} + $b^{2}}", r"\frac{$a}{\sqrt{$a^{2} + $b^{2}}}",
                       r"\frac{$b}{\sqrt{$a^{2} + $b^{2}}}"))
    functions = ("hypot",)

    saved_names = ("self", "other", "result")

    @staticmethod
    def forward(ctx, a, b):
        out = result(np.hypot(a._data, b._data))
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = saved(ctx, grad)
        return grad * a / out, grad * b / out


class Logit(Primitive):
    rule = Rule("ln(a/(1 - a)), a first clamped to [ε, 1 - ε] if eps is given;  ∂/∂a = 1/(a(1 - a)) inside, "
                "0 outside [ε, 1 - ε] (nan outside [0, 1] without eps)",
                latex=(r"\ln \frac{$a}{1 - $a}", r"\frac{1}{$a (1 - $a)}"),
                params=lambda node, number: {"eps": "None" if node.eps is None else number(node.eps)})
    functions = ("logit",)

    saved_names = ("self",)

    @staticmethod
    def forward(ctx, a, eps):
        ctx.save_for_backward(a)
        ctx.eps = eps
        x = a._data
        if eps is not None and eps >= 0:  # a negative eps clamps nothing, as in PyTorch
            x = np.clip(x, eps, 1 - eps)
        return np.log(x / (1 - x))

    @staticmethod
    def backward(ctx, grad):
        (a,) = saved(ctx, grad)
        x, eps = raw(a), ctx.eps
        clamped = eps is not None and eps >= 0
        lo, hi = (eps, 1 - eps) if clamped else (0.0, 1.0)
        # NOTE: where the input was clamped the derivative is 0; outside [0, 1] without eps it is nan, as in
        # PyTorch's logit_backward
        outside = constant(np.full((), 0.0 if clamped else np.nan, x.dtype), grad)
        with np.errstate(divide="ignore", invalid="ignore"):
            return where((x >= lo) & (x <= hi), grad / (a * one_minus(a)), outside), None


class _NanIgnoring(Primitive):
    """Shared rule of fmax and fmin: the pair's winner (or the one that is not nan) gets the gradient."""

    saved_names = ("self", "other")
    _pick = _wins = None

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return cls._pick(a._data, b._data)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = saved(ctx, grad)
        x, y = raw(a), raw(b)
        # NOTE: a tie sends all of it to a (no split, unlike maximum), and so does nan in b; as in PyTorch
        first, zero = cls._wins(x, y) | np.isnan(y), zero_of(grad)
        return where(first, grad, zero), where(first, zero, grad)


class Fmax(_NanIgnoring):
    rule = Rule("max(a, b), ignoring a nan;  ∂/∂a = 1 where a ≥ b or b is nan,  ∂/∂b = 1 elsewhere",
                latex=(r"\operatorname{fmax}($a, $b)", _ONE_WHERE + r"$a \ge $b \text{ or } $b = \text{nan}",
                       _ONE_WHERE + r"$a < $b \text{ or } $a = \text{nan}"))
    functions = ("fmax",)
    _pick, _wins = staticmethod(np.fmax), staticmethod(np.greater_equal)


class Fmin(_NanIgnoring):
    rule = Rule("min(a, b), ignoring a nan;  ∂/∂a = 1 where a ≤ b or b is nan,  ∂/∂b = 1 elsewhere",
                latex=(r"\operatorname{fmin}($a, $b)", _ONE_WHERE + r"$a \le $b \text{ or } $b = \text{nan}",
                       _ONE_WHERE + r"$a > $b \text{ or } $a = \text{nan}"))
    functions = ("fmin",)
    _pick, _wins = staticmethod(np.fmin), staticmethod(np.less_equal)
