"""The browser files a static page needs, pinned: require.js, the widgets' html-manager and MathJax 3.

Each is an npm package at one exact version, checked by the sha512 that the npm registry publishes for its
tarball (``npm view PKG@VER dist.integrity``). The tarballs come from, first match wins:

1. a folder the user gives (``--assets DIR``, or ``nbgrad_assets`` in conf.py) holding them as ``npm pack``
   names them; nothing else is tried, so a build from that folder never touches the network;
2. the cache, ``$NBGRAD_ASSETS_CACHE`` (default ``~/.cache/nbgrad/assets``);
3. the npm registry (``$npm_config_registry``, default https://registry.npmjs.org), downloaded into the cache.

The files a page loads are unpacked once per set of pins into ``<cache>/site-<key>/nbgrad-assets/``, which the
extension adds to Sphinx's static path (so they land in ``_static/nbgrad-assets/``).
"""
import base64
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..i18n import message

DEFAULT_REGISTRY = "https://registry.npmjs.org"
FOLDER = "nbgrad-assets"  # under _static/
UNPACKED = "3"  # the layout of the unpacked folder: raise it when keep() or the licences change


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # the registry's dist.integrity
    licence: str
    target: str  # folder under nbgrad-assets/

    @property
    def spec(self):
        return f"{self.name}@{self.version}"

    @property
    def tarball(self):
        """The file name ``npm pack`` gives it (``@scope/name`` becomes ``scope-name``)."""
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"

    def url(self, registry):
        return f"{registry.rstrip('/')}/{self.name}/-/{self.name.rsplit('/', 1)[-1]}-{self.version}.tgz"

    def keep(self, path):
        """Whether the page needs ``path`` (inside the tarball's ``package/``); licence files always."""
        if path.name.upper().startswith(("LICENSE", "COPYING")) or path.name.endswith(".LICENSE.txt"):
            return True
        if self.name == "requirejs":
            return path == PurePosixPath("require.js")
        if self.name == "@jupyter-widgets/html-manager":
            return path.parent == PurePosixPath("dist") and (path.name == "embed-amd.js" or path.suffix == ".woff2")
        # MathJax loads its components on demand from beside the script; the speech rules (sre/) and the
        # SVG output are left out: the pages use the CommonHTML output and no speech explorer.
        return (path.parts[0] == "es5" and "sre" not in path.parts[:2]
                and "svg" not in path.name and "svg" not in path.parts[:3])


PACKAGES = (
    Package("requirejs", "2.3.8",
            "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
            "MIT", "requirejs"),
    Package("@jupyter-widgets/html-manager", "1.0.15",
            "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
            "BSD-3-Clause", "html-manager"),
    Package("mathjax", "3.2.2",
            "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
            "Apache-2.0", "mathjax"),
)
# Paths under _static/ of what the pages load.
REQUIRE_JS = f"{FOLDER}/requirejs/require.js"
EMBED_AMD_JS = f"{FOLDER}/html-manager/dist/embed-amd.js"
WIDGET_FONTS = f"{FOLDER}/html-manager/dist"
MATHJAX_JS = f"{FOLDER}/mathjax/es5/tex-mml-chtml.js"


class AssetsError(RuntimeError):
    """A pinned file could not be had, or is not what was pinned."""


def cache_dir():
    return Path(os.environ.get("NBGRAD_ASSETS_CACHE") or Path.home() / ".cache" / "nbgrad" / "assets")


def registry():
    return os.environ.get("npm_config_registry") or DEFAULT_REGISTRY


def _digest(data):
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _verified(package, data, where):
    if _digest(data) != package.integrity:
        raise AssetsError(message("site.assets_mismatch", spec=package.spec, where=where))
    return data


def tarball(package, *, assets=None, cache=None, fetch=None):
    """The verified bytes of ``package``'s tarball, from ``assets``, else the cache, else the registry."""
    if assets is not None:
        path = Path(assets) / package.tarball
        if not path.is_file():
            raise AssetsError(message("site.assets_not_in_folder", spec=package.spec, file=package.tarball,
                                      folder=assets, command=pack_command()))
        return _verified(package, path.read_bytes(), path)
    cache = Path(cache) if cache is not None else cache_dir()
    cached = cache / package.tarball
    if cached.is_file():
        return _verified(package, cached.read_bytes(), cached)
    url = package.url(registry())
    try:
        data = (fetch or _download)(url)
    except (OSError, urllib.error.URLError) as error:
        raise AssetsError(message("site.assets_unreachable", spec=package.spec, url=url, error=error,
                                  cache=cache, command=pack_command())) from None
    _verified(package, data, url)
    cache.mkdir(parents=True, exist_ok=True)
    _write_atomically(cached, data)
    return data


def _download(url):
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read()


def _write_atomically(path, data):
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def pack_command():
    return "npm pack " + " ".join(p.spec for p in PACKAGES)


def prepare(*, assets=None, cache=None, fetch=None):
    """A folder holding ``nbgrad-assets/`` (every package's page files and licences), ready to be a static path.

    Every tarball is checked against its pin on each call; the unpacked folder is made once per set of pins.
    """
    cache = Path(cache) if cache is not None else cache_dir()
    data = {p: tarball(p, assets=assets, cache=cache, fetch=fetch) for p in PACKAGES}
    # a new key when the pins or what is taken from them change, so an older unpacked folder is never reused
    key = hashlib.sha256((UNPACKED + "".join(p.integrity for p in PACKAGES)).encode()).hexdigest()[:16]
    folder = cache / f"site-{key}"
    if (folder / FOLDER).is_dir():
        return folder
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=cache, prefix=".site-"))
    try:
        for package, blob in data.items():
            _unpack(package, blob, staging / FOLDER / package.target)
        try:
            staging.rename(folder)  # all at once: a build stopped half-way leaves no half-filled folder
        except OSError:
            if not (folder / FOLDER).is_dir():  # else another build got there first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _unpack(package, blob, dest):
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts
            if not member.isfile() or len(parts) < 2 or ".." in parts:
                continue
            path = PurePosixPath(*parts[1:])  # inside package/
            if package.keep(path):
                target = dest.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())
    # Two tarballs have no licence file, only the licence's name (package.json; require.js's header): the text
    # their repositories publish is written beside their files.
    if package.name in LICENCES:
        (dest / "LICENSE").write_text(LICENCES[package.name], encoding="utf-8")


# Legal texts, kept verbatim in English: the MIT licence as github.com/requirejs/requirejs/blob/master/LICENSE
# words it, and the BSD 3-Clause licence of github.com/jupyter-widgets/ipywidgets/blob/main/LICENSE.
REQUIREJS_LICENCE = """\
Copyright jQuery Foundation and other contributors, https://jquery.org/

This software consists of voluntary contributions made by many
individuals. For exact contribution history, see the revision history
available at https://github.com/requirejs/requirejs

The following license applies to all parts of this software except as
documented below:

====

Permission is hereby granted, free of charge, to any person obtaining
a copy of this software and associated documentation files (the
"Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to
the following conditions:

The above copyright notice and this permission notice shall be
included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION
OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""

IPYWIDGETS_LICENCE = """\
Copyright (c) 2015 Project Jupyter Contributors
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""
LICENCES = {"requirejs": REQUIREJS_LICENCE, "@jupyter-widgets/html-manager": IPYWIDGETS_LICENCE}
