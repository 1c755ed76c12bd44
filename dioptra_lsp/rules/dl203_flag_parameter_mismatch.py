"""DL203: ``--model-name {model_architecture}`` while ``model_name`` sits unused."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Related, Severity, TextEdit
from .base import Rule, RuleContext, where
from ._cli import mismatches

RULE = Rule("DL203", "flag-parameter-mismatch", Severity.WARNING,
            "A flag is fed by another parameter while the one named like it goes unused",
            fix="unsafe")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for mismatch in mismatches(project):
        use, twin, ph = mismatch.use, mismatch.twin, mismatch.placeholder
        span = ph.span
        fix = None
        if mismatch.entry_point.command.offset_positions:    # the placeholder's own range
            fix = Fix(f"Feed `{use.flag}` from `{{{twin.name}}}`",
                      (TextEdit(project.mlproject_path, span, f"{{{twin.name}}}"),), safe=False)
        yield RULE.diagnostic(
            project.mlproject_path, span,
            f"`{use.flag}` is fed by `{{{ph.name}}}` while parameter `{twin.name}` "
            f"({where(project.mlproject_path, twin.name_span, project.folder)}) is never "
            f"substituted; did you mean `{{{twin.name}}}`?",
            fix=fix,
            related=(Related(project.mlproject_path, twin.name_span, f"`{twin.name}` declared here"),))
