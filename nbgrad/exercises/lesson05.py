"""Lesson 5, training: one step of gradient descent by hand, and an optimizer's loop with zero_grad."""
import nbgrad as torch

from ._base import Exercise, Mistake, same
from ..tensor import Tensor

LR = 0.1


def _data():
    X = torch.tensor([[1.0, -1.0], [2.0, 0.5], [0.0, 1.0], [1.5, 2.0]])
    t = torch.tensor([1.0, 0.0, -1.0, 2.0])
    return X, t


def _one_step(reduce="mean", update="in place", lr=LR):
    X, t = _data()
    w = torch.zeros(2, requires_grad=True)
    getattr((X @ w - t) ** 2, reduce)().backward()
    if update == "in place":
        with torch.no_grad():
            w -= lr * w.grad
    elif update == "out of place":
        w = w - lr * w.grad
    elif update == "rebuilt under no_grad":
        with torch.no_grad():
            w = w - lr * w.grad
    return w


def _sgd(steps=3, zero_grad=True):
    X, t = _data()
    w = torch.tensor([0.5, -0.5], requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=LR)
    for _ in range(steps):
        loss = ((X @ w - t) ** 2).mean()
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return w


def _not_a_leaf(answer, observed, reference):
    return isinstance(answer, Tensor) and answer.grad_fn is not None and same(observed, reference)


def _no_longer_requires_grad(answer, observed, reference):
    return isinstance(answer, Tensor) and not answer.requires_grad and same(observed, reference)


EXERCISES = [
    Exercise("05.1", _one_step, (
        Mistake("exercises.hint.uphill", lambda: _one_step(lr=-LR)),
        Mistake("exercises.hint.sum_not_mean", lambda: _one_step(reduce="sum")),
        Mistake("exercises.hint.no_step", lambda: _one_step(update=None)),
        # the right numbers in the wrong kind of tensor
        Mistake("exercises.hint.not_leaf", lambda: _one_step(update="out of place"), match=_not_a_leaf),
        Mistake("exercises.hint.detached", lambda: _one_step(update="rebuilt under no_grad"),
                match=_no_longer_requires_grad),
    )),
    Exercise("05.2", _sgd, (
        Mistake("exercises.hint.zero_grad", lambda: _sgd(zero_grad=False)),
        Mistake("exercises.hint.step_count", lambda: _sgd(steps=2)),
        Mistake("exercises.hint.step_count", lambda: _sgd(steps=4)),
    )),
]
