"""DL306: a parameter of the click function that no option or argument provides, without default."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext, did_you_mean, where
from ._flows import scripts

RULE = Rule("DL306", "argument-without-option", Severity.ERROR,
            "A parameter of the click function that no option provides and that has no default")

_FILLABLE = ("positional_only", "positional_or_keyword", "keyword_only")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for path, script in scripts(project):
        for cmd in script.commands:
            if cmd.other_decorators or any("**" in p.extra_keywords or not p.dest for p in cmd.params):
                # ``@common_options`` may add the option; ``**kwargs`` or computed decls hide the dest
                continue
            dests = [p.dest for p in cmd.params]
            fparams = list(cmd.function_params)
            if cmd.passes_context and fparams:
                fparams = fparams[1:]   # @click.pass_context fills the first parameter
            for fp in fparams:
                if fp.kind not in _FILLABLE or fp.has_default or fp.name in dests:
                    continue
                yield RULE.diagnostic(
                    path, fp.span,
                    f"parameter `{fp.name}` of click command `{cmd.command_name}` "
                    f"({where(path, cmd.span, project.folder)}) is filled by no @click.option or "
                    f"@click.argument and has no default: click calls `{cmd.function}()` without it "
                    f"and Python raises TypeError; " + did_you_mean(fp.name, dests, what="Options fill"),
                    related=(Related(path, cmd.decorator_span, f"click command `{cmd.command_name}`"),))
