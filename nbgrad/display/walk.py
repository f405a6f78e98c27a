"""Graph discovery: the graph behind a tensor as plain Python data, shared by ``to_networkx``, ``draw``
and the trace.

Value nodes (tensors) and operation nodes (a tensor's ``grad_fn``) are separate, so a drawing reads like
the code: ``x -> [+] -> y -> [*] -> z``.  The structure comes from ``nbgrad.autograd.graph.traverse``
(the one walk of the backward graph).  The core keeps no strong reference from a node to the tensors
around it, so values are gathered from what can still be reached: the tensor given, the leaves
(``AccumulateGrad.variable``), each node's output while it exists, the tensors a node saved for
backward (until backward frees them), its constant inputs while they exist, and the tensors the user
has named.  What cannot be reached has no value.
"""
import numpy as np

from ..autograd.function import AccumulateGrad
from ..autograd.graph import get_gradient_edge, inputs_of, output_count, output_of, retained_of, traverse
from ..i18n import message
from ..tensor import Tensor
from . import labels
from .formatting import expression, latex_name, literal, op_label

KINDS = ("leaf", "intermediate", "output", "constant", "operation")
_MAX_EXPRESSION = 14  # longer expressions are not used as labels: they would crowd the picture
_NAMED = 9  # the precedence of a name or a number: never bracketed


class Walk:
    """The graph behind a tensor.

    ``nodes``: id -> attributes (see ``to_networkx``), in traversal order; ``edges``: (u, v) -> attributes;
    ``op_ids``: autograd Node -> op id; ``value_ids``: where a value's gradient arrives, as PyTorch's edge
    ``(node, output_nr)`` (its ``grad_fn`` and which of its outputs it is, or a leaf's ``AccumulateGrad``)
    -> value id; ``inputs[op id]``: the value id of each entry of the op's ``next_functions``; ``latex``:
    value id -> its label as LaTeX; ``several``: a node of the graph with several outputs (split, a user's
    Function), or None: the trace steps through nodes of one output only.
    """

    def __init__(self, root, names=None):
        if not isinstance(root, Tensor):
            raise TypeError(message("walk.expected_tensor", type=type(root).__name__))
        self.root = root
        self.nodes, self.edges, self.inputs = {}, {}, {}
        self.op_ids, self.value_ids, self.latex = {}, {}, {}
        self._counts = {"v": 0, "op": 0}
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
        """Ids in breadth-first order from the output along ``next_functions``: the same graph, the same ids."""
        top = root.grad_fn
        self.several = None
        if top is None:
            node = get_gradient_edge(root).node if root.requires_grad else None
            self.root_id = self._new("v", kind="leaf" if node is not None else "constant", node=node)
            if node is not None:
                self.value_ids[(node, 0)] = self.root_id
            return
        self.root_id = self._new("v", kind="output", node=top)
        self.value_ids[tuple(get_gradient_edge(root))] = self.root_id
        self.op_ids[top] = self._new("op", kind="operation", node=top)
        outputs = {self.op_ids[top]: [self.root_id]}  # op id -> its output values (several for split, unbind, ...)
        for node in traverse(top):
            if type(node) is AccumulateGrad:
                continue
            if self.several is None and output_count(node) > 1:
                self.several = node
            op_id = self.op_ids[node]
            for value_id in outputs.pop(op_id):
                self.edges[(op_id, value_id)] = {"kind": "output", "inputs": ()}
            inputs = []
            for k, edge in enumerate(node.next_functions):
                child = edge[0]
                if child is None:
                    value_id = self._new("v", kind="constant")
                else:
                    value_id = self.value_ids.get(edge)
                    if value_id is None:
                        leaf = type(child) is AccumulateGrad
                        value_id = self._new("v", kind="leaf" if leaf else "intermediate", node=child)
                        self.value_ids[edge] = value_id
                        if not leaf:
                            if child not in self.op_ids:
                                self.op_ids[child] = self._new("op", kind="operation", node=child)
                            outputs.setdefault(self.op_ids[child], []).append(value_id)
                edge = self.edges.setdefault((value_id, op_id), {"kind": "input", "inputs": ()})
                edge["inputs"] += (k,)
                inputs.append(value_id)
            self.inputs[op_id] = tuple(inputs)
        # an output of a node of several outputs (LSTM's split) found only after that node was walked
        for op_id, values in outputs.items():
            for value_id in values:
                self.edges[(op_id, value_id)] = {"kind": "output", "inputs": ()}

    # ----- values -----
    def _reachable_tensors(self, names):
        """value id -> a Tensor holding that value, from everything that can still be reached."""
        found = {self.root_id: self.root}
        leaves = {}  # leaf tensor -> its value id
        for (node, _), value_id in self.value_ids.items():
            if type(node) is AccumulateGrad:
                found[value_id], leaves[node.variable] = node.variable, value_id

        def offer(t):
            value_id = self.value_ids.get(tuple(get_gradient_edge(t))) if t.grad_fn is not None else leaves.get(t)
            if value_id is not None and value_id not in found:
                found[value_id] = t

        for t in names.tensors():
            offer(t)
        for node in self.op_ids:
            for t in (output_of(node), retained_of(node)):
                if t is not None:
                    offer(t)  # keyed by its grad_fn now: an in-place op may have moved it on
        for node, op_id in self.op_ids.items():
            for t in _saved_tensors(node):
                if t.requires_grad:
                    offer(t)
            for value_id, given in zip(self.inputs[op_id], inputs_of(node)):
                if given.constant is not None and value_id not in found:
                    found[value_id] = given.constant
        return found

    def _describe(self, tensors, names):
        meta = {}
        for op_id, inputs in self.inputs.items():
            for value_id, given in zip(inputs, inputs_of(self.nodes[op_id]["node"])):
                meta.setdefault(value_id, (given.shape, given.dtype))
        for node_id, attrs in self.nodes.items():
            if attrs["kind"] == "operation":
                attrs["op"] = attrs["node"].name()
                attrs["label"] = op_label(attrs["node"])
                continue
            t = tensors.get(node_id)
            if t is not None:
                data = t.detach().numpy()
                attrs["shape"], np_dtype = tuple(data.shape), data.dtype
                attrs["value"] = data.copy()
                grad = t.grad if t.is_leaf or t.retains_grad else None  # .grad of others warns, as in PyTorch
                attrs["grad"] = grad.detach().numpy().copy() if grad is not None else None
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
            return attrs["name"], latex_name(attrs["name"]), _NAMED
        value = attrs["value"]
        if attrs["kind"] == "constant":
            if value is not None and value.size == 1:
                text = literal(value.reshape(())[()])  # as the code spells it: y*3, not y*3.
                return text, text, _NAMED if not text.startswith("-") else 0
            return "", "", 0
        producer = attrs["node"] if attrs["kind"] in ("intermediate", "output") else None
        if producer is None or producer not in self.op_ids or output_count(producer) > 1:
            return "", "", 0  # (one output of several: no expression names it)
        inputs = self.inputs[self.op_ids[producer]]
        operands = [(self.nodes[v]["label"], self.latex[v], precedence[v]) for v in inputs]
        if not all(text for text, _, _ in operands):
            return "", "", 0
        text, latex, prec = expression(producer, operands)
        if len(text) > _MAX_EXPRESSION:
            return "", "", 0
        return text, latex, prec


def _saved_tensors(node):
    try:
        values = node.saved_values()
    except (RuntimeError, AttributeError):  # freed by backward, or a node that saves nothing
        return []
    return [t for t in values.values() if isinstance(t, Tensor)]
