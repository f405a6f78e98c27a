"""``nbgrad.save`` / ``nbgrad.load``: round trips, sharing, state dicts, files that must not run code, errors.

The cases marked ``both`` run the same code on nbgrad and, when it is installed, on PyTorch, and compare what
comes back (types, values, which loaded objects are the same object or share memory) and the errors.
"""
import io
import json
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import nbgrad

try:
    import torch
except ImportError:  # the comparisons with PyTorch below are skipped; nbgrad's own checks still run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed: the comparison with it is skipped")
LIBS = [pytest.param(nbgrad, id="nbgrad"), pytest.param(torch, id="torch", marks=[needs_torch, pytest.mark.torch])]


def _saved(L, obj):
    buffer = io.BytesIO()
    L.save(obj, buffer)
    buffer.seek(0)
    return buffer


def round_trip(L, obj, **load_args):
    return L.load(_saved(L, obj), **load_args)


def plain(value):
    """A loaded object in library-neutral terms: types by name, tensors as (dtype, array, requires_grad)."""
    if hasattr(value, "detach") and hasattr(value, "dtype"):
        kind = "Parameter" if type(value).__name__ == "Parameter" else "Tensor"
        return kind, str(value.dtype).rpartition(".")[2], value.detach().numpy().tolist(), value.requires_grad, \
            value.grad_fn is None
    if isinstance(value, (list, tuple, set)):
        items = sorted(map(plain, value), key=repr) if isinstance(value, set) else [plain(v) for v in value]
        return type(value).__name__, items
    if isinstance(value, dict):
        return type(value).__name__, [(plain(k), plain(v)) for k, v in value.items()]
    if type(value).__name__ in ("dtype", "device", "Size"):
        return type(value).__name__, str(value).replace("torch.", "nbgrad.")
    return type(value).__name__, value


def sample(L):
    """Tensors of several dtypes and layouts, in every container the weights-only format accepts."""
    base = L.arange(12.0, dtype=L.float64).reshape(3, 4)
    leaf = L.tensor([1.0, -2.0], requires_grad=True)
    return {
        "float": base,
        "transposed": base.t(),
        "row": base[1],
        "scalar": L.tensor(3.5),
        "int": L.tensor([[1, 2], [3, 4]]),
        "bool": L.tensor([True, False]),
        "uint8": L.tensor([0, 255], dtype=L.uint8),
        "half": L.tensor([0.5, 1.5], dtype=L.float16),
        "empty": L.zeros(0, 3),
        "leaf": leaf,
        "non-leaf": leaf * 2,
        "parameter": L.nn.Parameter(L.ones(2)),
        "frozen": L.nn.Parameter(L.ones(1), requires_grad=False),
        "numbers": (1, 2.5, float("inf"), True, None, 1 + 2j),
        "text": ["text", b"bytes", bytearray(b"ba")],
        "types": [L.float32, L.device("cpu"), L.Size([2, 3])],
        "nested": OrderedDict([("a", {1: [base], (2, 3): {"set": {1, 2}}})]),
    }


@pytest.mark.parametrize("L", LIBS)
def test_values_types_and_autograd_state_survive(L):
    obj = sample(L)
    loaded = round_trip(L, obj)
    assert plain(loaded) == plain({**obj, "non-leaf": L.tensor([2.0, -4.0], requires_grad=True)})


def test_nbgrad_loads_what_pytorch_loads():
    if torch is None:
        pytest.skip("PyTorch not installed: the comparison with it is skipped")
    ours, theirs = (plain(round_trip(L, sample(L))) for L in (nbgrad, torch))
    assert ours == theirs


@pytest.mark.parametrize("L", LIBS)
def test_the_same_object_twice_and_shared_memory_stay_so(L):
    base = L.arange(6.0).reshape(2, 3)
    items = [base, base[1], base.t(), base, L.zeros(2)]
    nested = [items, items]
    a, row, transposed, again, other = (loaded := round_trip(L, nested))[0]
    assert loaded[0] is loaded[1] and a is again
    a[1, 2] = 100.0
    assert row[2].item() == 100.0 and transposed[2, 1].item() == 100.0
    assert other.sum().item() == 0.0


def test_views_keep_their_layout():
    base = nbgrad.arange(24.0).reshape(2, 3, 4)
    view = base.permute(2, 0, 1)[1:, :, ::2]
    loaded = round_trip(nbgrad, [base, view])
    np.testing.assert_array_equal(loaded[1].numpy(), view.numpy())
    assert loaded[1]._data.strides == view._data.strides


