"""``GradientPlayground``: a scalar function of one or two variables, its value and gradient from nbgrad.

The function is Python code on nbgrad tensors (``"x * sin(x)"``, ``"x**2 + 3*y**2"``, or a function),
evaluated at the point the sliders pick.  The gradient comes from nbgrad's ``autograd.grad``; the picture
shows the tangent line (one variable) or the gradient arrow on the contours (two variables).  Mistakes
in the code, and functions that do not return one number, are explained in the widget, never raised.

The code runs in the kernel, like any cell: it is the notebook user's own code.
"""
import ast
import inspect
import math
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

import nbgrad

from ..autograd import grad as autograd_grad, no_grad
from ..display.figure import figure_png, font_family, words
from ..display.formatting import number
from ..display.html import image_html
from ..i18n import message
from ..tensor import Tensor
from ._common import Snapshot, styled, stylesheet

VARIABLES = ("x", "y")  # the names code in a string may use for its inputs, in this order
# What code in a string can call by name: nbgrad's functions (sin, exp, sum, ..., tensor makers); not all of
# ``nbgrad``'s names, whose ``float`` and ``bool`` (dtypes) would hide Python's own.
NAMESPACE = {name: value for name, value in vars(nbgrad).items()
             if not name.startswith("_") and inspect.isfunction(value)}
NAMESPACE.update({"nbgrad": nbgrad, "torch": nbgrad, "F": nbgrad.nn.functional, "pi": math.pi, "e": math.e})
_SCALAR_ONLY = "grad can be implicitly created only for scalar outputs"  # PyTorch's words, kept as PyTorch says them
_CURVE_POINTS = 201
_GRID_POINTS = 61


class FunctionError(Exception):
    """The function cannot be evaluated at a point, or its result has no gradient; the message says why."""


