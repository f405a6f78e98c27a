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
    # <<< issue-13 display
    # >>> issue-13 widgets
    # <<< issue-13 widgets
    # >>> issue-13 exercises
    # <<< issue-13 exercises
    # >>> issue-13 modules
    # <<< issue-13 modules
    # >>> issue-13 launch
    # <<< issue-13 launch
}
