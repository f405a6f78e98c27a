"""English: every key of the catalogue (see ``nbgrad/i18n/__init__.py``). Other languages translate these."""
NAME = "English"

MESSAGES = {
    # >>> issue-13 display
    "format.empty": "empty",
    "format.empty_shape": "empty {shape}",
    "format.all": "all {value}",
    "format.all_shape": "{value} (all {shape})",
    "format.true_count": "{count} True",
    "trace.several_outputs": ("nbgrad cannot trace a graph with {node}, a node with several outputs, yet; draw() shows "
                              "it, and backward() and autograd.grad() work on it"),
    "trace.constant": "constant",
    "trace.a_constant": "a constant",
    "trace.accumulate_rule": "{leaf}.grad += the gradient that arrives (written by apply(), not by the trace)",
    "trace.custom_rule": "{output} = {function}({args}); its derivative is what {function}.backward computes",
    "trace.custom_derivative": "what {function}.backward computes",
    "trace.is": "{symbol} is {value}",
    "trace.are": "{symbol} are {value}",
    "trace.where": "{rule}   where {bindings}",
    "trace.list_separator": ", ",
    "trace.as": "as",
    "trace.repr": "<Trace of the backward pass from {root}: {count} steps>",
    "trace.already_applied": "this trace has already been applied to .grad; take a new backward_trace() to apply again",
    "trace.head_applied": "Backward pass from {root}: {count} steps, applied to .grad.",
    "trace.head_pending": "Backward pass from {root}: {count} steps, nothing written to .grad (call .apply() to write it).",
    "trace.step": "step {index}",
    "trace.arrives": "{derivative} arrives:",
    "trace.local": "local {value}",
    "trace.sends": "sends {value}",
    "trace.pending": "(pending)",
    "trace.leaf_gradients": "leaf gradients: {gradients}",
    "trace.none": "none",
    "trace.no_gradient": "no gradient (a constant)",
    "trace.nothing": "nothing",
    "trace.sum_so_far": "sum so far {total} ({count} of {expected} arrived)",
    "trace.complete_total": "complete: {total}",
    "trace.complete": "complete",
    "trace.none_yet": "none yet",
    "trace.column_input": "input",
    "trace.column_local": "local derivative",
    "trace.column_sent": "gradient sent",
    "trace.column_total": "its gradient",
    "trace.step_of": "Step {index} of {count}",
    "trace.gradient_arrives": "The gradient of {root} with respect to {value} arrives: {gradient}",
    "trace.leaves_so_far": "Leaf gradients so far: {gradients}",
    "explain.gap": " ",
    "explain.why": "Why.",
    "explain.fix": "Fix.",
    "explain.backward_twice.why": ("backward() frees the values the graph saved for it, to save memory; a second backward "
                                   "through the same graph finds them gone."),
    "explain.backward_twice.fix": ("Run the forward pass again before each backward (and clear `.grad` in between); only "
                                   "if you truly need two passes over one graph, give the first `retain_graph=True`."),
    "explain.non_scalar.why": ("The output holds several numbers, and backward() differentiates one number: it would "
                               "have to guess how to combine them."),
    "explain.non_scalar.fix": ("Reduce the output to the number you want to minimise (`.sum()`, `.mean()`), or pass a "
                               "gradient shaped like it: `y.backward(torch.ones_like(y))`."),
    "explain.inplace_saved.why": ("An in-place operation (`+=`, `add_`, `x[i] = ...`) changed a tensor that an operation "
                                  "had saved for backward: its version is no longer the one that was saved."),
    "explain.inplace_saved.fix": ("Compute out of place (`b = b + 1` instead of `b += 1`); the message says which "
                                  "operation made the tensor and which one saved it."),
    "explain.int_requires_grad.why": ("A gradient measures the effect of a tiny change, and an integer cannot change by "
                                      "a tiny amount: integer tensors cannot require grad."),
    "explain.int_requires_grad.fix": ("Use floating-point numbers: write `1.0` rather than `1`, pass "
                                      "`dtype=torch.float32`, or convert with `.float()`."),
    "explain.matmul_shape.why": ("A matrix product (m×k) @ (k×n) needs the inner sizes to agree; the message names "
                                 "the two shapes that do not."),
    "explain.matmul_shape.fix": ("Decide which matrix should be transposed (`B.T`) or reshaped, so that the columns of "
                                 "the first match the rows of the second."),
    "explain.broadcast.why": ("Element-wise operations line shapes up from the right; each pair of sizes must be equal "
                              "or one of them 1. The message names the dimension where they are not."),
    "explain.broadcast.fix": ("Give the smaller tensor a size-1 dimension where it should be stretched, e.g. "
                              "`v.reshape(-1, 1)` or `v.unsqueeze(1)` to line it up with the rows."),
    "explain.bad_reshape.why": ("A reshape keeps every element, so the new shape must hold exactly as many elements as "
                                "the tensor has."),
    "explain.bad_reshape.fix": ("Choose sizes whose product is the number of elements, or write `-1` for one dimension "
                                "and let it be worked out."),
    "explain.grad_shape.why": "The gradient given to backward() must have the shape of the output it starts from.",
    "explain.grad_shape.fix": "Pass a gradient shaped like the output, e.g. `y.backward(torch.ones_like(y))`.",
    "explain.leaf_inplace.why": ("A tensor you created with requires_grad=True (a leaf) was changed in place while "
                                 "autograd was recording; recording that would make it no longer a leaf."),
    "explain.leaf_inplace.fix": ("Update weights inside `with torch.no_grad():` (as optimizers do), or work on a new "
                                 "tensor instead of changing the leaf."),
    "explain.numpy_requires_grad.why": ("A NumPy array knows nothing of gradients: what you compute from it is "
                                        "invisible to autograd, so PyTorch wants you to leave the graph explicitly."),
    "explain.numpy_requires_grad.fix": "Detach first: `t.detach().numpy()`.",
    "explain.non_leaf_grad.why": ("Only leaves keep their gradient in `.grad`; an intermediate result's gradient is "
                                  "passed on and dropped, so its `.grad` is None."),
    "explain.non_leaf_grad.fix": ("Call `h.retain_grad()` before backward() to keep it; or, if it should be a weight, "
                                  "make it a leaf (scale first, then `.requires_grad_()`)."),
    "explain.no_grad_fn.why": ("No tensor in the computation requires grad (or it ran inside `no_grad()`), so no graph "
                               "was recorded and the result has no `grad_fn`."),
    "explain.no_grad_fn.fix": ("Create the tensors you want gradients for with `requires_grad=True`, and compute the "
                               "loss outside `no_grad()`."),
    "extension.give_expression": "give an expression, e.g. %{magic} loss",
    "extension.invalid_syntax": "invalid syntax in {expression}: {error}",
    "extension.expected_tensor": "expected a Tensor, got {type}",
    "extension.usage": "usage: %nbgrad config [show_graph=True|False]",
    "extension.unknown_option": "unknown option {name}; the options are: {options}",
    "extension.true_or_false": "{name} must be True or False, not {text}",
    "extension.graph_alt": "autograd graph",
    "card.autograd_node": "autograd node",
    "card.values": "values",
    "card.saved": "saved",
    "card.saved_count": "saved ({count})",
    "card.saved_freed": "saved tensors freed by backward(); call backward(retain_graph=True) to keep them",
    "card.nothing": "nothing",
    "card.no_gradient_needed": "(this input needs no gradient)",
    "card.leaf": "(leaf shape {shape})",
    "card.named_leaf": "(leaf {name}, shape {shape})",
    "card.gradients_stop": "none: gradients stop here",
    "card.no_elements": "no elements",
    "card.colour": "colour:",
    "training.decision_boundary": "decision boundary",
    "training.data": "data",
    "training.model": "model",
    "training.needs_2d": "plot_decision_boundary needs inputs of shape (n, 2), got {shape}",
    "training.positive": "steps and every must be positive, got steps={steps}, every={every}",
    "training.closed": "this TrainingMonitor is closed: it already showed its last step",
    "training.trained_none": "trained 0 steps",
    "training.trained": "trained {steps} steps: loss {first} -> {last}",
    "training.trained_accuracy": ", training accuracy {accuracy}",
    "training.progress": "step {step}/{steps}  loss {loss}",
    "training.progress_accuracy": "  accuracy {accuracy}",
    "training.step": "step",
    "training.loss": "loss",
    "training.repr": "<TrainingMonitor: {steps} steps>",
    "labels.names_type": "names must be a dict or a namespace, not {type}",
    "walk.expected_tensor": "expected a Tensor, got {type}",
    # <<< issue-13 display
    # >>> issue-13 widgets
    # <<< issue-13 widgets
    # >>> issue-13 exercises
    # <<< issue-13 exercises
    # >>> issue-13 modules
    "modules.no_model": ("group='module' needs the model whose parameters the graph uses: "
                         "pass it, draw(loss, group='module', model=model)"),
    "modules.bad_group": "group must be None or 'module', got {group}",
    "modules.bad_model": "model must be an nn.Module, not {type}",
    "modules.bad_depth": "depth must be a whole number of at least 1 (1: the model's children), got {depth}",
    "modules.ops": "operations: {count}",
    "modules.grad_norm": "‖grad‖ {norm}",
    "modules.more_parameters": "… {count} more parameters",
    "modules.legend": "module (nn.Module)",
    "modules.kind": "module",
    "modules.picker": "module",
    "modules.open": "open",
    "modules.open_tooltip": "show what this module is made of, or draw it as one box again",
    "modules.parameters": "parameters",
    "modules.no_parameters": "no parameters of its own in this graph",
    "modules.no_grad": "None yet: run backward() to fill it",
    "modules.made_of": "made of {count} nodes of the graph, {ops} of them operations",
    "modules.state": "modules: {boxes} drawn as boxes; open: {opened}",
    "modules.list_separator": ", ",
    "modules.none": "none",
    # <<< issue-13 modules
    # >>> issue-13 launch
    "launch.installed_lessons": "{path} is inside an installed package ({folder}), where a re-run would change "
                                "nbgrad's own files: copy the lessons first with `python -m nbgrad lessons DIR` "
                                "and execute the copies. Nothing was written.",
    "launch.args_without_launch": "arguments after -- go to JupyterLab, which --no-launch does not start",
    # <<< issue-13 launch
}
