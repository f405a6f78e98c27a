"""Find English left in output meant for another language: runs of three or more English words.

Text in separate HTML blocks (table cells, list items) does not make one sentence. Code is not prose: tokens holding ``_ . ( ) [ ] = < > @ / * + ` `` or a digit (``grad_fn``, ``x.grad``,
``MulBackward0``) are dropped before looking, and so are single letters (variable names).
"""
import html
import re

_HIDDEN = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
# Text in separate blocks (cells, list entries, headings) is not one sentence; inline markup is.
_BLOCK = re.compile(r"</?(div|p|dt|dd|dl|th|td|tr|table|li|ul|ol|h\d|summary|details|pre|br|option|label)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_CODE = re.compile(r"\S*[_\d.()\[\]{}=<>@/\\*+`|^$%#&~]\S*")
_RUN = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,;:'’\-]+[A-Za-z][a-z]+){2,}\b")


def english_sentences(text, *, allowed=()):
    """The runs of three or more English words in ``text`` (HTML or plain), except those in ``allowed``."""
    prose = _TAG.sub(" ", _BLOCK.sub("\n", _HIDDEN.sub(" ", text)))
    prose = _CODE.sub(" ", html.unescape(prose))
    return [run for run in _RUN.findall(prose) if run not in allowed]
