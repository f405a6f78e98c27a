"""``python -m nbgrad lessons``: copying the shipped lessons never overwrites a learner's edits unasked."""
import contextlib
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from nbgrad import i18n, lesson_tools

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shipped():
    files = lesson_tools.lesson_files()
    if not files:
        pytest.fail("no lessons found: notebooks/ should ship with nbgrad")
    return files


def test_lessons_are_found_in_the_checkout_and_include_lesson_one(shipped):
    root = lesson_tools.lessons_dir()
    assert root.joinpath(*lesson_tools.FIRST_LESSON.parts).is_file()
    assert {rel.parts[0] for rel, _ in shipped} >= {"en", "zh"}
    checkout = sorted(p.relative_to(ROOT / "notebooks").as_posix() for p in (ROOT / "notebooks").rglob("*.ipynb")
                      if ".ipynb_checkpoints" not in p.parts)
    assert [rel.as_posix() for rel, _ in shipped] == checkout


def test_copy_then_copy_again_changes_nothing(tmp_path, shipped):
    first = lesson_tools.copy_lessons(tmp_path)
    assert {status for _, status in first} == {"copied"}
    assert len(first) == len(shipped)
    again = lesson_tools.copy_lessons(tmp_path)
    assert {status for _, status in again} == {"unchanged"}


def test_an_edited_copy_is_kept_unless_the_user_says_yes(tmp_path, shipped):
    lesson_tools.copy_lessons(tmp_path)
    target = tmp_path / lesson_tools.FIRST_LESSON
    target.write_text("my notes", encoding="utf-8")
    questions = []
    report = dict(lesson_tools.copy_lessons(tmp_path, ask=lambda q: questions.append(q) or False))
    assert report[lesson_tools.FIRST_LESSON] == "kept"
    assert target.read_text(encoding="utf-8") == "my notes"
    assert len(questions) == 1 and "Overwrite" in questions[0]
    report = dict(lesson_tools.copy_lessons(tmp_path, ask=lambda q: True))
    assert report[lesson_tools.FIRST_LESSON] == "replaced"
    assert target.read_text(encoding="utf-8") != "my notes"


