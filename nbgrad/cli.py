"""Command line: ``python -m nbgrad lessons|execute|site``, over the functions of ``nbgrad.lesson_tools``.

  lessons [DIR] [-- JUPYTER_ARGS ...]
                         copy the lessons to DIR (default ./nbgrad-lessons) and open JupyterLab on lesson 1,
                         DIR its root (both languages in its file browser); what follows -- goes to JupyterLab
                         (--allow-root, --no-browser, --port 8899, ...)
  execute [NOTEBOOK ...] re-run notebooks in place and save their outputs (maintainers; default: all)
  site OUT [--assets DIR]
                         build the lessons' documentation site (Sphinx, MyST-NB) into OUT; it works from disk
                         with no network (the docs extra: pip install -e ".[docs]")
  lite OUT [--pyodide DIR]
                         build a JupyterLite site of the lessons: Python (Pyodide) runs in the browser, nbgrad
                         bundled; Pyodide from its CDN, or from DIR with no network at all (see docs/lite.md)
"""
import argparse
import subprocess
import sys

from . import lesson_tools
from .i18n import message


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    # Everything after the first "--" is JupyterLab's, passed on untouched (argparse would read options there).
    argv, jupyter_args = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(prog="python -m nbgrad",
                                     description="The lessons that ship with nbgrad: copy, re-execute, publish.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("lessons", help="copy the lessons to a folder and open JupyterLab there",
                       usage="python -m nbgrad lessons [-h] [--force] [--no-launch] [dir] [-- JUPYTER_ARGS ...]",
                       epilog="JupyterLab opens lesson 1, its root the folder (both languages in its file browser). "
                              "Arguments after -- go to JupyterLab: "
                              "python -m nbgrad lessons my-lessons -- --allow-root --no-browser --port 8899")
    p.add_argument("dir", nargs="?", default="nbgrad-lessons", help="where to copy them (default: nbgrad-lessons)")
    p.add_argument("--force", action="store_true", help="overwrite edited copies without asking")
    p.add_argument("--no-launch", action="store_true", help="copy only; do not start JupyterLab")
    p = sub.add_parser("execute", help="re-run notebooks in place and save their outputs")
    p.add_argument("notebooks", nargs="*")
    p = sub.add_parser("site", help="build the lessons' documentation site (both languages), which works offline")
    p.add_argument("out")
    p.add_argument("--assets", metavar="DIR", help="folder of the pinned npm tarballs (require.js, html-manager, "
                                                    "MathJax) to use instead of the cache or the npm registry")
    p = sub.add_parser("lite", help="build a JupyterLite site of the lessons (Python in the browser)")
    p.add_argument("out")
    p.add_argument("--pyodide", metavar="DIR", help="a Pyodide distribution (folder or release .tar.bz2) to bundle: no network needed")
    args = parser.parse_args(argv)
    if jupyter_args and (args.command != "lessons" or args.no_launch):
        parser.error(message("launch.args_without_launch"))
    if sys.platform == "emscripten" and (args.command in ("execute", "lite") or args.command == "lessons"
                                         and not args.no_launch):
        parser.exit(2, f"python -m nbgrad {args.command}: {message('lite.no_processes')}\n")

    if args.command == "lessons":
        for rel, status in lesson_tools.copy_lessons(args.dir, force=args.force, ask=_ask_on_terminal):
            print(f"{message('launch.' + status):9} {rel}")
        if not args.no_launch:
            return subprocess.call(lesson_tools.jupyterlab_command(args.dir, jupyter_args))
    elif args.command == "execute":
        try:
            lesson_tools.execute(args.notebooks)
        except lesson_tools.InstalledLessonsError as error:
            parser.exit(2, f"python -m nbgrad execute: {error}\n")
    elif args.command == "site":
        from .sphinxext.assets import AssetsError

        try:
            index = lesson_tools.build_site(args.out, assets=args.assets)
        except (AssetsError, FileNotFoundError) as error:
            parser.exit(2, f"python -m nbgrad site: {error}\n")
        print(message("site.built", path=index))
    elif args.command == "lite":
        from . import lite

        try:
            index = lite.build(args.out, pyodide=args.pyodide)
        except lite.LiteError as error:
            parser.exit(2, f"python -m nbgrad lite: {error}\n")
        print(message("lite.built", path=index.parent))
    return 0


def _ask_on_terminal(question):
    if not sys.stdin.isatty():
        return False  # nobody to ask: keep the user's copy
    return input(question).strip().lower() in message("launch.yes").split()
