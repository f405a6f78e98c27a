"""``python -m nbgrad lessons``: copying the shipped lessons never overwrites a learner's edits unasked."""
import subprocess
import sys

import pytest

from nbgrad import lessons


@pytest.fixture
def shipped():
    files = lessons.lesson_files()
    if not files:
        pytest.fail("no lessons found: notebooks/ should ship with nbgrad")
    return files


def test_lessons_are_found_in_the_checkout_and_include_lesson_one(shipped):
    root = lessons.lessons_dir()
    assert (root / lessons.FIRST_LESSON).is_file()
    assert {p.parent.name for p in shipped} >= {"en", "zh"}


def test_copy_then_copy_again_changes_nothing(tmp_path, shipped):
    first = lessons.copy_lessons(tmp_path)
    assert {status for _, status in first} == {"copied"}
    assert len(first) == len(shipped)
    again = lessons.copy_lessons(tmp_path)
    assert {status for _, status in again} == {"unchanged"}


def test_an_edited_copy_is_kept_unless_the_user_says_yes(tmp_path, shipped):
    lessons.copy_lessons(tmp_path)
    target = tmp_path / lessons.FIRST_LESSON
    target.write_text("my notes", encoding="utf-8")
    questions = []
    report = dict(lessons.copy_lessons(tmp_path, ask=lambda q: questions.append(q) or False))
    assert report[lessons.FIRST_LESSON] == "kept"
    assert target.read_text(encoding="utf-8") == "my notes"
    assert len(questions) == 1 and "Overwrite" in questions[0]
    report = dict(lessons.copy_lessons(tmp_path, ask=lambda q: True))
    assert report[lessons.FIRST_LESSON] == "replaced"
    assert target.read_text(encoding="utf-8") != "my notes"


def test_command_line_without_a_terminal_keeps_edits(tmp_path, shipped):
    run = [sys.executable, "-m", "nbgrad", "lessons", str(tmp_path), "--no-launch"]
    subprocess.run(run, check=True, capture_output=True, stdin=subprocess.DEVNULL)
    (tmp_path / lessons.FIRST_LESSON).write_text("edited", encoding="utf-8")
    out = subprocess.run(run, check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL).stdout
    assert f"kept      {lessons.FIRST_LESSON}" in out
    assert (tmp_path / lessons.FIRST_LESSON).read_text(encoding="utf-8") == "edited"


def test_readme_main_command_opens_an_existing_lesson():
    from pathlib import Path
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- main-command -->\s*```bash\n(.+?)\n```", readme, re.S).group(1)
    (path,) = re.findall(r"jupyter lab (\S+)", block)
    assert (Path(__file__).resolve().parents[2] / path).is_file()


def test_execute_saves_the_same_outputs_however_the_kernel_splits_the_prints(tmp_path):
    """A loop that prints between slow steps reaches the notebook as several stream messages; saved, they are one."""
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "import sys, time\nfor i in range(3):\n    print('step', i, flush=True)\n    time.sleep(0.2)\n"
        "print('done', file=sys.stderr)"
    )]
    path = tmp_path / "loop.ipynb"
    nbformat.write(nb, path)
    lessons.execute([path])
    outputs = nbformat.read(path, as_version=4).cells[0].outputs
    assert [(o.output_type, o.name, o.text) for o in outputs] == [
        ("stream", "stdout", "step 0\nstep 1\nstep 2\n"),
        ("stream", "stderr", "done\n"),
    ]
