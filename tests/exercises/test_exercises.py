"""The self-checking exercises: every exercise says right to its right answer and, to each mistake it names,
wrong with that mistake's hint (never a number), in English and in Chinese; bad answers get a sentence, not a
traceback; every lesson ends with 2-4 of them, solutions hidden in JupyterLab, Jupyter Book and the site."""
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nbgrad
import nbgrad as torch
from nbgrad.exercises import check, exercise, exercise_ids
from nbgrad.i18n import message
from tests.i18n_checks import english_sentences

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks" / "en").glob("0*.ipynb"))
CHECK_CALL = re.compile(r'check\("(\d\d\.\d+)", answer\)')


@pytest.fixture(params=["en", "zh"])
def language(request):
    nbgrad.set_language(request.param)
    yield request.param
    nbgrad.set_language(None)


def cases():
    return [(i, k) for i in exercise_ids() for k in range(len(exercise(i).mistakes))]


@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_the_right_answer_is_right(exercise_id, language):
    result = check(exercise_id, exercise(exercise_id).reference())
    assert result and result.right
    assert repr(result) == message("exercises.right", id=exercise_id)


@pytest.mark.parametrize("exercise_id, k", cases())
def test_each_named_mistake_is_wrong_with_its_hint_and_no_numbers(exercise_id, k, language):
    mistake = exercise(exercise_id).mistakes[k]
    result = check(exercise_id, mistake.example())
    assert not result
    assert result.hint == message(mistake.hint)
    assert repr(result) == message("exercises.wrong", id=exercise_id, hint=result.hint)
    assert not re.search(r"\d", result.hint), "a hint must not give numbers away"
    if language == "zh":
        assert english_sentences(repr(result)) == []


@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_an_unknown_wrong_answer_gets_the_general_hint(exercise_id, language):
    found = exercise(exercise_id)
    if found.kind == "tensor":
        wrong = found.reference().detach() + 0.375  # no mistake any exercise names
    else:
        wrong = lambda *args: args[0] ** 2  # noqa: E731
    result = check(exercise_id, wrong)
    assert not result and result.hint == message("exercises.hint.unknown")


def test_the_checker_reads_the_answer_without_changing_it():
    w = torch.tensor([0.5, -0.5], requires_grad=True)
    (w * w).sum().backward()
    before = (w.detach().numpy().copy(), w.grad.numpy().copy(), w._version)
    check("05.2", w)
    assert np.array_equal(w.detach().numpy(), before[0]) and np.array_equal(w.grad.numpy(), before[1])
    assert w._version == before[2] and w.requires_grad and w.grad_fn is None


@pytest.mark.parametrize("answer, key, values", [
    (None, "exercises.not_yet", {"id": "03.2"}),
    ("x.grad", "exercises.error.type", {"got": "str"}),
    ([[1.0, 2.0], [3.0]], "exercises.error.type", {"got": "list"}),
    (True, "exercises.error.type", {"got": "bool"}),
    ([1.0, 2.0], "exercises.error.shape", {"got": "(2,)", "want": "(3,)"}),
    (torch.ones(2, 3), "exercises.error.shape", {"got": "(2, 3)", "want": "(3,)"}),
])
def test_a_bad_answer_gets_a_sentence_not_a_traceback(answer, key, values, language):
    result = check("03.2", answer)
    assert not result
    if key == "exercises.error.type":
        values = {**values, "kind": message("exercises.kind.tensor")}
    assert message(key, **values) in repr(result)
    if language == "zh":
        assert english_sentences(repr(result)) == []


def test_check_works_inside_no_grad():
    gradient, function = exercise("01.1").reference(), exercise("06.1").reference()
    with torch.no_grad():
        assert check("01.1", gradient) and check("06.1", function)
        assert not torch.is_grad_enabled()


def test_an_unknown_exercise_names_the_ones_there_are():
    result = check("3.2", torch.zeros(3))
    assert not result and "3.2" in repr(result) and "03.2" in repr(result)


def test_a_function_answer_that_raises_is_reported_with_its_message():
    class Broken(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):
            raise ValueError("<script>alert(1)</script> went wrong")

    result = check("06.1", Broken)
    assert not result
    assert repr(result) == message("exercises.wrong", id="06.1", hint=message(
        "exercises.error.raised", error="ValueError", text="<script>alert(1)</script> went wrong"))
    page = result._repr_html_()
    assert "<script" not in page and "&lt;script&gt;" in page and " on" not in page.lower().replace("border", "")
    assert not check("06.1", 3)  # not a function at all: a sentence too


def test_the_result_is_plain_text_and_escaped_html():
    right, wrong = check("01.1", exercise("01.1").reference()), check("01.1", [1.0, 2.0, 3.0])
    for result in (right, wrong):
        assert result._repr_html_().count("<div") == 1 and str(result) == repr(result) == result.text
    assert bool(right) and not bool(wrong)


def test_import_nbgrad_does_not_load_the_exercises_and_the_core_never_imports_them():
    code = "import sys, nbgrad; assert 'nbgrad.exercises' not in sys.modules; print(nbgrad.exercises.check)"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True)
    from tests.core.test_architecture import PACKAGE, module_name, violations

    for path in PACKAGE.rglob("*.py"):
        if "exercises" not in path.relative_to(PACKAGE).parts:
            module = module_name(path) + (".__init__" if path.name == "__init__.py" else "")
            assert violations(path.read_text(encoding="utf-8"), module, ("nbgrad.exercises",)) == [], path


# The lessons

def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def text(cell):
    return "".join(cell["source"])


def result_text(cell):
    """What the cell's last line (``check(...)``) showed."""
    return "".join("".join(out["data"]["text/plain"]) for out in cell["outputs"] if out["output_type"] == "execute_result")


def is_solution(cell):
    return cell["cell_type"] == "code" and "solution" in cell["metadata"].get("tags", [])


@pytest.mark.parametrize("lesson", [p.name for p in LESSONS])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_lesson_ends_with_two_to_four_exercises_solutions_hidden(lesson, lang):
    found = cells(ROOT / "notebooks" / lang / lesson)
    answers = [(i, CHECK_CALL.search(text(c)).group(1)) for i, c in enumerate(found)
               if c["cell_type"] == "code" and text(c).startswith("answer = None")]
    ids = [exercise_id for _, exercise_id in answers]
    assert 2 <= len(ids) <= 4 and len(set(ids)) == len(ids), ids
    assert all(i.startswith(lesson[:2] + ".") and i in exercise_ids() for i in ids), ids
    nbgrad.set_language(lang)  # the language the lesson's kernel speaks (its metadata): its stored outputs show it
    try:
        for i, exercise_id in answers:
            assert result_text(found[i]) == message("exercises.not_yet", id=exercise_id)
            label, solution = found[i + 1], found[i + 2]
            assert label["metadata"].get("tags") == ["solution-label"]
            assert is_solution(solution) and CHECK_CALL.search(text(solution)).group(1) == exercise_id
            assert result_text(solution) == message("exercises.right", id=exercise_id)
    finally:
        nbgrad.set_language(None)
    for cell in filter(is_solution, found):  # the lesson's older "Try it" solution too
        assert cell["metadata"]["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
        assert cell["metadata"]["tags"] == ["hide-cell", "solution"]
    solutions = [i for i, c in enumerate(found) if is_solution(c)]
    assert all(found[i - 1]["metadata"].get("tags") == ["solution-label"] for i in solutions)
