"""How long a ``BackwardStepper`` takes to build, on the seed graph and on a small MLP (goal: no pause over 1 s).

    python3 benchmarks/bench_widgets.py [--runs N]

Reported for each graph, medians of N runs after one warm-up (the first run, which imports matplotlib,
networkx and ipywidgets, is timed apart):

- ``cell``: what the cell waits for when a person is at the notebook: the trace, every frame's text and
  the widgets; the graphs are drawn afterwards, one frame per turn of the kernel's loop;
- ``frame``: drawing one frame's graph as a PNG, the longest the kernel is busy between two messages then
  (the slowest frame is reported);
- ``batch``: everything at once, as in a script or a batch run (nbclient, nbconvert --execute), which
  must save every frame with the notebook.

Also the other widgets' first display: ``TensorView`` (table), ``GraphView``, ``GradientPlayground``.
"""
import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import nbgrad  # noqa: E402


def seed():
    x = nbgrad.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    return z.mean(), {"x": x, "y": y, "z": z}


def mlp():
    """The lesson-sized network: 2-8-1 with tanh on a batch of 16, MSE loss (10 backward steps)."""
    nbgrad.manual_seed(0)
    model = nbgrad.nn.Sequential(nbgrad.nn.Linear(2, 8), nbgrad.nn.Tanh(), nbgrad.nn.Linear(8, 1))
    X, y = nbgrad.randn(16, 2), nbgrad.randn(16, 1)
    return nbgrad.nn.functional.mse_loss(model(X), y), dict(model.named_parameters())


def _median(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    from nbgrad.widgets import BackwardStepper, GradientPlayground, GraphView, TensorView

    loss, names = seed()
    start = time.perf_counter()
    BackwardStepper(loss, names=names)
    print(f"first stepper, seed graph, imports included: {time.perf_counter() - start:.2f} s")
    for label, make in (("seed graph", seed), ("MLP 2-8-1", mlp)):
        loss, names = make()
        probe = BackwardStepper(loss, names=names, draw=False)
        frames = len(probe.trace) + 1
        cell = _median(lambda: BackwardStepper(loss, names=names, draw=False), args.runs)
        slowest = max(_median(lambda k=k: probe._frame_png(k), args.runs) for k in range(frames))
        batch = _median(lambda: BackwardStepper(loss, names=names), args.runs)
        print(f"{label:10}  {len(probe.trace):2} steps: cell {cell * 1000:4.0f} ms   slowest frame {slowest:.2f} s   "
              f"batch {batch:.2f} s  (median of {args.runs})")

    loss, names = seed()
    x = names["x"]
    for label, build in (("TensorView", lambda: TensorView(x)), ("GraphView", lambda: GraphView(loss, names=names)),
                         ("GradientPlayground 1-d", lambda: GradientPlayground("x * sin(x)")),
                         ("GradientPlayground 2-d", lambda: GradientPlayground("x**2 + 3*y**2 - x*y"))):
        print(f"{label:23} first display {_median(build, args.runs) * 1000:5.0f} ms")


if __name__ == "__main__":
    main()
