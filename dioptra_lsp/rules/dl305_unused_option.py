"""DL305: a click option whose value the command function never uses."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext, where
from ._flows import scripts

RULE = Rule("DL305", "unused-option", Severity.WARNING,
            "A click option whose value the command function never uses")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for path, script in scripts(ctx.project):
        for cmd in script.commands:
            if cmd.uses_dynamic_locals:
                continue   # locals() / **kwargs: usage cannot be judged
            takes = {p.name for p in cmd.function_params}
            used = sorted(n for n in takes if n in cmd.used_names)
            for opt in cmd.params:
                if (opt.kind != "option" or not opt.dest or opt.dest not in takes
                        or opt.dest in cmd.used_names or opt.has_callback
                        or "expose_value" in opt.extra_keywords or "**" in opt.extra_keywords):
                    continue   # a callback may be the point of the option; expose_value=False passes nothing
                flag = opt.flags[0] if opt.flags else opt.dest
                yield RULE.diagnostic(
                    path, opt.decl_span,
                    f"option `{flag}` fills parameter `{opt.dest}` of `{cmd.function}` "
                    f"({where(path, cmd.span, ctx.project.folder)}), which the function never reads: the value passed on the command line is ignored (pass it "
                    f"to flow.run(parameters=...) or remove the option). Parameters it does read: "
                    f"{', '.join(used) or '(none)'}")
