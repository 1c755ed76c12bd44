"""DL206: the command passes the same option twice (click keeps only the last)."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext
from ._cli import invocations

RULE = Rule("DL206", "duplicate-flag", Severity.WARNING,
            "The command passes the same option twice")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for inv in invocations(project):
        command = inv.entry_point.command
        seen: dict = {}
        for use in inv.uses:
            option = use.option
            if option is None or option.multiple or option.count:
                continue
            first = seen.get(id(option))
            if first is None:
                seen[id(option)] = use
                continue
            if _what_it_sets(first) == _what_it_sets(use):
                continue   # `-v -v`, `--x {a} --x {a}`: the second changes nothing
            first_span = command.span_of(first.token.start, first.token.end)
            yield RULE.diagnostic(
                project.mlproject_path, command.span_of(*use.flag_range),   # ``--x`` of ``--x=2``
                f"`{use.flag}` is passed twice in entry point `{inv.entry_point.name}` (first as "
                f"`{first.flag}` on line {first_span.start.line + 1}); click keeps only the last value",
                related=(Related(project.mlproject_path, first_span, "first passed here"),))


def _what_it_sets(use) -> tuple:
    """A flag sets its own value (``--x`` and ``--no-x`` differ); an option, the word after it."""
    if use.inline_value is not None:
        return "value", use.inline_value
    if use.value_token is not None:
        return "value", use.value_token.value
    return "flag", use.flag in use.option.secondary_flags
