"""DL551: a ``dioptra.toml`` that Dioptra's resource import rejects."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext

RULE = Rule("DL551", "invalid-dioptra-toml", Severity.ERROR,
            "dioptra.toml is not what Dioptra's resource import accepts")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    toml = ctx.project.dioptra_toml
    if toml is None:
        return
    for problem in toml.problems:
        if problem.kind == "toml-structure":
            yield RULE.diagnostic(problem.path, problem.span, problem.message)
