"""Stage 3: the flow plan -- which plugin tasks run, in which order, on which inputs.

Values are followed from click's options into ``flow.run(parameters=...)``, into each
``Parameter``, into each ``call_task``, and from each task's result into later tasks.  Every call
is bound to the plugin function's signature with ``inspect.Signature.bind`` itself.
"""

from __future__ import annotations

import inspect
from typing import Any

from ..model.record import record
from ..model.types import MISSING, CallTask, Flow, FlowRun, PluginFunction, ValueExpr
from .argv import ArgvCheck, json_value
from .issues import ERROR, Issue, not_checked

PREFECT_KEYWORDS = ("upstream_tasks", "mapped", "task_args", "flow")
_KINDS = {"positional_only": inspect.Parameter.POSITIONAL_ONLY,
          "positional_or_keyword": inspect.Parameter.POSITIONAL_OR_KEYWORD,
          "var_positional": inspect.Parameter.VAR_POSITIONAL,
          "keyword_only": inspect.Parameter.KEYWORD_ONLY,
          "var_keyword": inspect.Parameter.VAR_KEYWORD}


@record
class FlowInput:
    """A Prefect ``Parameter`` with the value it receives from ``flow.run``."""

    name: str
    variable: str | None
    value: Any             # JSON-ready value, or None when not known
    known: bool
    origin: str            # "option --x", "literal", "expression `...`", "Parameter default", "missing"


@record
class Input:
    """One bound argument of a task: a concrete value, a flow parameter, or a task's output."""

    name: str
    kind: str              # "value", "parameter", "task", "expression"
    value: Any = None      # for "value" and "parameter" (when known)
    ref: str | None = None  # parameter name, or the task number (as a string)
    item: int | None = None  # which element of an unpacked task result
    output: str | None = None  # the named output of an experiment step


@record
class PlannedTask:
    index: int             # 1-based order in the flow
    target: str            # "package.module.function"
    file: str | None
    line: int | None
    inputs: tuple[Input, ...]
    upstream: tuple[int, ...]   # tasks named in upstream_tasks=[...] (a step's dependencies)
    outputs: tuple[str, ...]    # names the result is bound to (a task's declared outputs)
    step: str | None = None     # the experiment step this task is (task-engine entry points)


@record
class Plan:
    parameters: tuple[FlowInput, ...] = ()
    tasks: tuple[PlannedTask, ...] = ()
    problems: tuple[Issue, ...] = ()
    edges: tuple[tuple[str, str, str], ...] = ()   # (from node, to node, label); "p:x" / "t:1"


def build_plan(model, link, argv: ArgvCheck) -> Plan:
    script = link.script if link is not None else None
    if script is None or not script.flows:
        return Plan()
    run, flow = _pick(script, argv.command_function)
    problems: list[Issue] = []
    path = link.path
    inputs, scope = _flow_inputs(flow, run, argv, path, problems)
    tasks: list[PlannedTask] = []
    edges: list[tuple[str, str, str]] = []
    for call in sorted(flow.call_tasks, key=lambda c: c.index):
        number = len(tasks) + 1
        task = _plan_task(model, call, number, scope, path, problems)
        tasks.append(task)
        for inp in task.inputs:
            if inp.kind == "parameter":
                edges.append((f"p:{inp.ref}", f"t:{number}", inp.name))
            elif inp.kind == "task":
                edges.append((f"t:{inp.ref}", f"t:{number}", inp.name))
        edges.extend((f"t:{u}", f"t:{number}", "upstream") for u in task.upstream)
        for i, target in enumerate(call.targets):
            scope[target] = ("task", number, i if len(call.targets) > 1 else None)
    return Plan(tuple(inputs), tuple(tasks), tuple(problems), tuple(edges))


def _pick(script, function: str | None) -> tuple[FlowRun | None, Flow]:
    """The flow.run reached from the click command, and the flow it runs."""
    runs = [r for r in script.flow_runs if r.function == function] or list(script.flow_runs)
    run = runs[0] if runs else None
    if run is not None and run.flow_function:
        for flow in script.flows:
            if flow.function == run.flow_function:
                return run, flow
    if run is not None:
        for flow in script.flows:
            if flow.function == run.function:
                return run, flow
    return run, script.flows[0]


