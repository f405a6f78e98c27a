"""Backward, step by step: the walk ``backward()`` runs, recorded for reading instead of written to ``.grad``.

``backward_trace(out)`` drives the engine's own ``BackwardPass`` over the graph (there is no teaching
copy of the engine) and never commits it, so every ``.grad`` stays as it was and no saved tensor is
freed: the trace can be taken again, and ``backward()`` still works afterwards.  ``Trace.apply()``
writes the leaf gradients, as ``out.backward(retain_graph=True)`` would.

Each step records the node that ran, the gradient that arrived at it, what it sent to each input, how
far each input's sum has got (a value used twice, as in ``b = a + a``, is complete only after both uses
have sent their share: that is why the engine waits for every consumer; the engine records those partial
sums), the leaf gradients so far, and the op's derivative rule (its ``rule`` field, see ``nbgrad/ops``) in
words and in LaTeX, with the operands' names and values filled in.
"""
import html
import inspect
import unicodedata
from string import Template

from .. import ones_like
from ..autograd import backward_pass, no_grad
from ..autograd.function import AccumulateGrad
from ..autograd.graph import inputs_of, op_of
from ..i18n import get_language, message, rule_latex, rule_text
from .formatting import latex_escape, literal, number, summary
from .graph import digraph, set_grads
from .walk import Walk


