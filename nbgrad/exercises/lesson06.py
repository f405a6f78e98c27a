"""Lesson 6, your own Function: a backward that follows the chain rule, and returns one gradient per input.

The answer is a ``torch.autograd.Function`` subclass (or any function of tensors); the checker runs it on a
few float64 points with a gradient argument that is not all ones, so a backward that ignores ``grad_output``
shows, and compares forward's values and the gradient with autograd's own.
"""
import numpy as np

import nbgrad as torch

from ._base import AnswerError, Exercise, Mistake, Raised

POINTS = (-1.5, 0.5, 2.0)
ARGUMENT = (1.0, -2.0, 0.5)
K = 2.5


def _runs(call):
    """Forward's values over backward's gradient, as one (2, n) array; Raised if the learner's code raised."""
    def observe(answer):
        fn = getattr(answer, "apply", answer)
        if not callable(fn):
            raise AnswerError("exercises.error.type", got=type(answer).__name__)
        x = torch.tensor(POINTS, dtype=torch.float64, requires_grad=True)
        try:
            out = call(fn, x)
            out.backward(torch.tensor(ARGUMENT, dtype=torch.float64))
            return np.stack([out.detach().numpy(), x.grad.numpy()]).astype(np.float64)
        except Exception as error:  # the learner's code: its error is the answer to report, not a crash
            return Raised(type(error).__name__, str(error))
    return observe


def _function(forward, backward):
    return type("Learner", (torch.autograd.Function,),
                {"forward": staticmethod(forward), "backward": staticmethod(backward)})


def _cube(backward):
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3
    return _function(forward, lambda ctx, g: backward(g, ctx.saved_tensors[0]))


def _scale(backward):
    def forward(ctx, x, k):
        ctx.k = k
        return x * k
    return _function(forward, lambda ctx, g: backward(g, ctx.k))


def _incorrect_gradient_count(answer, observed, reference):
    return isinstance(observed, Raised) and "incorrect number of gradients" in observed.text


EXERCISES = [
    Exercise("06.1", lambda: (lambda x: x ** 3), (
        Mistake("exercises.hint.grad_output", lambda: _cube(lambda g, x: 3 * x ** 2)),
        Mistake("exercises.hint.power_rule", lambda: _cube(lambda g, x: g * x ** 2)),
        Mistake("exercises.hint.sign", lambda: _cube(lambda g, x: -3 * g * x ** 2)),
    ), observe=_runs(lambda fn, x: fn(x)), kind="function"),
    Exercise("06.2", lambda: (lambda x, k: x * k), (
        Mistake("exercises.hint.one_grad_per_input", lambda: _scale(lambda g, k: g * k),
                match=_incorrect_gradient_count),
        Mistake("exercises.hint.local_derivative", lambda: _scale(lambda g, k: (g, None))),
    ), observe=_runs(lambda fn, x: fn(x, K)), kind="function"),
]
