"""Gradients of the two primitives the recurrent layers add: UnsafeSplit (a cell's gates cut apart) and
TransposeInplace (the batch_first output of RNN and GRU turned around), against finite differences."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import nbgrad
from helpers import SETTINGS, arrays, check_grad, shapes
from nbgrad.ops import shape as S
from test_ops_grad import covers, dim_of


@covers(S.UnsafeSplit)
@given(data=st.data())
@SETTINGS
def test_unsafe_split(data):
    """Pieces weighted 1, 2, 3, ... and joined again, the second left out (its gradient is zeros); y·eʸ after."""
    shape = data.draw(shapes(min_dims=2, max_dims=3), label="shape")
    x = data.draw(arrays(shape), label="x")
    size = data.draw(st.integers(1, shape[1]), label="split_size")

    def fn(t):
        pieces = S.UnsafeSplit.apply(t, size, 1)
        y = nbgrad.cat([p * (i + 1) for i, p in enumerate(pieces) if i != 1], 1)
        return y * y.exp()

    def reference(a):
        pieces = np.split(a, range(size, a.shape[1], size), axis=1)
        y = np.concatenate([p * (i + 1) for i, p in enumerate(pieces) if i != 1], 1)
        return y * np.exp(y)

    check_grad(fn, x, reference=reference)


@covers(S.TransposeInplace)
@given(data=st.data())
@SETTINGS
def test_transpose_inplace(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3), label="shape")
    x = data.draw(arrays(shape), label="x")
    dims = data.draw(dim_of(len(shape)), label="dim0"), data.draw(dim_of(len(shape)), label="dim1")
    check_grad(lambda t: (lambda y: y * y.exp())(S.TransposeInplace.apply(t, *dims)), x,
               reference=lambda a: (lambda y: y * np.exp(y))(np.swapaxes(a, *dims)))
