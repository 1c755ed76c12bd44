"""DL515: a value whose type (literal or through a reference) does not fit where it goes."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model.exptypes import compatible, infer
from .base import Rule, RuleContext
from ._experiments import runner, validator, at, bindings, experiments, quote

RULE = Rule("DL515", "argument-type-mismatch", Severity.ERROR,
            "A step argument or parameter default whose type the declared type does not accept")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for exp in experiments(project):
        if exp.version == "graph" or exp.registry.errors or exp.problems_within(exp.section_region("types")):
            continue
        for param in exp.parameters:
            declared = exp.type_named(param.type)
            if declared is None or not param.has_default or param.default_span is None \
                    or exp.problems_within(param.span, param.path):
                continue
            got = infer(param.default)
            if not compatible(got, declared):
                yield RULE.diagnostic(
                    param.path, param.default_span,
                    f"the default {quote(param.default)} of parameter `{param.name}` is {got}, which "
                    f"its declared type `{param.type}` does not accept; {validator(exp)} rejects "
                    f"it; give a default of type {declared}")
        for step, task, binding in bindings(project, exp):
            if exp.problems_within(step.span, step.path) or exp.problems_within(task.span, task.path):
                continue
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
                what = "" if bound.arg.keyword is not None else \
                    f" as positional argument {bound.arg.index + 1}"
                yield RULE.diagnostic(
                    step.path, bound.arg.value.span,
                    f"step `{step.name}` passes {quote(bound.arg.value.value)} ({got}){what} to "
                    f"input `{task_input.name}` of task `{task.name}`, declared `{task_input.type}` "
                    f"({at(project, task.path, task_input.name_span)}), which does not accept "
                    f"it; {validator(exp)} rejects it; pass a value of type {declared}",
                    related=(Related(task.path, task_input.name_span, f"input `{task_input.name}`"),))
