"""``TensorView``: a tensor's values and, beside them, its gradient, as tables or heat maps.

Tables are the display layer's (``values_html``: coloured by sign and size, summarised as PyTorch
prints); heat maps are drawn with matplotlib on a scale centred at zero.  A tensor of three or more
dimensions is shown one 2-d slice at a time, picked with one slider per leading dimension.  After a cell
that changes the values or ``.grad`` (a ``backward()``, an optimizer step), the view redraws itself.
"""
from html import escape

import ipywidgets as widgets
import numpy as np
import traitlets

from ..display.figure import figure_png
from ..display.formatting import number, summary
from ..display.html import image_html, values_html
from ..display.labels import Names
from ..i18n import message
from ..tensor import Tensor
from ._common import Snapshot, array_key, note, refresh_after_cells, styled, stylesheet

MODES = ("table", "heatmap")
_ANNOTATE_UP_TO = 64  # cells; a heat map of more than this shows colours only


class TensorView(Snapshot, widgets.VBox):
    """A tensor's values and ``.grad`` side by side.

    - ``mode``: ``"table"`` or ``"heatmap"`` (a toggle in the widget too);
    - ``name``: the label shown (default: ``tensor.name``, or the notebook variable that holds it).

    ``index`` holds the leading indices of the 2-d slice shown, for tensors of three or more dimensions.
    Call ``refresh()`` to redraw by hand; in a notebook it happens after every cell that changed the tensor.
    """

    mode = traitlets.Unicode("table", help="'table' or 'heatmap'")
    index = traitlets.Tuple(help="leading indices of the 2-d slice shown (tensors of 3 or more dimensions)")

    def __init__(self, tensor, *, mode="table", name=None):
        if not isinstance(tensor, Tensor):
            raise TypeError(message("widgets.not_a_tensor", widget="TensorView", type=type(tensor).__name__))
        _check_mode(mode)
        self.tensor = tensor
        self.name = name if name is not None else Names()(tensor)
        self.header = widgets.HTML()
        self.mode_buttons = widgets.ToggleButtons(options=[(_mode_name(m), m) for m in MODES], value=mode)
        self.refresh_button = widgets.Button(description=message("widgets.refresh"),
                                             tooltip=message("tensor_view.refresh_tip"))
        self.slice_sliders = widgets.HBox()
        self.values_panel = widgets.VBox(layout={"margin": "0 24px 0 0"})
        self.grad_panel = widgets.VBox()
        super().__init__([
            widgets.HTML(stylesheet()), self.header,
            widgets.HBox([self.mode_buttons, self.refresh_button]), self.slice_sliders,
            widgets.HBox([self.values_panel, self.grad_panel], layout={"flex_flow": "row wrap"}),
        ])
        self.add_class("nbgrad-tensor-view")
        self._shown = None  # the fingerprint of what is drawn
        traitlets.link((self.mode_buttons, "value"), (self, "mode"))
        self.refresh_button.on_click(lambda _: self.refresh())
        self.observe(lambda _: self._draw_body(), ["mode", "index"])
        self.refresh()
        refresh_after_cells(self)

    @traitlets.validate("mode")
    def _valid_mode(self, proposal):
        _check_mode(proposal["value"])
        return proposal["value"]

    @traitlets.validate("index")
    def _valid_index(self, proposal):
        index = tuple(proposal["value"])
        leading = tuple(self.tensor.shape[:-2])
        if len(index) != len(leading) or not all(0 <= i < n for i, n in zip(index, leading)):
            raise traitlets.TraitError(message("tensor_view.bad_index", index=index, shape=tuple(self.tensor.shape)))
        return index

    # ----- reading the tensor -----
    def _values(self):
        return self.tensor.detach().numpy()

    def _grad(self):
        """The tensor's ``.grad`` as an array, or None; read only where PyTorch keeps one (it warns elsewhere)."""
        t = self.tensor
        grad = t.grad if t.is_leaf or t.retains_grad else None
        return None if grad is None else grad.detach().numpy()

    def _fingerprint(self):
        t = self.tensor
        return (array_key(self._values()), array_key(self._grad()), t.requires_grad, t.grad_fn, t.retains_grad)

    def refresh(self):
        """Read the tensor again and redraw everything."""
        self._shown = self._fingerprint()
        self.header.value = styled(self._header_html())
        leading = tuple(self.tensor.shape[:-2])
        if len(self.slice_sliders.children) != len(leading) or any(
                s.max != n - 1 for s, n in zip(self.slice_sliders.children, leading)):
            self._make_sliders(leading)
        self._draw_body()

    def refresh_if_changed(self):
        """Redraw if the values, ``.grad`` or autograd state changed since the last drawing."""
        if self._fingerprint() != self._shown:
            self.refresh()

    def _make_sliders(self, leading):
        sliders = [widgets.IntSlider(min=0, max=n - 1, description=message("tensor_view.dim", d=d),
                                     continuous_update=False)
                   for d, n in enumerate(leading)]
        for slider in sliders:
            slider.observe(lambda _: self._set_index(), "value")
        self.slice_sliders.children = sliders
        with self.hold_trait_notifications():
            self.index = tuple(0 for _ in leading)

    def _set_index(self):
        self.index = tuple(s.value for s in self.slice_sliders.children)

    # ----- drawing -----
    def _slice(self, data):
        return data[self.index] if data.ndim > 2 else data

    def _caption(self):
        return f"[{', '.join(map(str, self.index))}, :, :]" if self.index else ""

    def _header_html(self):
        t = self.tensor
        parts = [f"<b>{escape(self.name or message('tensor_view.tensor'))}</b>",
                 escape(message("tensor_view.shape", shape=tuple(t.shape))), escape(repr(t.dtype)),
                 f"requires_grad={t.requires_grad}"]
        parts.append(escape(message("widgets.kind.leaf")) if t.is_leaf
                     else f"grad_fn=&lt;{escape(t.grad_fn.name())}&gt;")
        spans = "".join(f"<span class='nbgrad-code'>{p}</span>" for p in parts)
        return f"<div class='nbgrad-header'>{spans}</div>"

    def _grad_missing(self):
        t = self.tensor
        if not t.requires_grad:
            return message("tensor_view.no_grad")
        if not t.is_leaf and not t.retains_grad:
            return message("tensor_view.not_kept")
        return message("widgets.grad_none_yet")

    def _panel(self, title, data, missing=None):
        title = f"{title} {self._caption()}".strip()
        head = widgets.HTML(styled(f"<div class='nbgrad-panel-title'>{escape(title)}</div>"))
        if data is None:
            return [head, widgets.HTML(styled(note(missing)))]
        if self.mode == "table":
            return [head, widgets.HTML(styled(values_html(self._slice(data))))]
        return [head, widgets.Image(value=heatmap_png(self._slice(data)), format="png")]

    def _draw_body(self):
        self.values_panel.children = self._panel(message("tensor_view.values"), self._values())
        self.grad_panel.children = self._panel(".grad", self._grad(), self._grad_missing())

    def snapshot_html(self):
        sections = []
        for title, data in ((message("tensor_view.values"), self._values()), (".grad", self._grad())):
            if data is None:
                body = note(self._grad_missing())
            elif self.mode == "table":
                body = values_html(self._slice(data))
            else:
                body = image_html(heatmap_png(self._slice(data)), message("tensor_view.heatmap_of", title=title))
            sections.append(f"<div style='display:inline-block;vertical-align:top;margin-right:24px'>"
                            f"<div class='nbgrad-panel-title'>{escape(title)} {escape(self._caption())}</div>"
                            f"{body}</div>")
        return self._header_html() + "".join(sections)

    def state_text(self):
        """The view as plain text: the tensor's name, shape, the slice shown, its values and ``.grad`` in short."""
        grad = self._grad()
        t = self.tensor
        where = message("tensor_view.slice", index=self._caption()) if self.index else ""
        name = self.name or message("widgets.a_tensor")
        return "\n".join([
            message("tensor_view.state", name=name, shape=tuple(t.shape), mode=_mode_name(self.mode), where=where),
            message("tensor_view.values_line", values=summary(self._values())),
            message("tensor_view.grad_line", grad=summary(grad) if grad is not None else self._grad_missing()),
        ])


