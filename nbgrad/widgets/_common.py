"""What the widgets share: the stylesheet, the static snapshot shown where widgets cannot render, the
language each widget speaks, and the refresh that runs after every notebook cell."""
import asyncio
import contextlib
import functools
import inspect
import itertools
import sys
import weakref
from functools import lru_cache
from html import escape
from importlib.resources import files

from ..display.html import css as display_css
from ..i18n import get_language, message, speaking


@lru_cache(None)
def stylesheet():
    """One <style> element: the display layer's sheet (tables, cards) and the widgets' own (steps, panels)."""
    own = files(__package__).joinpath("static", "widgets.css").read_text(encoding="utf-8")
    return f"<style>{display_css()}\n{own}</style>"


def styled(body):
    """HTML inside the scope the stylesheet's colours are defined for."""
    return f"<div class='nbgrad-repr nbgrad-widget'>{body}</div>"


def note(text):
    return f"<div class='nbgrad-note'>{escape(text)}</div>"


def sentence_html(key, **pieces):
    """The catalogue's sentence ``key``, escaped, with ``pieces`` (HTML, escaped already) in its placeholders."""
    marks = {name: f"\0{i}\0" for i, name in enumerate(pieces)}
    text = escape(message(key, **marks))
    for name, mark in marks.items():
        text = text.replace(mark, pieces[name])
    return text


_model_ids = itertools.count(1)


@contextlib.contextmanager
def stable_model_ids():
    """Widgets made inside get model ids from a counter instead of random uuids.

    A notebook stores its widgets' model ids in its outputs and metadata; counted ids make re-running a
    lesson reproduce the saved file exactly. Ids stay unique within a kernel, which is all a frontend needs.
    """
    from ipywidgets import comm

    original = comm.create_comm
    if getattr(original, "nbgrad_stable", False):  # already inside (a widget made by a widget)
        yield
        return

    def create_comm(*args, **kwargs):
        kwargs.setdefault("comm_id", f"nbgrad-{next(_model_ids):06d}")
        return original(*args, **kwargs)

    create_comm.nbgrad_stable = True
    comm.create_comm = create_comm
    try:
        yield
    finally:
        comm.create_comm = original


class Snapshot:
    """Mix-in for a widget: its display also carries a static HTML picture and a one-paragraph text.

    Jupyter shows the live widget; a viewer that cannot run widgets (GitHub, nbviewer without saved
    widget state, a notebook opened untrusted) shows the ``text/html`` picture, and a terminal the text,
    instead of ``VBox(children=(...))``.  Subclasses define ``snapshot_html()`` and ``state_text()``.
    Their constructors run under ``stable_model_ids()``.

    In a page with no kernel (a static site: ``nbgrad/sphinxext/static/nbgrad-static.css``), a widget whose
    controls answer through the kernel would look live and do nothing: unless its class says
    ``needs_kernel = False``, its root gets the class ``NEEDS_KERNEL`` and the page shows its saved picture
    instead.  A widget that does work there (every control linked in the browser, or driven by
    ``nbgrad-static.js``) gives each control that still needs the kernel the class ``KERNEL_ONLY``, which
    the page hides.

    A widget speaks the language spoken when it is made (``nbgrad.i18n``): every method its class defines
    runs in that language, so a later click, redraw or ``state_text()`` says things in the same words.
    """

    needs_kernel = True
    NEEDS_KERNEL = "nbgrad-needs-kernel"
    KERNEL_ONLY = "nbgrad-kernel-only"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, method in list(cls.__dict__.items()):
            if inspect.isfunction(method) and (name == "__init__" or not name.startswith("__")):
                setattr(cls, name, _in_own_language(method))
        init = cls.__dict__.get("__init__")
        if init is not None:
            @functools.wraps(init)
            def __init__(self, *args, **kwargs):
                if not hasattr(self, "language"):
                    self.language = get_language()
                with stable_model_ids():
                    init(self, *args, **kwargs)
                if self.needs_kernel:
                    self.add_class(self.NEEDS_KERNEL)

            cls.__init__ = __init__

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        if data is None:  # a widget without a view
            return None
        with speaking(self.language):
            data["text/plain"] = self.state_text()
            # heads every snapshot, so that nobody tries to click a picture
            data["text/html"] = styled(f"{stylesheet()}{note(message('widgets.snapshot_note'))}{self.snapshot_html()}")
        return data

    def close(self):
        _watched.discard(self)
        super().close()


def _in_own_language(method):
    @functools.wraps(method)
    def in_own_language(self, *args, **kwargs):
        language = getattr(self, "language", None)  # None: inside __init__, before it is read
        if language is None:
            return method(self, *args, **kwargs)
        with speaking(language):
            return method(self, *args, **kwargs)

    return in_own_language


# ----- the notebook around the widget -----
def _shell():
    # Only look when IPython is already running: importing it here would slow down plain scripts.
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def background_loop():
    """The kernel's event loop when a person is at the notebook, else None.

    Work handed to this loop runs after the cell has returned, between the kernel's messages, so the
    notebook stays responsive.  A batch run (nbclient, nbconvert --execute) never gets one: it saves the
    widget state when the cell ends, so everything must be drawn by then.  A front end a person uses
    accepts ``input()`` (the request's ``allow_stdin``); batch runners do not.
    """
    kernel = getattr(_shell(), "kernel", None)
    get_parent = getattr(kernel, "get_parent", None)
    # JupyterLite's Pyodide kernel has no parent before its first request, and may lack get_parent at all
    request = (get_parent() if get_parent is not None else None) or {}
    if not request.get("content", {}).get("allow_stdin", False):
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


_watched = weakref.WeakSet()  # widgets refreshed after every cell
_hooked = weakref.WeakSet()  # IPython shells whose post_run_cell event calls _after_cell


def refresh_after_cells(widget):
    """In IPython, call ``widget.refresh_if_changed()`` after every cell: a ``backward()`` run in any
    later cell then shows up in the widget without a click.  Outside IPython this does nothing."""
    shell = _shell()
    if shell is None:
        return
    if shell not in _hooked:
        shell.events.register("post_run_cell", _after_cell)
        _hooked.add(shell)
    _watched.add(widget)


def _after_cell(result=None):
    for widget in list(_watched):
        widget.refresh_if_changed()


def array_key(array):
    """An exact fingerprint of an array (shape, dtype, bytes): equal keys mean nothing to redraw."""
    if array is None:
        return None
    return array.shape, array.dtype.str, array.tobytes()
