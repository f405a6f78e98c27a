"""Pictures of graphs: a value is a box ``label shape | data | grad``, an operation a small pill.

``render`` draws a graph made by ``to_networkx`` (``graph.draw`` prepares it: highlights resolved,
large graphs folded) where ``layout.Layout`` puts each box.  Text widths are exact (a monospaced font),
so the boxes are sized before anything is drawn.  matplotlib is imported when a picture is made.  The words
(legend, "data", "grad") are the message catalogue's, in the language spoken (``nbgrad.i18n``).
"""
import unicodedata

from .figure import font_family, new_figure, words
from .formatting import number, shape_text, summary
from .layout import Layout
from .walk import KINDS

# Okabe & Ito's colour-blind-safe palette, as tints so that black text stays readable; constants also
# get a dashed border and operations another shape, so colour is never the only cue.
_STYLE = {
    "leaf": {"face": "#cde6f6", "edge": "#0072b2"},
    "intermediate": {"face": "#ffffff", "edge": "#6b6b6b"},
    "output": {"face": "#f8dca0", "edge": "#b07400"},
    "constant": {"face": "#ececec", "edge": "#8a8a8a"},
    "operation": {"face": "#f3f3f3", "edge": "#4d4d4d"},
}
_MODULE = {"face": "#d9efe6", "edge": "#009e73"}  # a module box (group="module"); its legend: modules.legend
_HIGHLIGHT = "#d55e00"  # vermillion
_EDGE = "#707070"
_MUTED = "#6b6b6b"
_FONT = "DejaVu Sans Mono"
_CHAR = 0.6021  # advance width of every DejaVu Sans Mono glyph, in ems: text widths are exact
_WIDE = 1.0  # a Chinese character (from the fallback font) is one em wide
_FONT_SIZE = 9.0  # points
_CAPTION = 7.0
_PAD = 6.0
_ROW = 13.0  # height of one line of a value box
_PILL_HEIGHT = 18.0
_MARGIN = 14.0


def _wide(text):
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


def _width(text, size=_FONT_SIZE):
    return sum(_WIDE if unicodedata.east_asian_width(c) in "WF" else _CHAR for c in text) * size


def _text(ax, x, y, text, **style):
    """Text in the drawing's font; Chinese from an installed font that has it, in its regular weight (the
    common ones have no bold, and matplotlib would say so on stderr, in the middle of a lesson's output)."""
    if _wide(text):
        style = {**style, "family": font_family(_FONT), "fontweight": "normal"}
    else:
        style.setdefault("family", _FONT)
    return ax.text(x, y, text, **style)


def _legend_text(kind):
    return words("modules.legend") if kind == "module" else words(f"drawing.{kind}")


class _Box:
    """What one node looks like: the room it takes, the width of its drawn shape (``body``; an op's caption
    may be wider), its rows of text runs, and whether the first row is a heading.  ``width``, ``height`` and
    ``body`` are the ``layout.Size`` the layout places it by."""

    def __init__(self, node_id, attrs, cells, width, height, *, body=None, caption="", head=False):
        self.id, self.attrs, self.cells = node_id, attrs, cells
        self.width, self.height, self.caption, self.head = width, height, caption, head
        self.body = width if body is None else body


def _value_rows(attrs, show_grad, compact):
    """Rows of a value box, each a list of (text, style): ``label shape``, ``data …``, ``grad …``."""
    shape = attrs["shape"] or ()
    shape = f"({shape[0]},)" if len(shape) == 1 else shape_text(shape)  # a bare "3" would read as a value
    kind, value = attrs["kind"], attrs["value"]
    head = []
    if attrs["label"]:
        head.append((attrs["label"], "name" if attrs["name"] is not None else "plain"))
    elif kind == "constant":
        head.append((words("drawing.constant_box"), "muted"))
    elif compact and value is not None and value.size == 1:
        head.append((number(value.reshape(()).item()), "plain"))
    if shape and not (compact and head):
        head += [(" ", "plain")] * bool(head) + [(shape, "muted")]
    rows = [head] if head else []
    # a constant labelled by its value says it all; elsewhere a missing value is worth saying
    if compact or (kind == "constant" and (attrs["name"] is None or value is None)):
        return rows or [[("·", "muted")]], True
    rows.append([(words("drawing.data") + " ", "muted"), (summary(value, with_shape=False), "plain")
                 if value is not None else (words("drawing.not_kept"), "muted")])
    if show_grad and kind != "constant":
        grad = attrs["grad"]
        rows.append([(words("drawing.grad") + " ", "muted"), (summary(grad, with_shape=False), "plain")
                     if grad is not None else ("—", "muted")])
    return rows, bool(head)


