"""``%load_ext nbgrad``: magics that draw a graph or print a backward trace, and display options.

Loaded through ``nbgrad.load_ipython_extension`` (``%load_ext nbgrad``, or ``"nbgrad"`` in
``c.InteractiveShellApp.extensions``). Tensors display as HTML cards without it (``nbgrad.display.ipython``);
the extension adds

* ``%nbgrad_graph EXPR``: draw the autograd graph of the tensor ``EXPR`` evaluates to;
* ``%nbgrad_trace EXPR``: print the backward pass of that tensor, step by step;
* ``%nbgrad config [show_graph=True|False]``: show (or set) the options; ``show_graph`` draws the
  graph under every tensor that has one, whenever a tensor is displayed;
* under the traceback of an autograd error it recognises, a short Why and Fix in the learner's language
  (``nbgrad.display.explain``), through IPython's ``set_custom_exc``; other errors show as before.

Loading twice changes nothing; ``%unload_ext nbgrad`` removes every magic, formatter and exception handler
it added and puts back whatever those names, types and handlers were before. Mistakes in a magic's argument
are reported in one line (``UsageError: nbgrad_graph: name 'q' is not defined``), not with a traceback from
inside nbgrad.
"""
import ast
import weakref
from html import escape

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

from ..i18n import message
from ..tensor import Tensor
from .errors import KINDS, explain
from .figure import figure_png
from .html import image_html, tensor_html

_DEFAULTS = {"show_graph": False}

# shell -> its _Extension, for the shells the extension is loaded in
_loaded = weakref.WeakKeyDictionary()


def load_ipython_extension(shell):
    if shell not in _loaded:
        _loaded[shell] = _Extension(shell)


def unload_ipython_extension(shell):
    extension = _loaded.pop(shell, None)
    if extension is not None:
        extension.close()


class _Extension:
    """What the extension changed in one shell, so that unloading can put it all back."""

    def __init__(self, shell):
        self.shell = shell
        self.options = dict(_DEFAULTS)
        self.magics = NbgradMagics(shell, self)
        manager = shell.magics_manager
        self._previous_magics = {
            kind: {name: manager.magics[kind].get(name) for name in table}
            for kind, table in self.magics.magics.items()
        }
        self._previous_registry = manager.registry.get(type(self.magics).__name__)
        self._previous_html = None  # the HTML formatter's own entry for Tensor, while show_graph is on
        manager.register(self.magics)
        self._previous_exc = (shell.custom_exceptions, shell.CustomTB)
        explained = tuple(dict.fromkeys(t for types, _ in KINDS.values() for t in types))
        shell.set_custom_exc(explained + tuple(shell.custom_exceptions), self._show_error)
        self._handler = shell.CustomTB

    def _show_error(self, shell, etype, value, tb, tb_offset=None):
        """IPython's traceback, then the explanation of an error nbgrad recognises; any other error goes to
        the handler that was there before, or to IPython's own traceback, as if nbgrad were not loaded."""
        previous_types, previous_handler = self._previous_exc
        explanation = explain(value)
        if not explanation and previous_types and isinstance(value, previous_types):
            return previous_handler(etype, value, tb, tb_offset=tb_offset)
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)
        if explanation:
            html = f"<div class='nbgrad-explanation'>{explanation.advice_html()}</div>"
            shell.display_pub.publish(data={"text/plain": explanation.advice_text(), "text/html": html})
        return None

    def set_option(self, name, value):
        if name == "show_graph" and value != self.options["show_graph"]:
            html = self.shell.display_formatter.formatters["text/html"]
            if value:
                self._previous_html = html.type_printers.get(Tensor)
                html.for_type(Tensor, _tensor_with_graph_html)
            else:
                _restore(html.type_printers, Tensor, self._previous_html)
        self.options[name] = value

    def close(self):
        self.set_option("show_graph", False)
        if self.shell.CustomTB is self._handler:  # unless someone has put in a handler of their own since
            self.shell.custom_exceptions, self.shell.CustomTB = self._previous_exc
        manager = self.shell.magics_manager
        for kind, previous in self._previous_magics.items():
            for name, function in previous.items():
                if getattr(manager.magics[kind].get(name), "__self__", None) is self.magics:
                    _restore(manager.magics[kind], name, function)
        if manager.registry.get(type(self.magics).__name__) is self.magics:
            _restore(manager.registry, type(self.magics).__name__, self._previous_registry)


