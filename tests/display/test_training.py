"""Watching a network learn: text progress outside a notebook, one PNG output updated in place inside one,
stable under nbval, and a static decision-boundary figure."""
import base64
import os
import re
import subprocess
import sys
import textwrap

import pytest

import nbgrad
import nbgrad.nn as nn
import nbgrad.optim as optim
from nbgrad.data import make_moons, make_regression_1d
from nbgrad.display.training import TrainingMonitor, accuracy, fit, plot_decision_boundary

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))

TRAIN_CELL = textwrap.dedent("""\
    import nbgrad, nbgrad.nn as nn, nbgrad.optim as optim
    from nbgrad.data import make_moons
    from nbgrad.display.training import fit
    X, y = make_moons(n_samples=100, seed=0)
    nbgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    monitor = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.05), X, y, steps=30, every=10)
""")


def moons_setup(seed=0):
    X, y = make_moons(n_samples=100, seed=0)
    nbgrad.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    return model, optim.Adam(model.parameters(), lr=0.05), X, y


# ============================================================== outside a notebook: text

def test_fit_prints_about_ten_progress_lines_then_a_summary(capsys):
    model, opt, X, y = moons_setup()
    monitor = fit(model, nn.CrossEntropyLoss(), opt, X, y, steps=200, every=5)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 11
    assert lines[0].startswith("step  20/200  loss ") and lines[9].startswith("step 200/200  loss ")
    assert lines[-1] == monitor.summary()
    assert lines[-1].startswith("trained 200 steps: loss ") and lines[-1].endswith(", training accuracy 100.0%")
    assert len(monitor.losses) == 200 and monitor.losses[-1] < monitor.losses[0] / 10
    assert monitor.accuracy == accuracy(model, X, y) == 1.0


def test_the_printed_text_is_the_same_on_every_run(capsys):
    outputs = []
    for _ in range(2):
        model, opt, X, y = moons_setup()
        fit(model, nn.CrossEntropyLoss(), opt, X, y, steps=40, every=10, batch_size=16)
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] and outputs[0].count("\n") == 5


def test_mini_batches_run_over_several_epochs():
    model, opt, X, y = moons_setup()
    seen = []
    loss_fn = nn.CrossEntropyLoss()
    monitor = fit(model, lambda out, target: seen.append(len(target)) or loss_fn(out, target), opt, X, y,
                  steps=9, batch_size=32, live=False)
    assert seen == [32, 32, 32, 4] * 2 + [32] and len(monitor.losses) == 9


def test_a_monitor_in_your_own_loop_closes_itself_after_the_last_step(capsys):
    X, y = make_regression_1d(n_samples=50)
    nbgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    opt, loss_fn = optim.SGD(model.parameters(), lr=0.1), nn.MSELoss()
    monitor = TrainingMonitor(steps=20, model=model, X=X, y=y, every=5, live=False)
    for _ in range(20):
        loss = loss_fn(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        monitor.update(loss)
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == monitor.summary() and "accuracy" not in out[-1] and monitor.closed  # regression
    assert len(out) == 5
    with pytest.raises(RuntimeError, match="closed"):
        monitor.update(0.5)
    assert monitor.close() == monitor.summary() and capsys.readouterr().out == ""  # once only


def test_stopping_early_prints_the_last_step_and_the_summary_once(capsys):
    monitor = TrainingMonitor(steps=100, every=10, live=False)
    for loss in (1.0, 0.5, 0.25):
        monitor.update(loss)
    monitor.close()
    assert capsys.readouterr().out.splitlines() == ["step   3/100  loss 0.2500", "trained 3 steps: loss 1. -> 0.2500"]
    assert TrainingMonitor(steps=5, live=True).close() == "trained 0 steps"  # nothing to draw
    assert capsys.readouterr().out == "trained 0 steps\n"
    with pytest.raises(ValueError, match="steps and every must be positive"):
        TrainingMonitor(steps=0)


def test_text_mode_imports_neither_matplotlib_nor_ipython():
    code = TRAIN_CELL.replace("every=10)", "every=10, live=False)") + textwrap.dedent("""
        import sys
        print(sorted(m for m in ("matplotlib", "IPython") if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]"


# ============================================================== the static figure

def test_plot_decision_boundary_returns_a_figure_outside_pyplot_and_keeps_the_mode():
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    model, _, X, y = moons_setup()
    model.append(nn.Dropout(0.5))
    open_before = plt.get_fignums()
    fig = plot_decision_boundary(model, X, y)
    assert isinstance(fig, Figure) and plt.get_fignums() == open_before
    assert model.training and all(p.grad is None for p in model.parameters())
    ax = fig.axes[0]
    assert ax.get_title() == "decision boundary" and len(ax.collections) >= 2  # regions and points
    assert ax.get_xlim()[0] < X[:, 0].min().item() and ax.get_xlim()[1] > X[:, 0].max().item()
    with pytest.raises(ValueError, match=r"needs inputs of shape \(n, 2\), got \[100, 1\]"):
        plot_decision_boundary(model, X[:, :1], y)


def test_accuracy_reads_argmax_or_the_sign_of_a_single_logit():
    X = nbgrad.tensor([[1.0], [-2.0], [3.0]])
    assert accuracy(lambda x: nbgrad.cat([x, -x], dim=1), X, nbgrad.tensor([0, 1, 0])) == 1.0
    assert accuracy(lambda x: x, X, nbgrad.tensor([[1.0], [0.0], [0.0]])) == pytest.approx(2 / 3)


# ============================================================== inside a notebook: one output, updated

@pytest.fixture(scope="module")
def executed():
    """The training cell run in a fresh Jupyter kernel: the saved notebook, and every message it sent."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")

    class Recording(nbclient.NotebookClient):
        def process_message(self, msg, cell, cell_index):
            if msg["msg_type"] not in ("status", "execute_input"):
                messages.append((msg["msg_type"], msg["content"]))
            return super().process_message(msg, cell, cell_index)

    messages = []
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(TRAIN_CELL)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    Recording(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": ROOT}}).execute(env=ENV)
    return notebook, messages


def test_in_a_notebook_one_png_output_is_updated_in_place_then_one_summary_line(executed):
    notebook, messages = executed
    kinds = [kind for kind, _ in messages]
    assert kinds == ["display_data"] + ["update_display_data"] * 3 + ["stream"]  # steps 1, 10, 20, 30
    display_id = messages[0][1]["transient"]["display_id"]
    for kind, content in messages[:4]:
        assert content["transient"]["display_id"] == display_id
        assert set(content["data"]) == {"image/png", "text/plain"}
        assert content["data"]["text/plain"] == "<TrainingMonitor: 30 steps>"
        assert base64.b64decode(content["data"]["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert len({content["data"]["image/png"] for _, content in messages[:4]}) == 4  # each update is a new picture
    assert re.fullmatch(r"trained 30 steps: loss \S+ -> \S+, training accuracy \d+\.\d%\n", messages[-1][1]["text"])
    # what Jupyter saves: the one output with its last picture, and the summary
    outputs = notebook.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data", "stream"]
    assert outputs[0].data["image/png"] == messages[3][1]["data"]["image/png"]


def test_a_notebook_that_trains_passes_nbval(executed, tmp_path):
    """Saved with its final picture, the notebook compares equal under nbval, which sees the first one."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbval")
    path = tmp_path / "training.ipynb"
    nbformat.write(executed[0], path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "nbval", "--nbval", "-p", "no:cacheprovider", "-q",
         "--rootdir", str(tmp_path), str(path)],
        cwd=tmp_path, env=dict(ENV, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
