"""``nbgrad.save`` / ``nbgrad.load``: tensors, state dicts and nested containers in a zip of ``.npy`` arrays.

The file is a zip archive with ``data.json`` (the object's structure: containers, numbers, strings, and each
tensor as a view of a storage: dtype, shape, strides and offset in bytes) and one ``data/<n>.npy`` per storage.
Tensors that share memory when saved (the same tensor twice, a view and its base) share it again when loaded.

Loading builds only the types PyTorch's ``weights_only=True`` accepts (None, bool, int, float, complex, str,
bytes, bytearray, list, tuple, dict, OrderedDict, set, Tensor, Parameter, dtype, device, Size), from JSON and
``numpy.load(allow_pickle=False)``: nothing in the file is run. An object with anything else (a whole
``Module``, a NumPy scalar) is pickled into ``data.pkl`` when saved; loading it needs ``weights_only=False``,
which unpickles it, and so runs whatever code the file names: only for files from a trusted source.
"""
import base64
import json
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np

from . import _device, _dtype
from .tensor import Size, Tensor

_STRUCTURE = "data.json"
_PICKLE = "data.pkl"
_FORMAT = "nbgrad"


class _Unsupported(Exception):
    """An object that the JSON structure cannot describe: the whole object is pickled instead."""

    def __init__(self, obj):
        cls = type(obj)
        super().__init__(cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}")


# ============================================================================ saving

class _Writer:
    def __init__(self):
        self.storages = []  # arrays to write, one per distinct memory block
        self._storage_index = {}  # id(root array) -> its index in storages
        self.tensors = []  # each tensor's description
        self._memo = {}  # id(object) -> its number, so that a repeated tensor, list or dict is one object again
        self._alive = []  # the objects numbered, kept alive so that their ids stay theirs while saving

    def value(self, obj):
        if obj is None or isinstance(obj, (bool, str)) or type(obj) in (int, float):
            return obj
        if id(obj) in self._memo:
            return {"ref": self._memo[id(obj)]}
        if isinstance(obj, Tensor):
            return {"tensor": self._tensor(obj), "id": self._number(obj)}
        if isinstance(obj, _dtype.dtype):
            return {"dtype": repr(obj).rpartition(".")[2]}
        if isinstance(obj, _device.device):
            return {"device": str(obj)}
        if isinstance(obj, Size):
            return {"Size": list(obj)}
        if type(obj) is complex:
            return {"complex": [obj.real, obj.imag]}
        if type(obj) in (bytes, bytearray):
            return {type(obj).__name__: base64.b64encode(obj).decode("ascii")}
        if type(obj) is tuple:
            return {"tuple": [self.value(item) for item in obj]}
        if type(obj) in (list, set):
            number = self._number(obj)
            return {type(obj).__name__: [self.value(item) for item in obj], "id": number}
        if type(obj) in (dict, OrderedDict):
            number = self._number(obj)
            out = {type(obj).__name__: [[self.value(k), self.value(v)] for k, v in obj.items()], "id": number}
            metadata = getattr(obj, "_metadata", None)  # a state dict's per-module versions, as PyTorch keeps them
            if metadata is not None:
                out["metadata"] = self.value(metadata)
            return out
        raise _Unsupported(obj)

    def _number(self, obj):
        self._memo[id(obj)] = len(self._memo)
        self._alive.append(obj)
        return self._memo[id(obj)]

    def _tensor(self, t):
        from .nn import Parameter

        array = t._data
        root = array
        while isinstance(root.base, np.ndarray):
            root = root.base
        if not root.flags.c_contiguous:  # memory NumPy cannot write as one block: this tensor gets its own copy
            root = array = np.ascontiguousarray(array)
        key = id(root)
        if key not in self._storage_index:
            self._storage_index[key] = len(self.storages)
            self.storages.append(root.reshape(-1))
        self.tensors.append({
            "storage": self._storage_index[key],
            "dtype": array.dtype.str,
            "shape": list(array.shape),
            "strides": list(array.strides),
            "offset": array.__array_interface__["data"][0] - root.__array_interface__["data"][0],
            "requires_grad": t.requires_grad,
            "parameter": isinstance(t, Parameter),
        })
        return len(self.tensors) - 1


