"""Two versions of nbgrad side by side in one process: did a change make the core faster?

    python3 benchmarks/compare.py OTHER_CHECKOUT [--rounds N]

OTHER_CHECKOUT is a directory holding an ``nbgrad/`` package, for instance a worktree of the commit before
the change (``git worktree add /tmp/before HEAD~1``). Its package is copied under another name
(``nbgrad_other``; the core imports itself only relatively), both versions are imported into this one
process, and ``run.py``'s per-op workload and MLP step run on each, interleaved round by round. On a shared
machine this is the only fair comparison: two runs minutes apart can differ by 10-20% with nothing changed.
"""
import argparse
import atexit
import importlib
import os
import shutil
import sys
import tempfile

import run  # first: it sets one BLAS thread before NumPy loads

import nbgrad


def load_other(checkout):
    """The nbgrad package of ``checkout``, imported as ``nbgrad_other``."""
    scratch = tempfile.mkdtemp(prefix="nbgrad-compare-")
    atexit.register(shutil.rmtree, scratch, True)
    shutil.copytree(os.path.join(checkout, "nbgrad"), os.path.join(scratch, "nbgrad_other"),
                    ignore=shutil.ignore_patterns("__pycache__", "lessons"))
    sys.path.insert(0, scratch)
    try:
        return importlib.import_module("nbgrad_other")
    finally:
        sys.path.remove(scratch)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("other", help="a checkout whose nbgrad/ is compared with this one's")
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args(argv)
    other = load_other(args.other)
    print(run.machine())
    print(f"this: {os.path.dirname(nbgrad.__file__)}   other: {os.path.abspath(args.other)}/nbgrad")
    data = run.mlp_data()
    workloads = {
        f"per-op overhead (us/op, {run.OPS} ops)": ({"this": run.overhead(nbgrad), "other": run.overhead(other)},
                                                   1e6 / run.OPS, 40),
        "MLP step (ms/step)": ({"this": run.mlp(nbgrad, *data)[0], "other": run.mlp(other, *data)[0]}, 1e3, 10),
    }
    for title, (contenders, scale, number) in workloads.items():
        times = run.interleaved(contenders, rounds=args.rounds, number=number)
        this, theirs = times["this"] * scale, times["other"] * scale
        print(f"{title:38s} this {this:7.3f}   other {theirs:7.3f}   this / other = {this / theirs:.3f}")


if __name__ == "__main__":
    main()
