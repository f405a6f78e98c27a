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
    "widgets.snapshot_note": "A picture of the widget as it was saved: run the notebook to use it.",
    "widgets.graph_alt": "autograd graph",
    "widgets.refresh": "refresh",
    "widgets.grad_none_yet": "None yet: run backward() to fill it",
    "widgets.none_yet": "none yet",
    "widgets.a_tensor": "a tensor",
    "widgets.kind.leaf": "leaf",
    "widgets.kind.intermediate": "intermediate",
    "widgets.kind.output": "output",
    "widgets.kind.constant": "constant",
    "widgets.kind.operation": "operation",
    "stepper.drawing_graph": "drawing the graph…",
    "stepper.play": "play",
    "stepper.slider": "step",
    "stepper.back": "◀ back",
    "stepper.back_tip": "go back one step",
    "stepper.forward": "step ▶",
    "stepper.forward_tip": "run the next node",
    "stepper.reset": "reset",
    "stepper.reset_tip": "back to before backward",
    "stepper.apply": "apply to .grad",
    "stepper.apply_tip": "write the leaf gradients into .grad, as backward() would",
    "stepper.progress": "drawing",
    "stepper.state": "BackwardStepper from {root}: step {step} of {n} ({where})",
    "stepper.before_backward": "before backward",
    "stepper.where": "{op} at {output}",
    "stepper.so_far": "leaf gradients so far: {grads}",
    "stepper.at_end": "leaf gradients after the last step: {grads}",
    "stepper.none": "none",
    "stepper.grad": ".grad: {status}",
    "stepper.applied": "applied: the leaf gradients were added to .grad",
    "stepper.not_applied": "not written by this stepper (press \"{apply}\" to add the leaf gradients)",
    "stepper.already_applied": "this stepper has already added its leaf gradients to .grad; make a new BackwardStepper to add them again",
    "stepper.intro_title": "Before backward",
    "stepper.intro_graph": "the graph that computed {root}",
    "stepper.intro_visits_one": "Backward visits its 1 node one at a time, from {root} back to the leaves.",
    "stepper.intro_visits": "Backward visits its {n} nodes one at a time, from {root} back to the leaves.",
    "stepper.intro_press": "Press {forward}, drag the slider or press play.",
    "stepper.step_summary": "step {i}: {where}",
    "stepper.all_steps": "all steps",
    "graph_view.picker": "node",
    "graph_view.refresh_tip": "read the graph and gradients again",
    "graph_view.operation": "operation {label}",
    "graph_view.inputs": "inputs:",
    "graph_view.output": "output: {name}",
    "graph_view.not_stored": "not stored any more: only leaves, named tensors and what ops saved can still be reached",
    "graph_view.constant_grad": "none: a constant needs no gradient",
    "graph_view.not_kept": "not kept: only leaves keep .grad (call retain_grad() on the tensor before backward())",
    "graph_view.made_by": "made by: {what}",
    "graph_view.by_you": "you (a leaf)",
    "graph_view.made_by_nothing": "nothing: a constant",
    "graph_view.used_by": "used by: {what}",
    "graph_view.used_by_nothing": "nothing: this is the output",
    "graph_view.value": "value",
    "graph_view.gradient": "gradient",
    "graph_view.state": "GraphView of {root}: {values} values, {ops} operations; selected: {selected}",
    "graph_view.gradients": "gradients: {grads}",
    "tensor_view.table": "table",
    "tensor_view.heatmap": "heat map",
    "tensor_view.refresh_tip": "read the values and .grad again",
    "tensor_view.dim": "dim {d}",
    "tensor_view.values": "values",
    "tensor_view.tensor": "tensor",
    "tensor_view.shape": "shape {shape}",
    "tensor_view.no_grad": "no gradient: this tensor does not require grad",
    "tensor_view.not_kept": "no .grad: only leaves keep one; call retain_grad() on this tensor before backward() to keep its gradient",
    "tensor_view.heatmap_of": "heat map of {title}",
    "tensor_view.state": "TensorView of {name}: shape {shape}, {mode}{where}",
    "tensor_view.slice": ", slice {index}",
    "tensor_view.values_line": "values: {values}",
    "tensor_view.grad_line": ".grad: {grad}",
    "playground.name_hint": " (the variables are {variables}; functions such as sin, exp, tanh, relu, sigmoid, sqrt, log are available by name)",
    "playground.not_scalar": "f must return a scalar (one number) to have a gradient, but it returned a tensor of shape {shape}; reduce it to one number, for example with .sum() or .mean() (PyTorch: {pytorch})",
    "playground.not_a_tensor": "f must return an nbgrad tensor (or a number), not {type}",
    "playground.constant": "f does not depend on {variables} through nbgrad operations (a constant, or .item(), float() or .detach() cut the graph), so its gradient is 0",
    "playground.result": "at {where}:  {value},  {gradient}",
    "playground.tangent": "tangent, slope {slope}",
    "playground.plot_alt": "plot of f",
    "drawing.leaf": "leaf (requires_grad=True)",
    "drawing.intermediate": "intermediate value",
    "drawing.output": "output",
    "drawing.constant": "constant (no gradient)",
    "drawing.operation": "operation (grad_fn)",
    "drawing.highlighted": "highlighted",
    "drawing.constant_box": "constant",
    "drawing.data": "data",
    "drawing.grad": "grad",
    "drawing.not_kept": "not kept",
    "drawing.not_stored": "grad —: not stored (only leaves keep .grad)",
    "drawing.not_reached": "grad —: not reached yet",
    "draw.not_a_node_kind": "expected a node id, a tensor or a grad_fn node, got {type}",
    "draw.not_a_node": "{item} is not a node of this graph",
    "draw.no_edge": "no edge {item} in this graph",
    "draw.too_big": "this graph has {n} nodes, more than max_nodes={max_nodes}; a drawing that big cannot be read. Draw a part of it: pass an intermediate tensor (the output of one layer, say, draw(hidden)), or a subgraph of to_networkx(t) (graph.subgraph(ids)); or raise max_nodes.",
    "draw.not_drawable": "draw() takes a Tensor or a graph made by to_networkx(), not {type}",
    "draw.names_for_graph": "names= labels a tensor being drawn; for a graph, pass it to to_networkx(t, names=...)",
    "widgets.not_a_tensor": "{widget}() expects a Tensor, got {type}",
    "graph_view.not_a_node": "{node} is not a node of this graph; the nodes are {nodes}",
    "tensor_view.bad_index": "index {index} does not pick a 2-d slice of a tensor of shape {shape}",
    "tensor_view.bad_mode": "mode must be one of {modes}, not {mode}",
    "playground.bad_function": "function must be Python code (a str) or a callable, not {type}",
    "playground.variables": "the playground draws functions of one or two variables, not {n}: {variables}",
    "playground.bad_at": "at= needs one value per variable ({variables}), got {n}",
    "playground.bad_range": "the range of {name} must go from low to high, got ({lo}, {hi})",
    "playground.syntax": "SyntaxError: {error} in {code}",
    "stepper.bad_step": "step {step} out of range: this stepper has frames 0 to {n}",
    # <<< issue-13 widgets
    # >>> issue-13 exercises
    "exercises.right": "✓ Exercise {id}: right.",
    "exercises.wrong": "✗ Exercise {id}: not right yet. {hint}",
    "exercises.not_yet": "Exercise {id}: not answered yet. Put your answer in `answer` and run the cell again.",
    "exercises.unknown": "There is no exercise “{id}”; the exercises are {known}.",
    "exercises.kind.tensor": "a tensor (or a number, or a list of numbers)",
    "exercises.kind.function": "a torch.autograd.Function subclass (or a function of tensors)",
    "exercises.error.type": "The answer should be {kind}; yours is of type {got}.",
    "exercises.error.shape": "Your answer has shape {got}; the exercise asks for shape {want}.",
    "exercises.error.raised": "Running your code raised {error}: {text}",
    "exercises.hint.unknown": "The numbers differ, and not in a way this checker recognises: check each step against "
                              "the lesson.",
    "exercises.hint.sum_not_mean": "Your answer is too large by a factor of the number of elements: the task takes the "
                                   "mean, and you took the sum (or left out the division).",
    "exercises.hint.mean_not_sum": "Your answer is too small by a factor of the number of elements: the task takes the "
                                   "sum, and you took the mean.",
    "exercises.hint.accumulated": "Your answer is exactly twice the right one: .grad adds up, so backward() ran twice "
                                  "into the same .grad without zeroing it in between (x.grad.zero_() or "
                                  "optimizer.zero_grad()), perhaps because the cell ran twice.",
    "exercises.hint.power_rule": "Your answer is missing the factor the power rule brings down: differentiating a "
                                 "power multiplies by its exponent.",
    "exercises.hint.sign": "Right size, wrong sign: look for a subtraction done the other way round, or a lost minus "
                           "sign.",
    "exercises.hint.transposed": "Your numbers are right but the shape is the transpose: compare your answer's .shape "
                                 "with the shape of the tensor the task asks for.",
    "exercises.hint.grad_overwritten": "`.grad` adds up: after two backward() calls it holds the sum of both "
                                       "gradients, and your answer is what one of the passes gives alone.",
    "exercises.hint.ignored_weights": "Your answer is the gradient of y.sum(): the argument of y.backward(v) weights "
                                      "each entry of y, and your answer ignores the weights.",
    "exercises.hint.gave_weights": "That is the argument you pass to backward(), not its result: the answer is x.grad "
                                   "after the call.",
    "exercises.hint.weights_shape": "The argument of y.backward(v) has the shape of y: one weight for each entry of y.",
    "exercises.hint.one_pass": "Only one backward pass reached .grad. The first backward() frees the graph unless it "
                               "is called with retain_graph=True; then the second pass adds its gradient to the first.",
    "exercises.hint.detach_ignored": "Your answer treats the detached factor as if autograd still followed it: "
                                     "a.detach() is a constant for backward, so only the other factor carries a "
                                     "gradient.",
    "exercises.hint.detach_everything": "A zero gradient means that no path reached a: only the detached factor is a "
                                        "constant, the other one is still recorded.",
    "exercises.hint.local_derivative": "Each node multiplies the gradient that arrives by its local derivative; your "
                                       "answer leaves out one node's local derivative.",
    "exercises.hint.tanh_derivative": "The local derivative of tanh is one minus the square of its output, not the "
                                      "output itself.",
    "exercises.hint.one_path": "a reaches c along more than one path (directly, and through b): add the gradients of "
                               "every path.",
    "exercises.hint.uphill": "Your step went uphill: gradient descent subtracts the learning rate times the gradient.",
    "exercises.hint.no_step": "w has not moved: the update did not happen. Was it applied to w itself, inside "
                              "torch.no_grad()?",
    "exercises.hint.not_leaf": "Your w has a grad_fn: w = w - lr * w.grad made a new tensor that autograd recorded, "
                               "no longer a leaf. Update w in place, inside torch.no_grad().",
    "exercises.hint.detached": "Your w no longer requires grad: it was made anew under torch.no_grad() (or detached), "
                               "so the next step would get no gradient. Change w in place instead.",
    "exercises.hint.zero_grad": "Gradients of the earlier steps were still in .grad: each step needs "
                                "optimizer.zero_grad() before backward().",
    "exercises.hint.step_count": "The number of steps is off: the task takes a set number of steps; count how many "
                                 "times your loop runs.",
    "exercises.hint.grad_output": "Your backward ignores grad_output: it must multiply the local derivative by the "
                                  "gradient that arrives (the chain rule).",
    "exercises.hint.one_grad_per_input": "backward() must return one gradient for each input of forward(), and None "
                                         "for an input that is not a tensor (here the number k).",
    "exercises.hint.first_derivative": "That is the first derivative. For the second, compute the first with "
                                       "create_graph=True, then differentiate it again.",
    "exercises.hint.gradient_not_hvp": "That is the gradient of f. A Hessian-vector product differentiates the dot "
                                       "product of that gradient (made with create_graph=True) and v.",
    "exercises.hint.hessian_diagonal": "Your answer uses only each variable's own second derivative (the Hessian's "
                                       "diagonal): the mixed second derivatives count too.",
    "exercises.hint.broadcast": "pred and target have different shapes, so pred - target broadcast into a square "
                                "matrix and the loss paired every prediction with every target. Compare pred.shape "
                                "and target.shape.",
    "exercises.hint.view_shares": "x did not change, but v is a view of x: writing into v writes into x's numbers.",
    "exercises.hint.overwritten_entry": "The entry you overwrote no longer depends on x: the in-place assignment is "
                                        "recorded too, and its gradient to x is zero.",
    "exercises.hint.no_grad_recorded": "Your answer differentiates through d as well, but d was computed under "
                                       "torch.no_grad(): autograd recorded nothing there, so d is a constant for "
                                       "backward.",
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
    "modules.unknown": "{names}: no such module in this graph; its modules are {modules}",
    "modules.none": "none",
    # <<< issue-13 modules
    # >>> issue-13 launch
    "launch.installed_lessons": "{path} is inside an installed package ({folder}), where a re-run would change "
                                "nbgrad's own files: copy the lessons first with `python -m nbgrad lessons DIR` "
                                "and execute the copies. Nothing was written.",
    "launch.args_without_launch": "arguments after -- go to JupyterLab, which only `lessons` starts (and not with --no-launch)",
    "launch.overwrite": "{path} differs from the shipped lesson (edited?). Overwrite it? [y/N] ",
    "launch.yes": "y yes",
    "launch.copied": "copied",
    "launch.unchanged": "unchanged",
    "launch.replaced": "replaced",
    "launch.kept": "kept",
    # <<< issue-13 launch
    # >>> issue-14 site
    "site.title": "nbgrad: autograd you can watch",
    "site.intro": "Lessons on PyTorch's automatic differentiation, run with nbgrad: read them here, or open them in Jupyter to run them.",
    "site.choose": "Choose a language:",
    "site.lessons": "Lessons",
    "site.docs": "Documentation",
    "site.show_code": "Show the code",
    "site.hide_code": "Hide the code",
    "site.no_docs": ("the site is built with the Sphinx configuration of nbgrad's repository, {folder}/conf.py, "
                     "which is not here: build it from a checkout (git clone, then pip install -e \".[docs]\")"),
    "site.assets_mismatch": "{where} is not {spec} as pinned (its sha512 differs from the npm registry's dist.integrity); nothing was used. Delete it and build again",
    "site.assets_not_in_folder": "{spec} is not in {folder} (no {file}); that folder must hold the npm tarballs, as `{command}` writes them",
    "site.assets_unreachable": "nbgrad needs {spec} for pages that work offline, and it is not in the cache ({cache}) and could not be downloaded from {url} ({error}). Build once with network, or give a folder of the npm tarballs with --assets DIR (`{command}` writes them)",
    "site.built": "site built: open {path}",
    "site.build_failed": "the {language} site did not build (the errors are above): {command} ...",
    # <<< issue-14 site
    # >>> issue-14 lite
    "lite.missing_extra": "building a JupyterLite site needs the lite extra: pip install \"nbgrad[lite]\"",
    "lite.build_failed": "jupyter lite build failed:\n{log}",
    "lite.wheel_failed": "building nbgrad's wheel from the checkout failed:\n{log}",
    "lite.not_installed": "{name} is not installed, and the site bundles it: pip install \"nbgrad[lite]\"",
    "lite.no_pyodide": "no Pyodide distribution (pyodide.mjs with pyodide-lock.json beside it) in {path}",
    "lite.built": "JupyterLite site built in {path}. Serve the folder with any static web server (python -m "
                  "http.server -d {path}) and open its address; opened as a file (file://) it cannot start Python.",
    "lite.no_processes": "this command starts other programs, which Python in the browser (Pyodide, JupyterLite) "
                         "cannot do: run it where Python is installed",
    "lite.out_not_empty": "{path} is not empty and holds no earlier JupyterLite site: choose a new or empty folder",
    # <<< issue-14 lite
}