def _open_for_writing(f):
    if isinstance(f, (str, os.PathLike)):
        parent = os.path.dirname(os.fspath(f))
        if parent and not os.path.isdir(parent):
            raise RuntimeError(f"Parent directory {parent} does not exist.")
        return open(f, "wb"), True
    if not hasattr(f, "write"):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a 'write' attribute")
    return f, False


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` (tensors, state dicts, nested containers) to a path or a writable binary file object."""
    writer = _Writer()
    try:
        structure = {"format": _FORMAT, "version": 1, "object": writer.value(obj), "tensors": writer.tensors}
        pickled = None
    except _Unsupported as unsupported:
        structure = {"format": _FORMAT, "version": 1, "pickled": str(unsupported)}
        pickled = pickle_module.dumps(obj, protocol=pickle_protocol)
    stream, owned = _open_for_writing(f)
    try:
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr(_STRUCTURE, json.dumps(structure))
            if pickled is not None:
                archive.writestr(_PICKLE, pickled)
            for number, storage in enumerate(writer.storages):
                with archive.open(f"data/{number}.npy", "w", force_zip64=storage.nbytes > 2**30) as out:
                    np.lib.format.write_array(out, storage, allow_pickle=False)
    finally:
        if owned:
            stream.close()


# ============================================================================ loading

_WEIGHTS_ONLY_FAILED = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, \x1b[1mdo those steps "
    "only if you trust the source of the checkpoint\x1b[0m. \n\t(1) In PyTorch 2.6, we changed the default value of "
    "the `weights_only` argument in `nbgrad.load` from `False` to `True`. Re-running `nbgrad.load` with "
    "`weights_only` set to `False` will likely succeed, but it can result in arbitrary code execution. Do it only "
    "if you got the file from a trusted source.\n\tWeightsUnpickler error: Unsupported global: GLOBAL {} was not an "
    "allowed global by default."
)


def _corrupt():
    return RuntimeError(
        "PytorchStreamReader failed reading zip archive: failed finding central directory. This is an internal "
        "miniz error. If you are seeing this error, there is a high likelihood that your checkpoint file is "
        "corrupted. This can happen if the checkpoint was not saved properly, was transferred incorrectly, or the "
        "file was modified after saving."
    )


class _Reader:
    def __init__(self, archive, structure, map_location):
        self.archive = archive
        self.descriptions = structure["tensors"]
        self.map_location = map_location
        self._storages = {}
        self._objects = {}

    def value(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict):
            raise _corrupt()
        if "ref" in node:
            return self._objects[node["ref"]]
        kind = next(iter(node))
        body = node[kind]
        if kind == "tensor":
            return self._register(node, self._tensor(self.descriptions[body]))
        if kind == "dtype":
            value = getattr(_dtype, body)
            if not isinstance(value, _dtype.dtype):
                raise _corrupt()
            return value
        if kind == "device":
            return _device.device(body)
        if kind == "Size":
            return Size(int(s) for s in body)
        if kind == "complex":
            return complex(*body)
        if kind in ("bytes", "bytearray"):
            data = base64.b64decode(body)
            return data if kind == "bytes" else bytearray(data)
        if kind == "tuple":
            return tuple(self.value(item) for item in body)
        if kind == "list":
            out = self._register(node, [])
            out.extend(self.value(item) for item in body)
            return out
        if kind == "set":
            return self._register(node, {self.value(item) for item in body})
        if kind in ("dict", "OrderedDict"):
            out = self._register(node, {} if kind == "dict" else OrderedDict())
            for key, value in body:
                out[self.value(key)] = self.value(value)
            if "metadata" in node:
                out._metadata = self.value(node["metadata"])
            return out
        raise _corrupt()

    def _register(self, node, obj):
        self._objects[node["id"]] = obj
        return obj

    def _storage(self, number):
        if number not in self._storages:
            with self.archive.open(f"data/{int(number)}.npy") as stream:
                array = np.lib.format.read_array(stream, allow_pickle=False)
            self._storages[number] = array if array.flags.writeable else array.copy()
        return self._storages[number]

    def _tensor(self, d):
        from .nn import Parameter

        storage = self._storage(d["storage"])
        dtype = np.dtype(d["dtype"])
        _dtype.from_numpy_dtype(dtype)  # refuses what nbgrad cannot hold (objects, strings)
        shape = tuple(int(s) for s in d["shape"])
        if 0 in shape:
            array = np.empty(shape, dtype)
        else:
            array = np.ndarray(shape, dtype, buffer=storage, offset=int(d["offset"]),
                               strides=tuple(int(s) for s in d["strides"]))
        t = Tensor._make(array)
        if callable(self.map_location):  # PyTorch calls it with each storage and where it was saved
            mapped = self.map_location(t, "cpu")
            t = mapped if isinstance(mapped, Tensor) else t
        if d["parameter"]:
            return Parameter(t, bool(d["requires_grad"]))
        if d["requires_grad"]:
            t.requires_grad_(True)
        return t


def _check_map_location(map_location):
    if map_location is None or callable(map_location):
        return
    if isinstance(map_location, dict):
        map_location = map_location.get("cpu")
        if map_location is None:
            return
    target = _device.device(map_location)
    if target.type == "cuda":
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but nbgrad.cuda.is_available() is False. If you are "
            "running on a CPU-only machine, please use nbgrad.load with map_location=nbgrad.device('cpu') to map your "
            "storages to the CPU."
        )
    _device.check(target, creating=False)


def _open_for_reading(f):
    if isinstance(f, (str, os.PathLike)):
        return open(f, "rb"), True
    if not hasattr(f, "seek"):
        raise AttributeError(
            f"'{type(f).__name__}' object has no attribute 'seek'. You can only nbgrad.load from a file that is "
            "seekable. Please pre-load the data into a buffer like io.BytesIO and try to load from it instead."
        )
    return f, False


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load what ``nbgrad.save`` wrote. With ``weights_only=True`` (the default) nothing in the file is run."""
    _check_map_location(map_location)
    weights_only = True if weights_only is None else weights_only
    stream, owned = _open_for_reading(f)
    try:
        start = stream.tell()
        if not stream.read(1):
            raise EOFError("")
        stream.seek(start)
        try:
            archive = zipfile.ZipFile(stream)
        except zipfile.BadZipFile:
            raise _corrupt() from None
        with archive:
            try:
                structure = json.loads(archive.read(_STRUCTURE))
            except KeyError:
                raise RuntimeError(f"PytorchStreamReader failed locating file {_STRUCTURE}: file not found") from None
            except (ValueError, zipfile.BadZipFile):
                raise _corrupt() from None
            if not isinstance(structure, dict) or structure.get("format") != _FORMAT:
                raise _corrupt()
            if "pickled" in structure:
                if weights_only:
                    raise pickle.UnpicklingError(_WEIGHTS_ONLY_FAILED.format(structure["pickled"]))
                return (pickle_module or pickle).loads(archive.read(_PICKLE), **pickle_load_args)
            try:
                return _Reader(archive, structure, map_location).value(structure["object"])
            except (AttributeError, KeyError, IndexError, TypeError, ValueError, zipfile.BadZipFile):
                raise _corrupt() from None
    finally:
        if owned:
            stream.close()
