"""``%load_ext nbgrad`` driven through a real IPython shell: load, display, magics, unload, reload."""
import base64
import os
import re
import subprocess
import sys
from html import escape
from pathlib import Path

import pytest

pytest.importorskip("IPython", reason="the extension needs IPython")
from IPython.core.displaypub import CapturingDisplayPublisher  # noqa: E402
from IPython.core.error import UsageError  # noqa: E402
from traitlets.config import Config  # noqa: E402

import nbgrad  # noqa: E402
from helpers import fresh_shell  # noqa: E402
from html_checks import assert_safe_html  # noqa: E402
from nbgrad.display import ipython  # noqa: E402
from nbgrad.display.html import tensor_html  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
OUR_MAGICS = ("nbgrad", "nbgrad_graph", "nbgrad_trace")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def shell():
    """A fresh shell, not IPython's global one, so nothing leaks into other tests' ``get_ipython()``."""
    shell = fresh_shell()
    shell.display_pub = CapturingDisplayPublisher()
    ipython.register(shell)  # what `import nbgrad` does in a kernel that starts with it (see the test below)
    shell.run_cell(
        "import nbgrad\n"
        "x = nbgrad.tensor([1.0, -2.0], requires_grad=True)\n"
        "x.name = '<img src=x onerror=alert(1)>'\n"
        "loss = (x * x).sum()\n",
    ).raise_error()
    yield shell
    nbgrad.unload_ipython_extension(shell)
    shell.history_manager.end_session()


def _magic(value):
    """IPython 9 loads its own magics lazily, and using one (%load_ext) swaps its placeholder for the real
    method: IPython's own magics are compared by name, everything else by identity."""
    module = getattr(value, "__module__", None) or type(value).__module__
    return "IPython's own" if module.startswith("IPython") else value


def state(shell):
    """Everything the extension may change in a shell."""
    manager = shell.magics_manager
    return (
        {kind: {name: _magic(value) for name, value in table.items()} for kind, table in manager.magics.items()},
        {name: m for name, m in manager.registry.items() if _magic(m) != "IPython's own"},
        {mime: dict(f.type_printers) for mime, f in shell.display_formatter.formatters.items()},
        shell.display_formatter.format(shell.user_ns["loss"]),
    )


def run(shell, code, capsys):
    """Run a cell; return (error raised in it, stdout, stderr)."""
    capsys.readouterr()
    result = shell.run_cell(code)
    out, err = capsys.readouterr()
    return result.error_in_exec, out, err


# ----- without the extension -----

def test_tensors_and_nodes_display_as_cards_without_loading_anything(shell):
    loss = shell.user_ns["loss"]
    data, _ = shell.display_formatter.format(loss)
    assert data["text/plain"] == repr(loss) == "tensor(5., grad_fn=<SumBackward0>)"
    assert data["text/html"] == tensor_html(loss)
    data, _ = shell.display_formatter.format(loss.grad_fn.next_functions[0][0])
    assert data["text/plain"] == "<MulBackward0>"
    assert "<span class='nbgrad-name'>MulBackward0</span>" in data["text/html"]
    assert_safe_html(data["text/html"], forbidden_text=[shell.user_ns["x"].name])
    assert escape(shell.user_ns["x"].name) in data["text/html"]


