"""``nbgrad.nn`` containers, module machinery (hooks, buffers, state dicts, lookup by name), ``nn.utils`` and
``nn.init`` against PyTorch: each scenario is written once against ``L`` (the library: nbgrad or torch),
run on both, and what it records must be equal (``torch`` read as ``nbgrad`` in texts)."""
import math
import re
import warnings
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nbgrad
from helpers import SETTINGS

torch = pytest.importorskip("torch", reason="PyTorch not installed: pip install torch==2.13.0")
pytestmark = pytest.mark.torch


def normal(value):
    """A recorded value made comparable across the two libraries."""
    if isinstance(value, (nbgrad.Tensor, torch.Tensor)):
        values = np.asarray(value.detach().numpy()).round(10)
        if values.dtype.kind == "f":
            values = np.where(np.isnan(values), None, values.astype(object))  # so that NaN equals NaN
        return ("tensor", values.tolist(), str(value.dtype).split(".")[-1])
    if isinstance(value, (list, tuple)):
        return [normal(v) for v in value]
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items()}
    if isinstance(value, (torch.Size, nbgrad.Size)):
        return tuple(value)
    if isinstance(value, str):
        return re.sub(r"\btorch\b", "nbgrad", value)
    return value


def both(scenario):
    """Run ``scenario(L, log)`` on nbgrad and on torch; their logs must be equal."""
    logs = []
    for L in (nbgrad, torch):
        log = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scenario(L, log)
        log.append([str(w.message) for w in caught])
        logs.append(normal(log))
    ours, theirs = logs
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert a == b, f"entry {i} differs"
    assert len(ours) == len(theirs)
    return ours


def error_of(call):
    """``(exception type name, message)`` of ``call()``."""
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
        return type(e).__name__, str(e.args[0]) if e.args else ""
    return None


def dtype_of(L):
    return L.float64


def filled(L, module, start=0.1):
    """Give ``module``'s parameters the same deterministic values in both libraries."""
    with L.no_grad():
        for i, p in enumerate(module.parameters()):
            values = np.sin(np.arange(p.numel()) * 0.7 + i + start).reshape(tuple(p.shape))
            p.copy_(L.tensor(values, dtype=p.dtype))
    return module


# ============================================================== layers: Flatten, Unflatten, Identity, Softmax


def test_shape_and_softmax_layers_match_pytorch():
    def scenario(L, log):
        nn = L.nn
        x = L.tensor(np.linspace(-1, 1, 24).reshape(2, 3, 4), dtype=L.float64, requires_grad=True)
        layers = [nn.Flatten(), nn.Flatten(0, 1), nn.Flatten(-2), nn.Unflatten(2, (2, 2)), nn.Unflatten(-1, [2, -1]),
                  nn.Unflatten(1, (1, 3, 1)), nn.Identity(54, unused="yes"), nn.Softmax(dim=1), nn.Softmax(-1),
                  nn.LogSoftmax(dim=0), nn.Softmin(dim=2), nn.Softmax(), nn.LogSoftmax(), nn.Softmin()]
        for layer in layers:
            y = layer(x)
            log.append([repr(layer), tuple(y.shape), y, y.grad_fn is None or y.grad_fn.name()])
            (g,) = L.autograd.grad((y * y).sum(), x)
            log.append(g)
        log.append(repr(nn.Sequential(*layers[:4])))
        for bad in [lambda: nn.Flatten(2, 1)(x), lambda: nn.Flatten(3)(x), lambda: nn.Unflatten(1, (2, 2))(x),
                    lambda: nn.Unflatten(1, ())(x), lambda: nn.Unflatten(5, (3,))(x),
                    lambda: nn.Unflatten(1, (3, 1.0)), lambda: nn.Unflatten(1, 3), lambda: nn.Softmax(3)(x)]:
            log.append(error_of(bad))

    both(scenario)


def test_implicit_softmax_dim_follows_pytorchs_choice_for_every_rank():
    def scenario(L, log):
        for shape in [(), (3,), (2, 3), (2, 3, 2), (2, 1, 3, 2)]:
            x = L.tensor(np.arange(math.prod(shape), dtype=float).reshape(shape) / 5)
            for layer in (L.nn.Softmax(), L.nn.LogSoftmax(), L.nn.Softmin()):
                log.append(layer(x))

    both(scenario)


# ============================================================== containers


