"""DL512: a task's declared outputs against what its plugin function visibly returns."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model.exptypes import ANY, StructuredType, UnionType
from .base import Rule, RuleContext
from ._experiments import at, experiments, function_at, function_name

RULE = Rule("DL512", "task-output-mismatch", Severity.WARNING,
            "A task's declared outputs do not match what its plugin function returns")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    seen: set = set()
    for exp in experiments(project):
        referenced = {(r.name, r.output) for s in exp.steps for r in s.references}
        for task in exp.tasks:
            fn = project.task_target(task).function
            if fn is None or task.outputs_form == "none" or not task.outputs \
                    or (task.path, task.name_span) in seen:
                continue
            seen.add((task.path, task.name_span))
            shapes = fn.returns
            if not shapes or any(s.kind in ("other", "generator") for s in shapes):
                continue   # what it returns is not visible (or an iterable of unknown length)
            kinds = {s.kind for s in shapes}
            name = function_name(project, task, fn)
            fn_at, fn_path = function_at(project, task, fn)
            first = shapes[0]
            related = (Related(fn_path, first.span, f"plugin {name}"),) if fn_path else ()
            span = task.outputs[0].name_span
            steps = [s.name for s in exp.steps if s.task == task.name]
            if task.outputs_form == "list":
                found = _list_outputs(task, kinds, shapes, referenced, steps)
            else:
                found = _single_output(task, kinds, shapes, exp.type_named(task.outputs[0].type))
            if found is not None:
                text, severity = found
                yield RULE.diagnostic(task.path, span, f"{text}; plugin {name} ({fn_at})",
                                      related=related, severity=severity)


def _list_outputs(task, kinds, shapes, referenced, steps):
    names = [o.name for o in task.outputs]
    listed = ", ".join(f"`{n}`" for n in names)
    if kinds == {"none"}:
        return (f"task `{task.name}` declares a list of outputs ({listed}), so the engine iterates "
                f"the return value, but the plugin function returns nothing (None): the step fails "
                f"with NonIterableTaskOutputError; return the values or drop `outputs`", Severity.ERROR)
    if kinds <= {"scalar"}:
        return (f"task `{task.name}` declares a list of outputs ({listed}), but the plugin function "
                f"returns a single number, which cannot be iterated: the step fails with "
                f"NonIterableTaskOutputError; declare one output as a mapping "
                f"(`outputs: {{{names[0]}: ...}}`)", Severity.ERROR)
    if kinds <= {"str"}:
        return (f"task `{task.name}` declares a list of outputs ({listed}), but the plugin function "
                f"returns a string, which the engine iterates character by character; declare one "
                f"output as a mapping (`outputs: {{{names[0]}: ...}}`)", Severity.WARNING)
    if kinds <= {"dict"}:
        return (f"task `{task.name}` declares a list of outputs ({listed}), but the plugin function "
                f"returns a dict, and iterating a dict gives its keys, not its values; declare one "
                f"output as a mapping", Severity.WARNING)
    counts = {s.count for s in shapes if s.kind in ("tuple", "list")}
    if kinds <= {"tuple", "list"} and len(counts) == 1 and None not in counts:
        count = counts.pop()
        if count < len(names):
            lost = names[count:]
            used = [n for n in lost if any((step, n) in referenced for step in steps)]
            return (f"task `{task.name}` declares {len(names)} outputs ({listed}) but the plugin "
                    f"function returns {count} value{'s' if count != 1 else ''}, so "
                    + ", ".join(f"`{n}`" for n in lost)
                    + (" never gets a value" if len(lost) == 1 else " never get a value")
                    + (" and the steps that use " + ", ".join(f"`{n}`" for n in used)
                       + " fail (OutputNotFoundError)" if used else "")
                    + f"; declare {count} output{'s' if count != 1 else ''}",
                    Severity.ERROR if used else Severity.WARNING)
        if count > len(names):
            return (f"task `{task.name}` declares {len(names)} output{'s' if len(names) != 1 else ''} "
                    f"({listed}) but the plugin function returns {count} values; the engine keeps "
                    f"the first {len(names)} and logs a warning; declare all {count}",
                    Severity.WARNING)
    return None


def _single_output(task, kinds, shapes, declared):
    name = task.outputs[0].name
    counts = {s.count for s in shapes if s.kind == "tuple"}
    # A tuple, list or `any` output may well be meant to hold the tuple itself.
    holds_tuple = declared is None or declared == ANY or isinstance(declared, (StructuredType, UnionType))
    if kinds == {"tuple"} and len(counts) == 1 and None not in counts and counts != {1} \
            and not holds_tuple:
        count = counts.pop()
        return (f"output `{name}` of task `{task.name}` is declared as one mapping, so it holds the "
                f"whole tuple of {count} values the plugin function returns (`$<step>.{name}` is "
                f"the tuple); declare a list of {count} outputs (`- {name}: ...`) to name each value",
                Severity.WARNING)
    if kinds == {"none"}:
        return (f"task `{task.name}` declares the output `{name}` but the plugin function returns "
                f"nothing, so `{name}` is always None; return the value or drop `outputs`",
                Severity.WARNING)
    return None
