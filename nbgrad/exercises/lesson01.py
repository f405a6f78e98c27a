"""Lesson 1, autograd basics: a gradient by backward(), and gradients that add up."""
import nbgrad as torch

from ._base import Exercise, Mistake, negated, scaled


def _mean_of_squares_grad(reduce="mean", passes=1):
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for _ in range(passes):
        getattr(x ** 2, reduce)().backward()
    return x.grad


def _two_passes_grad(first=True, second=True):
    x = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    if first:
        (x * x).sum().backward()
    if second:
        (3 * x).sum().backward()
    return x.grad


EXERCISES = [
    Exercise("01.1", _mean_of_squares_grad, (
        scaled(_mean_of_squares_grad, 3, "exercises.hint.sum_not_mean"),
        Mistake("exercises.hint.accumulated", lambda: _mean_of_squares_grad(passes=2)),
        scaled(_mean_of_squares_grad, 0.5, "exercises.hint.power_rule"),
        negated(_mean_of_squares_grad),
    )),
    Exercise("01.2", _two_passes_grad, (
        Mistake("exercises.hint.grad_overwritten", lambda: _two_passes_grad(first=False)),
        Mistake("exercises.hint.grad_overwritten", lambda: _two_passes_grad(second=False)),
        negated(_two_passes_grad),
    )),
]
