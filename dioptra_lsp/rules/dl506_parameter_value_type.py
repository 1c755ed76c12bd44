"""DL506: a -P value that run-experiment's YAML reading turns into a type the consuming input refuses."""

from __future__ import annotations

from typing import Any, Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model.experiment import bind_step
from ..model.explink import param_text, read_param_value
from ..model.exptypes import checkable, compatible, infer
from .base import Rule, RuleContext
from ._experiments import at, quote

RULE = Rule("DL506", "parameter-value-type", Severity.WARNING,
            "A -P value that run-experiment reads (as YAML) into a type the task input does not accept")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    mlproject = project.mlproject
    if mlproject is None:
        return
    for link in project.experiments:
        exp, call = link.experiment, link.run_call
        if exp is None or call is None:
            continue
        ep = mlproject.entry_point(link.entry_point) if link.entry_point else None
        for arg in call.params:
            param = exp.parameter(arg.name)
            if param is None:
                continue
            text = param_text(arg, ep) if arg.value is not None else None
            if arg.value is not None and text is None:
                continue   # filled in only when the job is submitted
            ok, value, error = read_param_value(text)
            span = arg.value_span or arg.name_span
            if not ok:
                yield RULE.diagnostic(
                    mlproject.path, span,
                    f"run-experiment reads the value of `-P {arg.name}` as YAML and cannot: "
                    f"{quote(text, 60)} gives \"{error}\"; the job fails before any step runs; quote "
                    f"the value in YAML (`'...'`) or change it")
                continue
            found = _first_refusal(project, exp, arg.name, value)
            if found is None:
                continue
            step, input_, arg_value, declared = found
            origin = _origin(arg, text, ep, project)
            yield RULE.diagnostic(
                mlproject.path, span,
                f"`-P {arg.name}` gives run-experiment {origin}, which YAML reads as "
                f"{_described(value)}; step `{step.name}` passes `${arg.name}` to input "
                f"`{input_.name}` of task `{step.task}`, declared `{declared}` "
                f"({at(project, step.path, arg_value.span)}), "
                f"which does not accept it; pass a value YAML reads as {declared}",
                related=(Related(step.path, arg_value.span, f"step `{step.name}`"),
                         Related(exp.task(step.task).path, input_.name_span, f"input `{input_.name}`")))


def _origin(arg, text: str | None, ep, project) -> str:
    if text is None:
        return "no value (a bare `-P name` means true)"
    if arg.placeholders and ep is not None:
        names = [n for n in dict.fromkeys(arg.placeholders)]
        param = ep.parameter(names[0])
        where = at(project, project.mlproject_path, param.default_span or param.name_span)
        if text == "":
            return (f"the empty text (MLflow's rendering of the default `{param.default_text or ''}` "
                    f"of `{names[0]}`, {where})")
        return f"the text `{text}` (MLflow's rendering of the default of `{names[0]}`, {where})"
    return f"the text `{text}`"


def _described(value: Any) -> str:
    if value is None:
        return "null (None)"
    kind = type(value).__name__
    return f"{quote(value)} ({str(infer(value))}, a Python {kind})"


def _first_refusal(project, exp, name: str, value: Any):
    """The first step argument using ``$name`` that accepts the declared type but not the value's."""
    override = {name: infer(value)}
    for step in exp.steps:
        task = exp.step_task(step)
        if task is None or not step.form:
            continue
        binding = bind_step(step, task)
        for bound in binding.arguments:
            arg, declared_input = bound.arg, bound.input
            if declared_input is None or not any(r.name == name and r.output is None
                                                 for r in arg.value.references):
                continue
            declared = exp.type_named(declared_input.type)
            if declared is None or not checkable(declared):
                continue   # an opaque type (`path`, `model`) says nothing of the Python value
            before = exp.value_type(arg.value.value)
            after = exp.value_type(arg.value.value, override)
            if before is None or after is None or not compatible(before, declared):
                continue
            if not compatible(after, declared):
                return step, declared_input, arg.value, declared
    return None
