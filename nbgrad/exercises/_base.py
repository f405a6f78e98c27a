"""What an exercise is: how to build its right answer with nbgrad, and the mistakes it recognises.

An exercise never stores a number: its ``reference()`` computes the right answer with nbgrad each time, and
each ``Mistake`` carries ``example()``, the wrong answer a learner making that mistake would give, also
computed (the tests feed every example to the checker and expect that mistake's hint). A mistake is
recognised when the learner's answer comes out as its example does, or, for a mistake that is not about the
numbers (a tensor that no longer requires grad, a backward that raised), by its own ``match``.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..tensor import Tensor


class AnswerError(Exception):
    """The answer cannot be checked (wrong type, wrong shape): ``key`` and ``values`` are its catalogue message."""

    def __init__(self, key, **values):
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class Raised:
    """What running a learner's code gave when it raised instead of returning."""

    error: str
    text: str


def as_array(answer):
    """A tensor answer's numbers, float64: a Tensor, a Python number or a (nested) list of numbers."""
    if isinstance(answer, Tensor):
        return np.asarray(answer.detach().numpy(), dtype=np.float64)
    if isinstance(answer, (bool, np.bool_)) or not _numeric(answer):
        raise AnswerError("exercises.error.type", got=type(answer).__name__)
    try:
        return np.asarray(answer, dtype=np.float64)
    except ValueError:  # a ragged list
        raise AnswerError("exercises.error.type", got=type(answer).__name__) from None


def _numeric(answer):
    if isinstance(answer, (int, float, np.integer, np.floating)):
        return True
    if isinstance(answer, (list, tuple)):
        return len(answer) > 0 and all(_numeric(a) for a in answer)
    return False


def same(a, b):
    """Equal shapes and numbers equal to float32's precision (what nbgrad computes in by default)."""
    return (not isinstance(a, Raised) and not isinstance(b, Raised)
            and np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=1e-4, atol=1e-6)))


@dataclass(frozen=True)
class Mistake:
    """A likely mistake: the hint aimed at it, and a wrong answer as someone making it would give."""

    hint: str  # catalogue key
    example: Callable[[], object]
    match: Callable | None = None  # (answer, observed, reference) -> bool; default: observed as example's is

    def matches(self, exercise, answer, observed, reference):
        if self.match is not None:
            return self.match(answer, observed, reference)
        return same(observed, exercise.observe(self.example()))


@dataclass(frozen=True)
class Exercise:
    id: str
    reference: Callable[[], object]  # the right answer, built with nbgrad
    mistakes: tuple = ()
    observe: Callable[[object], object] = as_array  # answer -> what is compared (an array, or Raised)
    kind: str = "tensor"  # what the answer is, for the message on a wrong type: exercises.kind.<kind>


# Mistakes any tensor answer can make, made from the reference (their examples are plain values: detached)

def negated(reference):
    return scaled(reference, -1, "exercises.hint.sign")


def transposed(reference):
    return Mistake("exercises.hint.transposed", lambda: reference().detach().t(),
                   match=lambda answer, observed, ref: (np.ndim(ref) == 2 and np.shape(ref) != np.shape(ref.T)
                                                        and same(observed, ref.T)))


def scaled(reference, factor, hint):
    """The right answer times ``factor``: a gradient counted twice, a mean taken as a sum, a broadcast factor."""
    return Mistake(hint, lambda: reference().detach() * factor)
