"""``python -m nbgrad lessons``: copying the shipped lessons never overwrites a learner's edits unasked."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nbgrad import lesson_tools

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


def test_readme_main_command_opens_an_existing_lesson():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- main-command -->\s*```bash\n(.+?)\n```", readme, re.S).group(1)
    (path,) = re.findall(r"jupyter lab (\S+)", block)
    assert (ROOT / path).is_file()


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