def _mode_name(mode):
    return message(f"tensor_view.{mode}")


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError(message("tensor_view.bad_mode", modes=", ".join(map(repr, MODES)), mode=repr(mode)))


def heatmap_png(data):
    """A 0-, 1- or 2-d array as a heat map (PNG bytes): blue below zero, red above, white at zero."""
    from matplotlib.figure import Figure

    grid = np.asarray(data, dtype=np.float64).reshape((1,) * (2 - data.ndim) + data.shape)
    rows, cols = grid.shape
    finite = np.abs(grid[np.isfinite(grid)])
    scale = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    cell = 0.42 if rows * cols <= _ANNOTATE_UP_TO else max(0.06, min(0.3, 5.0 / max(rows, cols)))
    fig = Figure(figsize=(min(cols * cell, 7.0) + 1.6, max(min(rows * cell, 7.0) + 0.6, 1.6)), dpi=100,
                 layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(grid, cmap="RdBu_r", vmin=-scale, vmax=scale, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(cols) if cols <= 16 else [])
    ax.set_yticks(range(rows) if rows <= 16 and data.ndim == 2 else [])
    ax.tick_params(labelsize=8, length=0)
    if rows * cols <= _ANNOTATE_UP_TO:
        for (r, c), value in np.ndenumerate(grid):
            ax.text(c, r, number(value, 3), ha="center", va="center", fontsize=8,
                    color="white" if abs(value) > 0.6 * scale else "black")
    fig.colorbar(image, ax=ax, fraction=0.08, pad=0.04).ax.tick_params(labelsize=8)
    return figure_png(fig)
