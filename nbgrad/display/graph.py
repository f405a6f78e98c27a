"""The graph behind a tensor: ``to_networkx`` for its structure, ``draw`` for a picture of it.

Value nodes (tensors) and operation nodes (a tensor's ``grad_fn``) are separate nodes, so the drawing
reads like the code: ``x -> [+] -> y -> [*] -> z``.  What is in the graph is found by ``walk.Walk``;
where each box goes, by ``layout.Layout`` (pure geometry); the picture is made by ``drawing``, with
matplotlib only (no graphviz).  matplotlib and networkx are imported when a function needs them, never
by ``import nbgrad``.
"""
import numpy as np

from ..autograd.function import AccumulateGrad, Node
from ..i18n import message
from ..tensor import Tensor
from .walk import Walk

MAX_NODES = 600
_COMPACT_ABOVE = 160  # nodes; bigger graphs drop data and captions so they stay legible


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
        set_grads(graph, grads)
    return graph


def digraph(walk):
    """A ``Walk`` as a ``networkx.DiGraph`` (each node gets its own copy of the attributes)."""
    import networkx as nx

    graph = nx.DiGraph(root=walk.root_id)
    graph.add_nodes_from(walk.nodes.items())
    graph.add_edges_from((u, v, dict(attrs)) for (u, v), attrs in walk.edges.items())
    return graph


def set_grads(graph, grads):
    """Show ``grads`` (see ``to_networkx``) in ``graph``, and no other gradient."""
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
        grad = grad.detach().numpy() if isinstance(grad, Tensor) else grad
        graph.nodes[node_id]["grad"] = None if grad is None else np.array(grad)


def _finder(graph):
    """A function from a node id, tensor or autograd node to its node id in ``graph``.

    An autograd node names its op (a leaf's ``AccumulateGrad`` names the leaf); a tensor names its value.
    """
    ops, values, leaves = {}, {}, {}
    for node_id, attrs in graph.nodes(data=True):
        node = attrs.get("node")
        if node is not None:
            (ops if attrs["kind"] == "operation" else values)[node] = node_id
            if type(node) is AccumulateGrad:
                leaves[node.variable] = node_id

    def find(item):
        if isinstance(item, str):
            node_id = item if item in graph else None
        elif isinstance(item, Node):
            node_id = ops.get(item, values.get(item))
        elif isinstance(item, Tensor):
            node_id = values.get(item.grad_fn) if item.grad_fn is not None else leaves.get(item)
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


def draw(tensor_or_graph, *, highlight=None, show_grad=True, names=None, grads=None, ax=None,
         max_nodes=MAX_NODES, compact=None, title=None, group=None, depth=1, model=None):
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
    - ``group="module"``: draw the graph of a model's loss with each ``nn.Module`` as one box (``fc1: Linear``,
      its parameters' shapes and, after backward, their ``‖grad‖``), down to ``depth`` as torchview does
      (1: the model's children are boxes; 2: their children are); ``model`` is found among ``names=`` or the
      notebook's variables when not given.  A module is found from its parameters; for parameter-free modules
      (``nn.ReLU``) to be boxes too, compute the loss inside ``nbgrad.display.modules.recording()``.  See
      ``nbgrad.display.modules``; ``max_nodes`` counts the boxes.
    """
    from . import drawing

    if group not in (None, "module"):
        raise ValueError(message("modules.bad_group", group=repr(group)))
    graph = _graph_to_draw(tensor_or_graph, names, grads)
    if group is not None:
        from .modules import module_graph

        graph, _ = module_graph(graph, model, depth=depth, names=names)
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
    return drawing.render(graph, marked, marked_edges, show_grad=show_grad, compact=compact, ax=ax, title=title)


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
        set_grads(graph, grads)
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
