"""``nbgrad.cuda``: as in a CPU-only PyTorch build, there is no CUDA device."""


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False