def test_sequential_editing_matches_pytorch():
    def scenario(L, log):
        nn = L.nn
        s = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 4), nn.Tanh())

        def record():
            log.append([repr(s), len(s), list(s.state_dict()), [type(m).__name__ for m in s]])

        s[1] = nn.Sigmoid()
        s[-1] = nn.Identity()
        record()
        del s[0]
        record()
        s.append(nn.Linear(4, 1)).insert(0, nn.Flatten()).insert(-1, nn.ReLU()).extend([nn.Tanh(), nn.Identity()])
        record()
        del s[1:3]
        record()
        log.append([repr(s[1:]), repr(s[::-1]), type(s[1:]).__name__, repr(s[-1]), repr(s.pop(0))])
        record()
        log.append([repr(s + nn.Sequential(nn.ReLU())), repr(s * 2), repr(2 * nn.Sequential(nn.ReLU()))])
        s += nn.Sequential(nn.Softmax(1))
        record()
        s *= 2
        record()
        named = nn.Sequential(OrderedDict([("fc", nn.Linear(1, 2)), ("act", nn.ReLU()), ("out", nn.Linear(2, 1))]))
        log.append([repr(named), list(named.state_dict()), repr(named[1:])])
        del named[0]
        log.append([repr(named), list(named.state_dict())])
        for bad in [lambda: s[10], lambda: s.__setitem__(-20, nn.ReLU()), lambda: s.__delitem__(9),
                    lambda: s + [nn.ReLU()], lambda: s.__iadd__(3), lambda: s * 0, lambda: s * 1.5,
                    lambda: s.insert(50, nn.ReLU()), lambda: s.insert(0, 3), lambda: s["a"],
                    lambda: s.append(3), lambda: nn.Sequential(3)]:
            log.append(error_of(bad))
        record()

    both(scenario)


# An edit of a list-like container: (method, index or slice bounds, the kind of layer it adds).
EDITS = st.lists(st.tuples(
    st.sampled_from(["append", "insert", "setitem", "delitem", "delslice", "extend", "pop", "iadd", "getslice"]),
    st.integers(-6, 6), st.integers(-6, 6), st.sampled_from(["ReLU", "Tanh", "Identity", "Flatten"])), max_size=8)


def apply_edits(L, container, edits, log):
    """Apply ``edits`` to ``container`` one by one, recording after each its repr and state_dict keys (or the
    error an edit raised)."""
    for method, i, j, kind in edits:
        layer = getattr(L.nn, kind)()

        def edit():
            nonlocal container
            if method == "append":
                container.append(layer)
            elif method == "insert":
                container.insert(i, layer)
            elif method == "setitem":
                container[i] = layer
            elif method == "delitem":
                del container[i]
            elif method == "delslice":
                del container[i:j]
            elif method == "extend":
                container.extend([layer, L.nn.Linear(1, 1)])
            elif method == "pop":
                log.append(repr(container.pop(i)))
            elif method == "iadd":
                container += type(container)([layer])
            else:
                log.append(repr(container[i:j]))

        log.append([method, i, j, kind, error_of(edit), repr(container), list(container.state_dict()), len(container)])


@SETTINGS
@given(edits=EDITS, kind=st.sampled_from(["Sequential", "ModuleList"]))
def test_generated_edits_of_list_containers_match_pytorch(edits, kind):
    def scenario(L, log):
        container = getattr(L.nn, kind)(*[[L.nn.Linear(1, 1), L.nn.ReLU()]] if kind == "ModuleList" else
                                         [L.nn.Linear(1, 1), L.nn.ReLU()])
        apply_edits(L, container, edits, log)

    both(scenario)


def test_module_list_and_module_dict_match_pytorch():
    def scenario(L, log):
        nn = L.nn
        layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

        def record(c):
            log.append([repr(c), len(c), list(c.state_dict()), [n for n, _ in c.named_modules()]])

        record(layers)
        layers.append(nn.ReLU()).extend([nn.Tanh(), nn.Tanh()])
        layers.insert(1, nn.Identity())
        record(layers)
        layers += [nn.Sigmoid()]
        layers[0] = nn.Flatten()
        del layers[-1]
        record(layers)
        del layers[::2]
        record(layers)
        log.append([repr(layers[1:]), type(layers[1:]).__name__, repr(layers + nn.ModuleList([nn.ReLU()])),
                    repr(layers.pop(1)), repr(nn.ModuleList())])
        record(layers)
        for bad in [lambda: layers[7], lambda: layers.__setitem__(-9, nn.ReLU()), lambda: layers.extend(3),
                    lambda: layers.append(3), lambda: layers["0"]]:
            log.append(error_of(bad))

        d = nn.ModuleDict({"b": nn.Linear(1, 1), "a": nn.ReLU()})
        record(d)
        d["c"] = nn.Tanh()
        d.update([("e", nn.Identity()), ("b", nn.Sigmoid())])
        d.update(nn.ModuleDict({"z": nn.ReLU()}))
        record(d)
        log.append([list(d), list(d.keys()), [repr(v) for v in d.values()], [k for k, _ in d.items()], "a" in d,
                    "q" in d, repr(d.pop("a"))])
        del d["c"]
        record(d)
        d.clear()
        record(d)
        for bad in [lambda: d["nope"], lambda: d.update(3), lambda: d.update([("a",)]), lambda: d.update([3]),
                    lambda: d.__setitem__("x.y", nn.ReLU()), lambda: d.__setitem__("k", 3),
                    lambda: d.__setitem__(3, nn.ReLU())]:
            log.append(error_of(bad))

    both(scenario)


