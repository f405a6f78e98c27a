"""Widgets in a page with no kernel: a static export made here, and the checks every static page must pass.

``export(notebook, folder, assets)`` writes a page shaped as the docs site's pages are (the widget
scripts and ``nbgrad/sphinxext/static/`` beside it, each widget's saved picture in a
``<div class="nbgrad-widget-fallback">`` right after its view); ``step_every_frame`` and
``no_dead_controls`` are what ``tests/widgets/test_static_widgets.py`` and ``tests/docs/test_site_stepping.py``
both check, on that page and on every lesson page of the built site.
"""
import re
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "widgets"))  # browser_harness, for tests/docs too
import browser_harness as B  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "nbgrad" / "sphinxext" / "static"
VIEW = "application/vnd.jupyter.widget-view+json"


def export(notebook, folder, assets, *, site=True):
    """``notebook`` (executed, widget state saved) as ``folder/<name>.html``; returns its path.

    ``assets``: the folder ``nbgrad.sphinxext.assets.prepare()`` returns (the site's pinned widget scripts).
    ``site=False``: a plain HTML export (as ``jupyter nbconvert`` or nbviewer make), without the site's
    script, stylesheets and pictures."""
    import nbformat
    from nbconvert import HTMLExporter

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pinned = Path(assets) / "nbgrad-assets"
    dist = pinned / "html-manager" / "dist"
    shutil.copy2(pinned / "requirejs" / "require.js", folder / "require.js")
    shutil.copy2(dist / "embed-amd.js", folder / "embed-amd.js")
    for where in ("@jupyter-widgets", "@jupyter-widgets/html-manager/dist"):  # where embed-amd.js asks for fonts
        (folder / where).mkdir(parents=True, exist_ok=True)
        for font in dist.glob("*.woff2"):
            shutil.copy2(font, folder / where / font.name)
    for asset in STATIC.iterdir() if site else ():
        shutil.copy2(asset, folder / asset.name)
    nb = nbformat.read(notebook, as_version=4)
    exporter = HTMLExporter(template_name="lab")
    exporter.widget_renderer_url = "embed-amd.js"
    exporter.require_js_url = "require.js"
    body, _ = exporter.from_notebook_node(nb)
    body = re.sub(r'<script src="https://[^"]*mathjax[^"]*">\s*</script>', "", body)  # the site brings its own
    pictures = iter([output["data"].get("text/html", "") for cell in nb.cells for output in cell.get("outputs", [])
                     if VIEW in output.get("data", {})])
    if site:
        body = re.sub(f'(<script type="{re.escape(VIEW)}">.*?</script>)',
                      lambda m: f'{m.group(1)}<div class="nbgrad-widget-fallback">{next(pictures)}</div>',
                      body, flags=re.S)
        assert next(pictures, None) is None, "every widget view gets its picture"
        own = "".join(f'<script src="{p.name}"></script>' if p.suffix == ".js"
                      else f'<link rel="stylesheet" href="{p.name}">' for p in sorted(STATIC.iterdir()))
        body = body.replace("</head>", f"{own}</head>", 1)
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
    value, titles = stepper.evaluate("""root => [
        root.querySelector('.widget-readout').innerText,
        Array.from(root.querySelectorAll('.nbgrad-step-title'), e => e.checkVisibility() ? e.textContent : null)
            .filter(t => t !== null)]""")
    assert len(titles) == 1, f"the stepper shows {len(titles)} frames at once"
    return int(value), _title(titles[0])


def wait_for_frame(page, stepper, frames, k, how, timeout=10):
    """Wait until the stepper shows frame ``k`` (its slider at k, frame k's title), pressed ``how``."""
    deadline = time.monotonic() + timeout
    while True:
        value, title = shown_frame(stepper)
        if value == k and title == frames[k]:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{how}: the stepper shows frame {value} ({title!r}), not frame {k} ({frames[k]!r})")
        page.wait_for_timeout(50)


def stepper_views(page):
    """How many steppers the page's saved widget views show (whether or not they rendered)."""
    return page.evaluate("""() => {
        const state = Object.assign({}, ...Array.from(
            document.querySelectorAll('script[type="application/vnd.jupyter.widget-state+json"]'),
            s => JSON.parse(s.textContent).state));
        return Array.from(document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'),
                          s => state[JSON.parse(s.textContent).model_id])
            .filter(m => m && (m.state._dom_classes || []).includes('nbgrad-stepper')).length;
    }""")


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


