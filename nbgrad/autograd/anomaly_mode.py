"""Anomaly detection: name the backward function that produced NaN, and show where its forward ran."""
import warnings


class _AnomalyState:
    __slots__ = ("enabled", "check_nan")

    def __init__(self):
        self.enabled = False  # record where each node's forward ran
        self.check_nan = True  # and, while enabled, fail on the first backward output holding NaN


state = _AnomalyState()


def is_anomaly_enabled():
    return state.enabled


def is_anomaly_check_nan_enabled():
    return state.check_nan


def set_anomaly_enabled(enabled, check_nan=True):
    """``nbgrad.set_anomaly_enabled``: the switch under ``set_detect_anomaly`` and ``detect_anomaly``."""
    state.enabled, state.check_nan = bool(enabled), bool(check_nan)


_set = set_anomaly_enabled


class detect_anomaly:
    """Context manager that turns anomaly detection on: where each node's forward ran is recorded and, with
    ``check_nan``, the first backward output holding NaN raises, naming its node.

    Slow: it records a stack trace for every operation. Use it to find a bug, then take it out. As in
    PyTorch, the state to restore on exit is the one when the object was made, not when it is entered.
    """

    def __init__(self, check_nan=True):
        self.prev, self.prev_check_nan = state.enabled, state.check_nan
        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
            "enabled for debugging.",
            stacklevel=2,
        )

    def __enter__(self):
        _set(True, self.check_nan)

    def __exit__(self, *exc):
        _set(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Turn anomaly detection on or off: at once, as a function, or for a ``with`` block, after which the
    previous state comes back (as in PyTorch)."""

    def __init__(self, mode, check_nan=True):
        self.prev, self.prev_check_nan = state.enabled, state.check_nan
        _set(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set(self.prev, self.prev_check_nan)
