"""``BackwardStepper``: backward propagation one node at a time, with Play, step buttons and a slider.

Every frame comes from one ``backward_trace`` (the engine's own pass, never committed): frame 0 is the
graph before backward, frame k the state after the k-th node ran.  Their text is made with the stepper;
their pictures of the graph too in a script or a batch run, and, when a person is at the notebook, just
after the cell, one per turn of the kernel's loop, so that the cell returns at once (see
``benchmarks/bench_widgets.py``).  The frames sit in a ``Stack`` whose ``selected_index`` is linked in
the browser (``jslink``) to the slider and the Play button, so stepping needs no kernel: it works in a
notebook exported to HTML with its widget state, or on nbviewer.  The buttons (step, back, reset,
apply) run in the kernel.  With no kernel, the widgets' stylesheet hides the "apply to .grad" row, which
only a kernel can do, and the other three, unless the page runs ``nbgrad/sphinxext/static/nbgrad-static.js``
(as the docs site does), which makes them move the slider in the page (the classes ``nbgrad-step-*`` tell
it which is which).

Scrubbing only changes which frame shows, so nothing is ever counted twice; ``.grad`` changes only when
"apply to .grad" is pressed, once.  Every label and sentence is in the language spoken when the stepper is
made (``nbgrad.i18n``).
"""
from html import escape

import ipywidgets as widgets
import traitlets

from ..display.figure import figure_png
from ..display.formatting import summary
from ..display.graph import digraph, draw
from ..display.html import image_html
from ..display.trace import backward_trace
from ..i18n import message
from ._common import Snapshot, background_loop, note, sentence_html, styled, stylesheet


