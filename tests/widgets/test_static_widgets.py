"""The widgets in a page with no kernel: every control works there or is not shown.

The rule (``Snapshot.needs_kernel``) checked on every widget class with no browser; then a static export
with ``nbgrad/sphinxext/static/`` in headless Chromium: the stepper steps through every frame by each of
its controls, and the widgets that need a kernel show their saved picture instead.
"""
import contextlib
import re
from pathlib import Path

import pytest

pytest.importorskip("ipywidgets", reason="the widgets need ipywidgets (pip install -e '.[notebook]')")
import ipywidgets as widgets  # noqa: E402
from ipywidgets.widgets.widget import _instances  # noqa: E402
from ipywidgets.widgets.widget_link import Link  # noqa: E402

import browser_harness as B  # noqa: E402
import nbgrad  # noqa: E402
import static_pages as S  # noqa: E402
from helpers import seed_graph as seed  # noqa: E402
from nbgrad.i18n import message  # noqa: E402
from nbgrad.widgets import BackwardStepper, GradientPlayground, GraphView, TensorView, _common  # noqa: E402

TEST_NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "widgets.ipynb"
# The buttons nbgrad-static.js drives, as it names them.
DRIVEN = set(re.findall(r'"(nbgrad-step-\w+)"', (S.STATIC / "nbgrad-static.js").read_text(encoding="utf-8")))
# What a reader can only look at: not controls.
DISPLAY_ONLY = (widgets.HTML, widgets.HTMLMath, widgets.Label, widgets.Image, widgets.IntProgress,
                widgets.FloatProgress, widgets.Valid)


def a_module():
    nbgrad.manual_seed(0)
    model = nbgrad.nn.Sequential(nbgrad.nn.Linear(2, 3), nbgrad.nn.Tanh(), nbgrad.nn.Linear(3, 1))
    return GraphView(model(nbgrad.randn(4, 2)).sum(), group="module", model=model)


# One of each widget, in each of its shapes: a new widget class must be added here to be checked.
EXAMPLES = {
    BackwardStepper: {"stepper": lambda: BackwardStepper(seed()["out"], draw=False)},
    TensorView: {"tensor-2d": lambda: TensorView(seed()["x"]),
                 "tensor-3d": lambda: TensorView(nbgrad.ones(2, 3, 4, requires_grad=True))},
    GraphView: {"graph": lambda: GraphView(seed()["out"]), "graph-modules": a_module},
    GradientPlayground: {"playground-1": lambda: GradientPlayground("x * sin(x)"),
                         "playground-2": lambda: GradientPlayground("x * y")},
}
MAKERS = {name: make for makes in EXAMPLES.values() for name, make in makes.items()}


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def tree(widget, ancestors=()):
    """(widget, the classes of it and its ancestors) for ``widget`` and everything inside it."""
    classes = (*ancestors, *getattr(widget, "_dom_classes", ()))
    yield widget, set(classes)
    for child in getattr(widget, "children", ()):
        yield from tree(child, classes)


def dead_controls(widget):
    """The controls of ``widget`` that would look live and do nothing in a page with no kernel."""
    if _common.Snapshot.NEEDS_KERNEL in widget._dom_classes:
        return []  # the page shows its picture instead
    inside = [w for w, _ in tree(widget)]
    linked = {(end[0].model_id, end[1]) for link in list(_instances.values()) if isinstance(link, Link)
              and link.source[0] in inside and link.target[0] in inside for end in (link.source, link.target)}
    dead = []
    for w, classes in tree(widget):
        if not isinstance(w, (widgets.Button, widgets.ValueWidget)) or isinstance(w, DISPLAY_ONLY):
            continue
        if _common.Snapshot.KERNEL_ONLY in classes or DRIVEN & classes or (w.model_id, "value") in linked:
            continue
        dead.append(w)
    return dead


def test_every_widget_class_has_an_example_here():
    import nbgrad.widgets as package

    for name in package.__all__:
        getattr(package, name)  # every widget module imported, so that every class is seen
    assert set(subclasses(_common.Snapshot)) <= set(EXAMPLES), "add the new widget to EXAMPLES"


@pytest.mark.parametrize("example", MAKERS)
def test_every_control_works_without_a_kernel_or_is_not_shown(example):
    widget = MAKERS[example]()
    try:
        assert dead_controls(widget) == []
        assert (_common.Snapshot.NEEDS_KERNEL in widget._dom_classes) == type(widget).needs_kernel
    finally:
        widget.close()


