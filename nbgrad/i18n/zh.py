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
    "explain.gap": "",
    "explain.why": "原因。",
    "explain.fix": "修法。",
    "explain.backward_twice.why": "为了节省内存，backward() 会释放计算图为它保存的值；对同一张图第二次反向传播时，这些值已经不在了。",
    "explain.backward_twice.fix": ("每次反向传播之前都重新做一遍前向计算（两次之间把 `.grad` 清零）；只有确实需要对同一张图"
                                   "反向传播两次时，才在第一次加上 `retain_graph=True`。"),
    "explain.non_scalar.why": "输出里有好几个数，而 backward() 只对一个数求导：它得去猜怎么把这些数合起来。",
    "explain.non_scalar.fix": ("把输出归约成你想最小化的那个数（`.sum()`、`.mean()`），或者传入一个与输出形状相同的梯度："
                               "`y.backward(torch.ones_like(y))`。"),
    "explain.inplace_saved.why": ("某个原地运算（`+=`、`add_`、`x[i] = ...`）改写了一个被运算保存下来、供反向传播使用的张量："
                                  "它的版本号已经不是保存时的那个了。"),
    "explain.inplace_saved.fix": "改成非原地计算（用 `b = b + 1` 代替 `b += 1`）；报错信息写明了是哪个运算产生了这个张量、又是哪个运算保存了它。",
    "explain.int_requires_grad.why": "梯度衡量的是微小变化带来的影响，而整数没法做微小的变化：整数张量不能要求梯度。",
    "explain.int_requires_grad.fix": "改用浮点数：写 `1.0` 而不是 `1`，传入 `dtype=torch.float32`，或者用 `.float()` 转换。",
    "explain.matmul_shape.why": "矩阵乘法 (m×k) @ (k×n) 要求内侧的两个尺寸相等；报错信息给出了不相等的那两个形状。",
    "explain.matmul_shape.fix": "想清楚哪个矩阵应该转置（`B.T`）或改变形状，让第一个矩阵的列数等于第二个矩阵的行数。",
    "explain.broadcast.why": "逐元素运算会从右往左对齐形状；每一对尺寸必须相等，或者其中一个是 1。报错信息指出了不满足这一点的维度。",
    "explain.broadcast.fix": "在需要被拉伸的地方给较小的张量加一个大小为 1 的维度，例如用 `v.reshape(-1, 1)` 或 `v.unsqueeze(1)` 让它按行对齐。",
    "explain.bad_reshape.why": "reshape 会保留每一个元素，所以新形状容纳的元素个数必须和原张量完全一样。",
    "explain.bad_reshape.fix": "选择乘积等于元素个数的尺寸，或者把某一维写成 `-1`，让它自动算出来。",
    "explain.grad_shape.why": "传给 backward() 的梯度必须和反向传播起点的那个输出形状相同。",
    "explain.grad_shape.fix": "传入一个与输出形状相同的梯度，例如 `y.backward(torch.ones_like(y))`。",
    "explain.leaf_inplace.why": "一个用 requires_grad=True 创建的张量（叶子节点）在自动求导记录期间被原地修改了；把这一步记录下来，它就不再是叶子节点了。",
    "explain.leaf_inplace.fix": "在 `with torch.no_grad():` 里更新权重（优化器就是这么做的），或者不去改动叶子节点，而是生成一个新张量。",
    "explain.numpy_requires_grad.why": "NumPy 数组对梯度一无所知：用它算出的东西自动求导都看不见，所以 PyTorch 要求你明确地离开计算图。",
    "explain.numpy_requires_grad.fix": "先 detach：`t.detach().numpy()`。",
    "explain.non_leaf_grad.why": "只有叶子节点会把梯度留在 `.grad` 里；中间结果的梯度传下去之后就被丢掉了，所以它的 `.grad` 是 None。",
    "explain.non_leaf_grad.fix": "在 backward() 之前调用 `h.retain_grad()` 就能留下它；如果它本该是一个权重，就让它成为叶子节点（先缩放，再 `.requires_grad_()`）。",
    "explain.no_grad_fn.why": "计算里没有任何张量要求梯度（或者计算是在 `no_grad()` 里做的），所以没有记录计算图，结果也就没有 `grad_fn`。",
    "explain.no_grad_fn.fix": "给需要梯度的张量加上 `requires_grad=True`，并且在 `no_grad()` 之外计算损失。",
    "extension.give_expression": "请给出一个表达式，例如 %{magic} loss",
    "extension.invalid_syntax": "{expression} 有语法错误：{error}",
    "extension.expected_tensor": "需要一个 Tensor，得到的却是 {type}",
    "extension.usage": "用法：%nbgrad config [show_graph=True|False]",
    "extension.unknown_option": "未知选项 {name}；可用的选项有：{options}",
    "extension.true_or_false": "{name} 只能是 True 或 False，不能是 {text}",
    "extension.graph_alt": "自动求导计算图",
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
