"""nbgrad: PyTorch's autograd, rebuilt on NumPy to be read, drawn and stepped through in a notebook.

``import nbgrad`` loads NumPy and the core only; drawing and widgets are imported when first used.
"""
import sys as _sys
import warnings as _warnings

from . import autograd, data, nn, optim  # noqa: F401  (autograd first: it loads Tensor and the ops)
from . import _functions
from ._creation import (  # noqa: F401
    arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace, ones, ones_like, rand,
    rand_like, randint, randint_like, randn, randn_like, randperm, tensor, zeros, zeros_like,
)
from ._device import device, get_default_device, set_default_device  # noqa: F401
from ._dtype import (  # noqa: F401,A004
    bool, double, dtype, finfo, float, float16, float32, float64, get_default_dtype, half, iinfo, int, int8, int16, int32,
    int64, long, promote_types, set_default_dtype, short, uint8,
)
from .i18n import get_language, set_language  # noqa: F401
from .printing import get_printoptions, set_printoptions  # noqa: F401
from ._functions import (  # noqa: F401
    allclose, argmax, argmin, bitwise_not, cat, concat, equal, is_tensor, isnan, logaddexp, logical_not, numel, stack,
    where,
)
from ._random import Generator, manual_seed  # noqa: F401
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: F401
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled, set_anomaly_enabled  # noqa: F401
from .tensor import Size, Tensor  # noqa: F401

__version__ = "0.1.0"

# nbgrad.mul, nbgrad.exp, ...: each op lists the functions that call it (``functions``), as PyTorch's do.
globals().update(_functions.derived_functions())
globals().update(_functions.METHOD_FUNCTIONS)  # nbgrad.eq, nbgrad.floor_divide, ...: methods with no op of their own


from ._functions import (  # noqa: F401,E402
    argsort, argwhere, count_nonzero, nonzero, repeat_interleave, take_along_dim, unique, unique_consecutive,
)
globals().update(_functions.LOGICAL_REDUCTIONS)  # nbgrad.any, nbgrad.all

from ._functions import (  # noqa: F401,E402
    div, divide, isclose, isfinite, isinf, isneginf, isposinf, isreal, logical_and, logical_or, logical_xor, signbit,
)
globals().update(_functions.INPLACE_FUNCTIONS)  # nbgrad.relu_, nbgrad.exp_, ...

from ._lazy import lazy_module as _lazy_module  # noqa: E402

_lazy_module("nbgrad.ops.misc")  # less common ops (median, xlogy, normal, ...): loaded at first use
from ._functions import (  # noqa: F401,E402
    absolute, broadcast_shapes, broadcast_tensors, broadcast_to, can_cast, column_stack, concatenate, diff, dstack,
    float_power, hsplit, hstack, inner, logspace, movedim, moveaxis, multiply, nanmean, nansum, negative, ravel,
    result_type, row_stack, subtract, swapaxes, swapdims, tensor_split, tensordot, unflatten, vdot, vsplit, vstack,
    aminmax, bernoulli, bincount, bucketize, histc, median, multinomial, normal, searchsorted, std_mean, var_mean, xlogy,
)
from ._random import (  # noqa: F401,E402
    are_deterministic_algorithms_enabled, get_num_threads, get_rng_state, initial_seed,
    is_deterministic_algorithms_warn_only_enabled, seed, set_num_threads, set_rng_state, use_deterministic_algorithms,
)

from ._creation import (  # noqa: F401
    BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor, LongTensor, ShortTensor,
)
from ._functions import (  # noqa: F401
    clone, cross, det, detach, einsum, ger, inference_mode, inverse, is_floating_point, is_inference_mode_enabled, kron,
    load, meshgrid, norm, outer, save,
)

# tiny, and loaded when first named
_LAZY_MODULES = ("accelerator", "backends", "cuda", "exercises", "func", "linalg", "serialization", "utils")


def __getattr__(name):
    """An op defined after import (a test's, a user's Primitive) gets its ``nbgrad.<name>`` too."""
    if name in _LAZY_MODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    fn = _functions.derived_function(name)
    if fn is None:  # perhaps an op of a family not loaded yet (see _lazy)
        from . import _lazy

        _lazy.load_all()
        fn = _functions.derived_function(name)
    if fn is None:
        raise AttributeError(f"module 'nbgrad' has no attribute '{name}'")
    return fn


# Rich display (HTML cards, the graph and trace magics) is the display layer's, which the core never imports:
# it plugs in through the "nbgrad.display" entry point (see pyproject.toml), when IPython is running.
def _display_plugins():
    from importlib.metadata import entry_points

    return [entry.load() for entry in entry_points(group="nbgrad.display")]


def load_ipython_extension(ipython):
    """``%load_ext nbgrad``: the graph and trace magics and display options (see nbgrad.display.extension)."""
    for plugin in _display_plugins():
        plugin.load_ipython_extension(ipython)


def unload_ipython_extension(ipython):
    for plugin in _display_plugins():
        plugin.unload_ipython_extension(ipython)


def _attach_rich_display():
    ipython = _sys.modules.get("IPython")  # only if it is already running: importing nbgrad never imports it
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        for plugin in _display_plugins():
            plugin.register(shell)


_attach_rich_display()

# PyTorch computes log(0) = -inf or 0/0 = nan silently; NumPy would warn from inside nbgrad's ops.
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"nbgrad\.")
