"""How long ``nbgrad.display.graph.draw`` takes on a graph of a few hundred nodes (goal: under 2 s).

    python3 benchmarks/bench_draw.py [--png PATH] [--modules-png PREFIX]

The graph is micrograd's demo network built from scalar tensors, MLP(3, [5, 5, 1]) on one sample with a
squared error: about 280 nodes, the size a student gets when they build a network neuron by neuron.
Reported: building the networkx graph, laying it out and drawing it, and rendering the PNG, each the
median of a few runs (the first run, which imports matplotlib and networkx, is timed apart).

Then graphs of models grouped by module (``draw(loss, group="module")``, goal: under 2 s, PNG included):
the tutorials' LeNet on a batch of 64 (5 boxes), and a deep MLP of 1,156 primitive nodes (8 blocks of 18
Linear + ReLU; 8 boxes at depth 1), each after backward, so the boxes show gradients.
"""
import argparse
import io
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import nbgrad  # noqa: E402
import nbgrad.nn as nn  # noqa: E402
import nbgrad.nn.functional as F  # noqa: E402


def scalar_mlp(sizes=(3, 5, 5, 1), seed=0):
    """micrograd's MLP with every weight a 0-d tensor: returns (loss, names of the parameters)."""
    nbgrad.manual_seed(seed)
    activations = [nbgrad.tensor(v) for v in (2.0, 3.0, -1.0)][: sizes[0]]
    names = {}
    for layer, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        outputs = []
        for j in range(fan_out):
            weights = [(nbgrad.rand(()) * 2 - 1).requires_grad_() for _ in range(fan_in)]
            bias = nbgrad.zeros(()).requires_grad_()
            names.update({f"w{layer}{j}{i}": w for i, w in enumerate(weights)})
            names[f"b{layer}{j}"] = bias
            total = bias
            for w, x in zip(weights, activations):
                total = total + w * x
            outputs.append(total.tanh() if layer < len(sizes) - 2 else total)
        activations = outputs
    return (activations[0] - 1.0) ** 2, names


class LeNet(nn.Module):
    """The tutorials' LeNet (tests/tutorials/programs/neural_networks.py): relu, pooling and flatten are functions."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = nbgrad.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def deep_mlp(blocks=8, layers=18, width=8):
    """A Sequential of ``blocks`` Sequentials of ``layers`` (Linear, ReLU): 1,156 nodes with the defaults."""
    return nn.Sequential(*[nn.Sequential(*[m for _ in range(layers) for m in (nn.Linear(width, width), nn.ReLU())])
                           for _ in range(blocks)])


def loss_of(model, x):
    out = model(x)
    return F.mse_loss(out, nbgrad.zeros_like(out))


def module_graphs(seed=0):
    """(title, model, loss after backward) of the two models drawn grouped by module."""
    nbgrad.manual_seed(seed)
    found = []
    for title, model, x in (("LeNet, batch 64", LeNet(), nbgrad.randn(64, 1, 32, 32)),
                            ("deep MLP, batch 16", deep_mlp(), nbgrad.randn(16, 8))):
        loss = loss_of(model, x)
        loss.backward()
        found.append((title, model, loss))
    return found


def _timed(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", help="also save the drawing there")
    parser.add_argument("--modules-png", help="also save the module graphs there: PREFIX-lenet.png, PREFIX-deep.png")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    from nbgrad.display.graph import draw, to_networkx

    loss, names = scalar_mlp()
    start = time.perf_counter()
    first = draw(loss, names=names)
    cold = time.perf_counter() - start
    graph_time, graph = _timed(lambda: to_networkx(loss, names=names), args.runs)
    draw_time, figure = _timed(lambda: draw(loss, names=names), args.runs)

    png_time, png = _timed(lambda: render(figure), args.runs)
    if args.png:
        with open(args.png, "wb") as f:
            f.write(png)
    width, height = first.get_size_inches() * first.dpi
    print(f"graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; "
          f"figure {width:.0f}×{height:.0f} px, PNG {len(png) / 1024:.0f} KiB")
    print(f"first draw (imports included): {cold:.2f} s")
    print(f"to_networkx: {graph_time * 1000:.0f} ms   draw: {draw_time:.2f} s   PNG: {png_time:.2f} s   "
          f"draw + PNG: {draw_time + png_time:.2f} s  (median of {args.runs})")
    _module_graphs(args)


def render(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _module_graphs(args):
    from nbgrad.display.graph import draw, to_networkx
    from nbgrad.display.modules import module_graph

    print('group="module", depth=1, after backward:')
    for (title, model, loss), suffix in zip(module_graphs(), ("lenet", "deep")):
        graph_time, graph = _timed(lambda: to_networkx(loss), args.runs)
        group_time, (folded, _) = _timed(lambda: module_graph(graph, model), args.runs)
        draw_time, figure = _timed(lambda: draw(loss, group="module", model=model), args.runs)
        png_time, png = _timed(lambda: render(figure), args.runs)
        if args.modules_png:
            with open(f"{args.modules_png}-{suffix}.png", "wb") as f:
                f.write(png)
        width, height = figure.get_size_inches() * figure.dpi
        print(f"  {title}: {graph.number_of_nodes()} nodes -> {folded.number_of_nodes()} drawn; "
              f"figure {width:.0f}×{height:.0f} px")
        print(f"    to_networkx: {graph_time * 1000:.0f} ms   grouping: {group_time * 1000:.0f} ms   "
              f"draw (both included): {draw_time:.2f} s   PNG: {png_time:.2f} s   "
              f"draw + PNG: {draw_time + png_time:.2f} s  (median of {args.runs})")


if __name__ == "__main__":
    main()
