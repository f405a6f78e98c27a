"""nbgrad as the browser runs it (Pyodide): no thread, no subprocess, no fork, ``sys.platform`` "emscripten".

Chromium runs the real Pyodide in ``test_lite_site.py``, but without a Pyodide NumPy here (docs/lite.md) nbgrad cannot
be imported there. So this runs every lesson, ``draw``, every widget and the command line in a CPython where
whatever Pyodide lacks raises as it does in Pyodide, in a subprocess so that the patches do not leak into other
tests.
"""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nbgrad import i18n

pytest.importorskip("ipywidgets", reason="the widgets need ipywidgets (pip install -e '.[notebook]')")
pytest.importorskip("IPython", reason="the lesson runs in an IPython shell (pip install -e '.[notebook]')")

REPO = Path(__file__).resolve().parents[2]

BROWSER_LIKE = textwrap.dedent(r"""
    import errno, json, os, subprocess, sys, sysconfig, threading

    sysconfig.get_config_vars()  # read now: CPython's build data has no "emscripten" file to read later

    def no_thread(self, *args, **kwargs):
        raise RuntimeError("can't start new thread")  # Pyodide's words

    def no_process(*args, **kwargs):
        raise OSError(errno.ENOSYS, "Function not implemented")

    threading.Thread.start = no_thread
    subprocess.Popen.__init__ = no_process
    for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp", "system", "execv", "execve"):
        if hasattr(os, name):
            setattr(os, name, no_process)
    sys.platform = "emscripten"

    import asyncio, types
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # a file-backed history saves from a thread
    shell = InteractiveShell(config=config)
    request = None  # JupyterLite's kernel before its first request: no parent message
    shell.kernel = types.SimpleNamespace(get_parent=lambda: request)
    report = {"errors": []}

    for path in sys.argv[1:]:  # each lesson in a namespace of its own, as in its own notebook
        shell.reset(new_session=False)
        lesson = json.loads(open(path, encoding="utf-8").read())
        for i, cell in enumerate(lesson["cells"]):
            if cell["cell_type"] != "code" or "raises-exception" in cell["metadata"].get("tags", []):
                continue
            result = shell.run_cell("".join(cell["source"]), store_history=False)
            if not result.success:
                report["errors"].append((os.path.basename(path), i, repr(result.error_before_exec or result.error_in_exec)))
        if "x.grad" not in report:  # lesson 1's
            report["x.grad"] = shell.user_ns["x"].grad.tolist()

    import nbgrad
    from nbgrad.display.graph import draw
    from nbgrad.display.figure import figure_png
    from nbgrad.widgets import BackwardStepper, GradientPlayground, GraphView, TensorView

    w = nbgrad.tensor([0.5, -1.0], requires_grad=True)
    x = nbgrad.tensor([1.0, 2.0])
    n = (w @ x + 1.0).tanh()
    report["draw"] = figure_png(draw(n))[:8] == b"\x89PNG\r\n\x1a\n"

    stepper = BackwardStepper(n)  # a batch run (no person at it): every frame drawn now
    for _ in range(stepper.slider.max):
        stepper.forward_button.click()
    report["stepper"] = [stepper.slider.value, stepper.slider.max, stepper.progress.value]
    stepper.back_button.click()
    report["stepper_back"] = stepper.slider.value
    stepper.reset_button.click()
    report["stepper_reset"] = stepper.slider.value
    view = TensorView(w)
    graph = GraphView(n)
    playground = GradientPlayground("x ** 2")
    report["widgets"] = [type(v).__name__ for v in (view, graph, playground)]
    for widget in (stepper, view, graph, playground):
        report.setdefault("snapshots", []).append("text/html" in widget._repr_mimebundle_())

    async def in_the_kernel():
        # a person at the notebook: the stepper draws between the kernel's turns, on its event loop
        global request
        request = {"content": {"allow_stdin": True}}
        stepper = BackwardStepper(n)
        for _ in range(100):
            if stepper.progress.value == stepper.progress.max:
                break
            await asyncio.sleep(0)
        return stepper.progress.value, stepper.progress.max

    report["drawn_in_loop"] = list(asyncio.run(in_the_kernel()))

    # JupyterLite's kernel runs in its notebook's folder, with no JPY_SESSION_NAME: the folder's lessons say "zh"
    from nbgrad import i18n
    os.chdir(os.path.join(os.path.dirname(sys.argv[1]), os.pardir, "zh"))
    i18n._found = None
    report["language"] = i18n.get_language()
    os.chdir(os.path.dirname(sys.argv[1]))
    i18n._found = None

    import contextlib, io
    from nbgrad import cli
    report["cli"] = []
    for argv in (["execute"], ["lite", "out"], ["lessons", "copied"]):
        said = io.StringIO()
        with contextlib.redirect_stderr(said):
            try:
                cli.main(argv)
            except SystemExit as exit:
                report["cli"].append([exit.code, said.getvalue()])
    print(json.dumps(report))
""")


def test_lessons_draw_and_widgets_run_without_threads_or_processes():
    lessons = sorted((REPO / "notebooks" / "en").glob("*.ipynb"))
    done = subprocess.run([sys.executable, "-c", BROWSER_LIKE, *map(str, lessons)], capture_output=True, text=True,
                          cwd=REPO, env={**__import__("os").environ, "PYTHONPATH": str(REPO), "MPLBACKEND": "agg"},
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert report["x.grad"] == [5.0, -1.0, 4.0]  # the last solution: 2 * x + 3 at x = [1, -2, 0.5]
    assert report["draw"] is True
    steps = report["stepper"][1]
    assert steps > 0 and report["stepper"] == [steps, steps, steps + 1]
    assert report["stepper_back"] == steps - 1 and report["stepper_reset"] == 0
    assert report["widgets"] == ["TensorView", "GraphView", "GradientPlayground"]
    assert report["snapshots"] == [True] * 4
    assert report["drawn_in_loop"][0] == report["drawn_in_loop"][1]
    assert report["language"] == "zh"
    # the commands that start programs say that they cannot, instead of failing on a missing fork
    refusal = i18n.message("lite.no_processes")
    assert report["cli"] == [[2, f"python -m nbgrad {command}: {refusal}\n"] for command in ("execute", "lite", "lessons")]
