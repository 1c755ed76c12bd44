"""DL111: a quote in the command is never closed, so bash refuses the whole command."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext, entry_point_commands

RULE = Rule("DL111", "unclosed-quote", Severity.ERROR,
            "A quote in the command is never closed: bash refuses to run it")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    for ep, command in entry_point_commands(mlproject):
        if command.unclosed_quote_span is None:
            continue
        quote = command.unclosed_quote
        yield RULE.diagnostic(
            mlproject.path, command.unclosed_quote_span,
            f"this `{quote}` opens a quoted string in the command of `{ep.name}` that is never "
            f"closed; bash stops with \"unexpected EOF while looking for matching `{quote}'\" "
            f"and runs nothing. Close the quote, or escape a literal one as `\\{quote}`")
