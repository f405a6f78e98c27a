"""The widgets in a real browser: JupyterLab with a kernel (the static pages, with none, are ``tests/docs/``).

Headless Chromium (Debian's package) driven by playwright; see ``browser_harness.py`` for what these tests
need and how they keep to 127.0.0.1.  Without Chromium, playwright or JupyterLab they skip, saying why.
"""
import json
import shutil
import time
from pathlib import Path

import pytest

import browser_harness as B
from i18n_checks import english_sentences
from nbgrad.i18n import message, speaking

REPO = Path(__file__).resolve().parents[2]
TEST_NOTEBOOK = Path(__file__).resolve().parent / "notebooks" / "widgets.ipynb"
LESSON = REPO / "notebooks" / "en" / "04_backprop_step_by_step.ipynb"
NOTEBOOKS = [TEST_NOTEBOOK, *([LESSON] if LESSON.exists() else [])]
# The Chinese lesson, in JupyterLab only: its stepper must speak Chinese there (the notebook's metadata says so).
ZH_LESSON = REPO / "notebooks" / "zh" / "04_backprop_step_by_step.ipynb"
LAB_NOTEBOOKS = [*NOTEBOOKS, *([ZH_LESSON] if ZH_LESSON.exists() else [])]
WIDGET_CLASSES = (".nbgrad-stepper", ".nbgrad-tensor-view", ".nbgrad-graph-view", ".nbgrad-playground")

SKIP = B.skip_reason()


def needs_browser(test):
    """Marked ``browser`` (``-m "not browser"`` leaves them out) and skipped, with the reason, without one."""
    return pytest.mark.browser(pytest.mark.skipif(SKIP is not None, reason=SKIP or "")(test))


def widget_views(nb):
    """How many outputs of the notebook are widget views."""
    return sum("application/vnd.jupyter.widget-view+json" in output.get("data", {})
               for cell in nb["cells"] for output in cell.get("outputs", []))


def step_title(stepper):
    return stepper.locator(".nbgrad-step-title").first.inner_text()


def wait_for_title(page, stepper, prefix, timeout=20, *, absent=False):
    """Wait until the frame shown has a title starting with ``prefix`` (``absent``: no longer starting so)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        title = step_title(stepper)
        if title.startswith(prefix) != absent:
            return title
        page.wait_for_timeout(100)
    raise AssertionError(f"the stepper never showed {'a title other than ' * absent}{prefix!r}; "
                         f"it shows {step_title(stepper)!r}")


def words(notebook):
    """The language of ``notebook``'s metadata, and the catalogue's sentences in it."""
    metadata = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]
    language = metadata.get("nbgrad", {}).get("language", "en")

    def say(key, **values):
        with speaking(language):
            return message(key, **values)

    return language, say


def images_loaded(locator):
    """Every <img> inside ``locator`` has been decoded (a broken PNG has naturalWidth 0)."""
    return locator.evaluate_all("els => els.every(e => e.complete && e.naturalWidth > 0)")


# ----- JupyterLab, with a kernel -----
@pytest.fixture(scope="module")
def chromium():
    """One browser for the module: playwright's sync API allows one instance at a time."""
    with B.browser() as browser:
        yield browser


@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory):
    pytest.importorskip("jupyterlab", reason="the JupyterLab test needs jupyterlab (pip install -e '.[notebook]')")
    root = tmp_path_factory.mktemp("lab")
    for notebook in LAB_NOTEBOOKS:  # copies: JupyterLab autosaves what it opens
        shutil.copytree(notebook.parent, root / notebook.parent.name, dirs_exist_ok=True)
    with B.jupyterlab(root) as (base, token):
        yield chromium, base, token


