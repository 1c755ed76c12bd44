"""DL511: ``dependencies`` on steps that do not exist, and steps that wait for each other."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext, did_you_mean
from ._experiments import runner, validator, experiments

RULE = Rule("DL511", "step-dependency", Severity.ERROR,
            "A step depends on an unknown step, or steps depend on each other in a cycle")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for exp in experiments(ctx.project):
        names = [s.name for s in exp.steps if isinstance(s.name, str)]
        for step in exp.steps:
            for dep in step.dependencies:
                if not isinstance(dep.name, str) or exp.step(dep.name) is not None:
                    continue
                yield RULE.diagnostic(
                    step.path, dep.span,
                    f"step `{step.name}` depends on `{dep.name}`, which is not a step; "
                    f"{validator(exp)} rejects it and {runner(exp)} fails (StepNotFoundError); "
                    + did_you_mean(dep.name, names, what="Steps"))
        _, cycle = exp.step_order
        if not cycle:
            continue
        ring = " -> ".join(str(n) for n in cycle)
        members = list(dict.fromkeys(cycle))
        for name in members:
            step = exp.step(name)
            if step is None:
                continue
            edge = next((span for target, span, _ in exp.step_dependencies(step)
                         if target in members), step.name_span)
            yield RULE.diagnostic(
                step.path, edge,
                f"step `{name}` is part of a dependency cycle ({ring}); the engine cannot order the "
                f"steps and fails before running any; remove one of the references or dependencies",
                related=tuple(Related(exp.step(n).path, exp.step(n).name_span, f"step `{n}`")
                              for n in members if n != name and exp.step(n) is not None))
