"""How long ``nbgrad.display.graph.draw`` takes on a graph of a few hundred nodes (goal: under 2 s).

    python3 benchmarks/bench_draw.py [--png PATH]

The graph is micrograd's demo network built from scalar tensors, MLP(3, [5, 5, 1]) on one sample with a
squared error: about 280 nodes, the size a student gets when they build a network neuron by neuron.
Reported: building the networkx graph, laying it out and drawing it, and rendering the PNG, each the
median of a few runs (the first run, which imports matplotlib and networkx, is timed apart).
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

    def render():
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()

    png_time, png = _timed(render, args.runs)
    if args.png:
        with open(args.png, "wb") as f:
            f.write(png)
    width, height = first.get_size_inches() * first.dpi
    print(f"graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges; "
          f"figure {width:.0f}×{height:.0f} px, PNG {len(png) / 1024:.0f} KiB")
    print(f"first draw (imports included): {cold:.2f} s")
    print(f"to_networkx: {graph_time * 1000:.0f} ms   draw: {draw_time:.2f} s   PNG: {png_time:.2f} s   "
          f"draw + PNG: {draw_time + png_time:.2f} s  (median of {args.runs})")


if __name__ == "__main__":
    main()
