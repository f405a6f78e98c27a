"""Shared test set-up.

* Any test that uses the ``torch`` fixture is a differential test (marker ``torch``).
* With only ``pip install -e .`` and pytest, the core tests run and every test that needs a missing optional
  tool is skipped with one reason naming the tool and the command that installs it, never an error:
  a test module whose imports fail for that reason is skipped as a whole, and so is a test of the layers that
  import their tools lazily (display, widgets, lessons, project) when the tool is first imported at run time.
  The core must run on NumPy alone, so there a missing tool at run time stays a failure.
"""
import contextlib
import re
import traceback
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
NOTEBOOK = 'pip install -e ".[notebook]"'
DOCS = 'pip install -e ".[docs]"'
TEST = 'pip install -e ".[test]"'
# The optional tools the tests import, and what installs each (the extras in pyproject.toml).
INSTALLS = {
    "hypothesis": TEST, "nbval": TEST, "playwright": TEST,
    "matplotlib": NOTEBOOK, "matplotlib_inline": NOTEBOOK, "networkx": NOTEBOOK, "IPython": NOTEBOOK,
    "ipykernel": NOTEBOOK, "ipywidgets": NOTEBOOK, "traitlets": NOTEBOOK, "jupyterlab": NOTEBOOK,
    "nbformat": NOTEBOOK, "nbclient": NOTEBOOK, "nbconvert": NOTEBOOK,
    "sphinx": DOCS, "myst_nb": DOCS, "pydata_sphinx_theme": DOCS, "jieba": DOCS,
    "torch": "pip install torch==2.13.0",
}
# pytest.importorskip's own reason when a test gives none.
IMPORTORSKIP_REASON = re.compile(r"could not import '([\w.]+)'")


def needs(tool):
    """The skip reason for a missing optional tool: what it is and the command that installs it."""
    return f"needs {tool}: {INSTALLS[tool]}"


def _missing_tool(error):
    """The optional tool whose absence raised ``error``, else None."""
    if isinstance(error, ModuleNotFoundError) and error.name:
        tool = error.name.partition(".")[0]
        if tool in INSTALLS:
            return tool
    return None


# A skip for a missing tool is reported at the test module's line that needed it, not at this file's raise.
SKIPPED_AT = pytest.StashKey[tuple]()


def _line_in(path, error):
    """The last line of ``path`` in ``error``'s traceback (1 if the file is not in it)."""
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if Path(frame.filename) == path]
    return lines[-1] if lines else 1


class SkipsForMissingTools(pytest.Module):
    """A test module whose imports need a missing optional tool is skipped as a whole, naming the tool."""

    def collect(self):
        try:
            self.obj  # imports the module
        except self.CollectError as error:
            tool = _missing_tool(error.__cause__)
            if tool is None:
                raise
            self.stash[SKIPPED_AT] = (self.path, _line_in(self.path, error.__cause__), needs(tool))
            raise pytest.skip.Exception(needs(tool), allow_module_level=True) from None
        return super().collect()


def pytest_pycollect_makemodule(module_path, parent):
    return SkipsForMissingTools.from_parent(parent, path=module_path)


@contextlib.contextmanager
def _skip_when_a_tool_is_missing(item):
    try:
        yield
    except ModuleNotFoundError as error:
        tool = _missing_tool(error)
        if tool is None or item.path.is_relative_to(TESTS / "core"):
            raise
        item.stash[SKIPPED_AT] = (item.path, _line_in(item.path, error), needs(tool))
        pytest.skip(needs(tool))
    except pytest.skip.Exception as skip:
        # pytest.importorskip("nbformat") with no reason says only what failed; say what installs it.
        found = IMPORTORSKIP_REASON.match(str(skip.msg))
        tool = found and found.group(1).partition(".")[0]
        if tool not in INSTALLS:
            raise
        item.stash[SKIPPED_AT] = (item.path, _line_in(item.path, skip), needs(tool))
        pytest.skip(needs(tool))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):  # fixtures
    with _skip_when_a_tool_is_missing(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    with _skip_when_a_tool_is_missing(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and SKIPPED_AT in item.stash:
        path, line, reason = item.stash[SKIPPED_AT]
        report.longrepr = (str(path), line, f"Skipped: {reason}")
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    report = yield
    if report.skipped and SKIPPED_AT in collector.stash:
        path, line, reason = collector.stash[SKIPPED_AT]
        report.longrepr = (str(path), line, f"Skipped: {reason}")
    return report


def pytest_collection_modifyitems(items):
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.torch)


@pytest.fixture(scope="session")
def torch():
    """PyTorch, the reference for differential tests; the test is skipped, with the reason, without it."""
    return pytest.importorskip("torch", reason="differential tests against PyTorch need torch (pip install torch==2.13.0)")



@pytest.fixture(scope="session")
def pinned_assets():
    """The folder of the docs site's pinned browser files (``nbgrad.sphinxext.assets.prepare()``): fetched from the
    npm registry once, then from the cache; the test is skipped, with the reason, when neither has them."""
    from nbgrad.sphinxext import assets

    try:
        return assets.prepare()
    except assets.AssetsError as error:
        pytest.skip(f"the site's pinned browser files are not cached and the npm registry is unreachable: {error}")

def pytest_ignore_collect(collection_path):
    """Notebooks under tests/ are fixtures of the browser tests, not lessons: nbval must not collect them."""
    if collection_path.suffix == ".ipynb" and TESTS in collection_path.parents:
        return True
    return None
