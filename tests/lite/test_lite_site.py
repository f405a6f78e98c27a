"""``python -m nbgrad lite``: the JupyterLite site, its settings, and its Pyodide kernel in headless Chromium.

The browser is kept on 127.0.0.1 (browser_harness): a request anywhere else is aborted and recorded, and the
offline site must make none. The online site's Pyodide comes from its CDN, which this machine cannot reach, so
only its settings are checked here.
"""
import json
import os
import re
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

import pytest

pytest.importorskip("jupyterlite_core", reason="the JupyterLite site needs the lite extra (pip install -e '.[lite]')")
pytest.importorskip("jupyterlite_pyodide_kernel", reason="the JupyterLite site needs the lite extra "
                                                         "(pip install -e '.[lite]')")
from nbgrad import i18n, lesson_tools, lite  # noqa: E402
from tests.widgets import browser_harness as B  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
VERSION = re.search(r'^version = "(.+)"$', (REPO / "pyproject.toml").read_text(encoding="utf-8"), re.M).group(1)
BUNDLED = ("nbgrad", *lite.WIDGET_DISTRIBUTIONS)


def settings(site):
    config = json.loads((site / "jupyter-lite.json").read_text(encoding="utf-8"))["jupyter-config-data"]
    return config["litePluginSettings"][lite.KERNEL_PLUGIN]


