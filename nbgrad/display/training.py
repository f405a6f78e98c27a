"""Watching a network learn: progress, loss curve and decision boundary, redrawn in one output.

``fit(model, loss_fn, optimizer, X, y, steps=...)`` runs the usual loop (forward, loss, ``zero_grad``,
backward, ``step``); ``TrainingMonitor`` is the same display for a loop you write yourself::

    monitor = TrainingMonitor(steps=300, model=model, X=X, y=y)
    for step in range(300):
        loss = loss_fn(model(X), y)
        optimizer.zero_grad(); loss.backward(); optimizer.step()
        monitor.update(loss)          # the summary is printed after the last step

In a notebook one PNG output (progress bar, loss curve, and the decision boundary for 2-D inputs or the
fitted curve for 1-D ones) is shown once and replaced in place every ``every`` steps, then one line of text
sums up. nbval checks that line and skips the PNG; the output's plain-text fallback never changes, so a
notebook saved with the final picture still compares equal. Outside a notebook, a few text lines show progress.
matplotlib and IPython are imported only when something is drawn.
"""
import math
import sys

import numpy as np

from .. import from_numpy
from ..autograd import no_grad
from ..i18n import message
from ..tensor import Tensor
from .figure import figure_png, font_family, new_figure
from .formatting import number


def _in_notebook():
    """True inside a Jupyter kernel (which can show images), without importing IPython otherwise."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def _task(y):
    """'classes' for int64 labels, 'binary' for float 0/1 targets, else 'regression'."""
    if y is None:
        return None
    labels = y.detach().numpy()
    if labels.dtype.kind in "iu":
        return "classes"
    if np.isin(labels, (0.0, 1.0)).all():
        return "binary"
    return "regression"


def _predict(model, X):
    """The model's outputs on X without recording a graph, in eval mode (dropout off), mode then restored."""
    was_training = getattr(model, "training", False)
    if was_training:
        model.eval()
    try:
        with no_grad():
            return model(X).detach().numpy()
    finally:
        if was_training:
            model.train()


def _classes(outputs):
    """Predicted class per row: the argmax of the scores, or logit > 0 for a single output."""
    if outputs.ndim == 1 or outputs.shape[-1] == 1:
        return (outputs.reshape(len(outputs), -1)[:, 0] > 0).astype(np.int64)
    return outputs.argmax(axis=-1)


def accuracy(model, X, y):
    """Fraction of rows of X whose predicted class (argmax, or logit > 0) equals the label in y."""
    predicted = _classes(_predict(model, X))
    return float((predicted == y.detach().numpy().reshape(len(predicted))).mean())


def _draw_decision_boundary(ax, model, X, y, resolution=150, padding=0.5):
    points = X.detach().numpy()
    lo, hi = points.min(axis=0) - padding, points.max(axis=0) + padding
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(points.dtype)
    predicted = _classes(_predict(model, from_numpy(grid))).reshape(resolution, resolution)
    labels = y.detach().numpy().reshape(len(points)).astype(np.int64)
    n_classes = int(max(labels.max(), predicted.max())) + 1
    # class k gets the same colour in the regions and the points: blue/red for two classes, tab10 beyond
    cmap, vmax = ("coolwarm", 1) if n_classes <= 2 else ("tab10", 9)
    ax.contourf(xs, ys, predicted, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, vmin=0, vmax=vmax, alpha=0.3)
    ax.scatter(points[:, 0], points[:, 1], c=labels, cmap=cmap, vmin=0, vmax=vmax, s=12, edgecolors="k",
               linewidths=0.3)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_title(message("training.decision_boundary"), family=_family())


def _draw_fitted_curve(ax, model, X, y):
    x = X.detach().numpy()[:, 0]
    grid = np.linspace(x.min(), x.max(), 200, dtype=x.dtype)[:, None]
    ax.scatter(x, y.detach().numpy().reshape(len(x)), s=10, color="0.5", label=message("training.data"))
    ax.plot(grid[:, 0], _predict(model, from_numpy(grid)).reshape(len(grid)), color="C3",
            label=message("training.model"))
    ax.legend(loc="best", prop={"family": _family(), "size": "small"})
    ax.set_title(message("training.model"), family=_family())


def plot_decision_boundary(model, X, y, ax=None, resolution=200, padding=0.5):
    """A matplotlib Figure: the class ``model`` predicts all over the plane of 2-D inputs ``X``, and the points
    coloured by their labels ``y``. Drawn into ``ax`` when given."""
    if X.dim() != 2 or X.shape[1] != 2:
        raise ValueError(message("training.needs_2d", shape=list(X.shape)))
    if ax is None:
        ax = new_figure(figsize=(4.5, 4)).add_subplot()
    _draw_decision_boundary(ax, model, X, y, resolution, padding)
    return ax.figure


