"""DL110: a key given twice in one YAML mapping; the last one silently wins."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext

RULE = Rule("DL110", "duplicate-key", Severity.WARNING,
            "A YAML key given twice in one mapping (the last silently wins)")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    for problem in mlproject.problems:
        if problem.kind == "duplicate-key":
            first = dict(problem.detail)["first_span"]
            yield RULE.diagnostic(problem.path, problem.span, problem.message,
                                  related=(Related(problem.path, first, "first given here"),))
