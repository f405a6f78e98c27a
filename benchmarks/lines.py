"""How readable is the core? The measures issue 10 names, printed from the source tree.

    python3 benchmarks/lines.py [NBGRAD_DIR]

- the reading path docs/READING.md walks (the engine, the node, ten basic ops, Tensor), in lines of code
  (no blank lines, comments or docstrings);
- the largest modules;
- the core's import circles: groups of modules that import each other, counting every import statement,
  lazy ones inside functions included;
- private attributes of core objects that display/ and widgets/ read (tests/display/test_public_surface.py
  fails on any).
"""
import ast
import io
import os
import re
import sys
import tokenize

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nbgrad")
PATH = [
    ("autograd/engine.py", None),
    ("autograd/function.py", None),
    ("ops/elementwise.py", ("Add", "Sub", "Mul", "Div", "Neg", "Pow", "Exp", "Log", "Tanh", "Relu")),
    ("tensor.py", None),
]


def code_lines(source, keep=None):
    """Line numbers holding code: not blank, not only a comment, not part of a docstring; within the
    classes named in ``keep`` if given."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) \
                    and isinstance(first.value.value, str):
                docstrings.update(range(first.lineno, first.end_lineno + 1))
    code = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                              tokenize.ENDMARKER):
            code.update(range(token.start[0], token.end[0] + 1))
    code -= docstrings
    if keep is not None:
        spans = [range(n.lineno, n.end_lineno + 1) for n in tree.body if isinstance(n, ast.ClassDef) and n.name in keep]
        missing = set(keep) - {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
        if missing:
            raise SystemExit(f"not found: {sorted(missing)}")
        code = {line for line in code if any(line in span for span in spans)}
    return len(code)


def modules():
    """(dotted name, path, source) of every module of the package."""
    for folder, _, files in sorted(os.walk(ROOT)):
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                parts = os.path.relpath(path, os.path.dirname(os.path.abspath(ROOT))).replace(os.sep, "/")[:-3]
                dotted = parts.replace("/", ".").replace("nbgrad", "nbgrad", 1)
                with open(path, encoding="utf-8") as f:
                    yield dotted, path, f.read()


def imports(source, module, is_package, names):
    """The modules of the package an import statement names (lazy ones too), made absolute: the submodule
    for ``from package import submodule``, else the module named."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            name = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                yield f"{name}.{alias.name}" if f"{name}.{alias.name}" in names else name


def circles(core):
    """Strongly connected groups (two or more modules) of the core's import graph."""
    names = {m for m, _, _ in core}
    graph = {}
    for module, path, source in core:
        package = path.endswith("__init__.py")
        graph[module] = {n for n in imports(source, module, package, names) if n in names and n != module}
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):  # Tarjan's algorithm; the graph is small
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


_PRIVATE_READ = re.compile(r"\b(?!self\b|cls\b)[A-Za-z_][A-Za-z0-9_]*\._(?!_|saved_|repr_)[a-z][A-Za-z0-9_]*")


def main():
    total = 0
    print("reading path (lines of code):")
    for path, keep in PATH:
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            n = code_lines(f.read(), keep)
        total += n
        print(f"{n:6d}  {path}{' (' + ', '.join(keep) + ')' if keep else ''}")
    print(f"{total:6d}  in all")
    every = list(modules())
    print("\nlargest modules (lines):")
    for n, module in sorted(((source.count("\n"), m) for m, _, source in every), reverse=True)[:3]:
        print(f"{n:6d}  {module}")
    layers = ("nbgrad.display", "nbgrad.widgets", "nbgrad.cli", "nbgrad.lesson_tools", "nbgrad.lessons",
              "nbgrad.__main__")
    core = [(m.removesuffix(".__init__"), p, s) for m, p, s in every if not m.startswith(layers)]
    print("\nimport circles in the core (modules that import each other, lazy imports included):")
    for group in circles(core) or [["none"]]:
        print(f"{len(group):6d}  {', '.join(group)}")
    reads = sum(len(_PRIVATE_READ.findall(s)) for m, _, s in every if m.startswith(("nbgrad.display", "nbgrad.widgets")))
    print(f"\nprivate attribute reads in display/ and widgets/ (X._name, X not self or cls): {reads}")


if __name__ == "__main__":
    main()