def _boxes(graph, show_grad, compact):
    from .modules import box_rows

    shown = show_grad and any(a["grad"] is not None for _, a in graph.nodes(data=True))
    boxes = {}
    for node_id, attrs in graph.nodes(data=True):
        if attrs["kind"] == "module":
            rows = box_rows(attrs, show_grad)
            width = max(sum(_width(t) for t, _ in row) for row in rows) + 2 * _PAD
            box = _Box(node_id, attrs, rows, width, len(rows) * _ROW + 4, head=True)
        elif attrs["kind"] == "operation":
            text = attrs["label"]
            caption = "" if compact else attrs["op"]
            pill = max(_width(text) + 2 * _PAD, _PILL_HEIGHT + 6)
            # the caption hangs below the pill; the box is kept symmetric so the pill stays at its centre
            height = _PILL_HEIGHT + (2 * (_CAPTION + 3) if caption else 0)
            box = _Box(node_id, attrs, [[(text, "op")]], max(pill, _width(caption, _CAPTION)), height,
                       body=pill, caption=caption)
        else:
            rows, head = _value_rows(attrs, shown, compact)
            width = max(sum(_width(t) for t, _ in row) for row in rows) + 2 * _PAD
            box = _Box(node_id, attrs, rows, max(width, 24.0), len(rows) * _ROW + 4, head=head)
        boxes[node_id] = box
    return boxes


def _layout(graph, boxes):
    """Where each box goes: edges arrive at an op's pill, spread over its height less the rounded ends."""
    edges = [(u, v, attrs.get("inputs", ())) for u, v, attrs in graph.edges(data=True)]
    return Layout(graph.nodes, edges, boxes, margin=_MARGIN, port_room=_PILL_HEIGHT - 6)


def render(graph, marked, marked_edges, *, show_grad, compact, ax, title):
    """Draw ``graph`` (ids ``marked`` and edges ``marked_edges`` highlighted) and return the Figure."""
    boxes = _boxes(graph, show_grad, compact)
    missing = any(run == "—" for box in boxes.values() for row in box.cells for run, _ in row)
    note = words("drawing.not_reached" if graph.graph.get("grads_given") else "drawing.not_stored") if missing else ""
    layout = _layout(graph, boxes)
    ys = [layout.y[b] for b in boxes] or [0.0]
    half = max((boxes[b].height / 2 for b in boxes), default=10.0)
    kinds = [k for k in (*KINDS, "module") if any(a["kind"] == k for _, a in graph.nodes(data=True))]
    legend = sum(37 + _width(_legend_text(k), _CAPTION * 1.15) for k in kinds)
    legend += 37 + _width(_legend_text("highlighted"), _CAPTION * 1.15) if marked or marked_edges else 0
    legend += _width(note, _CAPTION * 1.15)
    band = 22.0 + (16.0 if title else 0.0)  # room for the legend (and title) above the graph
    width = max(layout.column[0][1] + _MARGIN, legend + 2 * _MARGIN)
    top = min(ys) - half - _MARGIN - band
    height = max(ys) + half + _MARGIN - top
    if ax is None:
        fig = new_figure(figsize=(width / 72, height / 72), dpi=100)
        ax = fig.add_axes((0, 0, 1, 1))
        scale = 1.0
    else:
        fig = ax.figure
        box = ax.get_window_extent()
        scale = min(box.width * 72 / fig.dpi / width, box.height * 72 / fig.dpi / height)
    ax.set_xlim(0, width)
    ax.set_ylim(top + height, top)
    ax.set_aspect("equal")
    ax.set_axis_off()
    _draw_edges(ax, layout, marked_edges, scale)
    for box in boxes.values():
        _draw_box(ax, box, layout.x[box.id], layout.y[box.id], box.id in marked, scale)
    y = top + _MARGIN
    if title:
        _text(ax, _MARGIN, y, title, fontsize=10 * scale, va="center", ha="left",
                fontweight="bold")
        y += 16.0
    _legend(ax, kinds, bool(marked or marked_edges), note, y, scale)
    return fig


