"""``nbgrad.utils.data`` against ``torch.utils.data``: the same data sets give the same batches (without
shuffling: PyTorch's random stream is not reproduced), the same collated structures and dtypes, the same
lengths, and the same exception types and messages. With shuffling: every element once per epoch, and a
seeded generator gives the same order twice."""
import collections
import warnings

import numpy as np
import pytest

import nbgrad
from nbgrad._random import Generator
from nbgrad.utils.data import (
    BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler, SequentialSampler,
    Subset, TensorDataset, default_collate, random_split,
)

Point = collections.namedtuple("Point", "x y")


def plain(obj):
    """A batch as nested Python values and dtype names, comparable between nbgrad and torch."""
    if hasattr(obj, "tolist") and hasattr(obj, "dtype"):
        return ("tensor", str(obj.dtype).split(".")[-1], tuple(obj.shape), obj.tolist())
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, [plain(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [plain(v) for v in obj])
    return obj


def samples(lib, kind):
    """The same samples for both libraries, one per kind of structure default_collate handles."""
    n = 7
    if kind == "tensors":
        return [lib.tensor([float(i), -i / 2]) for i in range(n)]
    if kind == "pairs":
        return [(lib.tensor([float(i)] * 3), i) for i in range(n)]
    if kind == "numbers":
        return [(i, i / 4, bool(i % 2)) for i in range(n)]
    if kind == "dicts":
        return [{"x": lib.tensor([i, i + 1]), "y": float(i), "name": f"s{i}"} for i in range(n)]
    if kind == "numpy":
        return [(np.arange(3, dtype=np.float32) + i, np.int64(i), np.float64(i)) for i in range(n)]
    if kind == "lists":
        return [[i, [float(i), 2.0 * i]] for i in range(n)]
    if kind == "namedtuples":
        return [Point(lib.tensor(float(i)), i) for i in range(n)]
    raise AssertionError(kind)


KINDS = ("tensors", "pairs", "numbers", "dicts", "numpy", "lists", "namedtuples")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (3, False), (3, True), (7, False), (10, False),
                                                   (10, True), (None, False)])
def test_batches_and_collated_structures_match_pytorch(torch, kind, batch_size, drop_last):
    ours = DataLoader(samples(nbgrad, kind), batch_size=batch_size, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(samples(torch, kind), batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert [plain(b) for b in ours] == [plain(b) for b in theirs]


def test_tensor_dataset_subset_concat_and_samplers_match_pytorch(torch):
    X, y = np.arange(20, dtype=np.float32).reshape(10, 2), np.arange(10)
    ours = TensorDataset(nbgrad.from_numpy(X), nbgrad.from_numpy(y))
    theirs = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    assert len(ours) == len(theirs) and plain(ours[3]) == plain(theirs[3])
    pairs = [
        (Subset(ours, [9, 0, 4]), torch.utils.data.Subset(theirs, [9, 0, 4])),
        (ours + Subset(ours, [1, 2]), theirs + torch.utils.data.Subset(theirs, [1, 2])),
        (ConcatDataset([ours, ours]), torch.utils.data.ConcatDataset([theirs, theirs])),
    ]
    for a, b in pairs:
        assert len(a) == len(b) and plain(a[-1]) == plain(b[-1])
        assert [plain(x) for x in DataLoader(a, batch_size=4)] == \
            [plain(x) for x in torch.utils.data.DataLoader(b, batch_size=4)]
    assert list(SequentialSampler(range(5))) == list(torch.utils.data.SequentialSampler(range(5)))
    for size, drop in [(2, False), (2, True), (5, False)]:
        a = BatchSampler(SequentialSampler(range(9)), size, drop)
        b = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(9)), size, drop)
        assert list(a) == list(b) and len(a) == len(b)
    loader = DataLoader(ours, batch_sampler=[[0, 5], [2]])
    their_loader = torch.utils.data.DataLoader(theirs, batch_sampler=[[0, 5], [2]])
    assert [plain(b) for b in loader] == [plain(b) for b in their_loader]
    loader = DataLoader(ours, sampler=[3, 1, 2], batch_size=2, collate_fn=lambda batch: len(batch))
    assert list(loader) == list(torch.utils.data.DataLoader(theirs, sampler=[3, 1, 2], batch_size=2,
                                                            collate_fn=lambda batch: len(batch)))


class Count(IterableDataset):
    def __init__(self, n, with_len=True):
        self.n, self.with_len = n, with_len

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        if not self.with_len:
            raise TypeError("no len")
        return self.n


