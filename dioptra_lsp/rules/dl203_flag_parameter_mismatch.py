"""DL203: ``--model-name {model_architecture}`` while ``model_name`` sits unused."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Related, Severity, TextEdit
from .base import Rule, RuleContext, where
from ._cli import invocations

RULE = Rule("DL203", "flag-parameter-mismatch", Severity.WARNING,
            "A flag is fed by another parameter while the one named like it goes unused",
            fixable=True)


def _stem(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_").lower()


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for inv in invocations(project):
        ep = inv.entry_point
        used = {p.name for p in ep.command.placeholders}
        for use in inv.uses:
            if not use.value_is_single_placeholder or not use.placeholders:
                continue
            fed_by = use.placeholders[0]
            wanted = {_stem(use.flag)}
            if use.option is not None:
                wanted.add(use.option.dest)
            if fed_by in wanted:
                continue
            twin = next((p for p in ep.parameters if p.name in wanted and p.name not in used), None)
            if twin is None:
                continue
            ph = next(p for p in ep.command.placeholders
                      if p.name == fed_by and use.value_token is not None
                      and use.value_token.start <= p.offset < use.value_token.end) \
                if use.value_token is not None else None
            span = ph.span if ph else ep.command.span_of(use.token.start, use.token.end)
            fix = Fix(f"Feed `{use.flag}` from `{{{twin.name}}}`",
                      (TextEdit(project.mlproject_path, span, f"{{{twin.name}}}"),), safe=False) if ph else None
            yield RULE.diagnostic(
                project.mlproject_path, span,
                f"`{use.flag}` is fed by `{{{fed_by}}}` while parameter `{twin.name}` "
                f"({where(project.mlproject_path, twin.name_span, project.folder)}) is never "
                f"substituted; did you mean `{{{twin.name}}}`?",
                fix=fix,
                related=(Related(project.mlproject_path, twin.name_span, f"`{twin.name}` declared here"),))
