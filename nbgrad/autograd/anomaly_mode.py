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


class detect_anomaly:
    """Context manager (and decorator) that checks every backward output for NaN.

    Slow: it records a stack trace for every operation. Use it to find a bug, then take it out.
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
            "enabled for debugging.",
            stacklevel=2,
        )

    def __enter__(self):
        self._prev = (state.enabled, state.check_nan)
        state.enabled, state.check_nan = True, self.check_nan

    def __exit__(self, *exc):
        state.enabled, state.check_nan = self._prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)

        return wrapper


def set_detect_anomaly(mode, check_nan=True):
    """Turn anomaly detection on or off for the rest of the session."""
    state.enabled, state.check_nan = bool(mode), bool(check_nan)
