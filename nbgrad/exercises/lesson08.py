"""Lesson 8, reading errors: a loss that broadcasts silently, and backward from an output of several numbers."""
import nbgrad as torch

from ._base import Exercise, Mistake, negated, scaled, transposed


def _regression_grad(broadcast=False):
    X = torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 1.0]])
    target = torch.tensor([1.0, 2.0, -1.0])
    w = torch.zeros(2, 1, requires_grad=True)
    pred = X @ w  # shape (3, 1): minus a (3,) target it broadcasts to (3, 3), with no error
    (((pred if broadcast else pred.squeeze(1)) - target) ** 2).mean().backward()
    return w.grad


def _total_grad(reduce="sum", passes=1):
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x ** 2 + x
    for _ in range(passes):
        getattr(y, reduce)().backward(retain_graph=True)
    return x.grad


EXERCISES = [
    Exercise("08.1", _regression_grad, (
        Mistake("exercises.hint.broadcast", lambda: _regression_grad(broadcast=True)),
        transposed(_regression_grad),
        scaled(_regression_grad, 3, "exercises.hint.sum_not_mean"),
    )),
    Exercise("08.2", _total_grad, (
        Mistake("exercises.hint.mean_not_sum", lambda: _total_grad(reduce="mean")),
        Mistake("exercises.hint.accumulated", lambda: _total_grad(passes=2)),
        negated(_total_grad),
    )),
]