def step_every_frame(steppers, *, buttons=True):
    """Each visible control of each stepper takes it through every frame, the frame shown checked each time.

    ``steppers``: (page, stepper locator) pairs, all on the page in front (a page behind has its timers
    slowed down). Play runs on all of them together (it takes a frame's interval per frame); then, one
    stepper at a time: reset stops it, step ▶ goes forward to the end, ◀ back to the start, reset from the
    middle, the slider's keys both ways and a click on its left end. Only what a reader can see is pressed.
    Returns each stepper's frame count.

    ``buttons=False``: a page without nbgrad-static.js, where step ▶, ◀ back and reset must not be shown.
    """
    frames, controls = [], []
    for page, stepper in steppers:
        stepper.scroll_into_view_if_needed()
        titles = frame_titles(stepper)
        assert len(titles) >= 2 and len(set(titles)) == len(titles), f"frames not all different: {titles}"
        frames.append(titles)
        controls.append({name: stepper.locator(f"button.nbgrad-step-{name}") for name in ("back", "forward", "reset")})
        for name, button in controls[-1].items():
            assert button.is_visible() == buttons, f"the stepper's {name} button is {'not ' * buttons}shown"
        controls[-1]["play"] = play = stepper.locator(".widget-play button").first
        assert play.is_visible(), "the stepper's Play button is not shown"
        assert not visible(stepper.locator(".nbgrad-kernel-only")), "a control that needs the kernel is shown"
        handle = stepper.locator(".widget-slider .noUi-handle").first
        handle.focus()
        page.keyboard.press("Home")
        wait_for_frame(page, stepper, titles, 0, "the slider's Home")
        play.click()

    seen = [set() for _ in steppers]
    deadline = time.monotonic() + 10 + 3 * max(len(t) for t in frames)
    # Play moves on from the frame it starts at (0, checked above) at once: it shows frames 1..n
    while time.monotonic() < deadline and any(len(s) < len(t) - 1 for s, t in zip(seen, frames)):
        for (page, stepper), titles, shown in zip(steppers, frames, seen):
            value, title = shown_frame(stepper)
            if title == titles[value]:
                shown.add(value)
        steppers[0][0].wait_for_timeout(50)
    for titles, shown in zip(frames, seen):
        assert shown >= set(range(1, len(titles))), f"Play showed frames {sorted(shown)} of 1..{len(titles) - 1}"

    for (page, stepper), titles, ours in zip(steppers, frames, controls):
        n = len(titles) - 1
        if not buttons:
            slide(page, stepper, titles)
            continue
        ours["reset"].click()
        wait_for_frame(page, stepper, titles, 0, "reset at the end")
        ours["play"].click()
        wait_for_frame(page, stepper, titles, 1, "Play")
        ours["reset"].click()
        wait_for_frame(page, stepper, titles, 0, "reset while playing")
        assert stepper.locator(".widget-play .fa-pause").count() == 0, "reset left Play playing"
        for k in range(1, n + 1):
            ours["forward"].click()
            wait_for_frame(page, stepper, titles, k, "step ▶")
        ours["forward"].click()  # past the end: stays there
        wait_for_frame(page, stepper, titles, n, "step ▶ at the end")
        for k in range(n - 1, -1, -1):
            ours["back"].click()
            wait_for_frame(page, stepper, titles, k, "◀ back")
        ours["back"].click()
        wait_for_frame(page, stepper, titles, 0, "◀ back at the start")
        ours["forward"].click()
        wait_for_frame(page, stepper, titles, 1, "step ▶")
        ours["reset"].click()
        wait_for_frame(page, stepper, titles, 0, "reset")
        slide(page, stepper, titles)
    return [len(titles) for titles in frames]


def slide(page, stepper, titles):
    """The slider's keys, one frame at a time both ways, its End key and a click on its left end."""
    n = len(titles) - 1
    handle = stepper.locator(".widget-slider .noUi-handle").first
    assert handle.is_visible(), "the stepper's slider is not shown"
    handle.focus()
    page.keyboard.press("Home")
    wait_for_frame(page, stepper, titles, 0, "the slider's Home")
    for k in range(1, n + 1):
        page.keyboard.press("ArrowRight")
        wait_for_frame(page, stepper, titles, k, "the slider's →")
    for k in range(n - 1, -1, -1):
        page.keyboard.press("ArrowLeft")
        wait_for_frame(page, stepper, titles, k, "the slider's ←")
    page.keyboard.press("End")
    wait_for_frame(page, stepper, titles, n, "the slider's End")
    track = stepper.locator(".widget-slider .noUi-target").first
    track.click(position={"x": 1, "y": track.bounding_box()["height"] / 2})  # its left end, by mouse
    wait_for_frame(page, stepper, titles, 0, "a click on the slider's left end")


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