def test_parameter_list_and_parameter_dict_match_pytorch():
    def scenario(L, log):
        nn = L.nn

        def record(c):
            log.append([repr(c), len(c), [(n, tuple(p.shape)) for n, p in c.named_parameters()],
                        [type(p).__name__ for p in (c.values() if hasattr(c, "values") else c)]])

        plist = nn.ParameterList([L.ones(2, 3), nn.Parameter(L.zeros(1, dtype=L.float64))])
        record(plist)
        plist.append(L.ones(4)).extend([nn.Parameter(L.ones(1)), "text", 3])
        plist[0] = L.zeros(5)
        record(plist)
        log.append([repr(plist[1:3]), type(plist[::2]).__name__, plist[-3].requires_grad])
        for bad in [lambda: plist[10], lambda: plist.extend(L.ones(2)), lambda: plist(L.ones(1)),
                    lambda: plist.__setitem__(8, L.ones(1))]:
            log.append(error_of(bad))

        pdict = nn.ParameterDict({"w": L.ones(2), "b": nn.Parameter(L.zeros(3)), "a": L.ones(1, 1)})
        record(pdict)
        pdict["extra"] = L.ones(2, 2)
        pdict.update(OrderedDict([("z", L.zeros(1)), ("y", L.zeros(2))]))
        pdict.update([("m", L.ones(3)), ("note", "hello")])
        record(pdict)
        log.append([list(pdict), list(pdict.keys()), list(reversed(pdict)), "w" in pdict, pdict.get("q", 5),
                    tuple(pdict.pop("extra").shape), pdict.popitem()[0], pdict.setdefault("s", L.ones(1)).shape])
        del pdict["w"]
        record(pdict)
        merged = pdict | nn.ParameterDict({"new": L.ones(1)})
        record(merged)
        record(pdict.copy())
        record(pdict.fromkeys(["u", "v"], L.ones(2)))
        pdict.clear()
        record(pdict)
        for bad in [lambda: pdict["nope"], lambda: pdict[3], lambda: pdict.update(3), lambda: pdict.update([(1, 2, 3)]),
                    lambda: pdict(L.ones(1))]:
            log.append(error_of(bad))

    both(scenario)


# ============================================================== registration, lookup by name, state dicts


def build_net(L):
    nn = L.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)
            self.register_buffer("steps", L.zeros(1))
            self.register_buffer("cache", L.ones(2), persistent=False)
            self.register_buffer("nothing", None)

        def forward(self, x):
            return self.fc(x)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(L.tensor(2.0))
            self.blocks = nn.ModuleList([Block(), Block()])
            self.head = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
            self.register_buffer("total", L.tensor(0.0))

        def forward(self, x):
            for block in self.blocks:
                x = block(x)
            return self.head(x) * self.scale

    return filled(L, Net())


def test_buffers_and_state_dicts_match_pytorch():
    def scenario(L, log):
        net = build_net(L)
        log.append([list(net.state_dict()), [n for n, _ in net.named_buffers()], [n for n, _ in net.named_parameters()],
                    [n for n, _ in net.named_buffers(prefix="p", recurse=False)], repr(net)])
        state = net.state_dict()
        log.append([state["blocks.0.fc.weight"].requires_grad, state["blocks.0.fc.weight"].grad_fn is None])
        other = build_net(L)
        with L.no_grad():
            for p in other.parameters():
                p.mul_(-1)
        result = other.load_state_dict(state)
        log.append([repr(result), list(result), result.missing_keys, str(result)])
        log.append([other(L.ones(1, 2)), net(L.ones(1, 2))])
        # strict=False: what did not match is reported, in PyTorch's order (module by module)
        partial = OrderedDict(list(state.items())[2:])
        partial["blocks.0.fc.extra"] = L.ones(1)
        partial["unknown"] = L.ones(1)
        partial["head.5.weight"] = L.ones(1)
        partial["blocks.1.cache"] = L.ones(2)
        result = other.load_state_dict(partial, strict=False)
        log.append([repr(result), result.missing_keys, result.unexpected_keys])
        log.append(error_of(lambda: other.load_state_dict(partial)))
        wrong = dict(state)
        wrong["blocks.1.fc.bias"] = L.ones(3)
        wrong["head.0.weight"] = [1.0, 2.0]
        log.append(error_of(lambda: other.load_state_dict(wrong)))
        log.append(error_of(lambda: other.load_state_dict(wrong, strict=False)))
        log.append(error_of(lambda: other.load_state_dict([1, 2])))
        # a scalar parameter takes a 1-element vector
        scalar = dict(state)
        scalar["scale"] = L.tensor([5.0])
        other.load_state_dict(scalar)
        log.append(other.scale)
        # assign: the module takes the checkpoint's tensors themselves (as Parameters where parameters were)
        fresh = {k: v.clone() for k, v in state.items()}
        other.load_state_dict(fresh, assign=True)
        fresh["blocks.0.fc.bias"].add_(1)  # the parameter shares its storage
        log.append([type(other.blocks[0].fc.weight).__name__, other.blocks[0].fc.weight.requires_grad,
                    other.total is fresh["total"], other.blocks[0].fc.bias])

    both(scenario)


