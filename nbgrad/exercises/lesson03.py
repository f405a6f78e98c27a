"""Lesson 3, the computation graph: backward twice with retain_graph, detach(), and no_grad()."""
import nbgrad as torch

from ._base import Exercise, Mistake, negated


def _twice_grad(passes=2):
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (a * a).sum()
    for k in range(passes):
        y.backward(retain_graph=k < passes - 1)
    return a.grad


def _detached_grad(detach=True):
    a = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    (a * (a.detach() if detach else a)).sum().backward()
    return a.grad


def _no_grad_grad(recorded=False):
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with torch.set_grad_enabled(recorded):
        d = a * 2
    (d * a).sum().backward()
    return a.grad


EXERCISES = [
    Exercise("03.1", _twice_grad, (
        Mistake("exercises.hint.one_pass", lambda: _twice_grad(passes=1)),
        negated(_twice_grad),
    )),
    Exercise("03.2", _detached_grad, (
        Mistake("exercises.hint.detach_ignored", lambda: _detached_grad(detach=False)),
        Mistake("exercises.hint.detach_everything", lambda: torch.zeros(3)),
        negated(_detached_grad),
    )),
    Exercise("03.3", _no_grad_grad, (
        Mistake("exercises.hint.no_grad_recorded", lambda: _no_grad_grad(recorded=True)),
        negated(_no_grad_grad),
    )),
]
