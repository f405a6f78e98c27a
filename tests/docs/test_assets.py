"""The pinned browser files of the site (``nbgrad.sphinxext.assets``), with stand-in packages: no network here."""
import io
import os
import subprocess
import sys
import tarfile
import urllib.error
from pathlib import Path

import pytest

from nbgrad.i18n import speaking
from nbgrad.sphinxext import assets


def _tgz(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _package(name, files, version="1.0.0"):
    blob = _tgz(files)
    return assets.Package(name, version, assets._digest(blob), "MIT", name.rsplit("/", 1)[-1]), blob


@pytest.fixture(autouse=True)
def english():
    with speaking("en"):
        yield


class Registry:
    """A stand-in for the npm registry: answers from a dict, and remembers what it was asked."""

    def __init__(self, answers=None):
        self.answers, self.asked = answers or {}, []

    def __call__(self, url):
        self.asked.append(url)
        if url not in self.answers:
            raise urllib.error.URLError("no route to host")
        return self.answers[url]


def test_a_tarball_whose_sha512_differs_from_the_pin_is_refused_and_not_cached(tmp_path):
    package, blob = _package("requirejs", {"require.js": "define()"})
    forged = _tgz({"require.js": "steal()"})
    registry = Registry({package.url(assets.DEFAULT_REGISTRY): forged})
    with pytest.raises(assets.AssetsError, match="sha512 differs"):
        assets.tarball(package, cache=tmp_path, fetch=registry)
    assert not (tmp_path / package.tarball).exists()
    (tmp_path / package.tarball).write_bytes(forged)  # a cache tampered with is refused too
    with pytest.raises(assets.AssetsError, match="sha512 differs"):
        assets.tarball(package, cache=tmp_path, fetch=registry)


def test_a_cached_tarball_is_used_without_asking_the_registry(tmp_path, monkeypatch):
    monkeypatch.delenv("npm_config_registry", raising=False)
    package, blob = _package("@jupyter-widgets/html-manager", {"dist/embed-amd.js": "x"})
    registry = Registry({package.url(assets.DEFAULT_REGISTRY): blob})
    assert assets.tarball(package, cache=tmp_path, fetch=registry) == blob
    assert registry.asked == ["https://registry.npmjs.org/@jupyter-widgets/html-manager/-/html-manager-1.0.0.tgz"]
    assert (tmp_path / "jupyter-widgets-html-manager-1.0.0.tgz").read_bytes() == blob  # as npm pack names it
    assert assets.tarball(package, cache=tmp_path, fetch=registry) == blob
    assert len(registry.asked) == 1


def test_the_registry_is_npms_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:4873/")
    package, blob = _package("mathjax", {"es5/tex-mml-chtml.js": "x"})
    registry = Registry({"http://127.0.0.1:4873/mathjax/-/mathjax-1.0.0.tgz": blob})
    assert assets.tarball(package, cache=tmp_path, fetch=registry) == blob


def test_missing_assets_say_what_to_do(tmp_path):
    package, _ = _package("requirejs", {"require.js": "x"})
    with pytest.raises(assets.AssetsError) as unreachable:
        assets.tarball(package, cache=tmp_path / "cache", fetch=Registry())
    assert "--assets DIR" in str(unreachable.value) and "npm pack" in str(unreachable.value)
    (tmp_path / "given").mkdir()
    with pytest.raises(assets.AssetsError) as not_given:
        assets.tarball(package, assets=tmp_path / "given", fetch=Registry())
    assert "requirejs-1.0.0.tgz" in str(not_given.value) and "npm pack" in str(not_given.value)


def test_a_given_folder_is_used_alone(tmp_path):
    package, blob = _package("requirejs", {"require.js": "x"})
    (tmp_path / package.tarball).write_bytes(blob)
    registry = Registry()
    assert assets.tarball(package, assets=tmp_path, cache=tmp_path / "cache", fetch=registry) == blob
    assert registry.asked == [] and not (tmp_path / "cache").exists()


def test_prepare_unpacks_what_the_pages_load_with_the_licences(tmp_path, monkeypatch):
    packages = [
        _package("requirejs", {"require.js": "define()", "bin/r.js": "optimiser", "README.md": "x"}),
        _package("@jupyter-widgets/html-manager", {"dist/embed-amd.js": "x", "dist/a.woff2": "f", "dist/a.ttf": "t",
                                                   "dist/embed.js.LICENSE.txt": "notices", "src/index.ts": "x"}),
        _package("mathjax", {"LICENSE": "Apache", "es5/tex-mml-chtml.js": "x", "es5/sre/mathmaps/en.json": "big",
                             "es5/output/chtml/fonts/woff-v2/a.woff": "f", "es5/output/svg.js": "x"}),
    ]
    monkeypatch.setattr(assets, "PACKAGES", tuple(p for p, _ in packages))
    registry = Registry({p.url(assets.DEFAULT_REGISTRY): blob for p, blob in packages})
    folder = assets.prepare(cache=tmp_path, fetch=registry)
    found = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert found == [
        "nbgrad-assets/html-manager/LICENSE", "nbgrad-assets/html-manager/dist/a.woff2",
        "nbgrad-assets/html-manager/dist/embed-amd.js", "nbgrad-assets/html-manager/dist/embed.js.LICENSE.txt",
        "nbgrad-assets/mathjax/LICENSE", "nbgrad-assets/mathjax/es5/output/chtml/fonts/woff-v2/a.woff",
        "nbgrad-assets/mathjax/es5/tex-mml-chtml.js",
        "nbgrad-assets/requirejs/LICENSE", "nbgrad-assets/requirejs/require.js",
    ]
    assert "Permission is hereby granted" in (folder / "nbgrad-assets/requirejs/LICENSE").read_text()
    assert "Project Jupyter Contributors" in (folder / "nbgrad-assets/html-manager/LICENSE").read_text()
    asked = len(registry.asked)
    assert assets.prepare(cache=tmp_path, fetch=Registry()) == folder and len(registry.asked) == asked


def test_the_pins_are_exact_versions_with_sha512():
    assert {p.spec for p in assets.PACKAGES} == {"@jupyter-widgets/html-manager@1.0.15", "requirejs@2.3.8",
                                                 "mathjax@3.2.2"}
    assert all(p.integrity.startswith("sha512-") and len(p.integrity) == 95 for p in assets.PACKAGES)


def test_the_site_command_says_what_is_missing_and_builds_nothing(tmp_path):
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, NBGRAD_ASSETS_CACHE=str(tmp_path / "empty"), npm_config_registry="http://127.0.0.1:9",
               NBGRAD_LANG="en", PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-m", "nbgrad", "site", str(tmp_path / "out")], env=env, cwd=tmp_path,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, done.stderr[-3000:]
    assert done.stderr.count("\n") == 1 and "--assets DIR" in done.stderr and "npm pack" in done.stderr, done.stderr
    assert not (tmp_path / "out" / "en").exists()
