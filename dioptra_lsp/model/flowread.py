"""Prefect ``with Flow(...)`` blocks, their Parameters and call_task calls, and ``flow.run``."""

from __future__ import annotations

import ast
from typing import Any, Iterator

from .pyread import _FIELDS, BLOCKS, Text, child_fields, dotted, header_expressions, is_prefect, is_pyplugs, literal, \
    loaded_names, qualified, resolve_str, value_of, walk
from .record import replace
from .source import Span
from .types import (MISSING, CallTask, Flow, FlowParameter, FlowRun, KeywordArg, OtherCall, Unknown, Unpacking,
                    ValueExpr)



def _value_expr(node: ast.AST, text: Text) -> ValueExpr:
    span = text.span(node)   # once: the source is sliced by the same span
    return ValueExpr(text.source(span), span, literal(node), loaded_names((node,)))


def keyword_arg(k: ast.keyword, text: Text) -> KeywordArg:
    value = _value_expr(k.value, text)
    if k.arg is None:
        return KeywordArg(None, text.span(k), value)
    line = k.lineno - 1   # ast.keyword positions start at the keyword name
    col = text.col(line, k.col_offset)
    return KeywordArg(k.arg, Span.of(line, col, line, col + len(k.arg)), value)


def _targets(stmt: ast.AST) -> list[ast.AST]:
    if isinstance(stmt, ast.Assign):
        return list(stmt.targets)
    if isinstance(stmt, (ast.AnnAssign, ast.NamedExpr)):
        return [stmt.target]
    return []


def _flat_names(target: ast.AST) -> tuple[str, ...]:
    if isinstance(target, ast.Name):
        return (target.id,)
    if isinstance(target, (ast.Tuple, ast.List)):
        return tuple(n for e in target.elts for n in _flat_names(e.value if isinstance(e, ast.Starred) else e))
    return ()


# The concrete statement classes: a set lookup by type instead of isinstance on every node.
_STMT_TYPES = frozenset(c for c in ast.stmt.__subclasses__())
_LOG_CALLS = {"print", "debug", "info", "warning", "warn", "error", "exception", "critical", "log", "msg"}
_PACKAGE_KEYWORDS = (("package",), ("plugin", "plugin_module", "module"), ("func", "function"))


