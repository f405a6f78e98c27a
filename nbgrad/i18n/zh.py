"""简体中文 (Simplified Chinese): the same keys as ``en.py``, and the ops' derivative rules as ``rule.<OpName>``."""
NAME = "简体中文"

MESSAGES = {
    # >>> issue-13 display
    # <<< issue-13 display
    # >>> issue-13 widgets
    # <<< issue-13 widgets
    # >>> issue-13 exercises
    "exercises.right": "✓ 练习 {id}：正确。",
    "exercises.wrong": "✗ 练习 {id}：还不对。{hint}",
    "exercises.not_yet": "练习 {id}：还没有作答。把你的答案赋给 `answer`，再运行这个单元格。",
    "exercises.unknown": "没有练习“{id}”；现有的练习是 {known}。",
    "exercises.kind.tensor": "一个张量（或一个数、一个数的列表）",
    "exercises.kind.function": "一个 torch.autograd.Function 的子类（或一个以张量为参数的函数）",
    "exercises.error.type": "答案应当是{kind}；你的答案类型是 {got}。",
    "exercises.error.shape": "你的答案形状是 {got}，而练习要求的形状是 {want}。",
    "exercises.error.raised": "运行你的代码时出错，{error}：{text}",
    "exercises.hint.unknown": "数值不对，而且不是本检查器认识的错误：请对照课程逐步检查。",
    "exercises.hint.sum_not_mean": "你的答案大了（元素个数）倍：题目要的是平均值，你求的是和（或者漏了除法）。",
    "exercises.hint.mean_not_sum": "你的答案小了（元素个数）倍：题目要的是和，你求的是平均值。",
    "exercises.hint.accumulated": "你的答案恰好是正确答案的两倍：.grad 会累加，所以 backward() 两次写进了同一个 .grad，"
                                  "中间没有清零（x.grad.zero_() 或 optimizer.zero_grad()），也许是单元格运行了两次。",
    "exercises.hint.power_rule": "你的答案少了幂法则带下来的那个因子：对幂求导时要乘上它的指数。",
    "exercises.hint.sign": "大小对了，符号反了：检查是否有减法写反了方向，或者丢了一个负号。",
    "exercises.hint.transposed": "数值对了，但形状是转置后的：把你的答案的 .shape 与题目所要的张量的形状比较一下。",
    "exercises.hint.grad_overwritten": "`.grad` 会累加：两次 backward() 之后，它保存的是两次梯度之和，"
                                       "而你的答案只是其中一次反向传播的结果。",
    "exercises.hint.ignored_weights": "你的答案是 y.sum() 的梯度：y.backward(v) 的参数给 y 的每个元素加权，"
                                      "而你的答案忽略了这些权重。",
    "exercises.hint.gave_weights": "这是你传给 backward() 的参数，而不是它的结果：答案是调用之后的 x.grad。",
    "exercises.hint.weights_shape": "y.backward(v) 的参数与 y 形状相同：y 的每个元素对应一个权重。",
    "exercises.hint.one_pass": "只有一次反向传播的结果进入了 .grad。第一次 backward() 会释放计算图，除非调用时传入 "
                               "retain_graph=True；这样第二次反向传播的梯度才会加到第一次的上面。",
    "exercises.hint.detach_ignored": "你的答案把 detach 之后的因子当作 autograd 仍在跟踪：a.detach() 在反向传播中是常数，"
                                     "只有另一个因子带有梯度。",
    "exercises.hint.detach_everything": "梯度为零，说明没有任何路径到达 a：只有 detach 之后的因子是常数，"
                                        "另一个因子仍然记录在计算图中。",
    "exercises.hint.local_derivative": "每个节点都要把传来的梯度乘以自己的局部导数；你的答案漏掉了某个节点的局部导数。",
    "exercises.hint.tanh_derivative": "tanh 的局部导数是一减去其输出的平方，而不是输出本身。",
    "exercises.hint.one_path": "a 沿不止一条路径到达 c（直接到达，以及经过 b）：要把每条路径的梯度加起来。",
    "exercises.hint.uphill": "你这一步走向了上坡：梯度下降要减去学习率乘以梯度。",
    "exercises.hint.no_step": "w 没有变化：更新没有发生。它是否在 torch.no_grad() 中作用在 w 本身上？",
    "exercises.hint.not_leaf": "你的 w 有 grad_fn：w = w - lr * w.grad 创建了一个被 autograd 记录的新张量，"
                               "它不再是叶子节点。请在 torch.no_grad() 中原地更新 w。",
    "exercises.hint.detached": "你的 w 不再需要梯度：它是在 torch.no_grad() 中重新创建的（或被 detach 了），"
                               "下一步就得不到梯度。请改为原地修改 w。",
    "exercises.hint.zero_grad": "之前各步的梯度还留在 .grad 里：每一步在 backward() 之前都需要 optimizer.zero_grad()。",
    "exercises.hint.step_count": "步数不对：题目要求固定的步数，数一数你的循环执行了几次。",
    "exercises.hint.grad_output": "你的 backward 忽略了 grad_output：它必须把局部导数乘以传来的梯度（链式法则）。",
    "exercises.hint.one_grad_per_input": "backward() 必须为 forward() 的每个输入各返回一个梯度，"
                                         "不是张量的输入（这里是数 k）返回 None。",
    "exercises.hint.first_derivative": "这是一阶导数。要得到二阶导数，先用 create_graph=True 计算一阶导数，再对它求一次导。",
    "exercises.hint.gradient_not_hvp": "这是 f 的梯度。Hessian 向量积要对这个梯度（用 create_graph=True 求得）"
                                       "与 v 的点积再求一次梯度。",
    "exercises.hint.hessian_diagonal": "你的答案只用了每个变量自身的二阶导数（Hessian 的对角线）：混合二阶导数也要算进去。",
    "exercises.hint.broadcast": "pred 和 target 的形状不同，所以 pred - target 被广播成一个方阵，"
                                "损失把每个预测和每个目标都配了一遍。比较一下 pred.shape 和 target.shape。",
    "exercises.hint.view_shares": "x 没有变化，但 v 是 x 的视图：写入 v 就是写入 x 的数据。",
    "exercises.hint.overwritten_entry": "被你覆盖的那个元素不再依赖 x：原地赋值也会被记录，它对 x 的梯度是零。",
    "exercises.hint.no_grad_recorded": "你的答案把 d 也求了导，但 d 是在 torch.no_grad() 中算出来的：那里 autograd "
                                       "什么也没记录，所以在反向传播中 d 是常数。",
    # <<< issue-13 exercises
    # >>> issue-13 modules
    # <<< issue-13 modules
    # >>> issue-13 launch
    # <<< issue-13 launch
    # >>> issue-13 rules
    # <<< issue-13 rules
}
