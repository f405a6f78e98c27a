"""``nbgrad.cuda``: as in a CPU-only PyTorch build, there is no CUDA device."""


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def _no_cuda(*args, **kwargs):
    raise AssertionError("Torch not compiled with CUDA enabled")


current_device = get_device_name = synchronize = _no_cuda


# Seeding and freeing cached memory do nothing without a device, in PyTorch as here: scripts call them freely.
def manual_seed(seed):
    pass


def manual_seed_all(seed):
    pass


def empty_cache():
    pass