def _restore(table, key, previous):
    if previous is None:
        table.pop(key, None)
    else:
        table[key] = previous


def _draw_png(value):
    from . import graph

    return figure_png(graph.draw(value), tight=True)


def _tensor_with_graph_html(t):
    card = tensor_html(t)
    if t.grad_fn is None:
        return card
    try:
        png = _draw_png(t)
    except ValueError as exc:  # too big to draw: say so under the card rather than fail the display
        return f"{card}<div class='nbgrad-note'>{escape(str(exc))}</div>"
    return card + image_html(png, message("extension.graph_alt"))


@magics_class
class NbgradMagics(Magics):
    """The magics of ``%load_ext nbgrad``."""

    def __init__(self, shell, extension):
        super().__init__(shell)
        self._extension = extension

    def _evaluate(self, magic, line):
        expression = line.strip()
        if not expression:
            raise UsageError(f"{magic}: {message('extension.give_expression', magic=magic)}")
        try:
            value = self.shell.ev(expression)
        except SyntaxError as exc:
            text = message("extension.invalid_syntax", expression=repr(expression), error=exc.msg)
            raise UsageError(f"{magic}: {text}") from None
        except Exception as exc:  # noqa: BLE001 - the user's expression failed: report it in one line
            raise UsageError(f"{magic}: {exc}") from None
        if not isinstance(value, Tensor):
            raise UsageError(f"{magic}: {message('extension.expected_tensor', type=type(value).__name__)}")
        return value

    @line_magic
    def nbgrad_graph(self, line):
        """Draw the autograd graph that produced a tensor: ``%nbgrad_graph loss``."""
        from IPython.display import Image

        png = _on_user_tensor("nbgrad_graph", _draw_png, self._evaluate("nbgrad_graph", line))
        image = Image(data=png, format="png")
        # Through this shell's publisher: IPython.display.display only knows the global shell.
        data, metadata = self.shell.display_formatter.format(image)
        self.shell.display_pub.publish(data=data, metadata=metadata)

    @line_magic
    def nbgrad_trace(self, line):
        """Print the backward pass of a tensor, step by step, without touching ``.grad``: ``%nbgrad_trace loss``."""
        from .trace import backward_trace

        trace = _on_user_tensor("nbgrad_trace", backward_trace, self._evaluate("nbgrad_trace", line))
        print(trace.to_text())

    @line_magic
    def nbgrad(self, line):
        """``%nbgrad config``: show the options; ``%nbgrad config show_graph=True``: set them."""
        words = line.split()
        if not words or words[0] != "config":
            raise UsageError(f"nbgrad: {message('extension.usage')}")
        settings = [_parse_setting(word) for word in words[1:]]
        for name, value in settings:
            self._extension.set_option(name, value)
        if not settings:
            print(" ".join(f"{name}={value}" for name, value in self._extension.options.items()))


def _on_user_tensor(magic, function, value):
    """``function(value)``, with the errors it raises for an unsuitable tensor reported in one line.

    Those are PyTorch's RuntimeErrors (a graph already freed by backward(), a non-scalar output) and
    ValueErrors (a graph too big to draw, with advice on what to draw instead).
    """
    try:
        return function(value)
    except (RuntimeError, ValueError) as exc:
        raise UsageError(f"{magic}: {exc}") from None


def _parse_setting(word):
    name, equals, text = word.partition("=")
    if name not in _DEFAULTS:
        text = message("extension.unknown_option", name=repr(name), options=", ".join(_DEFAULTS))
        raise UsageError(f"nbgrad config: {text}")
    try:
        value = ast.literal_eval(text) if equals else None
    except (ValueError, SyntaxError):
        value = None
    if type(value) is not type(_DEFAULTS[name]):
        raise UsageError(f"nbgrad config: {message('extension.true_or_false', name=name, text=repr(text))}")
    return name, value
