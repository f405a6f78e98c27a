"""One epoch of the core benchmark's MLP through ``nbgrad.nn`` + ``nbgrad.optim``, against the same epoch
written by hand in NumPy and (where installed) ``torch.nn`` + ``torch.optim`` on one thread.

    python3 benchmarks/bench_nn.py [--quick]

The network, its initial weights, the learning rate and the hand-written NumPy step are ``run.py``'s
(``mlp_data``, ``mlp_numpy``), so the comparison is with the very code the core benchmark uses. An epoch is
BATCHES steps of SGD over random data with a fixed seed. Each contender reads its batch from its own input
buffer (the NumPy step is a closure over fixed arrays), so every one pays the same copy per step.
Contenders are interleaved, one epoch per call, and the median over rounds is reported.
"""
import argparse
import sys

import run  # first: it sets one BLAS thread before NumPy loads

import numpy as np  # noqa: E402

import nbgrad  # noqa: E402

BATCHES = 60


def epoch_data(seed=1):
    """BATCHES batches of inputs and labels, the same for every contender."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCHES, run.BATCH, run.SIZES[0])).astype(np.float32)
    labels = rng.integers(0, run.SIZES[-1], (BATCHES, run.BATCH))
    return x, labels


def _epoch(step, x_buffer, label_buffer, x, labels):
    def epoch():
        losses = []
        for i in range(BATCHES):
            np.copyto(x_buffer, x[i])
            np.copyto(label_buffer, labels[i])
            losses.append(step())
        return losses

    return epoch


def _buffers(x, labels):
    return np.empty_like(x[0]), np.empty_like(labels[0])


def numpy_epoch(weights, x, labels):
    x_buffer, label_buffer = _buffers(x, labels)
    step, params = run.mlp_numpy(x_buffer, label_buffer, weights)
    return _epoch(step, x_buffer, label_buffer, x, labels), params


def nbgrad_tensors_epoch(weights, x, labels):
    """The core benchmark's step with nbgrad tensors and a hand-written update (no nn, no optim)."""
    x_buffer, label_buffer = _buffers(x, labels)
    step, params = run.mlp(nbgrad, x_buffer, label_buffer, weights)
    return _epoch(step, x_buffer, label_buffer, x, labels), params


def nn_epoch(lib, weights, x, labels):
    """One epoch through ``lib.nn`` + ``lib.optim``: the same code runs on nbgrad and on PyTorch."""
    x_buffer, label_buffer = _buffers(x, labels)
    nn, optim = lib.nn, lib.optim
    model = nn.Sequential(nn.Linear(run.SIZES[0], run.SIZES[1]), nn.ReLU(), nn.Linear(run.SIZES[1], run.SIZES[2]))
    w1, b1, w2, b2 = weights  # run.py's weights are (in, out): x @ w; a Linear holds (out, in)
    model.load_state_dict({"0.weight": lib.tensor(w1.T), "0.bias": lib.tensor(b1),
                           "2.weight": lib.tensor(w2.T), "2.bias": lib.tensor(b2)})
    optimizer = optim.SGD(model.parameters(), lr=run.LR)
    loss_fn = nn.CrossEntropyLoss()
    inputs, targets = lib.from_numpy(x_buffer), lib.from_numpy(label_buffer)

    def step():
        loss = loss_fn(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    params = lambda: [p.detach().numpy().T for p in model.parameters()]  # noqa: E731
    return _epoch(step, x_buffer, label_buffer, x, labels), params


def check_same_epoch(makers):
    """Every contender computes the same losses and ends the epoch with the same weights as NumPy by hand."""
    results = {name: make() for name, make in makers.items()}
    reference_losses, reference_params = None, None
    for name, (epoch, params) in results.items():
        losses = epoch()
        if reference_losses is None:
            reference_losses, reference_params = losses, params()
            continue
        if not np.allclose(losses, reference_losses, rtol=1e-4):
            raise AssertionError(f"{name} computes different losses from numpy (by hand)")
        for p, q in zip(params(), reference_params):
            if not np.allclose(p, q, rtol=1e-3, atol=1e-5):
                raise AssertionError(f"{name} ends the epoch with different weights from numpy (by hand)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions: checks that it runs, not a measurement")
    args = parser.parse_args(argv)
    print(run.machine())
    torch = run.optional("torch")
    _, _, weights = run.mlp_data()
    x, labels = epoch_data()
    makers = {
        "numpy (by hand)": lambda: numpy_epoch(weights, x, labels),
        "nbgrad tensors": lambda: nbgrad_tensors_epoch(weights, x, labels),
        "nbgrad nn + optim": lambda: nn_epoch(nbgrad, weights, x, labels),
    }
    if torch is not None:
        torch.set_num_threads(1)
        makers["torch nn + optim"] = lambda: nn_epoch(torch, weights, x, labels)
    check_same_epoch(makers)
    contenders = {name: make()[0] for name, make in makers.items()}
    times = run.interleaved(contenders, rounds=3 if args.quick else 15, number=1)

    sizes = "-".join(map(str, run.SIZES))
    print(f"\nOne epoch: {BATCHES} batches of {run.BATCH}, MLP {sizes}, relu, cross-entropy, SGD (lr {run.LR}), "
          "float32; median ms per epoch")
    base = times["numpy (by hand)"]
    for name, t in times.items():
        print(f"  {name:18s} {t * 1e3:8.1f} ms   / numpy = {t / base:.3f}")
    if torch is None:
        print(f"  {'torch nn + optim':18s} not installed")
    else:
        print(f"  nbgrad nn + optim / torch nn + optim (1 thread) = "
              f"{times['nbgrad nn + optim'] / times['torch nn + optim']:.3f}")
    print(f"  nbgrad nn + optim / nbgrad tensors = {times['nbgrad nn + optim'] / times['nbgrad tensors']:.3f} "
          "(the cost of Module and Optimizer over hand-written updates)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