def test_the_check_finds_a_button_nobody_can_press():
    class Careless(_common.Snapshot, widgets.VBox):
        needs_kernel = False

        def __init__(self):
            self.slider, self.shown = widgets.IntSlider(), widgets.IntSlider()
            self.link = widgets.jslink((self.slider, "value"), (self.shown, "value"))
            self.button = widgets.Button(description="go")
            super().__init__([self.slider, self.shown, self.button])

    careless = Careless()
    try:
        assert dead_controls(careless) == [careless.button]
        careless.button.add_class(_common.Snapshot.KERNEL_ONLY)
        assert dead_controls(careless) == []
        careless.needs_kernel = True
        careless.button.remove_class(_common.Snapshot.KERNEL_ONLY)
        careless.link.unlink()
        assert dead_controls(careless) == [careless.slider, careless.shown, careless.button]
    finally:
        careless.close()


def test_the_stepper_names_its_buttons_for_the_page_and_hides_apply():
    stepper = BackwardStepper(seed()["out"], draw=False)
    try:
        assert DRIVEN == {"nbgrad-step-back", "nbgrad-step-forward", "nbgrad-step-reset"}
        assert "nbgrad-step-back" in stepper.back_button._dom_classes
        assert "nbgrad-step-forward" in stepper.forward_button._dom_classes
        assert "nbgrad-step-reset" in stepper.reset_button._dom_classes
        row = [w for w in stepper.children if stepper.apply_button in getattr(w, "children", ())]
        assert row and _common.Snapshot.KERNEL_ONLY in row[0]._dom_classes
        assert _common.Snapshot.NEEDS_KERNEL not in stepper._dom_classes
    finally:
        stepper.close()


# ----- in a browser, no kernel -----
SKIP = B.skip_reason()


@pytest.fixture(scope="module")
def static_pages(tmp_path_factory, request):
    """The test notebook executed once, exported as a page of the docs site and as a plain HTML export."""
    pytest.importorskip("nbclient", reason="executing the notebook needs nbclient")
    pytest.importorskip("nbconvert", reason="exporting the notebook needs nbconvert")
    pinned_assets = request.getfixturevalue("pinned_assets")
    work = tmp_path_factory.mktemp("static")
    B.execute(TEST_NOTEBOOK, work / TEST_NOTEBOOK.name)
    return {site: S.export(work / TEST_NOTEBOOK.name, work / ("site" if site else "plain"), pinned_assets, site=site)
            for site in (True, False)}


@pytest.fixture(scope="module")
def chromium():
    with B.browser() as browser:
        yield browser


def open_page(chromium, url, name):
    page = chromium.new_page(viewport={"width": 1300, "height": 1000})
    watched = S.watch(page)
    page.goto(f"{url}/{name}")
    page.locator(".nbgrad-stepper").first.wait_for(timeout=60_000)
    return page, watched


@pytest.mark.browser
@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
@pytest.mark.parametrize("opened", ["file", "http"])
def test_static_page_every_control_works_or_is_hidden(chromium, static_pages, opened):
    folder = static_pages[True].parent
    with B.serve(folder) if opened == "http" else contextlib.nullcontext(folder.as_uri()) as url:
        page, (blocked, errors, failed) = open_page(chromium, url, static_pages[True].name)
        try:
            assert S.step_every_frame([(page, page.locator(".nbgrad-stepper").first)]) == [6]
            assert S.no_dead_controls(page) == 3  # the tensor view, the graph view and the playground
            assert page.locator(f"button:text-is('{message('stepper.apply')}')").is_hidden()
            assert (errors, failed, blocked) == ([], [], [])
        finally:
            page.close()


@pytest.mark.browser
@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
def test_plain_html_export_hides_the_stepper_buttons_it_cannot_run(chromium, static_pages):
    """Without the site's script (``jupyter nbconvert``, nbviewer): Play and the slider step, the buttons
    that would need the kernel or the script are not shown."""
    page, (blocked, errors, failed) = open_page(chromium, static_pages[False].parent.as_uri(), static_pages[False].name)
    try:
        assert S.step_every_frame([(page, page.locator(".nbgrad-stepper").first)], buttons=False) == [6]
        assert page.locator(f"button:text-is('{message('stepper.apply')}')").is_hidden()
        assert (errors, failed) == ([], [])
    finally:
        page.close()
