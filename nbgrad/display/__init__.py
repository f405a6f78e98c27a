"""Seeing autograd: HTML cards, graph drawings, backward traces and the IPython extension.

Nothing is imported here; each module loads its own dependencies (matplotlib, networkx, IPython) when used.
"""