def _flow_inputs(flow: Flow, run: FlowRun | None, argv: ArgvCheck, path, problems):
    keys = {k.name: k for k in run.keys if k.name} if run is not None else {}
    scope: dict[str, tuple] = {}
    out: list[FlowInput] = []
    declared = set()
    for param in flow.parameters:
        if not isinstance(param.name, str):
            continue
        if param.name in declared:
            # Prefect 1 keys Parameters by name: a second one with the same name is refused.
            problems.append(Issue("flow-parameter-duplicate", f"Parameter `{param.name}` is "
                                  f"declared twice in the flow; Prefect refuses a second task "
                                  f"with the same slug", ERROR, path, param.span, "plan"))
            if param.variable:
                scope[param.variable] = next(v for k, v in scope.items()
                                             if v[0] == "parameter" and v[1] == param.name)
            continue
        declared.add(param.name)
        kw = keys.get(param.name)
        if kw is not None:
            known, value, origin = _value_of(kw.value, argv)
        elif run is not None and run.dynamic:
            known, value, origin = False, None, "flow.run parameters not listed statically"
            if not any(p.kind == "flow-run-dynamic" for p in problems):
                problems.append(not_checked(
                    "flow-run-dynamic", "flow.run(parameters=...)", "the parameters are not "
                    "written out, so which Parameters get a value (Prefect refuses missing or "
                    "unknown ones) is not checked", path, run.span, "plan"))
        elif param.has_default:
            known, value, origin = False, None, "Parameter default"
        else:
            known, value, origin = False, None, "missing"
            problems.append(Issue("flow-parameter-missing", f"Parameter `{param.name}` gets no "
                                  f"value from flow.run(parameters=...) and has no default; "
                                  f"Prefect refuses to run the flow", ERROR, path, param.span,
                                  "plan"))
        out.append(FlowInput(param.name, param.variable, json_value(value) if known else None,
                             known, origin))
        if param.variable:
            scope[param.variable] = ("parameter", param.name, (known, value))
    if run is not None and not run.dynamic:
        for name, kw in keys.items():
            if name not in declared:
                problems.append(Issue("flow-parameter-unknown", f"flow.run passes `{name}`, which "
                                      f"is not a Parameter of the flow; Prefect refuses unexpected "
                                      f"parameters", ERROR, path, kw.span, "plan"))
    return out, scope


def _value_of(expr: ValueExpr, argv: ArgvCheck) -> tuple[bool, Any, str]:
    if expr.literal is not MISSING:
        return True, expr.literal, "literal"
    known, value = argv.value_of(expr.source)
    if known and type(value).__name__ != "_Opaque":
        return True, value, f"click value `{expr.source}`"
    if known:
        return False, None, f"click value `{expr.source}` after its callback (not run)"
    return False, None, f"`{expr.source}`, computed at run time"


def _plan_task(model, call: CallTask, number: int, scope, path, problems) -> PlannedTask:
    res = model.resolve_call(call)
    func: PluginFunction | None = None
    file = line = None
    target = ".".join(str(p) if isinstance(p, str) else "?" for p in
                      (call.package, call.module, call.function or "<first registered>"))
    plugin_broken = res.plugin is not None and _plugin_unusable(res.plugin, number, path, call,
                                                                  problems)
    if plugin_broken:
        pass
    elif res.plugin is not None:
        if call.function is None:
            func = res.plugin.functions[0] if res.plugin.functions else None
        elif isinstance(call.function, str):
            func = res.plugin.function(call.function)
        if func is not None:
            target = f"{res.package}.{res.module_name}.{func.name}"
            file, line = str(res.plugin.path), func.span.start.line + 1
        elif isinstance(call.function, str):
            problems.append(Issue("plugin-function-missing", f"task {number}: {res.plugin.dotted} "
                                  f"registers no function `{call.function}`", ERROR, path,
                                  call.function_span or call.span, "plan"))
        else:
            problems.append(not_checked("plugin-function-computed", f"task {number} ({target})",
                                        "the plugin function's name is computed at run time, so "
                                        "its signature is not checked", path, call.span, "plan"))
    elif res.read_error is not None:
        problems.append(not_checked("plugin-not-read", f"task {number} ({target})",
                                    f"cannot read the plugin module {res.read_error.path}: "
                                    f"{res.read_error.message}", path, call.span, "plan"))
    elif res.status in ("missing-module", "unresolved-package"):
        problems.append(Issue("plugin-not-found", f"task {number}: plugin module "
                              f"`{res.package}.{res.module_name}` not found on the plugin "
                              f"folders; the flow cannot be built", ERROR, path,
                              call.module_span or call.span, "plan"))
    elif res.status == "unknown":
        problems.append(not_checked("plugin-unknown", f"task {number} ({target})",
                                    "the plugin module is computed at run time, so the task is "
                                    "not checked", path, call.span, "plan"))
    inputs, upstream = _bind(call, func, number, scope, path, problems)
    if func is not None:
        error = func.unpacking_error(call.unpacking)   # the same judgement as DL406
        if error is not None:
            problems.append(Issue("task-outputs", f"task {number} ({func.name}): its result is "
                                  f"unpacked into {call.unpacking.count}"
                                  f"{' or more' if call.unpacking.starred else ''} names, but the plugin "
                                  f"has {func.nout if func.nout is not None else 'no declared'} "
                                  f"outputs; Prefect raises {error} while building the flow",
                                  ERROR, path, call.unpacking.span, "plan"))
    return PlannedTask(number, target, file, line, inputs, upstream, call.targets)


