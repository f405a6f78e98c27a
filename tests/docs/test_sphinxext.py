"""``nbgrad.sphinxext`` in an author's own Sphinx project: two lines of conf.py, no nbgrad site machinery."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSON = ROOT / "notebooks" / "en" / "04_backprop_step_by_step.ipynb"


def test_an_authors_project_gets_local_scripts_fallbacks_and_fonts(tmp_path, request):
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_nb")
    request.getfixturevalue("pinned_assets")  # fetched (or skipped) once the tools are known to be there
    from nbgrad.sphinxext import STATIC, assets
    src = tmp_path / "src"
    (src / "guide").mkdir(parents=True)
    (src / "conf.py").write_text('extensions = ["myst_nb", "nbgrad.sphinxext"]\nnb_execution_mode = "off"\n'
                                 'myst_enable_extensions = ["dollarmath"]\n'
                                 'suppress_warnings = ["myst.xref_missing"]  # the lesson links to its neighbours\n')
    (src / "index.md").write_text("# Guide\n\n```{toctree}\nguide/stepper\n```\n")
    (src / "guide" / "stepper.ipynb").write_bytes(LESSON.read_bytes())
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    done = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", str(src), str(tmp_path / "html")],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "WARNING" not in done.stderr, done.stderr[-3000:]

    out = tmp_path / "html"
    page = (out / "guide" / "stepper.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert not [s for s in scripts if "://" in s], scripts
    for path in (assets.REQUIRE_JS, assets.EMBED_AMD_JS, assets.MATHJAX_JS):
        assert any(s.startswith(f"../_static/{path}") for s in scripts), path
        assert (out / "_static" / path).is_file()
    for name in [p.name for p in STATIC.glob("*.js")]:
        assert any(f"_static/{name}" in s for s in scripts), name
    views = page.count('<script type="application/vnd.jupyter.widget-view+json">')
    fallbacks = re.findall(r'</script><div class="nbgrad-widget-fallback[^"]*">', page)
    assert views >= 1 and len(fallbacks) == views
    fonts = sorted(p.name for p in (out / "_static" / assets.WIDGET_FONTS).glob("*.woff2"))
    for where in ("@jupyter-widgets", "@jupyter-widgets/html-manager/dist"):
        assert sorted(p.name for p in (out / "guide" / where).glob("*.woff2")) == fonts
