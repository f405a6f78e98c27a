"""Backward, step by step: the walk ``backward()`` runs, recorded for reading instead of written to ``.grad``.

``backward_trace(out)`` drives the engine's own ``BackwardPass`` over the graph (there is no teaching
copy of the engine) and never commits it, so every ``.grad`` stays as it was and no saved tensor is
freed: the trace can be taken again, and ``backward()`` still works afterwards.  ``Trace.apply()``
writes the leaf gradients, as ``out.backward(retain_graph=True)`` would.

Each step records the node that ran, the gradient that arrived at it, what it sent to each input, how
far each input's sum has got (a value used twice, as in ``b = a + a``, is complete only after both uses
have sent their share: that is why the engine waits for every consumer), the leaf gradients so far,
and the op's derivative rule: as text from the op's docstring, and as LaTeX from the table below with
the operands' names and values filled in.
"""
import html
import inspect
import re
from string import Template

import numpy as np

from ..autograd import _roots
from ..autograd.engine import BackwardPass
from ..autograd.function import AccumulateGrad
from ..autograd.grad_mode import no_grad
from ..ops import elementwise as E, index as I, linalg as L, loss as S, reduce as R, shape as P
from ..tensor import Tensor
from . import graph as G


class _Rule:
    """An op's rule in LaTeX: its output as an expression of its inputs, and the derivative for each input.

    Templates name inputs as the op's ``forward`` does (``$a``, ``$b``, ``$x``...) and may use ``$n``-style
    parameters computed from the node by ``params``.  ``local``: the op's backward applied to ones gives
    each input element's own derivative (true when every input element reaches one output element:
    element-wise ops and reductions), so the step can show it as numbers.
    """

    def __init__(self, expression, *derivatives, local=True, params=None):
        self.expression = Template(expression)
        self.derivatives = tuple(Template(d) for d in derivatives)
        self.local = local
        self.params = params


def _count(shape):
    return int(np.prod(shape, dtype=np.int64))


def _alpha(node):
    return {"alpha": G.number(node.alpha), "scaled": "" if node.alpha == 1 else rf"{G.number(node.alpha)} \cdot "}


def _beta(node):
    beta = G.number(node.beta)
    one = node.beta == 1
    return {"scaled": "" if one else rf"{beta} \cdot ", "inverse": "" if one else rf"\frac{{1}}{{{beta}}} ",
            "β": beta, "threshold": G.number(node.threshold)}


def _reduced(node):
    return {"n": _count([node.self_sym_sizes[d] for d in node.dim])}


def _spread(node):
    shape = node._input_meta[0][0]
    return {"n": _count([shape[d] for d in node.dim]), "c": G.number(node.correction)}


