"""Graphs of models: the nodes of a graph grouped by the ``nn.Module`` that made them (``group="module"``).

``draw(loss, group="module", depth=1)`` and ``GraphView(loss, group="module")`` draw each module as one box,
``fc1: Linear``, listing its parameters (shape, and ``‖grad‖`` once backward has filled ``.grad``), with the
model's direct children as boxes at ``depth=1``, their children at ``depth=2``, and so on, as torchview's
``depth``.  Opening a module shows what is inside it; ops that belong to no submodule (an ``F.relu`` in the
model's ``forward``, the loss) belong to the model itself, the root, and are drawn as they are.

Which module made a node is derived from the graph and the model's parameters, after the fact:

- an op that reads a parameter belongs to the module holding that parameter, and so does an op computed
  from one module's parameters alone (``TBackward0`` of a weight) and the op that reads its result;
- every node on a path between two such ops of a module belongs to that module too (the module's "hull":
  the nodes that both follow and precede its ops), so a container's parameter-free parts (the ``ReLU`` of a
  ``Sequential``, between two ``Linear``) fall inside the container;
- a value belongs with the op that made it, a parameter with its module; inputs and constants to the root.

Why read the parameters rather than record module calls with PyTorch's global forward hook
(``register_module_forward_hook``)?  A hook must be registered before the forward runs, and a notebook
usually computes the loss first and draws it afterwards; registered for good, it would slow every module
call of every user.  Reading the parameters costs the core nothing and works on any graph still alive.
What it cannot see: a module without parameters is never a box of its own (its ops go to the enclosing
module whose parameters surround them, else to the parent).  For that, compute the loss inside
``recording()``, which registers the hook for the block only: each module's ops are then exactly those
between its call's inputs and outputs, and ``nn.ReLU``, ``nn.Flatten``, ``nn.MaxPool2d`` are boxes too.
Either way, a module called twice with its ops around another module's call (``a(b(a(x)))``) cannot be
one box without drawing a cycle, so both go up into the module holding them.

The functions here are pure: ``ModuleGroups`` (which module each node belongs to), ``opened_to(depth)``,
``collapse`` (the graph with closed modules as boxes) and ``box_rows`` (what a box says); ``recording()``
is the one with an effect.
"""
import contextlib
import weakref

import numpy as np

from ..autograd.function import AccumulateGrad
from ..autograd.graph import get_gradient_edge
from ..i18n import message
from ..nn import Module
from ..tensor import Tensor
from . import labels
from .formatting import number, shape_text

ROOT = ""  # the qualified name of the model itself, as in ``named_modules()``
PREFIX = "module:"  # node ids of module boxes: ``module:fc1``
_MAX_PARAMS = 4  # parameter rows in one box; a bigger module shows how many more, and opens to show them


# What recording() noted: the grad_fn of a module call's output -> [(the module, weakly; its inputs' nodes)].
# Keyed weakly: a note lives as long as the graph it describes.
_calls = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def recording():
    """Note every module call made inside, so that ``group="module"`` puts each node in its module exactly::

        with nbgrad.display.modules.recording():
            loss = loss_fn(model(x), y)
        draw(loss, group="module", model=model)   # nn.ReLU, nn.Flatten, ... are boxes too

    PyTorch's public global forward hook is registered for the block only: module calls elsewhere pay nothing.
    """
    from ..nn.modules.module import register_module_forward_hook

    handle = register_module_forward_hook(_note)
    try:
        yield
    finally:
        handle.remove()


def _note(module, args, output):
    inputs = frozenset(get_gradient_edge(t).node for t in _tensors(args) if t.requires_grad)
    for t in _tensors(output):
        if t.grad_fn is not None:
            _calls.setdefault(t.grad_fn, []).append((weakref.ref(module), inputs))


def _tensors(value):
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v)]
    return []