def test_registration_errors_and_lookup_by_name_match_pytorch():
    def scenario(L, log):
        nn = L.nn
        net = build_net(L)
        log.append([repr(net.get_submodule("blocks.1.fc")), net.get_submodule("") is net,
                    tuple(net.get_parameter("blocks.0.fc.weight").shape), net.get_parameter("scale"),
                    net.get_buffer("blocks.1.steps"), net.get_buffer("total")])
        net.set_submodule("head.1", nn.Tanh())
        net.set_submodule("blocks.0.act", nn.ReLU())
        log.append(repr(net))
        block = net.blocks[0]
        for bad in [lambda: net.get_submodule("blocks.5"), lambda: net.get_submodule("head.0.weight"),
                    lambda: net.get_submodule("nope.fc"), lambda: net.get_parameter("blocks.0.steps"),
                    lambda: net.get_parameter("blocks.0.fc.nope"), lambda: net.get_parameter("head"),
                    lambda: net.get_buffer("scale"), lambda: net.get_buffer("blocks.0.nope"),
                    lambda: net.get_buffer("blocks.0.cache.x"), lambda: net.set_submodule("", nn.ReLU()),
                    lambda: net.set_submodule("head.0", 3), lambda: net.set_submodule("scale", nn.ReLU()),
                    lambda: net.set_submodule("head.7", nn.ReLU(), strict=True),
                    lambda: block.register_buffer("a.b", L.ones(1)), lambda: block.register_buffer("", L.ones(1)),
                    lambda: block.register_buffer(3, L.ones(1)), lambda: block.register_buffer("fc", L.ones(1)),
                    lambda: block.register_buffer("b", [1.0]), lambda: block.register_parameter("a.b", None),
                    lambda: block.register_parameter("steps", None), lambda: block.register_parameter("p", L.ones(1)),
                    lambda: block.register_parameter("p", nn.Parameter(L.ones(1)) * 2),
                    lambda: block.add_module("a.b", nn.ReLU()), lambda: block.add_module("", nn.ReLU()),
                    lambda: block.add_module(3, nn.ReLU()), lambda: block.add_module("steps", nn.ReLU()),
                    lambda: block.add_module("m", 3), lambda: setattr(block, "steps", "text"),
                    lambda: setattr(block, "fc", 3), lambda: setattr(block.fc, "weight", L.ones(2, 2)),
                    lambda: block.nope, lambda: nn.Module(3), lambda: nn.Module(x=3), lambda: nn.Module()(1),
                    lambda: net.train(1)]:
            log.append(error_of(bad))

        # re-assigning keeps a name's place; assigning another kind moves it to the other registry
        block.fc = nn.Linear(2, 2)
        block.steps = None
        block.steps = L.zeros(3)
        block.cache = L.ones(1)
        block.register_module("fc2", nn.Identity())
        block.extra = nn.Parameter(L.ones(1))
        block.register_buffer("extra2", L.ones(1))
        log.append([list(block.state_dict()), [n for n, _ in block.named_buffers()],
                    [n for n, _ in block.named_children()]])
        block.cache = nn.Parameter(L.ones(1))
        block.fc2 = nn.Parameter(L.ones(1))
        block.steps = nn.ReLU()
        log.append([list(block.state_dict()), [n for n, _ in block.named_buffers()],
                    [n for n, _ in block.named_children()],
                    [n for n, _ in block.named_parameters()]])
        del block.fc, block.extra, block.extra2
        block.fc = None
        log.append([list(block.state_dict()), repr(block),
                    [n in dir(block) for n in ("steps", "fc", "fc2", "cache", "extra")]])

    both(scenario)


def test_walking_modes_and_dtypes_match_pytorch():
    def scenario(L, log):
        nn = L.nn
        shared = nn.Linear(2, 2)
        net = nn.Sequential(shared, nn.ReLU(), nn.Sequential(shared, nn.Tanh()))
        log.append([[n for n, _ in net.named_modules()], [n for n, _ in net.named_modules(remove_duplicate=False)],
                    len(list(net.modules())), len(list(net.modules(remove_duplicate=False))),
                    [n for n, _ in net.named_parameters(remove_duplicate=False)],
                    [n for n, _ in net.named_children()], len(list(net.children()))])
        log.append([net.eval() is net, [m.training for m in net.modules()], net.train() is net,
                    [m.training for m in net.modules()], net.requires_grad_(False) is net,
                    [p.requires_grad for p in net.parameters()]])
        net.requires_grad_()
        out = net(L.ones(3, 2)).sum()
        out.backward()
        log.append([p.grad is None for p in net.parameters()])
        net.zero_grad(set_to_none=False)
        log.append([p.grad for p in net.parameters()])
        net.zero_grad()
        log.append([p.grad is None for p in net.parameters()])
        seen = []
        net.apply(lambda m: seen.append(type(m).__name__))
        log.append(seen)
        m = build_net(L)
        log.append([m.double() is m, [str(t.dtype) for t in m.state_dict().values()]])
        log.append([m.half() is m, [str(t.dtype) for t in m.state_dict().values()]])
        log.append([m.float() is m, [str(t.dtype) for t in m.state_dict().values()]])

    both(scenario)


# ============================================================== forward hooks


