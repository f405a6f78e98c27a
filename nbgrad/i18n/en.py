"""English: every key of the catalogue (see ``nbgrad/i18n/__init__.py``). Other languages translate these."""
NAME = "English"

MESSAGES = {
    # >>> issue-13 display
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
    # <<< issue-13 launch
}
