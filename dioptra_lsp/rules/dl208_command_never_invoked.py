"""DL208: the script defines its click command but running it never calls it."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Related, Severity, TextEdit
from ..model.source import Span, line_index
from .base import Rule, RuleContext, where

RULE = Rule("DL208", "command-never-invoked", Severity.ERROR,
            "The script an entry point runs defines a click command but never calls it",
            fix="safe")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    reported = set()
    for link in project.links:
        script = link.script
        if script is None or not script.commands_never_invoked or link.path in reported:
            continue
        reported.add(link.path)
        command = script.entry_command or script.commands[0]
        runners = sorted({other.entry_point for other in project.links if other.path == link.path})
        yield RULE.diagnostic(
            link.path, command.span,
            f"`{command.function}` is a click command, but nothing calls it when "
            f"`{link.invocation.script}` runs (entry point{'s' if len(runners) > 1 else ''} "
            f"{', '.join(f'`{r}`' for r in runners)}, "
            f"{where(project.mlproject_path, link.invocation.span, project.folder)}): the "
            f"process exits 0 having done nothing, and the job is marked finished. End the "
            f"script with an `if __name__ == \"__main__\":` block that calls `{command.function}()`",
            fix=_call_it(script, command),
            related=(Related(project.mlproject_path, link.invocation.span,
                             f"run by entry point `{link.entry_point}`"),))


def _call_it(script, command) -> Fix | None:
    """Append the ``__main__`` block, when which command to call is not in doubt."""
    if script.entry_command is None:
        return None
    lines = line_index(script.text).lines
    end = Span.point(len(lines) - 1, len(lines[-1]))
    # Two blank lines before the block, counting the line breaks the file already ends with.
    trailing = 0
    while trailing < len(lines) - 1 and lines[-1 - trailing] == "":
        trailing += 1
    gap = "\n" * max(3 - trailing, 0)
    return Fix(f"Call `{command.function}()` under `if __name__ == \"__main__\":`",
               (TextEdit(script.path, end, f"{gap}if __name__ == \"__main__\":\n"
                                           f"    {command.function}()\n"),))