def test_forward_hooks_order_arguments_and_results_match_pytorch():
    def scenario(L, log):
        nn = L.nn
        inner = filled(L, nn.Linear(2, 2).double())
        net = nn.Sequential(inner, nn.Tanh())

        def pre(tag, result=None):
            def hook(module, args):
                log.append(["pre", tag, type(module).__name__, [tuple(a.shape) for a in args]])
                return result
            return hook

        def post(tag, result=None):
            def hook(module, args, output):
                log.append(["post", tag, type(module).__name__, len(args), output])
                return result
            return hook

        handles = [inner.register_forward_pre_hook(pre("a")), inner.register_forward_pre_hook(pre("b"), prepend=True),
                   inner.register_forward_hook(post("c")), inner.register_forward_hook(post("d"), prepend=True),
                   net.register_forward_hook(post("net"))]
        x = L.tensor([[0.5, -1.0]], dtype=L.float64)
        log.append(net(x))
        # a pre-hook may replace the input (a bare tensor or a tuple), a hook the output
        replace_in = inner.register_forward_pre_hook(lambda m, args: args[0] * 2)
        replace_out = inner.register_forward_hook(lambda m, args, out: out + 100)
        log.append(net(x))
        replace_in.remove()
        replace_out.remove()
        for h in handles[:2]:
            h.remove()
        log.append(net(x))
        with net.register_forward_pre_hook(pre("ctx")):
            log.append(net(x))
        log.append(net(x))

        # with_kwargs: the hooks see (and may replace) keyword arguments
        class Scale(nn.Module):
            def forward(self, x, factor=1.0):
                return x * factor

        s = Scale()
        s.register_forward_pre_hook(lambda m, args, kwargs: (args, {"factor": kwargs.get("factor", 1.0) * 10}),
                                    with_kwargs=True)
        s.register_forward_hook(lambda m, args, kwargs, out: log.append(["kw", sorted(kwargs), out]) or out * -1,
                                with_kwargs=True)
        log.append(s(x, factor=2.0))
        s.register_forward_pre_hook(lambda m, args, kwargs: 5, with_kwargs=True)
        log.append(error_of(lambda: s(x)))

    both(scenario)


def test_always_call_hooks_and_global_hooks_match_pytorch():
    def scenario(L, log):
        nn = L.nn
        modules = L.nn.modules.module

        class Fails(nn.Module):
            def forward(self, x):
                raise ValueError("forward failed")

        m = Fails()
        m.register_forward_hook(lambda mod, args, out: log.append(["always", out]), always_call=True)
        m.register_forward_hook(lambda mod, args, out: log.append(["never"]))
        m.register_forward_hook(lambda mod, args, out: 1 / 0, always_call=True)
        log.append(error_of(lambda: m(L.ones(1))))

        handles = [modules.register_module_forward_pre_hook(lambda mod, args: log.append(["gpre", type(mod).__name__])),
                   modules.register_module_forward_hook(
                       lambda mod, args, out: log.append(["gpost", type(mod).__name__]))]
        try:
            net = nn.Sequential(nn.Identity(), nn.ReLU())
            net[0].register_forward_pre_hook(lambda mod, args: log.append(["own pre"]))
            net(L.ones(1))
        finally:
            for h in handles:
                h.remove()
        net(L.ones(1))

    both(scenario)


# ============================================================== full backward hooks


def test_full_backward_hooks_match_pytorch():
    def scenario(L, log):
        nn = L.nn
        lin = filled(L, nn.Linear(3, 2).double())

        def show(grads):
            return [None if g is None else g for g in grads]

        lin.register_full_backward_pre_hook(lambda m, go: log.append(["bpre", show(go)]))
        lin.register_full_backward_hook(lambda m, gi, go: log.append(["bwd", show(gi), show(go)]))
        x = L.tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=L.float64, requires_grad=True)
        y = lin(x)
        log.append([y.grad_fn.name(), [n.name() if n is not None else None for n, _ in y.grad_fn.next_functions]])
        (y * y).sum().backward()
        log.append([x.grad, lin.weight.grad])

        # replacing: a pre-hook scales grad_output, a hook replaces grad_input
        lin.zero_grad()
        x.grad = None
        pre = lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 10,))
        post = lin.register_full_backward_hook(lambda m, gi, go: (gi[0] + 1,))
        lin(x).sum().backward()
        log.append([x.grad, lin.weight.grad])
        pre.remove()
        post.remove()

        # several inputs and outputs, non-tensor arguments, an input that needs no gradient
        class Mix(nn.Module):
            def forward(self, a, scale, b, c):
                return a * scale + b, "label", (a * b).sum() + c.sum(), b * 0

        mix = Mix()
        mix.register_full_backward_pre_hook(lambda m, go: log.append(["mix pre", show(go)]))
        mix.register_full_backward_hook(lambda m, gi, go: log.append(["mix", show(gi), show(go)]))
        mix.register_full_backward_hook(lambda m, gi, go: (gi[0] * 3, None, gi[2], gi[3]))
        a = L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True)
        b = L.tensor([3.0, -1.0], dtype=L.float64, requires_grad=True)
        c = L.tensor([0.5, 0.5], dtype=L.float64)
        out = mix(a, 2.0, b, c)
        log.append([isinstance(o, L.Tensor) and o.requires_grad for o in out])
        (out[0].sum() + out[2]).backward()
        log.append([a.grad, b.grad])

        # no input requires grad: the hooks fire at the outputs (with a warning), grad_input all None
        frozen = filled(L, nn.Linear(2, 1).double())
        frozen.register_full_backward_hook(lambda m, gi, go: log.append(["frozen", show(gi), show(go)]))
        frozen(L.ones(1, 2, dtype=L.float64)).sum().backward()
        # an output that gets no gradient: the hooks are not called
        frozen(L.ones(1, 2, dtype=L.float64, requires_grad=True)) * 0
        log.append(frozen.weight.grad)
        # a hook returning the wrong number of gradients
        bad = nn.Identity()
        bad.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        log.append(error_of(lambda: bad(L.ones(2, requires_grad=True)).sum().backward()))
        bad_pre = nn.Identity()
        bad_pre.register_full_backward_pre_hook(lambda m, go: ())
        log.append(error_of(lambda: bad_pre(L.ones(2, requires_grad=True)).sum().backward()))

    both(scenario)