def _plugin_unusable(plugin, number: int, path, call: CallTask, problems) -> bool:
    """A plugin module Python would refuse to import (an error), or one this tool could not
    analyse (not checked).  True when either was reported.  (A module that parsed but that
    Python still refuses, like ``def f(a, a)``, is judged per call, by ``_bind``.)"""
    if plugin.functions:
        return False
    for problem in plugin.problems:
        if problem.kind == "syntax":
            problems.append(Issue("plugin-syntax", f"task {number}: the plugin module "
                                  f"{plugin.dotted} cannot be imported: {problem.message} "
                                  f"({plugin.path}:{problem.span.start.line + 1})", ERROR, path,
                                  call.span, "plan"))
            return True
        if problem.kind == "unanalysed":
            problems.append(not_checked("plugin-not-analysed", f"task {number} ({plugin.dotted})",
                                        f"{plugin.path}: {problem.message}", path, call.span,
                                        "plan"))
            return True
    return False


def _describe(name: str, expr: ValueExpr, scope) -> Input:
    if expr.literal is not MISSING:
        return Input(name, "value", json_value(expr.literal))
    if expr.names == (expr.source,) and expr.source in scope:
        ref = scope[expr.source]
        if ref[0] == "parameter":
            known, value = ref[2]
            return Input(name, "parameter", json_value(value) if known else None, ref[1])
        return Input(name, "task", None, str(ref[1]), ref[2])
    return Input(name, "expression", expr.source)


def _bind(call: CallTask, func: PluginFunction | None, number: int, scope, path, problems):
    upstream: list[int] = []
    keywords = {}
    dynamic = False
    for kw in call.keywords:
        if kw.name is None:
            dynamic = True
        elif kw.name == "upstream_tasks":
            for n in kw.value.names:
                if n in scope and scope[n][0] == "task":
                    upstream.append(scope[n][1])
        elif kw.name not in PREFECT_KEYWORDS:
            keywords[kw.name] = kw.value
    described = {}
    if func is not None and dynamic:
        problems.append(not_checked("task-binding-dynamic", f"task {number} ({func.name})",
                                    "its keywords are passed with `**`, so their binding to the "
                                    "plugin's signature is not checked", path, call.span, "plan"))
    if func is not None and not dynamic:
        try:
            sig = inspect.Signature([inspect.Parameter(p.name, _KINDS[p.kind], default=(
                None if p.has_default else inspect.Parameter.empty)) for p in func.params])
        except ValueError as err:   # ``def f(a, a)``: ast accepts it, Python's compiler does not
            problems.append(Issue("plugin-invalid", f"task {number} ({func.name}): the plugin's "
                                  f"signature is invalid ({err}); Python refuses to import its "
                                  f"module", ERROR, path, call.span, "plan"))
            func = None
    if func is not None and not dynamic:
        try:
            bound = sig.bind(*call.positional, **keywords)
        except TypeError as err:
            problems.append(Issue("task-binding", f"task {number} ({func.name}): {err}; "
                                  f"signature {func.signature}", ERROR, path, call.span, "plan"))
        else:
            for name, value in bound.arguments.items():
                if isinstance(value, dict):      # **kwargs of the plugin collects the rest
                    described.update({k: _describe(k, v, scope) for k, v in value.items()})
                elif isinstance(value, tuple):   # *args
                    described.update({f"{name}[{i}]": _describe(f"{name}[{i}]", v, scope)
                                      for i, v in enumerate(value)})
                else:
                    described[name] = _describe(name, value, scope)
    if not described:
        described = {k: _describe(k, v, scope) for k, v in keywords.items()}
        described.update({f"#{i}": _describe(f"#{i}", v, scope)
                          for i, v in enumerate(call.positional)})
    return tuple(described.values()), tuple(dict.fromkeys(upstream))
