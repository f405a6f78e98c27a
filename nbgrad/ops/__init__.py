"""The primitive operations: one ``Function`` subclass per op, forward and backward side by side.

Backward rules are written with Tensor operations, so with ``create_graph=True`` they are themselves
recorded and can be differentiated again; otherwise they run under ``no_grad`` at NumPy speed.
Broadcasting is undone in one place (the engine), so no rule here sums gradients back to a shape.
"""
from ._base import PRIMITIVES, Primitive  # noqa: F401
