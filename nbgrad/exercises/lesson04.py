"""Lesson 4, backprop step by step: a neuron's local derivatives, and a value reached along two paths."""
import nbgrad as torch

from ._base import Exercise, Mistake, negated

X = (2.0, -1.0)


def _neuron_grad(activation=torch.tanh):
    x = torch.tensor(X)
    w = torch.tensor([0.3, -0.4], requires_grad=True)
    b = torch.tensor(0.2, requires_grad=True)
    activation(w @ x + b).backward()
    return w.grad


def _tanh_as_its_own_derivative():
    x = torch.tensor(X)
    w = torch.tensor([0.3, -0.4])
    return torch.tanh(w @ x + 0.2) * x


def _paths_grad(paths=("b", "a")):
    a = torch.tensor(1.5, requires_grad=True)
    b = a * a
    c = (b if "b" in paths else b.detach()) * (a if "a" in paths else a.detach())
    c.backward()
    return a.grad


EXERCISES = [
    Exercise("04.1", _neuron_grad, (
        Mistake("exercises.hint.local_derivative", lambda: _neuron_grad(activation=lambda z: z)),
        Mistake("exercises.hint.tanh_derivative", _tanh_as_its_own_derivative),
        negated(_neuron_grad),
    )),
    Exercise("04.2", _paths_grad, (
        Mistake("exercises.hint.one_path", lambda: _paths_grad(paths=("b",))),
        Mistake("exercises.hint.one_path", lambda: _paths_grad(paths=("a",))),
        negated(_paths_grad),
    )),
]
