"""DL110: a key given twice in one YAML mapping; the last one silently wins."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model.source import Span
from .base import Rule, RuleContext

RULE = Rule("DL110", "duplicate-key", Severity.WARNING,
            "A YAML key given twice in one mapping (the last silently wins)")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    for problem in mlproject.problems:
        if problem.kind == "duplicate-key":
            first = dict(problem.detail).get("first_line", 0)
            yield RULE.diagnostic(problem.path, problem.span, problem.message,
                                  related=(Related(problem.path, Span.point(first, 0),
                                                   "first given here"),))
