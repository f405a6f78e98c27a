"""The lessons that ship with nbgrad: copy them somewhere, re-execute them, or build a static site.

Command line (``python -m nbgrad ...``):
  lessons [DIR]          copy the lessons to DIR (default ./nbgrad-lessons) and open JupyterLab there
  execute [NOTEBOOK ...] re-run notebooks in place and save their outputs (maintainers; default: all)
  site OUT               build a static HTML site of the executed lessons, widget state embedded
"""
import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

FIRST_LESSON = Path("en") / "01_autograd_basics.ipynb"


def lessons_dir():
    """Where the lessons are: inside an installed package, or ``notebooks/`` in a source checkout."""
    installed = Path(__file__).parent / "lessons"
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parents[1] / "notebooks"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("nbgrad's lessons are missing from this installation")


def lesson_files(root=None):
    """Every shipped notebook, sorted (index first, then en/, then zh/)."""
    root = Path(root) if root else lessons_dir()
    return sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def copy_lessons(dest, *, force=False, ask=None):
    """Copy the lessons into ``dest``; an edited copy there is replaced only if ``ask`` says yes (or force).

    Returns a list of ``(relative path, status)``, status one of copied, unchanged, replaced, kept.
    """
    source, dest = lessons_dir(), Path(dest)
    report = []
    for src in lesson_files(source):
        rel = src.relative_to(source)
        target = dest / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
            status = "copied"
        elif filecmp.cmp(src, target, shallow=False):
            status = "unchanged"
        elif force or (ask is not None and ask(f"{target} differs from the shipped lesson (edited?). Overwrite it? [y/N] ")):
            shutil.copy2(src, target)
            status = "replaced"
        else:
            status = "kept"
        report.append((rel, status))
    return report


def _ask_on_terminal(question):
    if not sys.stdin.isatty():
        return False  # nobody to ask: keep the user's copy
    return input(question).strip().lower() in ("y", "yes")


def execute(paths=None, *, timeout=300):
    """Re-run notebooks in place and save them: the documented way to refresh stored outputs."""
    import nbformat
    from nbclient import NotebookClient

    for path in [Path(p) for p in paths] if paths else lesson_files():
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                                store_widget_state=True, resources={"metadata": {"path": str(path.parent)}})
        client.execute()
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
            if cell.cell_type == "code":
                cell.outputs = _merge_streams(cell.outputs)
        nbformat.write(nb, path)
        print(f"executed {path}")


def _merge_streams(outputs):
    """Consecutive prints to one stream as one output: where the kernel splits them depends on timing,
    and a re-run must save the same file."""
    merged = []
    for out in outputs:
        last = merged[-1] if merged else None
        if out.output_type == "stream" and last is not None and last.output_type == "stream" and last.name == out.name:
            last.text += out.text
        else:
            merged.append(out)
    return merged


def build_site(out, *, root=None, widgets_js=None):
    """Static HTML of every lesson plus an index page; widgets render with no kernel.

    ``widgets_js``: a folder holding ``embed-amd.js`` with the ``.woff2`` fonts beside it (from the
    ``dist/`` folder of @jupyter-widgets/html-manager) and ``require.js``; they are copied next to the
    pages so the site works offline. Without it, pages load them from the public CDN that nbconvert uses
    by default.
    """
    from nbconvert import HTMLExporter
    import nbformat

    root = Path(root) if root else lessons_dir()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if widgets_js:
        widgets_js = Path(widgets_js)
        (out / "static").mkdir(exist_ok=True)
        for name in ("embed-amd.js", "require.js"):
            shutil.copy2(widgets_js / name, out / "static" / name)
    links = []
    for path in lesson_files(root):
        rel = path.relative_to(root).with_suffix(".html")
        exporter = HTMLExporter(template_name="lab")
        if widgets_js:
            up = "../" * (len(rel.parts) - 1)
            exporter.widget_renderer_url = f"{up}static/embed-amd.js"
            exporter.require_js_url = f"{up}static/require.js"
        body, _ = exporter.from_notebook_node(nbformat.read(path, as_version=4))
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(body, encoding="utf-8")
        if widgets_js:
            _copy_widget_fonts(widgets_js, (out / rel).parent)
        links.append((rel, _title(path)))
    items = "\n".join(f'<li><a href="{rel.as_posix()}">{_escape(title)}</a> <small>({rel.parts[0]})</small></li>'
                      for rel, title in links)
    (out / "index.html").write_text(
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>nbgrad lessons</title></head>\n"
        f"<body><h1>nbgrad lessons</h1>\n<ul>\n{items}\n</ul></body></html>\n", encoding="utf-8")
    return out / "index.html"


def _copy_widget_fonts(widgets_js, folder):
    """The icon font of the widgets' buttons (Play, Stop), where embed-amd.js looks for it.

    Its webpack public path is its AMD module's name, so it asks for the fonts relative to the page, at
    these two paths, wherever the script itself is served from. Browsers take the woff2 file first.
    """
    for where in ("@jupyter-widgets", "@jupyter-widgets/html-manager/dist"):
        (folder / where).mkdir(parents=True, exist_ok=True)
        for font in widgets_js.glob("*.woff2"):
            shutil.copy2(font, folder / where / font.name)


def _title(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem


def _escape(text):
    import html

    return html.escape(text, quote=True)


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(prog="python -m nbgrad", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("lessons", help="copy the lessons to a folder and open JupyterLab there")
    p.add_argument("dir", nargs="?", default="nbgrad-lessons")
    p.add_argument("--force", action="store_true", help="overwrite edited copies without asking")
    p.add_argument("--no-launch", action="store_true", help="copy only; do not start JupyterLab")
    p = sub.add_parser("execute", help="re-run notebooks in place and save their outputs")
    p.add_argument("notebooks", nargs="*")
    p = sub.add_parser("site", help="build a static HTML site of the lessons")
    p.add_argument("out")
    p.add_argument("--widgets-js", help="folder with embed-amd.js and require.js, for an offline site")
    args = parser.parse_args(argv)

    if args.command == "lessons":
        for rel, status in copy_lessons(args.dir, force=args.force, ask=_ask_on_terminal):
            print(f"{status:9} {rel}")
        if not args.no_launch:
            first = Path(args.dir) / FIRST_LESSON
            return subprocess.call([sys.executable, "-m", "jupyterlab", str(first)])
    elif args.command == "execute":
        execute(args.notebooks)
    elif args.command == "site":
        print(build_site(args.out, widgets_js=args.widgets_js))
    return 0
