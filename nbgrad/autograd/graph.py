"""``nbgrad.autograd.graph``: reading the backward graph from outside, read-only.

PyTorch's own names first (``get_gradient_edge``, ``GradientEdge``, ``Node``); then the few things a
drawing or a trace needs that PyTorch has no public name for. The display layer and the widgets read
the core only through these, PyTorch's tensor and node API, and ``_saved_<name>`` as PyTorch names it.
"""
from collections import deque, namedtuple

from .function import AccumulateGrad, BackwardNode, Node  # noqa: F401
from .function import _custom  # loaded with function.py (the rest of the Function API)

GradientEdge = namedtuple("GradientEdge", "node output_nr")
GradientEdge.__doc__ = "Where a tensor's gradient goes: a node, and which of its outputs the tensor is."

Input = namedtuple("Input", "position shape dtype constant")
Input.__doc__ = (
    "One tensor input of a node, lined up with next_functions: its position among forward's arguments, "
    "its shape and NumPy dtype, and the tensor itself if it needed no gradient and still exists (else None)."
)


def get_gradient_edge(tensor):
    """As in PyTorch: a non-leaf's ``grad_fn``, or a leaf's ``AccumulateGrad`` (made if it is not yet)."""
    node = tensor._grad_node()
    if node is None:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does not require gradients")
    if type(node) is _custom._OutputEdge:  # one output of several: the shared node, and which output
        return GradientEdge(node.node, node.output_nr)
    return GradientEdge(node, 0)


def op_of(node):
    """The ``Function`` subclass whose call made ``node`` (None for an ``AccumulateGrad``)."""
    return node._function if isinstance(node, BackwardNode) else None


def is_builtin(function):
    """True for nbgrad's own ops, False for a user's ``Function``."""
    return function._builtin


def inputs_of(node):
    """An ``Input`` for each entry of ``node.next_functions``."""
    if not isinstance(node, BackwardNode):
        return ()
    constants = node._constants or {}
    out = []
    for k, (position, shape, dtype) in enumerate(node._meta):
        ref = constants.get(k)
        out.append(Input(position, tuple(shape), dtype, ref() if ref is not None else None))
    return tuple(out)


def output_count(node):
    """How many tensors the forward that made ``node`` returned (a user's Function may return several)."""
    outputs = getattr(node, "_outputs", None)
    return 1 if outputs is None else sum(meta is not None for meta in outputs)


def output_of(node):
    """The tensor ``node`` made, while it still exists (the graph holds it weakly), else None."""
    ref = getattr(node, "_output", None)
    return ref() if ref is not None else None


def retained_of(node):
    """The non-leaf tensor whose ``.grad`` ``node`` keeps (``retain_grad()``), else None."""
    return node._retained.variable if node._retained is not None else None


def traverse(*nodes):
    """Every node reachable from ``nodes`` along ``next_functions``, each once, breadth-first, in order."""
    seen, queue = set(), deque()
    for node in nodes:
        if node is not None and node not in seen:
            seen.add(node)
            queue.append(node)
    while queue:
        node = queue.popleft()
        yield node
        for child, _ in node.next_functions:  # PyTorch's edges: the node itself, whichever output is meant
            if child is not None and child not in seen:
                seen.add(child)
                queue.append(child)
