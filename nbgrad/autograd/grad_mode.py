"""Whether operations record a graph: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

The state is one module-level flag rather than a thread-local: notebooks and widgets run their callbacks
on the kernel's main thread, and the flag is read on every operation.
"""
import functools


class _GradState:
    __slots__ = ("enabled",)

    def __init__(self):
        self.enabled = True


state = _GradState()


def is_grad_enabled():
    return state.enabled


class _GradModeContext:
    """A context manager that is also a decorator, as PyTorch's are."""

    _mode = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._mode

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class _BareDecoratorContext(_GradModeContext):
    """Also a decorator without parentheses (``@no_grad``), as in PyTorch."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_BareDecoratorContext):
    """Operations inside do not record a graph; their results do not require grad."""

    _mode = False


class enable_grad(_BareDecoratorContext):
    """Turn recording back on inside a ``no_grad`` block."""

    _mode = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` acts as ``no_grad``; as a plain call it sets the mode at once."""

    def __init__(self, mode):
        self._mode = bool(mode)
        self._prev = state.enabled
        state.enabled = self._mode  # a plain call takes effect immediately, as in PyTorch

    def __enter__(self):
        pass

    def __call__(self, fn):
        state.enabled = self._prev  # used as a decorator: undo the immediate effect
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper
