"""The message catalogue: every language has every key of English, with the same placeholders; the choice of
language follows set_language, the notebook's metadata, then NBGRAD_LANG."""
import json
import string

import pytest

import nbgrad
from nbgrad import i18n
from tests.i18n_checks import english_sentences


def placeholders(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.fixture
def fresh_choice(monkeypatch):
    """Forget what the environment said, and restore the language afterwards."""
    monkeypatch.setattr(i18n, "_found", None)
    monkeypatch.setattr(i18n, "_chosen", None)
    for name in (i18n.ENV_VAR, "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)
    yield
    i18n._found = None


@pytest.mark.parametrize("code", [c for c in i18n.languages() if c != i18n.DEFAULT])
def test_every_language_has_every_key_with_its_placeholders(code):
    english, other = i18n.catalogue("en"), i18n.catalogue(code)
    plain = {k: v for k, v in other.items() if not k.startswith("rule.")}
    assert sorted(set(english) - set(plain)) == [], f"{code} lacks these keys"
    assert sorted(set(plain) - set(english)) == [], f"{code} has keys English does not"
    for key, text in english.items():
        assert placeholders(other[key]) == placeholders(text), key


def test_each_language_names_itself():
    import importlib

    for code in i18n.languages():
        module = importlib.import_module(f"nbgrad.i18n.{code}")
        assert isinstance(module.NAME, str) and module.NAME


def test_the_chinese_catalogue_is_chinese():
    for key, text in i18n.catalogue("zh").items():
        assert english_sentences(text) == [], key


def test_set_language_wins_then_notebook_metadata_then_environment(fresh_choice, monkeypatch, tmp_path):
    assert nbgrad.get_language() == "en"
    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN.UTF-8")
    i18n._found = None
    assert nbgrad.get_language() == "zh"

    lesson = tmp_path / "lesson.ipynb"
    lesson.write_text(json.dumps({"cells": [], "metadata": {"nbgrad": {"language": "en"}}}), encoding="utf-8")
    monkeypatch.setenv("JPY_SESSION_NAME", str(lesson))
    i18n._found = None
    assert nbgrad.get_language() == "en"  # the notebook's language beats the learner's default

    nbgrad.set_language("zh")
    assert nbgrad.get_language() == "zh"
    nbgrad.set_language(None)
    assert nbgrad.get_language() == "en"


def test_an_unknown_language_is_refused_and_changes_nothing(fresh_choice):
    nbgrad.set_language("zh")
    with pytest.raises(ValueError, match="nbgrad speaks en, zh"):
        nbgrad.set_language("xx")
    assert nbgrad.get_language() == "zh"


def test_a_notebook_that_cannot_be_read_leaves_english(fresh_choice, monkeypatch, tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("JPY_SESSION_NAME", str(broken))
    assert nbgrad.get_language() == "en"


def test_the_english_sentence_finder_finds_english_and_not_code():
    assert english_sentences("<b>leaf gradients so far</b>: 无") == ["leaf gradients so far"]
    assert english_sentences("x.grad = tensor([2.]) grad_fn=<MulBackward0> 叶子的梯度 a · b") == []
