"""DL106: a ``{placeholder}`` MLflow cannot fill from the declared parameters."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext, did_you_mean, entry_point_commands

RULE = Rule("DL106", "undeclared-placeholder", Severity.ERROR,
            "A command placeholder with no such parameter, or one str.format cannot fill")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    for ep, command in entry_point_commands(mlproject):
        names = [p.name for p in ep.parameters]
        if command.format_error and command.format_error_span is not None:
            yield RULE.diagnostic(mlproject.path, command.format_error_span,
                                  f"the command of `{ep.name}` cannot be formatted: "
                                  f"{command.format_error}; MLflow fails before running it")
        for ph in command.placeholders:
            if not ph.valid:
                yield RULE.diagnostic(
                    mlproject.path, ph.span,
                    f"`{ph.raw}` cannot be filled by MLflow, which substitutes each parameter by "
                    f"name as a quoted string (no positions, attributes, conversions or format "
                    f"specs); write `{{{ph.name or 'name'}}}` with a declared parameter. "
                    f"Parameters: {', '.join(names) or '(none)'}")
            elif ep.parameter(ph.name) is None:
                yield RULE.diagnostic(
                    mlproject.path, ph.span,
                    f"`{ph.raw}` has no parameter `{ph.name}` in entry point `{ep.name}`, so "
                    f"MLflow fails with a KeyError; "
                    + did_you_mean(ph.name, names, what="Parameters"))
