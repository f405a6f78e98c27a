"""nbgrad's core benchmarks: per-op overhead, an MLP training step, long chains, import time.

    python3 benchmarks/run.py {overhead,mlp,chain,import,all} [--quick]

Every comparison is made side by side in one run: the contenders are interleaved (their order rotated
each round), each round times a batch of calls, and the median over rounds is reported.  The machine is
shared and noisy, so only the ratios printed by one run mean anything; absolute times from different runs
are not comparable.  MyGrad, HIPS autograd and PyTorch are optional: missing ones print "not installed".
"""
import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import time

# One BLAS thread, as torch gets: on a shared 2-core machine a second BLAS thread waiting for a busy core
# makes a single matmul swing from 0.2 ms to 60 ms, which drowns the overhead being measured.  Both sides
# of every ratio use the same NumPy; set OPENBLAS_NUM_THREADS yourself to measure otherwise.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402 - after the thread setting, which OpenBLAS reads when it loads

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import nbgrad  # noqa: E402

FORBIDDEN_AT_IMPORT = ("matplotlib", "networkx", "IPython", "ipywidgets")


def optional(name):
    """The module, or None when it is not installed (the benchmark then reports it as missing)."""
    try:
        return __import__(name)
    except ImportError:
        return None


def interleaved(contenders, rounds, number):
    """Median seconds per call of each contender; contenders alternate within every round.

    ``contenders`` maps a name to a zero-argument callable.  Rotating the order each round keeps a
    contender from always running right after the same neighbour (caches, CPU frequency).
    """
    names = list(contenders)
    for fn in contenders.values():  # warm-up: imports, caches, first-call allocations
        fn()
    samples = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn = contenders[name]
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(s) for name, s in samples.items()}


def verdict(ok):
    return "met" if ok else "NOT met"


# ----- per-op overhead -----------------------------------------------------------------------------
# A chain on tiny tensors: STEPS times (y * a + b).tanh(), then a sum; gradients for x, a and b.
STEPS = 30
OPS = 3 * STEPS + 1
SHAPE = (3,)


def _tiny_arrays():
    rng = np.random.default_rng(0)
    return [rng.uniform(-1, 1, SHAPE).astype(np.float32) for _ in range(3)]


def overhead(lib):
    """The per-op workload, written once: nbgrad and PyTorch run the same code."""
    x, a, b = (lib.tensor(v, requires_grad=True) for v in _tiny_arrays())

    def run():
        x.grad = a.grad = b.grad = None
        y = x
        for _ in range(STEPS):
            y = (y * a + b).tanh()
        y.sum().backward()
        return x.grad.numpy(), a.grad.numpy(), b.grad.numpy()

    return run


def overhead_mygrad(mg):
    x, a, b = (mg.tensor(v) for v in _tiny_arrays())

    def run():
        y = x
        for _ in range(STEPS):
            y = mg.tanh(y * a + b)
        mg.sum(y).backward()
        return x.grad, a.grad, b.grad

    return run


def overhead_hips(autograd):
    anp = autograd.numpy
    params = tuple(_tiny_arrays())

    def f(params):
        y, a, b = params
        for _ in range(STEPS):
            y = anp.tanh(y * a + b)
        return anp.sum(y)

    grad_f = autograd.grad(f)
    return lambda: grad_f(params)


def bench_overhead(quick):
    torch, mg = optional("torch"), optional("mygrad")
    hips = optional("autograd")
    if hips is not None:
        import autograd.numpy  # noqa: F401 - the submodule the HIPS contender calls
    contenders = {"nbgrad": overhead(nbgrad)}
    makers = {
        "torch": (torch, overhead), "mygrad": (mg, overhead_mygrad), "autograd (HIPS)": (hips, overhead_hips),
    }
    for name, (module, make) in makers.items():
        if module is not None:
            contenders[name] = make(module)
    if torch is not None:
        torch.set_num_threads(1)
    _check_same_gradients(contenders)
    times = interleaved(contenders, rounds=5 if quick else 25, number=5 if quick else 40)
    print(f"Per-op overhead: forward + backward of {OPS} ops on shape {SHAPE} float32 tensors "
          f"({STEPS} x (y*a + b).tanh(), then sum), gradients for x, a, b")
    mine = times["nbgrad"] / OPS * 1e6
    for name in ("nbgrad", "torch", "mygrad", "autograd (HIPS)"):
        if name not in times:
            print(f"  {name:16s} not installed")
            continue
        per_op = times[name] / OPS * 1e6
        ratio = "" if name == "nbgrad" else f"   nbgrad / {name} = {mine / per_op:.2f}"
        print(f"  {name:16s} {per_op:6.2f} us/op{ratio}")
    print(f"  target: nbgrad <= 8 us/op: {verdict(mine <= 8)}")
    for name in ("mygrad", "autograd (HIPS)"):
        if name in times:
            print(f"  target: nbgrad faster than {name}: {verdict(times['nbgrad'] < times[name])}")
    return times


