"""The graph behind a tensor: ``to_networkx`` for its structure, ``draw`` for a picture of it.

Value nodes (tensors) and operation nodes (a tensor's ``grad_fn``) are separate nodes, so the drawing
reads like the code: ``x -> [+] -> y -> [*] -> z``.  The core keeps no reference from a node to the
tensors around it, so values are gathered from what can still be reached: the tensor drawn, the
leaves (``AccumulateGrad.variable``), each node's output while it exists (a weak reference set in
``Function.apply``), the tensors a node saved for backward (until backward frees them) and the tensors
the user has named.  What cannot be reached is drawn without a value.

The drawing uses matplotlib only (no graphviz): a layered layout, output on the right, each node one
column to the left of the op that uses it (longest path to the output, so every edge points right
and a bias sits next to the addition that uses it), then a few barycentre sweeps against crossings.
matplotlib and networkx are imported when a function needs them, never by ``import nbgrad``.
"""
from collections import deque

import numpy as np

from ..autograd.function import AccumulateGrad, Node
from ..ops import elementwise as E, linalg as L
from ..tensor import Tensor
from . import labels

KINDS = ("leaf", "intermediate", "output", "constant", "operation")

# Python's operator for the ops students write as operators, so a node reads like the code (y*y*3).
_INFIX = {E.Add: "+", E.Sub: "-", E.Mul: "*", E.Div: "/", E.PowTensor: "**",
          L.Dot: "@", L.Mv: "@", L.Mm: "@", L.Bmm: "@"}
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2, "neg": 3, "**": 4}
_LATEX_INFIX = {"+": "+", "-": "-", "*": r"\cdot", "/": "/", "@": r"\,", "**": "^"}
_MAX_EXPRESSION = 14  # longer expressions are not used as labels: they would crowd the picture


def op_symbol(node):
    """A short name for an op node: ``+``, ``*``, ``**2``, ``tanh``, ``mean``, or a custom Function's name."""
    function = getattr(node, "_function", None)
    if function is None:
        return node.name()
    if function in _INFIX:
        return _INFIX[function]
    if function is E.Pow:
        return f"**{number(node.exponent)}"
    if function is E.Neg:
        return "-"
    name = function.__name__
    return name.lower() if getattr(function, "_builtin", False) else name


def number(v, digits=4):
    """A number in at most ``digits`` significant digits: 27, 4.5, 0.3333, 1e-05."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    v = float(v)
    if v == 0:
        return "0"  # not "-0"
    return f"{v:.{digits}g}"


def shape_text(shape):
    """``2×3``; a scalar's shape is ``""``."""
    return "×".join(str(s) for s in shape)


def summary(array, *, with_shape=True):
    """A short text for an array: ``27``, ``3 (all 2×2)``, ``[1, 2, 3]``, ``2×3 [-1.2 … 2.3]``."""
    a = np.asarray(array)
    shape = shape_text(a.shape)
    if a.size == 0:
        return f"empty {shape}" if with_shape else "empty"
    if a.size == 1:
        return number(a.reshape(()).item())
    if (a == a.flat[0]).all():
        return f"{number(a.flat[0])} (all {shape})" if with_shape else f"all {number(a.flat[0])}"
    if a.size <= 4 and a.ndim <= 2:
        rows = ", ".join("[" + ", ".join(number(v) for v in row) + "]" for row in a.reshape(-1, a.shape[-1]))
        return f"[{rows}]" if a.ndim == 2 else rows
    prefix = f"{shape} " if with_shape else ""
    if a.dtype.kind == "b":
        return f"{prefix}{int(a.sum())} True"
    return f"{prefix}[{number(a.min(), 3)} … {number(a.max(), 3)}]"


