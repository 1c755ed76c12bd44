"""DL112: bash cannot read the command (a syntax error other than an unclosed quote)."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext, entry_point_commands

RULE = Rule("DL112", "shell-syntax-error", Severity.ERROR,
            "bash cannot read the command: it stops with a syntax error")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    for ep, command in entry_point_commands(mlproject):
        shell = command.shell
        if shell.error is None or shell.unclosed_quote is not None or command.format_error:
            continue   # an open quote is DL111's; a command str.format refuses never reaches bash
        start, end = shell.error_start, shell.error_end
        written = command.value[start:end]
        hint = (f"`{written}` here is never completed" if "end of file" in shell.error
                else f"`{written}` cannot stand here" if "near unexpected token" in shell.error
                else f"`{written}` here is never closed")
        yield RULE.diagnostic(
            mlproject.path, command.span_of(start, end),
            f"bash cannot read the command of `{ep.name}`: \"{shell.error}\" ({hint}); the job "
            f"fails with exit status 2")