def _recorded(graph, every):
    """qualified name -> the op ids that its recorded calls made (from each output back to the call's inputs)."""
    names = {}
    for qualname, module in every.items():
        names.setdefault(module, qualname)
    op_ids = {a["node"]: n for n, a in graph.nodes(data=True) if a["kind"] == "operation"}
    found = {}
    for node in op_ids:
        for module, inputs in _calls.get(node, ()):
            qualname = names.get(module())
            if not qualname:  # another model's module, or the model itself
                continue
            made, stack = found.setdefault(qualname, set()), [node]
            while stack:
                n = stack.pop()
                if n in op_ids and n not in inputs and op_ids[n] not in made:
                    made.add(op_ids[n])
                    stack.extend(child for child, _ in n.next_functions if child is not None)
    return found


def parent(qualname):
    return qualname.rpartition(".")[0]


def _within(qualname, ancestor):
    """``qualname`` is ``ancestor`` or below it."""
    return ancestor == ROOT or qualname == ancestor or qualname.startswith(ancestor + ".")


def _common(qualnames):
    """The deepest module holding all of ``qualnames``."""
    parts = [q.split(".") for q in qualnames]
    common = []
    for names in zip(*parts):
        if len(set(names)) > 1:
            break
        common.append(names[0])
    return ".".join(common)


def level(qualname):
    """How deep a module sits: the model 0, its children 1, theirs 2."""
    return qualname.count(".") + 1 if qualname else 0


def find_model(graph, names=None):
    """The ``nn.Module`` whose parameters the graph uses most: from ``names=`` first, else the notebook's variables."""
    leaves = {a["node"].variable for _, a in graph.nodes(data=True)
              if a["kind"] == "leaf" and type(a["node"]) is AccumulateGrad}
    for namespace in labels.namespaces(names):
        found = {}
        for name, value in namespace:
            if isinstance(value, Module) and isinstance(name, str) and not name.startswith("_"):
                used = sum(p in leaves for p in value.parameters())
                if used:
                    found.setdefault(value, []).append((-used, len(name), name))
        if found:
            return min(found, key=lambda m: min(found[m]))
    raise ValueError(message("modules.no_model"))