class Walk:
    """The graph behind a tensor as plain Python data, shared by ``to_networkx``, ``draw`` and the trace.

    ``nodes``: id -> attributes (see ``to_networkx``), in traversal order; ``edges``: (u, v) -> attributes;
    ``op_ids``: autograd Node -> op id; ``value_ids``: the Node a value's gradient arrives at (its
    ``grad_fn``, or a leaf's ``AccumulateGrad``) -> value id; ``inputs[op id]``: the value id of each
    entry of the op's ``next_functions``; ``latex``: value id -> its label as LaTeX.
    """

    def __init__(self, root, names=None):
        if not isinstance(root, Tensor):
            raise TypeError(f"expected a Tensor, got {type(root).__name__}")
        self.root = root
        self.nodes, self.edges, self.inputs = {}, {}, {}
        self.op_ids, self.value_ids, self.latex = {}, {}, {}
        self._counts = {"v": 0, "op": 0}
        self._constants = {}  # value id -> (consuming node, input position)
        self._discover(root)
        naming = labels.Names(names)
        self._describe(self._reachable_tensors(naming), naming)

    # ----- structure -----
    def _new(self, prefix, **attrs):
        node_id = f"{prefix}{self._counts[prefix]}"
        self._counts[prefix] += 1
        base = {"kind": None, "label": "", "name": None, "op": None, "shape": None, "dtype": None,
                "value": None, "grad": None, "node": None}
        base.update(attrs)
        self.nodes[node_id] = base
        return node_id

    def _discover(self, root):
        """Breadth-first from the output along ``next_functions``: ids follow this (deterministic) order."""
        top = root.grad_fn
        if top is None:
            kind = "leaf" if root._requires_grad else "constant"
            self.root_id = self._new("v", kind=kind, node=root._accumulator)
            if root._accumulator is not None:
                self.value_ids[root._accumulator] = self.root_id
            return
        self.root_id = self._new("v", kind="output", node=top)
        self.value_ids[top] = self.root_id
        self.op_ids[top] = self._new("op", kind="operation", node=top)
        queue = deque([top])
        while queue:
            node = queue.popleft()
            op_id = self.op_ids[node]
            self.edges[(op_id, self.value_ids[node])] = {"kind": "output", "inputs": ()}
            inputs = []
            for k, (child, _) in enumerate(node.next_functions):
                if child is None:
                    value_id = self._new("v", kind="constant")
                    self._constants[value_id] = (node, k)
                else:
                    value_id = self.value_ids.get(child)
                    if value_id is None:
                        leaf = type(child) is AccumulateGrad
                        value_id = self._new("v", kind="leaf" if leaf else "intermediate", node=child)
                        self.value_ids[child] = value_id
                        if not leaf:
                            self.op_ids[child] = self._new("op", kind="operation", node=child)
                            queue.append(child)
                edge = self.edges.setdefault((value_id, op_id), {"kind": "input", "inputs": ()})
                edge["inputs"] += (k,)
                inputs.append(value_id)
            self.inputs[op_id] = tuple(inputs)

    # ----- values -----
    def _reachable_tensors(self, names):
        """value id -> a Tensor holding that value, from everything that can still be reached."""
        found = {self.root_id: self.root}

        def offer(t):
            key = t.grad_fn if t.grad_fn is not None else t._accumulator
            value_id = self.value_ids.get(key) if key is not None else None
            if value_id is not None and value_id not in found:
                found[value_id] = t

        for node, value_id in self.value_ids.items():
            if type(node) is AccumulateGrad:
                found[value_id] = node.variable
        for t in names.tensors():
            offer(t)
        for node in self.op_ids:
            output = getattr(node, "_output", None)
            output = output() if output is not None else None
            if output is not None:
                offer(output)  # keyed by its grad_fn now: an in-place op may have moved it on
            if node._retained is not None:
                offer(node._retained)
        for node, op_id in self.op_ids.items():
            constants = [v for v, (n, _) in self._constants.items() if n is node]
            for t in _saved_tensors(node):
                if t._requires_grad:
                    offer(t)
                    continue
                # a constant input the node saved (Mul saves both factors): match it by shape and dtype
                for value_id in constants:
                    k = self._constants[value_id][1]
                    if value_id not in found and node._input_meta[k] == (t._data.shape, t._data.dtype):
                        found[value_id] = t
                        break
        return found

    def _describe(self, tensors, names):
        meta = {}
        for op_id, inputs in self.inputs.items():
            node = self.nodes[op_id]["node"]
            for k, value_id in enumerate(inputs):
                meta.setdefault(value_id, node._input_meta[k])
        for node_id, attrs in self.nodes.items():
            if attrs["kind"] == "operation":
                attrs["op"] = attrs["node"].name()
                attrs["label"] = op_symbol(attrs["node"])
                continue
            t = tensors.get(node_id)
            if t is not None:
                attrs["shape"], np_dtype = tuple(t._data.shape), t._data.dtype
                attrs["value"] = t._data.copy()
                attrs["grad"] = t._grad._data.copy() if t._grad is not None else None
                attrs["name"] = names(t)
            else:
                shape, np_dtype = meta[node_id]
                attrs["shape"] = tuple(shape)
            attrs["dtype"] = np.dtype(np_dtype).name
        precedence = {}
        for node_id in self._inputs_first():
            attrs = self.nodes[node_id]
            text, latex, prec = self._label(node_id, attrs, precedence)
            attrs["label"], self.latex[node_id], precedence[node_id] = text, latex, prec

    def _inputs_first(self):
        """Value ids, each after the inputs of the op that made it (an expression needs its operands' labels)."""
        order, seen = [], set()
        for start in self.nodes:
            if self.nodes[start]["kind"] == "operation" or start in seen:
                continue
            stack = [(start, False)]
            while stack:
                value_id, ready = stack.pop()
                if ready:
                    order.append(value_id)
                    continue
                if value_id in seen:
                    continue
                seen.add(value_id)
                stack.append((value_id, True))
                op_id = self.op_ids.get(self.nodes[value_id]["node"])
                stack.extend((v, False) for v in self.inputs.get(op_id, ()) if v not in seen)
        return order

    def _label(self, value_id, attrs, precedence):
        """(text, LaTeX, precedence) of a value's label: its name, a short expression, or a constant's value."""
        if attrs["name"] is not None:
            return attrs["name"], latex_name(attrs["name"]), 9
        value = attrs["value"]
        if attrs["kind"] == "constant":
            if value is not None and value.size == 1:
                text = number(value.reshape(()).item())
                return text, text, 9 if not text.startswith("-") else 0
            return "", "", 0
        producer = attrs["node"] if attrs["kind"] in ("intermediate", "output") else None
        if producer is None or producer not in self.op_ids:
            return "", "", 0
        inputs = self.inputs[self.op_ids[producer]]
        operands = [(self.nodes[v]["label"], self.latex[v], precedence[v]) for v in inputs]
        if not all(text for text, _, _ in operands):
            return "", "", 0
        text, latex, prec = _expression(producer, operands)
        if len(text) > _MAX_EXPRESSION:
            return "", "", 0
        return text, latex, prec


