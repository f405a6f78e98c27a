"""Find English left in output meant for another language: runs of three or more English words.

Text in separate HTML blocks (table cells, list items) does not make one sentence. Code is not prose:
tokens holding ``_ . ( ) [ ] = < > @ / * + ` `` or a digit (``grad_fn``, ``x.grad``, ``MulBackward0``) are
dropped before looking, and so are single letters (variable names) and Python's ``True``, ``False``, ``None``.
"""
import html
import re

_HIDDEN = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
# Text in separate blocks (cells, list entries, headings) is not one sentence; inline markup is.
_BLOCK = re.compile(r"</?(div|p|dt|dd|dl|th|td|tr|table|li|ul|ol|h\d|summary|details|pre|br|option|label)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_CODE = re.compile(r"\S*[_\d.()\[\]{}=<>@/\\*+`|^$%#&~]\S*")
_RUN = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,;:'’\-]+[A-Za-z][a-z]+){2,}\b")


_PYTHON = re.compile(r"\b(True|False|None)\b")


def plain_text(text):
    """What a person reads in ``text`` (HTML or plain): tags gone, each HTML block on its own line."""
    return html.unescape(_TAG.sub(" ", _BLOCK.sub("\n", _HIDDEN.sub(" ", text))))


def english_sentences(text, *, allowed=()):
    """The runs of three or more English words in ``text`` (HTML or plain), except those in ``allowed``."""
    prose = _PYTHON.sub(" ", _CODE.sub(" ", plain_text(text)))
    return [run for run in _RUN.findall(prose) if run not in allowed]
