"""Every lesson is in English (notebooks/en) and Chinese (notebooks/zh) with the same code: only the prose is
translated (and, in the code, what it prints and its comments), so both run the same cells and a fix to one
lesson's code is a fix to both. What the Chinese
lessons' cells show is Chinese too, except PyTorch's own messages, which a lesson quotes as PyTorch says them."""
import json
import re
from pathlib import Path

import pytest

from tests.i18n_checks import english_sentences, plain_text

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _names(language):
    return sorted(p.name for p in (NOTEBOOKS / language).glob("*.ipynb"))


def _code_cells(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def _program(code):
    """The code with its strings' text and its comments left out: what a translation may not change."""
    import io
    import tokenize

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return code
    kept = []
    for token in tokens:
        if token.type == tokenize.COMMENT or getattr(tokenize, "FSTRING_MIDDLE", None) == token.type:
            continue
        if token.type == tokenize.STRING:  # its prefix and quotes stay; an f-string keeps its fields
            kept.append(re.sub(r"(?s)^(\w*)(['\"]+).*$", r"\1\2", token.string) + " ".join(re.findall(r"\{[^{}]*\}", token.string)))
        elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            kept.append(token.string)
    return " ".join(kept)


def test_every_lesson_is_in_both_languages():
    assert _names("en"), "no lessons in notebooks/en"
    assert _names("en") == _names("zh")


@pytest.mark.parametrize("lesson", _names("en"))
def test_english_and_chinese_lessons_run_the_same_code_in_the_same_order(lesson):
    en, zh = _code_cells(NOTEBOOKS / "en" / lesson), _code_cells(NOTEBOOKS / "zh" / lesson)
    for number, (english, chinese) in enumerate(zip(en, zh), 1):
        assert _program(english) == _program(chinese), f"{lesson}: code cell {number} differs between en/ and zh/"
    assert len(en) == len(zh), f"{lesson}: {len(en)} code cells in en/, {len(zh)} in zh/"


# PyTorch's own messages stay in English (they are PyTorch's API): an output line that starts with an
# exception or warning type is PyTorch's text, quoted by the lesson.
# (a warning printed by Python starts with where it was raised: "<cell>:3: UserWarning: ...").
PYTORCH_LINE = re.compile(r"^\s*(\S+:\d+: )?(\w+(Error|Warning|Exception)|Traceback)\b")


def _shown_text(output):
    """What a person reads in a stored output: its stream text, or its text/plain and text/html."""
    if output["output_type"] == "stream":
        return "".join(output["text"])
    data = output.get("data", {})
    return "".join("".join(data.get(kind, "")) for kind in ("text/plain", "text/html", "text/latex", "text/markdown"))


@pytest.mark.parametrize("lesson", _names("zh"))
def test_the_chinese_lessons_outputs_speak_chinese(lesson):
    cells = json.loads((NOTEBOOKS / "zh" / lesson).read_text(encoding="utf-8"))["cells"]
    left = []
    for number, cell in enumerate((c for c in cells if c["cell_type"] == "code"), 1):
        for output in cell.get("outputs", []):
            lines = [line for line in plain_text(_shown_text(output)).splitlines() if not PYTORCH_LINE.match(line)]
            left += [f"code cell {number}: {run}" for run in english_sentences("\n".join(lines))]
    assert left == [], f"{lesson}: English left in the Chinese lesson's outputs"
