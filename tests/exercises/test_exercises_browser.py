"""In JupyterLab itself: a lesson opens with its solutions collapsed, input and output, and nothing else."""
import shutil
from pathlib import Path

import pytest

from tests.widgets import browser_harness as B

ROOT = Path(__file__).resolve().parents[2]
SKIP = B.skip_reason()

# For each code cell in the open notebook: its tags, and whether JupyterLab shows its input and its outputs.
CELLS = """() => window.jupyterapp.shell.currentWidget.content.widgets
    .filter(c => c.model.type === 'code')
    .map(c => ({tags: c.model.getMetadata('tags') || [], input: !c.inputHidden, output: !c.outputHidden,
                text: c.outputArea.node.innerText, shown: c.outputArea.node.offsetParent !== null}))"""


@pytest.mark.browser
@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_lesson_opens_with_its_solutions_collapsed(tmp_path, lang):
    pytest.importorskip("jupyterlab", reason="the JupyterLab test needs jupyterlab (pip install -e '.[notebook]')")
    lesson = ROOT / "notebooks" / lang / "01_autograd_basics.ipynb"
    (tmp_path / lang).mkdir()
    shutil.copy2(lesson, tmp_path / lang / lesson.name)  # a copy: JupyterLab autosaves what it opens
    with B.browser() as chromium, B.jupyterlab(tmp_path) as (base, token):
        page, panel, blocked = B.open_notebook(chromium, base, token, f"{lang}/{lesson.name}")
        try:
            cells = page.evaluate(CELLS)
        finally:
            page.close()
    solutions = [c for c in cells if "solution" in c["tags"]]
    assert len(solutions) >= 3  # the "Try it" one and the exercises'
    for cell in solutions:
        assert not cell["input"] and not cell["output"] and not cell["shown"], cell
    for cell in cells:
        if "solution" not in cell["tags"]:
            assert cell["input"] and cell["output"], cell
    assert any("01.1" in c["text"] for c in cells if c["shown"])  # the learner's cell shows its "not yet"
    assert blocked == []
