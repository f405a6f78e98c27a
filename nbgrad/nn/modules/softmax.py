"""``Softmax``, ``LogSoftmax`` and ``Softmin``: normalise along ``dim`` into probabilities (or their logs)."""
from .. import functional as F
from .module import Module


class _SoftmaxFamily(Module):
    """A layer that applies ``F.<function>`` along ``dim``; without a dim, PyTorch's deprecated implicit choice
    (with its warning)."""

    function = None

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        # stacklevel 5: the warning names the line that called the module (warn <- _implicit_dim <- F.softmax
        # <- forward <- Module.__call__ <- caller)
        return getattr(F, self.function)(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmax(_SoftmaxFamily):
    """eˣⁱ / Σⱼ eˣʲ along ``dim``."""

    function = "softmax"


class LogSoftmax(_SoftmaxFamily):
    """xᵢ - log Σⱼ eˣʲ along ``dim``."""

    function = "log_softmax"


class Softmin(_SoftmaxFamily):
    """e⁻ˣⁱ / Σⱼ e⁻ˣʲ along ``dim``: softmax of -x."""

    function = "softmin"