def test_backward_hooks_inside_a_model_run_in_backward_order():
    def scenario(L, log):
        nn = L.nn
        net = filled(L, nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)).double())
        for name, module in net.named_modules():
            module.register_full_backward_pre_hook(lambda m, go, name=name: log.append(["pre", name, go]))
            module.register_full_backward_hook(lambda m, gi, go, name=name: log.append(["post", name, gi]))
        x = L.tensor([[0.3, -0.7]], dtype=L.float64, requires_grad=True)
        out = net(x)
        log.append(out.grad_fn.name())
        out.backward()
        log.append(x.grad)
        x.grad = None
        net(x).backward()  # a second call: the hooks of each call run once
        log.append(x.grad)

    both(scenario)


def test_global_backward_hooks_match_pytorch():
    def scenario(L, log):
        modules = L.nn.modules.module
        net = filled(L, L.nn.Sequential(L.nn.Linear(2, 2), L.nn.Tanh()).double())
        handles = [modules.register_module_full_backward_pre_hook(lambda m, go: log.append(["gpre", type(m).__name__])),
                   modules.register_module_full_backward_hook(
                       lambda m, gi, go: log.append(["gpost", type(m).__name__, gi]))]
        try:
            net[0].register_full_backward_hook(lambda m, gi, go: log.append(["own", gi]))
            net(L.ones(1, 2, dtype=L.float64, requires_grad=True)).sum().backward()
        finally:
            for h in handles:
                h.remove()
        net(L.ones(1, 2, dtype=L.float64, requires_grad=True)).sum().backward()

    both(scenario)


# ============================================================== nn.utils


def test_gradient_clipping_matches_pytorch():
    def scenario(L, log):
        clip = L.nn.utils

        def params(dtype):
            ps = [L.nn.Parameter(L.tensor(np.linspace(-3, 2, 6).reshape(2, 3), dtype=dtype)),
                  L.nn.Parameter(L.tensor([0.5, -4.0], dtype=L.float32)), L.nn.Parameter(L.ones(2))]
            for p, g in zip(ps[:2], (np.linspace(-1, 3, 6).reshape(2, 3), [2.0, -0.5])):
                p.grad = L.tensor(g, dtype=p.dtype)
            return ps

        for norm_type in [2, 2.0, 1, 3.5, math.inf, -math.inf, 0, "inf"]:
            for max_norm in [0.5, 100]:
                ps = params(L.float64)
                total = clip.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
                log.append([total, total.requires_grad, [p.grad for p in ps]])
        ps = params(L.float32)
        log.append([clip.clip_grad_norm_(ps[0], 1.0), ps[0].grad, clip.clip_grad_norm_(iter(ps), 1.0, foreach=False)])
        log.append(clip.clip_grad_norm_([], 1.0))
        log.append(clip.clip_grad_norm_((p for p in []), 1.0))
        log.append(clip.clip_grad_norm_(L.nn.Linear(2, 2).parameters(), 1.0))
        ps = params(L.float64)
        ps[0].grad[0, 0] = math.inf
        log.append(error_of(lambda: clip.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)))
        log.append([ps[0].grad, clip.clip_grad_norm_(ps, 1.0), ps[0].grad, ps[1].grad])
        ps = params(L.float64)
        log.append([clip.clip_grad_norm(ps, 2.0), ps[1].grad])
        ps = params(L.float64)
        log.append([clip.clip_grad_value_(ps, 0.75), [p.grad for p in ps], clip.clip_grad_value_(ps[0], 0.1),
                    ps[0].grad])

    both(scenario)


def test_parameters_to_vector_and_back_match_pytorch():
    def scenario(L, log):
        utils = L.nn.utils
        net = filled(L, L.nn.Sequential(L.nn.Linear(3, 2), L.nn.Linear(2, 1)))
        vec = utils.parameters_to_vector(net.parameters())
        log.append([vec, vec.grad_fn.name(), vec.requires_grad])
        (g,) = L.autograd.grad((vec * vec).sum(), [net[0].weight])
        log.append(g)
        utils.vector_to_parameters(vec.detach() * 2, net.parameters())
        log.append([[p for p in net.parameters()], [type(p).__name__ for p in net.parameters()],
                    [p.requires_grad for p in net.parameters()]])
        log.append(error_of(lambda: utils.vector_to_parameters([1.0, 2.0], net.parameters())))

    both(scenario)


