"""Widgets in a page with no kernel: a static export made here, and the checks every static page must pass.

``export(notebook, folder, widgets_js)`` writes a page shaped as the docs site's pages are (the widget
scripts and ``nbgrad/sphinxext/static/`` beside it, each widget's saved picture in a
``<div class="nbgrad-widget-fallback">`` right after its view); ``step_every_frame`` and
``no_dead_controls`` are what ``tests/widgets/test_static_widgets.py`` and ``tests/docs/test_site_stepping.py``
both check, on that page and on every lesson page of the built site.
"""
import re
import shutil
import sys
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # browser_harness, also for tests/docs
import browser_harness as B  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "nbgrad" / "sphinxext" / "static"
VIEW = "application/vnd.jupyter.widget-view+json"
# What the site does for a widget that rendered (the site extension's stylesheet in the docs site).
STAND_IN_CSS = ".widget-subarea + script + .nbgrad-widget-fallback { display: none; }"


def export(notebook, folder, widgets_js):
    """``notebook`` (executed, widget state saved) as ``folder/<name>.html``; returns its path."""
    import nbformat
    from nbconvert import HTMLExporter

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("embed-amd.js", "require.js", *(p.name for p in Path(widgets_js).glob("*.woff2"))):
        shutil.copy2(Path(widgets_js) / name, folder / name)
    for where in ("@jupyter-widgets", "@jupyter-widgets/html-manager/dist"):  # where embed-amd.js asks for fonts
        (folder / where).mkdir(parents=True, exist_ok=True)
        for font in Path(widgets_js).glob("*.woff2"):
            shutil.copy2(font, folder / where / font.name)
    for asset in STATIC.iterdir():
        shutil.copy2(asset, folder / asset.name)
    nb = nbformat.read(notebook, as_version=4)
    exporter = HTMLExporter(template_name="lab")
    exporter.widget_renderer_url = "embed-amd.js"
    exporter.require_js_url = "require.js"
    body, _ = exporter.from_notebook_node(nb)
    body = re.sub(r'<script src="https://[^"]*mathjax[^"]*">\s*</script>', "", body)  # the site brings its own
    pictures = iter([output["data"].get("text/html", "") for cell in nb.cells for output in cell.get("outputs", [])
                     if VIEW in output.get("data", {})])
    body, views = re.subn(f'(<script type="{re.escape(VIEW)}">.*?</script>)',
                          lambda m: f'{m.group(1)}<div class="nbgrad-widget-fallback">{next(pictures)}</div>',
                          body, flags=re.S)
    assert views and next(pictures, None) is None, "every widget view gets its picture"
    own = "".join(f'<script src="{p.name}"></script>' if p.suffix == ".js" else f'<link rel="stylesheet" href="{p.name}">'
                  for p in sorted(STATIC.iterdir()))
    body = body.replace("</head>", f"<style>{escape(STAND_IN_CSS, quote=False)}</style>{own}</head>", 1)
    page = folder / Path(notebook).with_suffix(".html").name
    page.write_text(body, encoding="utf-8")
    return page


# ----- what every static page must do -----
def watch(page):
    """Keep ``page`` on this machine; returns the lists of (requests blocked, console errors, failed responses)
    that fill as it loads."""
    blocked, errors, failed = B.local_only(page), [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: failed.append((r.status, r.url)) if r.status >= 400 else None)
    return blocked, errors, failed


def visible(locator):
    return [e for e in locator.all() if e.is_visible()]


def _title(text):
    return " ".join(text.split())


def shown_frame(stepper):
    """(the slider's value, the title of the one frame the stepper shows)."""
    titles = visible(stepper.locator(".nbgrad-step-title"))
    assert len(titles) == 1, f"the stepper shows {len(titles)} frames at once"
    return int(stepper.locator(".widget-readout").first.inner_text()), _title(titles[0].text_content())


def wait_for_frame(page, stepper, frames, k, how, timeout=10_000):
    """Wait until the stepper shows frame ``k`` (its slider at k, frame k's title), pressed ``how``."""
    deadline = page.evaluate("Date.now()") + timeout
    while True:
        value, title = shown_frame(stepper)
        if value == k and title == frames[k]:
            return
        if page.evaluate("Date.now()") > deadline:
            raise AssertionError(f"{how}: the stepper shows frame {value} ({title!r}), not frame {k} ({frames[k]!r})")
        page.wait_for_timeout(50)


