"""``python -m nbgrad lite OUT``: the lessons as a JupyterLite site, where Python runs in the browser (Pyodide).

The site is static files: any web server can serve it and no Python runs on the server. It holds the
lessons (both languages) as its file browser's contents and nbgrad's own wheel, which the Pyodide kernel
loads while it starts, with NumPy, matplotlib, networkx and ipywidgets, so the learner's first cell can be
``import nbgrad``. Where each piece comes from:

- nbgrad: a wheel built here, from the checkout when nbgrad runs from one (``pip install -e .``), else
  repacked from the installed distribution's files (``pip install nbgrad``);
- ipywidgets, jupyterlab_widgets, comm (pure Python, not in Pyodide's own set): repacked from their installed
  distributions, so the build itself needs no network;
- Pyodide with NumPy, matplotlib and networkx: Pyodide's CDN by default (the browser needs the network), or
  the Pyodide distribution given with ``--pyodide`` (a folder, or the release's ``.tar.bz2``), copied into the
  site, which then needs no network at all.

jupyterlite-core and jupyterlite-pyodide-kernel (the ``lite`` extra) are imported only here.
"""
import base64
import csv
import hashlib
import importlib.metadata
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

from . import lesson_tools
from .i18n import message

# Imported by the lessons' widgets in the browser but not part of Pyodide's own packages.
WIDGET_DISTRIBUTIONS = ("ipywidgets", "jupyterlab_widgets", "comm")
# Loaded while the kernel starts, from Pyodide's packages (its CDN, or the --pyodide distribution).
PYODIDE_PACKAGES = ("numpy", "matplotlib", "networkx")
# The kernel's worker script sits in this folder of the site; Pyodide resolves a relative wheel URL from it.
_WORKER_FOLDER = "extensions/@jupyterlite/pyodide-kernel-extension/static"
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"


class LiteError(RuntimeError):
    """The site cannot be built as asked (the message says why, in the learner's language)."""


