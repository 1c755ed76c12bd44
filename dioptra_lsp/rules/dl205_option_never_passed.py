"""DL205: a click option that no entry point running the script passes."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext
from ._cli import invocations

RULE = Rule("DL205", "option-never-passed", Severity.INFO,
            "A click option that no entry point running this script passes (always its default)")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    passed: dict = {}
    commands: dict = {}
    for inv in invocations(ctx.project):
        key = inv.link.script.path
        commands[key] = inv
        passed.setdefault(key, set()).update(id(u.option) for u in inv.uses if u.option)
        passed[key].add(("ep", inv.entry_point.name))
    for key, inv in commands.items():
        eps = sorted(name for kind, name in (x for x in passed[key] if isinstance(x, tuple)))
        for option in inv.click.options:
            if id(option) in passed[key] or (option.required and not option.has_default):
                # never passed *and* required is DL202's finding
                continue
            flag = option.flags[0] if option.flags else option.dest
            if not flag:   # declared without a literal name: nothing to say about how it is passed
                continue
            default = "" if not option.has_default else f" `{option.default!r}`"
            yield RULE.diagnostic(
                key, option.decl_span,
                f"`{flag}` of `{inv.click.command_name}` is never passed by an entry point of "
                f"{ctx.project.mlproject_path.name} (entry points running this script: "
                f"{', '.join(eps)}), so it always takes its default{default}")
