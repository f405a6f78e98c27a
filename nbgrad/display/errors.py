"""What autograd's common errors mean: ``explain(error)`` gives a short Why and Fix, in the learner's language.

The error is recognised from PyTorch's own message (nbgrad raises PyTorch's exceptions with PyTorch's
messages), which is shown first and unchanged; the Why and the Fix come from the message catalogue
(``explain.<kind>.why``, ``explain.<kind>.fix``). ``%load_ext nbgrad`` adds the explanation under the
traceback of every error it recognises (see ``extension``). Lesson 8 tells the same stories at length.
"""
import re
import warnings
from html import escape

from ..i18n import message

# kind -> the exception types it comes as, and a pattern of PyTorch's message; first match wins.
KINDS = {
    "backward_twice": ((RuntimeError,), r"Trying to backward through the graph a second time"),
    "non_scalar": ((RuntimeError,), r"grad can be implicitly created only for scalar outputs"),
    "inplace_saved": ((RuntimeError,), r"needed for gradient computation has been modified by an inplace operation"),
    "int_requires_grad": ((RuntimeError,),
                          r"(?i)only Tensors of floating point (and complex )?dtype can require gradients"),
    "matmul_shape": ((RuntimeError,), r"shapes cannot be multiplied"),
    "broadcast": ((RuntimeError,), r"The size of tensor a \(\d+\) must match the size of tensor b \(\d+\)"),
    "bad_reshape": ((RuntimeError,), r"shape '\[.*\]' is invalid for input of size \d+"),
    "grad_shape": ((RuntimeError,), r"Mismatch in shape: grad_output\[\d+\] has a shape of"),
    "leaf_inplace": ((RuntimeError,), r"leaf Variable that requires grad is being used in an in-place operation"),
    "numpy_requires_grad": ((RuntimeError,), r"Can't call numpy\(\) on Tensor that requires grad"),
    "non_leaf_grad": ((UserWarning,), r"\.grad attribute of a Tensor that is not a leaf Tensor is being accessed"),
    "no_grad_fn": ((RuntimeError,), r"does not require grad and does not have a grad_fn"),
}

_CODE = re.compile(r"`([^`]+)`")


def explain(error):
    """An ``Explanation`` of ``error``: an exception, or a warning (``warnings.catch_warnings(record=True)``
    gives ``WarningMessage``s; their ``.message`` is the warning). Shown in a notebook, or printed, it reads
    ``RuntimeError: <PyTorch's message>``, then Why and Fix; an error it does not know gets no Why and Fix."""
    if isinstance(error, warnings.WarningMessage):
        error = error.message
    if not isinstance(error, BaseException):
        raise TypeError(f"explain() takes an exception or a warning, not {type(error).__name__}")
    text = str(error)
    kind = next((kind for kind, (types, pattern) in KINDS.items()
                 if isinstance(error, types) and re.search(pattern, text)), None)
    return Explanation(error, kind)


class Explanation:
    """An error, and what it means: ``kind`` (a key of ``KINDS``, or None), ``why`` and ``fix`` (text, or None)."""

    def __init__(self, error, kind):
        self.error = error
        self.kind = kind
        self.why = None if kind is None else message(f"explain.{kind}.why")
        self.fix = None if kind is None else message(f"explain.{kind}.fix")

    def __bool__(self):
        return self.kind is not None  # "is there anything to explain?"

    def headline(self):
        """The last line of the traceback: ``RuntimeError: <PyTorch's message>``, unchanged."""
        return f"{type(self.error).__name__}: {self.error}"

    def advice_text(self):
        """Why and Fix as plain text ("" for an error nbgrad does not know)."""
        if not self:
            return ""
        gap = message("explain.gap")  # Chinese needs no space after "。"
        return f"{message('explain.why')}{gap}{self.why}\n{message('explain.fix')}{gap}{self.fix}"

    def advice_html(self):
        """Why and Fix as HTML, code in ``<code>`` ("" for an error nbgrad does not know)."""
        if not self:
            return ""
        gap = message("explain.gap")
        return "".join(f"<p><b>{escape(message(label))}</b>{gap}{_code(text)}</p>"
                       for label, text in (("explain.why", self.why), ("explain.fix", self.fix)))

    def __str__(self):
        return "\n".join(part for part in (self.headline(), self.advice_text()) if part)

    def __repr__(self):
        return f"<Explanation of {type(self.error).__name__}: {self.kind or 'not recognised'}>"

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))

    def _repr_html_(self):
        return (f"<div class='nbgrad-explanation'><pre style='white-space:pre-wrap'>{escape(self.headline())}</pre>"
                f"{self.advice_html()}</div>")


def _code(text):
    """Our own text as HTML, what is in backquotes as code."""
    return _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escape(text))
