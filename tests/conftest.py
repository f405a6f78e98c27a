"""Shared test set-up: any test that uses the ``torch`` fixture is a differential test (marker ``torch``)."""
from pathlib import Path

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.torch)


@pytest.fixture(scope="session")
def torch():
    """PyTorch, the reference for differential tests; the test is skipped, with the reason, without it."""
    return pytest.importorskip("torch", reason="differential tests against PyTorch need torch (pip install torch==2.13.0)")


def pytest_ignore_collect(collection_path):
    """Notebooks under tests/ are fixtures of the browser tests, not lessons: nbval must not collect them."""
    if collection_path.suffix == ".ipynb" and Path(__file__).parent in collection_path.parents:
        return True
    return None
