"""DL508: a task's declared inputs against its plugin function's Python signature.

Severity follows the consequence: a call that will raise (a keyword the function does not
take, a required parameter no input can fill, an optional input the function requires and a
step omits) is an error; a mismatch that only positional calls survive is a warning; a
declaration stricter than the function (required where the function has a default) is info.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model.experiment import ExperimentTask, _input_order, bind_step
from .base import Rule, RuleContext, did_you_mean
from ._experiments import experiments, function_at, function_name, steps_calling

RULE = Rule("DL508", "task-signature-mismatch", Severity.ERROR,
            "A task's declared inputs do not match its plugin function's parameters")

_POSITIONAL = ("positional_only", "positional_or_keyword")
_VAR = ("var_positional", "var_keyword")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    seen: set = set()
    for exp in experiments(project):
        for task in exp.tasks:
            fn = project.task_target(task).function
            if fn is None or (task.path, task.name_span) in seen:
                continue
            seen.add((task.path, task.name_span))
            yield from _task(project, exp, task, fn)


class _Calls:
    """How the steps calling one task pass each input."""

    def __init__(self, exp, task: ExperimentTask) -> None:
        self.steps = steps_calling(exp, task)
        self.bindings = [bind_step(s, task) for s in self.steps]

    def by_keyword(self, name: Any):
        for b in self.bindings:
            for arg in b.step.kwargs:
                if arg.keyword == name:
                    return b.step, arg
        return None

    def by_position(self, index: int):
        for b in self.bindings:
            for arg in b.step.args:
                if arg.index == index:
                    return b.step, arg
        return None

    def omitting(self, task_input) -> Any:
        inputs = _input_order_names(self.bindings[0].task) if self.bindings else []
        position = inputs.index(task_input.name) if task_input.name in inputs else len(inputs)
        for b in self.bindings:
            if position >= len(b.step.args) and all(a.keyword != task_input.name for a in b.step.kwargs):
                return b.step
        return None


def _input_order_names(task) -> list:
    return [i.name for i in _input_order(task)]


def _task(project, exp, task: ExperimentTask, fn) -> Iterator[Diagnostic]:
    name = function_name(project, task, fn)
    fn_at, fn_path = function_at(project, task, fn)
    related = (Related(fn_path, fn.span, f"plugin {name}"),) if fn_path else ()
    params = fn.params
    positional = [p for p in params if p.kind in _POSITIONAL]
    by_name = {p.name: p for p in params if p.kind not in _VAR}
    takes_kwargs = fn.accepts_any_keyword
    takes_args = any(p.kind == "var_positional" for p in params)
    calls = _Calls(exp, task)
    inputs = _input_order(task)
    declared = {i.name for i in inputs}
    def report(span, text, severity, extra=()):
        return RULE.diagnostic(task.path, span, f"{text} (plugin {name}, {fn_at})",
                               detail=f"Signature: {fn.signature}",
                               related=related + tuple(extra), severity=severity)

    for index, task_input in enumerate(inputs):
        param = by_name.get(task_input.name)
        if param is None and not takes_kwargs:
            keyword = calls.by_keyword(task_input.name)
            slot = positional[index] if index < len(positional) else None
            options = [p.name for p in params if p.kind not in _VAR and p.name not in declared]
            hint = _hint(str(task_input.name), options, slot)
            if keyword is not None:
                step, arg = keyword
                yield report(task_input.name_span,
                             f"input `{task_input.name}` of task `{task.name}` is not a parameter of "
                             f"the plugin function, and step `{step.name}` passes it by keyword "
                             f"({_at(project, step.path, arg.span)}): the call raises TypeError "
                             f"(unexpected keyword argument); {hint or 'rename the input'}",
                             Severity.ERROR, (Related(step.path, arg.span, f"step `{step.name}`"),))
            elif slot is None and not takes_args and calls.by_position(index) is not None:
                step, arg = calls.by_position(index)
                yield report(task_input.name_span,
                             f"input `{task_input.name}` of task `{task.name}` is position "
                             f"{index + 1}, but the plugin function takes {len(positional)} "
                             f"positional argument{'s' if len(positional) != 1 else ''}; step "
                             f"`{step.name}` ({_at(project, step.path, arg.span)}) passes it there "
                             f"and the call raises TypeError; {hint or 'remove the input'}",
                             Severity.ERROR, (Related(step.path, arg.span, f"step `{step.name}`"),))
            else:
                where = (f"by position it reaches parameter `{slot.name}`" if slot is not None
                         else "no parameter takes it")
                yield report(task_input.name_span,
                             f"input `{task_input.name}` of task `{task.name}` is not a parameter of "
                             f"the plugin function; {where}, so only positional calls work and a "
                             f"step passing it by keyword will raise TypeError; "
                             f"{hint or 'rename the input to the parameter it fills'}",
                             Severity.WARNING)
            continue
        if param is None:
            continue   # **kwargs takes it
        if param.kind == "keyword_only" and not takes_args and index >= len(positional) \
                and calls.by_position(index) is not None:
            step, arg = calls.by_position(index)
            yield report(task_input.name_span,
                         f"input `{task_input.name}` is a keyword-only parameter of the plugin "
                         f"function; step `{step.name}` ({_at(project, step.path, arg.span)}) passes "
                         f"it by position and the call raises TypeError; pass it by keyword",
                         Severity.ERROR, (Related(step.path, arg.span, f"step `{step.name}`"),))
        if param.kind == "positional_only" and calls.by_keyword(task_input.name) is not None:
            step, arg = calls.by_keyword(task_input.name)
            yield report(task_input.name_span,
                         f"input `{task_input.name}` is a positional-only parameter of the plugin "
                         f"function; step `{step.name}` ({_at(project, step.path, arg.span)}) passes "
                         f"it by keyword and the call raises TypeError; pass it by position",
                         Severity.ERROR, (Related(step.path, arg.span, f"step `{step.name}`"),))
        if not task_input.required and not param.has_default and param.kind not in _VAR:
            omitted = calls.omitting(task_input)
            if omitted is not None:
                yield report(task_input.required_span or task_input.name_span,
                             f"input `{task_input.name}` of task `{task.name}` is declared optional "
                             f"but the plugin function has no default for it; step `{omitted.name}` "
                             f"({_at(project, omitted.path, omitted.name_span)}) leaves it out and the "
                             f"call raises TypeError (missing argument); pass it, or give the "
                             f"function a default",
                             Severity.ERROR, (Related(omitted.path, omitted.name_span,
                                                      f"step `{omitted.name}`"),))
            else:
                yield report(task_input.required_span or task_input.name_span,
                             f"input `{task_input.name}` of task `{task.name}` is declared optional "
                             f"but the plugin function has no default for it; a step that leaves it "
                             f"out raises TypeError; declare it required or give the function a "
                             f"default", Severity.INFO)
        if param.kind in _POSITIONAL and index < len(positional) and positional[index].name != param.name:
            moved = calls.by_position(index)
            if moved is not None:
                step, arg = moved
                yield report(task_input.name_span,
                             f"input `{task_input.name}` of task `{task.name}` is position {index + 1}, "
                             f"where the plugin function has `{positional[index].name}`; step "
                             f"`{step.name}` passes it by position ({_at(project, step.path, arg.span)}), "
                             f"so the value lands in `{positional[index].name}`; declare the inputs "
                             f"in the function's order or pass them by keyword",
                             Severity.WARNING, (Related(step.path, arg.span, f"step `{step.name}`"),))
        if task_input.required and param.has_default:
            yield report(task_input.name_span,
                         f"input `{task_input.name}` of task `{task.name}` is required, but the "
                         f"plugin function has a default ({param.default_source}) for it; the "
                         f"declaration is stricter than the function (`required: false` would let "
                         f"steps leave it out)", Severity.INFO)
    for i, param in enumerate(params):
        if param.kind in _VAR or param.has_default or param.name in declared:
            continue
        if param.kind in _POSITIONAL and i < len(inputs):
            continue   # the input at this position fills it (its name is reported above)
        used = bool(calls.steps)
        yield report(task.name_span,
                     f"required parameter `{param.name}` of the plugin function is not a declared "
                     f"input of task `{task.name}`, so no step can pass it"
                     + (" and every call raises TypeError (missing argument)" if used else
                        " (no step calls this task yet)")
                     + f"; declare it: `- {param.name}: <type>`",
                     Severity.ERROR if used else Severity.INFO)


def _hint(name: str, options: list[str], slot) -> str:
    """Did-you-mean among the parameters no input declares; the parameter at the input's own
    position is the likeliest when no name is close."""
    if not options:
        return ""
    text = did_you_mean(name, options, what="Undeclared parameters")
    if "did you mean" not in text and slot is not None and slot.name in options:
        text = f"did you mean `{slot.name}`? " + text
    return text


def _at(project, path, span) -> str:
    from ._experiments import at

    return at(project, path, span)