def _saved_tensors(node):
    try:
        values = node.saved_values()
    except (RuntimeError, AttributeError):  # freed by backward, or a node that saves nothing
        return []
    return [t for t in values.values() if isinstance(t, Tensor)]


def _expression(node, operands):
    """The expression a node computes from its operands' labels, as text and LaTeX, with its precedence."""
    symbol = op_symbol(node)
    function = getattr(node, "_function", None)
    if function in _INFIX and len(operands) == 2:
        prec = _PRECEDENCE[symbol]
        (a, la, pa), (b, lb, pb) = operands
        # Python's rules: a left operand of equal precedence needs no brackets (y*y*3), a right one does
        # (except for **, which groups to the right).
        if pa < prec or (symbol == "**" and pa == prec):
            a, la = f"({a})", rf"\left({la}\right)"
        if pb < prec or (pb == prec and symbol != "**"):
            b, lb = f"({b})", rf"\left({lb}\right)"
        infix = r"\cdot" if function is L.Dot else _LATEX_INFIX[symbol]  # w·x, but W x for matrices
        latex = f"{{{la}}}^{{{lb}}}" if symbol == "**" else f"{la} {infix} {lb}"
        return f"{a}{symbol}{b}", latex, prec
    if function is E.Pow and len(operands) == 1:
        a, la, pa = operands[0]
        if pa <= _PRECEDENCE["**"]:
            a, la = f"({a})", rf"\left({la}\right)"
        return f"{a}{symbol}", f"{{{la}}}^{{{number(node.exponent)}}}", _PRECEDENCE["**"]
    if function is E.Neg and len(operands) == 1:
        a, la, pa = operands[0]
        if pa < _PRECEDENCE["neg"]:
            a, la = f"({a})", rf"\left({la}\right)"
        return f"-{a}", f"-{la}", _PRECEDENCE["neg"]
    args = ", ".join(text for text, _, _ in operands)
    latex_args = ", ".join(latex for _, latex, _ in operands)
    return f"{symbol}({args})", rf"\operatorname{{{latex_escape(symbol)}}}\left({latex_args}\right)", 9


def latex_escape(text):
    """Text made safe inside LaTeX (MathJax): every special character escaped."""
    out = []
    for ch in str(text):
        if ch in "\\":
            out.append(r"\backslash ")
        elif ch in "{}$&#%_":
            out.append("\\" + ch)
        elif ch in "^~":
            out.append(rf"\{ch}{{}}")
        else:
            out.append(ch)
    return "".join(out)


def latex_name(name):
    """A variable name as LaTeX: ``x`` stays ``x``, ``W1`` becomes ``W_{1}``, longer names upright."""
    name = str(name)
    if len(name) == 1 and name.isalpha():
        return name
    if len(name) > 1 and name[0].isalpha() and name[1:].isdigit() and len(name) <= 3:
        return f"{name[0]}_{{{name[1:]}}}"
    return rf"\mathrm{{{latex_escape(name)}}}"


