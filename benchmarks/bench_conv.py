"""A LeNet training step on nbgrad and on PyTorch (one thread), side by side in one run.

The network is the "Neural Networks" tutorial's LeNet, adapted to 1x28x28 images (conv 5x5 -> 6, max pool,
conv 5x5 -> 16, max pool, 256 -> 120 -> 84 -> 10), trained by SGD on a batch of 64 with cross-entropy.
Both libraries start from the same weights and see the same batch; each step is timed as the best of
several repeats, nbgrad's and PyTorch's taking turns.

    python3 benchmarks/bench_conv.py [--steps 20] [--repeats 5]
"""
import argparse
import os
import sys
import time
from pathlib import Path

# one thread for NumPy's BLAS too, as torch.set_num_threads(1) below (as benchmarks/run.py does)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nbgrad  # noqa: E402


def lenet(L):
    nn, F = L.nn, L.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 4 * 4, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.flatten(1)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return Net()


def step_fn(L, net, x, y):
    opt = L.optim.SGD(net.parameters(), lr=0.01)
    loss_fn = L.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def best_times(steps_by_name, steps, repeats):
    """Best time per step of each, the repeats interleaved so that a busy moment of a shared machine falls
    on both."""
    best = {name: float("inf") for name in steps_by_name}
    for step in steps_by_name.values():
        step()  # warm up
    for _ in range(repeats):
        for name, step in steps_by_name.items():
            start = time.perf_counter()
            for _ in range(steps):
                step()
            best[name] = min(best[name], (time.perf_counter() - start) / steps)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    images = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, 64)
    theirs = lenet(torch)
    ours = lenet(nbgrad)
    ours.load_state_dict({k: nbgrad.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    steps, losses = {}, {}
    for name, L, net in (("nbgrad", nbgrad, ours), ("torch", torch, theirs)):
        steps[name] = step_fn(L, net, L.tensor(images), L.tensor(labels))
        losses[name] = float(steps[name]().item())
    times = best_times(steps, args.steps, args.repeats)
    print(f"first-step loss: nbgrad {losses['nbgrad']:.6f}, torch {losses['torch']:.6f}")
    print(f"LeNet step, batch 64, 1x28x28: nbgrad {times['nbgrad'] * 1e3:.2f} ms, torch (1 thread) "
          f"{times['torch'] * 1e3:.2f} ms, ratio {times['nbgrad'] / times['torch']:.2f}x")


if __name__ == "__main__":
    main()