def _check_same_gradients(contenders):
    """Every contender must compute the same gradients, or the comparison means nothing."""
    reference = [np.asarray(g, dtype=np.float64) for g in contenders["nbgrad"]()]
    for name, fn in contenders.items():
        for want, got in zip(reference, fn()):
            if not np.allclose(np.asarray(got, dtype=np.float64), want, rtol=1e-4, atol=1e-6):
                raise AssertionError(f"{name} computes different gradients from nbgrad")


# ----- MLP training step ---------------------------------------------------------------------------
BATCH, SIZES, LR = 64, (784, 256, 10), 0.01


def mlp_data(seed=0):
    """Random inputs, labels and initial weights (float32), the same for every contender."""
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = SIZES
    x = rng.standard_normal((BATCH, n_in)).astype(np.float32)
    labels = rng.integers(0, n_out, BATCH)
    weights = [
        (rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in)).astype(np.float32),
        np.zeros(n_hidden, np.float32),
        (rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden)).astype(np.float32),
        np.zeros(n_out, np.float32),
    ]
    return x, labels, weights


def mlp(lib, x, labels, weights):
    """One SGD step of the MLP, written once for nbgrad and PyTorch; returns the step and the parameters."""
    x, labels = lib.from_numpy(x), lib.from_numpy(labels)
    params = [lib.tensor(w, requires_grad=True) for w in weights]
    w1, b1, w2, b2 = params

    def step():
        loss = lib.nn.functional.cross_entropy((x @ w1 + b1).relu() @ w2 + b2, labels)
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        return loss.item()

    return step, lambda: [p.detach().numpy() for p in params]


def mlp_numpy(x, labels, weights):
    """The same step written by hand in NumPy: forward, backward and update."""
    w1, b1, w2, b2 = params = [w.copy() for w in weights]
    rows = np.arange(BATCH)

    def step():
        z1 = x @ w1 + b1
        h = np.maximum(z1, 0)
        z2 = h @ w2 + b2
        shifted = z2 - z2.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -logp[rows, labels].mean()
        dz2 = np.exp(logp)
        dz2[rows, labels] -= 1
        dz2 /= BATCH
        dh = dz2 @ w2.T
        dz1 = dh * (z1 > 0)
        grads = (x.T @ dz1, dz1.sum(axis=0), h.T @ dz2, dz2.sum(axis=0))
        for p, g in zip(params, grads):
            p -= LR * g
        return float(loss)

    return step, lambda: params


def mlp_mygrad(mg, x, labels, weights):
    """The same step in MyGrad, with the loss written out (MyGrad has no cross-entropy of logits)."""
    params = [mg.tensor(w) for w in weights]
    rows = np.arange(BATCH)

    def step():
        w1, b1, w2, b2 = params
        z = mg.maximum(mg.matmul(x, w1) + b1, 0) @ w2 + b2
        shifted = z - mg.max(z, axis=1, keepdims=True)
        logp = shifted - mg.log(mg.sum(mg.exp(shifted), axis=1, keepdims=True))
        loss = -mg.mean(logp[rows, labels])
        loss.backward()
        for p in params:
            p.data -= LR * p.grad
        return loss.item()

    return step, lambda: [p.data for p in params]


def check_mlp_matches(make_reference=None, steps=3):
    """nbgrad and the hand-written NumPy step give the same losses and the same weights after ``steps``."""
    data = mlp_data()
    mine, mine_params = mlp(nbgrad, *data)
    ref, ref_params = (make_reference or mlp_numpy)(*data)
    for _ in range(steps):
        a, b = mine(), ref()
        if not np.isclose(a, b, rtol=1e-5):
            raise AssertionError(f"losses differ: nbgrad {a}, numpy {b}")
    for p, q in zip(mine_params(), ref_params()):
        if not np.allclose(p, q, rtol=1e-4, atol=1e-6):
            raise AssertionError("weights differ after training: the two steps do not compute the same thing")


def bench_mlp(quick):
    check_mlp_matches()
    torch = optional("torch")
    data = mlp_data()
    contenders = {"numpy (by hand)": mlp_numpy(*data)[0], "nbgrad": mlp(nbgrad, *data)[0]}
    if torch is not None:
        torch.set_num_threads(1)
        contenders["torch (1 thread)"] = mlp(torch, *data)[0]
    mg = optional("mygrad")
    if mg is not None:  # for context: another autograd written in Python on NumPy
        check_mlp_matches(lambda *d: mlp_mygrad(mg, *d))
        contenders["mygrad"] = mlp_mygrad(mg, *data)[0]
    times = interleaved(contenders, rounds=5 if quick else 25, number=3 if quick else 20)
    print(f"MLP training step: batch {BATCH}, {'-'.join(map(str, SIZES))}, relu, cross-entropy, SGD (float32)")
    base = times["numpy (by hand)"]
    for name, t in times.items():
        print(f"  {name:18s} {t * 1e3:7.3f} ms/step   / numpy = {t / base:.3f}")
    for name, module in (("torch (1 thread)", torch), ("mygrad", mg)):
        if module is None:
            print(f"  {name:18s} not installed")
    print(f"  target: nbgrad / numpy <= 1.25: {verdict(times['nbgrad'] / base <= 1.25)}")
    return times


