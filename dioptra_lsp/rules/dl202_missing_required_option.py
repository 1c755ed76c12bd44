"""DL202: a required click option that the command never passes."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext, where
from ._cli import invocations

RULE = Rule("DL202", "missing-required-option", Severity.ERROR,
            "A click option with required=True and no default is not passed by the command")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for inv in invocations(project):
        if any(word.splits for word in inv.link.invocation.args):
            continue   # an unquoted expansion may pass any option at run time: not judged
        passed = {id(u.option) for u in inv.uses if u.option is not None}
        for option in inv.click.options:
            if not option.required or _has_value_when_absent(option) or id(option) in passed:
                continue
            if option.envvar:
                continue   # click can take it from the environment
            flag = option.flags[0] if option.flags else option.dest
            passed_flags = ", ".join(u.flag for u in inv.uses) or "(none)"
            yield RULE.diagnostic(
                project.mlproject_path, inv.link.invocation.script_token.span
                if inv.link.invocation.script_token else inv.entry_point.name_span,
                f"entry point `{inv.entry_point.name}` never passes `{flag}`, a required option "
                f"of `{inv.click.command_name}` ({where(inv.link.script.path, option.span, project.folder)}) "
                f"with no default, so click stops with \"Missing option\"; passed: {passed_flags}",
                related=(Related(inv.link.script.path, option.span, f"`{flag}` declared here"),))


def _has_value_when_absent(option) -> bool:
    """Whether click fills the option when the command leaves it out: a count starts at 0;
    an empty default of a ``multiple`` option is still "missing" to click."""
    if option.count:
        return True
    if not option.has_default:
        return False
    default = option.default
    return not (option.multiple and (default is None or default == () or default == []))