# ============================================================== nn.init


def test_deterministic_initialisers_and_init_errors_match_pytorch():
    def scenario(L, log):
        init = L.nn.init
        log.append([init.eye_(L.empty(2, 3)), init.eye_(L.nn.Parameter(L.empty(3, 2))), init.dirac_(L.empty(4, 2, 3)),
                    init.dirac_(L.empty(4, 2, 3, 3), groups=2), init.dirac_(L.empty(2, 3, 1, 2, 3)),
                    init.constant_(L.empty(2), 0.25), init.ones_(L.empty(1, 2)), init.zeros_(L.ones(2))])
        p = L.nn.Parameter(L.ones(2, 2))
        for fill in (init.eye_, init.zeros_, init.ones_, lambda t: init.constant_(t, 3.0), init.orthogonal_,
                     init.xavier_uniform_, init.kaiming_normal_, init.trunc_normal_, lambda t: init.sparse_(t, 0.5)):
            out = fill(p)
            log.append([out is p, p.requires_grad, p.grad_fn is None, p.is_leaf])
        gains = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                 "sigmoid", "tanh", "relu", "leaky_relu", "selu"]
        log.append([init.calculate_gain(g) for g in gains] + [init.calculate_gain("leaky_relu", 0.2),
                                                              init.calculate_gain("leaky_relu", 3)])
        log.append([init._calculate_fan_in_and_fan_out(L.empty(5, 3, 2, 2)),
                    init._calculate_fan_in_and_fan_out(L.empty(4, 2))])
        for bad in [lambda: init.eye_(L.empty(2, 2, 2)), lambda: init.eye_(L.empty(3)),
                    lambda: init.dirac_(L.empty(2, 2)),
                    lambda: init.dirac_(L.empty(3, 2, 2), groups=2), lambda: init.orthogonal_(L.empty(3)),
                    lambda: init.sparse_(L.empty(2, 2, 2), 0.1), lambda: init.xavier_uniform_(L.empty(3)),
                    lambda: init.kaiming_uniform_(L.empty(2, 2), mode="fan_avg"),
                    lambda: init.kaiming_normal_(L.empty(2, 2), nonlinearity="gelu"),
                    lambda: init.calculate_gain("leaky_relu", "0.1"), lambda: init.calculate_gain("leaky_relu", True)]:
            log.append(error_of(bad))
        log.append([init.kaiming_uniform_(L.empty(0, 3)).shape, init.kaiming_normal_(L.empty(2, 0)).shape,
                    init.orthogonal_(L.empty(0, 3)).shape])
        init.trunc_normal_(L.empty(10), mean=5.0, std=1.0, a=-2.0, b=2.0)
        for old in ("uniform", "normal", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
                    "orthogonal"):
            getattr(init, old)(L.empty(2, 2))
        log.append([init.constant(L.empty(2), 2.0), init.eye(L.empty(2, 2)), init.dirac(L.empty(1, 1, 3))])

    both(scenario)


def test_random_initialisers_have_pytorchs_distributions():
    """The generators differ; what each initialiser guarantees (bounds, orthogonality, spread) must hold in both."""
    def scenario(L, log):
        init = L.nn.init
        L.manual_seed(0)
        for shape, gain in [((4, 4), 1.0), ((3, 7), 2.0), ((7, 3), 0.5), ((6, 2, 2, 2), 1.0)]:
            w = init.orthogonal_(L.empty(*shape, dtype=L.float64), gain=gain).reshape(shape[0], -1).numpy()
            small = w @ w.T if shape[0] <= w.shape[1] else w.T @ w
            log.append(bool(np.allclose(small, gain**2 * np.eye(len(small)), atol=1e-12)))
        for mean, std, a, b in [(0.0, 1.0, -2.0, 2.0), (0.0, 1.0, 2.0, 3.0), (1.0, 0.1, -0.5, 0.5),
                                (0.0, 3.0, -0.1, 0.1)]:
            t = init.trunc_normal_(L.empty(20000, dtype=L.float64), mean, std, a, b).numpy()
            lo, hi = (a - mean) / std, (b - mean) / std
            pdf = [math.exp(-v * v / 2) / math.sqrt(2 * math.pi) for v in (lo, hi)]
            cdf = [(1 + math.erf(v / math.sqrt(2))) / 2 for v in (lo, hi)]
            expected = mean + std * (pdf[0] - pdf[1]) / (cdf[1] - cdf[0])  # the truncated normal's mean
            log.append([bool(t.min() >= a and t.max() <= b), bool(abs(t.mean() - expected) < 0.02 * (b - a))])
        big = L.empty(200, 300)
        bound = math.sqrt(6 / 500)
        u = init.xavier_uniform_(big).numpy()
        log.append([bool(abs(u).max() <= bound), bool(abs(u.std() - bound / math.sqrt(3)) < 0.01 * bound)])
        n = init.kaiming_normal_(big, mode="fan_out", nonlinearity="relu").numpy()
        log.append(bool(abs(n.std() - math.sqrt(2 / 200)) < 0.02 * math.sqrt(2 / 200)))
        s = init.sparse_(L.empty(10, 50), sparsity=0.3).numpy()
        log.append([int((s == 0).sum(axis=0).min()), int((s == 0).sum(axis=0).max()), bool(abs(s).max() < 0.1)])
        g = L.Generator().manual_seed(7)
        first = init.normal_(L.empty(3), generator=g).numpy().copy()
        again = init.normal_(L.empty(3), generator=L.Generator().manual_seed(7)).numpy()
        log.append(bool(np.array_equal(first, again)))

    both(scenario)


