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


def pytest_configure(config):
    if config.pluginmanager.hasplugin("nbval"):
        option = config.option  # the names nbval 0.11 reads (nbval/plugin.py)
        if not (option.nbval or option.nbval_lax):
            option.nbval = True
        if option.nbval_sanitize_with is None:
            option.nbval_sanitize_with = str(SANITIZE)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before nbval starts a notebook's kernel: name the notebook to it, as Jupyter's server does, so that
    # nbgrad reads the notebook's metadata (its language) there as it does in JupyterLab.
    if item.path.suffix == ".ipynb":
        os.environ["JPY_SESSION_NAME"] = str(item.path)


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
