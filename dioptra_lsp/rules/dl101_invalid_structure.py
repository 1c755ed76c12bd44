"""DL101: the MLproject does not have the shape MLflow needs to run it."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext

RULE = Rule("DL101", "invalid-structure", Severity.ERROR,
            "The MLproject's structure is not one MLflow can run")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    # The reader decides what MLflow refuses (its environments included): one owner.
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    for problem in mlproject.problems:
        if problem.kind == "structure":
            yield RULE.diagnostic(problem.path, problem.span, problem.message)
