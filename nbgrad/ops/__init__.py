"""The primitive operations: one ``Function`` subclass per op, forward and backward side by side.

Each backward rule is written once, with operations NumPy arrays and Tensors share (see ``_base``): a plain
backward runs it on arrays, at NumPy speed; with ``create_graph=True`` it gets Tensors, is recorded, and
can be differentiated again. Broadcasting is undone in one place (the engine), so no rule here sums
gradients back to a shape.
"""
from ._base import PRIMITIVES, Primitive, Rule  # noqa: F401
