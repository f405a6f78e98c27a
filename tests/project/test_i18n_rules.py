"""The ops' derivative rules in every language: each op translated, no English left, the maths unchanged.

The English rule of an op lives in its block (``rule = Rule(text, latex, ...)`` in ``nbgrad/ops``); another
language translates the words under ``"rule.<OpName>"``, and the words of the LaTeX (``\\text{...}``) once for
all ops under ``"rule.latex.<words>"``. A translation may reorder words, never the maths: the derivatives it
names, the symbols of its formulas and the inputs it names are those of the English.
"""
import collections
import inspect
import re

import pytest

import nbgrad
from nbgrad import i18n
from nbgrad.autograd.function import Function
from tests.i18n_checks import english_sentences

OTHER_LANGUAGES = [c for c in i18n.languages() if c != i18n.DEFAULT]

# ∂/∂a, ∂/∂aᵢ, ∂L/∂aᵢ, ∂std/∂aᵢ, ∂/∂weight[k], ∂/∂logp[i, target_i]: the derivatives a rule names
DERIVATIVE = re.compile(r"∂(\w*)/∂(\w+(?:\[[^\]]*\])?)")
# the symbols of the formulas; a hyphen inside a word ("size-1", "0-d") is not a minus
SYMBOLS = set("=+-−·/×²³ᵀ⁻¹√Σ∂Π|‖<>≤≥½∫σφΦαβγδλκεμ")
HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
TEXT = re.compile(r"\\text\{([^{}]*)\}")
# \text{...} that hold a name, not words: the argument ``indices``, the number nan
LATEX_NAMES = ("indices", "nan")


def _ops_with_rules():
    nbgrad._lazy.load_all()  # the op families that load at first use, all of them
    found, todo = {}, [Function]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("nbgrad.") and getattr(cls, "rule", None) is not None:
            found[cls.__name__] = cls
    return [found[name] for name in sorted(found)]


OPS = _ops_with_rules()


@pytest.fixture
def language():
    """Speak a language for one test, then go back to the environment's choice."""
    yield nbgrad.set_language
    nbgrad.set_language(None)


def _mentions(text, name):
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is not None


def maths_lost(op, english, translated):
    """How ``translated`` differs from ``english`` in maths: derivatives, formula symbols, inputs named."""
    lost = []
    if sorted(DERIVATIVE.findall(english)) != sorted(DERIVATIVE.findall(translated)):
        lost.append(f"derivatives {DERIVATIVE.findall(english)} became {DERIVATIVE.findall(translated)}")
    symbols = [collections.Counter(c for c in HYPHEN.sub("", t) if c in SYMBOLS) for t in (english, translated)]
    if symbols[0] != symbols[1]:
        lost.append(f"symbols lost {dict(symbols[0] - symbols[1])}, added {dict(symbols[1] - symbols[0])}")
    arguments = list(inspect.signature(op.forward).parameters)[1:]
    unnamed = [a for a in arguments if _mentions(english, a) and not _mentions(translated, a)]
    if unnamed:
        lost.append(f"inputs no longer named: {unnamed}")
    return lost


def test_every_op_with_a_rule_is_found():
    names = {op.__name__ for op in OPS}
    assert len(OPS) > 250 and {"Mul", "Relu", "Convolution", "CopySlices", "_FloorDivide"} <= names


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_every_op_with_a_rule_is_translated(code):
    words = i18n.catalogue(code)
    assert [op.__name__ for op in OPS if f"rule.{op.__name__}" not in words] == []


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_the_maths_survives_translation(code):
    words = i18n.catalogue(code)
    changed = {op.__name__: lost for op in OPS
               if (lost := maths_lost(op, op.rule.text, words.get(f"rule.{op.__name__}", op.rule.text)))}
    assert changed == {}


def test_the_maths_check_catches_a_dropped_derivative_a_changed_formula_and_a_lost_input():
    mul = next(op for op in OPS if op.__name__ == "Mul")
    chinese = i18n.catalogue("zh")["rule.Mul"]
    assert maths_lost(mul, mul.rule.text, chinese) == []
    assert maths_lost(mul, mul.rule.text, chinese.replace(",  ∂/∂b = a", ""))[0].startswith("derivatives")
    assert maths_lost(mul, mul.rule.text, chinese.replace("∂/∂a", "∂/∂b", 1))[0].startswith("derivatives")
    assert maths_lost(mul, mul.rule.text, chinese.replace("a · b", "a + b"))[0].startswith("symbols")
    add = next(op for op in OPS if op.__name__ == "Add")
    assert maths_lost(add, add.rule.text, i18n.catalogue("zh")["rule.Add"].replace("alpha", "α"))[-1] == \
        "inputs no longer named: ['alpha']"


def test_the_chinese_rules_hold_no_english_sentence():
    words = i18n.catalogue("zh")
    left = {op.__name__: found for op in OPS
            if (found := english_sentences(words[f"rule.{op.__name__}"]))}
    assert left == {}


def test_rule_text_speaks_the_current_language(language):
    relu = next(op for op in OPS if op.__name__ == "Relu")
    language("en")
    assert i18n.rule_text(relu) == relu.rule.text
    language("zh")
    assert i18n.rule_text(relu) == i18n.catalogue("zh")["rule.Relu"]
    assert re.search("[\u4e00-\u9fff]", i18n.rule_text(relu)) and "where" not in i18n.rule_text(relu)


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_no_rule_key_names_an_op_or_words_that_do_not_exist(code):
    ops = {op.__name__ for op in OPS}
    latex_words = {words.strip() for op in OPS for t in op.rule.latex or () for words in TEXT.findall(t)}
    stale = [key for key in i18n.catalogue(code) if key.startswith("rule.")
             and (key[len("rule.latex."):] not in latex_words if key.startswith("rule.latex.")
                  else key[len("rule."):] not in ops)]
    assert stale == []


@pytest.mark.parametrize("code", OTHER_LANGUAGES)
def test_every_word_of_the_latex_rules_is_translated_and_stays_text(code):
    words = i18n.catalogue(code)
    english = {w.strip() for op in OPS for t in op.rule.latex or () for w in TEXT.findall(t)}
    needed = {w for w in english if re.search("[A-Za-z]", w) and w not in LATEX_NAMES}
    assert sorted(w for w in needed if f"rule.latex.{w}" not in words) == []
    # a translation is text inside \text{...}: a brace or a backslash would break the LaTeX around it
    assert [w for w in english if re.search(r"[{}\\]", words.get(f"rule.latex.{w}", ""))] == []


def test_rule_latex_translates_the_words_and_keeps_the_maths(language):
    def maths(template):
        return TEXT.sub("", template)

    language("en")
    english = {op: i18n.rule_latex(op) for op in OPS if op.rule.latex}
    assert all(english[op] is op.rule.latex for op in english)
    language("zh")
    for op, templates in english.items():
        chinese = i18n.rule_latex(op)
        assert [maths(t) for t in chinese] == [maths(t) for t in templates], op.__name__
        assert english_sentences(" ".join(chinese)) == [], op.__name__
    relu = next(op for op in OPS if op.__name__ == "Relu")
    assert i18n.rule_latex(relu)[1] == r"1 \text{，若 } $a > 0 \text{，否则 } 0"
