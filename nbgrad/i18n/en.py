"""English: every key of the catalogue (see ``nbgrad/i18n/__init__.py``). Other languages translate these."""
NAME = "English"

MESSAGES = {
    # >>> issue-13 display
    # <<< issue-13 display
    # >>> issue-13 widgets
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
    # <<< issue-13 modules
    # >>> issue-13 launch
    # <<< issue-13 launch
}