@pytest.mark.parametrize("L", LIBS)
def test_state_dict_metadata_survives(L):
    sd = L.nn.Linear(2, 3).state_dict()
    sd._metadata = OrderedDict([("", {"version": 1})])
    loaded = round_trip(L, sd)
    assert type(loaded) is OrderedDict and loaded._metadata == {"": {"version": 1}}


def test_model_and_optimizer_state_round_trip(tmp_path):
    nbgrad.manual_seed(0)
    model = nbgrad.nn.Sequential(nbgrad.nn.Linear(3, 4), nbgrad.nn.ReLU(), nbgrad.nn.Linear(4, 1))
    optimizer = nbgrad.optim.Adam(model.parameters(), lr=0.1)
    x = nbgrad.randn(5, 3)

    def step():
        optimizer.zero_grad()
        loss = model(x).pow(2).mean()
        loss.backward()
        optimizer.step()
        return loss.item()

    step()
    path = tmp_path / "checkpoint.pt"
    nbgrad.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 1}, path)
    expected = [step() for _ in range(3)]

    checkpoint = nbgrad.load(path)
    assert checkpoint["epoch"] == 1
    nbgrad.manual_seed(1)
    model = nbgrad.nn.Sequential(nbgrad.nn.Linear(3, 4), nbgrad.nn.ReLU(), nbgrad.nn.Linear(4, 1))
    optimizer = nbgrad.optim.Adam(model.parameters(), lr=0.5)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    assert [step() for _ in range(3)] == expected


def test_paths_strings_and_file_objects(tmp_path):
    t = nbgrad.tensor([1.0, 2.0])
    nbgrad.save(t, str(tmp_path / "a.pt"))
    with open(tmp_path / "b.pt", "wb") as f:
        nbgrad.save(t, f)
    with open(tmp_path / "b.pt", "rb") as f:
        from_file = nbgrad.load(f)
    for loaded in (nbgrad.load(str(tmp_path / "a.pt")), nbgrad.load(tmp_path / "a.pt"), from_file):
        assert loaded.tolist() == [1.0, 2.0]
    assert nbgrad.load(tmp_path / "a.pt", map_location="cpu").tolist() == [1.0, 2.0]
    assert nbgrad.load(tmp_path / "a.pt", map_location=nbgrad.device("cpu")).tolist() == [1.0, 2.0]
    assert nbgrad.load(tmp_path / "a.pt", map_location={"cpu": "cpu"}).tolist() == [1.0, 2.0]
    assert nbgrad.load(tmp_path / "a.pt", map_location=lambda storage, location: storage).tolist() == [1.0, 2.0]


def test_loaded_tensors_are_new_memory():
    t = nbgrad.tensor([1.0, 2.0])
    loaded = round_trip(nbgrad, t)
    loaded += 1
    assert t.tolist() == [1.0, 2.0] and loaded.tolist() == [2.0, 3.0]


# ----------------------------------------------------------------- whole objects: pickled, loaded only on request

@pytest.mark.parametrize("L", LIBS)
def test_a_whole_module_needs_weights_only_false(L):
    model = L.nn.Linear(2, 3)
    buffer = io.BytesIO()
    L.save(model, buffer)
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError) as info:
        L.load(buffer)
    message = str(info.value).replace("torch", "nbgrad")
    assert message.startswith("Weights only load failed. This file can still be loaded")
    assert "Unsupported global: GLOBAL nbgrad.nn.modules.linear.Linear was not an allowed global by default." in message
    buffer.seek(0)
    loaded = L.load(buffer, weights_only=False)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(loaded.weight.detach().numpy(), model.weight.detach().numpy())


def test_a_numpy_scalar_is_not_weights_only():
    buffer = io.BytesIO()
    nbgrad.save({"lr": np.float64(0.1)}, buffer)
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="GLOBAL numpy.float64 was not an allowed global"):
        nbgrad.load(buffer)


