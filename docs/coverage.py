"""Write docs/coverage.md: which PyTorch names nbgrad has, read from nbgrad itself.

The inventory below is the PyTorch a beginner's code and PyTorch's own tutorials use, namespace by
namespace; ``LEFT_OUT`` is what nbgrad leaves out on purpose, with the reason. Whether nbgrad has a name
is never typed here: the script looks it up (``hasattr`` on nbgrad's module or ``nbgrad.Tensor``), so the
table cannot claim what the code does not do. tests/project/test_coverage.py fails when the stored table
is out of date, and (with torch installed) when the inventory names something PyTorch does not have.

    python docs/coverage.py          # rewrite docs/coverage.md
    python docs/coverage.py --check  # exit 1 if docs/coverage.md is out of date
"""
import importlib
import sys
from pathlib import Path

OUT = Path(__file__).with_name("coverage.md")


def words(text):
    return tuple(text.split())


_MATH = words("""
    abs absolute neg negative sign sgn sqrt rsqrt square exp exp2 expm1 log log2 log10 log1p sin cos tan asin
    acos atan atan2 arcsin arccos arctan arctan2 sinh cosh tanh asinh acosh atanh sigmoid relu erf erfc erfinv
    pow float_power reciprocal floor ceil round trunc frac fix clamp clip clamp_min clamp_max add sub subtract
    mul multiply div divide true_divide floor_divide remainder fmod lerp addcmul addcdiv hypot logaddexp xlogy
    logit maximum minimum fmax fmin
""")
_COMPARE = words("""
    eq ne lt le gt ge greater greater_equal less less_equal not_equal equal allclose isclose isnan isinf isfinite
    isposinf isneginf nan_to_num logical_and logical_or logical_xor logical_not bitwise_and bitwise_or bitwise_xor
    bitwise_not signbit
""")
_REDUCE = words("""
    sum mean median nansum nanmean std var std_mean var_mean prod max min amax amin aminmax argmax argmin logsumexp
    softmax log_softmax norm dist count_nonzero any all cumsum cumprod cummax cummin logcumsumexp
""")
_SHAPE = words("""
    cat concat concatenate stack hstack vstack dstack column_stack split chunk unbind tensor_split hsplit vsplit
    reshape flatten unflatten ravel squeeze unsqueeze transpose swapaxes swapdims permute movedim moveaxis t narrow
    select gather scatter scatter_add index_select index_add index_fill index_copy masked_select masked_fill
    masked_scatter take take_along_dim where nonzero argwhere flip fliplr flipud roll rot90 tril triu diag diagonal
    diag_embed diagflat trace repeat_interleave tile broadcast_to broadcast_tensors broadcast_shapes meshgrid
    sort argsort msort topk kthvalue unique unique_consecutive searchsorted bucketize bincount histc diff
""")
_LINALG = words("matmul mm bmm mv dot vdot outer ger einsum addmm addmv addbmm baddbmm kron cross tensordot inner cdist")

