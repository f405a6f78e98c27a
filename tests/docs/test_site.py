"""The lessons' documentation site (``python -m nbgrad site``), built once with no network (``conftest.py``).

Each lesson page of both languages is opened in headless Chromium twice, served from 127.0.0.1 and from
``file://``, with every request that leaves this machine aborted and recorded; it must have no failed request,
no console error, every picture loaded, its formulas typeset and its widgets rendered. Screenshots of one
English and one Chinese page go to ``$NBGRAD_ARTIFACTS`` (else the test's temporary folder).
"""
import html
import json
import os
import re
from pathlib import Path

import pytest

from tests.widgets import browser_harness as B

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted(p.relative_to(ROOT / "notebooks").with_suffix("") for p in (ROOT / "notebooks").glob("*/*.ipynb"))
VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
CDN = re.compile(r"https?://(cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com)[^\"' ]*")

# What a page says of itself once its scripts have run: widgets, formulas, pictures, raw LaTeX left in its text.
PAGE_STATE = """async () => {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
    const main = document.querySelector('main') || document.body;
    const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
    const subareas = [...document.querySelectorAll('.widget-subarea')];
    return {
        views: document.querySelectorAll('%s').length,
        rendered: subareas.length,
        widgetErrors: document.querySelectorAll('.widget-error, .jupyter-widgets-error-widget').length
            + subareas.filter(s => /Error displaying widget/.test(s.innerText)).length,
        steppers: document.querySelectorAll('.widget-subarea .nbgrad-stepper').length,
        needsKernel: document.querySelectorAll('.widget-subarea .nbgrad-needs-kernel').length,
        fallbacksShown: [...document.querySelectorAll('.nbgrad-widget-fallback')].filter(visible).length,
        maths: document.querySelectorAll('.math').length,
        typeset: document.querySelectorAll('mjx-container').length,
        rawLatex: (main.innerText.match(/\\$\\$|\\\\\\(|\\\\\\[|\\$[^$\\n]{1,80}\\$/g) || []).slice(0, 5),
        images: [...document.images].map(i => [i.currentSrc.slice(-60), i.complete, i.naturalWidth]),
    };
}""" % VIEW


browser = [pytest.mark.browser, pytest.mark.skipif(B.skip_reason() is not None, reason=B.skip_reason() or "")]


def in_browser(test):
    for mark in browser:
        test = mark(test)
    return test


