"""``nbgrad.device``: PyTorch's device object, the CPU way. nbgrad has one device, the CPU; the others can be
named (as in PyTorch) but using one raises the error a CPU-only PyTorch build raises."""

_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
          "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class device:
    """``device("cpu")``, ``device("cpu", 0)``, ``device("cpu:0")``: a type and an optional index."""

    __slots__ = ("_type", "_index")

    def __new__(cls, type=None, index=None):
        if isinstance(type, device) and index is None:
            return type
        if isinstance(type, int) and not isinstance(type, bool) and index is None:
            raise RuntimeError("Cannot access accelerator device when none is available.")
        if not isinstance(type, str):
            raise TypeError(
                f"device() received an invalid combination of arguments - got ({_tname(type)}), but expected one of:\n"
                " * (nbgrad.device device)\n"
                f"      didn't match because some of the arguments have invalid types: (!{_tname(type)}!)\n"
                " * (str type, int index = -1)\n")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
            raise TypeError(f"device(): argument 'index' (position 2) must be int, not {_tname(index)}")
        name, colon, number = type.partition(":")
        if name not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: {type}")
        if colon:
            if not number.isdigit() or (len(number) > 1 and number[0] == "0"):
                raise RuntimeError(f"Invalid device string: '{type}'")
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was passed explicitly: {type}")
            index = int(number)
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        self = object.__new__(cls)
        self._type, self._index = name, index
        return self

    @property
    def type(self):
        return self._type

    @property
    def index(self):
        return self._index

    def __repr__(self):
        if self._index is None:
            return f"device(type='{self._type}')"
        return f"device(type='{self._type}', index={self._index})"

    def __str__(self):
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __eq__(self, other):  # as PyTorch's: a device never equals a string (device("cpu") == "cpu" is False)
        if not isinstance(other, device):
            return NotImplemented
        return (self._type, self._index) == (other._type, other._index)

    def __hash__(self):
        return hash((self._type, self._index))

    def __reduce__(self):
        return device, (self._type, self._index)


def _tname(value):
    return type(value).__name__


CPU = device("cpu")


def check(dev, creating=True):
    """Accept None, "cpu", "cpu:N" or a cpu ``device``; raise PyTorch's CPU-only error for any other device.
    ``creating``: a creation function's error (mps differs there from ``.to``'s)."""
    if dev is None:
        return
    dev = device(dev)
    if dev._type == "cpu":
        return
    if dev._type == "mps":
        if creating:
            raise NotImplementedError(
                "Could not run 'aten::empty.memory_format' with arguments from the 'MPS' backend. This could be "
                "because the operator doesn't exist for this backend, or was omitted during the selective/custom "
                "build process (if using custom build).")
        raise RuntimeError("PyTorch is not linked with support for mps devices")
    raise AssertionError(f"Torch not compiled with {dev._type.upper()} enabled")


def cuda_error(dev):
    """``.cuda(device)``'s error on a CPU-only build: PyTorch's, by the kind of ``dev``."""
    if dev is not None and not isinstance(dev, str):
        dev = device(dev)
        if dev._type != "cuda":
            raise RuntimeError("Invalid device, must be cuda device")
    raise AssertionError("Torch not compiled with CUDA enabled")


def set_default_device(dev):
    """Where new tensors are made: the CPU is the one device nbgrad has, so any other raises here, when it is
    named (PyTorch raises the same error at the first tensor made there)."""
    check(dev)


def get_default_device():
    return CPU
