"""Sphinx configuration of nbgrad's site: the lessons (MyST-NB) and these docs pages, one build per language.

``python -m nbgrad site OUT`` (``nbgrad.lesson_tools.build_site``) gathers each language's pages in a
staging folder and builds it with this file, giving the language-dependent values (``language``, the
words of the solution toggle, the other language's pages) as overrides.
"""
project = "nbgrad"
author = "nbgrad contributors"
copyright = "nbgrad contributors (MIT licence)"

extensions = ["myst_nb", "nbgrad.sphinxext"]

# The lessons' stored outputs are the ones nbval checks against a fresh run: the site shows them as they are.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "_templates", "**.ipynb_checkpoints"]
suppress_warnings = ["myst.xref_missing"]  # the docs pages link to files of the repository, not of the site

html_theme = "pydata_sphinx_theme"
html_title = "nbgrad"
templates_path = ["_templates"]
html_theme_options = {
    "navbar_center": [],  # the lessons are listed in the sidebar (nbgrad-toc): nine long titles overflow a navbar
    "navbar_end": ["nbgrad-language", "theme-switcher"],
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"**": ["nbgrad-toc"]}
html_show_sourcelink = False
html_copy_source = False
# A search result's summary is fetched from its page, which a browser refuses for a page opened from disk.
html_show_search_summary = False
# "light", not the theme's "auto": "auto" with no stored choice logs a console error in a page opened from disk
html_context = {"nbgrad_other_language": "", "default_mode": "light"}

try:  # Sphinx's Chinese search splits words with jieba, which logs its dictionary loading at DEBUG level
    import jieba
    import logging

    jieba.setLogLevel(logging.WARNING)
except ImportError:
    pass
