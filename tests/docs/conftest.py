"""The lessons' documentation site, built once per test session with no network (``built_site``).

The pinned browser files (``nbgrad.sphinxext.assets``) are put in the cache first, online
(``$NBGRAD_ASSETS_CACHE``, default ``~/.cache/nbgrad/assets``): the site's tests skip, with the reason, when the
npm registry cannot be reached and nothing is cached. Then ``python -m nbgrad site`` runs inside
``unshare -n``, a network namespace with no interface but loopback, so the build proves it needs no network;
where unshare is not permitted the build runs without it and ``site_build["reason"]`` says why
(``test_site.py::test_the_site_builds_with_no_network`` skips with it).
"""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _unshare_reason():
    if shutil.which("unshare") is None:
        return "no unshare command here (util-linux), so the build could not be cut off from the network"
    done = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    if done.returncode:
        return f"unshare -n is not permitted here ({done.stderr.strip()}), so the build ran with the network"
    return None


@pytest.fixture(scope="session")
def built_site(site_build):
    """The site's folder (``index.html``, ``en/``, ``zh/``), built offline from the cached pinned assets."""
    return site_build["path"]


@pytest.fixture(scope="session")
def site_build(tmp_path_factory, request):
    """How the site was built: its ``path``; ``offline``, whether the build ran cut off from the network (else
    ``reason`` says why not); ``seconds``; ``log``, what the build printed."""
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    pytest.importorskip("pydata_sphinx_theme")
    request.getfixturevalue("pinned_assets")  # fetched (or skipped) once the tools are known to be there
    out = tmp_path_factory.mktemp("site") / "site"
    command = [sys.executable, "-m", "nbgrad", "site", str(out)]
    reason = _unshare_reason()
    if reason is None:
        command = ["unshare", "-n", *command]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
               NBGRAD_LANG="en")
    start = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.monotonic() - start
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    return {"path": out, "offline": reason is None, "reason": reason, "seconds": seconds,
            "log": done.stdout + done.stderr}