_ONE_WHERE = r"1 \text{ where } "
LATEX = {
    E.Add: _Rule("$a + $scaled$b", "1", "$alpha", params=_alpha),
    E.Sub: _Rule("$a - $scaled$b", "1", "-$alpha", params=_alpha),
    E.Rsub: _Rule("c - $a", "-1"),
    E.Rpow: _Rule("$c^{$a}", r"$c^{$a} \ln $c", params=lambda node: {"c": G.number(node.self)}),
    E.Mul: _Rule(r"$a \cdot $b", "$b", "$a"),
    E.Div: _Rule(r"\frac{$a}{$b}", r"\frac{1}{$b}", r"-\frac{$a}{$b^{2}}"),
    E.Reciprocal: _Rule(r"\frac{1}{$a}", r"-\frac{1}{$a^{2}}"),
    E.Neg: _Rule("-$a", "-1"),
    E.Pow: _Rule("$a^{$n}", r"$n \cdot $a^{$m}",
                 params=lambda node: {"n": G.number(node.exponent), "m": G.number(node.exponent - 1)}),
    E.PowTensor: _Rule("$a^{$b}", r"$b \cdot $a^{$b - 1}", r"$a^{$b} \ln $a"),
    E.Abs: _Rule(r"\lvert $a \rvert", r"\operatorname{sign}($a)"),
    E.Sign: _Rule(r"\operatorname{sign}($a)", "0"),
    E.Exp: _Rule("e^{$a}", "e^{$a}"),
    E.Log: _Rule(r"\ln $a", r"\frac{1}{$a}"),
    E.Log1p: _Rule(r"\ln(1 + $a)", r"\frac{1}{1 + $a}"),
    E.Expm1: _Rule("e^{$a} - 1", "e^{$a}"),
    E.Logaddexp: _Rule(r"\ln(e^{$a} + e^{$b})", r"\sigma($a - $b)", r"\sigma($b - $a)"),
    E.Softplus: _Rule(r"$inverse\ln(1 + e^{$scaled$a}) \text{, or } $a \text{ where } $scaled$a > $threshold",
                      r"\sigma($scaled$a) \text{, or } 1 \text{ where } $scaled$a > $threshold", params=_beta),
    E.Sqrt: _Rule(r"\sqrt{$a}", r"\frac{1}{2\sqrt{$a}}"),
    E.Sin: _Rule(r"\sin $a", r"\cos $a"),
    E.Cos: _Rule(r"\cos $a", r"-\sin $a"),
    E.Tanh: _Rule(r"\tanh $a", r"1 - \tanh^{2} $a"),
    E.Sigmoid: _Rule(r"\sigma($a)", r"\sigma($a)\,\bigl(1 - \sigma($a)\bigr)"),
    E.Relu: _Rule(r"\max($a, 0)", _ONE_WHERE + r"$a > 0 \text{, else } 0"),
    E.Clamp: _Rule(r"\min(\max($a, $lo), $hi)", _ONE_WHERE + r"$lo \le $a \le $hi \text{, else } 0",
                   params=lambda node: {"lo": _bound(node.min, "-"), "hi": _bound(node.max, "")}),
    E.Maximum: _Rule(r"\max($a, $b)", _ONE_WHERE + r"$a > $b \text{, } \tfrac12 \text{ where } $a = $b",
                     _ONE_WHERE + r"$b > $a \text{, } \tfrac12 \text{ where } $a = $b"),
    E.Minimum: _Rule(r"\min($a, $b)", _ONE_WHERE + r"$a < $b \text{, } \tfrac12 \text{ where } $a = $b",
                     _ONE_WHERE + r"$b < $a \text{, } \tfrac12 \text{ where } $a = $b"),
    E.Where: _Rule(r"\operatorname{where}(c, $a, $b)", _ONE_WHERE + "c", _ONE_WHERE + r"\lnot c"),
    E.Clone: _Rule("$a", "1"),
    E.ToCopy: _Rule("$a", "1"),
    E.Fill: _Rule(r"\operatorname{fill}($a)", "0"),
    E.FillTensor: _Rule(r"\operatorname{fill}($a, $v)", "0", r"1 \text{ for each element (the gradients add up)}",
                        local=False),
    E.Zero: _Rule(r"\operatorname{zero}($a)", "0"),
    E.Copy: _Rule(r"$src \text{ written over } $a", "0", "1"),
    I.Index: _Rule(r"$a[\mathit{key}]", r"1 \text{ for each time an element is picked}"),
    I.Select: _Rule(r"$a[\mathit{key}]", r"1 \text{ at the selected elements}"),
    I.Slice: _Rule(r"$a[\mathit{key}]", r"1 \text{ inside the slice}"),
    I.IndexPut: _Rule(r"0 \text{ with } $g \text{ added at } \mathit{key}", r"1 \text{ at } \mathit{key}"),
    I.CopySlices: _Rule(r"$a \text{ with } $a[\mathit{key}] = $v", r"1 \text{ outside } \mathit{key}",
                        r"1 \text{ at } \mathit{key}"),
    L.Dot: _Rule(r"\textstyle\sum_i ${a}_i ${b}_i", "$b", "$a"),
    L.Mv: _Rule("$a $v", r"g\,$v^{\top}", r"$a^{\top} g", local=False),
    L.Mm: _Rule("$a $b", r"G\,$b^{\top}", r"$a^{\top} G", local=False),
    L.Bmm: _Rule("$a $b", r"G\,$b^{\top}", r"$a^{\top} G", local=False),
    L.Addmm: _Rule("$c + $a $b", "1", r"G\,$b^{\top}", r"$a^{\top} G", local=False),
    R.Sum: _Rule(r"\textstyle\sum_i ${a}_i", "1"),
    R.SumDim: _Rule(r"\textstyle\sum_{\mathit{dim}} $a", "1"),
    R.Mean: _Rule(r"\frac{1}{$n} \textstyle\sum_i ${a}_i", r"\frac{1}{$n}",
                  params=lambda node: {"n": _count(node.self_sym_sizes)}),
    R.MeanDim: _Rule(r"\operatorname{mean}_{\mathit{dim}} $a", r"\frac{1}{$n}", params=_reduced),
    R.Var: _Rule(r"\frac{1}{$n - $c} \textstyle\sum_i (${a}_i - \bar{$a})^2", r"\frac{2 ($a - \bar{$a})}{$n - $c}",
                 params=_spread),
    R.Std: _Rule(r"\sqrt{\operatorname{var} $a}", r"\frac{$a - \bar{$a}}{($n - $c) \operatorname{std} $a}",
                 params=_spread),
    R.Max: _Rule(r"\max_i ${a}_i", r"\frac{1}{k} \text{ at each of the } k \text{ maxima}"),
    R.Min: _Rule(r"\min_i ${a}_i", r"\frac{1}{k} \text{ at each of the } k \text{ minima}"),
    R.Amax: _Rule(r"\max_{\mathit{dim}} $a", r"\frac{1}{k} \text{ at each of the } k \text{ maxima}"),
    R.Amin: _Rule(r"\min_{\mathit{dim}} $a", r"\frac{1}{k} \text{ at each of the } k \text{ minima}"),
    R.MaxDim: _Rule(r"\max_{\mathit{dim}} $a", r"1 \text{ at the index returned, else } 0"),
    R.MinDim: _Rule(r"\min_{\mathit{dim}} $a", r"1 \text{ at the index returned, else } 0"),
    R.Prod: _Rule(r"\textstyle\prod_i ${a}_i", r"\textstyle\prod_{j \ne i} ${a}_j"),
    R.ProdDim: _Rule(r"\textstyle\prod_{\mathit{dim}} $a", r"\textstyle\prod_{j \ne i} ${a}_j"),
    R.Logsumexp: _Rule(r"\ln \textstyle\sum_{\mathit{dim}} e^{$a}", r"e^{$a - \mathrm{result}}"),
    R.Softmax: _Rule(r"\frac{e^{${a}_i}}{\sum_j e^{${a}_j}}",
                     r"s_i (g_i - \textstyle\sum_j g_j s_j) \text{ (with } g\text{)}", local=False),
    R.LogSoftmax: _Rule(r"${a}_i - \log \textstyle\sum_j e^{${a}_j}",
                        r"g_i - \operatorname{softmax}($a)_i \textstyle\sum_j g_j \text{ (with } g\text{)}",
                        local=False),
    P.View: _Rule(r"\operatorname{view}($a)", "1"),
    P.Transpose: _Rule(r"$a^{\top}", "1"),
    P.T: _Rule(r"$a^{\top}", "1"),
    P.Permute: _Rule(r"\operatorname{permute}($a)", "1"),
    P.Squeeze: _Rule(r"\operatorname{squeeze}($a)", "1"),
    P.SqueezeDim: _Rule(r"\operatorname{squeeze}($a)", "1"),
    P.Unsqueeze: _Rule(r"\operatorname{unsqueeze}($a)", "1"),
    P.Expand: _Rule(r"\operatorname{expand}($a)", r"1 \text{ (the copies' gradients add up)}", local=False),
    P.Cat: _Rule(r"\operatorname{cat}($tensors)", r"1 \text{ on its own slice}"),
    P.Stack: _Rule(r"\operatorname{stack}($tensors)", r"1 \text{ on its own slice}"),
    S.MseLoss: _Rule(r"\operatorname{mean}(($x - $y)^2)", r"\frac{2 ($x - $y)}{n}", r"-\frac{2 ($x - $y)}{n}"),
    S.BinaryCrossEntropyWithLogits: _Rule(
        r"\operatorname{reduce}\bigl(w\,[(1 - $y)\,$x + c \log(1 + e^{-$x})]\bigr),\ c = 1 + (p - 1)\,$y",
        r"w\,\bigl(c\,\sigma($x) - p\,$y\bigr)", r"w\,\bigl((p - 1) \log(1 + e^{-$x}) - $x\bigr)"),
    S.NllLoss: _Rule(r"-\operatorname{mean}_i\, $logp[i, t_i]", r"-\frac{w}{W} \text{ at each target}"),
}