def _fresh_python(code):
    """What ``code`` prints in a new Python process that imports nbgrad from this checkout."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO).stdout.strip()


def test_import_nbgrad_in_a_running_shell_shows_cards():
    assert _fresh_python(
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "import nbgrad\n"
        "t = nbgrad.ones(2, requires_grad=True)\n"
        "from nbgrad.display.html import node_html, tensor_html\n"
        "shown = [shell.display_formatter.format(x)[0].get('text/html') for x in (t, (t * 2).grad_fn)]\n"
        "print(shown == [tensor_html(t), node_html((t * 2).grad_fn)])\n"
    ) == "True"


def test_import_nbgrad_does_not_import_ipython():
    assert _fresh_python(
        "import sys, nbgrad\n"
        "assert callable(nbgrad.load_ipython_extension)\n"
        "print(sorted(m for m in ('IPython', 'matplotlib', 'networkx', 'ipywidgets', 'nbgrad.display')"
        " if m in sys.modules))\n"
    ) == "[]"


# ----- loading and unloading -----

def test_load_through_extension_manager_is_idempotent(shell):
    before = state(shell)
    manager = shell.extension_manager
    assert manager.load_extension("nbgrad") is None
    loaded = state(shell)
    assert all(name in loaded[0]["line"] and name not in before[0]["line"] for name in OUR_MAGICS)
    assert manager.load_extension("nbgrad") == "already loaded"
    nbgrad.load_ipython_extension(shell)  # called directly, a second load must not register anything twice
    assert state(shell) == loaded
    assert manager.unload_extension("nbgrad") is None
    assert state(shell) == before
    assert manager.unload_extension("nbgrad") == "not loaded"


def test_load_ext_magic_and_unload_ext_restore_the_previous_state(shell, capsys):
    # A user's own magic of one of our names, and a user's own HTML formatter for tensors, come back.
    shell.register_magic_function(lambda line: print("user's magic"), "line", "nbgrad_trace")
    html = shell.display_formatter.formatters["text/html"]
    html.for_type(nbgrad.Tensor, lambda t: "<b>user's card</b>")
    before = state(shell)

    assert run(shell, "%load_ext nbgrad", capsys)[0] is None
    assert run(shell, "%nbgrad config show_graph=True", capsys)[0] is None
    data, _ = shell.display_formatter.format(shell.user_ns["loss"])
    assert data["text/html"].startswith(tensor_html(shell.user_ns["loss"]))

    assert run(shell, "%unload_ext nbgrad", capsys)[0] is None
    assert state(shell) == before
    assert run(shell, "%nbgrad_trace loss", capsys)[1] == "user's magic\n"
    assert isinstance(run(shell, "%nbgrad_graph loss", capsys)[0], UsageError)


def test_reload_ext_unloads_then_loads_again(shell, capsys):
    before = state(shell)
    card = shell.display_formatter.formatters["text/html"].type_printers[nbgrad.Tensor]
    run(shell, "%load_ext nbgrad", capsys)
    run(shell, "%nbgrad config show_graph=True", capsys)
    assert run(shell, "%reload_ext nbgrad", capsys)[0] is None
    assert "nbgrad" in shell.extension_manager.loaded
    assert run(shell, "%nbgrad config", capsys)[1] == "show_graph=False\n"  # a fresh start
    assert shell.display_formatter.formatters["text/html"].type_printers[nbgrad.Tensor] is card  # no graph
    assert sys.modules["nbgrad"].Tensor is nbgrad.Tensor  # reloading the package keeps the same classes
    run(shell, "%unload_ext nbgrad", capsys)
    assert state(shell) == before


def test_extensions_config_entry_loads_it():
    # c.InteractiveShellApp.extensions = ["nbgrad"] makes IPython call extension_manager.load_extension.
    from IPython.core.shellapp import InteractiveShellApp
    from traitlets.config import Application

    class App(Application, InteractiveShellApp):
        pass

    shell = fresh_shell()
    try:
        app = App(config=Config({"InteractiveShellApp": {
            "extensions": ["nbgrad"], "reraise_ipython_extension_failures": True,
        }}))
        app.shell = shell
        app.init_extensions()
        assert "nbgrad" in shell.extension_manager.loaded
        assert "nbgrad_graph" in shell.magics_manager.magics["line"]
    finally:
        nbgrad.unload_ipython_extension(shell)
        shell.history_manager.end_session()


# ----- options -----

def test_show_graph_puts_the_graph_under_every_displayed_tensor(shell, capsys):
    run(shell, "%load_ext nbgrad", capsys)
    loss, x = shell.user_ns["loss"], shell.user_ns["x"]
    assert run(shell, "%nbgrad config", capsys)[1] == "show_graph=False\n"
    assert shell.display_formatter.format(loss)[0]["text/html"] == tensor_html(loss)

    assert run(shell, "%nbgrad config show_graph=True", capsys)[0] is None
    assert run(shell, "%nbgrad config", capsys)[1] == "show_graph=True\n"
    data, _ = shell.display_formatter.format(loss)
    assert data["text/plain"] == repr(loss)
    card = tensor_html(loss)
    assert data["text/html"].startswith(card)
    png = re.fullmatch(r"<div><img class='nbgrad-image' src='data:image/png;base64,([A-Za-z0-9+/=]+)' "
                       r"alt='autograd graph'></div>", data["text/html"][len(card):])
    from nbgrad.display import graph
    from nbgrad.display.figure import figure_png

    assert base64.b64decode(png.group(1)) == figure_png(graph.draw(loss), tight=True)
    assert base64.b64decode(png.group(1)).startswith(PNG_SIGNATURE)
    assert_safe_html(data["text/html"], forbidden_text=[x.name])
    assert shell.display_formatter.format(loss)[0] == data  # the same bytes every time
    # A tensor with no graph behind it shows its card alone.
    assert shell.display_formatter.format(nbgrad.ones(2))[0]["text/html"] == tensor_html(nbgrad.ones(2))

    assert run(shell, "%nbgrad config show_graph=False", capsys)[0] is None
    assert shell.display_formatter.format(loss)[0]["text/html"] == tensor_html(loss)


@pytest.mark.parametrize("line, message", [
    ("%nbgrad", "nbgrad: usage: %nbgrad config [show_graph=True|False]"),
    ("%nbgrad show_graph=True", "nbgrad: usage: %nbgrad config [show_graph=True|False]"),
    ("%nbgrad config show_graph=True colour=red",
     "nbgrad config: unknown option 'colour'; the options are: show_graph"),
    ("%nbgrad config show_graph=yes", "nbgrad config: show_graph must be True or False, not 'yes'"),
    ("%nbgrad config show_graph", "nbgrad config: show_graph must be True or False, not ''"),
    ("%nbgrad config show_graph=1", "nbgrad config: show_graph must be True or False, not '1'"),
])
def test_bad_config_is_a_one_line_usage_error_that_changes_nothing(shell, capsys, line, message):
    run(shell, "%load_ext nbgrad", capsys)
    error, out, err = run(shell, line, capsys)
    assert isinstance(error, UsageError)
    assert err == f"UsageError: {message}\n"
    assert run(shell, "%nbgrad config", capsys)[1] == "show_graph=False\n"


# ----- magics -----

@pytest.mark.parametrize("magic", ["nbgrad_graph", "nbgrad_trace"])
@pytest.mark.parametrize("argument, message", [
    ("q", "name 'q' is not defined"),
    ("", "give an expression, e.g. %{magic} loss"),
    ("3", "expected a Tensor, got int"),
    ("loss +", "invalid syntax in 'loss +': invalid syntax"),
    ("1 / 0", "division by zero"),
])
def test_magic_errors_are_one_line_messages(shell, capsys, magic, argument, message):
    run(shell, "%load_ext nbgrad", capsys)
    error, out, err = run(shell, f"%{magic} {argument}", capsys)
    assert isinstance(error, UsageError)
    assert err == f"UsageError: {magic}: {message.format(magic=magic)}\n"
    assert "Traceback" not in out + err


@pytest.mark.parametrize("line, message", [
    ("%nbgrad_trace x * 2", "nbgrad_trace: grad can be implicitly created only for scalar outputs"),
    ("%nbgrad_trace nbgrad.ones(2).sum()",
     "nbgrad_trace: element 0 of tensors does not require grad and does not have a grad_fn"),
    ("loss.backward()\n%nbgrad_trace loss", r"nbgrad_trace: Trying to backward through the graph a second time"),
    ("%nbgrad_graph long_chain", r"nbgrad_graph: this graph has \d+ nodes, more than max_nodes=600;"),
])
def test_errors_about_the_tensor_are_one_line_messages(shell, capsys, line, message):
    run(shell, "%load_ext nbgrad", capsys)
    shell.run_cell("long_chain = x\nfor _ in range(300): long_chain = long_chain * 1.001").raise_error()
    error, out, err = run(shell, line, capsys)
    assert isinstance(error, UsageError)
    assert re.match(f"UsageError: {message}", err) and err.count("\n") == 1


def test_show_graph_of_a_graph_too_big_to_draw_says_so_under_the_card(shell, capsys):
    run(shell, "%load_ext nbgrad", capsys)
    run(shell, "%nbgrad config show_graph=True", capsys)
    shell.run_cell("long_chain = x\nfor _ in range(300): long_chain = long_chain * 1.001").raise_error()
    chain = shell.user_ns["long_chain"]
    html = shell.display_formatter.format(chain)[0]["text/html"]
    assert html.startswith(tensor_html(chain))
    assert re.match(r"<div class='nbgrad-note'>this graph has \d+ nodes, more than max_nodes=600; .*</div>$",
                    html[len(tensor_html(chain)):])


def test_nbgrad_graph_draws_the_graph_of_an_expression(shell, capsys):
    from nbgrad.display import graph

    run(shell, "%load_ext nbgrad", capsys)
    error, out, err = run(shell, "%nbgrad_graph loss * 2", capsys)
    assert (error, out, err) == (None, "", "")
    (output,) = shell.display_pub.outputs
    png = output["data"]["image/png"]
    png = base64.b64decode(png) if isinstance(png, str) else png
    assert png.startswith(PNG_SIGNATURE)
    from nbgrad.display.figure import figure_png

    expected = graph.draw(shell.user_ns["loss"] * 2)
    assert png == figure_png(expected, tight=True)


def test_nbgrad_trace_prints_the_backward_trace(shell, capsys):
    from nbgrad.display import trace

    run(shell, "%load_ext nbgrad", capsys)
    error, out, err = run(shell, "%nbgrad_trace loss", capsys)
    assert (error, err) == (None, "")
    assert out == trace.backward_trace(shell.user_ns["loss"]).to_text() + "\n"
    assert "MulBackward0" in out
    assert shell.user_ns["x"].grad is None  # tracing is not a backward() into the user's .grad


# ----- determinism -----

_GRAPH_CELL = "w = nbgrad.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True); y = (w.exp() * 2).sum()"


def test_show_graph_html_is_byte_identical_in_a_fresh_process(shell, capsys):
    # The drawing is embedded in the HTML, so nbval compares its PNG bytes too.
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from traitlets.config import Config\n"
        "c = Config(); c.HistoryManager.hist_file = ':memory:'\n"
        "shell = InteractiveShell(config=c)\n"
        "shell.run_cell('%load_ext nbgrad').raise_error()\n"
        "shell.run_cell('%nbgrad config show_graph=True').raise_error()\n"
        f"shell.run_cell('import nbgrad; {_GRAPH_CELL}').raise_error()\n"
        "sys.__stdout__.write(shell.display_formatter.format(shell.user_ns['y'])[0]['text/html'])\n"
    )
    other_process = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "7", "MPLBACKEND": "Agg"},
    ).stdout
    run(shell, "%load_ext nbgrad", capsys)
    run(shell, "%nbgrad config show_graph=True", capsys)
    shell.run_cell(_GRAPH_CELL).raise_error()
    this_process = shell.display_formatter.format(shell.user_ns["y"])[0]["text/html"]
    assert "data:image/png;base64," in this_process
    assert other_process == this_process
