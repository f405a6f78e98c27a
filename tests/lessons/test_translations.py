"""Every lesson is in English (notebooks/en) and Chinese (notebooks/zh) with the same code: only the prose is
translated, so both run the same cells and a fix to one lesson's code is a fix to both."""
import json
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _names(language):
    return sorted(p.name for p in (NOTEBOOKS / language).glob("*.ipynb"))


def _code_cells(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def test_every_lesson_is_in_both_languages():
    assert _names("en"), "no lessons in notebooks/en"
    assert _names("en") == _names("zh")


@pytest.mark.parametrize("lesson", _names("en"))
def test_english_and_chinese_lessons_have_the_same_code_cells_in_the_same_order(lesson):
    en, zh = _code_cells(NOTEBOOKS / "en" / lesson), _code_cells(NOTEBOOKS / "zh" / lesson)
    for number, (english, chinese) in enumerate(zip(en, zh), 1):
        assert english == chinese, f"{lesson}: code cell {number} differs between en/ and zh/"
    assert len(en) == len(zh), f"{lesson}: {len(en)} code cells in en/, {len(zh)} in zh/"