@pytest.fixture(scope="module")
def tab(built_site):
    """One Chromium tab for the whole module, kept off the network; its log is emptied before each page."""
    with B.browser() as chromium:
        page = chromium.new_page(viewport={"width": 1300, "height": 900})
        page.set_default_timeout(30_000)
        log = {"blocked": B.local_only(page), "errors": [], "failed": []}
        page.on("console", lambda m: m.type == "error" and log["errors"].append(m.text))
        page.on("pageerror", lambda e: log["errors"].append(str(e)))
        page.on("requestfailed", lambda r: log["failed"].append(f"{r.url}: {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and log["failed"].append(f"{r.url}: HTTP {r.status}"))
        with B.serve(built_site) as base:
            yield page, log, base


def _open(tab, site, url_path, via):
    page, log, base = tab
    # requests the previous page still had running fail as it is left: they are its, not this page's
    page.goto("about:blank")
    for entries in log.values():
        entries.clear()
    path, _, query = url_path.partition("?")
    url = f"{base}/{url_path}" if via == "http" else (site / path).as_uri() + (f"?{query}" if query else "")
    page.goto(url, wait_until="load")
    return page, log


def _settled(page):
    """The page's state once its widgets rendered and their HTMLMath was typeset (or 15 s passed)."""
    try:
        page.wait_for_function(
            """() => {
                const views = document.querySelectorAll('%s').length;
                const areas = [...document.querySelectorAll('.widget-subarea')];
                return areas.length === views && !areas.some(a => /\\$[^$\\n]{1,80}\\$/.test(a.innerText));
            }""" % VIEW, timeout=15_000)
    except Exception:
        pass  # the assertions below say what is missing
    return page.evaluate(PAGE_STATE)


def _screenshot(page, name, tmp_path):
    folder = Path(os.environ.get("NBGRAD_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


@in_browser
@pytest.mark.parametrize("via", ["http", "file"])
@pytest.mark.parametrize("lesson", [str(p) for p in LESSONS])
def test_every_lesson_page_works_offline(tab, built_site, lesson, via, tmp_path):
    lang, name = lesson.split("/")
    page, log = _open(tab, built_site, f"{lang}/lessons/{name}.html", via)
    state = _settled(page)
    assert log["blocked"] == [], "the page asked for files outside this machine"
    assert log["failed"] == [] and log["errors"] == [], log
    pictures = (built_site / lang / "lessons" / f"{name}.html").read_text(encoding="utf-8").count("<img")
    assert len(state["images"]) >= pictures, state["images"]
    assert all(ok and width > 0 for _, ok, width in state["images"]), state["images"]
    assert state["maths"] and state["typeset"] >= state["maths"], state
    assert state["rawLatex"] == [], state["rawLatex"]
    assert state["rendered"] == state["views"] and state["widgetErrors"] == 0, state
    if state["views"]:
        # a widget that rendered hides its saved picture, except one that needs a kernel (the static helper's class)
        assert state["fallbacksShown"] == state["needsKernel"], state
    if name == "04_backprop_step_by_step":
        assert state["steppers"] >= 1 and state["images"], state
        if via == "http":
            _screenshot(page, f"site-{lang}-{name}.png", tmp_path)


@in_browser
@pytest.mark.parametrize("via", ["http", "file"])
@pytest.mark.parametrize("lang, query, expected", [("en", "stepper", "04_backprop_step_by_step"),
                                                   ("zh", "反向传播", "04_backprop_step_by_step"),
                                                   ("zh", "计算图", "03_the_computation_graph")])
def test_search_finds_the_lesson(tab, built_site, lang, query, expected, via):
    page, log = _open(tab, built_site, f"{lang}/search.html?q={query}", via)
    page.wait_for_selector("#search-results li a", timeout=15_000)
    found = page.eval_on_selector_all("#search-results li a", "links => links.map(a => a.getAttribute('href'))")
    assert any(f"lessons/{expected}.html" in href for href in found), found
    assert log["blocked"] == [] and log["failed"] == [] and log["errors"] == [], log


@in_browser
def test_the_saved_picture_shows_when_the_widget_script_cannot_load(tab, built_site):
    page, log, base = tab
    page.route("**/embed-amd.js*", lambda route: route.abort())
    try:
        page, log = _open(tab, built_site, "en/lessons/04_backprop_step_by_step.html", "http")
        page.wait_for_timeout(1000)
        state = page.evaluate(PAGE_STATE)
        pictures = page.eval_on_selector_all(
            ".nbgrad-widget-fallback", "els => els.map(e => [e.offsetHeight > 0, e.querySelectorAll('img').length])")
    finally:
        page.unroute("**/embed-amd.js*")
    assert state["views"] >= 1 and state["rendered"] == 0
    assert len(pictures) == state["views"] and all(shown for shown, _ in pictures), pictures
    assert any(images for _, images in pictures), "the stepper's saved picture has its graph"


def test_the_site_builds_with_no_network_and_no_warning(site_build):
    if not site_build["offline"]:
        pytest.skip(site_build["reason"])
    assert (site_build["path"] / "index.html").is_file()
    assert "WARNING" not in site_build["log"] and "ERROR" not in site_build["log"], site_build["log"][-5000:]
    print(f"site built in {site_build['seconds']:.1f} s with no network")


def test_no_page_names_a_cdn_and_the_assets_carry_their_licences(built_site):
    pages = list(built_site.rglob("*.html"))
    assert len(pages) > len(LESSONS)
    for page in pages:
        found = CDN.findall(page.read_text(encoding="utf-8"))
        assert not found, f"{page} loads from a CDN"
    for lang in ("en", "zh"):
        static = built_site / lang / "_static" / "nbgrad-assets"
        for folder in ("requirejs", "html-manager", "mathjax"):
            assert list((static / folder).glob("LICENSE*")), f"{folder} has no licence file in {static}"
        assert (static / "mathjax" / "es5" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()


def test_the_index_chooses_a_language_and_lists_every_lesson_rendered(built_site):
    from nbgrad.i18n import message, speaking

    index = (built_site / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">(.*?)</a>', index)
    hrefs = {href for href, _ in links}
    assert {f"{p}.html".replace(f"{p.parts[0]}/", f"{p.parts[0]}/lessons/") for p in LESSONS} <= hrefs
    assert all((built_site / href).is_file() for href in hrefs)
    assert "`" not in index and "<code>gradcheck</code>" in index
    for lang in ("en", "zh"):
        with speaking(lang):
            assert html.escape(message("site.intro"), quote=True) in index


def test_each_page_links_to_the_same_page_in_the_other_language(built_site):
    for lang, other in (("en", "zh"), ("zh", "en")):
        page = built_site / lang / "lessons" / "04_backprop_step_by_step.html"
        text = page.read_text(encoding="utf-8")
        hrefs = set(re.findall(r'class="nav-link nbgrad-language"[^>]*href="([^"]+)"', text))
        assert len(hrefs) == 1  # the navbar is written twice: wide screens, and the narrow screens' drawer
        assert (page.parent / hrefs.pop()).resolve() == (built_site / other / "lessons" / page.name).resolve()


def test_solutions_are_folded_under_their_label(built_site):
    import nbformat

    lesson = ROOT / "notebooks" / "en" / "03_the_computation_graph.ipynb"
    page = (built_site / "en" / "lessons" / lesson.with_suffix(".html").name).read_text(encoding="utf-8")
    nb = nbformat.read(lesson, as_version=4)
    solution = next(c for c in nb.cells if "solution" in c.metadata.get("tags", []) and "check(" in c.source)
    assert "retain_graph=True)  # keeps the saved values" in solution.source
    at = page.index("keeps the saved values")
    opened = page.rindex("<details", 0, at)
    assert "</details>" not in page[opened:at] and " open" not in page[opened:page.index(">", opened)]
    assert page.rfind("Solution (click to expand)", 0, opened) > page.rfind("</details>", 0, opened)


def test_the_widget_state_is_embedded_once_per_page(built_site):
    page = (built_site / "en" / "lessons" / "04_backprop_step_by_step.html").read_text(encoding="utf-8")
    states = re.findall(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', page, re.S)
    assert len(states) == 1 and json.loads(states[0])["state"]
