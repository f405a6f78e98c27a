"""How long is the core's reading path? Lines of code (no blank lines, comments or docstrings).

    python3 benchmarks/lines.py

The path is the one docs/READING.md walks: the engine, the node, ten basic ops, Tensor.
"""
import ast
import io
import os
import tokenize

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nbgrad")
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


def main():
    total = 0
    for path, keep in PATH:
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            n = code_lines(f.read(), keep)
        total += n
        print(f"{n:6d}  {path}{' (' + ', '.join(keep) + ')' if keep else ''}")
    print(f"{total:6d}  reading path in all")


if __name__ == "__main__":
    main()
