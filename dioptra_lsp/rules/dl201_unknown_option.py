"""DL201: the command passes a flag the script's click command does not declare."""

from __future__ import annotations

import difflib
from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Related, Severity, TextEdit
from .base import Rule, RuleContext, where
from ._cli import flags_of, invocations

RULE = Rule("DL201", "unknown-option", Severity.ERROR,
            "The command passes a --flag the script's click command does not declare", fix="unsafe")

_ALWAYS = {"--help"}


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for inv in invocations(project):
        known = flags_of(inv.click)
        for use in inv.uses:
            if use.option is not None or use.flag in _ALWAYS:
                continue
            script = inv.link.script
            # Suggest only options this command does not pass already: the fix must not
            # create a duplicate flag.
            taken = {f for u in inv.uses if u.option is not None for f in u.option.all_flags}
            close = difflib.get_close_matches(use.flag, [f for f in known if f not in taken],
                                              n=1, cutoff=0.6)
            fix = None
            span = (inv.entry_point.command.exact_span_of(*use.flag_range)
                    if use.flag_written else None)
            if close and span is not None:
                fix = Fix(f"Replace with `{close[0]}`",
                          (TextEdit(project.mlproject_path, span, close[0]),), safe=False)
            yield RULE.diagnostic(
                project.mlproject_path,
                inv.entry_point.command.span_of(*use.flag_range),
                f"`{use.flag}` is not an option of `{inv.click.command_name}` in "
                f"{where(script.path, inv.click.span, project.folder)}; click stops with \"No such "
                f"option\"; " + (f"did you mean `{close[0]}`? " if close else "")
                + f"Options: {', '.join(sorted(known)) or '(none)'}",
                fix=fix,
                related=(Related(script.path, inv.click.span, f"click command `{inv.click.command_name}`"),))
