"""DL505: an experiment parameter that no step (or artifact) refers to."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext
from ._experiments import at, experiments

RULE = Rule("DL505", "unused-experiment-parameter", Severity.WARNING,
            "An experiment parameter that no step refers to as $name")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for exp in experiments(project):
        if not exp.steps or any(p.kind == "syntax" for p in exp.problems) \
                or exp.problems_within(exp.section_region("graph")) \
                or exp.problems_within(exp.section_region("artifact_outputs")):
            continue   # the graph could not be read whole: its references are not all known
        used = exp.referenced_names
        passed = _passed(project, exp)
        for param in exp.parameters:
            if param.name in used:
                continue
            given = passed.get(param.name)
            where_given = (f"; the value given with -P {param.name}=... "
                           f"({at(project, project.mlproject_path, given.name_span)}) is dropped"
                           if given is not None else "")
            related = (Related(project.mlproject_path, given.name_span, f"-P {param.name}"),) \
                if given is not None else ()
            yield RULE.diagnostic(
                param.path, param.name_span,
                f"parameter `{param.name}` is never used: no step refers to `${param.name}`"
                f"{where_given}; pass `${param.name}` to the task input that needs it or remove it",
                related=related)


def _passed(project, exp) -> dict:
    out = {}
    for link in project.experiments:
        if link.experiment is exp and link.run_call is not None:
            for arg in link.run_call.params:
                out.setdefault(arg.name, arg)
    return out
