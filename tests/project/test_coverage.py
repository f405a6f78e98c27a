"""docs/coverage.md, the table of PyTorch names nbgrad has, is generated from the code and kept current."""
import importlib.util
from pathlib import Path

import nbgrad

DOCS = Path(__file__).resolve().parents[2] / "docs"


def coverage():
    spec = importlib.util.spec_from_file_location("coverage_table", DOCS / "coverage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_stored_table_is_what_the_code_gives():
    assert (DOCS / "coverage.md").read_text(encoding="utf-8") == coverage().table(), \
        "docs/coverage.md is out of date: run python docs/coverage.py"


def test_what_is_left_out_on_purpose_is_absent():
    cov = coverage()
    for namespace, names in cov.LEFT_OUT.items():
        obj = cov.nbgrad_object(namespace)
        for name in names:
            assert obj is None or not hasattr(obj, name), f"{namespace}.{name} is listed as left out but exists"


def test_a_name_nbgrad_lacks_is_reported_as_not_yet(monkeypatch):
    cov = coverage()
    monkeypatch.delattr(nbgrad.Tensor, "item")
    assert cov.status("torch.Tensor", "item") == "not yet"
    assert cov.status("torch", "tensor") == "yes"


def test_every_name_in_the_inventory_is_pytorchs(torch):
    cov = coverage()
    for table in (cov.INVENTORY, cov.LEFT_OUT):
        for namespace, names in table.items():
            obj = torch.Tensor if namespace == "torch.Tensor" else importlib.import_module(namespace)
            missing = [n for n in names if not hasattr(obj, n)]
            assert not missing, f"not in {namespace}: {missing}"
