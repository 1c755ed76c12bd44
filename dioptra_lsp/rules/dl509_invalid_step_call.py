"""DL509: a step that calls an undeclared task, or passes its inputs wrongly."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext, did_you_mean
from ._experiments import runner, validator, at, bindings, experiments

RULE = Rule("DL509", "invalid-step-call", Severity.ERROR,
            "A step calls an undeclared task, an unknown input, too many positional arguments, or "
            "leaves out a required input")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for exp in experiments(project):
        tasks = [t.name for t in exp.tasks if isinstance(t.name, str)]
        # A graph file read alone has no tasks to check against; a 0.x file whose `tasks`
        # could not be read is DL502's finding (every step would repeat it).
        judge = exp.version == "1.x" or (exp.version == "0.x" and bool(exp.tasks))
        for step in exp.steps:
            if judge and step.form and step.task is not None and exp.step_task(step) is None:
                yield RULE.diagnostic(
                    step.path, step.task_span,
                    f"step `{step.name}` calls task `{step.task}`, which is not declared"
                    + (" in `tasks`" if exp.version == "0.x" else " by the plugins of this entry point")
                    + f"; {validator(exp)} rejects it; " + did_you_mean(str(step.task), tasks,
                                                                            what="Tasks"))
        for step, task, binding in bindings(project, exp):
            about = f"task `{task.name}` ({at(project, task.path, task.name_span)})"
            related = (Related(task.path, task.name_span, f"task `{task.name}`"),)
            inputs = [i.name for i in task.inputs]
            if binding.too_many_positional:
                first = binding.too_many_positional[0]
                count = len(step.args)
                null_call = step.form == "positional" and count == 1 and first.value.value is None \
                    and not task.inputs
                yield RULE.diagnostic(
                    step.path, first.value.span if not null_call else step.task_span,
                    (f"step `{step.name}` writes `{step.task}:` with no value, which passes one null "
                     f"argument, but {about} has no inputs; write `task: {step.task}` to call it "
                     f"without arguments" if null_call else
                     f"step `{step.name}` passes {count} positional argument{'s' if count != 1 else ''} "
                     f"but {about} declares {len(task.inputs)} input{'s' if len(task.inputs) != 1 else ''} "
                     f"({', '.join(map(str, inputs)) or 'none'}); {validator(exp)} rejects it"),
                    related=related)
            missing = ", ".join(f"`{i.name}`" for i in binding.missing)
            for number, arg in enumerate(binding.unknown_keywords):
                # One cause (an input passed under another name) is one finding: the first
                # unknown keyword also names the required inputs nothing gives.
                also = (f", and does not give the required input{'s' if len(binding.missing) > 1 else ''}"
                        f" {missing}" if number == 0 and binding.missing else "")
                yield RULE.diagnostic(
                    step.path, arg.span,
                    f"step `{step.name}` passes `{arg.keyword}`, which is not an input of {about}"
                    f"{also}; " + did_you_mean(str(arg.keyword), [str(i) for i in inputs], what="Inputs"),
                    detail=f"{validator(exp).capitalize() if exp.version != '1.x' else validator(exp)} "
                           f"rejects the step; without validation the plugin is called with "
                           f"`{arg.keyword}=` and raises TypeError.",
                    related=related)
            for task_input, arg in binding.given_twice:
                yield RULE.diagnostic(
                    step.path, arg.span,
                    f"step `{step.name}` gives input `{task_input.name}` of {about} twice: by "
                    f"position {task_input.index + 1} and by keyword; pass it once",
                    related=related)
            if binding.missing and not binding.unknown_keywords:
                names = ", ".join(f"`{i.name}`" for i in binding.missing)
                yield RULE.diagnostic(
                    step.path, step.call_span,
                    f"step `{step.name}` does not give the required input"
                    f"{'s' if len(binding.missing) > 1 else ''} {names} of {about}; "
                    f"{validator(exp)} rejects it and the plugin would be called without "
                    f"{'them' if len(binding.missing) > 1 else 'it'}",
                    related=related + tuple(Related(task.path, i.name_span, f"input `{i.name}`")
                                            for i in binding.missing))