class GradientPlayground(Snapshot, widgets.VBox):
    """Move a point with sliders and watch ``f``, its gradient and the tangent line or gradient arrow.

    - ``function``: Python code (an expression in ``x``, or ``x`` and ``y``, using nbgrad functions such
      as ``sin``, ``exp``, ``tanh``, ``relu``; editable in the widget) or a function of one or two tensors;
    - ``variables``: the names of the inputs (default: those of ``x``, ``y`` the code uses; for a
      function, its parameters);
    - ``ranges``: ``(low, high)`` for every slider, or a dict name -> ``(low, high)``; default (-3, 3);
    - ``at``: the starting point (a number per variable); default two thirds of the way along each range.
    """

    code = traitlets.Unicode(help="the function, as Python code in the variables")
    point = traitlets.Tuple(help="the values of the variables")

    def __init__(self, function="x * sin(x)", *, variables=None, ranges=None, at=None):
        if callable(function):
            self._callable, code = function, getattr(function, "__name__", "f")
            variables = tuple(variables or inspect.signature(function).parameters)
        elif isinstance(function, str):
            self._callable, code = None, function
            variables = tuple(variables or _variables_in(function))
        else:
            raise TypeError(message("playground.bad_function", type=type(function).__name__))
        if not 1 <= len(variables) <= 2:
            raise ValueError(message("playground.variables", n=len(variables), variables=", ".join(variables)))
        self.variables = variables
        self.ranges = [_range(ranges, name) for name in variables]
        at = [lo + (hi - lo) * 2 / 3 for lo, hi in self.ranges] if at is None else list(np.atleast_1d(at))
        if len(at) != len(variables):
            raise ValueError(message("playground.bad_at", variables=", ".join(variables), n=len(at)))

        signature = f"f({', '.join(variables)}) ="
        self.code_box = widgets.Text(value=code, description=signature, continuous_update=False,
                                     disabled=self._callable is not None, layout={"width": "60%"},
                                     style={"description_width": "initial"})
        self.sliders = [widgets.FloatSlider(value=float(v), min=lo, max=hi, step=(hi - lo) / 200, description=name,
                                            continuous_update=False, readout_format=".3g")
                        for name, (lo, hi), v in zip(variables, self.ranges, at)]
        self.result = widgets.HTML()
        self.plot = widgets.Image(format="png", layout={"max_width": "100%"})
        super().__init__([widgets.HTML(stylesheet()), self.code_box, widgets.HBox(self.sliders), self.result,
                          self.plot])
        self.add_class("nbgrad-playground")
        self.error = None  # the message shown instead of a result, or None
        self.warning = None  # a message shown with the result, or None
        self.value = self.gradient = None
        self._surface = None  # (code, the function sampled on the plot's grid), kept while the code is the same
        with self.hold_trait_notifications():
            self.code = code
            self.point = tuple(float(v) for v in at)
        traitlets.link((self.code_box, "value"), (self, "code"))
        for k, slider in enumerate(self.sliders):
            slider.observe(lambda change, k=k: self._move(k, change["new"]), "value")
        self.observe(lambda _: self.update(), ["code", "point"])
        self.update()

    def _move(self, k, value):
        point = list(self.point)
        point[k] = float(value)
        self.point = tuple(point)

    # ----- computing -----
    def function(self):
        """The function of nbgrad tensors the playground evaluates (compiled from ``code``)."""
        if self._callable is not None:
            return self._callable
        try:
            compiled = compile(ast.parse(self.code.strip() or "None", mode="eval"), "<playground>", "eval")
        except SyntaxError as exc:
            raise FunctionError(message("playground.syntax", error=exc.msg, code=repr(self.code))) from None
        variables = self.variables
        return lambda *args: eval(compiled, dict(NAMESPACE), dict(zip(variables, args)))  # noqa: S307 - user's code

    def _call(self, f, *args):
        try:
            return f(*args)
        except FunctionError:
            raise
        except Exception as exc:  # noqa: BLE001 - any mistake in the user's code becomes the message shown
            hint = ""
            if isinstance(exc, NameError):
                hint = message("playground.name_hint", variables=", ".join(self.variables))
            raise FunctionError(f"{type(exc).__name__}: {exc}{hint}") from None

    def evaluate(self, point=None):
        """(value, gradient) of the function at ``point`` (default: the sliders'), as a float and an ndarray.

        Raises ``FunctionError`` with a message for code that fails, or a result that is not one number.
        """
        return self._evaluate(point)[:2]

    def _evaluate(self, point=None):
        """(value, gradient, whether the result is connected to the inputs by nbgrad operations)."""
        point = self.point if point is None else point
        inputs = [nbgrad.tensor(float(v), dtype=nbgrad.float64, requires_grad=True) for v in point]
        out = _as_tensor(self._call(self.function(), *inputs))
        if out.numel() != 1:
            raise FunctionError(message("playground.not_scalar", shape=tuple(out.shape), pytorch=_SCALAR_ONLY))
        out = out.reshape(())
        if not out.requires_grad:
            return float(out.item()), np.zeros(len(point)), False
        grads = autograd_grad(out, inputs, allow_unused=True)
        return float(out.item()), np.array([0.0 if g is None else float(g.item()) for g in grads]), True

    def update(self):
        """Evaluate at the current point and redraw (run by the sliders and the code box)."""
        self.warning = None
        try:
            self.value, self.gradient, connected = self._evaluate()
            self.error = None
        except FunctionError as exc:
            self.value = self.gradient = None
            self.error = str(exc)
        else:
            if not connected:
                self.warning = message("playground.constant", variables=", ".join(self.variables))
        self.result.value = styled(self._result_html())
        if self.error is None:
            self.plot.value = self._plot_png()
            self.plot.layout.display = None
        else:
            self.plot.layout.display = "none"

    def _sampled(self):
        """The function on the plot's grid (cached per code): xs and values, or xs, ys and a 2-d array."""
        if self._surface is not None and self._surface[0] == self.code:
            return self._surface[1]
        f = self.function()
        if len(self.variables) == 1:
            (lo, hi), = self.ranges
            axes = (np.linspace(lo, hi, _CURVE_POINTS),)
        else:
            axes = tuple(np.linspace(lo, hi, _GRID_POINTS) for lo, hi in self.ranges)
        grids = np.meshgrid(*axes, indexing="xy")
        values = self._vectorised(f, grids)
        if values is None:  # one point at a time: slower, for code that does not broadcast
            coarse = axes if len(axes) == 1 else tuple(np.linspace(lo, hi, 25) for lo, hi in self.ranges)
            grids = np.meshgrid(*coarse, indexing="xy")
            values = np.vectorize(lambda *p: self._value_or_nan(f, p))(*grids)
            axes = coarse
        sampled = (axes, values.reshape(grids[0].shape) if len(axes) == 2 else values.reshape(-1))
        self._surface = (self.code, sampled)
        return sampled

    def _vectorised(self, f, grids):
        """All grid points in one call, if the code treats tensors element by element (checked at 3 points)."""
        with no_grad():
            try:
                out = _as_tensor(f(*[nbgrad.tensor(g, dtype=nbgrad.float64) for g in grids]))
            except Exception:  # noqa: BLE001 - code that only works on single numbers: sample point by point
                return None
        if tuple(out.shape) != grids[0].shape:
            return None
        values = out.detach().numpy().astype(np.float64)
        flat = [g.reshape(-1) for g in grids]
        for i in (0, flat[0].size // 2, flat[0].size - 1):
            expected = self._value_or_nan(f, [g[i] for g in flat])
            if not np.isclose(values.reshape(-1)[i], expected, equal_nan=True):
                return None
        return values

    @staticmethod
    def _value_or_nan(f, point):
        with no_grad():
            try:
                out = _as_tensor(f(*[nbgrad.tensor(float(v), dtype=nbgrad.float64) for v in point]))
                return float(out.detach().numpy().reshape(-1)[0]) if out.numel() == 1 else math.nan
            except Exception:  # noqa: BLE001 - a point where the code fails is left out of the picture
                return math.nan

    # ----- showing -----
    def _where(self):
        return ", ".join(f"{name} = {number(v)}" for name, v in zip(self.variables, self.point))

    def _result_html(self):
        if self.error is not None:
            return f"<div class='nbgrad-message nbgrad-error'>{escape(self.error)}</div>"
        warning = "" if self.warning is None else f"<div class='nbgrad-note'>{escape(self.warning)}</div>"
        return f"<div class='nbgrad-message'>{escape(self._result_text())}</div>{warning}"

    def _result_text(self):
        args = ", ".join(self.variables)
        value = f"f({args}) = {number(self.value)}"
        if len(self.variables) == 1:
            gradient = f"f'({args}) = {number(self.gradient[0])}"
        else:
            gradient = f"∇f = ({', '.join(number(g) for g in self.gradient)})"
        return message("playground.result", where=self._where(), value=value, gradient=gradient)

    def _plot_png(self):
        from matplotlib.figure import Figure

        axes, values = self._sampled()
        fig = Figure(figsize=(6.4, 3.6 if len(axes) == 1 else 4.6), dpi=100)
        ax = fig.add_subplot()
        title = self.code if len(self.code) <= 60 else self.code[:57] + "..."
        ax.set_title(f"f({', '.join(self.variables)}) = {title}", fontsize=10)
        if len(axes) == 1:
            self._plot_tangent(ax, axes[0], values)
        else:
            self._plot_contours(fig, ax, axes, values)
        fig.tight_layout()
        return figure_png(fig)

    def _plot_tangent(self, ax, xs, ys):
        (x0,), f0, (slope,) = self.point, self.value, self.gradient
        ax.plot(xs, ys, color="#0072b2", label="f")
        half = (xs[-1] - xs[0]) / 5
        tx = np.array([x0 - half, x0 + half])
        ax.plot(tx, f0 + slope * (tx - x0), color="#d55e00", linewidth=2,
                label=words("playground.tangent", slope=f"f'({self.variables[0]}) = {number(slope)}"))
        ax.plot([x0], [f0], "o", color="#d55e00")
        finite = ys[np.isfinite(ys)]
        if finite.size:
            low, high = min(finite.min(), f0), max(finite.max(), f0)
            pad = (high - low) * 0.08 or 1.0
            ax.set_ylim(low - pad, high + pad)
        ax.set_xlabel(self.variables[0])
        ax.grid(alpha=0.3)
        ax.legend(prop={"family": font_family("DejaVu Sans"), "size": 8}, loc="best")  # the legend may be Chinese

    def _plot_contours(self, fig, ax, axes, values):
        xs, ys = axes
        masked = np.ma.masked_invalid(values)
        filled = ax.contourf(xs, ys, masked, levels=20, cmap="viridis")
        ax.contour(xs, ys, masked, levels=20, colors="white", linewidths=0.4, alpha=0.6)
        fig.colorbar(filled, ax=ax, label="f")
        (x0, y0), g = self.point, self.gradient
        ax.plot([x0], [y0], "o", color="#d55e00")
        norm = float(np.hypot(*g))
        if norm > 0 and np.isfinite(norm):
            # the arrow shows the direction; its length is fixed so that it stays on the picture
            length = 0.2 * min(xs[-1] - xs[0], ys[-1] - ys[0])
            ax.annotate("", xy=(x0 + g[0] / norm * length, y0 + g[1] / norm * length), xytext=(x0, y0),
                        arrowprops={"arrowstyle": "-|>", "color": "#d55e00", "linewidth": 2})
        gradient = ", ".join(number(v) for v in g)
        ax.text(0.02, 0.02, f"∇f = ({gradient})", transform=ax.transAxes, fontsize=9,
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
        ax.set_xlabel(self.variables[0])
        ax.set_ylabel(self.variables[1])
        ax.set_aspect("equal", adjustable="box")

    def snapshot_html(self):
        picture = image_html(self.plot.value, message("playground.plot_alt")) if self.error is None else ""
        return f"<div class='nbgrad-message'>f({escape(', '.join(self.variables))}) = {escape(self.code)}</div>" \
               f"{self._result_html()}{picture}"

    def state_text(self):
        """The playground as plain text: the function, the point, and the value and gradient (or the error)."""
        lines = [f"GradientPlayground: f({', '.join(self.variables)}) = {self.code}",
                 self.error if self.error is not None else self._result_text()]
        if self.error is None and self.warning is not None:
            lines.append(self.warning)
        return "\n".join(lines)


def _variables_in(code):
    """The variables (``x``, then ``y``) that ``code`` uses; ``x`` alone if it uses neither."""
    try:
        names = {node.id for node in ast.walk(ast.parse(code, mode="eval")) if isinstance(node, ast.Name)}
    except SyntaxError:
        names = set()  # the widget shows the syntax error; the code box stays editable
    return [v for v in VARIABLES if v in names] or ["x"]


def _range(ranges, name):
    if ranges is None:
        return (-3.0, 3.0)
    chosen = ranges.get(name, (-3.0, 3.0)) if isinstance(ranges, dict) else ranges
    lo, hi = (float(v) for v in chosen)
    if not lo < hi:
        raise ValueError(message("playground.bad_range", name=name, lo=lo, hi=hi))
    return lo, hi


def _as_tensor(out):
    """The function's result as a tensor: plain numbers are allowed (a constant function); nothing else."""
    if isinstance(out, Tensor):
        return out
    if isinstance(out, (int, float, np.number)) and not isinstance(out, bool):
        return nbgrad.tensor(float(out), dtype=nbgrad.float64)
    raise FunctionError(message("playground.not_a_tensor", type=type(out).__name__))
