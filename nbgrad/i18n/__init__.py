"""The message catalogue: every sentence nbgrad shows a person, in each language it speaks.

A language is one module in this package (``en.py``, ``zh.py``, ...) holding ``NAME``, the language's own name,
and ``MESSAGES``, a dict from a key (``"stepper.step_of"``) to a ``str.format`` template. English is complete by
definition; a test holds every other language to the same keys and the same placeholders. The derivative
rules of the ops are written in English in each op's own block (``nbgrad.ops``); another language translates
them under the key ``"rule.<OpName>"``.

Which language speaks, first match wins:

1. ``nbgrad.set_language("zh")``;
2. the notebook's metadata, ``{"nbgrad": {"language": "zh"}}``, so that a lesson's pictures speak the language
   of its text: the kernel finds its notebook through ``JPY_SESSION_NAME``, which Jupyter's server sets for
   every kernel it starts for a notebook (so do ``python -m nbgrad execute`` and the lessons' tests); in
   JupyterLite, whose kernel is not told its notebook, the language the notebooks in its folder agree on;
3. the environment variable ``NBGRAD_LANG`` (a learner's or a workshop's choice for their own notebooks);
4. English.

The catalogue is plain Python dicts rather than gettext's compiled ``.mo`` files: a language stays one
readable text file, and no binary is kept in the repository.
"""
import contextlib
import importlib
import os
import re
import sys

DEFAULT = "en"
ENV_VAR = "NBGRAD_LANG"

_chosen = None  # set by set_language
_found = None  # what the environment and the notebook said, looked up once
_catalogues = {}


def languages():
    """The codes of the languages nbgrad speaks, English first: ``["en", "zh", ...]``."""
    import pkgutil

    found = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return [DEFAULT] + [code for code in found if code != DEFAULT]


def set_language(code):
    """Speak ``code`` ("en", "zh", ...) from now on in this process; ``None`` goes back to the environment's choice."""
    global _chosen
    if code is not None:
        code = _normalise(code)
        if code not in languages():
            raise ValueError(f"nbgrad speaks {', '.join(languages())}; got {code!r}")
    _chosen = code


@contextlib.contextmanager
def speaking(code):
    """Speak ``code`` inside the ``with`` block, then what was spoken before (a widget speaks the language
    it was made in, whatever is chosen after)."""
    global _chosen
    if code == get_language():  # the common case, and a cheap one: widgets call this around every method
        yield
        return
    before = _chosen
    set_language(code)
    try:
        yield
    finally:
        _chosen = before


def get_language():
    """The code of the language nbgrad speaks now."""
    global _found
    if _chosen is not None:
        return _chosen
    if _found is None:
        _found = _from_environment()
    return _found


def message(key, **values):
    """The sentence ``key`` in the current language, its ``{placeholders}`` filled from ``values``."""
    text = catalogue(get_language()).get(key)
    if text is None:
        text = catalogue(DEFAULT)[key]  # a KeyError here is a bug: the key is missing from en.py
    return text.format(**values) if values else text


def rule_text(op):
    """An op's derivative rule in words, in the current language (English: the op's own ``rule.text``)."""
    language = get_language()
    if language != DEFAULT:
        text = catalogue(language).get(f"rule.{op.__name__}")
        if text is not None:
            return text
    return op.rule.text


_LATEX_WORDS = re.compile(r"\\text\{([^{}]*)\}")


def rule_latex(op):
    """An op's LaTeX rule (``op.rule.latex``), the words in its ``\\text{...}`` in the current language.

    A language translates those words once for every op, under ``"rule.latex.<the English words>"`` (spaces
    around them dropped from the key; the translation brings its own), so that the maths stays in one place:
    the op's block. Words without a translation, and names such as ``\\text{indices}``, stay as they are.
    """
    latex = op.rule.latex
    language = get_language()
    if language == DEFAULT or not latex:
        return latex
    words = catalogue(language)

    def translate(match):
        translated = words.get(f"rule.latex.{match.group(1).strip()}")
        return match.group(0) if translated is None else rf"\text{{{translated}}}"

    return tuple(_LATEX_WORDS.sub(translate, template) for template in latex)


def catalogue(code):
    """The messages of language ``code``, as a dict."""
    found = _catalogues.get(code)
    if found is None:
        found = _catalogues[code] = importlib.import_module(f"{__name__}.{code}").MESSAGES
    return found


def _normalise(code):
    # "zh_CN.UTF-8", "zh-Hans" and "ZH" all name Simplified Chinese's catalogue, zh
    return str(code).replace("-", "_").split("_")[0].split(".")[0].lower()


def _from_environment():
    for choice in (_notebook_language(), os.environ.get(ENV_VAR)):
        if choice and _normalise(choice) in languages():
            return _normalise(choice)
    return DEFAULT


def _notebook_language():
    """The language in the metadata of the notebook this kernel runs for, if it can be found."""
    path = os.environ.get("JPY_SESSION_NAME")
    if not path and sys.platform == "emscripten":
        return _folder_language()
    if not path or not path.endswith(".ipynb"):
        return None
    if not os.path.isfile(path):  # a path relative to the server's root: the kernel runs in the notebook's folder
        path = os.path.basename(path)
    return _metadata_language(path)


def _folder_language():
    """The language every notebook in the working folder that names one agrees on, if they agree.

    JupyterLite's kernel (Pyodide, in the browser) runs in its notebook's folder but is not told which notebook
    it runs for; the lessons keep each language in a folder of their own.
    """
    try:
        names = sorted(name for name in os.listdir(".") if name.endswith(".ipynb"))
    except OSError:
        return None
    found = {_metadata_language(name) for name in names} - {None}
    return found.pop() if len(found) == 1 else None


def _metadata_language(path):
    import json

    try:
        with open(path, encoding="utf-8") as f:
            metadata = json.load(f).get("metadata", {})
    except (OSError, ValueError):
        return None
    language = metadata.get("nbgrad", {}).get("language")
    return language if isinstance(language, str) else None
