"""How IPython shows nbgrad's objects: HTML cards for tensors and graph nodes, and ``%load_ext nbgrad``.

``import nbgrad`` finds this module through the ``nbgrad.display`` entry point and calls ``register``
when IPython is running: the core itself never names the display layer.  Nothing heavy is imported
here; the cards' module loads when the first card is shown, the extension's when it is loaded.
"""
from ..autograd.function import Node
from ..tensor import Tensor


def register(shell):
    """Show tensors (``Parameter`` too) and graph nodes as HTML cards in this shell."""
    html = shell.display_formatter.formatters["text/html"]
    html.for_type(Tensor, _tensor_html)
    html.for_type(Node, _node_html)


def _tensor_html(t):
    from .html import tensor_html

    return tensor_html(t)


def _node_html(node):
    from .html import node_html

    return node_html(node)


def load_ipython_extension(shell):
    """``%load_ext nbgrad``: see ``nbgrad.display.extension``."""
    from . import extension

    extension.load_ipython_extension(shell)


def unload_ipython_extension(shell):
    from . import extension

    extension.unload_ipython_extension(shell)