# ----- networkx -----
def to_networkx(tensor, *, names=None, grads=None):
    """The graph behind ``tensor`` as a ``networkx.DiGraph``; edges point from inputs to outputs.

    Node ids come from a breadth-first walk from the output along ``next_functions``: values are
    ``"v0"`` (the tensor given), ``"v1"``, ...; operations are ``"op0"`` (its ``grad_fn``), ``"op1"``, ...
    The same graph always gets the same ids.  Every node has these attributes:

    - ``kind``: ``"leaf"`` (a tensor made by the user that requires grad), ``"intermediate"`` (made by an
      op), ``"output"`` (the tensor drawn), ``"constant"`` (an input that needs no gradient, such as the
      2 in ``x + 2``) or ``"operation"`` (a ``grad_fn``);
    - ``label``: the text drawn: a value's name (``names=``, ``tensor.name`` or a notebook variable), else
      a short expression (``y*y``) or a constant's value; an op's symbol (``+``, ``*``, ``tanh``);
    - ``name``: the name the user gave a value, or None;
    - ``op``: an operation's node name (``MulBackward0``), None for values;
    - ``shape`` (tuple) and ``dtype`` (``"float32"``) of a value, None for operations;
    - ``value``: a copy of a value's data as a NumPy array, or None when it can no longer be reached
      (an unnamed intermediate after backward freed the graph, a constant the op did not save);
    - ``grad``: a copy of the value's ``.grad`` (leaves, and tensors that ``retain_grad()``); with
      ``grads=``, the gradient given there instead (and None for values it leaves out);
    - ``node``: for an operation its autograd node; for a value the node its gradient arrives at (its
      ``grad_fn``, or a leaf's ``AccumulateGrad``); None for constants.

    Edges have ``kind`` (``"input"``: value -> op, or ``"output"``: op -> value) and ``inputs``: the
    positions in the op's ``next_functions`` that the value fills (``(0, 1)`` for ``y * y``).
    ``grads``: a mapping from nodes (ids, tensors or autograd nodes) to gradients to show, such as
    ``backward_trace(out).gradients()``.  The graph attribute ``root`` is the id of the tensor given.
    """
    graph = digraph(Walk(tensor, names))
    if grads is not None:
        _set_grads(graph, grads)
    return graph


def digraph(walk):
    """A ``Walk`` as a ``networkx.DiGraph`` (each node gets its own copy of the attributes)."""
    import networkx as nx

    graph = nx.DiGraph(root=walk.root_id)
    graph.add_nodes_from(walk.nodes.items())
    graph.add_edges_from((u, v, dict(attrs)) for (u, v), attrs in walk.edges.items())
    return graph


def _set_grads(graph, grads):
    if hasattr(grads, "gradients"):  # a Trace: its gradients at the end of the pass
        grads = grads.gradients()
    graph.graph["grads_given"] = True  # a missing gradient then means "not reached yet"
    for _, attrs in graph.nodes(data=True):
        attrs["grad"] = None  # only the gradients given are shown, not a .grad left by an earlier backward()
    find = _finder(graph)
    for key, grad in grads.items():
        node_id = find(key)
        if graph.nodes[node_id]["kind"] == "operation":  # a grad_fn stands for the value it made
            (node_id,) = graph.successors(node_id)
        grad = grad._data if isinstance(grad, Tensor) else grad
        graph.nodes[node_id]["grad"] = None if grad is None else np.array(grad)


def _finder(graph):
    """A function from a node id, tensor or autograd node to its node id in ``graph``.

    An autograd node names its op (a leaf's ``AccumulateGrad`` names the leaf); a tensor names its value.
    """
    ops, values = {}, {}
    for node_id, attrs in graph.nodes(data=True):
        if attrs.get("node") is not None:
            (ops if attrs["kind"] == "operation" else values)[attrs["node"]] = node_id

    def find(item):
        if isinstance(item, str):
            node_id = item if item in graph else None
        elif isinstance(item, Node):
            node_id = ops.get(item, values.get(item))
        elif isinstance(item, Tensor):
            key = item.grad_fn if item.grad_fn is not None else item._accumulator
            node_id = values.get(key) if key is not None else None
        else:
            raise TypeError(f"expected a node id, a tensor or a grad_fn node, got {type(item).__name__}")
        if node_id is None:
            raise KeyError(f"{item!r} is not a node of this graph")
        return node_id

    return find


def resolve(graph, items):
    """(node ids, edges) that ``items`` name: node ids, tensors, autograd nodes or ``(u, v)`` id pairs.

    An operation comes with the edges it reads and writes, so highlighting a step's node shows its flow.
    """
    if items is None:
        return set(), set()
    if isinstance(items, (str, Tensor, Node)) or _is_edge(items):
        items = [items]
    find = _finder(graph)
    nodes, edges = set(), set()
    for item in items:
        if _is_edge(item):
            if not graph.has_edge(*item):
                raise KeyError(f"no edge {item!r} in this graph")
            edges.add(item)
        else:
            nodes.add(find(item))
    for node_id in nodes:
        if graph.nodes[node_id]["kind"] == "operation":
            edges.update(graph.in_edges(node_id))
            edges.update(graph.out_edges(node_id))
    return nodes, edges


def _is_edge(item):
    return isinstance(item, tuple) and len(item) == 2 and all(isinstance(i, str) for i in item)


