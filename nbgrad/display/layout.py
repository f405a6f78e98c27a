"""Where each box of a graph drawing goes: pure geometry, in points, y growing downwards.

A layered layout as graphviz's ``dot`` makes one: the output on the right, each node one column to the
left of the node that uses it (longest path to the output, so every edge points right and a bias sits
next to the addition that uses it), long edges bent through one point per column they cross, a few
barycentre sweeps and neighbour swaps against crossings, then each node pulled level with its
neighbours.  It knows ids, edges and box sizes only: no matplotlib, no networkx, no autograd.
"""
from bisect import bisect_right, insort
from collections import namedtuple

Size = namedtuple("Size", "width height body")
Size.__doc__ = """The room a node takes (``width`` by ``height``) and the width of its drawn shape (``body``):
edges leave and arrive at the body's sides; an op's caption may be wider than its pill."""

_DUMMY_HEIGHT = 2.0  # the room a bent edge takes in a column
_DUMMY_WIDTH = 16.0  # a column of bent edges only


def ports(edges, node, room):
    """Input position k -> vertical offset of where that input's edge arrives at ``node``, from the top.

    ``edges``: (u, v, input positions) triples; ``room``: the height the ports may spread over.
    """
    positions = sorted(k for _, v, ks in edges if v == node for k in ks)
    m = len(positions)
    step = min(6.0, room / max(m - 1, 1))
    return {k: (i - (m - 1) / 2) * step for i, k in enumerate(positions)}


def layers(nodes, edges):
    """Longest distance (in edges) from each node to a node without successors: every edge goes right."""
    successors = {n: [] for n in nodes}
    for u, v, _ in edges:
        successors[u].append(v)
    layer = {}
    for start in nodes:
        stack = [start]
        while stack:
            n = stack[-1]
            if n in layer:
                stack.pop()
                continue
            waiting = [v for v in successors[n] if v not in layer]
            if waiting:
                stack.extend(waiting)
            else:
                layer[n] = max((layer[v] + 1 for v in successors[n]), default=0)
                stack.pop()
    return layer


class Layout:
    """Positions of boxes and routes of edges.

    - ``nodes``: node ids, in the graph's order (it breaks ties, so the same graph is laid out the same);
    - ``edges``: ``(u, v, inputs)`` triples in the graph's order, ``inputs`` being the input positions of
      ``v`` that ``u`` fills (``()`` for an edge into a value);
    - ``sizes``: node id -> ``Size`` (or anything with ``width``, ``height`` and ``body``);
    - ``margin``: the room left of the first column; ``port_room``: how far the ports of one node spread.

    After construction: ``x``, ``y`` (node id -> centre), ``column`` (layer -> (left, right)), ``order``
    (the ids of each layer from the top, bent-edge points included), ``crossings``; ``routes()``.
    """

    def __init__(self, nodes, edges, sizes, *, margin=14.0, port_room=12.0):
        nodes, edges = list(nodes), [(u, v, tuple(ks)) for u, v, ks in edges]
        self.sizes, self.margin = sizes, margin
        layer = layers(nodes, edges)
        self.depth = max(layer.values(), default=0)
        self.ports = {v: ports(edges, v, port_room) for v in dict.fromkeys(v for _, v, ks in edges if ks)}
        # Long edges pass through one dummy point per layer they cross, so they bend around boxes.
        self.layer_of = dict(layer)
        self.chains, self.inputs = {}, {}
        self.right = {}  # node -> [(node in the next layer to the right, port offset)]
        self.left = {}
        for u, v, inputs in edges:
            ks = inputs or (None,)
            port = sum(self.ports.get(v, {}).get(k, 0.0) for k in ks) / len(ks)
            chain = [u] + [("dummy", u, v, i) for i in range(layer[u] - layer[v] - 1)] + [v]
            for i, d in enumerate(chain[1:-1]):
                self.layer_of[d] = layer[u] - 1 - i
            self.chains[(u, v)], self.inputs[(u, v)] = chain, inputs
            for a, b in zip(chain, chain[1:]):
                self.right.setdefault(a, []).append((b, port if b == v else 0.0))
                self.left.setdefault(b, []).append((a, 0.0))
        self.order = self._initial_order(nodes)
        self._reduce_crossings()
        self.y = self._place_vertically()
        self.x, self.column = self._place_horizontally()

    def _height(self, n):
        return self.sizes[n].height if n in self.sizes else _DUMMY_HEIGHT

    def _initial_order(self, nodes):
        """Depth-first from the output through inputs in argument order: subtrees start out together."""
        seen, order = {}, [[] for _ in range(self.depth + 1)]
        sinks = [n for n in nodes if not self.right.get(n)]
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
        dummies = (a not in self.sizes) + (b not in self.sizes)
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
        for n, value in zip(nodes, spaced(wanted, gaps)):
            y[n] = value

    def _place_horizontally(self):
        widths = [max((self.sizes[n].width for n in nodes if n in self.sizes), default=_DUMMY_WIDTH)
                  for nodes in self.order]
        x, column, left = {}, {}, self.margin
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
        """(u, v, input position, points) for every edge: start at u's right side, end at v's port.

        An edge runs level from u to the edge of u's column, and level again from the edge of v's column to
        v: it changes height only between columns and across a column of bent edges, where no box is, so it
        never runs through a box or an op's caption (which may be wider than its pill). Even segments of the
        points are level (some of length 0), odd ones change height.
        """
        for (u, v), chain in self.chains.items():
            start = (self.x[u] + self.sizes[u].body / 2, self.y[u])
            middle = [(self.column[self.layer_of[u]][1], self.y[u])]
            for d in chain[1:-1]:
                lo, hi = self.column[self.layer_of[d]]
                middle += [(lo, self.y[d]), (hi, self.y[d])]
            for k in self.inputs[(u, v)] or (None,):
                y = self.y[v] + self.ports.get(v, {}).get(k, 0.0)
                end = (self.x[v] - self.sizes[v].body / 2, y)
                yield u, v, k, [start, *middle, (self.column[self.layer_of[v]][0], y), end]


def spaced(wanted, gaps):
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
