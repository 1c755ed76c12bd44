"""DL207: the script has no click command the linter can read, so nothing was cross-checked."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext

RULE = Rule("DL207", "no-cli", Severity.INFO,
            "The script a command runs has no click command the linter can read")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    seen = set()
    for link in project.links:
        script = link.script
        if script is None or script.entry_command is not None or link.invocation.script_token is None:
            continue
        if (link.entry_point, link.path) in seen:
            continue
        seen.add((link.entry_point, link.path))
        if script.problems:
            continue   # a syntax error is reported by DL001
        if script.commands:
            names = ", ".join(c.function for c in script.commands)
            why = (f"it has several click commands ({names}) and no `if __name__ == \"__main__\":` "
                   f"call that picks one")
        else:
            why = "it has no `@click.command` function (argparse or sys.argv are not read)"
        yield RULE.diagnostic(
            project.mlproject_path, link.invocation.script_token.span,
            f"`{link.invocation.script}` run by entry point `{link.entry_point}` was not "
            f"cross-checked: {why}")