def test_iterable_datasets_match_pytorch(torch):
    class TorchCount(torch.utils.data.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n

    for batch_size, drop_last in [(3, False), (3, True), (None, False), (5, False)]:
        ours = DataLoader(Count(10), batch_size=batch_size, drop_last=drop_last)
        theirs = torch.utils.data.DataLoader(TorchCount(10), batch_size=batch_size, drop_last=drop_last)
        assert len(ours) == len(theirs)
        assert [plain(b) for b in ours] == [plain(b) for b in theirs]


def raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def test_errors_match_pytorch(torch):
    tu = torch.utils.data

    class TorchCount(tu.IterableDataset):
        def __iter__(self):
            return iter(range(3))

    cases = [
        (lambda m, lib: m.TensorDataset(lib.ones(3, 2), lib.ones(4))),
        (lambda m, lib: m.DataLoader(list(range(5)), batch_size=0)),
        (lambda m, lib: m.DataLoader(list(range(5)), batch_size=-2)),
        (lambda m, lib: m.DataLoader(list(range(5)), batch_size=2.5)),
        (lambda m, lib: m.DataLoader(list(range(5)), shuffle=True, sampler=[0, 1])),
        (lambda m, lib: m.DataLoader(list(range(5)), batch_sampler=[[0]], batch_size=2)),
        (lambda m, lib: m.DataLoader(list(range(5)), batch_sampler=[[0]], drop_last=True)),
        (lambda m, lib: m.DataLoader(list(range(5)), batch_size=None, drop_last=True)),
        (lambda m, lib: m.DataLoader([], shuffle=True)),
        (lambda m, lib: m.DataLoader([], batch_size=4, shuffle=True)),
        (lambda m, lib: m.DataLoader(list(range(5)), num_workers=-1)),
        (lambda m, lib: m.BatchSampler(range(3), 2, 1)),
        (lambda m, lib: m.RandomSampler(range(3), replacement=1)),
        (lambda m, lib: m.random_split(range(5), [2, 2])),
        (lambda m, lib: m.random_split(range(5), [0.5, 0.6])),
        (lambda m, lib: m.random_split(range(5), [1.5, -0.5])),
        (lambda m, lib: m.default_collate([[1, 2], [3]])),
        (lambda m, lib: m.default_collate([object(), object()])),
        (lambda m, lib: m.DataLoader(IT[lib](), shuffle=True)),
        (lambda m, lib: m.DataLoader(IT[lib](), sampler=[0])),
        (lambda m, lib: len(m.DataLoader(IT[lib]()))),
        (lambda m, lib: m.Dataset()[0]),
    ]
    IT = {nbgrad: lambda: Count(3, with_len=False), torch: TorchCount}
    import nbgrad.utils.data as ours
    for case in cases:
        mine, theirs = raised(lambda: case(ours, nbgrad)), raised(lambda: case(tu, torch))
        assert theirs is not None and mine is not None
        if case is cases[-5]:  # default_collate of unsupported items: the type only (the message names torch)
            assert mine[0] == theirs[0]
        elif case is cases[-2]:  # len() of an IterableDataset without one: the type only (the class name differs)
            assert mine[0] == theirs[0]
        else:
            assert mine == theirs


def test_empty_dataset_without_shuffle_gives_no_batch(torch):
    assert len(DataLoader([], batch_size=4)) == len(torch.utils.data.DataLoader([], batch_size=4)) == 0
    assert list(DataLoader([], batch_size=4)) == []


def test_random_split_lengths_match_pytorch(torch):
    for lengths in ([3, 7], [0.5, 0.5], [0.3, 0.3, 0.4], [0.8, 0.2], [0.34, 0.33, 0.33], [10, 0]):
        with warnings.catch_warnings(record=True) as ours_w:
            warnings.simplefilter("always")
            ours = random_split(range(10), lengths)
        with warnings.catch_warnings(record=True) as theirs_w:
            warnings.simplefilter("always")
            theirs = torch.utils.data.random_split(range(10), lengths)
        assert [len(s) for s in ours] == [len(s) for s in theirs]
        assert [str(w.message) for w in ours_w] == [str(w.message) for w in theirs_w]
        assert sorted(i for s in ours for i in s) == list(range(10))


# ============================================================== without torch

def numbered(n):
    return TensorDataset(nbgrad.arange(n).reshape(n, 1).float(), nbgrad.arange(n))


def order(loader):
    return [i for _, yb in loader for i in yb.tolist()]


def test_shuffle_gives_every_element_once_per_epoch_and_a_seeded_generator_repeats():
    loader = DataLoader(numbered(23), batch_size=5, shuffle=True, generator=Generator().manual_seed(3))
    epochs = [order(loader) for _ in range(3)]
    assert all(sorted(e) == list(range(23)) for e in epochs) and epochs[0] != epochs[1]
    again = DataLoader(numbered(23), batch_size=5, shuffle=True, generator=Generator().manual_seed(3))
    assert [order(again) for _ in range(3)] == epochs
    nbgrad.manual_seed(0)
    first = order(DataLoader(numbered(23), batch_size=5, shuffle=True))
    nbgrad.manual_seed(0)
    assert order(DataLoader(numbered(23), batch_size=5, shuffle=True)) == first and sorted(first) == list(range(23))


def test_random_split_with_a_seeded_generator_repeats():
    a = [list(s) for s in random_split(range(10), [0.7, 0.3], generator=Generator().manual_seed(42))]
    b = [list(s) for s in random_split(range(10), [0.7, 0.3], generator=Generator().manual_seed(42))]
    assert a == b and [len(s) for s in a] == [7, 3] and sorted(a[0] + a[1]) == list(range(10))


def test_random_sampler_with_replacement_and_num_samples():
    s = RandomSampler(range(4), num_samples=10, generator=Generator().manual_seed(1))
    assert len(s) == 10 and sorted(list(s)[:8]) == [0, 0, 1, 1, 2, 2, 3, 3]
    s = RandomSampler(range(4), replacement=True, num_samples=50)
    assert len(list(s)) == 50 and set(s) <= {0, 1, 2, 3}


def test_num_workers_runs_in_the_main_process():
    assert order(DataLoader(numbered(6), batch_size=4, num_workers=4)) == list(range(6))


def test_a_dataset_subclass_as_in_a_tutorial():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": nbgrad.tensor([float(i)]), "y": i * i}

    batches = list(DataLoader(Squares(), batch_size=2))
    assert [b["y"].tolist() for b in batches] == [[0, 1], [4, 9], [16]]
    assert batches[0]["x"].shape == (2, 1) and batches[0]["y"].dtype == nbgrad.int64


def test_the_toy_data_sets_work_with_it():
    X, y = nbgrad.data.make_moons(n_samples=50)
    train, test = random_split(TensorDataset(X, y), [0.8, 0.2], generator=Generator().manual_seed(0))
    assert (len(train), len(test)) == (40, 10)
    batches = list(DataLoader(train, batch_size=16, shuffle=True))
    assert [len(yb) for _, yb in batches] == [16, 16, 8]
    xb, yb = batches[0]
    assert xb.shape == (16, 2) and xb.dtype == nbgrad.float32 and yb.dtype == nbgrad.int64
    assert nbgrad.data.TensorDataset is TensorDataset  # nbgrad.data's loader takes the same data sets
    assert len(list(nbgrad.data.DataLoader(TensorDataset(X, y), batch_size=16))) == 4


def test_import_paths_mirror_torch():
    assert nbgrad.utils.data.DataLoader is DataLoader
    assert default_collate([1, 2]).tolist() == [1, 2]


def test_batches_of_a_tensor_dataset_are_what_stacking_its_samples_gives():
    X, y = nbgrad.randn(30, 3), nbgrad.arange(30)
    for dataset in (TensorDataset(X, y), Subset(TensorDataset(X, y), list(range(29, 0, -2))),
                    random_split(TensorDataset(X, y), [20, 10], generator=Generator().manual_seed(1))[0]):
        fast = list(DataLoader(dataset, batch_size=4))
        slow = list(DataLoader(dataset, batch_size=4, collate_fn=lambda batch: default_collate(batch)))
        assert [plain(b) for b in fast] == [plain(b) for b in slow]


def test_generator_as_torchs(torch):
    assert nbgrad.Generator is Generator
    assert nbgrad.Generator().initial_seed() == torch.Generator().initial_seed()
    g = nbgrad.Generator()
    assert g.manual_seed(42) is g and g.initial_seed() == torch.Generator().manual_seed(42).initial_seed() == 42


def test_import_nbgrad_loads_it_only_when_named():
    import subprocess
    import sys
    code = ("import sys, nbgrad; assert 'nbgrad.utils' not in sys.modules; "
            "assert nbgrad.data.TensorDataset is nbgrad.utils.data.TensorDataset")
    subprocess.run([sys.executable, "-c", code], check=True)