def _bound(value, sign):
    return rf"{sign}\infty" if value is None else G.number(value)


class Step:
    """One node of the backward pass, as a record.

    ``index``; ``node`` (the grad_fn or AccumulateGrad that ran) and ``op`` (its name); ``node_id`` (its id
    in ``to_networkx``: the op, or the leaf's value for AccumulateGrad); ``value_id`` and ``output`` (the
    id and label of the value whose gradient arrived); ``grad_output`` (that gradient, a Tensor);
    ``grad_inputs`` (what was sent to each entry of ``node.next_functions``, None where nothing flows);
    ``input_ids`` and ``inputs`` (ids and labels of those inputs); ``local`` (each input's local
    derivative as an array, where the rule gives one element by element, else None); ``sums`` (for each
    input: its gradient summed so far, how many of its consumers have sent theirs, and how many it has);
    ``accumulated`` (leaf label -> gradient for the leaves reached so far); ``rule`` and ``rule_latex``.
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __repr__(self):
        return f"Step(index={self.index}, op={self.op!r}, output={self.output!r})"


class Trace:
    """The steps of one backward pass (a sequence of ``Step``), and ways to read them.

    Nothing is written to ``.grad`` unless you call ``apply()``.
    """

    def __init__(self, tensor, gradient=None, *, names=None):
        roots = _roots((tensor,), None if gradient is None else (gradient,))
        self.root = tensor
        self.walk = G.Walk(tensor, names)  # after _roots: a leaf's AccumulateGrad exists by now
        self._pass = BackwardPass(roots)
        self.applied = False
        self.steps = self._record()

    # ----- recording -----
    def _record(self):
        walk = self.walk
        consumers = {}  # value id -> how many op inputs it fills (each sends one gradient)
        for inputs in walk.inputs.values():
            for value_id in inputs:
                consumers[value_id] = consumers.get(value_id, 0) + 1
        sums, arrived, leaves, steps = {}, {}, {}, []
        for raw in self._pass:
            node = raw.node
            value_id = walk.value_ids[node]
            if type(node) is AccumulateGrad:
                leaves[value_id] = raw.grad_output
                node_id, input_ids = value_id, ()
            else:
                node_id = walk.op_ids[node]
                input_ids = walk.inputs[node_id]
            step_sums = []
            for value, grad in zip(input_ids, raw.grad_inputs):
                if walk.nodes[value]["kind"] == "constant":
                    step_sums.append(None)
                    continue
                arrived[value] = arrived.get(value, 0) + 1
                if grad is not None:
                    sums[value] = sums[value] + grad._data if value in sums else grad._data.copy()
                step_sums.append((sums.get(value), arrived[value], consumers[value]))
            steps.append(Step(
                index=raw.index, node=node, op=node.name(), node_id=node_id, value_id=value_id,
                output=self.label(value_id), grad_output=raw.grad_output, grad_inputs=raw.grad_inputs,
                input_ids=input_ids, inputs=tuple(self.label(v) for v in input_ids),
                local=self._local(node, raw.grad_output, input_ids), sums=tuple(step_sums),
                accumulated={self.label(v): g for v, g in leaves.items()},
            ))
            steps[-1].rule, steps[-1].rule_latex = self._rule(steps[-1])
        return steps

    def label(self, value_id):
        """A value's label; else "constant", or its id for an unnamed tensor deep in the graph."""
        attrs = self.walk.nodes[value_id]
        return attrs["label"] or ("constant" if attrs["kind"] == "constant" else value_id)

    def _latex(self, value_id):
        return self.walk.latex.get(value_id) or rf"\mathrm{{{self.label(value_id)}}}"

    def _local(self, node, grad_output, input_ids):
        """Each input's local derivative, from the op's own backward rule applied to ones."""
        rule = LATEX.get(getattr(node, "_function", None))
        if rule is None or not rule.local:
            return (None,) * len(input_ids)
        with no_grad():
            raw = node.apply(Tensor._make(np.ones_like(grad_output._data)))
        raw = raw if isinstance(raw, tuple) else (raw,)
        out = []
        for k, value_id in enumerate(input_ids):
            g = raw[node._positions[k]]
            out.append(g._data if g is not None and self.walk.nodes[value_id]["kind"] != "constant" else None)
        return tuple(out)

    def _rule(self, step):
        """The op's rule as (text, LaTeX), with the operands' names, the parameters and the numbers filled in."""
        node, out = step.node, self._operand_text(step.value_id)
        if type(node) is AccumulateGrad:
            text = f"{out}.grad += the gradient that arrives (written by apply(), not by the trace)"
            leaf = self._latex(step.value_id)
            root = self._latex(self.walk.root_id)
            latex = rf"{leaf}.\mathrm{{grad}} \mathrel{{+}}= \frac{{\partial {root}}}{{\partial {leaf}}}"
            return text, latex
        function, rule = node._function, LATEX.get(node._function)
        symbols = self._symbols(node, step.input_ids)
        params = {k: str(v) for k, v in (rule.params(node) if rule is not None and rule.params else {}).items()}
        text = self._rule_text(function, step.value_id, symbols, params)
        return text, self._rule_latex(step, rule, symbols, params)

    @staticmethod
    def _symbols(node, input_ids):
        """[(symbol, value id)] for each input, the symbol being the name ``forward`` gives that argument."""
        params = list(inspect.signature(node._function.forward).parameters.values())[1:]
        star = next((i for i, p in enumerate(params) if p.kind is p.VAR_POSITIONAL), len(params))
        return [(params[min(node._positions[k], star)].name, value_id) for k, value_id in enumerate(input_ids)]

    @staticmethod
    def _bind(symbols, show):
        """symbol -> the operands it stands for, shown by ``show`` (the inputs of ``*tensors`` share one)."""
        bound = {}
        for symbol, value_id in symbols:
            bound.setdefault(symbol, []).append(show(value_id))
        return bound

    def _rule_text(self, function, value_id, symbols, params):
        """The docstring's rule in its own letters, then which of the user's values each letter stands for.

        The user's values are in backquotes (`b`), so that they are never mistaken for the rule's letters
        when they are named alike: "`c` = a · b;  ∂`c`/∂a = b,  ∂`c`/∂b = a   where a is `b`, b is `a`".
        """
        doc = (inspect.getdoc(function) or "").split("\n")[0].replace("``", "")
        if not (function._builtin and doc):  # a user's Function: its name is all we know of its maths
            args = ", ".join(self._operand_text(v) for _, v in symbols)
            out = self._operand_text(value_id)
            return f"{out} = {function.__name__}({args}); its derivative is what {function.__name__}.backward computes"
        out = self._named(value_id)
        where = [f"{_doc_symbol(doc, symbol)} {'is' if len(shown) == 1 else 'are'} {', '.join(shown)}"
                 for symbol, shown in self._bind(symbols, self._named).items()]
        where += [f"{k} = {v}" for k, v in params.items() if _doc_symbol(doc, k, strict=True)]
        return f"{out} = {doc.replace('∂/∂', f'∂{out}/∂')}   where {', '.join(where)}"

    def _rule_latex(self, step, rule, symbols, params):
        mapping = {**params, **{k: ", ".join(v) for k, v in self._bind(symbols, self._operand_latex).items()}}
        if rule is None:
            name = G.latex_escape(step.node._function.__name__)
            expression = rf"\operatorname{{{name}}}({', '.join(self._operand_latex(v) for _, v in symbols)})"
            derivatives = [rf"\text{{what {name}.backward computes}}"]
        else:
            expression = rule.expression.safe_substitute(mapping)
            derivatives = [d.safe_substitute(mapping) for d in rule.derivatives]
        out = self._operand_latex(step.value_id)
        named = self.walk.nodes[step.value_id]["name"] is not None or not self.walk.latex.get(step.value_id)
        parts = [f"{out} = {expression}" if named else expression]
        repeated = {v for _, v in symbols if sum(1 for _, u in symbols if u == v) > 1}
        for k, (symbol, value_id) in enumerate(symbols):
            if self.walk.nodes[value_id]["kind"] == "constant":
                continue
            derivative = derivatives[min(k, len(derivatives) - 1)]
            local = step.local[k]
            if local is not None:
                flat = local.reshape(-1)
                number = G.number(flat[0]) if flat.size and (flat == flat[0]).all() else G.summary(local)
                if number != derivative:
                    derivative += rf" = {number}" if number == G.number(flat[0]) else rf" = {_text(number)}"
            which = rf"\ \text{{(as }}{symbol}\text{{)}}" if value_id in repeated else ""
            parts.append(rf"\frac{{\partial {out}}}{{\partial {self._operand_latex(value_id)}}}{which} = {derivative}")
        return r",\qquad ".join(parts)

    def _operand_text(self, value_id):
        """A value inside a formula: its label, bracketed if it is an expression (``(y*y)``)."""
        return f"({self.label(value_id)})" if self._is_expression(value_id) else self.label(value_id)

    def _named(self, value_id):
        """A value in a rule's text: the user's label in backquotes, never to be read as one of the rule's letters."""
        attrs = self.walk.nodes[value_id]
        return "a constant" if attrs["kind"] == "constant" and not attrs["label"] else f"`{self.label(value_id)}`"

    def _operand_latex(self, value_id):
        latex = self._latex(value_id)
        return rf"\left({latex}\right)" if self._is_expression(value_id) else latex

    def _is_expression(self, value_id):
        attrs = self.walk.nodes[value_id]
        return attrs["name"] is None and attrs["kind"] in ("intermediate", "output") and bool(attrs["label"])

    # ----- reading -----
    def __len__(self):
        return len(self.steps)

    def __getitem__(self, i):
        return self.steps[i]

    def __iter__(self):
        return iter(self.steps)

    def __repr__(self):
        return f"<Trace of the backward pass from {self.label(self.walk.root_id)}: {len(self.steps)} steps>"

    def gradients(self, step=None):
        """value id -> gradient (ndarray) known after ``step`` (default: the end), partial sums included."""
        last = len(self.steps) - 1 if step is None else range(len(self.steps))[step]
        grads = {}
        for s in self.steps[:last + 1]:
            grads[s.value_id] = s.grad_output._data
            for value_id, entry in zip(s.input_ids, s.sums):
                if entry is not None and entry[0] is not None:
                    grads[value_id] = entry[0]
        return grads

    def graph(self, step=None):
        """The graph (as ``to_networkx`` makes it: same ids and labels) with the gradients known after ``step``.

        For a picture of one step: ``draw(trace.graph(i), highlight=trace[i].node)``.
        """
        graph = G.digraph(self.walk)
        G._set_grads(graph, self.gradients(step))
        return graph

    def apply(self):
        """Write the leaf gradients into ``.grad`` (accumulating, as ``backward(retain_graph=True)`` does); once."""
        if self.applied:
            raise RuntimeError(
                "this trace has already been applied to .grad; take a new backward_trace() to apply again")
        self._pass.commit(retain_graph=True)
        self.applied = True

    # ----- rendering -----
    def to_text(self):
        """The whole pass as a plain-text table: one block per step, one line per input."""
        head = f"Backward pass from {self.label(self.walk.root_id)}: {len(self.steps)} steps, " + (
            "applied to .grad." if self.applied else "nothing written to .grad (call .apply() to write it).")
        rows = []  # (first column, rest of the columns)
        for s in self.steps:
            rows.append((f"step {s.index + 1}", [s.op, s.rule]))  # counted from 1, as the stepper counts
            arrives = f"∂{self._operand_text(self.walk.root_id)}/∂{self._operand_text(s.value_id)} arrives:"
            rows.append(("", [arrives, G.summary(s.grad_output._data)]))
            for k in range(len(s.input_ids)):
                label, local, sent, status = self._send_columns(s, k)
                rows.append(("", [f"→ {label}", local and f"local {local}", sent and f"sends {sent}", status]))
            if type(s.node) is AccumulateGrad:
                rows.append(("", [f"{s.output}.grad += {G.summary(s.grad_output._data)}", "(pending)"]))
        widths = {}
        for _, cols in rows:
            if len(cols) > 2:
                for i, c in enumerate(cols[:-1]):
                    widths[i] = max(widths.get(i, 0), len(c))
        first = max(len(f) for f, _ in rows) if rows else 0
        lines = [head, ""]
        for lead, cols in rows:
            if len(cols) > 2:
                text = "  ".join(c.ljust(widths[i]) if i < len(cols) - 1 else c for i, c in enumerate(cols))
            else:
                text = "  ".join(cols)
            lines.append(f"{lead.ljust(first)}  {text}".rstrip())
        final = self.steps[-1].accumulated if self.steps else {}
        lines += ["", "leaf gradients: " + (", ".join(f"{k} = {G.summary(v._data)}" for k, v in final.items())
                                            or "none")]
        return "\n".join(lines)

    def _send_columns(self, s, k):
        """(input label, local derivative, gradient sent, how far the input's sum has got) as text."""
        label = s.inputs[k]
        if s.sums[k] is None:
            return label, "", "", "no gradient (a constant)"
        total, count, expected = s.sums[k]
        local = "" if s.local[k] is None else G.summary(s.local[k])
        grad = s.grad_inputs[k]
        sent = "nothing" if grad is None else G.summary(grad._data)
        if count < expected:
            status = f"sum so far {G.summary(total)} ({count} of {expected} arrived)"
        else:
            status = f"complete: {G.summary(total)}" if expected > 1 else "complete"
        return label, local, sent, status

    def __str__(self):
        return self.to_text()

    def _repr_pretty_(self, printer, cycle):
        printer.text(self.to_text())  # in a notebook, showing a trace shows the whole table

    def step_html(self, i):
        """One step as HTML (MathJax ``$...$`` for the rule); every user string escaped, no scripts."""
        s = self.steps[i]
        e = html.escape
        root = self.label(self.walk.root_id)
        rows = []
        for k in range(len(s.input_ids)):
            cells = self._send_columns(s, k)
            rows.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
        leaves = ", ".join(f"{e(k)} = {e(G.summary(v._data))}" for k, v in s.accumulated.items()) or "none yet"
        table = ""
        if rows:
            table = ("<table class='nbgrad-step-table'><thead><tr><th>input</th><th>local derivative</th>"
                     "<th>gradient sent</th><th>its gradient</th></tr></thead><tbody>" + "".join(rows)
                     + "</tbody></table>")
        return (
            "<div class='nbgrad-step'>"
            f"<div class='nbgrad-step-title'><b>Step {s.index + 1} of {len(self.steps)}</b>: "
            f"<code>{e(s.op)}</code></div>"
            f"<div class='nbgrad-step-arrives'>The gradient of {e(root)} with respect to {e(s.output)} arrives: "
            f"{e(G.summary(s.grad_output._data))}</div>"
            f"<div class='nbgrad-step-rule'>${e(s.rule_latex)}$</div>"
            f"<div class='nbgrad-step-rule-text'>{e(s.rule)}</div>"
            f"{table}"
            f"<div class='nbgrad-step-leaves'>Leaf gradients so far: {leaves}</div>"
            "</div>"
        )


def _doc_symbol(doc, symbol, strict=False):
    """The letter the docstring uses for an argument: ``a``, or ``A`` where it writes matrices in capitals.

    ``strict``: None when the docstring does not use the symbol at all.
    """
    # the capital first: "A v for a matrix and a vector" also holds the article "a"
    for candidate in (symbol.upper(), symbol):
        if re.search(rf"(?<![A-Za-z]){re.escape(candidate)}(?![A-Za-z])", doc):
            return candidate
    return None if strict else symbol


def _text(summary):
    """One of our summaries (``3 (all 2×2)``) in a formula; it holds no user text and no LaTeX specials."""
    return rf"\text{{{summary}}}"


def backward_trace(tensor, gradient=None, *, names=None):
    """The steps of ``tensor.backward(gradient)`` as a ``Trace``, without touching any ``.grad``.

    ``names``: a dict or namespace naming tensors (in a notebook, your variables name them already).
    The graph is kept (as with ``retain_graph=True``), so you can trace again, or call ``backward()``.
    """
    return Trace(tensor, gradient, names=names)