class _RunsCode:
    """Unpickling this writes a file: the proof that a loader ran code from the file."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return os.system, (f"touch {self.path}",)


def _zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def _malicious_files(marker):
    payload = pickle.dumps(_RunsCode(marker))
    structure = {"format": "nbgrad", "version": 1, "object": None, "tensors": []}
    object_array = io.BytesIO()
    np.save(object_array, np.array([_RunsCode(marker)], dtype=object), allow_pickle=True)
    with_tensor = {**structure, "object": {"tensor": 0, "id": 0}, "tensors": [
        {"storage": 0, "dtype": "|O", "shape": [1], "strides": [8], "offset": 0, "requires_grad": False,
         "parameter": False}]}
    return {
        "pickle says it is pickled": _zip({"data.json": json.dumps({"format": "nbgrad", "pickled": "x"}),
                                           "data.pkl": payload}),
        "object array": _zip({"data.json": json.dumps(with_tensor), "data/0.npy": object_array.getvalue()}),
        "a raw pickle": io.BytesIO(payload),
        "pytorch's layout": _zip({"archive/data.pkl": payload}),
    }


def test_loading_never_runs_code_from_the_file(tmp_path):
    marker = tmp_path / "ran"
    for name, file in _malicious_files(marker).items():
        with pytest.raises((pickle.UnpicklingError, RuntimeError)):
            nbgrad.load(file)
        assert not marker.exists(), name
    # the payload is real: unpickling it does run the command
    pickle.loads(pickle.dumps(_RunsCode(marker)))
    assert marker.exists()


# ------------------------------------------------------------------------------------------------------ errors

def _bad_files(tmp_path):
    data = io.BytesIO()
    nbgrad.save(nbgrad.ones(3), data)
    (tmp_path / "empty.pt").write_bytes(b"")
    (tmp_path / "truncated.pt").write_bytes(data.getvalue()[:100])
    return {
        "missing": (lambda L: L.load(str(tmp_path / "missing.pt")), FileNotFoundError,
                    f"[Errno 2] No such file or directory: '{tmp_path / 'missing.pt'}'"),
        "directory": (lambda L: L.load(str(tmp_path)), IsADirectoryError, f"[Errno 21] Is a directory: '{tmp_path}'"),
        "empty": (lambda L: L.load(str(tmp_path / "empty.pt")), EOFError, ""),
        "truncated": (lambda L: L.load(str(tmp_path / "truncated.pt")), RuntimeError,
                      "PytorchStreamReader failed reading zip archive: failed finding central directory. This is an "
                      "internal miniz error. If you are seeing this error, there is a high likelihood that your "
                      "checkpoint file is corrupted. This can happen if the checkpoint was not saved properly, was "
                      "transferred incorrectly, or the file was modified after saving."),
        "no parent directory": (lambda L: L.save(L.ones(1), str(tmp_path / "no" / "x.pt")), RuntimeError,
                                f"Parent directory {tmp_path / 'no'} does not exist."),
        "not a file": (lambda L: L.save(L.ones(1), 5), AttributeError,
                       "expected 'f' to be string, path, or a file-like object with a 'write' attribute"),
        "not seekable": (lambda L: L.load(5), AttributeError,
                         "'int' object has no attribute 'seek'. You can only nbgrad.load from a file that is seekable. "
                         "Please pre-load the data into a buffer like io.BytesIO and try to load from it instead."),
        "to cuda": (lambda L: L.load(_saved(L, L.ones(1)), map_location="cuda"), RuntimeError,
                    "Attempting to deserialize object on a CUDA device but nbgrad.cuda.is_available() is False. If you "
                    "are running on a CPU-only machine, please use nbgrad.load with map_location=nbgrad.device('cpu') "
                    "to map your storages to the CPU."),
    }


ERRORS = ["missing", "directory", "empty", "truncated", "no parent directory", "not a file", "not seekable", "to cuda"]


@pytest.mark.parametrize("L", LIBS)
@pytest.mark.parametrize("name", ERRORS)
def test_errors_as_pytorch(L, name, tmp_path):
    call, exc, message = _bad_files(tmp_path)[name]
    with pytest.raises(exc) as info:
        call(L)
    assert type(info.value) is exc
    assert str(info.value).replace("torch.", "nbgrad.") == message


def test_a_corrupt_structure_is_reported_as_corrupt():
    for structure in ({"format": "nbgrad", "object": {"dtype": "__class__"}, "tensors": []},
                      {"format": "nbgrad", "object": {"tensor": 0, "id": 0}, "tensors": []},
                      {"format": "other"}, [1, 2]):
        with pytest.raises(RuntimeError, match="failed finding central directory"):
            nbgrad.load(_zip({"data.json": json.dumps(structure)}))
