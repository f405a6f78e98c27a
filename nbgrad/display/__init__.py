"""Seeing autograd: HTML cards, graph drawings, backward traces and the IPython extension.

One module per concern: ``formatting`` (numbers, shapes, LaTeX, op labels), ``walk`` (what is in the graph
behind a tensor), ``layout`` (where each box goes: pure geometry), ``drawing`` (the picture), ``figure``
(making and saving figures), ``graph`` (``to_networkx`` and ``draw``), ``modules`` (a model's graph with
its modules as boxes: ``draw(loss, group="module")``), ``trace`` (backward step by step),
``html`` (cards), ``ipython`` (the hooks ``import nbgrad`` plugs in), ``extension`` (``%load_ext nbgrad``),
``training``, ``errors`` (``explain``: what an autograd error means).  They read the core through its public
API and ``nbgrad.autograd.graph`` only.

Only ``explain`` is imported here (it needs nothing but the message catalogue); each other module loads its own
dependencies (matplotlib, networkx, IPython) when used.
"""
from .errors import explain

__all__ = ["explain"]