# ----- drawing -----
# Okabe & Ito's colour-blind-safe palette, as tints so that black text stays readable; constants also
# get a dashed border and operations another shape, so colour is never the only cue.
_STYLE = {
    "leaf": {"face": "#cde6f6", "edge": "#0072b2", "legend": "leaf (requires_grad=True)"},
    "intermediate": {"face": "#ffffff", "edge": "#6b6b6b", "legend": "intermediate value"},
    "output": {"face": "#f8dca0", "edge": "#b07400", "legend": "output"},
    "constant": {"face": "#ececec", "edge": "#8a8a8a", "legend": "constant (no gradient)"},
    "operation": {"face": "#f3f3f3", "edge": "#4d4d4d", "legend": "operation (grad_fn)"},
}
_HIGHLIGHT = "#d55e00"  # vermillion
_EDGE = "#707070"
_MUTED = "#6b6b6b"
_FONT_FAMILY = "DejaVu Sans Mono"
_CHAR = 0.6021  # advance width of every DejaVu Sans Mono glyph, in ems: text widths are exact
_FONT = 9.0  # points
_CAPTION = 7.0
_PAD = 6.0
_ROW = 13.0  # height of one line of a value box
_PILL_HEIGHT = 18.0
_MARGIN = 14.0
_COMPACT_ABOVE = 160  # nodes; bigger graphs drop data and captions so they stay legible
MAX_NODES = 600


def _width(text, size=_FONT):
    return len(text) * _CHAR * size


class _Box:
    """What one node looks like: the room it takes, the width of its drawn shape (``body``; an op's caption
    may be wider), its rows of text runs, and whether the first row is a heading."""

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
        head.append(("constant", "muted"))
    elif compact and value is not None and value.size == 1:
        head.append((number(value.reshape(()).item()), "plain"))
    if shape and not (compact and head):
        head += [(" ", "plain")] * bool(head) + [(shape, "muted")]
    rows = [head] if head else []
    # a constant labelled by its value says it all; elsewhere a missing value is worth saying
    if compact or (kind == "constant" and (attrs["name"] is None or value is None)):
        return rows or [[("·", "muted")]], True
    rows.append([("data ", "muted"), (summary(value, with_shape=False), "plain") if value is not None
                 else ("not kept", "muted")])
    if show_grad and kind != "constant":
        grad = attrs["grad"]
        rows.append([("grad ", "muted"), (summary(grad, with_shape=False), "plain") if grad is not None
                     else ("—", "muted")])
    return rows, bool(head)


def _boxes(graph, show_grad, compact):
    show_grad = show_grad and any(a["grad"] is not None for _, a in graph.nodes(data=True))
    boxes = {}
    for node_id, attrs in graph.nodes(data=True):
        if attrs["kind"] == "operation":
            text = attrs["label"]
            caption = "" if compact else attrs["op"]
            pill = max(_width(text) + 2 * _PAD, _PILL_HEIGHT + 6)
            # the caption hangs below the pill; the box is kept symmetric so the pill stays at its centre
            height = _PILL_HEIGHT + (2 * (_CAPTION + 3) if caption else 0)
            box = _Box(node_id, attrs, [[(text, "op")]], max(pill, _width(caption, _CAPTION)), height,
                       body=pill, caption=caption)
        else:
            rows, head = _value_rows(attrs, show_grad, compact)
            width = max(sum(_width(t) for t, _ in row) for row in rows) + 2 * _PAD
            box = _Box(node_id, attrs, rows, max(width, 24.0), len(rows) * _ROW + 4, head=head)
        boxes[node_id] = box
    return boxes


def _ports(graph, node_id):
    """Input position k -> vertical offset of where that input's edge arrives, in order from the top."""
    positions = sorted(k for _, _, e in graph.in_edges(node_id, data=True) for k in e.get("inputs", ()))
    m = len(positions)
    step = min(6.0, (_PILL_HEIGHT - 6) / max(m - 1, 1))
    return {k: (i - (m - 1) / 2) * step for i, k in enumerate(positions)}


def _layers(graph):
    """Longest distance (in edges) from each node to the output: every edge goes one layer or more right."""
    import networkx as nx

    layer = {}
    for node_id in reversed(list(nx.topological_sort(graph))):
        layer[node_id] = max((layer[v] + 1 for v in graph.successors(node_id)), default=0)
    return layer


