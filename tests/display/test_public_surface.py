"""The display layer and the widgets read the core through public API only.

That is PyTorch's own (``.detach()``, ``.grad``, ``.grad_fn``, ``.next_functions``, ``_saved_<name>`` as
PyTorch names it) and nbgrad's small read-only surface where PyTorch has none (``nbgrad.autograd.graph``).
The sources are parsed, not run, so a private read on a path no test happens to take is caught too.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("nbgrad/display", "nbgrad/widgets")

# (module, what it may use although private), each with the reason. Keep it short; empty is the aim.
ALLOWED = set()  # nothing: add an entry only with a comment saying why no public name will do

_GETTERS = ("getattr", "hasattr", "setattr", "delattr")


def _private(name):
    """A private name: ``_x``, but not a dunder, not PyTorch's ``_saved_<name>`` and not a protocol name
    such as IPython's ``_repr_html_`` or ``_ipython_display_`` (one underscore at each end)."""
    if not name.startswith("_") or name.startswith("_saved_"):
        return False
    if name.startswith("__") and name.endswith("__"):
        return False
    return not (name.endswith("_") and not name.startswith("__"))


def _absolute(module, level, package):
    """The absolute name of ``from <level dots><module> import``, seen from ``package``."""
    if not level:
        return module or ""
    base = package.split(".")[: len(package.split(".")) - level + 1]
    return ".".join(base + ([module] if module else []))


def violations(source, package):
    """(line, what) for each private read in ``source``, a module of ``package`` (``nbgrad.display``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            owner = node.value
            if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                found.append((node.lineno, f"{ast.unparse(owner)}.{node.attr}"))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _GETTERS
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str) and _private(node.args[1].value)):
            found.append((node.lineno, f"{node.func.id}(..., {node.args[1].value!r})"))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.Import):
                modules = [(alias.name, ()) for alias in node.names]
            else:
                modules = [(_absolute(node.module, node.level, package), [alias.name for alias in node.names])]
            for module, names in modules:
                if module == package or module.startswith(package + "."):
                    continue  # the layer's own modules may share private helpers
                parts = module.split(".")
                if parts[0] != "nbgrad":
                    continue
                if any(_private(part) for part in parts):
                    found.append((node.lineno, module))
                found += [(node.lineno, f"{module}.{name}") for name in names if _private(name)]
    return found


def _modules():
    for layer in LAYERS:
        for path in sorted((ROOT / layer).glob("*.py")):
            yield path.relative_to(ROOT).as_posix(), layer.replace("/", ".")


@pytest.mark.parametrize("path, package", list(_modules()))
def test_no_private_reads_of_core_objects(path, package):
    found = [(line, what) for line, what in violations((ROOT / path).read_text(encoding="utf-8"), package)
             if (path, what) not in ALLOWED]
    assert found == [], f"{path} reads private names: " + ", ".join(f"line {n}: {w}" for n, w in found)


def test_the_allow_list_holds_nothing_stale():
    used = {(path, what) for path, package in _modules()
            for _, what in violations((ROOT / path).read_text(encoding="utf-8"), package)}
    assert ALLOWED <= used, f"no longer needed: {sorted(ALLOWED - used)}"


@pytest.mark.parametrize("planted", [
    "t._data",
    "t._grad.copy()",
    "node._function",
    "self.tensor._data",
    "Tensor._make(array)",
    "x._accumulator = None",
    "getattr(node, '_output', None)",
    "hasattr(t, '_requires_grad')",
    "from .._formatting import element_formatter",
    "from ..autograd import _roots",
    "from ..autograd.function import _link",
    "import nbgrad._creation",
    "from nbgrad.ops._base import saved",
    "from .. import _functions",
])
def test_a_planted_private_read_is_caught(planted):
    assert violations(planted, "nbgrad.display"), planted


@pytest.mark.parametrize("fine", [
    "self._pngs", "cls._cache", "node._saved_self", "t.__class__", "super()._repr_mimebundle_(**kwargs)",
    "from ._common import Snapshot", "from .html import css", "from ..autograd.graph import inputs_of",
    "getattr(node, 'saved_freed', False)", "t.detach().numpy()",
])
def test_public_reads_pass(fine):
    assert violations(fine, "nbgrad.widgets") == [], fine
