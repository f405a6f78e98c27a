"""Screenshots of each widget, as a learner sees it in JupyterLab, for the README.

    python tests/widgets/screenshots.py docs/img

Needs what the browser tests need (see ``browser_harness.py``: Chromium, playwright, JupyterLab). It writes
a small notebook to a temporary folder, runs it in JupyterLab on 127.0.0.1, moves each widget to an
interesting state with real clicks and saves one PNG per widget into the folder given.
"""
import argparse
import sys
import tempfile
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

sys.path.insert(0, str(Path(__file__).resolve().parent))
import browser_harness as B  # noqa: E402

CELLS = [
    "import nbgrad\nfrom nbgrad.widgets import BackwardStepper, GradientPlayground, GraphView, TensorView\n\n"
    "x = nbgrad.ones(2, 2, requires_grad=True)\ny = x + 2\nz = y * y * 3\nout = z.mean()",
    "BackwardStepper(out)",
    "GraphView(out)",
    'GradientPlayground("x**2 + 3*y**2 - x*y", at=(1.5, 1.0))',
    "out.backward(retain_graph=True)\nnbgrad.manual_seed(0)\nW = nbgrad.randn(3, 4, requires_grad=True)\n"
    "(W.tanh() * nbgrad.arange(4.0)).sum().backward()\nTensorView(W, mode='heatmap')",
]
SHOTS = {  # file name -> CSS class of the widget
    "backward_stepper.png": ".nbgrad-stepper",
    "graph_view.png": ".nbgrad-graph-view",
    "gradient_playground.png": ".nbgrad-playground",
    "tensor_view.png": ".nbgrad-tensor-view",
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the PNGs (docs/img)")
    args = parser.parse_args(argv)
    reason = B.skip_reason()
    if reason:
        parser.error(reason)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nbgrad-screenshots-") as root:
        shoot(Path(root), args.out)


def shoot(root, out):
    """Write the notebook into the folder ``root``, open it in JupyterLab and save the PNGs into ``out``."""
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in CELLS], metadata={"kernelspec": kernel}),
                   root / "widgets.ipynb")
    with B.browser() as chromium, B.jupyterlab(root) as (base, token):
        page, panel, _ = B.open_notebook(chromium, base, token, "widgets.ipynb")
        B.run_all_cells(page)
        stepper = panel.locator(".nbgrad-stepper")
        for _ in range(3):
            stepper.locator("button", has_text="step ▶").click()
        stepper.locator(".nbgrad-step-title", has_text="Step 3 of").wait_for()
        graph = panel.locator(".nbgrad-graph-view")
        graph.locator("select").select_option(label="*  (MulBackward0)")
        graph.locator("text=operation *").wait_for()
        for name, css in SHOTS.items():
            widget = panel.locator(css)
            widget.scroll_into_view_if_needed()
            page.wait_for_function("els => els.every(e => e.complete && e.naturalWidth > 0)",
                                   arg=widget.locator("img").element_handles())
            page.wait_for_timeout(500)  # MathJax typesets the stepper's rule after the frame shows
            widget.screenshot(path=str(out / name))
            print(out / name)
        page.close()


if __name__ == "__main__":
    main()
