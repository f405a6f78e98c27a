"""The lessons run as tests: nbval executes each notebook and compares every stored output byte for byte, after
the few substitutions in notebooks/sanitize.cfg.

``python -m pytest`` turns nbval on here rather than through ``addopts``, so that pytest still starts where nbval
is not installed; there each notebook is reported as skipped, with what to install.
"""
import importlib.util
import os
from pathlib import Path

import pytest

SANITIZE = Path(__file__).resolve().parent / "notebooks" / "sanitize.cfg"

# The tests choose their language themselves: a learner's NBGRAD_LANG, or the notebook of a kernel that runs
# pytest (!pytest in a cell), must not change what they expect to read.
for _name in ("NBGRAD_LANG", "JPY_SESSION_NAME"):
    os.environ.pop(_name, None)


def pytest_configure(config):
    if config.pluginmanager.hasplugin("nbval"):
        option = config.option  # the names nbval 0.11 reads (nbval/plugin.py)
        if not (option.nbval or option.nbval_lax):
            option.nbval = True
        if option.nbval_sanitize_with is None:
            option.nbval_sanitize_with = str(SANITIZE)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    # While nbval starts a notebook's kernel (in the setup of its first cell): name the notebook to it, as
    # Jupyter's server does, so that nbgrad reads the notebook's metadata (its language) there as it does in
    # JupyterLab. Only then: the tests that follow must not inherit a notebook's language.
    if item.path.suffix != ".ipynb":
        yield
        return
    before = os.environ.get("JPY_SESSION_NAME")
    os.environ["JPY_SESSION_NAME"] = str(item.path)
    try:
        yield
    finally:
        if before is None:
            del os.environ["JPY_SESSION_NAME"]
        else:
            os.environ["JPY_SESSION_NAME"] = before


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".ipynb" and not parent.config.pluginmanager.hasplugin("nbval"):
        return NotebookWithoutNbval.from_parent(parent, path=file_path)
    return None


class NotebookWithoutNbval(pytest.File):
    """A notebook where nbval is missing (or turned off): one test, skipped with the reason."""

    def collect(self):
        if importlib.util.find_spec("nbval") is None:
            reason = 'the lessons run under nbval: pip install -e ".[test]"'
        else:
            reason = "nbval is installed but turned off (-p no:nbval)"
        item = SkippedNotebook.from_parent(self, name=self.path.name)
        item.add_marker(pytest.mark.skip(reason=reason))
        yield item


class SkippedNotebook(pytest.Item):
    def runtest(self):
        raise AssertionError("never runs: marked skip")

    def reportinfo(self):
        return self.path, 0, self.name
