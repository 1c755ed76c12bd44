"""DL108: the command runs a script that is not there."""

from __future__ import annotations

import difflib
from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext

RULE = Rule("DL108", "missing-script", Severity.ERROR,
            "The command runs a script that does not exist relative to the MLproject folder")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    if project.mlproject is None:
        return
    for link in project.links:
        if (link.path is None or link.exists or link.read_error is not None
                or link.invocation.script_token is None):
            continue
        script = link.invocation.script or ""
        # A moved script keeps its name; a renamed one keeps its folder.
        base = script.rsplit("/", 1)[-1]
        close = [n for n in link.nearby if n.rsplit("/", 1)[-1] == base][:1]
        if not close:
            close = difflib.get_close_matches(script, link.nearby, n=1, cutoff=0.75)
        hint = f"did you mean `{close[0]}`? " if close else ""
        shown = ", ".join(link.nearby[:10]) + (", ..." if len(link.nearby) > 10 else "")
        yield RULE.diagnostic(
            project.mlproject_path, link.invocation.script_token.span,
            f"entry point `{link.entry_point}` runs `{script}`, which does not exist relative to "
            f"the MLproject folder ({project.folder.as_posix()}); {hint}"
            f"Scripts there: {shown or '(none)'}")
