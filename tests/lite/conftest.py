"""The JupyterLite sites the tests open, each built once per test session, and the local Pyodide they run.

The offline site needs a Pyodide distribution. Pyodide's full release is not obtainable here, so the fixture
makes one: npm's ``pyodide`` package (the core: interpreter, standard library, package lock; no wheels) plus
the pure-Python wheels the kernel loads while it starts (micropip, IPython and what it needs), from PyPI.
Every download is pinned and hash-checked, and goes into ``$NBGRAD_TEST_CACHE`` (see browser_harness), never
into the repository. NumPy is not among them: no Pyodide 314 NumPy can be had here (docs/lite.md).
"""
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from tests.widgets.browser_harness import cache_dir

PYODIDE_NPM = "pyodide@314.0.6"  # the version jupyterlite-pyodide-kernel 0.8.6 loads from the CDN
PYODIDE_INTEGRITY = ("sha512-BKDTJyIqFxC4BExLqeRS3f5xvXZIjOt8C3zGLN/Cc7tFxSwvKVhVkchQQ2AGLOtR4YrVOIFxbV8poyDOOm"
                     "WwxQ==")
# The versions of Pyodide 314.0.6's own lock; its wheels are rebuilt, so PyPI's hashes differ from the lock's.
BOOT_WHEELS = {
    "micropip==0.11.1": "768de165adb8e66906039d8fec4127a57f522dfdf8e6fbff877a4616941ecfd3",
    "ipython==9.12.0": "0f2701e8ee86e117e37f50563205d36feaa259d2e08d4a6bc6b6d74b18ce128d",
    "jedi==0.19.2": "a8ef22bde8490f57fe5c7681a3c83cb58874daf72b4784de3cce5b6ef6edb5b9",
    "parso==0.8.6": "2c549f800b70a5c4952197248825584cb00f033b29c692671d3bf08bf380baff",
    "asttokens==3.0.1": "15a3ebc0f43c2d0a50eeafea25e19046c68398e487b9f1f5b517f7c0f40f976a",
    "decorator==5.2.1": "d316bb415a2d9e2d2b3abcc4084c6502fc09240e292cd76a76afc106a1c8e04a",
    "executing==2.2.1": "760643d3452b4d777d295bb167ccc74c64a81df23fb5e08eff250c425a4b2017",
    "matplotlib-inline==0.2.1": "d56ce5156ba6085e00a9d54fead6ed29a9c47e215cd1bba2e976ef39f5710a76",
    "prompt_toolkit==3.0.52": "9aac639a3bbd33284347de5ad8d68ecc044b91a762dc39b7c21095fcd6a19955",
    "pure-eval==0.2.3": "1db8e35b67b3d218d818ae653e27f06c3aa420901fa7b081ca98cbedc874e0d0",
    "pygments==2.20.0": "81a9e26dd42fd28a23a2d169d86d7ac03b46e2f8b59ed4698fb4785f946d0176",
    "six==1.17.0": "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274",
    "stack-data==0.6.3": "d5558e0c25a4cb0853cddad3d77da9891a08cb85dd9f9f91b9f8cd66e511e695",
    "traitlets==5.14.3": "b74e89e397b1ed28cc831db7aea759ba6640cb3de13090ca145426688ff1ac4f",
    "wcwidth==0.6.0": "1a3a1e510b553315f8e146c54764f4fb6264ffad731b3d78088cdb1478ffbdad",
}


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _fetch_pyodide_core(folder):
    """npm's pyodide package, its tarball checked against the pinned integrity, unpacked into ``folder``."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("the offline JupyterLite site needs npm once, to fetch Pyodide's core (npm pack pyodide)")
    packs = cache_dir() / "npm-packs"
    packs.mkdir(exist_ok=True)
    done = subprocess.run([npm, "pack", PYODIDE_NPM, "--json", "--pack-destination", str(packs),
                           "--cache", str(cache_dir() / "npm-cache")], capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise RuntimeError(f"npm pack {PYODIDE_NPM} failed:\n{done.stderr[-2000:]}")
    tarball = packs / json.loads(done.stdout)[0]["filename"]
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != PYODIDE_INTEGRITY:
        raise RuntimeError(f"{tarball} is not the pinned {PYODIDE_NPM}: {digest}")
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            name = Path(member.name)
            if member.isfile() and name.parts[0] == "package" and len(name.parts) == 2:
                (folder / name.name).write_bytes(tar.extractfile(member).read())


def _fetch_boot_wheels(folder):
    """The kernel's boot wheels from PyPI into ``folder``, pip checking each against its pinned sha256."""
    requirements = folder / "requirements.txt"
    requirements.write_text("".join(f"{pin} --hash=sha256:{sha}\n" for pin, sha in BOOT_WHEELS.items()))
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                           "--python-version", "3.14", "--require-hashes", "-r", str(requirements), "-d", str(folder)],
                          capture_output=True, text=True, timeout=600)
    requirements.unlink()
    if done.returncode:
        raise RuntimeError(f"pip download of the kernel's boot wheels failed:\n{done.stderr[-2000:]}")


def _point_lock_at_wheels(folder):
    """Make the lock's entries for the downloaded wheels name those files and their hashes (Pyodide checks them)."""
    lock_path = folder / "pyodide-lock.json"
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    entries = {_canonical(name): entry for name, entry in lock["packages"].items()}
    for wheel in folder.glob("*.whl"):
        entry = entries[_canonical(wheel.name.split("-")[0])]
        entry["file_name"] = wheel.name
        entry["sha256"] = hashlib.sha256(wheel.read_bytes()).hexdigest()
    lock_path.write_text(json.dumps(lock), encoding="utf-8")


@pytest.fixture(scope="session")
def local_pyodide():
    """A Pyodide 314 distribution folder with no NumPy: enough for the kernel to start with no network."""
    folder = cache_dir() / "pyodide-314.0.6-kernel"
    if not (folder / "pyodide-lock.json").exists():
        staging = Path(tempfile.mkdtemp(dir=cache_dir()))
        _fetch_pyodide_core(staging)
        _fetch_boot_wheels(staging)
        _point_lock_at_wheels(staging)
        staging.rename(folder)  # all at once: a run stopped half-way leaves no half-made distribution
    return folder


def _build(out, **options):
    from nbgrad import lite

    index = lite.build(out, **options)
    # Tests drive the page through JupyterLab's application object, which the page exposes only when asked.
    config = out / "jupyter-lite.json"
    settings = json.loads(config.read_text(encoding="utf-8"))
    settings["jupyter-config-data"]["exposeAppInBrowser"] = "true"
    config.write_text(json.dumps(settings), encoding="utf-8")
    return index


@pytest.fixture(scope="session")
def build_lite():
    """``build(out, **options)``: a site as ``nbgrad.lite.build`` makes it, its application object exposed."""
    return _build


@pytest.fixture(scope="session")
def online_site(tmp_path_factory):
    """The site as ``python -m nbgrad lite OUT`` builds it: Pyodide from its CDN."""
    out = tmp_path_factory.mktemp("lite") / "online"
    _build(out)
    return out


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory, local_pyodide):
    """The site as ``python -m nbgrad lite OUT --pyodide DIR`` builds it, with the NumPy-less local Pyodide."""
    out = tmp_path_factory.mktemp("lite") / "offline"
    _build(out, pyodide=local_pyodide)
    return out
