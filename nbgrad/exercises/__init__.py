"""Exercises that check themselves: ``check("03.2", answer)`` says right or wrong, and on wrong gives a hint
aimed at the likely mistake, never the answer.

Each lesson's exercises are one module here (``lesson03.py`` holds ``03.1``, ``03.2``, ...); every sentence
comes from the message catalogue (``nbgrad.i18n``), so a Chinese lesson's checker answers in Chinese. The core
never imports this package: ``import nbgrad`` stays light, and ``nbgrad.exercises`` loads when first named.
"""
import html
import importlib
import pkgutil

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..i18n import message
from ._base import AnswerError, Raised, same

__all__ = ["check", "exercise", "exercise_ids", "Result"]


class Result:
    """The checker's verdict: true when right; prints one plain sentence (and a hint when wrong)."""

    def __init__(self, exercise_id, right, text, hint=None):
        self.exercise_id, self.right, self.text, self.hint = exercise_id, right, text, hint

    def __bool__(self):
        return self.right

    def __repr__(self):
        return self.text

    def _repr_html_(self):
        colour = "#1a7f37" if self.right else "#9a6700"
        return (f'<div class="nbgrad-exercise" style="border-left:4px solid {colour};padding:2px 8px">'
                f"{html.escape(self.text)}</div>")


def check(exercise_id, answer):
    """Check ``answer`` to exercise ``exercise_id`` ("03.2"): a ``Result``, true when right, with a hint when not."""
    with enable_grad():  # the answers are built with backward, even if check is called inside no_grad()
        return _check(exercise_id, answer)


def _check(exercise_id, answer):
    found = _exercises().get(str(exercise_id))
    if found is None:
        return Result(exercise_id, False, message("exercises.unknown", id=exercise_id, known=", ".join(_exercises())))
    if answer is None:
        return Result(found.id, False, message("exercises.not_yet", id=found.id))
    reference = found.observe(found.reference())
    try:
        observed = found.observe(answer)
    except AnswerError as problem:
        return _wrong(found, message(problem.key, kind=message(f"exercises.kind.{found.kind}"), **problem.values))
    for mistake in found.mistakes:
        if mistake.matches(found, answer, observed, reference):
            return _wrong(found, message(mistake.hint))
    if isinstance(observed, Raised):
        return _wrong(found, message("exercises.error.raised", error=observed.error, text=observed.text))
    if np.shape(observed) != np.shape(reference):
        return _wrong(found, message("exercises.error.shape", got=_shape(observed), want=_shape(reference)))
    if same(observed, reference):
        return Result(found.id, True, message("exercises.right", id=found.id))
    return _wrong(found, message("exercises.hint.unknown"))


def exercise(exercise_id):
    """The ``Exercise`` of that id (its reference answer and its mistakes), for tests and tools."""
    return _exercises()[exercise_id]


def exercise_ids():
    """Every exercise id, in lesson order."""
    return list(_exercises())


def _wrong(found, hint):
    return Result(found.id, False, message("exercises.wrong", id=found.id, hint=hint), hint)


def _shape(array):
    return "(" + ", ".join(str(n) for n in np.shape(array)) + ("," if np.ndim(array) == 1 else "") + ")"


_found = {}


def _exercises():
    if not _found:
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if info.name.startswith("lesson"):
                for found in importlib.import_module(f"{__name__}.{info.name}").EXERCISES:
                    _found[found.id] = found
    return _found