class FlowReader:
    def __init__(self, aliases: dict[str, str], consts: dict[str, str], text: Text) -> None:
        self.aliases, self.consts, self.text = aliases, consts, text

    def kind(self, call: ast.Call) -> str:
        q = qualified(call.func, self.aliases)
        if is_pyplugs(q, "call_task"):
            return "call_task"
        if is_prefect(q, "Parameter"):
            return "parameter"
        return "other"

    def read(self, node: ast.With | ast.AsyncWith, flow_call: ast.Call, variable: str | None,
             function: str | None) -> Flow:
        text = self.text
        # One walk of the block, remembering parents: every question below walks up, not down again.
        parent: dict[int, ast.AST] = {}
        calls: list[ast.Call] = []
        names: list[ast.Name] = []
        stmts: list[ast.stmt] = []
        stack: list[ast.AST] = list(node.body)
        Call, Name, Constant, AST = ast.Call, ast.Name, ast.Constant, ast.AST
        push = stack.append
        # ``children()`` inlined: a generator per node was the biggest cost of reading a flow.
        while stack:
            n = stack.pop()
            t = type(n)
            if t is Call:
                calls.append(n)
            elif t is Name:
                names.append(n)
                continue   # no children
            elif t is Constant:
                continue
            elif t in _STMT_TYPES:
                stmts.append(n)
            fields = _FIELDS.get(t) or child_fields(n)
            for f in fields:
                value = getattr(n, f, None)
                if type(value) is list:
                    for child in value:
                        if isinstance(child, AST):
                            parent[id(child)] = n
                            push(child)
                elif isinstance(value, AST):
                    parent[id(value)] = n
                    push(value)
        calls.sort(key=lambda c: (c.lineno, c.col_offset))
        stmts.sort(key=lambda st: (st.lineno, st.col_offset))
        kinds = {id(c): self.kind(c) for c in calls}
        callees = {id(c): dotted(c.func) or text.node_source(c.func) for c in calls if kinds[id(c)] == "other"}
        # Calls that feed a task (a log line does not feed anything).
        feeds = {i for i, k in kinds.items() if k == "call_task"}
        feeds.update(i for i, callee in callees.items() if callee.rsplit(".", 1)[-1] not in _LOG_CALLS)

        def inside_arguments(n: ast.AST, of: set[int] | None) -> ast.Call | None:
            """The nearest call (of the given kinds) that ``n`` is an argument of."""
            child, p = n, parent.get(id(n))
            while p is not None and not isinstance(p, ast.stmt):
                if isinstance(p, ast.Call) and child is not p.func and (of is None or id(p) in of):
                    return p
                child, p = p, parent.get(id(p))
            return None

        builders = {i for i, k in kinds.items() if k != "other"}
        nested = {id(c) for c in calls if kinds[id(c)] == "other" and inside_arguments(c, builders)}
        task_names: set[str] = set()
        used: set[str] = set()
        reads: dict[int, set[str]] = {}
        for n in names:
            if not isinstance(n.ctx, ast.Load):
                continue
            used.add(n.id)
            if inside_arguments(n, feeds) is not None:
                task_names.add(n.id)
            p = parent.get(id(n))
            if isinstance(p, ast.Call) and p.func is n:
                continue   # ``f(x)`` reads x, not f
            while p is not None and not isinstance(p, ast.stmt):
                p = parent.get(id(p))
            if p is not None:
                reads.setdefault(id(p), set()).add(n.id)

        bound: dict[int, tuple[str, Span]] = {}      # Parameter call -> variable it is bound to
        results: dict[int, tuple[str, ...]] = {}     # call_task call -> names it is bound to
        unpacked: dict[int, Unpacking] = {}          # call_task call -> ``a, b = ...``
        assigns: list[tuple[tuple[str, ...], set[str]]] = []   # (targets, names read)
        for stmt in stmts:
            if isinstance(stmt, (ast.For, ast.AsyncFor)):
                assigns.append((_flat_names(stmt.target), reads.get(id(stmt), set())))
                continue
            targets = _targets(stmt)
            value = getattr(stmt, "value", None)
            if not targets or value is None:
                continue
            assigns.append((tuple(n for t in targets for n in _flat_names(t)), reads.get(id(stmt), set())))
            for t in targets:
                pairs: list[tuple[ast.AST, ast.AST]] = [(t, value)]
                if isinstance(t, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
                        and len(t.elts) == len(value.elts):
                    pairs = list(zip(t.elts, value.elts))   # by position: misalignment is visible
                for tgt, val in pairs:
                    if isinstance(val, ast.Call) and kinds.get(id(val)) == "parameter" \
                            and isinstance(tgt, ast.Name):
                        bound[id(val)] = (tgt.id, text.span(tgt))
                    elif isinstance(val, ast.Call) and kinds.get(id(val)) == "call_task":
                        results[id(val)] = results.get(id(val), ()) + _flat_names(tgt)
                        if isinstance(tgt, (ast.Tuple, ast.List)):
                            starred = any(isinstance(e, ast.Starred) for e in tgt.elts)
                            unpacked[id(val)] = Unpacking(len(tgt.elts) - starred, starred,
                                                          text.span(tgt))
        # ``paths = [training_dir, testing_dir]`` then ``call_task(paths=paths)`` uses both.
        changed = True
        while changed:
            changed = False
            for targets_, names_read in assigns:
                if not task_names.issuperset(names_read) and any(n in task_names for n in targets_):
                    task_names.update(names_read)
                    changed = True

        parameters, tasks, others = [], [], []
        for c in calls:
            k = kinds[id(c)]
            if k == "parameter":
                parameters.append(self._parameter(c, bound.get(id(c))))
            elif k == "call_task":
                tasks.append(self._call_task(c, results.get(id(c), ()), len(tasks),
                                             unpacked.get(id(c))))
            else:
                others.append(OtherCall(callees[id(c)], text.span(c.func), id(c) in nested, text.span(c)))
        name = flow_call.args[0] if flow_call.args else next(
            (k.value for k in flow_call.keywords if k.arg == "name"), None)
        return Flow(
            name=value_of(name, text) if name is not None else None, variable=variable, function=function,
            parameters=tuple(parameters), call_tasks=tuple(tasks), other_calls=tuple(others),
            used_names=frozenset(used), task_input_names=frozenset(task_names), span=text.span(node))

    def _parameter(self, call: ast.Call, binding: tuple[str, Span] | None) -> FlowParameter:
        text = self.text
        name_node = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "name"), None)
        kw = {k.arg: k.value for k in call.keywords if k.arg}
        if name_node is None:
            name: Any = Unknown("")
        else:
            value = resolve_str(name_node, self.consts)
            name = Unknown(text.node_source(name_node)) if value is MISSING else value
        required = kw.get("required")
        return FlowParameter(
            name=name, name_span=text.span(name_node) if name_node is not None else text.span(call),
            variable=binding[0] if binding else None, variable_span=binding[1] if binding else None,
            # Prefect: ``required=False`` without a default means a default of None
            has_default="default" in kw or len(call.args) > 1
            or (isinstance(required, ast.Constant) and required.value is False),
            required_kw=isinstance(required, ast.Constant) and required.value is True,
            span=text.span(call))

    def _call_task(self, call: ast.Call, targets: tuple[str, ...], index: int,
                   unpacking: Unpacking | None = None) -> CallTask:
        text = self.text
        args = list(call.args)
        keywords = list(call.keywords)
        slots: list[ast.AST | None] = []
        for i, names in enumerate(_PACKAGE_KEYWORDS):
            if i < len(args) and not isinstance(args[i], ast.Starred):
                slots.append(args[i])
                continue
            found = next((k for k in keywords if k.arg in names), None)
            if found is not None:
                keywords.remove(found)
            slots.append(found.value if found is not None else None)
        positional = args[sum(1 for i, a in enumerate(args[:3]) if not isinstance(a, ast.Starred)):]

        def resolved(node: ast.AST | None) -> Any:
            if node is None:
                return None
            value = resolve_str(node, self.consts)
            return Unknown(text.node_source(node)) if value is MISSING else value

        name_span = self._callee_span(call)
        return CallTask(
            package=resolved(slots[0]), module=resolved(slots[1]), function=resolved(slots[2]),
            package_span=text.span(slots[0]) if slots[0] is not None else name_span,
            module_span=text.span(slots[1]) if slots[1] is not None else None,
            function_span=text.span(slots[2]) if slots[2] is not None else None,
            positional=tuple(_value_expr(a, text) for a in positional),
            keywords=tuple(self._keyword(k) for k in keywords),
            targets=targets, span=text.span(call), name_span=name_span, index=index,
            unpacking=unpacking)

    def _callee_span(self, call: ast.Call) -> Span:
        """``call_task`` itself: the attribute name at the end of ``pyplugs.call_task``."""
        full = self.text.span(call.func)
        if isinstance(call.func, ast.Attribute) and full.end.line == full.start.line:
            end = full.end.character
            return Span.of(full.end.line, end - len(call.func.attr), full.end.line, end)
        return full

    def _keyword(self, k: ast.keyword) -> KeywordArg:
        return keyword_arg(k, self.text)