INVENTORY = {
    "torch": words("""
        tensor as_tensor from_numpy zeros ones empty full eye arange linspace logspace rand randn randint randperm
        rand_like randn_like randint_like zeros_like ones_like empty_like full_like normal bernoulli multinomial
        manual_seed seed initial_seed get_rng_state set_rng_state Generator
        clone detach is_tensor is_floating_point numel no_grad enable_grad set_grad_enabled is_grad_enabled
        inference_mode is_inference_mode_enabled save load device dtype float32 float64 float16 int64 int32 int16
        int8 uint8 bool long int float double half short get_default_dtype set_default_dtype finfo iinfo
        promote_types result_type can_cast set_printoptions Tensor FloatTensor DoubleTensor
        LongTensor IntTensor BoolTensor ByteTensor Size autograd nn optim utils cuda backends accelerator linalg
        func set_num_threads get_num_threads use_deterministic_algorithms
    """) + _MATH + _COMPARE + _REDUCE + _SHAPE + _LINALG,
    "torch.Tensor": words("""
        item tolist numpy size shape dim ndim ndimension nelement numel dtype device is_leaf requires_grad
        requires_grad_ grad grad_fn backward register_hook retain_grad retains_grad detach detach_ clone contiguous
        is_contiguous data to cpu cuda type type_as float double long int bool half short byte char view view_as
        reshape reshape_as expand expand_as repeat unfold T mT new_zeros new_ones new_full new_tensor new_empty
        fill_ zero_ copy_ add_ sub_ mul_ div_ pow_ clamp_ uniform_ normal_ bernoulli_ random_ exponential_
        masked_fill_ scatter_ scatter_add_ index_add_ index_fill_ index_copy_ tril_ triu_ abs_ neg_ sqrt_ exp_
        log_ sin_ cos_ tanh_ sigmoid_ relu_ floor_ ceil_ round_ trunc_ reciprocal_ square_ sign_ is_floating_point
        element_size nbytes itemsize storage_offset stride is_signed apply_ map_ share_memory_ pin_memory
    """) + tuple(n for n in _MATH + _COMPARE + _REDUCE + _SHAPE + _LINALG if n not in words("""
        float_power hstack vstack dstack column_stack cat concat concatenate stack meshgrid broadcast_tensors
        broadcast_shapes bucketize histc cdist einsum searchsorted std_mean var_mean tensordot
    """)),
    "torch.nn": words("""
        Module Parameter Buffer Linear Bilinear Identity Flatten Unflatten Sequential ModuleList ModuleDict
        ParameterList ParameterDict Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d MaxPool1d MaxPool2d
        AvgPool1d AvgPool2d AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveMaxPool1d AdaptiveMaxPool2d BatchNorm1d
        BatchNorm2d LayerNorm GroupNorm InstanceNorm1d InstanceNorm2d LocalResponseNorm Dropout Dropout1d Dropout2d
        Dropout3d AlphaDropout Embedding EmbeddingBag RNN LSTM GRU RNNCell LSTMCell GRUCell Transformer
        TransformerEncoder TransformerEncoderLayer MultiheadAttention ReLU ReLU6 LeakyReLU PReLU ELU SELU CELU
        GELU SiLU Mish Sigmoid Tanh Softplus Softsign Hardtanh Hardsigmoid Hardswish LogSigmoid Tanhshrink
        Softshrink Hardshrink Threshold Softmax LogSoftmax Softmin MSELoss L1Loss SmoothL1Loss HuberLoss
        CrossEntropyLoss NLLLoss BCELoss BCEWithLogitsLoss KLDivLoss CosineEmbeddingLoss MarginRankingLoss
        SoftMarginLoss TripletMarginLoss ZeroPad2d ConstantPad1d ConstantPad2d ReflectionPad2d ReplicationPad2d
        Upsample PixelShuffle CosineSimilarity PairwiseDistance functional init utils
    """),
    "torch.nn.functional": words("""
        linear bilinear relu relu_ relu6 leaky_relu leaky_relu_ elu elu_ selu celu gelu silu mish sigmoid tanh
        softplus softsign hardtanh hardtanh_ hardsigmoid hardswish logsigmoid tanhshrink softshrink hardshrink
        threshold softmax log_softmax softmin glu dropout dropout1d dropout2d dropout3d alpha_dropout conv1d conv2d
        conv_transpose2d max_pool1d max_pool2d avg_pool1d avg_pool2d adaptive_avg_pool1d adaptive_avg_pool2d
        adaptive_max_pool2d batch_norm layer_norm group_norm instance_norm normalize pad embedding one_hot mse_loss
        l1_loss smooth_l1_loss huber_loss cross_entropy nll_loss binary_cross_entropy
        binary_cross_entropy_with_logits kl_div cosine_similarity pairwise_distance cosine_embedding_loss
        margin_ranking_loss soft_margin_loss triplet_margin_loss interpolate unfold fold pixel_shuffle
        scaled_dot_product_attention
    """),
    "torch.nn.init": words("""
        uniform_ normal_ constant_ ones_ zeros_ eye_ dirac_ xavier_uniform_ xavier_normal_ kaiming_uniform_
        kaiming_normal_ orthogonal_ trunc_normal_ sparse_ calculate_gain
    """),
    "torch.nn.utils": words("clip_grad_norm_ clip_grad_value_ parameters_to_vector vector_to_parameters"),
    "torch.optim": words("Optimizer SGD Adam AdamW RMSprop Adagrad Adadelta Adamax NAdam RAdam LBFGS lr_scheduler"),
    "torch.optim.lr_scheduler": words("""
        LRScheduler StepLR MultiStepLR ExponentialLR CosineAnnealingLR LambdaLR MultiplicativeLR OneCycleLR
        ReduceLROnPlateau LinearLR ConstantLR SequentialLR ChainedScheduler CosineAnnealingWarmRestarts CyclicLR
        PolynomialLR
    """),
    "torch.utils.data": words("""
        Dataset IterableDataset TensorDataset ConcatDataset ChainDataset Subset random_split DataLoader Sampler
        SequentialSampler RandomSampler SubsetRandomSampler WeightedRandomSampler BatchSampler default_collate
        get_worker_info
    """),
    "torch.autograd": words("""
        backward grad Function Variable gradcheck gradgradcheck no_grad enable_grad set_grad_enabled
        detect_anomaly set_detect_anomaly functional graph forward_ad
    """),
    "torch.autograd.functional": words("jacobian hessian vjp jvp hvp vhp"),
    "torch.func": words("grad grad_and_value vjp jvp jacrev jacfwd hessian vmap functional_call"),
    "torch.linalg": words("norm vector_norm matrix_norm inv det solve cross eigh svd qr cholesky lstsq"),
    "torch.cuda": words("is_available device_count current_device get_device_name synchronize manual_seed manual_seed_all empty_cache"),
}

