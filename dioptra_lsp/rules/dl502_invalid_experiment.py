"""DL502: an experiment description that validate-experiment rejects for its shape or names."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext
from ._experiments import experiments

RULE = Rule("DL502", "invalid-experiment", Severity.ERROR,
            "The experiment description is not a shape or uses names the task engine accepts")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    seen = set()
    for exp in experiments(ctx.project):
        for problem in exp.problems:
            key = (problem.path, problem.span, problem.message)
            if problem.kind == "experiment-structure" and key not in seen:
                seen.add(key)
                yield RULE.diagnostic(problem.path, problem.span, problem.message)
