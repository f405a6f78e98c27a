"""Lesson 2, the gradient argument: backward(v) is a vector-Jacobian product, and v has the output's shape."""
import nbgrad as torch

from ._base import Exercise, Mistake, negated, scaled

WEIGHTS = (1.0, 0.5, -1.0)


def _weighted_grad(weights=WEIGHTS):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    if weights is None:
        y.sum().backward()
    else:
        y.backward(torch.tensor(weights))
    return x.grad


def _mean_weights():
    y = torch.tensor([0.5, 1.0, 1.5, 2.0]).exp().requires_grad_()  # the argument is ∂L/∂y, for L = y.mean()
    y.mean().backward()
    return y.grad


EXERCISES = [
    Exercise("02.1", _weighted_grad, (
        Mistake("exercises.hint.ignored_weights", lambda: _weighted_grad(None)),
        Mistake("exercises.hint.gave_weights", lambda: torch.tensor(WEIGHTS)),
        negated(_weighted_grad),
    )),
    Exercise("02.2", _mean_weights, (
        scaled(_mean_weights, 4, "exercises.hint.sum_not_mean"),
        Mistake("exercises.hint.weights_shape", lambda: _mean_weights()[0],
                match=lambda answer, observed, reference: observed.ndim == 0),
    )),
]
