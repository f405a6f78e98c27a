"""简体中文 (Simplified Chinese): the same keys as ``en.py``, and the ops' derivative rules as ``rule.<OpName>``."""
NAME = "简体中文"

MESSAGES = {
    # >>> issue-13 display
    "format.empty": "空",
    "format.empty_shape": "空 {shape}",
    "format.all": "全为 {value}",
    "format.all_shape": "{value}（全部 {shape}）",
    "format.true_count": "{count} 个 True",
    "trace.several_outputs": ("nbgrad 目前还不能逐步追踪含有 {node} 的计算图（它是一个有多个输出的节点）；draw() 可以画出它，"
                              "backward() 和 autograd.grad() 也都能处理它"),
    "trace.constant": "常量",
    "trace.a_constant": "一个常量",
    "trace.accumulate_rule": "{leaf}.grad += 到达的梯度（由 apply() 写入，追踪本身不写）",
    "trace.custom_rule": "{output} = {function}({args})；它的导数就是 {function}.backward 算出的结果",
    "trace.custom_derivative": "{function}.backward 算出的结果",
    "trace.is": "{symbol} 是 {value}",
    "trace.are": "{symbol} 是 {value}",
    "trace.where": "{rule}　　其中 {bindings}",
    "trace.list_separator": "，",
    "trace.as": "作为",
    "trace.repr": "<从 {root} 开始的反向传播追踪：共 {count} 步>",
    "trace.already_applied": "这个追踪已经写入过 .grad 了；要再写一次，请重新调用 backward_trace()",
    "trace.head_applied": "从 {root} 开始的反向传播：共 {count} 步，已写入 .grad。",
    "trace.head_pending": "从 {root} 开始的反向传播：共 {count} 步，还没有写入 .grad（调用 .apply() 才会写入）。",
    "trace.step": "第 {index} 步",
    "trace.arrives": "{derivative} 到达：",
    "trace.local": "局部导数 {value}",
    "trace.sends": "送出 {value}",
    "trace.pending": "（待写入）",
    "trace.leaf_gradients": "叶子节点的梯度：{gradients}",
    "trace.none": "无",
    "trace.no_gradient": "没有梯度（常量）",
    "trace.nothing": "无",
    "trace.sum_so_far": "目前累加为 {total}（已到达 {count}/{expected} 份）",
    "trace.complete_total": "已完整：{total}",
    "trace.complete": "已完整",
    "trace.none_yet": "暂无",
    "trace.column_input": "输入",
    "trace.column_local": "局部导数",
    "trace.column_sent": "送出的梯度",
    "trace.column_total": "它的梯度",
    "trace.step_of": "第 {index} 步（共 {count} 步）",
    "trace.gradient_arrives": "{root} 对 {value} 的梯度到达：{gradient}",
    "trace.leaves_so_far": "目前叶子节点的梯度：{gradients}",
    # <<< issue-13 display
    # >>> issue-13 widgets
    # <<< issue-13 widgets
    # >>> issue-13 exercises
    # <<< issue-13 exercises
    # >>> issue-13 modules
    # <<< issue-13 modules
    # >>> issue-13 launch
    # <<< issue-13 launch
    # >>> issue-13 rules
    # <<< issue-13 rules
}
