"""Tests for nbgrad.printing: PyTorch-identical tensor reprs."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nbgrad.printing import format_tensor, get_printoptions, set_printoptions

DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


@pytest.fixture(autouse=True)
def _restore_printoptions():
    yield
    set_printoptions(profile="default")


def f32(values):
    return np.array(values, dtype=np.float32)


# (array, kwargs for format_tensor, expected repr) -- strings taken from PyTorch 2.x.
EXPLICIT_CASES = [
    (f32(27.0), {}, "tensor(27.)"),
    (f32(4.5), {}, "tensor(4.5000)"),
    (f32(27.0), {"suffixes": ["grad_fn=<MeanBackward0>"]}, "tensor(27., grad_fn=<MeanBackward0>)"),
    (
        f32([[3.0, 3.0], [3.0, 3.0]]),
        {"suffixes": ["grad_fn=<AddBackward0>"]},
        "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)",
    ),
    (f32([[4.5, 4.5], [4.5, 4.5]]), {}, "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])"),
    (
        f32([[1.0, 1.0], [1.0, 1.0]]),
        {"suffixes": ["requires_grad=True"]},
        "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)",
    ),
    (
        np.array([1.0, 2.0]),
        {"dtype_name": "nbgrad.float64", "suffixes": ["requires_grad=True"]},
        "tensor([1., 2.], dtype=nbgrad.float64, requires_grad=True)",
    ),
    (np.array(2.5), {"dtype_name": "nbgrad.float64"}, "tensor(2.5000, dtype=nbgrad.float64)"),
    (f32([1.0, -2.0, 3.0]), {}, "tensor([ 1., -2.,  3.])"),
    (f32([0.1, 2.0]), {}, "tensor([0.1000, 2.0000])"),
    (f32([-0.0, 0.0]), {}, "tensor([-0., 0.])"),
    (f32([1.0, math.nan, math.inf, -math.inf]), {}, "tensor([1., nan, inf, -inf])"),
    (f32([0.5, math.nan]), {}, "tensor([0.5000,    nan])"),
    (f32([1e-5, 1.0]), {}, "tensor([1.0000e-05, 1.0000e+00])"),
    # Scientific notation starts when max/min > 1000, max > 1e8 or min < 1e-4.
    (f32([1.0, 1000.0]), {}, "tensor([   1., 1000.])"),
    (f32([1.0, 1001.0]), {}, "tensor([1.0000e+00, 1.0010e+03])"),
    (f32([1e8]), {}, "tensor([100000000.])"),
    (f32([1e9]), {}, "tensor([1.0000e+09])"),
    (f32([1e-4, 0.01]), {}, "tensor([1.0000e-04, 1.0000e-02])"),
    (np.array([1, 2, 3]), {}, "tensor([1, 2, 3])"),
    (np.array([-10, 2]), {}, "tensor([-10,   2])"),
    (np.array(7), {}, "tensor(7)"),
    (np.array([True, False]), {}, "tensor([ True, False])"),
    (np.array(True), {}, "tensor(True)"),
    (f32([]), {}, "tensor([])"),
    (np.zeros((0, 3), np.float32), {}, "tensor([], size=(0, 3))"),
    (np.zeros(0, np.int64), {"dtype_name": "nbgrad.int64"}, "tensor([], dtype=nbgrad.int64)"),
    (
        f32(np.ones((2, 2, 2))),
        {},
        "tensor([[[1., 1.],\n         [1., 1.]],\n\n        [[1., 1.],\n         [1., 1.]]])",
    ),
    (
        np.arange(2000),
        {},
        "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])",
    ),
    # A hidden outlier must not influence the visible elements' style.
    (
        f32(np.ones((40, 30))) + f32(np.eye(40, 30) * 1e10),
        {},
        "tensor([[1.0000e+10, 1.0000e+00, 1.0000e+00,  ..., 1.0000e+00, 1.0000e+00,\n"
        "         1.0000e+00],\n"
        "        [1.0000e+00, 1.0000e+10, 1.0000e+00,  ..., 1.0000e+00, 1.0000e+00,\n"
        "         1.0000e+00],\n"
        "        [1.0000e+00, 1.0000e+00, 1.0000e+10,  ..., 1.0000e+00, 1.0000e+00,\n"
        "         1.0000e+00],\n"
        "        ...,\n"
        "        [1.0000e+00, 1.0000e+00, 1.0000e+00,  ..., 1.0000e+00, 1.0000e+00,\n"
        "         1.0000e+00],\n"
        "        [1.0000e+00, 1.0000e+00, 1.0000e+00,  ..., 1.0000e+00, 1.0000e+00,\n"
        "         1.0000e+00],\n"
        "        [1.0000e+00, 1.0000e+00, 1.0000e+00,  ..., 1.0000e+00, 1.0000e+00,\n"
        "         1.0000e+00]])",
    ),
    (
        f32(np.where(np.arange(1200).reshape(40, 30) == 615, 1e10, 2.0)),
        {},
        "tensor([[2., 2., 2.,  ..., 2., 2., 2.],\n"
        "        [2., 2., 2.,  ..., 2., 2., 2.],\n"
        "        [2., 2., 2.,  ..., 2., 2., 2.],\n"
        "        ...,\n"
        "        [2., 2., 2.,  ..., 2., 2., 2.],\n"
        "        [2., 2., 2.,  ..., 2., 2., 2.],\n"
        "        [2., 2., 2.,  ..., 2., 2., 2.]])",
    ),
    (
        f32(np.arange(20) * 1.5),
        {},
        "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n"
        "        12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000, 21.0000, 22.5000,\n"
        "        24.0000, 25.5000, 27.0000, 28.5000])",
    ),
    (
        f32(np.arange(16) * 1.5),
        {"suffixes": ["requires_grad=True"]},
        "tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n"
        "        12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000, 21.0000, 22.5000],\n"
        "       requires_grad=True)",
    ),
]


@pytest.mark.parametrize(("array", "kwargs", "expected"), EXPLICIT_CASES)
def test_explicit_reprs(array, kwargs, expected):
    assert format_tensor(array, **kwargs) == expected


def test_default_printoptions():
    assert get_printoptions() == DEFAULTS


def test_profiles_and_overrides():
    set_printoptions(profile="short")
    assert get_printoptions() == {**DEFAULTS, "precision": 2, "edgeitems": 2}
    set_printoptions(profile="full", precision=6)
    assert get_printoptions() == {**DEFAULTS, "precision": 6, "threshold": math.inf}
    set_printoptions(profile="default")
    assert get_printoptions() == DEFAULTS


def test_sci_mode_is_reset_when_omitted():
    # Mirrors torch: every call assigns sci_mode, even when not passed.
    set_printoptions(sci_mode=True)
    assert format_tensor(f32([1.0, 2.0])) == "tensor([1.0000e+00, 2.0000e+00])"
    set_printoptions(precision=2)
    assert get_printoptions()["sci_mode"] is None
    assert format_tensor(f32([1.0, 2.5])) == "tensor([1.00, 2.50])"


def test_threshold_and_edgeitems_options():
    set_printoptions(threshold=5, edgeitems=2)
    assert format_tensor(np.arange(10)) == "tensor([0, 1,  ..., 8, 9])"
    set_printoptions(edgeitems=0)
    assert format_tensor(np.arange(10)) == "tensor([...], size=(10,))"


# ---------------------------------------------------------------------------
# Differential tests against PyTorch.
# ---------------------------------------------------------------------------

FLOAT_VALUES = st.one_of(
    st.integers(-1000, 1000).map(float),
    st.floats(-10, 10),
    st.builds(lambda m, e: m * 10.0**e, st.floats(-10, 10), st.integers(-12, 12)),
    st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf, 1e-4, 1e8, 1e9, 0.1, 123456789.0]),
    st.floats(allow_nan=True, allow_infinity=True),
)
INT_VALUES = st.one_of(st.integers(-1000, 1000), st.integers(-(2**63), 2**63 - 1))
DTYPES = [np.float32, np.float64, np.int64, np.bool_]

SMALL_SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6)
# Shapes with more than 1000 elements, to exercise summarisation.
LARGE_SHAPES = st.sampled_from(
    [(1001,), (5000,), (40, 30), (2, 600), (600, 2), (3, 20, 20), (11, 11, 11), (2, 3, 4, 50)]
)


def _values_for(dtype):
    if dtype is np.bool_:
        return st.booleans()
    if dtype is np.int64:
        return INT_VALUES
    return FLOAT_VALUES


@st.composite
def arrays(draw):
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(st.one_of(SMALL_SHAPES, LARGE_SHAPES))
    values = _values_for(dtype)
    if math.prod(shape) <= 1000:
        source = draw(hnp.arrays(object, shape, elements=values))
    else:
        # Drawing thousands of elements one by one is slow; scatter a small
        # drawn palette at random instead, which still varies the edge items.
        palette = draw(st.lists(values, min_size=1, max_size=12))
        seed = draw(st.integers(0, 2**32 - 1))
        source = np.random.default_rng(seed).choice(np.array(palette, dtype=object), size=shape)
    with np.errstate(over="ignore"):  # float64 -> float32 may overflow to inf, as intended
        return np.array(source.tolist(), dtype=dtype).reshape(shape)


PRINTOPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "precision": st.integers(0, 8),
        "threshold": st.sampled_from([0, 5, 50, 1000, math.inf]),
        "edgeitems": st.integers(0, 5),
        "linewidth": st.integers(10, 200),
        "profile": st.sampled_from(["default", "short", "full"]),
        "sci_mode": st.sampled_from([None, True, False]),
    },
)


def _torch_shows_dtype(array):
    # The rule from torch._tensor_str._str_intern (default dtype float32).
    if array.size == 0:
        return array.dtype != np.float32
    return array.dtype not in (np.float32, np.int64, np.bool_)


def _compare_with_torch(torch, array):
    tensor = torch.from_numpy(array.copy())
    # Spell the dtype torch's way: "nbgrad." is longer than "torch." and would
    # legitimately move line breaks, so renaming afterwards is not byte-exact.
    dtype_name = f"torch.{array.dtype.name}" if _torch_shows_dtype(array) else None
    assert format_tensor(array, dtype_name=dtype_name) == repr(tensor)

    if np.issubdtype(array.dtype, np.floating):
        leaf = tensor.requires_grad_(True)
        assert format_tensor(array, dtype_name=dtype_name, suffixes=["requires_grad=True"]) == repr(leaf)
        assert format_tensor(array, dtype_name=dtype_name, suffixes=["grad_fn=<CloneBackward0>"]) == repr(leaf.clone())


# The autouse option-restoring fixture is function scoped; that is harmless
# here because each example restores the options itself.
DIFFERENTIAL = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed; differential tests need it as the reference")
    assert torch.get_default_dtype() == torch.float32
    yield torch
    torch.set_printoptions(profile="default")


@DIFFERENTIAL
@given(array=arrays())
def test_matches_torch(torch, array):
    _compare_with_torch(torch, array)


@DIFFERENTIAL
@given(array=arrays(), options=PRINTOPTIONS)
def test_matches_torch_with_printoptions(torch, array, options):
    torch.set_printoptions(**options)
    set_printoptions(**options)
    try:
        assert get_printoptions() == torch._tensor_str.get_printoptions()
        _compare_with_torch(torch, array)
    finally:
        torch.set_printoptions(profile="default")
        set_printoptions(profile="default")
