"""Gradients of the primitives of issue 12's gaps (nansum, vdot, ...), checked against finite differences with
``helpers.check_grad``."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nbgrad
from helpers import SETTINGS, arrays, away_from_zero, check_grad, shapes
from nbgrad.ops import misc as M
from test_ops_grad import covers, dim_of


@covers(M.Nansum)
@given(data=st.data())
@SETTINGS
def test_nansum(data):
    """The nan made by the log of a negative number is left out of the sum, and gets no gradient (log's rule
    then divides a zero, so no nan comes back)."""
    x = data.draw(arrays(shapes(), away_from_zero()), label="x")
    if data.draw(st.booleans(), label="over a dim"):
        dim, keepdim = data.draw(dim_of(x.ndim), label="dim"), data.draw(st.booleans(), label="keepdim")
        check_grad(lambda t: (t.log() * 3).nansum(dim, keepdim), x,
                   reference=lambda a: np.nansum(np.log(a) * 3, axis=dim if x.ndim else None, keepdims=keepdim))
    else:
        check_grad(lambda t: nbgrad.nansum(t.log() * 3), x, reference=lambda a: np.nansum(np.log(a) * 3))


@covers(M.Vdot)
@given(data=st.data())
@SETTINGS
def test_vdot(data):
    n = data.draw(st.integers(0, 4), label="n")
    x, y = (data.draw(arrays((n,)), label=name) for name in "xy")
    check_grad(lambda a, b: nbgrad.vdot(a, b) * a.sum(), x, y, reference=lambda a, b: np.dot(a, b) * a.sum())