class ModuleGroups:
    """Which module of ``model`` made each node of ``graph`` (a graph of ``to_networkx``).

    - ``module_of``: node id -> the qualified name of its module (``"fc1"``, ``"features.0"``; ``""`` the model);
    - ``modules``: qualified name -> module, for the modules that hold a node of the graph (and their parents);
    - ``parameter_ids``: parameter -> its value id in the graph.
    """

    def __init__(self, graph, model):
        import networkx as nx

        if not isinstance(model, Module):
            raise TypeError(message("modules.bad_model", type=type(model).__name__))
        every = dict(model.named_modules())
        owner = {}  # parameter -> the module holding it directly
        for qualname, module in every.items():
            for p in module.parameters(recurse=False):
                owner.setdefault(p, qualname)
        self.parameter_ids, made_of = {}, {}  # made_of: value id -> the module whose parameters alone made it
        for node_id, a in graph.nodes(data=True):
            if a["kind"] == "leaf" and type(a["node"]) is AccumulateGrad and a["node"].variable in owner:
                self.parameter_ids[a["node"].variable] = node_id
                made_of[node_id] = owner[a["node"].variable]
        order = list(nx.topological_sort(graph))
        position = {n: i for i, n in enumerate(order)}
        seeds = {}  # op id -> the module whose parameters it reads
        for op in order:
            if graph.nodes[op]["kind"] != "operation":
                continue
            sources = [made_of.get(v) for v in graph.predecessors(op)]
            touched = {q for q in sources if q is not None}
            if not touched:
                continue
            seeds[op] = _common(touched)
            # parameters alone (no data, not even a constant): its result counts as them
            if None not in sources and len(touched) == 1:
                made_of.update((v, seeds[op]) for v in graph.successors(op))

        hulls = {q: _hull(graph, [op for op, s in seeds.items() if _within(s, q)], position)
                 for q in sorted({q for s in seeds.values() for q in _ancestry(s)} - {ROOT})}  # sorted: one order
        # recorded calls say exactly; their hull (the nodes between their ops) keeps a module called twice honest
        hulls.update((q, _hull(graph, made, position)) for q, made in _recorded(graph, every).items())
        claims = {}  # node id -> the modules whose hull holds it
        for qualname, hull in hulls.items():
            for node_id in hull:
                claims.setdefault(node_id, []).append(qualname)
        # an op goes to the deepest module claiming it on each branch; claimed on several: to the module holding them
        ops = {n: _common([q for q in claims[n] if not any(o != q and _within(o, q) for o in claims[n])])
               if n in claims else ROOT for n in order if graph.nodes[n]["kind"] == "operation"}
        # A module called twice around another's call (A, B, A) holds B's ops in its hull: one box would come both
        # before and after B.  Such a module goes up into the module holding both, until no module does.
        moved = True
        while moved:
            moved = False
            for qualname, hull in hulls.items():
                outside = {ops[n] for n in hull if n in ops and not _within(ops[n], qualname)}
                if outside and any(_within(q, qualname) for q in ops.values()):
                    target = _common([qualname, *outside])
                    ops.update((n, target) for n, q in ops.items() if _within(q, qualname))
                    moved = True
        self.module_of, parameters = {}, set(self.parameter_ids.values())
        for node_id in order:
            a = graph.nodes[node_id]
            if a["kind"] == "operation":
                self.module_of[node_id] = ops[node_id]
            elif node_id in parameters:  # with its module, or where that module went
                self.module_of[node_id] = _common([made_of[node_id], *(ops[c] for c in graph.successors(node_id))])
            elif a["kind"] in ("intermediate", "output"):
                (producer,) = graph.predecessors(node_id)
                self.module_of[node_id] = ops[producer]
            else:
                self.module_of[node_id] = ROOT
        used = {q for q in self.module_of.values() for q in _ancestry(q)}
        self.modules = {q: m for q, m in every.items() if q in used}

    def names(self):
        """The modules that can be boxes (the model's own excluded), in ``named_modules`` order."""
        return [q for q in self.modules if q != ROOT]

    def label(self, qualname):
        """``fc1: Linear``."""
        return f"{qualname}: {type(self.modules[qualname]).__name__}"

    def opened_to(self, depth):
        """The modules open at ``depth``, as torchview's: those above it that hold other modules.

        ``depth=1`` shows the model's children as boxes, ``depth=2`` their children; a module without
        submodules (a ``Linear``) stays a box at any depth: open it by name (``opened``) to see its ops.
        """
        if not isinstance(depth, int) or isinstance(depth, bool) or depth < 1:
            raise ValueError(message("modules.bad_depth", depth=repr(depth)))
        holders = {parent(q) for q in self.names()}
        return {q for q in self.names() if level(q) < depth and q in holders}


