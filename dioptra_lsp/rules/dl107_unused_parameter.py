"""DL107: a declared parameter the command never substitutes; the user's value is dropped."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Severity, TextEdit
from ..model.source import Span
from ._cli import mismatches
from .base import Rule, RuleContext, entry_point_commands

RULE = Rule("DL107", "unused-parameter", Severity.WARNING,
            "A declared parameter that the command never substitutes", fixable=True)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    lines = mlproject.text.split("\n")
    # A parameter another flag should have been fed by is DL203's finding, not a second one here.
    twins = {(m.entry_point.name, m.twin.name) for m in mismatches(ctx.project)}
    for ep, command in entry_point_commands(mlproject):
        if command.format_error:
            continue
        used = {p.name for p in command.placeholders}
        for param in ep.parameters:
            if param.name in used or (ep.name, param.name) in twins:
                continue
            yield RULE.diagnostic(
                mlproject.path, param.name_span,
                f"parameter `{param.name}` of entry point `{ep.name}` is never substituted into "
                f"its command, so a value given for it is silently dropped; add "
                f"`{{{param.name}}}` to the command or remove the parameter",
                fix=_removal(mlproject.path, lines, param.name_span, param.spec_span))


def _removal(path, lines: list[str], key: Span, spec: Span) -> Fix | None:
    """Delete the parameter's whole lines when nothing else shares them."""
    first, last = key.start.line, spec.end.line
    if spec.end.character == 0 and last > first:
        last -= 1
    if lines[first][: key.start.character].strip() or lines[last][spec.end.character:].strip(" ,#"):
        return None
    edit = TextEdit(path, Span.of(first, 0, last + 1, 0), "")
    return Fix("Remove the unused parameter", (edit,), safe=False)
