"""``GraphView``: the graph behind a tensor, with a node picker and that node's details.

The picture is the display layer's ``draw`` with the picked node highlighted; the details are its
values and gradient (``values_html``), and for an operation its inputs, output and what it saved
(``node_html``).  After a cell that changed a gradient (a ``backward()``), the view redraws itself.
With ``group="module"`` the graph of a model's loss is drawn with each ``nn.Module`` as one box
(``nbgrad.display.modules``), and a module picker with an "open" toggle opens and closes them.
"""
from html import escape

import ipywidgets as widgets
import traitlets

from ..autograd.function import AccumulateGrad
from ..display.figure import figure_png
from ..display.formatting import shape_text, summary
from ..display.graph import draw, to_networkx
from ..display.html import image_html, node_html, values_html
from ..display.modules import ModuleGroups, collapse, find_model
from ..i18n import message
from ..tensor import Tensor
from ._common import Snapshot, array_key, note, refresh_after_cells, sentence_html, styled, stylesheet


class GraphView(Snapshot, widgets.VBox):
    """The autograd graph of ``tensor``; pick a node (``selected``: a node id of ``to_networkx``) to see it.

    ``names``: a dict or namespace naming tensors (in a notebook, your variables name them already).
    Call ``refresh()`` to redraw by hand; in a notebook it happens after every cell that changed a gradient.

    ``group="module"`` (with ``depth`` and ``model`` as in ``draw``): each module of the model is one box;
    ``opened`` holds the qualified names of the modules shown open (at first, those above ``depth``); pick a
    module and press "open" (or pick its box in the node picker) to open or close it.  Parameter-free modules
    (``nn.ReLU``) are boxes too when the loss was computed inside ``nbgrad.display.modules.recording()``.
    """

    selected = traitlets.Unicode(None, allow_none=True, help="the id of the node shown in detail")
    opened = traitlets.Tuple(help="group='module': the modules drawn open, by qualified name")

    def __init__(self, tensor, *, names=None, group=None, depth=1, model=None):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"GraphView() expects a Tensor, got {type(tensor).__name__}")
        if group not in (None, "module"):
            raise ValueError(message("modules.bad_group", group=repr(group)))
        self.tensor, self._names, self.groups = tensor, names, None
        module_controls = []
        if group is not None:
            graph = to_networkx(tensor, names=names)
            self.model = find_model(graph, names) if model is None else model
            self.groups = ModuleGroups(graph, self.model)
            self.opened = tuple(sorted(self.groups.opened_to(depth)))
            self.module_picker = widgets.Dropdown(
                description=message("modules.picker"), layout={"width": "max-content"},
                options=[(self.groups.label(q), q) for q in self.groups.names()])
            self.open_toggle = widgets.ToggleButton(description=message("modules.open"),
                                                    tooltip=message("modules.open_tooltip"))
            module_controls = [widgets.HBox([self.module_picker, self.open_toggle])]
        self.picker = widgets.Dropdown(description=message("graph_view.picker"), layout={"width": "max-content"})
        self.refresh_button = widgets.Button(description=message("widgets.refresh"),
                                             tooltip=message("graph_view.refresh_tip"))
        self.image = widgets.Image(format="png", layout={"max_width": "100%"})
        self.details = widgets.HTML()
        super().__init__([widgets.HTML(stylesheet()), widgets.HBox([self.picker, self.refresh_button]),
                          *module_controls, self.image, self.details])
        self.add_class("nbgrad-graph-view")
        self._pngs = {}  # selected id -> PNG, for the current graph
        self.refresh_button.on_click(lambda _: self.refresh())
        self.refresh()
        traitlets.link((self.picker, "value"), (self, "selected"))
        self.observe(lambda _: self._draw(), "selected")
        if group is not None:
            self._follow_module()
            self.module_picker.observe(lambda _: self._follow_module(), "value")
            self.open_toggle.observe(self._toggled, "value")
            self.observe(lambda _: self._show(self.full), "opened")
            self.observe(self._picked_box, "selected")
        refresh_after_cells(self)

    @traitlets.validate("selected")
    def _valid_selected(self, proposal):
        if proposal["value"] not in self.graph:
            raise traitlets.TraitError(f"{proposal['value']!r} is not a node of this graph; "
                                       f"the nodes are {', '.join(self.graph.nodes)}")
        return proposal["value"]

    @traitlets.validate("opened")
    def _valid_opened(self, proposal):
        known = self.groups.names() if self.groups is not None else []
        unknown = [q for q in proposal["value"] if q not in known]
        if unknown:
            raise traitlets.TraitError(message("modules.unknown", names=", ".join(map(repr, unknown)),
                                               modules=", ".join(known) or message("modules.none")))
        return tuple(sorted(set(proposal["value"])))

    # ----- reading the graph -----
    def refresh(self):
        """Read the graph, its values and gradients again, and redraw."""
        self._show(to_networkx(self.tensor, names=self._names))

    def refresh_if_changed(self):
        """Redraw if a gradient changed, or backward freed what the ops saved, since the last drawing."""
        graph = to_networkx(self.tensor, names=self._names)
        if _fingerprint(graph) != self._shown:
            self._show(graph)

    def _show(self, full):
        self.full, self._shown = full, _fingerprint(full)
        if self.groups is not None:
            self.groups = ModuleGroups(full, self.model)
        graph = full if self.groups is None else collapse(full, self.groups, self.opened)
        self.graph, self._pngs = graph, {}
        keep = self.selected if self.selected in graph else graph.graph["root"]
        options = tuple((self._describe(node_id), node_id) for node_id in graph.nodes)
        if options != self.picker.options:
            self.picker.options = options  # resets the picker's value: set it back below
        self.picker.value = keep
        self.selected = keep
        self._draw()

    def _describe(self, node_id):
        a = self.graph.nodes[node_id]
        if a["kind"] == "module":
            return f"{a['label']}  ({message('modules.kind')})"
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
        if a["kind"] == "module":
            return self._module_html(a)
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

    # ----- modules (group="module") -----
    def _follow_module(self):
        self.open_toggle.value = self.module_picker.value in self.opened

    def _toggled(self, change):
        qualname, opened = self.module_picker.value, set(self.opened)
        if change["new"]:
            opened.update(q for q in self.groups.names() if q == qualname or qualname.startswith(q + "."))
        else:
            opened.discard(qualname)
        self.opened = tuple(sorted(opened))

    def _picked_box(self, change):
        a = self.graph.nodes[change["new"]]
        if a["kind"] == "module":
            self.module_picker.value = a["module"]

    def _module_html(self, a):
        rows = []
        for name, shape, grad in a["parameters"]:
            rows.append(f"<div class='nbgrad-panel-title'>{escape(name)} {escape(shape_text(shape))}</div>"
                        + (values_html(grad) if grad is not None else note(message("modules.no_grad"))))
        return (f"<div class='nbgrad-details'><h4>{escape(message('modules.kind'))} {escape(a['label'])}</h4>"
                f"<div>{escape(message('modules.made_of', count=len(a['members']), ops=a['ops']))}</div>"
                f"<div class='nbgrad-panel-title'>{escape(message('modules.parameters'))}</div>"
                f"{''.join(rows) or note(message('modules.no_parameters'))}</div>")

    def snapshot_html(self):
        return image_html(self.image.value, message("widgets.graph_alt")) + self.details_html()

    def state_text(self):
        """The view as plain text: the graph's size, the node picked, and the gradients the graph shows."""
        graph = self.graph
        values = [v for v, a in graph.nodes(data=True) if a["kind"] != "operation"]
        ops = graph.number_of_nodes() - len(values)
        grads = ", ".join(f"{graph.nodes[v]['label'] or v} = {summary(graph.nodes[v]['grad'])}"
                          for v in values if graph.nodes[v]["grad"] is not None)
        lines = []
        if self.groups is not None:
            boxes = [a for _, a in graph.nodes(data=True) if a["kind"] == "module"]
            grads = ", ".join([grads] * bool(grads) + [
                f"{a['module']}.{name} = {summary(grad)}" for a in boxes for name, _, grad in a["parameters"]
                if grad is not None])
            none, comma = message("modules.none"), message("modules.list_separator")
            lines = [message("modules.state", boxes=comma.join(a["label"] for a in boxes) or none,
                             opened=comma.join(self.opened) or none)]
        root = graph.nodes[graph.graph["root"]]["label"] or message("widgets.a_tensor")
        return "\n".join([
            message("graph_view.state", root=root, values=len(values), ops=ops, selected=self._describe(self.selected)),
            message("graph_view.gradients", grads=grads or message("widgets.none_yet")),
            *lines,
        ])


def _fingerprint(graph):
    """What a cell can change in a graph: each value's gradient, and whether each op still holds what it saved."""
    grads = tuple(array_key(a["grad"]) for _, a in graph.nodes(data=True) if a["kind"] != "operation")
    freed = tuple(getattr(a["node"], "saved_freed", False)
                  for _, a in graph.nodes(data=True) if a["kind"] == "operation")
    return grads, freed
