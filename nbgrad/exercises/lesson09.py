"""Lesson 9, views and in-place: a view shares its numbers, and an in-place change is recorded."""
import nbgrad as torch

from ._base import Exercise, Mistake, negated, transposed


def _through_a_view(write=True):
    x = torch.arange(6.0).reshape(2, 3)
    v = x[:, 1]
    if write:
        v += 10
    return x


def _overwritten_grad(overwrite=True):
    x = torch.tensor([0.5, 1.0, 1.5], requires_grad=True)
    y = x * 2
    if overwrite:
        y[0] = 0.0
    y.sum().backward()
    return x.grad


EXERCISES = [
    Exercise("09.1", _through_a_view, (
        Mistake("exercises.hint.view_shares", lambda: _through_a_view(write=False)),
        transposed(_through_a_view),
    )),
    Exercise("09.2", _overwritten_grad, (
        Mistake("exercises.hint.overwritten_entry", lambda: _overwritten_grad(overwrite=False)),
        negated(_overwritten_grad),
    )),
]