class TrainingMonitor:
    """Progress, loss curve and (for 2-D inputs) decision boundary of a training loop, shown in one output.

    Call ``update(loss)`` once per step. ``live`` (default: inside a notebook) chooses the picture over
    text lines. After ``steps`` updates, or at ``close()``, the summary line is printed and returned.
    """

    def __init__(self, steps, model=None, X=None, y=None, every=10, live=None):
        if steps <= 0 or every <= 0:
            raise ValueError(message("training.positive", steps=steps, every=every))
        self.steps, self.every = steps, every
        self.model, self.X, self.y = model, X, y
        self.live = _in_notebook() if live is None else live
        self.losses = []
        self.accuracy = None
        self.task = _task(y) if model is not None and X is not None else None
        self.closed = False
        self._handle = self._figure = None
        self._printed_at = None
        # text mode: about ten lines, whatever the number of steps
        self._text_every = max(every, math.ceil(steps / 10))

    def update(self, loss):
        """Record one step's loss (a tensor or a number); redraw every ``every`` steps."""
        if self.closed:
            raise RuntimeError(message("training.closed"))
        self.losses.append(float(loss.item() if isinstance(loss, Tensor) else loss))
        step = len(self.losses)
        if step >= self.steps:
            self.close()
        elif self.live and (step == 1 or step % self.every == 0):
            self._show()
        elif not self.live and step % self._text_every == 0:
            self._print_progress()

    def close(self):
        """Show the final state and print (and return) the summary line."""
        if self.closed:
            return self.summary()
        self.closed = True
        if self.losses and self.live:
            self._show()
        elif self.losses and self._printed_at != len(self.losses):
            self._print_progress()
        print(self.summary())
        return self.summary()

    def summary(self):
        """``trained 300 steps: loss 0.6931 -> 0.0123, training accuracy 99.5%``: the losses as ``print(loss)``
        shows them."""
        if not self.losses:
            return message("training.trained_none")
        text = message("training.trained", steps=len(self.losses), first=_loss(self.losses[0]),
                       last=_loss(self.losses[-1]))
        if self.accuracy is not None:
            text += message("training.trained_accuracy", accuracy=f"{self.accuracy:.1%}")
        return text

    # ----- drawing -----
    def _measure(self):
        if self.task in ("classes", "binary"):
            self.accuracy = accuracy(self.model, self.X, self.y)

    def _print_progress(self):
        print(self._progress_text())
        self._printed_at = len(self.losses)

    def _progress_text(self):
        self._measure()
        text = message("training.progress", step=f"{len(self.losses):>{len(str(self.steps))}}", steps=self.steps,
                       loss=_loss(self.losses[-1]))
        if self.accuracy is not None:
            text += message("training.progress_accuracy", accuracy=f"{self.accuracy:.1%}")
        return text

    def _panel(self):
        """What the right-hand panel shows: 'boundary', 'curve' or None."""
        if self.task in ("classes", "binary") and self.X.dim() == 2 and self.X.shape[1] == 2:
            return "boundary"
        if self.task == "regression" and self.X.dim() == 2 and self.X.shape[1] == 1:
            return "curve"
        return None

    def _render(self):
        if self._figure is None:
            panel = self._panel()
            fig = new_figure(figsize=(9 if panel else 4.8, 4.2))
            grid = fig.add_gridspec(2, 2 if panel else 1, height_ratios=(1, 9), hspace=0.35)
            self._axes = (fig.add_subplot(grid[0, :]), fig.add_subplot(grid[1, 0]),
                          fig.add_subplot(grid[1, 1]) if panel else None)
            self._figure, self._panel_kind = fig, panel
        bar, curve, right = self._axes
        step = len(self.losses)
        bar.clear()
        bar.barh([0], [1], color="0.9")
        bar.barh([0], [step / self.steps], color="C0")
        bar.set_xlim(0, 1)
        bar.set_axis_off()
        bar.set_title(self._progress_text(), fontsize="medium", loc="left", family=_family())
        curve.clear()
        curve.plot(np.arange(1, step + 1), self.losses, color="C0")
        curve.set_xlim(1, max(self.steps, 2))
        if min(self.losses) > 0:
            curve.set_yscale("log")
        curve.set_xlabel(message("training.step"), family=_family())
        curve.set_title(message("training.loss"), family=_family())
        if right is not None:
            right.clear()
            if self._panel_kind == "boundary":
                _draw_decision_boundary(right, self.model, self.X, self.y)
            else:
                _draw_fitted_curve(right, self.model, self.X, self.y)
        return figure_png(self._figure, dpi=72)

    def _show(self):
        from IPython.display import display

        # The plain-text fallback is the same in every update: nbval compares it, not the PNG.
        bundle = {"image/png": self._render(), "text/plain": message("training.repr", steps=self.steps)}
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)


def _family():
    """matplotlib's own font, then one with Chinese characters: the titles are in the learner's language."""
    from matplotlib import rcParams

    return font_family(rcParams["font.sans-serif"][0])


def _loss(value):
    """A loss as ``print(loss)`` shows it (a float32 tensor of one number)."""
    return number(np.float32(value))


def _batches(X, y, batch_size, seed):
    """(xb, yb) forever: all of X each time, or shuffled mini-batches, epoch after epoch."""
    if batch_size is None:
        while True:
            yield X, y
    from ..data import DataLoader, TensorDataset

    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True, seed=seed)
    while True:
        yield from loader


def fit(model, loss_fn, optimizer, X, y, *, steps=500, batch_size=None, every=25, live=None, seed=0):
    """Train ``model`` for ``steps`` optimizer steps and watch it learn; returns the ``TrainingMonitor``.

    Each step: ``loss = loss_fn(model(xb), yb)``, ``optimizer.zero_grad()``, ``loss.backward()``,
    ``optimizer.step()``, on all of X (``batch_size=None``) or on shuffled mini-batches drawn with ``seed``.
    """
    monitor = TrainingMonitor(steps, model=model, X=X, y=y, every=every, live=live)
    model.train()
    for _, (xb, yb) in zip(range(steps), _batches(X, y, batch_size, seed)):
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        monitor.update(loss)
    return monitor
