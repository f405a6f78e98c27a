"""Lesson 7, higher-order gradients: a second derivative, and a Hessian-vector product."""
import nbgrad as torch

from ._base import Exercise, Mistake, negated

V = (1.0, -1.0)


def _second_derivative(order=2):
    x = torch.tensor([1.0, 2.0, -1.0], requires_grad=True)
    (g,) = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    if order == 1:
        return g.detach()
    (h,) = torch.autograd.grad(g.sum(), x)
    return h


def _f(x):
    return x[0] ** 2 * x[1] + x[1] ** 3


def _hvp(what="Hv"):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    v = torch.tensor(V)
    (g,) = torch.autograd.grad(_f(x), x, create_graph=True)
    if what == "gradient":
        return g.detach()
    if what == "diagonal":  # each variable's own second derivative, times its entry of v
        return torch.stack([torch.autograd.grad(g[i], x, retain_graph=True)[0][i] for i in range(2)]).detach() * v
    (hv,) = torch.autograd.grad(g @ v, x)
    return hv


EXERCISES = [
    Exercise("07.1", _second_derivative, (
        Mistake("exercises.hint.first_derivative", lambda: _second_derivative(order=1)),
        negated(_second_derivative),
    )),
    Exercise("07.2", _hvp, (
        Mistake("exercises.hint.gradient_not_hvp", lambda: _hvp("gradient")),
        Mistake("exercises.hint.hessian_diagonal", lambda: _hvp("diagonal")),
        negated(_hvp),
    )),
]