class Step:
    """One node of the backward pass, as a record.

    ``index``; ``node`` (the grad_fn or AccumulateGrad that ran) and ``op`` (its name); ``node_id`` (its id
    in ``to_networkx``: the op, or the leaf's value for AccumulateGrad); ``value_id`` and ``output`` (the
    id and label of the value whose gradient arrived); ``grad_output`` (that gradient, a Tensor);
    ``grad_inputs`` (what was sent to each entry of ``node.next_functions``, None where nothing flows);
    ``input_ids`` and ``inputs`` (ids and labels of those inputs); ``local`` (each input's local
    derivative as an array, where the rule gives one element by element, else None); ``sums`` (for each
    input: its gradient summed so far, how many of its consumers have sent theirs, and how many it has);
    ``accumulated`` (leaf label -> gradient for the leaves reached so far); ``rule`` (plain text, the user's
    names in backquotes), ``rule_html`` (the same, names as ``<code>``) and ``rule_latex``.
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
        self._pass = backward_pass(tensor, gradient, record_sums=True)  # checks tensor and gradient first
        self.root = tensor
        self.walk = Walk(tensor, names)
        if self.walk.several is not None:  # a step is one node making one value: a node of several is not drawn
            raise NotImplementedError(message("trace.several_outputs", node=self.walk.several.name()))
        self.applied = False
        self._columns = {}
        self.steps = self._record()

    # ----- recording -----
    def _record(self):
        walk = self.walk
        leaves, steps = {}, []
        for raw in self._pass:
            node, grad_output = raw.node, raw.grad_output  # each read makes a new Tensor: read it once
            value_id = walk.value_ids[(node, 0)]
            if type(node) is AccumulateGrad:
                leaves[value_id] = grad_output
                node_id, input_ids = value_id, ()
            else:
                node_id = walk.op_ids[node]
                input_ids = walk.inputs[node_id]
            sums = tuple(None if entry is None else (_array(entry[0]), entry[1], entry[2])
                         for entry in raw.sums)
            steps.append(Step(
                index=raw.index, node=node, op=node.name(), node_id=node_id, value_id=value_id,
                output=self.label(value_id), grad_output=grad_output, grad_inputs=raw.grad_inputs,
                input_ids=input_ids, inputs=tuple(self.label(v) for v in input_ids),
                local=self._local(node, grad_output, input_ids), sums=sums,
                accumulated={self.label(v): g for v, g in leaves.items()},
            ))
            steps[-1].rule, steps[-1].rule_html, steps[-1].rule_latex = self._rule(steps[-1])
        return steps

    def label(self, value_id):
        """A value's label; else "constant", or its id for an unnamed tensor deep in the graph."""
        attrs = self.walk.nodes[value_id]
        return attrs["label"] or (message("trace.constant") if attrs["kind"] == "constant" else value_id)

    def _latex(self, value_id):
        return self.walk.latex.get(value_id) or rf"\mathrm{{{self.label(value_id)}}}"

    def _local(self, node, grad_output, input_ids):
        """Each input's local derivative, from the op's own backward rule applied to ones."""
        rule = getattr(op_of(node), "rule", None)
        if rule is None or not rule.local:
            return (None,) * len(input_ids)
        with no_grad():
            raw = node.apply(ones_like(grad_output))
        raw = raw if isinstance(raw, tuple) else (raw,)
        out = []
        for value_id, given in zip(input_ids, inputs_of(node)):
            g = raw[given.position]
            out.append(_array(g) if self.walk.nodes[value_id]["kind"] != "constant" else None)
        return tuple(out)

    def _rule(self, step):
        """The op's rule as (text, HTML, LaTeX), with the operands' names, the parameters and the numbers filled in."""
        node = step.node
        if type(node) is AccumulateGrad:
            leaf = self._latex(step.value_id)
            root = self._latex(self.walk.root_id)
            latex = rf"{leaf}.\mathrm{{grad}} \mathrel{{+}}= \frac{{\partial {root}}}{{\partial {leaf}}}"
            text = message("trace.accumulate_rule", leaf=self._operand_text(step.value_id))
            return text, html.escape(text), latex
        function = op_of(node)
        rule = function.rule
        symbols = self._symbols(node, step.input_ids)
        given = rule.params(node, literal) if rule is not None and rule.params else {}
        params = {k: str(v) for k, v in given.items()}
        text, rule_html = (self._rule_text(function, rule, step.value_id, symbols, params, *spelling)
                           for spelling in _SPELLINGS)
        return text, rule_html, self._rule_latex(step, rule, symbols, params)

    @staticmethod
    def _symbols(node, input_ids):
        """[(symbol, value id)] for each input, the symbol being the name ``forward`` gives that argument."""
        params = list(inspect.signature(op_of(node).forward).parameters.values())[1:]
        star = next((i for i, p in enumerate(params) if p.kind is p.VAR_POSITIONAL), len(params))
        return [(params[min(given.position, star)].name, value_id)
                for given, value_id in zip(inputs_of(node), input_ids)]

    @staticmethod
    def _bind(symbols, show):
        """symbol -> the operands it stands for, shown by ``show`` (the inputs of ``*tensors`` share one)."""
        bound = {}
        for symbol, value_id in symbols:
            bound.setdefault(symbol, []).append(show(value_id))
        return bound

    def _rule_text(self, function, rule, value_id, symbols, params, name, words):
        """The op's rule in its own letters, then which of the user's values each letter stands for.

        The user's values are set apart (``name``: in backquotes in plain text, ``<code>`` in HTML) so that
        they are never mistaken for the rule's letters when they are named alike:
        "`c` = a · b;  ∂`c`/∂a = b,  ∂`c`/∂b = a   where a is `b`, b is `a`". ``words`` escapes our own text.
        """
        if rule is None:  # a user's Function: its name is all we know of its maths
            args = ", ".join(self._operand_text(v) for _, v in symbols)
            return words(message("trace.custom_rule", output=self._operand_text(value_id),
                                 function=function.__name__, args=args))
        out = self._named(value_id, name, words)
        separator = message("trace.list_separator")
        where = [message("trace.is" if len(shown) == 1 else "trace.are", symbol=words(symbol),
                         value=separator.join(shown))
                 for symbol, shown in self._bind(symbols, lambda v: self._named(v, name, words)).items()]
        where += [words(f"{k} = {v}") for k, v in params.items() if not k.startswith("_")]  # _name: LaTeX
        rule_words = words(rule_text(function)).replace("∂/∂", f"∂{out}/∂")
        return message("trace.where", rule=f"{out} = {rule_words}", bindings=separator.join(where))

    def _rule_latex(self, step, rule, symbols, params):
        mapping = {**params, **{k: ", ".join(v) for k, v in self._bind(symbols, self._operand_latex).items()}}
        if rule is None or not rule.latex:  # a user's Function: its name is all we know of its maths
            name = latex_escape(op_of(step.node).__name__)
            expression = rf"\operatorname{{{name}}}({', '.join(self._operand_latex(v) for _, v in symbols)})"
            computes = message("trace.custom_derivative", function=op_of(step.node).__name__)
            derivatives = [rf"\text{{{latex_escape(computes)}}}"]
        else:
            expression, *derivatives = (Template(t).safe_substitute(mapping) for t in rule_latex(op_of(step.node)))
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
                same = flat.size and (flat == flat[0]).all()
                shown = number(flat[0]) if same else summary(local)
                if not (same and literal(flat[0].item()) == derivative):  # "= 1" once, not "= 1 = 1."
                    derivative += rf" = {shown}" if same else rf" = {_text(shown)}"
            which = rf"\ \text{{({message('trace.as')} }}{symbol}\text{{)}}" if value_id in repeated else ""
            parts.append(rf"\frac{{\partial {out}}}{{\partial {self._operand_latex(value_id)}}}{which} = {derivative}")
        return r",\qquad ".join(parts)

    def _operand_text(self, value_id):
        """A value inside a formula: its label, bracketed if it is an expression (``(y*y)``)."""
        return f"({self.label(value_id)})" if self._is_expression(value_id) else self.label(value_id)

    def _named(self, value_id, name, words):
        """A value in a rule's text, set apart by ``name`` (see ``_SPELLINGS``): never read as a rule's letter."""
        attrs = self.walk.nodes[value_id]
        if attrs["kind"] == "constant" and not attrs["label"]:
            return words(message("trace.a_constant"))
        return name(self.label(value_id))

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
        return message("trace.repr", root=self.label(self.walk.root_id), count=len(self.steps))

    def gradients(self, step=None):
        """value id -> gradient (ndarray) known after ``step`` (default: the end), partial sums included."""
        last = len(self.steps) - 1 if step is None else range(len(self.steps))[step]
        grads = {}
        for s in self.steps[:last + 1]:
            grads[s.value_id] = _array(s.grad_output)
            for value_id, entry in zip(s.input_ids, s.sums):
                if entry is not None and entry[0] is not None:
                    grads[value_id] = entry[0]
        return grads

    def graph(self, step=None):
        """The graph (as ``to_networkx`` makes it: same ids and labels) with the gradients known after ``step``.

        For a picture of one step: ``draw(trace.graph(i), highlight=trace[i].node)``.
        """
        graph = digraph(self.walk)
        set_grads(graph, self.gradients(step))
        return graph

    def apply(self):
        """Write the leaf gradients into ``.grad`` (accumulating, as ``backward(retain_graph=True)`` does); once."""
        if self.applied:
            raise RuntimeError(message("trace.already_applied"))
        self._pass.commit(retain_graph=True)
        self.applied = True

    # ----- rendering -----
    def to_text(self):
        """The whole pass as a plain-text table: one block per step, one line per input."""
        root = self.label(self.walk.root_id)
        head = message("trace.head_applied" if self.applied else "trace.head_pending", root=root, count=len(self.steps))
        rows = []  # (first column, rest of the columns)
        for s in self.steps:
            rows.append((message("trace.step", index=s.index + 1), [s.op, s.rule]))  # from 1, as the stepper counts
            derivative = f"∂{self._operand_text(self.walk.root_id)}/∂{self._operand_text(s.value_id)}"
            rows.append(("", [message("trace.arrives", derivative=derivative), summary(_array(s.grad_output))]))
            for k in range(len(s.input_ids)):
                label, local, sent, status = self._send_columns(s, k)
                rows.append(("", [f"→ {label}", local and message("trace.local", value=local),
                                  sent and message("trace.sends", value=sent), status]))
            if type(s.node) is AccumulateGrad:
                rows.append(("", [f"{s.output}.grad += {summary(_array(s.grad_output))}", message("trace.pending")]))
        widths = {}
        for _, cols in rows:
            if len(cols) > 2:
                for i, c in enumerate(cols[:-1]):
                    widths[i] = max(widths.get(i, 0), _width(c))
        first = max(_width(f) for f, _ in rows) if rows else 0
        lines = [head, ""]
        for lead, cols in rows:
            if len(cols) > 2:
                text = "  ".join(_pad(c, widths[i]) if i < len(cols) - 1 else c for i, c in enumerate(cols))
            else:
                text = "  ".join(cols)
            lines.append(f"{_pad(lead, first)}  {text}".rstrip())
        final = self.steps[-1].accumulated if self.steps else {}
        gradients = message("trace.list_separator").join(f"{k} = {summary(_array(v))}" for k, v in final.items())
        lines += ["", message("trace.leaf_gradients", gradients=gradients or message("trace.none"))]
        return "\n".join(lines)

    def _send_columns(self, s, k):
        """(input label, local derivative, gradient sent, how far the input's sum has got) as text; made once
        per language (the table and each step's HTML show the same), summaries being most of a trace's cost."""
        key = (s.index, k, get_language())
        if key not in self._columns:
            self._columns[key] = self._make_send_columns(s, k)
        return self._columns[key]

    def _make_send_columns(self, s, k):
        label = s.inputs[k]
        if s.sums[k] is None:
            return label, "", "", message("trace.no_gradient")
        total, count, expected = s.sums[k]
        local = "" if s.local[k] is None else summary(s.local[k])
        grad = s.grad_inputs[k]
        sent = message("trace.nothing") if grad is None else summary(_array(grad))
        if count < expected:
            status = message("trace.sum_so_far", total=summary(total), count=count, expected=expected)
        else:
            status = (message("trace.complete_total", total=summary(total)) if expected > 1
                      else message("trace.complete"))
        return label, local, sent, status

    def __str__(self):
        return self.to_text()

    def _repr_pretty_(self, printer, cycle):
        printer.text(self.to_text())  # in a notebook, showing a trace shows the whole table

    def step_html(self, i):
        """One step as HTML (MathJax ``$...$`` for the rule); every user string escaped, no scripts."""
        s = self.steps[i]
        e = html.escape
        rows = []
        for k in range(len(s.input_ids)):
            cells = self._send_columns(s, k)
            rows.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
        leaves = message("trace.list_separator").join(
            f"{e(k)} = {e(summary(_array(v)))}" for k, v in s.accumulated.items()) or e(message("trace.none_yet"))
        table = ""
        if rows:
            heads = "".join(f"<th>{e(message(key))}</th>" for key in
                            ("trace.column_input", "trace.column_local", "trace.column_sent", "trace.column_total"))
            table = (f"<table class='nbgrad-step-table'><thead><tr>{heads}</tr></thead><tbody>{''.join(rows)}"
                     "</tbody></table>")
        title = message("trace.step_of", index=s.index + 1, count=len(self.steps))
        arrives = message("trace.gradient_arrives", root=e(self.label(self.walk.root_id)), value=e(s.output),
                          gradient=e(summary(_array(s.grad_output))))
        return (
            "<div class='nbgrad-step'>"
            f"<div class='nbgrad-step-title'><b>{e(title)}</b>: <code>{e(s.op)}</code></div>"
            f"<div class='nbgrad-step-arrives'>{arrives}</div>"
            f"<div class='nbgrad-step-rule'>${e(s.rule_latex)}$</div>"
            f"<div class='nbgrad-step-rule-text'>{s.rule_html}</div>"
            f"{table}"
            f"<div class='nbgrad-step-leaves'>{message('trace.leaves_so_far', gradients=leaves)}</div>"
            "</div>"
        )


def _array(g):
    """A gradient as an array (None stays None)."""
    return None if g is None else g.detach().numpy()


# How a rule's text sets the user's names apart, and escapes nbgrad's own words: (plain text, HTML)
_SPELLINGS = ((lambda label: f"`{label}`", lambda text: text),
              (lambda label: f"<code>{html.escape(label)}</code>", html.escape))


def _width(text):
    """Columns ``text`` takes in a monospace font: a Chinese character takes two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text, width):
    return text + " " * (width - _width(text))


def _text(summary):
    """One of our summaries (``3 (all 2×2)``) in a formula; it holds no user text and no LaTeX specials."""
    return rf"\text{{{summary}}}"


def backward_trace(tensor, gradient=None, *, names=None):
    """The steps of ``tensor.backward(gradient)`` as a ``Trace``, without touching any ``.grad``.

    ``names``: a dict or namespace naming tensors (in a notebook, your variables name them already).
    The graph is kept (as with ``retain_graph=True``), so you can trace again, or call ``backward()``.
    """
    return Trace(tensor, gradient, names=names)
