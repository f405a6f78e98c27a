"""The lessons that ship with nbgrad: find them, copy them somewhere, re-execute them, build a static site.

The lessons are the repository's ``notebooks/`` folder, installed as the data package ``nbgrad.lessons``
(pyproject.toml maps the folder to that name): importlib.resources finds them in an installed wheel, and
an editable install uses the checkout's ``notebooks/``.
The command line over these functions is ``nbgrad/cli.py`` (``python -m nbgrad``).
"""
import os
import shutil
import sys
from importlib import resources
from pathlib import Path, PurePosixPath

from .i18n import get_language, message

LESSONS_PACKAGE = "nbgrad.lessons"
FIRST_LESSON = PurePosixPath("en", "01_autograd_basics.ipynb")
# An exercise's solution: its code cell is tagged "solution" (with "hide-cell", Jupyter Book's toggle, and
# collapsed in JupyterLab by its metadata), the "Solution (click to expand):" line above it "solution-label".
# A static page has nothing to click: both are left out of the site.
SOLUTION_TAGS = ("solution", "solution-label")


def lessons_dir():
    """The folder of shipped lessons: an importlib.resources Traversable (a ``Path`` in any pip install)."""
    try:
        return resources.files(LESSONS_PACKAGE)
    except ModuleNotFoundError:
        pass
    # An editable install (pip install -e .) cannot import nbgrad.lessons: setuptools' editable finder
    # does not map a folder without __init__.py to a name inside a package (pypa/setuptools#4943). Its
    # nbgrad/ is the checkout's, so the lessons are the notebooks/ beside it.
    checkout = Path(__file__).resolve().parent.parent / "notebooks"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("nbgrad's lessons are missing from this installation")


def lesson_files(root=None):
    """Every lesson under ``root`` (default: the shipped ones) as ``(relative path, file)``, sorted by path.

    ``root`` is a folder's path; the files are importlib.resources Traversables (``Path``s in any pip
    install) and the relative paths ``PurePosixPath``s such as ``en/01_autograd_basics.ipynb``.
    """
    found = []

    def walk(folder, rel):
        for entry in folder.iterdir():
            if entry.is_dir():
                if entry.name != ".ipynb_checkpoints":
                    walk(entry, rel / entry.name)
            elif entry.name.endswith(".ipynb"):
                found.append((rel / entry.name, entry))

    walk(lessons_dir() if root is None else Path(root), PurePosixPath())
    return sorted(found, key=lambda pair: pair[0])


def copy_lessons(dest, *, force=False, ask=None):
    """Copy the lessons into ``dest``; an edited copy there is replaced only if ``ask`` says yes (or force).

    Returns a list of ``(relative path, status)``, status one of copied, unchanged, replaced, kept.
    """
    dest = Path(dest)
    report = []
    for rel, lesson in lesson_files():
        target, shipped = dest / rel, lesson.read_bytes()
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(shipped)
            status = "copied"
        elif target.read_bytes() == shipped:
            status = "unchanged"
        elif force or (ask is not None and ask(message("launch.overwrite", path=target))):
            target.write_bytes(shipped)
            status = "replaced"
        else:
            status = "kept"
        report.append((rel, status))
    return report


def jupyterlab_command(folder, jupyter_args=()):
    """The command that opens JupyterLab on the first lesson in ``folder``, the server's root being ``folder``
    itself, so that both languages are in the file browser (given only a file, Jupyter's server roots itself in
    the file's folder: ``en/``). The first lesson is in the learner's language (``NBGRAD_LANG``) where there is
    one, else in English."""
    folder = Path(folder).resolve()
    first = folder.joinpath(get_language(), *FIRST_LESSON.parts[1:])
    if not first.is_file():
        first = folder.joinpath(*FIRST_LESSON.parts)
    return [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}", str(first), *jupyter_args]


def execute(paths=None, *, timeout=300):
    """Re-run notebooks in place and save them: the documented way to refresh stored outputs.

    The default is every shipped lesson, which in an editable install is the checkout's ``notebooks/``.
    A notebook inside an installed package (a wheel's lessons) is refused, before anything runs:
    ``InstalledLessonsError``.
    """
    paths = [Path(p) for p in paths] if paths else [Path(lesson) for _, lesson in lesson_files()]
    for path in paths:
        _refuse_installed(path)
    import nbformat
    from nbclient import NotebookClient

    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                                store_widget_state=True, resources={"metadata": {"path": str(path.parent)}})
        # as Jupyter's server does for a notebook's kernel: the kernel finds its notebook (and its language)
        client.execute(env={**os.environ, "JPY_SESSION_NAME": str(path.resolve())})
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
            if cell.cell_type == "code":
                cell.outputs = _merge_streams(cell.outputs)
        nbformat.write(nb, path)
        print(f"executed {path}")


class InstalledLessonsError(ValueError):
    """A notebook to execute lies inside an installed package, whose files pip owns."""


def _refuse_installed(path):
    """Raise if ``path`` lies in an installed package: any site-packages, or nbgrad's own folder (a wheel
    installed anywhere, ``pip install --target`` included, keeps its lessons there; an editable install's
    lessons are the checkout's notebooks/, outside it)."""
    path = Path(path)
    resolved = path.resolve()
    here = Path(__file__).resolve().parent
    folders = [Path(*resolved.parts[:i + 1]) for i, part in enumerate(resolved.parts)
               if part in ("site-packages", "dist-packages")]
    if resolved.is_relative_to(here):
        folders.append(here)
    if folders:
        raise InstalledLessonsError(message("launch.installed_lessons", path=path, folder=folders[0]))


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
    """Static HTML of every lesson (under ``root``, default: the shipped ones) plus an index page; widgets
    render with no kernel, and the exercises' solutions are left out (``SOLUTION_TAGS``).

    ``widgets_js``: a folder holding ``embed-amd.js`` with the ``.woff2`` fonts beside it (from the
    ``dist/`` folder of @jupyter-widgets/html-manager) and ``require.js``; they are copied next to the
    pages so the site works offline. Without it, pages load them from the public CDN that nbconvert uses
    by default.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    import nbformat

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if widgets_js:
        widgets_js = Path(widgets_js)
        (out / "static").mkdir(exist_ok=True)
        for name in ("embed-amd.js", "require.js"):
            shutil.copy2(widgets_js / name, out / "static" / name)
    links = []
    for rel, lesson in lesson_files(root):
        nb = nbformat.reads(lesson.read_text(encoding="utf-8"), as_version=4)
        page = rel.with_suffix(".html")
        exporter = HTMLExporter(template_name="lab")
        exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(SOLUTION_TAGS)), enabled=True)
        if widgets_js:
            up = "../" * (len(page.parts) - 1)
            exporter.widget_renderer_url = f"{up}static/embed-amd.js"
            exporter.require_js_url = f"{up}static/require.js"
        body, _ = exporter.from_notebook_node(nb)
        (out / page).parent.mkdir(parents=True, exist_ok=True)
        (out / page).write_text(body, encoding="utf-8")
        if widgets_js:
            _copy_widget_fonts(widgets_js, (out / page).parent)
        links.append((page, _title(nb, rel)))
    items = "\n".join(f'<li><a href="{page.as_posix()}">{_escape(title)}</a> <small>({page.parts[0]})</small></li>'
                      for page, title in links)
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


def _title(nb, rel):
    """The lesson's first markdown heading (its file name if it has none)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return rel.stem


def _escape(text):
    import html

    return html.escape(text, quote=True)
