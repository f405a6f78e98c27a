"""``GraphView``: the graph behind a tensor, with a node picker and that node's details.

The picture is the display layer's ``draw`` with the picked node highlighted; the details are its
values and gradient (``values_html``), and for an operation its inputs, output and what it saved
(``node_html``).  After a cell that changed a gradient (a ``backward()``), the view redraws itself.
"""
from html import escape

import ipywidgets as widgets
import traitlets

from ..autograd.function import AccumulateGrad
from ..display.figure import figure_png
from ..display.formatting import shape_text, summary
from ..display.graph import draw, to_networkx
from ..display.html import image_html, node_html, values_html
from ..i18n import message
from ..tensor import Tensor
from ._common import Snapshot, array_key, note, refresh_after_cells, sentence_html, styled, stylesheet


class GraphView(Snapshot, widgets.VBox):
    """The autograd graph of ``tensor``; pick a node (``selected``: a node id of ``to_networkx``) to see it.

    ``names``: a dict or namespace naming tensors (in a notebook, your variables name them already).
    Call ``refresh()`` to redraw by hand; in a notebook it happens after every cell that changed a gradient.
    """

    selected = traitlets.Unicode(None, allow_none=True, help="the id of the node shown in detail")

    def __init__(self, tensor, *, names=None):
        if not isinstance(tensor, Tensor):
            raise TypeError(message("widgets.not_a_tensor", widget="GraphView", type=type(tensor).__name__))
        self.tensor, self._names = tensor, names
        self.picker = widgets.Dropdown(description=message("graph_view.picker"), layout={"width": "max-content"})
        self.refresh_button = widgets.Button(description=message("widgets.refresh"),
                                             tooltip=message("graph_view.refresh_tip"))
        self.image = widgets.Image(format="png", layout={"max_width": "100%"})
        self.details = widgets.HTML()
        super().__init__([widgets.HTML(stylesheet()), widgets.HBox([self.picker, self.refresh_button]),
                          self.image, self.details])
        self.add_class("nbgrad-graph-view")
        self._pngs = {}  # selected id -> PNG, for the current graph
        self.refresh_button.on_click(lambda _: self.refresh())
        self.refresh()
        traitlets.link((self.picker, "value"), (self, "selected"))
        self.observe(lambda _: self._draw(), "selected")
        refresh_after_cells(self)

    @traitlets.validate("selected")
    def _valid_selected(self, proposal):
        if proposal["value"] not in self.graph:
            raise traitlets.TraitError(message("graph_view.not_a_node", node=repr(proposal["value"]),
                                               nodes=", ".join(self.graph.nodes)))
        return proposal["value"]

    # ----- reading the graph -----
    def refresh(self):
        """Read the graph, its values and gradients again, and redraw."""
        self._show(to_networkx(self.tensor, names=self._names))

    def refresh_if_changed(self):
        """Redraw if a gradient changed, or backward freed what the ops saved, since the last drawing."""
        graph = to_networkx(self.tensor, names=self._names)
        if _fingerprint(graph) != self._shown:
            self._show(graph)

    def _show(self, graph):
        self.graph, self._pngs, self._shown = graph, {}, _fingerprint(graph)
        keep = self.selected if self.selected in graph else graph.graph["root"]
        options = tuple((self._describe(node_id), node_id) for node_id in graph.nodes)
        if options != self.picker.options:
            self.picker.options = options  # resets the picker's value: set it back below
        self.picker.value = keep
        self.selected = keep
        self._draw()

    def _describe(self, node_id):
        a = self.graph.nodes[node_id]
        if a["kind"] == "operation":
            return f"{a['label']}  ({a['op']})"
        label = a["label"] or (message("widgets.kind.constant") if a["kind"] == "constant" else node_id)
        shape = f" {shape_text(a['shape'])}" if a["shape"] else ""
        return f"{label}{shape}  ({message('widgets.kind.' + a['kind'])})"

    # ----- drawing -----
    def _draw(self):
        selected = self.selected
        if selected not in self._pngs:
            self._pngs[selected] = figure_png(draw(self.graph, highlight=selected))
        self.image.value = self._pngs[selected]
        self.details.value = styled(self.details_html())

    def details_html(self):
        """The picked node: a value's data, gradient, producer and users; an op's inputs, output and saved values."""
        graph, node_id = self.graph, self.selected
        a = graph.nodes[node_id]
        name = lambda v: escape(graph.nodes[v]["label"] or v)  # noqa: E731
        if a["kind"] == "operation":
            inputs = []
            for value_id, _, edge in graph.in_edges(node_id, data=True):
                for k in edge["inputs"]:
                    inputs.append((k, value_id))
            rows = "".join(f"<li><span class='nbgrad-kind'>[{k}]</span>{name(v)}</li>" for k, v in sorted(inputs))
            (output,) = graph.successors(node_id)
            return (f"<div class='nbgrad-details'><h4>{escape(message('graph_view.operation', label=a['label']))} "
                    f"(<span class='nbgrad-code'>{escape(a['op'])}</span>)</h4>"
                    f"<div>{escape(message('graph_view.inputs'))}</div><ul class='nbgrad-list'>{rows}</ul>"
                    f"<div>{escape(message('graph_view.output', name=graph.nodes[output]['label'] or output))}</div>"
                    f"{node_html(a['node'])}</div>")
        made_by = [f"{escape(graph.nodes[op]['label'])} ({escape(graph.nodes[op]['op'])})"
                   for op in graph.predecessors(node_id)]
        used_by = [f"{escape(graph.nodes[op]['label'])} ({escape(graph.nodes[op]['op'])})"
                   for op in graph.successors(node_id)]
        value = values_html(a["value"]) if a["value"] is not None else note(message("graph_view.not_stored"))
        if a["grad"] is not None:
            grad = values_html(a["grad"])
        elif a["kind"] == "leaf":
            grad = note(message("widgets.grad_none_yet"))
        elif a["kind"] == "constant":
            grad = note(message("graph_view.constant_grad"))
        else:
            grad = note(message("graph_view.not_kept"))
        leaf = a["node"] if isinstance(a["node"], AccumulateGrad) else None
        nothing = escape(message("graph_view.by_you" if leaf else "graph_view.made_by_nothing"))
        return (
            f"<div class='nbgrad-details'><h4>{escape(message('widgets.kind.' + a['kind']))} {name(node_id)}"
            f"{' ' + escape(shape_text(a['shape'])) if a['shape'] else ''} "
            f"<span class='nbgrad-code'>{escape(a['dtype'] or '')}</span></h4>"
            f"<div>{sentence_html('graph_view.made_by', what=', '.join(made_by) or nothing)}</div>"
            f"<div>{sentence_html('graph_view.used_by', what=', '.join(used_by) or escape(message('graph_view.used_by_nothing')))}"
            f"</div><div class='nbgrad-panel-title'>{escape(message('graph_view.value'))}</div>{value}"
            f"<div class='nbgrad-panel-title'>{escape(message('graph_view.gradient'))}</div>{grad}</div>"
        )

    def snapshot_html(self):
        return image_html(self.image.value, message("widgets.graph_alt")) + self.details_html()

    def state_text(self):
        """The view as plain text: the graph's size, the node picked, and the gradients the graph shows."""
        graph = self.graph
        values = [v for v, a in graph.nodes(data=True) if a["kind"] != "operation"]
        ops = graph.number_of_nodes() - len(values)
        grads = ", ".join(f"{graph.nodes[v]['label'] or v} = {summary(graph.nodes[v]['grad'])}"
                          for v in values if graph.nodes[v]["grad"] is not None)
        root = graph.nodes[graph.graph["root"]]["label"] or message("widgets.a_tensor")
        return "\n".join([
            message("graph_view.state", root=root, values=len(values), ops=ops, selected=self._describe(self.selected)),
            message("graph_view.gradients", grads=grads or message("widgets.none_yet")),
        ])


def _fingerprint(graph):
    """What a cell can change in a graph: each value's gradient, and whether each op still holds what it saved."""
    grads = tuple(array_key(a["grad"]) for _, a in graph.nodes(data=True) if a["kind"] != "operation")
    freed = tuple(getattr(a["node"], "saved_freed", False)
                  for _, a in graph.nodes(data=True) if a["kind"] == "operation")
    return grads, freed
