"""A real browser for the widget tests and the screenshots: headless Chromium driven by playwright.

What it needs, and what happens without it (each test skips, saying which is missing):

- Debian's ``chromium`` at /usr/bin/chromium (``apt-get install -y chromium``), or the path in
  ``$NBGRAD_CHROMIUM``; playwright never downloads a browser here (no ``playwright install``);
- ``pip install playwright`` (in the ``test`` extra);
- JupyterLab and ipywidgets (the ``notebook`` extra), for the test in JupyterLab.

The static site's tests (``tests/docs/``) use ``serve()`` for its pages; the JupyterLite tests (``tests/lite/``)
keep their downloads in ``cache_dir()``.

Every server started here listens on 127.0.0.1 only, on a free port, and the browser is kept off every
other address: a request anywhere else is aborted and recorded.
"""
import contextlib
import functools
import http.server
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("NBGRAD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
WIDGET_ERRORS = ".jupyter-widgets .widget-error, .jp-OutputArea-output:has-text('Error displaying widget')"


def skip_reason():
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401 - only whether it is there
    except ImportError:
        return "the browser tests need playwright (pip install playwright; never 'playwright install')"
    if not os.path.exists(CHROMIUM):
        return f"the browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium, or set NBGRAD_CHROMIUM)"
    return None


@contextlib.contextmanager
def browser():
    """A headless Chromium (playwright's Browser) that can reach 127.0.0.1 only."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def local_only(page):
    """Abort every request that leaves this machine; returns the list the aborted URLs are added to."""
    blocked = []

    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "file:", "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    return blocked


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(home):
    """The environment of a server we start: this checkout importable, Jupyter's folders out of the user's."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(home / name.lower())
    env["MPLBACKEND"] = "agg"
    return env


@contextlib.contextmanager
def jupyterlab(root, *, timeout=90):
    """JupyterLab serving ``root`` on 127.0.0.1 with a throw-away token; yields (base URL, token)."""
    port, token = free_port(), secrets.token_hex(16)
    home = Path(tempfile.mkdtemp(prefix="nbgrad-lab-"))
    env = _environment(home)
    config = Path(env["JUPYTER_CONFIG_DIR"])
    config.mkdir(parents=True)
    # No news feed, no update check, no extension manager calling PyPI: the page needs nothing but the server.
    (config / "jupyter_server_config.json").write_text(json.dumps({
        "ServerApp": {"ip": "127.0.0.1", "port": port, "port_retries": 0, "open_browser": False,
                      "root_dir": str(root), "allow_root": True, "terminals_enabled": False},
        "IdentityProvider": {"token": token},
        "LabApp": {"expose_app_in_browser": True, "news_url": None, "extension_manager": "readonly",
                   "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                   "user_settings_dir": str(home / "settings"), "workspaces_dir": str(home / "workspaces")},
    }))
    settings = home / "settings" / "@jupyterlab"
    # every cell in the page (no virtual scrolling), so that a test can find every output
    for plugin, values in {"apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
                           "notebook-extension/tracker": {"windowingMode": "none"}}.items():
        (settings / plugin).parent.mkdir(parents=True, exist_ok=True)
        (settings / f"{plugin}.jupyterlab-settings").write_text(json.dumps(values))
    log = open(home / "server.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "jupyterlab"], env=env, cwd=root, stdout=log,
                              stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start:\n{(home / 'server.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(home, ignore_errors=True)


def open_notebook(chromium, base, token, name):
    """JupyterLab on the notebook ``name`` (relative to the server's root), its kernel ready.

    Returns (page, the notebook's panel as a locator, the list of requests blocked). The workspace is
    reset, so that no other notebook opened earlier comes back in a hidden tab.
    """
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    blocked = local_only(page)
    page.goto(f"{base}/lab/tree/{name}?reset&token={token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                           " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
                           timeout=120_000)
    panel_id = page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
    return page, page.locator(f"[id='{panel_id}']"), blocked


def run_all_cells(page, *, timeout=300):
    """Run every cell (as Run > Run All Cells) and wait until the kernel has finished them all."""
    page.set_default_timeout(timeout * 1000)
    try:
        # the command's promise settles once the last cell has run (or one failed)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(
            """() => {
                const panel = window.jupyterapp.shell.currentWidget;
                const cells = panel.content.widgets.filter(c => c.model.type === 'code');
                return panel.sessionContext.session.kernel.status === 'idle'
                    && cells.every(c => c.model.executionCount !== null);
            }""")
    finally:
        page.set_default_timeout(30_000)


def notebook_json(page):
    """The notebook as JupyterLab holds it now (nbformat JSON, outputs included)."""
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.context.model.toJSON()")


def error_outputs(nb):
    """Error outputs of cells that are not tagged ``raises-exception``: (cell index, ename, evalue)."""
    found = []
    for i, cell in enumerate(nb["cells"]):
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                found.append((i, output["ename"], output["evalue"]))
    return found


# ----- static pages -----
@contextlib.contextmanager
def serve(folder):
    """A static file server for ``folder`` on 127.0.0.1; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def execute(notebook, out):
    """Run ``notebook`` with nbclient, saving outputs and widget state to ``out`` (as ``python -m nbgrad
    execute`` does for the lessons)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    env_path = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = env_path  # the kernel imports this checkout
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", record_timing=False, store_widget_state=True,
                       resources={"metadata": {"path": str(Path(notebook).parent)}}).execute()
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old
    nbformat.write(nb, out)
    return nb


def cache_dir():
    """Where tests keep what they download (the JupyterLite tests' Pyodide and wheels), never the repository:
    ``$NBGRAD_TEST_CACHE``, default a folder in the system's temporary directory."""
    path = Path(os.environ.get("NBGRAD_TEST_CACHE") or Path(tempfile.gettempdir()) / "nbgrad-test-cache")
    path.mkdir(parents=True, exist_ok=True)
    return path
