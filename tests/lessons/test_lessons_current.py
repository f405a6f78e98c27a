"""Stored lesson outputs are current: re-running a lesson with the documented command reproduces the file."""
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("nbclient", reason='re-executing a lesson needs nbclient and ipykernel: pip install -e ".[notebook]"')
from nbgrad import lesson_tools  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("lesson", ["en/01_autograd_basics.ipynb", "zh/04_backprop_step_by_step.ipynb"])
def test_re_executing_a_lesson_changes_nothing(tmp_path, lesson, monkeypatch):
    # the kernel imports this checkout's nbgrad, whatever else is installed
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    stored = ROOT / "notebooks" / lesson
    copy = tmp_path / stored.name
    shutil.copy2(stored, copy)
    lesson_tools.execute([copy])
    assert copy.read_bytes() == stored.read_bytes(), (
        f"{lesson}: its stored outputs are stale; refresh them with `python -m nbgrad execute`"
    )
