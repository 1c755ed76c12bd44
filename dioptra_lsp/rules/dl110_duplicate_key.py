"""DL110: a key given twice in one YAML mapping; the last one silently wins."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext

RULE = Rule("DL110", "duplicate-key", Severity.WARNING,
            "A YAML key given twice in one mapping (the last silently wins)")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    """In the MLproject and in the experiment files it runs (where the first task or step of a
    name is silently lost)."""
    mlproject = ctx.project.mlproject
    problems = list(mlproject.problems) if mlproject is not None else []
    seen = set()
    for link in ctx.project.experiments:
        if link.experiment is not None and link.experiment.path not in seen:
            seen.add(link.experiment.path)
            problems.extend(link.experiment.problems)
    for problem in problems:
        if problem.kind == "duplicate-key":
            first = dict(problem.detail)["first_span"]
            yield RULE.diagnostic(problem.path, problem.span, problem.message,
                                  related=(Related(problem.path, first, "first given here"),))