def test_buffer_marks_a_tensor_to_register_as_a_buffer_as_in_pytorch():
    def scenario(L, log):
        nn = L.nn
        m = nn.Module()
        m.fc = nn.Linear(1, 1)
        m.p = nn.Parameter(L.ones(1))
        m.plain = 3
        source = L.ones(2)
        m.kept = nn.Buffer(source)
        m.temp = nn.Buffer(L.zeros(1), persistent=False)
        m.register_buffer("direct", nn.Buffer(L.ones(1), persistent=False))
        m.temp = L.ones(3)  # a plain tensor keeps the buffer's persistence
        source.add_(1)  # the module's buffer shares the storage
        log.append([list(m.state_dict()), [n for n, _ in m.named_buffers()], type(m.kept).__name__, m.kept,
                    m.temp, nn.Buffer(L.ones(1, requires_grad=True)).requires_grad, nn.Buffer().shape,
                    type(m.state_dict()["kept"]).__name__])
        for bad in [lambda: setattr(m, "fc", nn.Buffer(L.ones(1))), lambda: setattr(m, "p", nn.Buffer(L.ones(1))),
                    lambda: setattr(m, "plain", nn.Buffer(L.ones(1))), lambda: setattr(m, "kept", 3)]:
            log.append(error_of(bad))

    both(scenario)


def test_old_style_backward_hooks_match_pytorch():
    def scenario(L, log):
        nn = L.nn

        def hook(tag):
            return lambda m, gi, go: log.append([tag, [None if g is None else tuple(g.shape) for g in gi], go])

        lin = filled(L, nn.Linear(3, 2).double())
        lin.register_backward_hook(hook("linear"))
        x = L.tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=L.float64, requires_grad=True)
        lin(x).sum().backward()
        act = nn.Tanh()
        act.register_backward_hook(lambda m, gi, go: (gi[0] * 0,))
        act(x).sum().backward()
        log.append(x.grad)
        net = filled(L, nn.Sequential(nn.Linear(3, 2), nn.ReLU()).double())
        net.register_backward_hook(hook("sequential"))
        net(x).sum().backward()
        lin(L.ones(1, 3, dtype=L.float64, requires_grad=True)).sum().backward()
        log.append(error_of(lambda: lin.register_full_backward_hook(hook("full"))))
        full = nn.Identity()
        full.register_full_backward_hook(hook("full"))
        log.append(error_of(lambda: full.register_backward_hook(hook("old"))))

    both(scenario)


def test_state_dict_hooks_match_pytorch():
    def scenario(L, log):
        net = build_net(L)
        block = net.blocks[0]
        block.register_state_dict_pre_hook(lambda m, prefix, keep_vars: log.append(["save pre", prefix, keep_vars]))

        def rename(module, state, prefix, local_metadata):
            log.append(["save post", prefix, local_metadata, sorted(state)[:3]])
            state[prefix + "renamed"] = state.pop(prefix + "steps")

        block.register_state_dict_post_hook(rename)
        state = net.state_dict()
        log.append([list(state), dict(state._metadata)])

        def unrename(module, state, prefix, local_metadata, strict, missing, unexpected, errors):
            log.append(["load pre", prefix, local_metadata, strict, list(missing), list(unexpected), errors])
            if prefix + "renamed" in state:
                state[prefix + "steps"] = state.pop(prefix + "renamed")

        def forgive(module, incompatible):
            log.append(["load post", type(module).__name__, list(incompatible.missing_keys),
                        list(incompatible.unexpected_keys)])
            incompatible.missing_keys[:] = [k for k in incompatible.missing_keys if not k.endswith("total")]

        block.register_load_state_dict_pre_hook(unrename)
        net.register_load_state_dict_post_hook(forgive)
        net.blocks[1].register_load_state_dict_post_hook(forgive)
        log.append(repr(net.load_state_dict(state)))
        del state["total"]
        log.append(repr(net.load_state_dict(state)))
        del state["scale"]
        log.append(error_of(lambda: net.load_state_dict(state)))
        bad = L.nn.Linear(1, 1)
        bad.register_state_dict_post_hook(lambda *args: 1)
        log.append(error_of(bad.state_dict))
        bad = L.nn.Linear(1, 1)
        bad.register_load_state_dict_post_hook(lambda *args: 1)
        log.append(error_of(lambda: bad.load_state_dict(bad.state_dict())))

    both(scenario)
