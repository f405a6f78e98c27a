"""Shared test set-up: any test that uses the ``torch`` fixture is a differential test (marker ``torch``)."""
import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.torch)