class _Layout:
    """Positions of boxes and routes of edges, in points, y growing downwards."""

    def __init__(self, graph, boxes):
        self.graph, self.boxes = graph, boxes
        layer = _layers(graph)
        self.depth = max(layer.values(), default=0)
        self.ports = {n: _ports(graph, n) for n in graph if graph.nodes[n]["kind"] == "operation"}
        # Long edges pass through one dummy point per layer they cross, so they bend around boxes.
        self.layer_of = dict(layer)
        self.chains = {}
        self.right = {}  # node -> [(node in the next layer to the right, port offset)]
        self.left = {}
        for u, v, attrs in graph.edges(data=True):
            ks = attrs.get("inputs") or (None,)
            port = sum(self.ports.get(v, {}).get(k, 0.0) for k in ks) / len(ks)
            chain = [u] + [("dummy", u, v, i) for i in range(layer[u] - layer[v] - 1)] + [v]
            for i, d in enumerate(chain[1:-1]):
                self.layer_of[d] = layer[u] - 1 - i
            self.chains[(u, v)] = chain
            for a, b in zip(chain, chain[1:]):
                self.right.setdefault(a, []).append((b, port if b == v else 0.0))
                self.left.setdefault(b, []).append((a, 0.0))
        self.order = self._initial_order()
        self._reduce_crossings()
        self.y = self._place_vertically()
        self.x, self.column = self._place_horizontally()

    def _height(self, n):
        return self.boxes[n].height if n in self.boxes else 2.0

    def _initial_order(self):
        """Depth-first from the output through inputs in argument order: subtrees start out together."""
        seen, order = {}, [[] for _ in range(self.depth + 1)]
        sinks = [n for n in self.graph if not self.right.get(n)]
        stack = list(reversed(sinks))
        while stack:
            n = stack.pop()
            if n in seen:
                continue
            seen[n] = len(seen)
            order[self.layer_of[n]].append(n)
            stack.extend(reversed([a for a, _ in self.left.get(n, ())]))
        return order

    def _positions(self, layer):
        return {n: i for i, n in enumerate(self.order[layer])}

    def _barycentre(self, layer, side):
        """Reorder a layer by the mean position of its neighbours on one side (stable for ties)."""
        neighbours = self.right if side == "right" else self.left
        other = self._positions(layer - 1 if side == "right" else layer + 1)
        keys = {}
        for i, n in enumerate(self.order[layer]):
            near = neighbours.get(n, ())
            if near:
                # a port's offset breaks ties between inputs of one op, keeping argument order top to bottom
                keys[n] = sum(other[m] + port / 100 for m, port in near) / len(near)
            else:
                keys[n] = i
        self.order[layer].sort(key=lambda n: keys[n])

    def _crossings(self):
        from bisect import bisect_right, insort

        total = 0
        for layer in range(1, self.depth + 1):
            here, there = self._positions(layer), self._positions(layer - 1)
            segments = sorted((here[n], there[m] + port / 100) for n in self.order[layer]
                              for m, port in self.right.get(n, ()))
            seen = []
            for _, end in segments:
                total += len(seen) - bisect_right(seen, end)
                insort(seen, end)
        return total

    def _pair_crossings(self, u, v, layer):
        """Crossings between the edges of u and those of v (u above v), with both neighbouring layers."""
        total = 0
        for neighbours, other in ((self.right, layer - 1), (self.left, layer + 1)):
            if not 0 <= other <= self.depth:
                continue
            where = self._positions(other)
            ends_u = [where[m] + port / 100 for m, port in neighbours.get(u, ())]
            ends_v = [where[m] + port / 100 for m, port in neighbours.get(v, ())]
            total += sum(1 for a in ends_u for b in ends_v if a > b)
        return total

    def _transpose(self, rounds=4):
        """Swap neighbours within a layer while that removes crossings (the 'transpose' step of dot)."""
        for _ in range(rounds):
            improved = False
            for layer, nodes in enumerate(self.order):
                for i in range(len(nodes) - 1):
                    u, v = nodes[i], nodes[i + 1]
                    if self._pair_crossings(v, u, layer) < self._pair_crossings(u, v, layer):
                        nodes[i], nodes[i + 1] = v, u
                        improved = True
            if not improved:
                return

    def _reduce_crossings(self, sweeps=4):
        best, best_order = self._crossings(), [list(o) for o in self.order]
        for _ in range(sweeps):
            for layer in range(1, self.depth + 1):
                self._barycentre(layer, "right")
            for layer in range(self.depth - 1, -1, -1):
                self._barycentre(layer, "left")
            self._transpose()
            crossings = self._crossings()
            if crossings < best:
                best, best_order = crossings, [list(o) for o in self.order]
        self.order = best_order
        self.crossings = best

    def _gap(self, a, b):
        dummies = isinstance(a, tuple) + isinstance(b, tuple)
        return (10.0, 6.0, 3.0)[dummies]

    def _place_vertically(self, rounds=6):
        """Pull each node level with its neighbours, keeping the order and the spacing of every layer."""
        y = {}
        for nodes in self.order:
            top = 0.0
            for i, n in enumerate(nodes):
                if i:
                    top += (self._height(nodes[i - 1]) + self._height(n)) / 2 + self._gap(nodes[i - 1], n)
                y[n] = top
            for n in nodes:
                y[n] -= top / 2
        for _ in range(rounds):
            for layer in range(1, self.depth + 1):
                self._align(layer, y, self.right, +1)
            for layer in range(self.depth - 1, -1, -1):
                self._align(layer, y, self.left, -1)
        return y

    def _align(self, layer, y, neighbours, sign):
        nodes = self.order[layer]
        wanted = []
        for n in nodes:
            near = neighbours.get(n, ())
            # an edge leaves a box at its middle and arrives at a port of an op: aim at those points
            wanted.append(sum(y[m] + sign * port for m, port in near) / len(near) if near else y[n])
        gaps = [(self._height(a) + self._height(b)) / 2 + self._gap(a, b) for a, b in zip(nodes, nodes[1:])]
        for n, value in zip(nodes, _spaced(wanted, gaps)):
            y[n] = value

    def _place_horizontally(self):
        widths = [max((self.boxes[n].width for n in nodes if n in self.boxes), default=16.0)
                  for nodes in self.order]
        x, column, left = {}, {}, _MARGIN
        for layer in range(self.depth, -1, -1):
            column[layer] = (left, left + widths[layer])
            for n in self.order[layer]:
                x[n] = left + widths[layer] / 2
            if layer:
                # steep bundles of edges get more room, so that their curves stay apart
                rise = max((abs(self.y[m] - self.y[n]) for n in self.order[layer] for m, _ in self.right.get(n, ())),
                           default=0.0)
                left += widths[layer] + min(110.0, max(24.0, 0.2 * rise))
        return x, column

    def routes(self):
        """(u, v, input position, points) for every edge: start at u's right side, end at v's port."""
        for (u, v), chain in self.chains.items():
            start = (self.x[u] + self.boxes[u].body / 2, self.y[u])
            middle = []
            for d in chain[1:-1]:
                lo, hi = self.column[self.layer_of[d]]
                middle += [(lo, self.y[d]), (hi, self.y[d])]
            ks = self.graph.edges[u, v].get("inputs") or (None,)
            for k in ks:
                end = (self.x[v] - self.boxes[v].body / 2, self.y[v] + self.ports.get(v, {}).get(k, 0.0))
                yield u, v, k, [start, *middle, end]


