"""Text for people: numbers, shapes, short summaries of arrays, LaTeX, and the labels of operations.

Every other module of the display layer and the widgets formats through these, so a number reads the
same in a drawing, a trace and a widget.  An op's label and the expression it computes are derived from
the op's own fields (``infix``, ``prefix``, ``postfix``: see ``nbgrad/ops``), never from a table here.
"""
from string import Formatter

import numpy as np

from ..autograd.graph import is_builtin, op_of


def number(v, digits=4):
    """A number in at most ``digits`` significant digits: 27, 4.5, 0.3333, 1e-05."""
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    v = float(v)
    if v == 0:
        return "0"  # not "-0"
    return f"{v:.{digits}g}"


def shape_text(shape):
    """``2×3``; a scalar's shape is ``""``."""
    return "×".join(str(s) for s in shape)


def summary(array, *, with_shape=True):
    """A short text for an array: ``27``, ``3 (all 2×2)``, ``[1, 2, 3]``, ``2×3 [-1.2 … 2.3]``."""
    a = np.asarray(array)
    shape = shape_text(a.shape)
    if a.size == 0:
        return f"empty {shape}" if with_shape else "empty"
    if a.size == 1:
        return number(a.reshape(()).item())
    if (a == a.flat[0]).all():
        return f"{number(a.flat[0])} (all {shape})" if with_shape else f"all {number(a.flat[0])}"
    if a.size <= 4 and a.ndim <= 2:
        rows = ", ".join("[" + ", ".join(number(v) for v in row) + "]" for row in a.reshape(-1, a.shape[-1]))
        return f"[{rows}]" if a.ndim == 2 else rows
    prefix = f"{shape} " if with_shape else ""
    if a.dtype.kind == "b":
        return f"{prefix}{int(a.sum())} True"
    return f"{prefix}[{number(a.min(), 3)} … {number(a.max(), 3)}]"


def latex_escape(text):
    """Text made safe inside LaTeX (MathJax): every special character escaped."""
    out = []
    for ch in str(text):
        if ch in "\\":
            out.append(r"\backslash ")
        elif ch in "{}$&#%_":
            out.append("\\" + ch)
        elif ch in "^~":
            out.append(rf"\{ch}{{}}")
        else:
            out.append(ch)
    return "".join(out)


def latex_name(name):
    """A variable name as LaTeX: ``x`` stays ``x``, ``W1`` becomes ``W_{1}``, longer names upright."""
    name = str(name)
    if len(name) == 1 and name.isalpha():
        return name
    if len(name) > 1 and name[0].isalpha() and name[1:].isdigit() and len(name) <= 3:
        return f"{name[0]}_{{{name[1:]}}}"
    return rf"\mathrm{{{latex_escape(name)}}}"


# ----- operations -----
# Python's operator precedence, so that an expression is bracketed as the code would be (y*y*3, (x+2)*y).
_BINARY = {"+": 1, "-": 1, "*": 2, "/": 2, "@": 2, "**": 4}
_UNARY = 3  # -a binds tighter than * and looser than **
_ATOM = 9  # a name, a number or a call: never bracketed


def _formatted(template, node):
    """An op's ``postfix`` with the node's parameters filled in (``**{exponent}`` -> ``**2``), as ``str.format``
    does (``^{{3}}`` -> ``^{3}``), each parameter through ``number``."""
    names = [name for _, name, _, _ in Formatter().parse(template) if name]
    return template.format(**{name: number(getattr(node, f"_saved_{name}")) for name in names})


def _notation(op):
    """An op's (infix, prefix, postfix) fields: each None, or (Python's spelling, LaTeX's)."""
    return tuple(getattr(op, field, None) for field in ("infix", "prefix", "postfix"))


def op_label(node):
    """A short name for an op node: ``+``, ``*``, ``**2``, ``-``, ``tanh``, ``mean``, or a user Function's name."""
    op = op_of(node)
    if op is None:
        return node.name()
    infix, prefix, postfix = _notation(op)
    if infix is not None:
        return infix[0]
    if prefix is not None:
        return prefix[0]
    if postfix is not None:
        return _formatted(postfix[0], node)
    return op.__name__.lower() if is_builtin(op) else op.__name__


def expression(node, operands):
    """The expression a node computes from its operands, as (text, LaTeX, precedence).

    ``operands``: (text, LaTeX, precedence) of each input, in the order of ``next_functions``.
    """
    infix, prefix, postfix = _notation(op_of(node))
    if infix is not None and len(operands) == 2:
        symbol, latex_symbol = infix
        prec = _BINARY[symbol]
        (a, la, pa), (b, lb, pb) = operands
        # Python's rules: a left operand of equal precedence needs no brackets (y*y*3), a right one does
        # (except for **, which groups to the right).
        if pa < prec or (symbol == "**" and pa == prec):
            a, la = f"({a})", rf"\left({la}\right)"
        if pb < prec or (pb == prec and symbol != "**"):
            b, lb = f"({b})", rf"\left({lb}\right)"
        latex = f"{{{la}}}^{{{lb}}}" if symbol == "**" else f"{la} {latex_symbol} {lb}"
        return f"{a}{symbol}{b}", latex, prec
    if postfix is not None and len(operands) == 1:
        prec = _BINARY[max((s for s in _BINARY if postfix[0].startswith(s)), key=len)]  # "**{exponent}": **
        a, la, pa = operands[0]
        if pa <= prec:
            a, la = f"({a})", rf"\left({la}\right)"
        return f"{a}{_formatted(postfix[0], node)}", f"{{{la}}}{_formatted(postfix[1], node)}", prec
    if prefix is not None and len(operands) == 1:
        a, la, pa = operands[0]
        if pa < _UNARY:
            a, la = f"({a})", rf"\left({la}\right)"
        return f"{prefix[0]}{a}", f"{prefix[1]}{la}", _UNARY
    symbol = op_label(node)
    args = ", ".join(text for text, _, _ in operands)
    latex_args = ", ".join(latex for _, latex, _ in operands)
    return f"{symbol}({args})", rf"\operatorname{{{latex_escape(symbol)}}}\left({latex_args}\right)", _ATOM
