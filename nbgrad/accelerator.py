"""``nbgrad.accelerator``: as in a CPU-only PyTorch build, there is no accelerator."""


def is_available():
    return False


def current_accelerator(check_available=False):
    return None


def device_count():
    return 0