class BackwardStepper(Snapshot, widgets.VBox):
    """Step through ``tensor.backward(gradient)``: the graph with the current node highlighted, the gradient
    that arrives, the local rule, what goes to each input and the leaf gradients so far.

    - ``names``: a dict or namespace naming tensors (in a notebook, your variables name them already);
    - ``draw``: draw the graph in each frame (False: text only, for graphs too big to draw);
    - ``interval``: milliseconds between frames when playing.

    ``step`` is the frame shown: 0 before backward, k after the k-th of ``len(stepper.trace)`` nodes.
    """

    step = traitlets.Int(0, help="the frame shown: 0 before backward, k after the k-th node has run")
    needs_kernel = False  # Play and the slider are linked in the browser; nbgrad-static.js drives the buttons

    def __init__(self, tensor, gradient=None, *, names=None, draw=True, interval=1200):
        self.trace = backward_trace(tensor, gradient, names=names)
        n = len(self.trace)
        self._pngs = [None] * (n + 1)  # the graph of each frame, drawn lazily
        self._drawing = draw  # frames still to draw; False once every frame has its picture (or none)
        self._loop = None

        self._texts = [self._intro_html()] + [self.trace.step_html(i) for i in range(n)]
        waiting = note(message("stepper.drawing_graph")) if draw else ""
        self._frames = [widgets.VBox([widgets.HTML(styled(waiting)), widgets.HTMLMath(styled(text))])
                        for text in self._texts]
        self.stack = widgets.Stack(self._frames, selected_index=0)
        self.play = widgets.Play(min=0, max=n, interval=interval, show_repeat=False,
                                 description=message("stepper.play"))
        self.slider = widgets.IntSlider(min=0, max=n, description=message("stepper.slider"), continuous_update=True)
        self.back_button = widgets.Button(description=message("stepper.back"), tooltip=message("stepper.back_tip"))
        self.forward_button = widgets.Button(description=message("stepper.forward"),
                                             tooltip=message("stepper.forward_tip"))
        self.reset_button = widgets.Button(description=message("stepper.reset"), tooltip=message("stepper.reset_tip"))
        self.apply_button = widgets.Button(description=message("stepper.apply"), button_style="warning",
                                           tooltip=message("stepper.apply_tip"))
        self.progress = widgets.IntProgress(min=0, max=n + 1, description=message("stepper.progress"),
                                            layout={"display": "none"})
        self.status = widgets.HTML(styled(note(self._status_text())))
        for button in (self.back_button, self.forward_button, self.reset_button, self.apply_button):
            button.layout.width = "auto"
        self.back_button.add_class("nbgrad-step-back")
        self.forward_button.add_class("nbgrad-step-forward")
        self.reset_button.add_class("nbgrad-step-reset")
        controls = widgets.HBox([self.play, self.back_button, self.forward_button, self.reset_button, self.slider])
        applying = widgets.HBox([self.apply_button, self.status])
        applying.add_class(self.KERNEL_ONLY)
        super().__init__([widgets.HTML(stylesheet()), controls, self.progress, self.stack, applying])
        self.add_class("nbgrad-stepper")

        # In the browser (no kernel needed): Play -> slider -> visible frame.
        self._links = [widgets.jslink((self.play, "value"), (self.slider, "value")),
                       widgets.jslink((self.slider, "value"), (self.stack, "selected_index"))]
        # In the kernel the slider leads, so that the saved widget state shows the frame the slider points
        # at. Only from the slider: the page's own jslinks echo Play's and the Stack's values back to the
        # kernel a moment late, and following those would move the slider back after quick clicks.
        traitlets.dlink((self.slider, "value"), (self.play, "value"))
        traitlets.dlink((self.slider, "value"), (self.stack, "selected_index"))
        traitlets.link((self.slider, "value"), (self, "step"))

        self.back_button.on_click(lambda _: self._go(self.step - 1))
        self.forward_button.on_click(lambda _: self._go(self.step + 1))
        self.reset_button.on_click(lambda _: self._reset())
        self.apply_button.on_click(lambda _: self.apply())
        self.observe(self._on_step, "step")
        if draw:
            self._start_drawing()

    # ----- moving -----
    def _go(self, step):
        self.slider.value = min(max(step, 0), len(self.trace))

    def _reset(self):
        self.play.playing = False
        self._go(0)

    def _on_step(self, change):
        if self._drawing and self._pngs[change["new"]] is None:
            self._draw_frame(change["new"])  # scrubbed ahead of the drawing: this frame first

    # ----- reading -----
    def gradients(self, step=None):
        """Leaf label -> gradient (ndarray) accumulated after ``step`` (default: the frame shown)."""
        step = self.step if step is None else step
        if not 0 <= step <= len(self.trace):
            raise IndexError(message("stepper.bad_step", step=step, n=len(self.trace)))
        if step == 0:
            return {}
        return {label: g.detach().numpy() for label, g in self.trace[step - 1].accumulated.items()}

    def final_gradients(self):
        """Leaf label -> gradient after the last step: what ``backward()`` adds to each leaf's ``.grad``."""
        return self.gradients(len(self.trace))

    def state_text(self):
        """The stepper as plain text: where it is, the leaf gradients so far and at the end, and ``.grad``."""
        n, step = len(self.trace), self.step
        where = message("stepper.before_backward") if step == 0 else self._where(self.trace[step - 1])
        root = self.trace.label(self.trace.walk.root_id)
        return "\n".join([
            message("stepper.state", root=root, step=step, n=n, where=where),
            message("stepper.so_far", grads=_gradients_text(self.gradients()) or message("widgets.none_yet")),
            message("stepper.at_end", grads=_gradients_text(self.final_gradients()) or message("stepper.none")),
            message("stepper.grad", status=self._status_text()),
        ])

    @staticmethod
    def _where(step):
        return message("stepper.where", op=step.op, output=step.output)

    def _status_text(self):
        if self.trace.applied:
            return message("stepper.applied")
        return message("stepper.not_applied", apply=message("stepper.apply"))

    # ----- applying -----
    def apply(self):
        """Add the leaf gradients to ``.grad``, as ``backward(retain_graph=True)`` would; only once."""
        try:
            if self.trace.applied:
                raise RuntimeError(message("stepper.already_applied"))
            self.trace.apply()
        except RuntimeError as exc:  # already applied, or the graph changed under us: say so, change nothing
            self.status.value = styled(f"<span class='nbgrad-error'>{escape(str(exc))}</span>")
            return
        self.apply_button.disabled = True
        self.status.value = styled(note(self._status_text()))

    # ----- drawing -----
    def _start_drawing(self):
        self._loop = background_loop()
        if self._loop is None:
            self.draw_frames()
            return
        self.progress.layout.display = None
        self._loop.call_soon(self._draw_next)

    def draw_frames(self):
        """Draw every frame whose graph is not drawn yet, now (the stepper draws them after the cell otherwise)."""
        for k in range(len(self._pngs)):
            if not self._drawing:
                break
            if self._pngs[k] is None:
                self._draw_frame(k)
        self._done_drawing()

    def _draw_next(self):
        """One frame per turn of the kernel's loop: clicks and other cells are served in between."""
        if not self._drawing or self.comm is None:  # done, or the widget was closed
            return
        missing = [k for k, png in enumerate(self._pngs) if png is None]
        if not missing:
            self._done_drawing()
            return
        self._draw_frame(missing[0])
        self._loop.call_soon(self._draw_next)

    def _draw_frame(self, k):
        try:
            png = self._frame_png(k)
        except ValueError as exc:  # too big to draw: the message says what to draw instead, in every frame
            self._drawing = False
            for frame in self._frames:
                frame.children = (widgets.HTML(styled(note(str(exc)))), frame.children[1])
            self._done_drawing()
            return
        self._pngs[k] = png
        image = widgets.Image(value=png, format="png", layout={"max_width": "100%"})
        self._frames[k].children = (image, self._frames[k].children[1])
        self.progress.value = sum(p is not None for p in self._pngs)

    def _frame_png(self, k):
        """The graph after step k: the trace's gradients so far (nobody's .grad), the node that ran marked."""
        highlight = self.trace[k - 1].node if k else None
        return figure_png(draw(digraph(self.trace.walk), grads=self.frame_gradients(k), highlight=highlight))

    def frame_gradients(self, step):
        """Value id -> the gradient frame ``step`` draws in that value's box.

        A leaf's box shows what its ``AccumulateGrad`` has taken in, as the text's "leaf gradients so far"
        does: nothing until that node has run, even when the sum sent to the leaf is complete. Other values
        show the gradient that has reached them so far, partial sums included.
        """
        if step == 0:
            return {}
        grads = self.trace.gradients(step - 1)
        leaves = {v for v, a in self.trace.walk.nodes.items() if a["kind"] == "leaf"}
        reached = {s.value_id for s in self.trace[:step] if s.value_id in leaves and s.node_id == s.value_id}
        return {v: g for v, g in grads.items() if v not in leaves or v in reached}

    def _done_drawing(self):
        self._drawing = False
        self.progress.layout.display = "none"

    # ----- without a kernel -----
    def _intro_html(self):
        trace, n = self.trace, len(self.trace)
        root = trace.label(trace.walk.root_id)
        visits = message("stepper.intro_visits_one" if n == 1 else "stepper.intro_visits", n=n, root=root)
        press = sentence_html("stepper.intro_press", forward=f"<b>{escape(message('stepper.forward'))}</b>")
        return (
            "<div class='nbgrad-step'>"
            f"<div class='nbgrad-step-title'><b>{escape(message('stepper.intro_title'))}</b>: "
            f"{escape(message('stepper.intro_graph', root=root))}</div>"
            f"<div>{escape(visits)} {press}</div>"
            "</div>"
        )

    def snapshot_html(self):
        """The frame shown (its graph, if drawn, and its text), then every step's text, folded."""
        png, texts = self._pngs[self.step], self._texts
        picture = image_html(png, message("widgets.graph_alt")) if png is not None else ""
        folded = "".join(
            f"<details><summary>{escape(message('stepper.step_summary', i=i + 1, where=self._where(s)))}"
            f"</summary>{texts[i + 1]}</details>"
            for i, s in enumerate(self.trace))
        return (f"{picture}{texts[self.step]}<div class='nbgrad-snapshot-steps'><div class='nbgrad-panel-title'>"
                f"{escape(message('stepper.all_steps'))}</div>{folded}</div><pre>{escape(self.state_text())}</pre>")


def _gradients_text(grads):
    return ", ".join(f"{label} = {summary(g)}" for label, g in grads.items())