@needs_browser
@pytest.mark.parametrize("notebook", LAB_NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_runs_in_jupyterlab_with_working_widgets(lab, notebook):
    chromium, base, token = lab
    page, panel, blocked = B.open_notebook(chromium, base, token, f"{notebook.parent.name}/{notebook.name}")
    try:
        B.run_all_cells(page)
        nb = B.notebook_json(page)
        assert B.error_outputs(nb) == []
        assert widget_views(nb) > 0, "the notebook shows no widget"
        panel.locator(".jp-OutputArea-output .jupyter-widgets").first.wait_for(timeout=30_000)
        assert panel.locator(".jp-OutputArea-output:has-text('Error displaying widget')").count() == 0
        language, say = words(notebook)
        assert panel.locator(f"text={say('widgets.snapshot_note')}").count() == 0, \
            "the static snapshot shows where the live widget should"
        steppers = panel.locator(".nbgrad-stepper")
        if steppers.count():
            stepper = steppers.first  # a later cell may have moved it: start from the beginning
            stepper.scroll_into_view_if_needed()
            stepper.locator("button", has_text=say("stepper.reset")).click()
            intro = say("stepper.intro_title")
            wait_for_title(page, stepper, intro)
            stepper.locator("button", has_text=say("stepper.forward")).click()
            wait_for_title(page, stepper, intro, absent=True)
            assert stepper.locator(".widget-readout").first.inner_text() == "1"
            if language != "en":
                stepper_speaks(page, stepper, say)
        if notebook == TEST_NOTEBOOK:
            every_widget_answers(page, panel)
        assert blocked == [], f"the page tried to leave 127.0.0.1: {blocked}"
    finally:
        page.close()


def stepper_speaks(page, stepper, say):
    """A stepper in a lesson in another language: its buttons, status and first frame in that language;
    back answers through the kernel."""
    buttons = [b.strip() for b in stepper.locator("button.widget-button").all_inner_texts()]
    assert buttons == [say(k) for k in ("stepper.back", "stepper.forward", "stepper.reset", "stepper.apply")]
    status = stepper.locator(".widget-html").last.inner_text()
    assert say("stepper.applied") in status  # the lesson applied this stepper (cell 14): said in its words
    stepper.locator("button", has_text=say("stepper.back")).click()
    wait_for_title(page, stepper, say("stepper.intro_title"))
    frame = stepper.locator(".nbgrad-step").first.inner_text()
    shown = "\n".join([*buttons, status, frame])
    assert english_sentences(shown) == [], shown


def every_widget_answers(page, panel):
    """The test notebook: each widget rendered once, and each answers its controls through the kernel."""
    for css in WIDGET_CLASSES:
        assert panel.locator(css).count() == 1, f"{css} did not render"

    stepper = panel.locator(".nbgrad-stepper")
    stepper.locator(".widget-play button").first.click()  # Play: through every frame to the end
    wait_for_title(page, stepper, "Step 5 of 5", timeout=30)
    stepper.locator("img").first.wait_for(timeout=30_000)  # the frame's graph, drawn after the cell
    assert images_loaded(stepper.locator("img"))
    assert "x = 4.5000 (all 2×2)" in stepper.locator(".nbgrad-step-leaves").first.inner_text()  # as print() shows it
    stepper.locator("button", has_text="reset").click()
    wait_for_title(page, stepper, "Before backward")

    # The cell after the views ran backward(): they redrew themselves.
    view = panel.locator(".nbgrad-tensor-view")
    view.scroll_into_view_if_needed()
    assert "4.5000" in view.inner_text()
    view.locator("button", has_text="heat map").click()
    view.locator("img").nth(1).wait_for(timeout=30_000)
    assert images_loaded(view.locator("img"))

    graph = panel.locator(".nbgrad-graph-view")
    graph.scroll_into_view_if_needed()
    graph.locator("select").select_option(label="mean  (MeanBackward0)")
    graph.locator("text=operation mean").wait_for(timeout=30_000)
    assert "next_functions" in graph.inner_text()

    playground = panel.locator(".nbgrad-playground")
    playground.scroll_into_view_if_needed()
    box = playground.locator("input[type=text]")
    box.fill("x ** 2")
    box.press("Enter")
    playground.locator("text=f'(x) = 2").wait_for(timeout=30_000)
    assert images_loaded(playground.locator("img"))