def test_command_line_without_a_terminal_keeps_edits(tmp_path, shipped):
    run = [sys.executable, "-m", "nbgrad", "lessons", str(tmp_path), "--no-launch"]
    subprocess.run(run, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    (tmp_path / lesson_tools.FIRST_LESSON).write_text("edited", encoding="utf-8")
    out = subprocess.run(run, check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL).stdout
    assert f"kept      {lesson_tools.FIRST_LESSON}" in out
    assert (tmp_path / lesson_tools.FIRST_LESSON).read_text(encoding="utf-8") == "edited"
    chinese = subprocess.run(run, check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                             env={**os.environ, "NBGRAD_LANG": "zh"}).stdout
    assert "已保留" in chinese and "kept" not in chinese


def readme_main_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- main-command -->\s*```bash\n(.+?)\n```", readme, re.S).group(1)
    (command,) = re.findall(r"jupyter lab .*", block)
    return shlex.split(command)


def test_readme_main_command_opens_an_existing_lesson():
    assert (ROOT / readme_main_command()[-1]).is_file()


# ----- JupyterLab started for real, as a learner would (as root in a container: --allow-root) -----
@contextlib.contextmanager
def jupyterlab_started(command, tmp_path, cwd, timeout=90):
    """Run ``command`` plus the options of a headless, token-protected server on a free port; yields a function
    that GETs a path of the server's REST API, and the URL the server would open in a browser."""
    pytest.importorskip("jupyterlab", reason='starting JupyterLab needs it: pip install -e ".[notebook]"')
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "JUPYTERLAB_SETTINGS_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR"):  # none of the user's Jupyter folders
        env[name] = str(tmp_path / "jupyter" / name.lower())
    options = ["--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", "--ServerApp.terminals_enabled=False"]
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        # its own process group: the launcher and the server it starts are stopped together
        server = subprocess.Popen([*command, *options], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def get(path):
        with urllib.request.urlopen(f"{base}{path}?token={token}", timeout=5) as response:
            return json.load(response)

    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                get("/api/status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        # with no browser, the server writes the page it would open into its runtime folder
        (opens,) = (tmp_path / "jupyter" / "jupyter_runtime_dir").glob("jpserver-file-to-run-*-open.html")
        (url,) = set(re.findall(r'href="([^"]+)"', opens.read_text(encoding="utf-8")))
        yield get, url.replace(f"?token={token}", "")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def assert_root_holds_both_languages_and_lesson_one_opens(get, url):
    assert {item["name"] for item in get("/api/contents")["content"]} >= {"en", "zh"}
    assert url.endswith(f"/lab/tree/{lesson_tools.FIRST_LESSON}")
    assert get(f"/api/contents/{lesson_tools.FIRST_LESSON}")["type"] == "notebook"


def test_lessons_command_passes_arguments_to_jupyterlab_rooted_at_the_folder(tmp_path):
    lessons = tmp_path / "my lessons"
    command = [sys.executable, "-m", "nbgrad", "lessons", str(lessons), "--"]
    with jupyterlab_started(command, tmp_path, cwd=tmp_path) as (get, url):
        assert_root_holds_both_languages_and_lesson_one_opens(get, url)
    assert {p.name for p in lessons.iterdir()} == {"en", "zh"}


def test_readme_main_command_roots_jupyterlab_where_both_languages_are(tmp_path):
    command = readme_main_command()
    assert command[:2] == ["jupyter", "lab"]
    with jupyterlab_started([sys.executable, "-m", "jupyterlab", *command[2:]], tmp_path, cwd=ROOT) as (get, url):
        assert_root_holds_both_languages_and_lesson_one_opens(get, url)


@pytest.mark.parametrize("command", [["execute"], ["lessons", "{dir}", "--no-launch"]])
def test_arguments_after_the_double_dash_need_a_launch(tmp_path, command):
    command = [arg.format(dir=tmp_path / "lessons") for arg in command]
    done = subprocess.run([sys.executable, "-m", "nbgrad", *command, "--", "--port", "1"], capture_output=True,
                          text=True, env={**os.environ, "NBGRAD_LANG": "en"})
    assert done.returncode == 2 and "after -- go to JupyterLab" in done.stderr
    assert not (tmp_path / "lessons").exists()  # refused before copying anything


def test_jupyterlab_command_keeps_the_arguments_in_order_after_the_lesson(tmp_path):
    command = lesson_tools.jupyterlab_command(tmp_path, ["--port", "8899", "--no-browser"])
    assert command[-3:] == ["--port", "8899", "--no-browser"]
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command
    assert str(tmp_path.resolve() / lesson_tools.FIRST_LESSON) in command


def test_jupyterlab_opens_the_first_lesson_in_the_learners_language(tmp_path, shipped, monkeypatch):
    lesson_tools.copy_lessons(tmp_path)
    monkeypatch.setattr(i18n, "_found", None)
    monkeypatch.setenv(i18n.ENV_VAR, "zh")
    assert str(tmp_path.resolve() / "zh" / "01_autograd_basics.ipynb") in lesson_tools.jupyterlab_command(tmp_path)
    (tmp_path / "zh" / "01_autograd_basics.ipynb").unlink()  # no lesson in that language: English
    assert str(tmp_path.resolve() / lesson_tools.FIRST_LESSON) in lesson_tools.jupyterlab_command(tmp_path)


def test_readme_lesson_table_links_every_lesson_and_nothing_else():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("\n## The lessons\n", 1)[1].split("\n## ", 1)[0]
    linked = set(re.findall(r"\]\((notebooks/[^)\s]+\.ipynb)\)", table))
    checkout = {p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").rglob("*.ipynb")
                if ".ipynb_checkpoints" not in p.parts}
    assert linked == checkout, f"README's lesson table: missing {sorted(checkout - linked)}, extra {sorted(linked - checkout)}"


def test_execute_saves_the_same_outputs_however_the_kernel_splits_the_prints(tmp_path):
    """A loop that prints between slow steps reaches the notebook as several stream messages; saved, they are one."""
    reason = 'executing a notebook needs nbclient and ipykernel: pip install -e ".[notebook]"'
    nbformat = pytest.importorskip("nbformat", reason=reason)
    pytest.importorskip("nbclient", reason=reason)
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "import sys, time\nfor i in range(3):\n    print('step', i, flush=True)\n    time.sleep(0.2)\n"
        "print('done', file=sys.stderr)"
    )]
    path = tmp_path / "loop.ipynb"
    nbformat.write(nb, path)
    lesson_tools.execute([path])
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    assert [(o.output_type, o.name, o.text) for o in outputs] == [
        ("stream", "stdout", "step 0\nstep 1\nstep 2\n"),
        ("stream", "stderr", "done\n"),
    ]


@pytest.mark.parametrize("packages", ["site-packages", "dist-packages"])
def test_execute_refuses_an_installed_packages_lessons_and_writes_nothing(tmp_path, packages):
    installed = tmp_path / "lib" / "python3" / packages / "nbgrad" / "lessons" / lesson_tools.FIRST_LESSON
    mine = tmp_path / "mine.ipynb"
    for path in (mine, installed):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8")
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    with pytest.raises(lesson_tools.InstalledLessonsError, match="python -m nbgrad lessons DIR"):
        lesson_tools.execute([mine, installed])  # the notebook outside is not run either: all or nothing
    done = subprocess.run([sys.executable, "-m", "nbgrad", "execute", str(installed)], capture_output=True,
                          text=True, env={**os.environ, "NBGRAD_LANG": "en"})
    assert done.returncode == 2
    assert f"{installed} is inside an installed package" in done.stderr
    assert "Traceback" not in done.stderr
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before
