"""DL504: an experiment parameter without a default that the run-experiment command never supplies."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext
from ._experiments import at

RULE = Rule("DL504", "missing-experiment-parameter", Severity.ERROR,
            "An experiment parameter without default that no -P of run-experiment supplies")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    mlproject = project.mlproject
    if mlproject is None:
        return
    for link in project.experiments:
        exp, call = link.experiment, link.run_call
        if exp is None or call is None:
            continue
        given = {arg.name for arg in call.params}
        missing = [p for p in exp.parameters if not p.has_default and p.name not in given]
        if not missing:
            continue
        names = ", ".join(f"`{p.name}`" for p in missing)
        ep = mlproject.entry_point(link.entry_point) if link.entry_point else None
        passes = " ".join(f"-P {p.name}={{{p.name}}}" if ep is not None and ep.parameter(p.name)
                          else f"-P {p.name}=..." for p in missing)
        yield RULE.diagnostic(
            mlproject.path, call.program_token.span,
            f"run-experiment (entry point `{link.entry_point}`) supplies no value for {names}, which "
            f"{'has' if len(missing) == 1 else 'have'} no default in "
            f"{at(project, exp.path, missing[0].name_span)}; the job fails with "
            f"MissingGlobalParametersError; add `{passes}` or give a default",
            related=tuple(Related(exp.path, p.name_span, f"parameter `{p.name}`") for p in missing))
