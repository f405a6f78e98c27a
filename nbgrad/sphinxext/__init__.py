"""nbgrad's Sphinx extension: notebook pages that work from disk, with no network and no kernel.

In conf.py, after MyST-NB::

    extensions = ["myst_nb", "nbgrad.sphinxext"]

What it does (the docs page ``docs/authors.md`` says it for authors):

- takes pinned copies of require.js, the widgets' html-manager (``embed-amd.js`` and its icon fonts) and MathJax 3
  (``assets.py``: from ``nbgrad_assets`` / ``--assets DIR``, the cache, or the npm registry, checked by sha512),
  puts them in ``_static/nbgrad-assets/`` with their licences, and points MyST-NB's ``nb_ipywidgets_js`` and
  Sphinx's ``mathjax_path`` at them;
- writes, after each widget view, the output's saved picture (its ``text/html``) in
  ``<div class="nbgrad-widget-fallback">``: ``nbgrad-site.css`` hides it once the widget has rendered, so it
  shows where the widget scripts cannot run;
- adds every ``.js`` and ``.css`` file of ``static/`` to every page (``nbgrad-site.*``: the fallback and
  the MathJax 2 call of the widgets' ``HTMLMath`` made to reach MathJax 3; ``nbgrad-static.*``: the widgets
  with no kernel).
"""
import shutil
from pathlib import Path

from . import assets as _assets

STATIC = Path(__file__).resolve().parent / "static"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# html-manager's stylesheets ask for the icon fonts relative to the page, at these folders (its webpack
# public path is its AMD module's name, not where embed-amd.js is served from).
FONT_FOLDERS = ("@jupyter-widgets", "@jupyter-widgets/html-manager/dist")


def setup(app):
    from sphinx.transforms.post_transforms import SphinxPostTransform

    app.setup_extension("myst_nb")
    app.add_config_value("nbgrad_assets", None, "html", types=frozenset({str, type(None)}))
    app.connect("config-inited", _configure)
    app.connect("builder-inited", _add_assets)
    # before sphinx.ext.mathjax (500) decides whether the page needs MathJax
    app.connect("html-page-context", _page_context, priority=400)
    app.connect("build-finished", _copy_widget_fonts)

    class WidgetFallback(SphinxPostTransform):
        """After a widget view, the output's saved picture; before MyST-NB keeps one type of each output (4)."""

        default_priority = 3
        formats = ("html",)

        def run(self, **kwargs):
            _add_fallbacks(self.document)

    app.add_post_transform(WidgetFallback)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def _configure(app, config):
    config.nb_ipywidgets_js = {_assets.REQUIRE_JS: {}, _assets.EMBED_AMD_JS: {}}
    if "://" in (config.mathjax_path or "://"):
        config.mathjax_path = _assets.MATHJAX_JS
    # MathJax 3 reads window.MathJax = mathjax3_config (Sphinx 9's default config is for MathJax 4). The widgets'
    # HTMLMath text writes inline math as $...$; MathJax only looks for it where it is asked to (MyST's
    # processHtmlClass, a widget's own call, the fallback pictures).
    if not config.mathjax3_config and not getattr(config, "mathjax4_config", None):
        config.mathjax3_config = {"tex": {"inlineMath": [["$", "$"], ["\\(", "\\)"]],
                                          "displayMath": [["$$", "$$"], ["\\[", "\\]"]]}}


def _add_assets(app):
    from sphinx.errors import ExtensionError

    if app.builder.format != "html":
        return
    given = app.config.nbgrad_assets
    if given and not Path(given).is_absolute():
        given = Path(app.confdir) / given
    try:
        folder = _assets.prepare(assets=given)
    except _assets.AssetsError as error:
        raise ExtensionError(str(error)) from None
    app.config.html_static_path = [*app.config.html_static_path, str(folder), str(STATIC)]
    for path in sorted(STATIC.glob("*.css")):
        app.add_css_file(path.name)
    for path in sorted(STATIC.glob("*.js")):
        app.add_js_file(path.name)


def _add_fallbacks(document):
    from docutils import nodes

    def is_bundle(node):
        return isinstance(node, nodes.container) and node.get("nb_element") == "mime_bundle"

    for bundle in list(document.findall(is_bundle)):
        parts = {child.get("mime_type"): child for child in bundle.children}
        view, picture = parts.get(WIDGET_VIEW), parts.get("text/html")
        if view is None or picture is None:
            continue
        html = "".join(node.astext() for node in picture.findall(nodes.raw))
        # mathjax_process: MathJax typesets the picture's formulas, in a page it otherwise leaves to MyST's classes
        view.append(nodes.raw(text=f'<div class="nbgrad-widget-fallback mathjax_process">{html}</div>',
                              format="html"))


def _has_widgets(app, pagename):
    from myst_nb.sphinx_ import NbMetadataCollector

    try:
        return "ipywidgets_state" in NbMetadataCollector.get_js_files(app.env, pagename)
    except (KeyError, AttributeError):
        return False


def _page_context(app, pagename, templatename, context, doctree):
    if _has_widgets(app, pagename):
        # the widgets' HTMLMath frames need MathJax even on a page with no formula of its own
        context["has_maths_elements"] = True


def _copy_widget_fonts(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    fonts = sorted((Path(app.outdir) / "_static" / _assets.WIDGET_FONTS).glob("*.woff2"))
    # from what MyST-NB recorded while reading (the environment), so that parallel writers need not report back
    folders = {str(Path(name).parent) for name in app.env.found_docs if _has_widgets(app, name)}
    for folder in sorted(folders):
        for where in FONT_FOLDERS:
            target = Path(app.outdir, folder, where)
            target.mkdir(parents=True, exist_ok=True)
            for font in fonts:
                shutil.copy2(font, target / font.name)
