"""The lessons that ship with nbgrad: find them, copy them somewhere, re-execute them, build a static site.

The lessons are the repository's ``notebooks/`` folder, installed as the data package ``nbgrad.lessons``
(pyproject.toml maps the folder to that name): importlib.resources finds them in an installed wheel, and
an editable install uses the checkout's ``notebooks/``.
The command line over these functions is ``nbgrad/cli.py`` (``python -m nbgrad``).
"""
import os
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path, PurePosixPath

from .i18n import get_language, message

LESSONS_PACKAGE = "nbgrad.lessons"
FIRST_LESSON = PurePosixPath("en", "01_autograd_basics.ipynb")


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


def build_site(out, *, root=None, assets=None):
    """The lessons (under ``root``, default: the shipped ones) as a documentation site in ``out``: one Sphinx
    build per language (``out/en/``, ``out/zh/``, MyST-NB pages with the PyData theme, the docs pages of
    ``docs/`` in English) and ``out/index.html``, which chooses between them. Returns that index's path.

    The pages need no network: ``nbgrad.sphinxext`` puts pinned copies of the widget scripts and MathJax in
    them, taken from ``assets`` (a folder of their npm tarballs), its cache or the npm registry. The Sphinx
    configuration is the checkout's ``docs/conf.py``. The exercises' solutions stay, folded (tagged
    ``hide-cell``): the reader opens one as in JupyterLab.
    """
    import json

    import subprocess

    from .i18n import languages, speaking
    from .sphinxext import assets as _assets

    docs = Path(__file__).resolve().parent.parent / "docs"
    if not (docs / "conf.py").is_file():
        raise FileNotFoundError(message("site.no_docs", folder=docs))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lessons = {}
    for rel, lesson in lesson_files(root):
        if len(rel.parts) == 2 and rel.parts[0] in languages():
            lessons.setdefault(rel.parts[0], []).append((rel, lesson))
    built = [code for code in languages() if code in lessons]
    _assets.prepare(assets=assets)  # fetched once, before either build, so a missing file is said once
    pages = {code: ["index"] + [f"lessons/{rel.stem}" for rel, _ in lessons[code]] for code in built}
    if "en" in built:
        pages["en"] += [p.stem for p in sorted(docs.glob("*.md"))]
    titles = {}
    # the builds import this nbgrad (its sphinxext), wherever it was imported from
    here = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, *filter(None, [os.environ.get("PYTHONPATH")])])}
    for code in built:
        with tempfile.TemporaryDirectory(prefix="nbgrad-site-") as tmp:
            stage = Path(tmp, "src")
            (stage / "lessons").mkdir(parents=True)
            titles[code] = []
            for rel, lesson in lessons[code]:
                text = lesson.read_text(encoding="utf-8")
                (stage / "lessons" / rel.name).write_text(text, encoding="utf-8")
                titles[code].append((f"{code}/lessons/{rel.stem}.html", _title(json.loads(text), rel)))
            with speaking(code):
                own_pages = [p.stem for p in sorted(docs.glob("*.md"))] if code == "en" else []
                for name in own_pages:
                    shutil.copy2(docs / f"{name}.md", stage / f"{name}.md")
                (stage / "index.md").write_text(_index_page(lessons[code], own_pages), encoding="utf-8")
                other = next((c for c in built if c != code), None)
                settings = {
                    "language": "zh_CN" if code == "zh" else code,
                    "nb_code_prompt_show": message("site.show_code"),
                    "nb_code_prompt_hide": message("site.hide_code"),
                }
                if assets is not None:
                    settings["nbgrad_assets"] = str(Path(assets).resolve())
                context = {"nbgrad_other_language": other or "",
                           "nbgrad_other_name": _language_name(other) if other else "",
                           "nbgrad_other_pages": ",".join(pages.get(other, []))}
                # a process per build: Sphinx registers its directives in docutils' global tables, once per process
                command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-E", "-c", str(docs),
                           "-d", str(Path(tmp, "doctrees")), str(stage), str(Path(tmp, "build", "html"))]
                command += [f"-D{k}={v}" for k, v in settings.items()] + [f"-A{k}={v}" for k, v in context.items()]
                if subprocess.run(command, env=env).returncode:
                    raise RuntimeError(message("site.build_failed", language=code, command=" ".join(command[:5])))
            # built beside MyST-NB's jupyter_execute/ (always next to the HTML folder), which stays in tmp
            shutil.rmtree(out / code, ignore_errors=True)
            shutil.copytree(Path(tmp, "build", "html"), out / code)
    index = out / "index.html"
    index.write_text(_chooser(built, titles), encoding="utf-8")
    return index


def _language_name(code):
    import importlib

    return importlib.import_module(f"nbgrad.i18n.{code}").NAME


def _index_page(lessons, docs_pages):
    """The MyST index of one language's build: its words from the catalogue, a toctree of its lessons (and docs)."""
    lines = [f"# {message('site.title')}", "", message("site.intro"), "",
             "```{toctree}", ":maxdepth: 1", f":caption: {message('site.lessons')}", ""]
    lines += [f"lessons/{rel.stem}" for rel, _ in lessons]
    lines += ["```", ""]
    if docs_pages:
        first = [p for p in ("authors", "assets", "lite") if p in docs_pages]
        lines += ["```{toctree}", ":maxdepth: 1", f":caption: {message('site.docs')}", ""]
        lines += first + [p for p in docs_pages if p not in first] + ["```", ""]
    return "\n".join(lines)


def _chooser(built, titles):
    """``index.html`` at the top of the site: each language's lessons, in that language's words."""
    import re

    from .i18n import speaking

    def rendered(title):  # a lesson title's `code` as <code>, everything else escaped
        return re.sub(r"`([^`]+)`", r"<code>\1</code>", _escape(title))

    columns = []
    for code in built:
        with speaking(code):
            items = "\n".join(f'<li><a href="{_escape(href)}">{rendered(title)}</a></li>'
                              for href, title in titles[code])
            columns.append(
                f'<section lang="{code}"><h2><a href="{code}/index.html">{_escape(_language_name(code))}</a></h2>\n'
                f'<p>{_escape(message("site.intro"))}</p>\n<ul>\n{items}\n</ul></section>')
    with speaking(built[0] if built else "en"):
        title, choose = message("site.title"), message("site.choose")
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>\n"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
            f"<title>{_escape(title)}</title>\n<style>{_CHOOSER_CSS}</style></head>\n"
            f"<body><main><h1>{_escape(title)}</h1>\n<p class='choose'>{_escape(choose)}</p>\n"
            f"<div class='languages'>\n{chr(10).join(columns)}\n</div></main></body></html>\n")


_CHOOSER_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif; margin: 0;
       color: #222832; background: #fff; line-height: 1.5; }
main { max-width: 62rem; margin: 0 auto; padding: 2.5rem 1.5rem; }
h1 { margin: 0 0 .25rem; font-size: 2.2rem; }
.choose { color: #5a6270; margin-top: 0; }
.languages { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1.5rem; }
section { border: 1px solid #d8dde6; border-radius: .5rem; padding: 1rem 1.5rem; }
section h2 { margin: .25rem 0; }
a { color: #0a58ca; text-decoration: none; } a:hover { text-decoration: underline; }
ul { list-style: none; padding-left: 0; } li { margin: .35rem 0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: .92em; background: #f1f3f6;
       padding: 0 .2em; border-radius: .2em; }
"""


def _title(nb, rel):
    """The lesson's first markdown heading (its file name if it has none)."""
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            for line in source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return rel.stem


def _escape(text):
    import html

    return html.escape(text, quote=True)
