"""The package as users install it: every subpackage listed, lessons and CSS inside the wheel."""
import subprocess
import sys

import zipfile
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11's tomllib")
ROOT = Path(__file__).resolve().parents[2]


def test_every_package_directory_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "nbgrad").rglob("__init__.py")}
    assert on_disk <= listed, f"add to pyproject.toml [tool.setuptools] packages: {sorted(on_disk - listed)}"


def test_wheel_ships_the_lessons_and_the_stylesheet(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("nbgrad-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    lessons = {p.relative_to(ROOT / "notebooks").as_posix() for p in (ROOT / "notebooks").rglob("*.ipynb")
               if ".ipynb_checkpoints" not in p.parts}
    assert lessons, "no lessons in notebooks/"
    assert {f"nbgrad/lessons/{rel}" for rel in lessons} <= names
    assert "nbgrad/display/static/nbgrad.css" in names
    assert "nbgrad/widgets/static/widgets.css" in names
