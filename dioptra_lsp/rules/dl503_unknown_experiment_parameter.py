"""DL503: ``-P name=...`` for a name the experiment does not declare (run-experiment drops it)."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model.types import MISSING
from .base import Rule, RuleContext, did_you_mean
from ._experiments import at, quote, shown

RULE = Rule("DL503", "unknown-experiment-parameter", Severity.WARNING,
            "run-experiment is given -P for a parameter the experiment does not declare")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    mlproject = project.mlproject
    if mlproject is None:
        return
    for link in project.experiments:
        exp, call = link.experiment, link.run_call
        if exp is None or call is None or exp.section_span("parameters") is None and exp.problems:
            continue
        declared = [p.name for p in exp.parameters if isinstance(p.name, str)]
        for arg in call.params:
            if exp.parameter(arg.name) is not None:
                continue
            hint = did_you_mean(arg.name, declared, what="Parameters")
            close = _close(arg.name, declared)
            kept = ""
            if close is not None:
                param = exp.parameter(close)
                value = param.default if param.has_default else MISSING
                kept = (f", so `{close}` keeps its default" + (f" {quote(value)}" if value is not MISSING
                                                                  else "")
                        + f" ({at(project, exp.path, param.name_span)})")
            related = ()
            if close is not None:
                related = (Related(exp.path, exp.parameter(close).name_span, f"parameter `{close}`"),)
            yield RULE.diagnostic(
                mlproject.path, arg.name_span,
                f"`-P {arg.name}=...` names no parameter of {shown(project, exp.path)}; "
                f"run-experiment logs it as unused and drops it{kept}; {hint}",
                related=related)


def _close(word: str, choices: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return found[0] if found else None
