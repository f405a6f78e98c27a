"""A module's full backward hooks, built as PyTorch builds them (``torch.utils.hooks.BackwardHook``).

The module's tensor inputs and its tensor outputs each pass through an identity ``Function``
(``BackwardHookFunction``, nodes named ``BackwardHookFunctionBackward``). In backward, the gradient first
reaches the node around the outputs: its hook records ``grad_output`` and runs the backward pre-hooks (which
may replace it). It later reaches the node around the inputs: its hook calls the backward hooks with
``(module, grad_input, grad_output)``, and what they return replaces ``grad_input``. Arguments that are not
tensors stay in place, and get None in the hooks' tuples.
"""
import warnings

from ..._creation import zeros
from ...autograd import Function, grad_mode
from ...tensor import Tensor


class BackwardHookFunction(Function):
    """The identity on tensors, so that a module's inputs and outputs get a node to hook."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[arg for arg in args if not arg.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *args):
        return args


def _pack_with_none(indices, values, size):
    packed = [None] * size
    for index, value in zip(indices, values):
        packed[index] = value
    return tuple(packed)


class BackwardHook:
    """The full backward hooks and pre-hooks of one call of ``module``."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None
        self.input_meta = ()

    def _set_user_hook(self, grad_fn):
        def hook(grad_input, _):
            if self.grad_outputs is None:  # the outputs got no gradient: hooks are not called
                return None
            # as in PyTorch, an input that needs no gradient gets zeros (the identity's materialized gradient)
            grad_input = [zeros(shape, dtype=dtype) if g is None and not needed else g
                          for g, (shape, dtype, needed) in zip(grad_input, self.input_meta)]
            res = _pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
            for user_hook in self.user_hooks:
                out = user_hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError(
                        f"Backward hook returned an invalid number of grad_input, got {len(out)}, but expected "
                        f"{len(res)}"
                    )
                res = out
            self.grad_outputs = None
            return tuple([res[i] for i in self.input_tensors_index])

        grad_fn.register_hook(hook)

    def _apply_on_tensors(self, fn, args):
        """``args`` with its tensors passed through one BackwardHookFunction (if any requires grad), whose
        node ``fn`` hooks; and the positions of the tensors."""
        tensors_idx = [i for i, arg in enumerate(args) if isinstance(arg, Tensor)]
        tensors = [args[i] for i in tensors_idx]
        if not (any(t.requires_grad for t in tensors) and grad_mode.is_grad_enabled()):
            return args, None
        new_tensors = BackwardHookFunction.apply(*tensors)
        fn(next(t.grad_fn for t in new_tensors if t.grad_fn is not None))
        out = list(args)
        for i, t in zip(tensors_idx, new_tensors):
            out[i] = t
        return tuple(out), tensors_idx

    def setup_input_hook(self, args):
        self.input_meta = [(arg.shape, arg.dtype, arg.requires_grad) for arg in args if isinstance(arg, Tensor)]
        res, self.input_tensors_index = self._apply_on_tensors(self._set_user_hook, args)
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, result):
        def fn(grad_fn):
            def hook(_, grad_output):
                self.grad_outputs = _pack_with_none(self.output_tensors_index, grad_output, self.n_outputs)
                for user_pre_hook in self.user_pre_hooks:
                    replaced = user_pre_hook(self.module, self.grad_outputs)
                    if replaced is None:
                        continue
                    if len(replaced) != len(self.grad_outputs):
                        raise RuntimeError(
                            f"Backward pre hook returned an invalid number of grad_output, got {len(replaced)}, "
                            f"but expected {len(self.grad_outputs)}"
                        )
                    self.grad_outputs = replaced
                local_grad_outputs = self.grad_outputs
                if self.input_tensors_index is None:  # no input requires grad: the hooks fire here
                    warnings.warn(
                        "Full backward hook is firing when gradients are computed with respect to module outputs "
                        "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                        "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.",
                        stacklevel=5,
                    )
                    grad_inputs = _pack_with_none([], [], self.n_inputs)
                    for user_hook in self.user_hooks:
                        res = user_hook(self.module, grad_inputs, self.grad_outputs)
                        if res is not None and not (isinstance(res, tuple) and all(el is None for el in res)):
                            raise RuntimeError(
                                "Backward hook for Modules where no input requires gradient should always return "
                                "None or None for all gradients."
                            )
                    self.grad_outputs = None
                return tuple([local_grad_outputs[i] for i in self.output_tensors_index])

            grad_fn.register_hook(hook)

        single = not isinstance(result, tuple)
        outputs = (result,) if single else result
        res, self.output_tensors_index = self._apply_on_tensors(fn, outputs)
        self.n_outputs = len(outputs)
        return res[0] if single else res
