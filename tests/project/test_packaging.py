"""The package as users install it: every subpackage listed, a wheel that builds with no setuptools warning and
holds the lessons and the stylesheets, and an installed nbgrad that finds its lessons."""
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What the build reads. Copied to a fresh folder, so a stale build/ in the checkout cannot leak into the wheel.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "nbgrad", "notebooks")
# A Python warning ("...: SetuptoolsDeprecationWarning: ...", "_Warning: Package ... is absent") or a
# distutils-style log line ("warning: build_py: ..."). pip's own "WARNING:" lines are not the build's.
BUILD_WARNING = re.compile(r"\w*Warning: |^\s*warning: ", re.M)


def _lessons():
    return sorted(p.relative_to(ROOT / "notebooks").as_posix() for p in (ROOT / "notebooks").rglob("*.ipynb")
                  if ".ipynb_checkpoints" not in p.parts)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """``pip wheel`` of a clean copy of the sources: the wheel's path and the build's full (verbose) output."""
    tmp = tmp_path_factory.mktemp("wheel")
    (tmp / "src").mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, tmp / "src" / name,
                            ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        else:
            shutil.copy2(ROOT / name, tmp / "src" / name)
    env = dict(os.environ, PIP_ROOT_USER_ACTION="ignore")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # else distutils logs "warning: byte-compiling is disabled"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(tmp / "src"), "--no-deps", "-v", "-w", str(tmp / "dist")],
        capture_output=True, text=True, env=env,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    (path,) = (tmp / "dist").glob("nbgrad-*.whl")
    return path, build.stdout + build.stderr


def test_every_package_directory_is_listed_in_pyproject():
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11's tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "nbgrad").rglob("__init__.py")}
    assert on_disk <= listed, f"add to pyproject.toml [tool.setuptools] packages: {sorted(on_disk - listed)}"


def test_wheel_builds_without_setuptools_warnings(wheel):
    _, log = wheel
    warnings = [line.strip() for line in log.splitlines() if BUILD_WARNING.search(line)]
    assert not warnings, "the wheel build warns (see pyproject.toml [tool.setuptools]):\n" + "\n".join(warnings)


def test_wheel_ships_the_lessons_and_the_stylesheets(wheel):
    names = set(zipfile.ZipFile(wheel[0]).namelist())
    assert _lessons(), "no lessons in notebooks/"
    missing = {f"nbgrad/lessons/{rel}" for rel in _lessons()} - names
    assert not missing, f"lessons missing from the wheel: {sorted(missing)}"
    assert "nbgrad/display/static/nbgrad.css" in names
    assert "nbgrad/widgets/static/widgets.css" in names
    assert {f"nbgrad/sphinxext/static/{name}" for name in
            ("nbgrad-site.js", "nbgrad-site.css", "nbgrad-static.js", "nbgrad-static.css")} <= names


def test_no_module_and_package_share_a_name_in_the_wheel(wheel):
    files = [PurePosixPath(n) for n in zipfile.ZipFile(wheel[0]).namelist()]
    modules = {p.with_suffix("") for p in files if p.suffix == ".py"}
    folders = {parent for p in files for parent in p.parents}
    assert not modules & folders, f"a module and a package share a name: {sorted(map(str, modules & folders))}"


def test_installed_wheel_finds_its_lessons_and_copies_them(wheel, tmp_path):
    """Installed (not editable), nbgrad finds the lessons inside itself with importlib.resources."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel[0])],
                   check=True, capture_output=True)
    # Run outside the checkout, with the installed copy first on the path (NumPy comes from this environment).
    env = dict(os.environ, PYTHONPATH=str(site))

    def run(*args):
        done = subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    first = run("-c", "import nbgrad.lesson_tools as t; print(t.lesson_files()[0][1])").strip()
    assert first == str(site / "nbgrad" / "lessons" / _lessons()[0])
    copied = run("-m", "nbgrad", "lessons", str(tmp_path / "copy"), "--no-launch")
    assert copied.split() == [word for rel in _lessons() for word in ("copied", rel)]


def test_installed_wheel_refuses_to_execute_its_own_lessons(wheel, tmp_path):
    """``python -m nbgrad execute`` would rewrite the lessons inside the installed package: refused, nothing written."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel[0])],
                   check=True, capture_output=True)
    before = {p: p.read_bytes() for p in site.rglob("*.ipynb")}
    done = subprocess.run([sys.executable, "-m", "nbgrad", "execute"], cwd=tmp_path, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(site), NBGRAD_LANG="en"), stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "is inside an installed package" in done.stderr and "python -m nbgrad lessons DIR" in done.stderr
    assert {p: p.read_bytes() for p in site.rglob("*.ipynb")} == before
