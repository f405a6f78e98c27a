"""Text for people: numbers, shapes, short summaries of arrays, LaTeX, and the labels of operations.

Every other module of the display layer and the widgets formats through these, so a number reads the
same in a drawing, a trace and a widget.  An op's label and the expression it computes are derived from
the op's own fields (``infix``, ``prefix``, ``postfix``: see ``nbgrad/ops``), never from a table here.
"""
from string import Formatter

import numpy as np

from ..autograd.graph import is_builtin, op_of
from ..i18n import message
from ..printing import element_formatter


def number(v, digits=None):
    """A value as PyTorch prints it in a tensor of its own (``print(torch.tensor(v))``): 27., 4.5000, 0.3333,
    1.0000e-05, 3 (an integer), True; so a trace or a picture agrees digit for digit with ``print(w.grad)``
    (``set_printoptions`` included).

    ``digits``: for a crowded picture only (a heatmap's cells), at most that many significant digits instead.
    """
    a = np.asarray(v)
    if digits is not None and a.dtype.kind == "f":
        return f"{float(a):.{digits}g}"
    return element_formatter(a)(a.item()).strip()


def literal(v):
    """A number as code spells it, every digit its type holds and no more: 3, 0.5, 1.9801, 1e-05.

    For what the user wrote rather than what was computed: an op's parameters (``x ** 2``, ``alpha=0.5``)
    and the constants in an expression (``y*3``).
    """
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = v if isinstance(v, np.floating) else float(v)
    if np.isfinite(v) and v == int(v) and abs(v) < 1e16:
        return str(int(v))  # 2.0 is spelled 2, as in x ** 2
    return str(v)  # Python's and NumPy's shortest spelling that reads back as the same number


def shape_text(shape):
    """``2×3``; a scalar's shape is ``""``."""
    return "×".join(str(s) for s in shape)


def summary(array, *, with_shape=True):
    """A short text for an array, its numbers as ``print`` shows them: ``27.``, ``3. (all 2×2)``,
    ``[1., 2., 3.]``, ``2×3 [-1.2000 … 2.3000]``."""
    a = np.asarray(array)
    shape = shape_text(a.shape)
    if a.size == 0:
        return message("format.empty_shape", shape=shape) if with_shape else message("format.empty")
    if a.size == 1:
        return number(a.reshape(()))
    if (a == a.flat[0]).all():
        first = number(a.flat[0])
        return message("format.all_shape", value=first, shape=shape) if with_shape else message(
            "format.all", value=first)
    prefix = f"{shape} " if with_shape else ""
    if a.size <= 4 and a.ndim <= 2:
        fmt = element_formatter(a)  # one style for all, as print chooses it for the whole tensor
        rows = [", ".join(fmt(v).strip() for v in row) for row in a.reshape(-1, a.shape[-1]).tolist()]
        return "[" + ", ".join(f"[{row}]" for row in rows) + "]" if a.ndim == 2 else f"[{rows[0]}]"
    if a.dtype.kind == "b":
        return prefix + message("format.true_count", count=int(a.sum()))
    ends = np.array([a.min(), a.max()], dtype=a.dtype)
    fmt = element_formatter(ends)  # the style print would choose for these two numbers
    low, high = (fmt(v).strip() for v in ends.tolist())
    return f"{prefix}[{low} … {high}]"


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
    does (``^{{3}}`` -> ``^{3}``), each parameter spelled as code (``literal``)."""
    names = [name for _, name, _, _ in Formatter().parse(template) if name]
    return template.format(**{name: literal(getattr(node, f"_saved_{name}")) for name in names})


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