def _ancestry(qualname):
    """``"a.b.c"`` -> ``["", "a", "a.b", "a.b.c"]``."""
    parts = qualname.split(".") if qualname else []
    return [ROOT] + [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _hull(graph, ops, position):
    """``ops`` and every node on a path between two of them (a search bounded by their topological span)."""
    low, high = min(position[o] for o in ops), max(position[o] for o in ops)
    after, before = _reach(graph.successors, ops, lambda n: position[n] <= high), \
        _reach(graph.predecessors, ops, lambda n: position[n] >= low)
    return after & before


def _reach(step, starts, allowed):
    seen, stack = set(starts), list(starts)
    while stack:
        for n in step(stack.pop()):
            if n not in seen and allowed(n):
                seen.add(n)
                stack.append(n)
    return seen


def collapse(graph, groups, opened=()):
    """``graph`` with each closed module drawn as one box (a node of kind ``"module"``, id ``module:<name>``).

    A node goes into the box of the outermost module around it that is not in ``opened``; the nodes of open
    modules (and of the model itself) are drawn as they are.  A box has the attributes of a value node (all
    None) and: ``label`` (``fc1: Linear``), ``module`` (its qualified name), ``members`` (the ids inside it),
    ``ops`` (how many of them are operations) and ``parameters``: ``(name, shape, grad)`` of each parameter
    of the module in the graph, ``grad`` the gradient the graph shows for it (``.grad``, or ``grads=``).
    Edges into a box keep ``kind`` and lose their input positions; edges between two nodes of a box vanish.
    """
    import networkx as nx

    opened = set(opened)
    boxes = {}  # qualified name -> the box it is drawn in (None: drawn open)
    for qualname in groups.modules:
        boxes[qualname] = next((q for q in _ancestry(qualname)[1:] if q not in opened), None)
    where = {n: PREFIX + boxes[groups.module_of[n]] if boxes[groups.module_of[n]] is not None else n for n in graph}
    folded = nx.DiGraph(**graph.graph)
    for node_id, attrs in graph.nodes(data=True):
        box = where[node_id]
        if box == node_id:
            folded.add_node(node_id, **attrs)
            continue
        if box not in folded:
            qualname = box[len(PREFIX):]
            folded.add_node(box, kind="module", label=groups.label(qualname), name=None, op=None, shape=None,
                            dtype=None, value=None, grad=None, node=None, module=qualname, members=[], ops=0,
                            parameters=_parameters(graph, groups, qualname))
        folded.nodes[box]["members"].append(node_id)
        folded.nodes[box]["ops"] += attrs["kind"] == "operation"
    for u, v, attrs in graph.edges(data=True):
        a, b = where[u], where[v]
        if a == b:
            continue
        inputs = attrs["inputs"] if b == v else ()
        if folded.has_edge(a, b):
            inputs = tuple(sorted(set(folded.edges[a, b]["inputs"]) | set(inputs)))
        folded.add_edge(a, b, **{**attrs, "inputs": inputs})
    folded.graph["root"] = where[graph.graph["root"]]
    return folded


def _parameters(graph, groups, qualname):
    rows = []
    for name, p in groups.modules[qualname].named_parameters():
        node_id = groups.parameter_ids.get(p)
        if node_id is not None:
            a = graph.nodes[node_id]
            rows.append((name, a["shape"], a["grad"]))
    return rows


def module_graph(graph, model=None, *, depth=1, opened=None, names=None):
    """``graph`` (from ``to_networkx``) grouped by module: ``collapse(graph, groups, opened)``, and the groups.

    ``model``: the ``nn.Module`` (found among ``names=`` or the notebook's variables when None);
    ``opened``: the modules to open, instead of those above ``depth``.
    """
    groups = ModuleGroups(graph, find_model(graph, names) if model is None else model)
    opened = groups.opened_to(depth) if opened is None else set(opened)
    return collapse(graph, groups, opened), groups


def grad_norm(grad):
    return number(float(np.sqrt(np.sum(np.square(grad, dtype=np.float64)))), 3)


def box_rows(attrs, show_grad):
    """What a module box says, as rows of ``(text, style)`` runs: its name, each parameter's shape and gradient.

    Few runs per row (each is a matplotlib text to draw, and a big model has hundreds of rows), but the
    parameter's name and shape apart from the gradient's words, which may be drawn in another font.
    """
    rows = [[(attrs["label"], "name")], [(message("modules.ops", count=attrs["ops"]), "muted")]]
    for name, shape, grad in attrs["parameters"][:_MAX_PARAMS]:
        row = [(f"{name} {shape_text(shape) or '()'}", "plain")]
        if show_grad and grad is not None:
            row += [("  ", "plain"), (message("modules.grad_norm", norm=grad_norm(grad)), "plain")]
        rows.append(row)
    more = len(attrs["parameters"]) - _MAX_PARAMS
    if more > 0:
        rows.append([(message("modules.more_parameters", count=more), "muted")])
    return rows
