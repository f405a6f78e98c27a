"""An LSTM training step on nbgrad and on PyTorch (one thread), side by side in one run.

    python3 benchmarks/bench_rnn.py [--quick]

The step: an ``nn.LSTM`` (input 32, hidden 64, batch_first) over a batch of 16 sequences of 50 steps, an
``nn.Linear`` head on every step's output, MSE against a target, backward, an SGD step; float32. The same
code runs on both libraries with the same initial weights (PyTorch's, copied) and the same data; the two
first losses are checked to agree before timing. Contenders are interleaved and the median is reported.
PyTorch's float32 LSTM runs oneDNN's fused kernel; nbgrad runs the recurrence as elementary ops, with the
input projection of all 50 steps in one matrix product as PyTorch's own CPU code does.
"""
import argparse
import sys

import run  # first: it sets one BLAS thread before NumPy loads

import numpy as np  # noqa: E402

import nbgrad  # noqa: E402

INPUT, HIDDEN, BATCH, STEPS, LR = 32, 64, 16, 50, 0.01


def training_step(lib, state, x, y):
    """One step of the model on ``lib`` with the weights ``state`` (a state dict of arrays)."""
    nn = lib.nn
    lstm, head = nn.LSTM(INPUT, HIDDEN, batch_first=True), nn.Linear(HIDDEN, 1)
    lstm.load_state_dict({k[5:]: lib.tensor(v) for k, v in state.items() if k.startswith("lstm.")})
    head.load_state_dict({k[5:]: lib.tensor(v) for k, v in state.items() if k.startswith("head.")})
    optimizer = lib.optim.SGD([*lstm.parameters(), *head.parameters()], lr=LR)
    inputs, targets = lib.tensor(x), lib.tensor(y)

    def step():
        output, _ = lstm(inputs)
        loss = nn.functional.mse_loss(head(output), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions: checks that it runs, not a measurement")
    args = parser.parse_args(argv)
    print(run.machine())
    torch = run.optional("torch")
    if torch is None:
        print("torch not installed: nothing to compare with")
        return 0
    torch.set_num_threads(1)
    torch.manual_seed(0)
    lstm, head = torch.nn.LSTM(INPUT, HIDDEN, batch_first=True), torch.nn.Linear(HIDDEN, 1)
    state = {f"{name}.{k}": v.numpy().copy() for name, m in (("lstm", lstm), ("head", head))
             for k, v in m.state_dict().items()}
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, STEPS, INPUT)).astype(np.float32)
    y = rng.standard_normal((BATCH, STEPS, 1)).astype(np.float32)

    steps = {"nbgrad": training_step(nbgrad, state, x, y), "torch (1 thread)": training_step(torch, state, x, y)}
    first = {name: step() for name, step in steps.items()}
    if not np.isclose(first["nbgrad"], first["torch (1 thread)"], rtol=1e-5):
        raise AssertionError(f"the first losses differ: {first}")
    times = run.interleaved(steps, rounds=3 if args.quick else 15, number=1 if args.quick else 3)

    print(f"\nLSTM training step: input {INPUT}, hidden {HIDDEN}, batch {BATCH}, sequence length {STEPS}, "
          "Linear head + MSE, SGD (float32); median ms per step")
    for name, t in times.items():
        print(f"  {name:18s} {t * 1e3:8.2f} ms")
    print(f"  nbgrad / torch = {times['nbgrad'] / times['torch (1 thread)']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