def test_the_site_holds_both_languages_lessons_for_the_pyodide_kernel(online_site):
    shipped = [rel for rel, _ in lesson_tools.lesson_files()]
    found = sorted(PurePosixPath(p.relative_to(online_site / "files").as_posix())
                   for p in (online_site / "files").rglob("*.ipynb"))
    assert found == shipped and {rel.parts[0] for rel in found} == {"en", "zh"}
    for rel in found:
        nb = json.loads((online_site / "files" / rel).read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "python"  # the site's kernel: no "select a kernel" dialog
        assert nb["cells"] == json.loads(lesson_tools.lessons_dir().joinpath(*rel.parts).read_text())["cells"]


def test_the_kernel_loads_the_bundled_wheels_and_pyodides_packages_as_it_starts(online_site):
    kernel = settings(online_site)
    assert "pyodideUrl" not in kernel  # so the kernel's default: Pyodide's CDN
    packages = kernel["loadPyodideOptions"]["packages"]
    assert packages[:3] == ["numpy", "matplotlib", "networkx"]
    # Pyodide resolves a wheel's relative URL from the kernel's worker script: each must land on the wheel.
    worker = online_site / lite._WORKER_FOLDER
    assert any(worker.glob("*.worker.*.js"))
    wheels = [(worker / url).resolve() for url in packages[3:]]
    assert [w.name.split("-")[0] for w in wheels] == [name.replace("-", "_") for name in BUNDLED]
    assert all(w.is_file() and w.parent == online_site / "pypi" for w in wheels)
    # piplite finds them too (%pip install), and falls back to PyPI for the rest online
    index = json.loads((online_site / "pypi" / "all.json").read_text(encoding="utf-8"))
    assert set(index) >= {"nbgrad", "ipywidgets", "comm"}
    assert not kernel.get("disablePyPIFallback", False)


def test_nbgrads_wheel_is_this_checkouts(online_site):
    (wheel,) = (online_site / "pypi").glob("nbgrad-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(f"nbgrad-{VERSION}.dist-info/METADATA").decode()
        assert zf.read("nbgrad/lite.py") == (REPO / "nbgrad" / "lite.py").read_bytes()
    assert f"\nVersion: {VERSION}\n" in metadata
    assert "nbgrad/widgets/stepper.py" in names and "nbgrad/lessons/en/01_autograd_basics.ipynb" in names


def test_after_pip_install_nbgrad_the_wheel_is_repacked_from_the_installation(online_site, tmp_path):
    """A user of ``pip install nbgrad`` has no checkout: the site gets the installed files, as a wheel."""
    import subprocess
    import sys

    (built,) = (online_site / "pypi").glob("nbgrad-*.whl")
    installed = tmp_path / "site-packages"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target",
                           str(installed), str(built)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    code = "import sys; from nbgrad import lite; print(lite.__file__); print(lite.nbgrad_wheel(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(installed)}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    module, wheel = done.stdout.split()
    assert Path(module).is_relative_to(installed)  # the installed nbgrad, not this checkout
    with zipfile.ZipFile(built) as a, zipfile.ZipFile(wheel) as b:
        code_files = sorted(n for n in a.namelist() if not n.startswith(f"nbgrad-{VERSION}.dist-info/"))
        assert sorted(n for n in b.namelist() if not n.startswith(f"nbgrad-{VERSION}.dist-info/")) == code_files
        assert all(a.read(n) == b.read(n) for n in code_files)
        assert b.read(f"nbgrad-{VERSION}.dist-info/METADATA") == a.read(f"nbgrad-{VERSION}.dist-info/METADATA")
        assert b"Tag: py3-none-any" in b.read(f"nbgrad-{VERSION}.dist-info/WHEEL")
        # entry_points.txt among them: the display layer plugs in through its entry point
        assert {n for n in b.namelist() if ".dist-info/" in n} == {n for n in a.namelist() if ".dist-info/" in n}


def test_the_offline_site_carries_its_pyodide_and_loads_only_what_it_has(offline_site):
    kernel = settings(offline_site)
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs"
    assert (offline_site / "static" / "pyodide" / "pyodide.asm.wasm").is_file()
    assert kernel["disablePyPIFallback"] is True
    # no NumPy in this Pyodide: asking for it would stop the kernel from starting
    assert [p for p in kernel["loadPyodideOptions"]["packages"] if "/" not in p] == []


def test_a_folder_without_pyodide_is_refused_with_the_reason(tmp_path):
    with pytest.raises(lite.LiteError) as caught:
        lite.build(tmp_path / "out", pyodide=tmp_path)
    assert str(caught.value) == i18n.message("lite.no_pyodide", path=tmp_path)


def test_a_folder_with_other_files_is_never_replaced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(lite.LiteError) as caught:
        lite.build(tmp_path)
    assert str(caught.value) == i18n.message("lite.out_not_empty", path=tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_release_archive_is_unpacked_and_its_pyodide_folder_found(tmp_path):
    """Pyodide's GitHub release: pyodide-VERSION.tar.bz2 holding a pyodide/ folder."""
    (tmp_path / "pyodide").mkdir()
    (tmp_path / "pyodide" / "pyodide.mjs").write_text("")
    (tmp_path / "pyodide" / "pyodide-lock.json").write_text(json.dumps({"packages": {
        "numpy": {"file_name": "numpy.whl", "depends": []},
        "prompt-toolkit": {"file_name": "pt.whl", "depends": ["wcwidth"]},  # named as Pyodide's lock names them
        "wcwidth": {"file_name": "wcwidth.whl", "depends": []},
        "ipython": {"file_name": "ipython.whl", "depends": ["prompt_toolkit"]}}}))
    for wheel in ("pt.whl", "wcwidth.whl", "ipython.whl"):
        (tmp_path / "pyodide" / wheel).write_text("")
    archive = tmp_path / "pyodide-314.0.6.tar.bz2"
    with tarfile.open(archive, "w:bz2") as tar:
        tar.add(tmp_path / "pyodide", arcname="pyodide")
    found = lite._local_pyodide(archive, tmp_path / "unpacked")
    assert found == tmp_path / "unpacked" / "pyodide"
    assert not lite._has_package(found, "numpy")  # its wheel is missing
    assert lite._has_package(found, "ipython")
    (found / "wcwidth.whl").unlink()
    assert not lite._has_package(found, "ipython")  # a dependency's wheel is missing
    with pytest.raises(lite.LiteError) as caught:
        lite._local_pyodide(tmp_path / "pyodide" / "pt.whl", tmp_path / "elsewhere")
    assert str(caught.value) == i18n.message("lite.no_pyodide", path=tmp_path / "pyodide" / "pt.whl")


def open_lab(chromium, base, path):
    """JupyterLite's JupyterLab on the notebook ``path``, its Pyodide kernel started; (page, blocked requests)."""
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    blocked = B.local_only(page)
    errors, failed = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("response", lambda response: response.status >= 400 and failed.append((response.status, response.url)))
    page.on("requestfailed", lambda request: failed.append((request.failure, request.url)))
    page.goto(f"{base}/lab/index.html?path={path}")
    page.wait_for_function("() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
                           " const k = w && w.sessionContext && w.sessionContext.session"
                           "   && w.sessionContext.session.kernel;"
                           " return k && k.status === 'idle'; }", timeout=180_000)
    # until the kernel is ready: no console error, no failed request (local or blocked)
    assert (errors, failed) == ([], [])
    return page, blocked


def run(page, code):
    """Run ``code`` in the notebook's kernel; returns (stdout, error name or None)."""
    return page.evaluate("""async (code) => {
        const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        const future = kernel.requestExecute({code});
        let out = '', error = null;
        future.onIOPub = msg => {
            if (msg.header.msg_type === 'stream') out += msg.content.text;
            if (msg.header.msg_type === 'error') error = msg.content.ename + ': ' + msg.content.evalue;
        };
        await future.done;
        return [out, error];
    }""", code)


@pytest.mark.browser
def test_offline_the_lab_loads_the_kernel_starts_and_nbgrad_is_installed(offline_site):
    if B.skip_reason():
        pytest.skip(B.skip_reason())
    with B.serve(offline_site) as base, B.browser() as chromium:
        page, blocked = open_lab(chromium, base, "en/01_autograd_basics.ipynb")
        assert page.locator(".jp-Notebook .jp-Cell").count() > 10  # the lesson is open
        out, error = run(page, "import importlib.metadata as m, sys\n"
                               "print(sys.platform, *(m.version(n) for n in ('nbgrad', 'ipywidgets', 'comm')))")
        assert error is None
        assert out.split() == ["emscripten", VERSION, *(lite.importlib.metadata.version(n) for n in ("ipywidgets", "comm"))]
        # installed where Python imports from, with no install step; the widgets' comm opens in this kernel
        out, error = run(page, "import importlib.util, ipywidgets\n"
                               "print(importlib.util.find_spec('nbgrad').origin, ipywidgets.IntSlider(value=3).value)")
        assert error is None
        origin, value = out.split()
        assert origin.endswith("/site-packages/nbgrad/__init__.py") and value == "3"
        # a widget shows in the notebook: JupyterLite's widget manager talks to ipywidgets in Pyodide
        page.evaluate("""async () => {
            const app = window.jupyterapp, notebook = app.shell.currentWidget.content;
            notebook.activeCellIndex = notebook.widgets.findIndex(c => c.model.type === 'code');
            notebook.activeCell.model.sharedModel.setSource('import ipywidgets\\nipywidgets.IntSlider(value=3)');
            await app.commands.execute('notebook:run-cell');
        }""")
        readout = page.locator(".jp-Notebook .widget-slider .widget-readout").first
        readout.wait_for(timeout=60_000)
        assert readout.inner_text() == "3"
        # and nbgrad itself needs NumPy, which this Pyodide lacks (the kernel names the class as "<class ...>")
        out, error = run(page, "import nbgrad")
        assert "ModuleNotFoundError" in error and error.endswith(": No module named 'numpy'")
        assert blocked == []


@pytest.mark.browser
def test_lessons_run_in_pyodide_with_numpy(tmp_path, build_lite):
    """With a full Pyodide distribution (``$NBGRAD_TEST_PYODIDE``): lesson 1 runs to the end, lesson 4's stepper steps."""
    full = os.environ.get("NBGRAD_TEST_PYODIDE")
    if not full:
        pytest.skip("no Pyodide NumPy is obtainable here for Pyodide 314 (docs/lite.md): set NBGRAD_TEST_PYODIDE to a "
                    "full Pyodide 314 distribution folder to run the lessons in the browser")
    if B.skip_reason():
        pytest.skip(B.skip_reason())
    site = tmp_path / "full"
    build_lite(site, pyodide=full)
    assert settings(site)["loadPyodideOptions"]["packages"][:3] == ["numpy", "matplotlib", "networkx"]
    with B.serve(site) as base, B.browser() as chromium:
        page, blocked = open_lab(chromium, base, "en/01_autograd_basics.ipynb")
        B.run_all_cells(page)
        assert B.error_outputs(B.notebook_json(page)) == []
        page.close()
        page, _ = open_lab(chromium, base, "en/04_backprop_step_by_step.ipynb")
        B.run_all_cells(page)
        assert B.error_outputs(B.notebook_json(page)) == []
        forward = page.locator(f"button:has-text('{i18n.catalogue('en')['stepper.forward']}')").first
        readout = forward.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]").locator(
            ".widget-readout").first
        before = readout.inner_text()
        forward.click()
        page.wait_for_function("([el, before]) => el.innerText !== before", arg=[readout.element_handle(), before])
        assert int(readout.inner_text()) == int(before) + 1
        assert blocked == []