def _spaced(wanted, gaps):
    """Positions closest (least squares) to ``wanted`` that keep their order, ``gaps[i]`` apart.

    Subtracting the cumulative gaps turns this into isotonic regression, solved by pooling adjacent
    violators: blocks that would overlap are merged and placed at their mean.
    """
    offsets = [0.0]
    for g in gaps:
        offsets.append(offsets[-1] + g)
    blocks = []  # [mean, count]
    for w, o in zip(wanted, offsets):
        blocks.append([w - o, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, c2 = blocks.pop()
            m1, c1 = blocks[-1]
            blocks[-1] = [(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2]
    out = []
    for mean, count in blocks:
        out.extend([mean] * count)
    return [z + o for z, o in zip(out, offsets)]


def _curve(points):
    """A path through ``points``: S-curves between columns (level at both ends), straight within a column."""
    from matplotlib.path import Path

    vertices, codes = [points[0]], [Path.MOVETO]
    for i, (p, q) in enumerate(zip(points, points[1:])):
        if i % 2 == 1:  # across a dummy's column
            vertices.append(q)
            codes.append(Path.LINETO)
            continue
        dx = (q[0] - p[0]) * 0.5
        vertices += [(p[0] + dx, p[1]), (q[0] - dx, q[1]), q]
        codes += [Path.CURVE4] * 3
    return Path(vertices, codes)


def draw(tensor_or_graph, *, highlight=None, show_grad=True, names=None, grads=None, ax=None,
         max_nodes=MAX_NODES, compact=None, title=None):
    """Draw the autograd graph behind a tensor (or a graph from ``to_networkx``) and return the Figure.

    Inputs are on the left, the output on the right.  A value shows ``label shape | data | grad``; an
    operation is a small rounded node with its symbol and its ``grad_fn`` name.  Colours (with a legend)
    tell leaves, intermediate values, the output and constants apart.

    - ``highlight``: node ids, tensors, ``grad_fn`` nodes or ``(u, v)`` edges to mark; an operation is
      marked with the edges it reads and writes.
    - ``show_grad``: show a grad cell once any node has a gradient (``.grad`` after backward, or ``grads``).
    - ``names``: a dict or namespace naming tensors (see ``nbgrad.display.labels``).
    - ``grads``: gradients to show instead of ``.grad``: a mapping like ``to_networkx``'s, or a Trace.
    - ``ax``: draw into these matplotlib axes; otherwise a new Figure sized to the graph.
    - ``compact``: draw values as labels only; by default, graphs over 160 nodes are drawn compact.
    - ``max_nodes``: larger graphs are refused with a message on how to draw a part of them.
    """
    graph = _graph_to_draw(tensor_or_graph, names, grads)
    n = graph.number_of_nodes()
    if n > max_nodes:
        raise ValueError(
            f"this graph has {n} nodes, more than max_nodes={max_nodes}; a drawing that big cannot be read. "
            "Draw a part of it: pass an intermediate tensor (the output of one layer, say, draw(hidden)), "
            "or a subgraph of to_networkx(t) (graph.subgraph(ids)); or raise max_nodes."
        )
    if compact is None:
        compact = n > _COMPACT_ABOVE
    marked, marked_edges = resolve(graph, highlight)
    if compact:
        graph = _fold_unnamed_values(graph, marked)
        marked_edges = {e for e in marked_edges if graph.has_edge(*e)}
    boxes = _boxes(graph, show_grad, compact)
    missing = any(run == "—" for box in boxes.values() for row in box.cells for run, _ in row)
    note = (_NOT_REACHED if graph.graph.get("grads_given") else _NOT_STORED) if missing else ""
    layout = _Layout(graph, boxes)
    ys = [layout.y[b] for b in boxes] or [0.0]
    half = max((boxes[b].height / 2 for b in boxes), default=10.0)
    kinds = [k for k in KINDS if any(a["kind"] == k for _, a in graph.nodes(data=True))]
    legend = sum(37 + _width(_STYLE[k]["legend"], _CAPTION * 1.15) for k in kinds)
    legend += 37 + _width("highlighted", _CAPTION * 1.15) if marked or marked_edges else 0
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
        ax.text(_MARGIN, y, title, fontsize=10 * scale, family=_FONT_FAMILY, va="center", ha="left",
                fontweight="bold")
        y += 16.0
    _legend(ax, kinds, bool(marked or marked_edges), note, y, scale)
    return fig


def new_figure(**kwargs):
    """A Figure made by pyplot and released at once: making it loads pyplot's backend, which in a notebook is
    the inline backend that shows a returned Figure as a picture (a bare ``Figure()`` would show as text
    until something else loaded it); released, it is not shown a second time when the cell ends."""
    import matplotlib.pyplot as plt

    fig = plt.figure(**kwargs)
    plt.close(fig)
    return fig


def _graph_to_draw(tensor_or_graph, names, grads):
    import networkx as nx

    if isinstance(tensor_or_graph, Tensor):
        return to_networkx(tensor_or_graph, names=names, grads=grads)
    graph = tensor_or_graph
    if not isinstance(graph, nx.DiGraph) or any("kind" not in a for _, a in graph.nodes(data=True)):
        raise TypeError(f"draw() takes a Tensor or a graph made by to_networkx(), not {type(graph).__name__}")
    if names is not None:
        raise ValueError("names= labels a tensor being drawn; for a graph, pass it to to_networkx(t, names=...)")
    if grads is not None:
        graph = graph.copy()
        _set_grads(graph, grads)
    return graph


def _fold_unnamed_values(graph, keep):
    """The graph with each intermediate value the user did not name folded into the edges between ops."""
    folded = graph.copy()
    for node_id, attrs in graph.nodes(data=True):
        if attrs["kind"] != "intermediate" or attrs["name"] is not None or node_id in keep:
            continue
        (producer,) = folded.predecessors(node_id)
        for _, consumer, edge in folded.out_edges(node_id, data=True):
            folded.add_edge(producer, consumer, **edge)
        folded.remove_node(node_id)
    return folded


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

    style = _STYLE[box.attrs["kind"]]
    edge = dict(edgecolor=_HIGHLIGHT if marked else style["edge"], linewidth=(2.6 if marked else 1.0) * scale,
                facecolor=style["face"], zorder=4, linestyle="--" if box.attrs["kind"] == "constant" else "-")
    text = dict(family=_FONT_FAMILY, va="center", zorder=5)
    if box.attrs["kind"] == "operation":
        w, h = box.body, _PILL_HEIGHT
        ax.add_artist(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=f"round,pad=0,rounding_size={h / 2}",
                                    **edge))
        ax.text(x, y, box.cells[0][0][0], ha="center", fontsize=_FONT * scale, fontweight="bold", **text)
        if box.caption:
            ax.text(x, y + h / 2 + 2 + _CAPTION / 2, box.caption, ha="center", fontsize=_CAPTION * scale,
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
            ax.text(at, row_y, run, ha="left", fontsize=_FONT * scale, color=_MUTED if kind == "muted" else "black",
                    fontweight="bold" if kind == "name" else "normal", **text)
            at += _width(run)
        row_y += _ROW


_NOT_STORED = "grad —: not stored (only leaves keep .grad)"
_NOT_REACHED = "grad —: not reached yet"


def _legend(ax, kinds, highlighted, note, y, scale):
    from matplotlib.patches import FancyBboxPatch

    x = _MARGIN
    entries = [(_STYLE[k]["legend"], _STYLE[k], k) for k in kinds]
    if highlighted:
        entries.append(("highlighted", {"face": "#ffffff", "edge": _HIGHLIGHT}, "highlight"))
    for text, style, kind in entries:
        ax.add_artist(FancyBboxPatch(
            (x, y - 5), 16, 10, boxstyle=f"round,pad=0,rounding_size={5 if kind == 'operation' else 2}",
            facecolor=style["face"], edgecolor=style["edge"], linewidth=(2.2 if kind == "highlight" else 1.0) * scale,
            linestyle="--" if kind == "constant" else "-", zorder=4))
        ax.text(x + 21, y, text, family=_FONT_FAMILY, fontsize=_CAPTION * 1.15 * scale, va="center", ha="left",
                color="#333333")
        x += 21 + _width(text, _CAPTION * 1.15) + 16
    if note:
        ax.text(x, y, note, family=_FONT_FAMILY, fontsize=_CAPTION * 1.15 * scale, va="center", ha="left",
                color=_MUTED)