# What nbgrad leaves out on purpose, by name, and why. A name here is not looked up: it is absent by design.
_REASONS = {
    "sparse": "sparse tensors: NumPy arrays are dense, and sparsity teaches nothing about gradients",
    "quantization": "quantization: int8 inference kernels, not differentiation",
    "distributed": "distributed training: nbgrad runs in one process",
    "compile": "compilers and tracers (`compile`, `jit`, `fx`, `vmap`): in nbgrad the graph itself is the lesson",
    "cuda": "GPUs: NumPy runs on the CPU (`cuda.is_available()` answers False, as a CPU-only PyTorch)",
    "memory": "memory pinning and sharing between processes: one process, no devices",
    "forward": "forward-mode AD: nbgrad teaches reverse mode (`autograd.functional.jvp` works by double backward)",
}
LEFT_OUT = {
    "torch": {"compile": "compile", "jit": "compile", "fx": "compile", "sparse_coo_tensor": "sparse",
              "quantize_per_tensor": "quantization", "distributed": "distributed"},
    "torch.Tensor": {"to_sparse": "sparse", "is_sparse": "sparse", "pin_memory": "memory",
                     "share_memory_": "memory", "q_scale": "quantization"},
    "torch.autograd": {"forward_ad": "forward"},
    "torch.func": {"vmap": "compile", "functional_call": "compile"},
}
LEFT_OUT_NAMESPACES = {
    "torch.sparse": "sparse", "torch.ao.quantization": "quantization", "torch.distributed": "distributed",
    "torch.compile / torch.jit / torch.fx / torch._dynamo / torch.export": "compile", "torch.cuda.amp": "cuda",
    "torch.autograd.forward_ad": "forward",
}


def nbgrad_object(namespace):
    """The nbgrad module (or class) standing for a PyTorch namespace."""
    import nbgrad

    if namespace == "torch.Tensor":
        return nbgrad.Tensor
    obj = nbgrad
    for part in namespace.split(".")[1:]:
        obj = getattr(obj, part, None) or _submodule(obj, part)
        if obj is None:
            return None
    return obj


def _submodule(obj, part):
    try:
        return importlib.import_module(f"{obj.__name__}.{part}")
    except (ImportError, AttributeError):
        return None


def status(namespace, name):
    """'yes', 'left out', or 'not yet'."""
    if name in LEFT_OUT.get(namespace, {}):
        return "left out"
    obj = nbgrad_object(namespace)
    return "yes" if obj is not None and hasattr(obj, name) else "not yet"


def table():
    lines = [
        "# PyTorch names in nbgrad",
        "",
        "Generated by `python docs/coverage.py` from nbgrad itself (do not edit by hand): for each name of the",
        "PyTorch a beginner and PyTorch's tutorials use, whether `nbgrad` has it. **yes**: present, with PyTorch's",
        "behaviour (differences are in [differences.md](differences.md)); **left out**: on purpose, for the",
        "reason given below; **not yet**: missing.",
        "",
        "| namespace | names | yes | left out | not yet |",
        "|---|---|---|---|---|",
    ]
    sections = []
    totals = [0, 0, 0, 0]
    for namespace, names in INVENTORY.items():
        names = sorted(set(names))
        found = {n: status(namespace, n) for n in names}
        counts = [len(names)] + [sum(s == k for s in found.values()) for k in ("yes", "left out", "not yet")]
        totals = [a + b for a, b in zip(totals, counts)]
        lines.append(f"| `{namespace}` | " + " | ".join(map(str, counts)) + " |")
        sections += ["", f"## `{namespace}`", ""]
        for kind in ("yes", "left out", "not yet"):
            chosen = [n for n in names if found[n] == kind]
            if chosen:
                if kind == "left out":
                    sections.append("**left out**: " + ", ".join(
                        f"`{n}` ({LEFT_OUT[namespace][n]})" for n in chosen))
                else:
                    sections.append(f"**{kind}**: " + ", ".join(f"`{n}`" for n in chosen))
                sections.append("")
    lines.append("| all | " + " | ".join(map(str, totals)) + " |")
    lines += ["", "## Left out on purpose", "", "| reason | what |", "|---|---|"]
    for key, reason in _REASONS.items():
        spaces = [f"`{ns}`" for ns, k in LEFT_OUT_NAMESPACES.items() if k == key]
        names = [f"`{ns}.{n}`" for ns, table_ in LEFT_OUT.items() for n, k in table_.items() if k == key]
        lines.append(f"| {reason} | {', '.join(spaces + names)} |")
    return "\n".join(lines + sections).rstrip() + "\n"


def main(argv):
    text = table()
    if "--check" in argv:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is out of date: run python docs/coverage.py")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
