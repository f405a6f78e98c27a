"""The layers lean one way: the core never names display/, widgets/ or their libraries, not even lazily.

The command-line tools (``python -m nbgrad``: ``cli.py``, ``lesson_tools.py``) stand on top of every layer.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "nbgrad"
DISPLAY_LIBRARIES = ("matplotlib", "networkx", "IPython", "ipywidgets", "ipykernel", "nbformat")
CORE_FORBIDDEN = ("nbgrad.display", "nbgrad.widgets") + DISPLAY_LIBRARIES
TOOLS = ("__main__.py", "cli.py", "lesson_tools.py")


def imported_modules(source, module):
    """Every module an import statement in ``source`` names, anywhere (inside functions too), made absolute."""
    package = module.split(".")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level] if node.level else []
            name = ".".join(base + ([node.module] if node.module else []))
            if node.module is None:  # from . import display
                for alias in node.names:
                    yield f"{name}.{alias.name}"
            else:
                yield name


def violations(source, module, forbidden):
    return [name for name in imported_modules(source, module)
            if any(name == f or name.startswith(f + ".") for f in forbidden)]


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_files(layer):
    for path in sorted(PACKAGE.rglob("*.py")):
        top = path.relative_to(PACKAGE).parts[0]
        if layer == "core" and top not in ("display", "widgets") + TOOLS:
            yield path
        elif layer == top:
            yield path


@pytest.mark.parametrize("path", list(layer_files("core")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_never_imports_display_widgets_or_their_libraries(path):
    # a package's __init__ counts as the package itself (from . import x resolves against it)
    module = module_name(path) + (".__init__" if path.name == "__init__.py" else "")
    assert violations(path.read_text(encoding="utf-8"), module, CORE_FORBIDDEN) == []


@pytest.mark.parametrize("path", list(layer_files("display")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_display_never_imports_widgets(path):
    module = module_name(path) + (".__init__" if path.name == "__init__.py" else "")
    assert violations(path.read_text(encoding="utf-8"), module, ("nbgrad.widgets", "ipywidgets")) == []


@pytest.mark.parametrize("module, planted", [
    ("nbgrad.tensor", "from .display.html import tensor_html"),
    ("nbgrad.autograd.function", "def f():\n    from ..display import graph\n"),
    ("nbgrad.autograd.function", "def f():\n    import matplotlib.pyplot as plt\n"),
    ("nbgrad.__init__", "from . import widgets"),
    ("nbgrad.tensor", "import IPython"),
    ("nbgrad.tensor", "import nbgrad.display.html"),
])
def test_the_check_catches_a_planted_wrong_way_import(module, planted):
    assert violations(planted, module, CORE_FORBIDDEN)


def test_the_check_lets_core_imports_through():
    source = "from . import grad_mode\nfrom ..tensor import Tensor\nimport numpy as np\nfrom .. import _functions\n"
    assert violations(source, "nbgrad.autograd.function", CORE_FORBIDDEN) == []
