"""Every stepper on every lesson page of the built docs site steps through every frame by each of its
visible controls, with no kernel, served from 127.0.0.1 and opened from ``file://``; every widget that needs
a kernel shows its saved picture instead.  The stepping is ``tests/static_pages.py``'s, as for the static
export in ``tests/widgets/test_static_widgets.py``.
"""
import contextlib

import pytest

import static_pages as S
from static_pages import B
from nbgrad.i18n import message, speaking

SKIP = B.skip_reason()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(SKIP is not None, reason=SKIP or "")]


@pytest.fixture(scope="module")
def stepper_pages(built_site):
    """The site's pages that show a stepper (their saved widget state names its class): both languages."""
    pages = sorted(p for p in built_site.rglob("*.html") if "nbgrad-stepper" in p.read_text(encoding="utf-8"))
    for language in ("en", "zh"):
        with speaking(language):
            label = message("stepper.forward")
        assert any(label in p.read_text(encoding="utf-8") for p in pages), f"no {language} page with a stepper"
    return built_site, pages


@pytest.fixture(scope="module")
def chromium():
    with B.browser() as browser:
        yield browser


@pytest.mark.parametrize("opened", ["http", "file"])
def test_every_stepper_on_every_lesson_page_steps_through_every_frame(stepper_pages, chromium, opened):
    site, paths = stepper_pages
    with B.serve(site) if opened == "http" else contextlib.nullcontext(site.as_uri()) as url:
        for path in paths:  # one page at a time: a page in the background has its timers (Play) slowed down
            page = chromium.new_page(viewport={"width": 1300, "height": 1000})
            try:
                blocked, errors, failed = S.watch(page)
                page.goto(f"{url}/{path.relative_to(site).as_posix()}")
                shown = page.locator(".nbgrad-stepper")
                shown.first.wait_for(timeout=60_000)
                views = S.stepper_views(page)
                assert shown.count() == views, f"{path.name}: {shown.count()} of {views} steppers rendered"
                S.step_every_frame([(page, stepper) for stepper in shown.all()])
                S.no_dead_controls(page)
                assert (errors, failed, blocked) == ([], [], []), path.name
            finally:
                page.close()
