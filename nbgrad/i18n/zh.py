"""简体中文 (Simplified Chinese): the same keys as ``en.py``, and the ops' derivative rules as ``rule.<OpName>``."""
NAME = "简体中文"

MESSAGES = {
    # >>> issue-13 display
    # <<< issue-13 display
    # >>> issue-13 widgets
    # <<< issue-13 widgets
    # >>> issue-13 exercises
    # <<< issue-13 exercises
    # >>> issue-13 modules
    "modules.no_model": ("group='module' 需要知道计算图用到的是哪个模型的参数："
                         "请把模型传进来，例如 draw(loss, group='module', model=model)"),
    "modules.bad_group": "group 只能是 None 或 'module'，收到的是 {group}",
    "modules.bad_model": "model 必须是一个 nn.Module，收到的是 {type}",
    "modules.bad_depth": "depth 必须是不小于 1 的整数（1 表示模型的直接子模块），收到的是 {depth}",
    "modules.ops": "运算：{count} 个",
    "modules.grad_norm": "‖梯度‖ {norm}",
    "modules.more_parameters": "…… 另有 {count} 个参数",
    "modules.legend": "模块（nn.Module）",
    "modules.kind": "模块",
    "modules.picker": "模块",
    "modules.open": "展开",
    "modules.open_tooltip": "展开这个模块，看看它由哪些节点组成；或者把它重新收起成一个方框",
    "modules.parameters": "参数",
    "modules.no_parameters": "这个模块在计算图中没有自己的参数",
    "modules.no_grad": "还没有：运行 backward() 之后才会有",
    "modules.made_of": "由计算图中的 {count} 个节点组成，其中 {ops} 个是运算",
    "modules.state": "模块：画成方框的有 {boxes}；已展开的有 {opened}",
    "modules.list_separator": "、",
    "modules.none": "无",
    # <<< issue-13 modules
    # >>> issue-13 launch
    # <<< issue-13 launch
    # >>> issue-13 rules
    # <<< issue-13 rules
}