def build(out, *, pyodide=None, root=None):
    """Build the JupyterLite site into ``out``; returns the path of its ``index.html``.

    ``pyodide``: a Pyodide distribution (a folder with ``pyodide.mjs`` and ``pyodide-lock.json``, or the
    release's ``.tar.bz2``) to put in the site instead of loading Pyodide from its CDN.
    ``root``: a folder of lessons (default: the shipped ones).
    """
    out = Path(out).resolve()
    try:
        import jupyterlite_core  # noqa: F401 - only whether the extra is installed
        import jupyterlite_pyodide_kernel  # noqa: F401
    except ImportError:
        raise LiteError(message("lite.missing_extra")) from None
    if out.exists() and not (out / "jupyter-lite.json").is_file() and (not out.is_dir() or any(out.iterdir())):
        raise LiteError(message("lite.out_not_empty", path=out))  # replaced below: only ever an earlier site
    with tempfile.TemporaryDirectory(prefix="nbgrad-lite-") as tmp:
        tmp = Path(tmp)
        lite_dir, contents = tmp / "lite", tmp / "contents"
        packages = list(PYODIDE_PACKAGES)
        if pyodide is not None:
            folder = _local_pyodide(Path(pyodide), tmp / "unpacked")
            shutil.copytree(folder, lite_dir / "static" / "pyodide")
            # Loading a package the distribution lacks would stop the kernel from starting at all.
            packages = [name for name in packages if _has_package(folder, name)]
        wheels = lite_dir / "pypi"  # indexed by the build for piplite, so %pip install finds them too
        wheels.mkdir(parents=True)
        for rel, lesson in lesson_tools.lesson_files(root):
            target = contents / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_for_pyodide(lesson.read_text(encoding="utf-8")), encoding="utf-8")
        bundled = [nbgrad_wheel(wheels)]
        bundled += [repack_installed(name, wheels) for name in WIDGET_DISTRIBUTIONS]
        packages += [f"{'../' * len(_WORKER_FOLDER.split('/'))}pypi/{wheel.name}" for wheel in bundled]
        settings = {"loadPyodideOptions": {"packages": packages}}
        if pyodide is not None:
            settings["disablePyPIFallback"] = True
        (lite_dir / "jupyter-lite.json").write_text(json.dumps({
            "jupyter-lite-schema-version": 0,
            "jupyter-config-data": {"appName": "nbgrad", "litePluginSettings": {KERNEL_PLUGIN: settings}},
        }, indent=2), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        command = [sys.executable, "-m", "jupyter", "lite", "build", "--lite-dir", str(lite_dir),
                   "--contents", str(contents), "--output-dir", str(out), "--no-sourcemaps", "--no-unused-shared-packages"]
        done = subprocess.run(command, cwd=tmp, capture_output=True, text=True)
        if done.returncode:
            raise LiteError(message("lite.build_failed", log=(done.stdout + done.stderr)[-3000:]))
    return out / "index.html"


def _for_pyodide(notebook):
    """The lesson with the site's kernel as its kernel: named ``python3``, it would open asking to pick one."""
    nb = json.loads(notebook)
    nb["metadata"]["kernelspec"] = {"display_name": "Python (Pyodide)", "language": "python", "name": "python"}
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def nbgrad_wheel(dest):
    """nbgrad's wheel in ``dest``: built from the checkout nbgrad runs from, else repacked from the installation."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "notebooks").is_dir():
        with tempfile.TemporaryDirectory(prefix="nbgrad-wheel-") as tmp:
            # A copy of what the wheel is made of: setuptools writes build/ and *.egg-info where it builds.
            source = Path(tmp) / "source"
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")
            source.mkdir()
            for name in ("pyproject.toml", "README.md", "LICENSE"):
                shutil.copy2(checkout / name, source / name)
            for name in ("nbgrad", "notebooks"):
                shutil.copytree(checkout / name, source / name, ignore=ignore)
            # setuptools is already installed: no network, no isolated build environment
            done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                                   "--no-index", "--wheel-dir", tmp, str(source)], capture_output=True, text=True)
            if done.returncode:
                raise LiteError(message("lite.wheel_failed", log=(done.stdout + done.stderr)[-3000:]))
            (wheel,) = Path(tmp).glob("nbgrad-*.whl")
            return Path(shutil.copy2(wheel, dest))
    return repack_installed("nbgrad", dest)


def repack_installed(name, dest):
    """A pure-Python wheel in ``dest`` made of the installed distribution ``name``'s files.

    Only what lives in site-packages goes in (its packages and ``.dist-info``); scripts and data files
    installed elsewhere (a JupyterLab extension's ``share/``) stay out, as do compiled caches.
    """
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        raise LiteError(message("lite.not_installed", name=name)) from None
    base = Path(dist.locate_file(""))
    info = next(p for p in dist.files if p.parent.name.endswith(".dist-info")).parent
    own = {"RECORD", "INSTALLER", "REQUESTED", "WHEEL", "direct_url.json"}  # written anew, or the installer's
    files = sorted((p for p in dist.files
                    if p.parts[0] != ".." and "__pycache__" not in p.parts and p.suffix != ".pyc"
                    and not (p.parent == info and p.name in own) and (base / p).is_file()), key=str)
    canonical = _canonical(dist.metadata["Name"]).replace("-", "_")
    wheel = Path(dest) / f"{canonical}-{dist.version}-py3-none-any.whl"
    record, info_name = [], f"{canonical}-{dist.version}.dist-info"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        def add(arcname, data):
            zf.writestr(zipfile.ZipInfo(arcname, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append((arcname, f"sha256={digest}", str(len(data))))

        for p in files:
            arcname = p.as_posix() if p.parts[0] != info.name else f"{info_name}/{Path(*p.parts[1:]).as_posix()}"
            add(arcname, (base / p).read_bytes())
        add(f"{info_name}/WHEEL", b"Wheel-Version: 1.0\nGenerator: nbgrad.lite\nRoot-Is-Purelib: true\n"
                                  b"Tag: py3-none-any\n")
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows([*record, (f"{info_name}/RECORD", "", "")])
        zf.writestr(zipfile.ZipInfo(f"{info_name}/RECORD", (1980, 1, 1, 0, 0, 0)), text.getvalue())
    return wheel


def _canonical(name):
    """A distribution's name as the packaging specifications compare names (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _local_pyodide(path, scratch):
    """The folder of the Pyodide distribution ``path`` (itself, or unpacked from its release ``.tar.bz2``)."""
    folder = path
    if path.is_file() and path.name.endswith((".tar.bz2", ".tar.gz", ".tgz")):
        with tarfile.open(path) as tar:
            # the "data" filter refuses links and paths out of the folder (Python versions that have it)
            tar.extractall(scratch, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
        folder = scratch
    found = [p.parent for p in folder.rglob("pyodide.mjs")] if folder.is_dir() else []
    found = [p for p in found if (p / "pyodide-lock.json").is_file()]
    if not found:
        raise LiteError(message("lite.no_pyodide", path=path))
    return min(found, key=lambda p: len(p.parts))


def _has_package(folder, name):
    """Whether the distribution in ``folder`` has the wheel of ``name`` and of everything it depends on."""
    lock = json.loads((folder / "pyodide-lock.json").read_text(encoding="utf-8"))["packages"]
    packages = {_canonical(key): entry for key, entry in lock.items()}  # "depends" may spell names otherwise
    todo, seen = [name], set()
    while todo:
        entry = packages.get(_canonical(todo.pop()))
        if entry is None or not (folder / entry["file_name"]).is_file():
            return False
        for dep in entry.get("depends", []):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return True
