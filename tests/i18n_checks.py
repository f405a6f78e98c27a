"""Find English left in output meant for another language: runs of three or more English words.

Code is not prose: tokens holding ``_ . ( ) [ ] = < > @ / * + ` `` or a digit (``grad_fn``, ``x.grad``,
``MulBackward0``) are dropped before looking, and so are single letters (variable names) and Python's ``True``,
``False`` and ``None``.
"""
import html
import re

_MARKUP = re.compile(r"<(style|script)\b.*?</\1>|<[^>]+>", re.S | re.I)
_CODE = re.compile(r"\S*[_\d.()\[\]{}=<>@/\\*+`|^$%#&~]\S*")
_LITERALS = re.compile(r"\b(True|False|None)\b")  # Python's own words are code too
_RUN = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,;:'’\-]+[A-Za-z][a-z]+){2,}\b")


def english_sentences(text, *, allowed=()):
    """The runs of three or more English words in ``text`` (HTML or plain), except those in ``allowed``."""
    prose = _LITERALS.sub(" ", _CODE.sub(" ", html.unescape(_MARKUP.sub(" ", text))))
    return [run for run in _RUN.findall(prose) if run not in allowed]
