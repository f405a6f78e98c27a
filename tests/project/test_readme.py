"""README.md cannot drift from nbgrad: its Python blocks run, in order, in one kernel, as a reader pasting them
into a notebook would run them (one block, one cell; the bash blocks are commands for a terminal, not run here);
what the first block says it prints is what it prints; the lesson table names each lesson by its own title."""
import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYTHON_BLOCKS = re.findall(r"^```python\n(.*?)^```$", README, re.S | re.M)


def test_the_readme_has_python_blocks():
    assert len(PYTHON_BLOCKS) >= 3
    # every fence is either python or bash: no block escapes this test by a missing or different language
    assert set(re.findall(r"^```(\w*)$", README, re.M)) == {"python", "bash", ""}


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    folder = tmp_path_factory.mktemp("readme")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(block) for block in PYTHON_BLOCKS])
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    env = {**os.environ, "MPLBACKEND": "agg",
           "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}
    env.pop("JPY_SESSION_NAME", None)  # a new notebook of the reader's: no lesson's language
    env.pop("NBGRAD_LANG", None)
    client.execute(env=env)  # raises CellExecutionError, naming the block and its error, if any block fails
    return nb


def test_every_python_block_runs_in_one_kernel_in_order(executed):
    for cell in executed.cells:
        assert [o for o in cell.outputs if o.output_type == "error"] == []


def test_the_first_block_prints_what_its_comments_say(executed):
    lines = PYTHON_BLOCKS[0].splitlines()
    prints = [line for line in lines if line.startswith("print(")]
    assert prints and all("#" in line for line in prints), "every print in the first block says what it prints"
    said = [line.split("#", 1)[1] for line in prints]
    printed = "".join(o.text for o in executed.cells[0].outputs if o.output_type == "stream" and o.name == "stdout")
    # a tensor's repr wraps its rows over lines, the comment keeps them on one
    assert " ".join(printed.split()) == " ".join(" ".join(said).split())


LESSON_ROW = re.compile(r"^\| \d+ \| \[(.+?)\]\((notebooks/en/\S+?)\) \| \[(.+?)\]\((notebooks/zh/\S+?)\) \|", re.M)
HEADING = re.compile(r"^# (?:Lesson \d+|第 \d+ 课) — (.+)$")


def first_heading(path):
    cells = json.loads((ROOT / path).read_text(encoding="utf-8"))["cells"]
    first = "".join(next(c for c in cells if c["cell_type"] == "markdown")["source"]).splitlines()[0]
    found = HEADING.match(first)
    assert found, f"{path} starts with {first!r}, not '# Lesson N — title' (or '# 第 N 课 — 标题')"
    return found.group(1)


def test_the_lesson_table_names_each_lesson_by_its_own_heading():
    rows = LESSON_ROW.findall(README)
    assert len(rows) == len(list((ROOT / "notebooks" / "en").glob("*.ipynb")))
    for en_title, en_path, zh_title, zh_path in rows:
        assert (en_title, zh_title) == (first_heading(en_path), first_heading(zh_path))