def frame_titles(stepper):
    """Every frame's title, read from the widget state saved in the page (the page shows one frame at a time)."""
    return [_title(t) for t in stepper.evaluate("""root => {
        const view = root.closest('.widget-subarea').nextElementSibling;
        const state = Object.assign({}, ...Array.from(
            document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]'),
            s => JSON.parse(s.textContent).state));
        const model = id => state[id.replace('IPY_MODEL_', '')];
        const stack = state[JSON.parse(view.textContent).model_id].state.children.map(model)
            .find(m => m.model_name === 'StackModel');
        return stack.state.children.map(frame => {
            const text = model(frame).state.children.map(model).find(m => m.model_name === 'HTMLMathModel');
            const html = new DOMParser().parseFromString(text.state.value, 'text/html');
            return html.querySelector('.nbgrad-step-title').textContent;
        });
    }""")]


def step_every_frame(page, stepper):
    """Each visible control of ``stepper`` takes it through every frame, the frame shown checked each time.

    Forward by step ▶, back by ◀ back, reset, Play to the end, then the slider's keys both ways. Returns
    the number of frames. Only what a reader can see is pressed: a hidden control fails the test.
    """
    stepper.scroll_into_view_if_needed()
    frames = frame_titles(stepper)
    n = len(frames) - 1
    assert n >= 1 and len(set(frames)) == len(frames), "every frame of the stepper differs from the others"
    buttons = {name: stepper.locator(f"button.nbgrad-step-{name}") for name in ("back", "forward", "reset")}
    for name, button in buttons.items():
        assert button.is_visible(), f"the stepper's {name} button is not shown"
    buttons["reset"].click()
    wait_for_frame(page, stepper, frames, 0, "reset")
    for k in range(1, n + 1):
        buttons["forward"].click()
        wait_for_frame(page, stepper, frames, k, "step ▶")
    buttons["forward"].click()  # past the end: stays there
    wait_for_frame(page, stepper, frames, n, "step ▶ at the end")
    for k in range(n - 1, -1, -1):
        buttons["back"].click()
        wait_for_frame(page, stepper, frames, k, "◀ back")
    buttons["back"].click()
    wait_for_frame(page, stepper, frames, 0, "◀ back at the start")

    buttons["forward"].click()
    wait_for_frame(page, stepper, frames, 1, "step ▶")
    buttons["reset"].click()
    wait_for_frame(page, stepper, frames, 0, "reset")

    play = stepper.locator(".widget-play button:has(.fa-play)")
    assert play.is_visible(), "the stepper's Play button is not shown"
    play.click()
    seen = set()
    deadline = page.evaluate("Date.now()") + 10_000 + 3_000 * n
    while len(seen) < n and page.evaluate("Date.now()") < deadline:
        value, title = shown_frame(stepper)
        if title == frames[value]:
            seen.add(value)
        page.wait_for_timeout(50)
    assert seen >= set(range(1, n + 1)), f"Play showed frames {sorted(seen)} of 1..{n}"
    if n >= 2:  # reset stops a play in progress: nothing moves afterwards
        play.click()
        buttons["reset"].click()
        wait_for_frame(page, stepper, frames, 0, "reset while playing")
        page.wait_for_timeout(2_000)  # longer than a frame of Play
        wait_for_frame(page, stepper, frames, 0, "reset stops Play")
    buttons["reset"].click()
    wait_for_frame(page, stepper, frames, 0, "reset")

    handle = stepper.locator(".widget-slider .noUi-handle").first
    assert handle.is_visible(), "the stepper's slider is not shown"
    handle.focus()
    for k in range(1, n + 1):
        page.keyboard.press("ArrowRight")
        wait_for_frame(page, stepper, frames, k, "the slider's →")
    for k in range(n - 1, -1, -1):
        page.keyboard.press("ArrowLeft")
        wait_for_frame(page, stepper, frames, k, "the slider's ←")
    page.keyboard.press("End")
    wait_for_frame(page, stepper, frames, n, "the slider's End")
    box = stepper.locator(".widget-slider .noUi-target").first.bounding_box()
    page.mouse.click(box["x"] + 1, box["y"] + box["height"] / 2)  # the slider's left end, by mouse
    wait_for_frame(page, stepper, frames, 0, "a click on the slider's left end")
    assert not visible(stepper.locator(".nbgrad-kernel-only")), "a control that needs the kernel is shown"
    return n


def no_dead_controls(page):
    """Every nbgrad widget that needs a kernel is hidden and its saved picture shown; returns how many."""
    needy = page.locator(".nbgrad-needs-kernel")
    for widget in needy.all():
        assert not widget.is_visible(), "a widget that needs the kernel is shown in a page with none"
        picture = widget.locator("xpath=ancestor::div[contains(@class,'widget-subarea')]/following-sibling::*[2]")
        assert "nbgrad-widget-fallback" in (picture.get_attribute("class") or ""), "no saved picture after it"
        assert picture.is_visible() and picture.inner_text().strip(), "its saved picture is not shown"
        assert not visible(picture.locator("button, input, select, textarea")), "its picture has a control"
    return needy.count()
