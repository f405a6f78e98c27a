"""Small data sets made by code, and batches: what the lessons train on, with no downloads.

Every ``make_*`` function is deterministic: the same ``seed`` gives the same points on every machine
(its own NumPy generator, untouched by ``nbgrad.manual_seed``). Features are float32; class labels are
int64 (ready for ``cross_entropy``), regression targets float32 of shape (n, 1).

``DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)`` gives mini-batches as PyTorch's does.
"""
import sys

import numpy as np

from . import _random
from ._creation import from_numpy
from ._functions import stack
from .tensor import Tensor


def __getattr__(name):
    """``TensorDataset`` is ``nbgrad.utils.data``'s (one class for both loaders), loaded when first named."""
    if name == "TensorDataset":
        from .utils.data import TensorDataset
        return TensorDataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _finish(rng, X, y, noise):
    """Add Gaussian noise to the points and shuffle them (so classes are interleaved)."""
    X = X + rng.normal(0.0, noise, X.shape) if noise else X
    order = rng.permutation(len(X))
    return from_numpy(X[order].astype(np.float32)), from_numpy(y[order])


def make_moons(n_samples=200, noise=0.1, seed=0):
    """Two interleaving half circles in 2-D: class 0 the upper moon, class 1 the lower one."""
    n_upper = n_samples // 2
    n_lower = n_samples - n_upper
    t_upper = np.linspace(0, np.pi, n_upper)
    t_lower = np.linspace(0, np.pi, n_lower)
    X = np.concatenate([
        np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1),
        np.stack([1 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1),
    ])
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    return _finish(np.random.default_rng(seed), X, y, noise)


def make_circles(n_samples=200, noise=0.05, factor=0.5, seed=0):
    """Two concentric circles in 2-D: class 0 the outer one (radius 1), class 1 the inner (radius ``factor``)."""
    if not 0 <= factor < 1:
        raise ValueError(f"'factor' has to be between 0 and 1, got {factor}")
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0, 2 * np.pi, n_inner, endpoint=False)
    X = np.concatenate([
        np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1),
        factor * np.stack([np.cos(t_inner), np.sin(t_inner)], axis=1),
    ])
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n_inner, np.int64)])
    return _finish(np.random.default_rng(seed), X, y, noise)


def make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=0):
    """``n_classes`` spiral arms from the origin in 2-D (the CS231n toy problem): not linearly separable."""
    rng = np.random.default_rng(seed)
    per_class = [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]
    points, labels = [], []
    for k, n in enumerate(per_class):
        radius = np.linspace(0.0, 1.0, n)
        # the noise goes on the angle, so an arm gets fuzzier, not thicker, towards its end
        theta = np.linspace(k * 4.0, (k + 1) * 4.0, n) + rng.normal(0.0, noise, n)
        points.append(radius[:, None] * np.stack([np.sin(theta), np.cos(theta)], axis=1))
        labels.append(np.full(n, k, np.int64))
    return _finish(rng, np.concatenate(points), np.concatenate(labels), 0.0)


def make_regression_1d(n_samples=100, noise=0.1, seed=0):
    """Points (x, sin(x) + noise) with x uniform in [-3, 3]; X and y both of shape (n, 1)."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-3.0, 3.0, n_samples))
    y = np.sin(x) + rng.normal(0.0, noise, n_samples)
    return from_numpy(x[:, None].astype(np.float32)), from_numpy(y[:, None].astype(np.float32))


def _glyph(k, u, v, s):
    """Class ``k``'s mask on the grid (u right, v up, both in [-1, 1]), drawn at scale ``s``."""
    r = np.hypot(u, v)
    bar = 0.16 * s
    inside = (np.abs(u) < 0.7 * s) & (np.abs(v) < 0.7 * s)
    masks = (
        (np.abs(v) < bar) & inside,                                   # 0: horizontal bar
        (np.abs(u) < bar) & inside,                                   # 1: vertical bar
        (np.abs(u - v) < 1.4 * bar) & inside,                         # 2: diagonal
        (np.abs(u + v) < 1.4 * bar) & inside,                         # 3: the other diagonal
        np.abs(r - 0.55 * s) < bar,                                   # 4: ring
        r < 0.45 * s,                                                 # 5: disc
        ((np.abs(u) < bar) | (np.abs(v) < bar)) & inside,             # 6: plus
        ((np.abs(u - v) < 1.4 * bar) | (np.abs(u + v) < 1.4 * bar)) & inside,  # 7: cross
        np.abs(np.maximum(np.abs(u), np.abs(v)) - 0.5 * s) < bar,     # 8: square outline
        (v > -0.5 * s) & (np.abs(u) < 0.6 * (0.6 * s - v)) & (v < 0.6 * s),  # 9: triangle
    )
    return masks[k % 10]


def make_images(n_samples=1000, size=28, channels=1, n_classes=10, noise=0.1, seed=0):
    """Small images of ten glyphs (bars, diagonals, ring, disc, plus, cross, square, triangle), one class
    each, at random positions, sizes and brightness, with noise: float32 of shape (n, channels, size, size)
    in [0, 1], int64 labels. The shapes of FashionMNIST (1, 28) and CIFAR-10 (3, 32), made by code.

    With three channels each class has its own tint, jittered per image, so colour helps but does not decide.
    """
    if not 1 <= n_classes <= 10:
        raise ValueError(f"n_classes must be between 1 and 10, got {n_classes}")
    rng = np.random.default_rng(seed)
    grid = np.linspace(-1.0, 1.0, size)
    u, v = np.meshgrid(grid, -grid)
    y = rng.integers(0, n_classes, n_samples)
    tints = np.random.default_rng(1).uniform(0.3, 1.0, (10, channels)) if channels > 1 else np.ones((10, 1))
    X = np.empty((n_samples, channels, size, size))
    for i, k in enumerate(y):
        du, dv = rng.uniform(-0.25, 0.25, 2)
        mask = _glyph(k, u - du, v - dv, rng.uniform(0.7, 1.0))
        colour = np.clip(tints[k] + rng.normal(0.0, 0.15, channels), 0.1, 1.0) * rng.uniform(0.6, 1.0)
        X[i] = mask * colour[:, None, None]
    X = np.clip(X + rng.normal(0.0, noise, X.shape), 0.0, 1.0)
    return from_numpy(X.astype(np.float32)), from_numpy(y.astype(np.int64))


class DataLoader:
    """Iterate over a data set in mini-batches: ``for xb, yb in DataLoader(dataset, batch_size=32): ...``

    ``shuffle=True`` draws a new order every epoch: from a generator seeded with ``seed`` when given
    (the same sequence of epochs every run), else from nbgrad's generator (``nbgrad.manual_seed``).
    A data set of tensors is sliced in one go; any other (a list of ``(x, y)`` pairs, ...) is stacked
    item by item.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._rng = None if seed is None else np.random.default_rng(seed)

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            order = (self._rng or _random.generator()).permutation(n)
        else:
            order = np.arange(n)
        for batch in range(len(self)):
            yield self._fetch(order[batch * self.batch_size:(batch + 1) * self.batch_size])

    def _fetch(self, indices):
        utils_data = sys.modules.get("nbgrad.utils.data")  # not loaded: the data set cannot be a TensorDataset
        if utils_data is not None and isinstance(self.dataset, utils_data.TensorDataset):
            return [t[Tensor._make(indices)] for t in self.dataset.tensors]
        items = [self.dataset[int(i)] for i in indices]
        if isinstance(items[0], (tuple, list)):
            return [stack(list(field)) for field in zip(*items)]
        return stack(items)
