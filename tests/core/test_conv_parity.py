"""Conv, pooling and normalization layers against PyTorch: the same module (weights copied from PyTorch's),
the same data; forward values, gradients, grad_fn names, running statistics, reprs, and the exception
type and message of bad inputs."""
import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch not installed: differential tests against it are skipped")

from hypothesis import given, settings, strategies as st  # noqa: E402

import nbgrad  # noqa: E402
from test_torch_parity import as_nbgrad  # noqa: E402

pytestmark = pytest.mark.torch
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True, database=None)
LIBS = (nbgrad, torch)


def pair(make):
    """The module on both libraries, nbgrad's holding PyTorch's parameters and buffers."""
    theirs = make(torch).double()
    ours = make(nbgrad).double()
    ours.load_state_dict({k: nbgrad.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def run(module, L, x, cotangent):
    t = L.tensor(x, requires_grad=True)
    out = module(t)
    out.backward(L.tensor(cotangent))
    return out, t.grad


def assert_same_step(ours, theirs, x, seed=0):
    with torch.no_grad():  # on a copy: a training step moves running statistics
        shape = tuple(copy.deepcopy(theirs)(torch.tensor(x)).shape)
    cotangent = np.random.default_rng(seed).standard_normal(shape)
    (out, grad), (t_out, t_grad) = (run(m, L, x, cotangent) for m, L in ((ours, nbgrad), (theirs, torch)))
    assert out.grad_fn.name() == t_out.grad_fn.name()
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad.numpy(), t_grad.numpy(), rtol=1e-10, atol=1e-12)
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), theirs_params[name].grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=name)
    theirs_buffers = dict(theirs.named_buffers())
    for name, b in ours.named_buffers():
        np.testing.assert_allclose(b.numpy(), theirs_buffers[name].numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


@st.composite
def conv_layers(draw, d):
    groups = draw(st.sampled_from([1, 2]))
    c, o = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    dilation = draw(st.integers(1, 2))
    padding = draw(st.sampled_from(["valid", "same", 0, 1, 2]))
    padding_mode = draw(st.sampled_from(["zeros", "zeros", "reflect", "replicate"]))
    stride = 1 if padding == "same" else draw(st.integers(1, 3))
    bias = draw(st.booleans())
    reach = max(dilation * (k - 1) + 1 for k in kernel)
    size = tuple(draw(st.integers(max(reach, 3), reach + 4)) for _ in range(d))  # reflect needs pad < size
    batch = draw(st.sampled_from([(), (1,), (3,)]))
    return dict(in_channels=c, out_channels=o, kernel_size=kernel, stride=stride, padding=padding,
                dilation=dilation, groups=groups, bias=bias, padding_mode=padding_mode), batch + (c,) + size


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@given(case=conv_layers(2), seed=st.integers(0, 99))
@SETTINGS
def test_conv2d_matches_pytorch(case, seed):
    options, shape = case
    ours, theirs = pair(lambda L: L.nn.Conv2d(**options))
    assert repr(ours) == as_nbgrad(repr(theirs))
    assert_same_step(ours, theirs, np.random.default_rng(seed).standard_normal(shape), seed)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@given(case=conv_layers(1), seed=st.integers(0, 99))
@SETTINGS
def test_conv1d_matches_pytorch(case, seed):
    options, shape = case
    ours, theirs = pair(lambda L: L.nn.Conv1d(**options))
    assert repr(ours) == as_nbgrad(repr(theirs))
    assert_same_step(ours, theirs, np.random.default_rng(seed).standard_normal(shape), seed)


@given(kernel=st.integers(1, 3), stride=st.sampled_from([None, 1, 2, 3]), dilation=st.integers(1, 2),
       ceil_mode=st.booleans(), data=st.data(), seed=st.integers(0, 99))
@SETTINGS
def test_max_pool2d_matches_pytorch(kernel, stride, dilation, ceil_mode, data, seed):
    padding = data.draw(st.integers(0, kernel // 2))
    reach = dilation * (kernel - 1) + 1
    shape = data.draw(st.sampled_from([(2, 3), (3,)])) + (data.draw(st.integers(reach, reach + 4)),
                                                          data.draw(st.integers(reach, reach + 4)))
    x = np.random.default_rng(seed).standard_normal(shape)
    ours, theirs = (L.nn.MaxPool2d(kernel, stride, padding, dilation, ceil_mode=ceil_mode) for L in LIBS)
    assert repr(ours) == repr(theirs)
    assert_same_step(ours, theirs, x, seed)
    (_, i), (_, t_i) = (L.nn.functional.max_pool2d(L.tensor(x), kernel, stride, padding, dilation, ceil_mode, True)
                        for L in LIBS)
    assert i.tolist() == t_i.tolist()


@given(kernel=st.integers(1, 3), stride=st.sampled_from([None, 1, 2]), ceil_mode=st.booleans(),
       count_include_pad=st.booleans(), divisor_override=st.sampled_from([None, 2]), data=st.data(),
       seed=st.integers(0, 99))
@SETTINGS
def test_avg_pool2d_matches_pytorch(kernel, stride, ceil_mode, count_include_pad, divisor_override, data, seed):
    padding = data.draw(st.integers(0, kernel // 2))
    shape = data.draw(st.sampled_from([(2, 3), (3,)])) + (data.draw(st.integers(kernel, kernel + 4)),
                                                          data.draw(st.integers(kernel, kernel + 4)))
    x = np.random.default_rng(seed).standard_normal(shape)
    ours, theirs = (L.nn.AvgPool2d(kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
                    for L in LIBS)
    assert repr(ours) == repr(theirs)
    assert_same_step(ours, theirs, x, seed)


@pytest.mark.parametrize("output_size", [1, (1, 1), 2, (3, 2), (None, 2), (5, 7)])
@pytest.mark.parametrize("shape", [(2, 3, 5, 7), (3, 4, 4)])
def test_adaptive_avg_pool2d_matches_pytorch(output_size, shape):
    ours, theirs = (L.nn.AdaptiveAvgPool2d(output_size) for L in LIBS)
    assert repr(ours) == repr(theirs)
    assert_same_step(ours, theirs, np.random.default_rng(0).standard_normal(shape))


@pytest.mark.parametrize("kind, shape", [("BatchNorm1d", (5, 3)), ("BatchNorm1d", (4, 3, 6)),
                                         ("BatchNorm2d", (4, 3, 2, 5))])
@pytest.mark.parametrize("options", [{}, {"affine": False}, {"momentum": None}, {"momentum": 0.3, "eps": 1e-3},
                                     {"track_running_stats": False}])
def test_batch_norm_matches_pytorch_in_training_and_eval(kind, shape, options):
    """Three training steps (running statistics and num_batches_tracked move), then eval."""
    ours, theirs = pair(lambda L: getattr(L.nn, kind)(3, **options))
    assert repr(ours) == repr(theirs)
    rng = np.random.default_rng(1)
    for step in range(3):
        assert_same_step(ours, theirs, rng.standard_normal(shape) * 2 + 1, step)
    ours.eval(), theirs.eval()
    assert_same_step(ours, theirs, rng.standard_normal(shape), 3)
    assert list(dict(ours.state_dict())) == list(theirs.state_dict())


@pytest.mark.parametrize("normalized_shape, shape", [(4, (2, 4)), ((3, 4), (2, 3, 4)), ([4], (4,))])
@pytest.mark.parametrize("options", [{}, {"elementwise_affine": False}, {"bias": False}, {"eps": 1e-2}])
def test_layer_norm_matches_pytorch(normalized_shape, shape, options):
    ours, theirs = pair(lambda L: L.nn.LayerNorm(normalized_shape, **options))
    with torch.no_grad():  # weights other than ones and zeros
        for p in theirs.parameters():
            p.uniform_(-2, 2)
    ours.load_state_dict({k: nbgrad.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    assert_same_step(ours, theirs, np.random.default_rng(2).standard_normal(shape))


@pytest.mark.parametrize("groups, shape", [(1, (2, 4)), (2, (2, 4, 3)), (4, (3, 4, 2, 2))])
@pytest.mark.parametrize("options", [{}, {"affine": False}, {"bias": False}])
def test_group_norm_matches_pytorch(groups, shape, options):
    ours, theirs = pair(lambda L: L.nn.GroupNorm(groups, 4, **options))
    if options.get("affine", True):
        with torch.no_grad():
            for p in theirs.parameters():
                p.uniform_(-2, 2)
        ours.load_state_dict({k: nbgrad.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    assert_same_step(ours, theirs, np.random.default_rng(5).standard_normal(shape))


PADDINGS = {
    "ZeroPad1d": (2,), "ZeroPad2d": ((1, 2, 0, 1),), "ConstantPad1d": ((1, 0), 3.5), "ConstantPad2d": (1, -1.0),
    "ReflectionPad1d": ((2, 1),), "ReflectionPad2d": (1,), "ReplicationPad1d": (3,),
    "ReplicationPad2d": ((1, 1, 2, 0),),
}


@pytest.mark.parametrize("name", PADDINGS)
def test_padding_layers_match_pytorch(name):
    ours, theirs = (getattr(L.nn, name)(*PADDINGS[name]) for L in LIBS)
    assert repr(ours) == repr(theirs)
    assert_same_step(ours, theirs, np.random.default_rng(4).standard_normal((2, 3, 4)))


def test_lenet_step_matches_pytorch():
    """The 'Neural Networks' tutorial's LeNet on 1x28x28: one SGD step, losses and updated weights equal."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    try:
        from bench_conv import lenet, step_fn
    finally:
        sys.path.pop(0)
    theirs = lenet(torch).double()
    ours = lenet(nbgrad).double()
    ours.load_state_dict({k: nbgrad.tensor(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((4, 1, 28, 28)), rng.integers(0, 10, 4)
    losses = [float(step_fn(L, net, L.tensor(x), L.tensor(y))().item()) for L, net in ((nbgrad, ours), (torch, theirs))]
    assert losses[0] == pytest.approx(losses[1], rel=1e-12)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


# ----------------------------------------------------------------- errors: PyTorch's type and message

def _conv2d(L, *shapes, **kw):
    x, w = (L.zeros(*s) for s in shapes[:2])
    b = L.zeros(*shapes[2]) if len(shapes) > 2 else None
    return L.nn.functional.conv2d(x, w, b, **kw)


ERRORS = {
    "Conv2d 2-d input": lambda L: L.nn.Conv2d(3, 4, 3)(L.zeros(6, 6)),
    "Conv2d 5-d input": lambda L: L.nn.Conv2d(3, 4, 3)(L.zeros(1, 2, 3, 6, 6)),
    "Conv2d channels": lambda L: L.nn.Conv2d(3, 4, 3)(L.zeros(2, 5, 6, 6)),
    "Conv2d channels unbatched": lambda L: L.nn.Conv2d(3, 4, 3)(L.zeros(5, 6, 6)),
    "Conv2d kernel bigger than input": lambda L: L.nn.Conv2d(3, 4, 3)(L.zeros(2, 3, 2, 8)),
    "Conv2d dilated kernel bigger than input":
        lambda L: L.nn.Conv2d(3, 4, 3, dilation=3, padding=1)(L.zeros(1, 3, 4, 9)),
    "Conv2d in_channels groups": lambda L: L.nn.Conv2d(3, 4, 3, groups=2),
    "Conv2d out_channels groups": lambda L: L.nn.Conv2d(4, 3, 3, groups=2),
    "Conv2d groups 0": lambda L: L.nn.Conv2d(4, 4, 3, groups=0),
    "Conv2d same strided": lambda L: L.nn.Conv2d(3, 4, 3, padding="same", stride=2),
    "Conv1d 1-d input": lambda L: L.nn.Conv1d(3, 4, 3)(L.zeros(5)),
    "Conv1d 4-d input": lambda L: L.nn.Conv1d(3, 4, 3)(L.zeros(2, 3, 5, 5)),
    "conv2d bias size": lambda L: _conv2d(L, (2, 3, 6, 6), (4, 3, 3, 3), (3,)),
    "conv2d stride 0": lambda L: _conv2d(L, (2, 3, 6, 6), (4, 3, 3, 3), stride=0),
    "conv2d negative padding": lambda L: _conv2d(L, (2, 3, 6, 6), (4, 3, 3, 3), padding=-1),
    "conv2d same strided": lambda L: _conv2d(L, (2, 3, 6, 6), (4, 3, 3, 3), padding="same", stride=2),
    "conv2d stride of 3": lambda L: _conv2d(L, (2, 3, 6, 6), (4, 3, 3, 3), stride=(1, 1, 1)),
    "conv2d dtypes": lambda L: L.nn.functional.conv2d(L.zeros(2, 3, 6, 6), L.zeros(4, 3, 3, 3, dtype=L.float64)),
    "conv2d weight groups": lambda L: _conv2d(L, (2, 4, 6, 6), (3, 2, 3, 3), groups=2),
    "max_pool2d output too small": lambda L: L.nn.functional.max_pool2d(L.zeros(2, 3, 6, 6), 7),
    "max_pool2d padding": lambda L: L.nn.functional.max_pool2d(L.zeros(2, 3, 6, 6), 3, padding=2),
    "max_pool2d 2-d input": lambda L: L.nn.MaxPool2d(2)(L.zeros(6, 6)),
    "max_pool2d stride 0": lambda L: L.nn.functional.max_pool2d(L.zeros(2, 3, 6, 6), 2, stride=0),
    "avg_pool2d output too small": lambda L: L.nn.functional.avg_pool2d(L.zeros(2, 3, 6, 6), 7),
    "avg_pool2d padding": lambda L: L.nn.AvgPool2d(3, padding=2)(L.zeros(2, 3, 6, 6)),
    "avg_pool2d 2-d input": lambda L: L.nn.functional.avg_pool2d(L.zeros(6, 6), 2),
    "adaptive_avg_pool2d 2-d input": lambda L: L.nn.AdaptiveAvgPool2d(2)(L.zeros(6, 6)),
    "adaptive_avg_pool2d 3 sizes": lambda L: L.nn.functional.adaptive_avg_pool2d(L.zeros(2, 3, 6, 6), (2, 2, 2)),
    "BatchNorm2d channels": lambda L: L.nn.BatchNorm2d(4)(L.zeros(2, 3, 6, 6)),
    "BatchNorm2d 3-d input": lambda L: L.nn.BatchNorm2d(4)(L.zeros(2, 4, 6)),
    "BatchNorm1d 4-d input": lambda L: L.nn.BatchNorm1d(4)(L.zeros(2, 4, 6, 6)),
    "BatchNorm1d one value per channel": lambda L: L.nn.BatchNorm1d(4)(L.zeros(1, 4)),
    "BatchNorm1d channels": lambda L: L.nn.BatchNorm1d(4)(L.zeros(2, 3)),
    "BatchNorm1d channels in eval": lambda L: L.nn.BatchNorm1d(4).eval()(L.zeros(2, 3)),
    "LayerNorm shape": lambda L: L.nn.LayerNorm(5)(L.zeros(2, 3, 6, 6)),
    "GroupNorm channels": lambda L: L.nn.GroupNorm(2, 3),
    "group_norm channels": lambda L: L.nn.functional.group_norm(L.zeros(2, 3, 4), 2),
    "pad odd length": lambda L: L.nn.functional.pad(L.zeros(2, 3), (1,)),
    "pad too long": lambda L: L.nn.functional.pad(L.zeros(2, 3, 6, 6), (1,) * 10),
    "pad cuts everything": lambda L: L.nn.functional.pad(L.zeros(2, 3, 6, 6), (-4, -4)),
    "pad reflect too far": lambda L: L.nn.functional.pad(L.zeros(2, 3, 4, 5), (0, 0, 4, 0), mode="reflect"),
    "pad reflect of 4-d by 2": lambda L: L.nn.functional.pad(L.zeros(2, 3, 4, 5), (1, 1), mode="reflect"),
    "pad replicate of 1-d": lambda L: L.nn.functional.pad(L.zeros(5), (1, 2), mode="replicate"),
    "pad unknown mode": lambda L: L.nn.functional.pad(L.zeros(2, 3, 4), (1, 1), mode="foo"),
    "pad reflect with a value": lambda L: L.nn.functional.pad(L.zeros(2, 3, 4), (1, 1), mode="reflect", value=1.0),
}


@pytest.mark.parametrize("case", ERRORS)
def test_bad_input_raises_pytorchs_error(case):
    with pytest.raises(Exception) as theirs:
        ERRORS[case](torch)
    with pytest.raises(type(theirs.value)) as ours:
        ERRORS[case](nbgrad)
    assert str(ours.value) == as_nbgrad(str(theirs.value))


def test_bad_input_changes_nothing():
    """A failed training step of BatchNorm leaves the running statistics and the batch count as they were."""
    bn = nbgrad.nn.BatchNorm1d(4)
    with pytest.raises(RuntimeError):
        bn(nbgrad.zeros(2, 3))
    assert bn.num_batches_tracked.item() == 0 and bn.running_mean.tolist() == [0.0] * 4


@pytest.mark.skipif(not hasattr(nbgrad.Tensor, "norm") or not hasattr(nbgrad.Tensor, "clamp_min"),
                    reason="F.normalize needs Tensor.norm and Tensor.clamp_min (issue 12's math ops)")
@pytest.mark.parametrize("p, dim", [(2.0, 1), (1.0, -1), (3.0, 0)])
def test_normalize_matches_pytorch(p, dim):
    x = np.random.default_rng(3).standard_normal((3, 4))
    x[1] = 0  # a zero row: the norm is clamped to eps
    results = []
    for L in LIBS:
        t = L.tensor(x, requires_grad=True)
        out = L.nn.functional.normalize(t, p, dim)
        out.backward(L.tensor(np.arange(12.0).reshape(3, 4)))
        results.append((out, t.grad, [n.name() for n in (out.grad_fn, out.grad_fn.next_functions[1][0])]))
    (out, grad, names), (t_out, t_grad, t_names) = results
    assert names == t_names
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grad.numpy(), t_grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("args", [(3, 1, 1), (2, 2, 1), ((3, 2), 1, (1, 1))])
def test_max_pool2d_of_minus_infinity_chooses_the_image_not_the_padding(args):
    """With every value -inf, a window's maximum ties with the padding: PyTorch's index is in the image."""
    x = np.full((1, 2, 3, 4), -np.inf)
    x[0, 1, 1, 2] = 1.0
    results = []
    for L in LIBS:
        t = L.tensor(x, requires_grad=True)
        out, indices = L.nn.functional.max_pool2d(t, *args, return_indices=True)
        out.backward(L.ones_like(out))
        results.append((indices.tolist(), t.grad.tolist()))
    assert results[0] == results[1]