# ----- backward through long chains ----------------------------------------------------------------
CHAIN_LENGTHS = (10**3, 10**4, 10**5)


def chain_graph(n):
    """A graph of ``n`` ops: alternately ``* a`` (a is a leaf: its gradient gathers n/2 terms) and tanh."""
    x = nbgrad.tensor([0.5, -0.25, 1.0], requires_grad=True)
    a = nbgrad.tensor([1.01, 0.99, 1.0], requires_grad=True)
    y = x
    for i in range(n - 1):
        y = y * a if i % 2 == 0 else y.tanh()
    return y.sum()


def bench_chain(quick):
    lengths = CHAIN_LENGTHS[:2] if quick else CHAIN_LENGTHS
    rounds = 2 if quick else 5
    samples = {n: [] for n in lengths}
    for r in range(rounds):  # lengths interleaved, the graph built fresh (untimed) for every run
        for n in lengths[r % len(lengths):] + lengths[:r % len(lengths)]:
            loss = chain_graph(n)
            start = time.perf_counter()
            loss.backward()
            samples[n].append((time.perf_counter() - start) / n)
            del loss
            gc.collect()
    per_op = {n: statistics.median(s) for n, s in samples.items()}
    print("Backward through a chain of n ops (alternately * a and tanh, shape (3,)), backward only")
    for n in lengths:
        print(f"  n = {n:>6d}   {per_op[n] * 1e6:6.2f} us/op   relative to n = {lengths[0]}: "
              f"{per_op[n] / per_op[lengths[0]]:.2f}")
    growth = per_op[lengths[-1]] / per_op[lengths[0]]
    print(f"  target: linear growth (time per op at n = {lengths[-1]} within 1.5x of n = {lengths[0]}): "
          f"{verdict(growth <= 1.5)}")
    return per_op


# ----- import time ---------------------------------------------------------------------------------
_IMPORT_PROBE = (
    "import sys, time; t = time.perf_counter(); import {module}; t = time.perf_counter() - t; "
    "print(t); print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
)


def _import_in_fresh_process(module):
    # With the bytecode cache, as a user has it after installing; this machine may disable writing it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE.format(module=module)],
        cwd=ROOT, capture_output=True, text=True, check=True, env=env,
    ).stdout.split("\n")
    return float(out[0]), set(out[1].split())


def bench_import(quick):
    runs = 3 if quick else 15
    samples = {"numpy": [], "nbgrad": []}
    loaded = set()
    for module in samples:  # untimed: writes the bytecode cache
        _import_in_fresh_process(module)
    for _ in range(runs):
        for module in samples:
            seconds, modules = _import_in_fresh_process(module)
            samples[module].append(seconds)
            if module == "nbgrad":
                loaded |= modules
    numpy_t, nbgrad_t = (statistics.median(samples[m]) * 1e3 for m in ("numpy", "nbgrad"))
    print(f"import time in a fresh interpreter, bytecode cache written (median of {runs})")
    print(f"  import numpy   {numpy_t:6.1f} ms")
    print(f"  import nbgrad  {nbgrad_t:6.1f} ms (numpy included; nbgrad's own share about {nbgrad_t - numpy_t:.1f} ms)")
    bad = sorted(m for m in FORBIDDEN_AT_IMPORT if m in loaded)
    print(f"  import nbgrad loads none of {', '.join(FORBIDDEN_AT_IMPORT)}: {verdict(not bad)}"
          + (f" (loaded: {', '.join(bad)})" if bad else ""))
    return not bad


# ----- entry point ---------------------------------------------------------------------------------
def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    blas_env = {k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")}
    return (f"{time.strftime('%Y-%m-%d %H:%M')}  {cpu}, {os.cpu_count()} CPUs  Python {platform.python_version()}  "
            f"NumPy {np.__version__}  {blas_env or 'OPENBLAS_* unset'}")


BENCHMARKS = {"overhead": bench_overhead, "mlp": bench_mlp, "chain": bench_chain, "import": bench_import}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("benchmark", choices=[*BENCHMARKS, "all"])
    parser.add_argument("--quick", action="store_true", help="few repetitions: checks that it runs, not a measurement")
    args = parser.parse_args(argv)
    print(machine())
    ok = True
    for name in BENCHMARKS if args.benchmark == "all" else [args.benchmark]:
        print()
        result = BENCHMARKS[name](args.quick)
        if name == "import":
            ok = result
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
