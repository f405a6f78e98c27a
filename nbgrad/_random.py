"""One seeded generator for everything random in nbgrad (``manual_seed`` makes lessons repeatable)."""
import numbers

import numpy as np

# Made on first use: numpy.random takes about 10 ms to import, half of what nbgrad adds to NumPy's import.
_generator = []
_seed = [0]  # the seed the generator was made from (initial_seed)


def manual_seed(seed):
    """Reset nbgrad's random generator; the same seed gives the same tensors."""
    seed = int(seed) & 0xFFFF_FFFF_FFFF_FFFF  # a negative seed wraps, as in PyTorch
    _generator[:] = [np.random.default_rng(seed)]
    _seed[0] = seed
    return _generator[0]


def seed():
    """Seed the generator from the operating system's entropy, as ``torch.seed``; the seed is returned."""
    value = int(np.random.SeedSequence().entropy) & 0xFFFF_FFFF_FFFF_FFFF
    manual_seed(value)
    return value


def initial_seed():
    return _seed[0]


# The generator's state (NumPy's PCG64: a 128-bit state and increment, and a cached 32-bit half-draw) as bytes
_STATE_BYTES = (16, 16, 1, 4)


def get_rng_state():
    """The generator's state as a uint8 tensor, for ``set_rng_state``."""
    from ._creation import tensor
    from ._dtype import uint8

    state = generator().bit_generator.state
    fields = (state["state"]["state"], state["state"]["inc"], state["has_uint32"], state["uinteger"])
    raw = b"".join(int(v).to_bytes(n, "little") for v, n in zip(fields, _STATE_BYTES))
    return tensor(list(raw), dtype=uint8)


def set_rng_state(new_state):
    from .tensor import Tensor

    if not isinstance(new_state, Tensor):
        raise TypeError(f"expected a nbgrad.ByteTensor, but got {type(new_state).__name__}")
    if new_state._data.dtype != np.uint8:
        raise TypeError("RNG state must be a nbgrad.ByteTensor")
    raw = new_state._data.tobytes()
    if len(raw) != sum(_STATE_BYTES):
        raise RuntimeError(f"Expected a CPUGeneratorImplState of size {sum(_STATE_BYTES)} but found the input RNG "
                           f"state size to be {len(raw)}")
    fields, start = [], 0
    for n in _STATE_BYTES:
        fields.append(int.from_bytes(raw[start:start + n], "little"))
        start += n
    bit_generator = generator().bit_generator
    bit_generator.state = {"bit_generator": "PCG64", "state": {"state": fields[0], "inc": fields[1]},
                           "has_uint32": fields[2], "uinteger": fields[3]}


def get_num_threads():
    """1: nbgrad's own code runs on one thread (NumPy's BLAS may use its own threads, which it sets itself)."""
    return 1


def set_num_threads(int):  # noqa: A002  (PyTorch's argument name)
    if isinstance(int, bool) or not isinstance(int, numbers.Integral):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(int).__name__}")
    if int <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")


_deterministic = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Recorded for ``are_deterministic_algorithms_enabled``: nbgrad's algorithms are deterministic either way."""
    for name, value in (("'mode' (position 1)", mode), ("'warn_only'", warn_only)):
        if not isinstance(value, bool):
            raise TypeError(f"_set_deterministic_algorithms(): argument {name} must be bool, not "
                            f"{type(value).__name__}")
    _deterministic.update(mode=mode, warn_only=warn_only)


def are_deterministic_algorithms_enabled():
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled():
    return _deterministic["warn_only"]


def generator():
    if not _generator:
        _generator.append(np.random.default_rng(0))
    return _generator[0]


def uniform_array(shape, low=0.0, high=1.0):
    return generator().uniform(low, high, size=shape)


def normal_array(shape, mean=0.0, std=1.0):
    return generator().normal(mean, std, size=shape)


class Generator:
    """A random generator of its own, as ``torch.Generator``: ``Generator().manual_seed(42)`` for
    ``random_split`` or a ``DataLoader`` (its stream is NumPy's, not PyTorch's)."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721  # PyTorch's default seed
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self):
        return self._seed