def _curve(points):
    """A path through a route's ``points``: level within a column, S-curves between columns (level at both ends)."""
    from matplotlib.path import Path

    vertices, codes = [points[0]], [Path.MOVETO]
    for i, (p, q) in enumerate(zip(points, points[1:])):
        if i % 2 == 0:  # within a column
            if q != p:
                vertices.append(q)
                codes.append(Path.LINETO)
            continue
        dx = (q[0] - p[0]) * 0.5
        vertices += [(p[0] + dx, p[1]), (q[0] - dx, q[1]), q]
        codes += [Path.CURVE4] * 3
    return Path(vertices, codes)


def _draw_edges(ax, layout, marked, scale):
    from matplotlib.patches import ArrowStyle, FancyArrowPatch

    for u, v, _, points in layout.routes():
        hot = (u, v) in marked
        ax.add_artist(FancyArrowPatch(
            path=_curve(points), arrowstyle=ArrowStyle("-|>", head_length=5 * scale, head_width=2.5 * scale),
            color=_HIGHLIGHT if hot else _EDGE, linewidth=(2.2 if hot else 1.0) * scale,
            shrinkA=0, shrinkB=0, zorder=3 if hot else 1,
        ))


def _draw_box(ax, box, x, y, marked, scale):
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyBboxPatch

    style = _style(box.attrs["kind"])
    edge = dict(edgecolor=_HIGHLIGHT if marked else style["edge"], linewidth=(2.6 if marked else 1.0) * scale,
                facecolor=style["face"], zorder=4, linestyle="--" if box.attrs["kind"] == "constant" else "-")
    text = dict(va="center", zorder=5)
    if box.attrs["kind"] == "operation":
        w, h = box.body, _PILL_HEIGHT
        ax.add_artist(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=f"round,pad=0,rounding_size={h / 2}",
                                    **edge))
        _text(ax, x, y, box.cells[0][0][0], ha="center", fontsize=_FONT_SIZE * scale, fontweight="bold", **text)
        if box.caption:
            _text(ax, x, y + h / 2 + 2 + _CAPTION / 2, box.caption, ha="center", fontsize=_CAPTION * scale,
                    color=_MUTED, **text)
        return
    w, h = box.width, box.height
    ax.add_artist(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=3", **edge))
    row_y = y - h / 2 + 2 + _ROW / 2
    for i, row in enumerate(box.cells):
        if i == 1 and box.head:  # a rule under the label, as in a record
            ax.add_artist(Line2D([x - w / 2, x + w / 2], [row_y - _ROW / 2] * 2, color=style["edge"],
                                 linewidth=0.6 * scale, zorder=5))
        at = x - w / 2 + _PAD
        if i == 0 and box.head:  # the label is centred
            at = x - sum(_width(t) for t, _ in row) / 2
        for run, kind in row:
            colour = _MUTED if kind == "muted" else "black"
            _text(ax, at, row_y, run, ha="left", fontsize=_FONT_SIZE * scale, color=colour,
                  fontweight="bold" if kind == "name" else "normal", **text)
            at += _width(run)
        row_y += _ROW


def _style(kind):
    return _MODULE if kind == "module" else _STYLE[kind]


def _legend(ax, kinds, highlighted, note, y, scale):
    from matplotlib.patches import FancyBboxPatch

    x = _MARGIN
    entries = [(_legend_text(k), _style(k), k) for k in kinds]
    if highlighted:
        entries.append((_legend_text("highlighted"), {"face": "#ffffff", "edge": _HIGHLIGHT}, "highlight"))
    for text, style, kind in entries:
        ax.add_artist(FancyBboxPatch(
            (x, y - 5), 16, 10, boxstyle=f"round,pad=0,rounding_size={5 if kind == 'operation' else 2}",
            facecolor=style["face"], edgecolor=style["edge"], linewidth=(2.2 if kind == "highlight" else 1.0) * scale,
            linestyle="--" if kind == "constant" else "-", zorder=4))
        _text(ax, x + 21, y, text, fontsize=_CAPTION * 1.15 * scale, va="center", ha="left",
                color="#333333")
        x += 21 + _width(text, _CAPTION * 1.15) + 16
    if note:
        _text(ax, x, y, note, fontsize=_CAPTION * 1.15 * scale, va="center", ha="left",
                color=_MUTED)
