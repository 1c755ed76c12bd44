"""DL515: a value whose type (literal or through a reference) does not fit where it goes."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model.exptypes import compatible, infer
from .base import Rule, RuleContext
from ._experiments import at, bindings, experiments, quote

RULE = Rule("DL515", "argument-type-mismatch", Severity.ERROR,
            "A step argument or parameter default whose type the declared type does not accept")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for exp in experiments(project):
        if exp.version == "graph" or exp.registry.errors or exp.has_problems:
            continue
        for param in exp.parameters:
            declared = exp.type_named(param.type)
            if declared is None or not param.has_default or param.default_span is None:
                continue
            got = infer(param.default)
            if not compatible(got, declared):
                yield RULE.diagnostic(
                    param.path, param.default_span,
                    f"the default {quote(param.default)} of parameter `{param.name}` is {got}, which "
                    f"its declared type `{param.type}` does not accept; validate-experiment rejects "
                    f"it; give a default of type {declared}")
        for step, task, binding in bindings(project, exp):
            for bound in binding.arguments:
                task_input = bound.input
                if task_input is None:
                    continue
                declared = exp.type_named(task_input.type)
                if declared is None:
                    continue
                got = exp.value_type(bound.arg.value.value)
                if got is None or compatible(got, declared):
                    continue
                what = f"`{bound.arg.keyword}`" if bound.arg.keyword is not None else \
                    f"positional argument {bound.arg.index + 1}"
                yield RULE.diagnostic(
                    step.path, bound.arg.value.span,
                    f"step `{step.name}` passes {quote(bound.arg.value.value)} ({got}) as {what} to "
                    f"input `{task_input.name}` of task `{task.name}`, declared `{task_input.type}` "
                    f"({at(project, task.path, task_input.name_span)}), which does not accept "
                    f"it; validate-experiment rejects it; pass a value of type {declared}",
                    related=(Related(task.path, task_input.name_span, f"input `{task_input.name}`"),))