def flow_call(node: ast.With | ast.AsyncWith, aliases: dict[str, str]) -> tuple[ast.Call, str | None] | None:
    for item in node.items:
        expr = item.context_expr
        if isinstance(expr, ast.Call) and is_prefect(qualified(expr.func, aliases), "Flow"):
            var = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else None
            return expr, var
    return None


def _run_parameters(call: ast.Call, local_dicts: dict[str, ast.AST]) -> ast.AST | None:
    for k in call.keywords:
        if k.arg == "parameters":
            return k.value
    return call.args[0] if call.args else None


def flow_run(call: ast.Call, receiver: str, function: str | None, flow_function: str | None,
              local_dicts: dict[str, ast.AST], text: Text) -> FlowRun:
    node = _run_parameters(call, local_dicts)
    if isinstance(node, ast.Name) and node.id in local_dicts:   # params = dict(...); flow.run(parameters=params)
        node = local_dicts[node.id]
    keys: list[KeywordArg] = []
    dynamic = False
    if node is None:
        dynamic = any(k.arg is None for k in call.keywords)   # flow.run(**kwargs)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" \
            and not node.args:
        for k in node.keywords:
            if k.arg is None:
                dynamic = True
                continue
            keys.append(keyword_arg(k, text))
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.append(KeywordArg(key.value, text.span(key), _value_expr(value, text)))
            else:
                dynamic = True
    elif not (isinstance(node, ast.Constant) and node.value is None):
        dynamic = True
    return FlowRun(receiver, tuple(keys), dynamic, text.span(call), function, flow_function)


def with_outside_parameters(flow: Flow, block: ast.AST, owner: str | None, stmts,
                            reader: "FlowReader") -> Flow:
    """``x = Parameter("x")`` before the ``with Flow`` block and used inside it joins the flow
    (Prefect adds a task's inputs to the flow it is bound in)."""
    first, last = block.lineno, block.end_lineno or block.lineno
    extra: list[FlowParameter] = []
    for stmt, own in stmts:
        if own != owner or not isinstance(stmt, ast.Assign) or first <= stmt.lineno <= last:
            continue
        pairs = [(t, stmt.value) for t in stmt.targets]
        if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Tuple) \
                and isinstance(stmt.value, ast.Tuple) and len(stmt.targets[0].elts) == len(stmt.value.elts):
            pairs = list(zip(stmt.targets[0].elts, stmt.value.elts))
        for tgt, val in pairs:
            if isinstance(tgt, ast.Name) and tgt.id in flow.used_names and isinstance(val, ast.Call) \
                    and reader.kind(val) == "parameter":
                extra.append(reader._parameter(val, (tgt.id, reader.text.span(tgt))))
    if not extra:
        return flow
    return replace(flow, parameters=tuple(extra) + flow.parameters)


def run_calls(stmts, text: Text) -> Iterator[tuple[ast.Call, str | None]]:
    """``X.run(...)`` calls, looking only at statements on lines that mention ``.run``."""
    lines = {i for i, line in enumerate(text.lines) if "run" in line}
    if not lines:
        return
    for stmt, owner in stmts:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if any(getattr(stmt, f, None) for f in BLOCKS):
            exprs = header_expressions(stmt)
        elif any(i in lines for i in range(stmt.lineno - 1, (stmt.end_lineno or stmt.lineno))):
            exprs = [stmt]
        else:
            continue
        for expr in exprs:
            for n in walk(expr):
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "run":
                    yield n, owner
