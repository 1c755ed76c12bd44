"""DL513: a plain word equal to a parameter or step name where ``$name`` was probably meant."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Related, Severity, TextEdit
from .base import Rule, RuleContext
from ._experiments import at, experiments

RULE = Rule("DL513", "bare-reference", Severity.INFO,
            "A step passes the text of a parameter or step name, not its value ($name)")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for exp in experiments(project):
        for step in exp.steps:
            for arg in step.arguments:
                for word, span in arg.value.words:
                    target = exp.parameter(word) or exp.step(word)
                    if target is None or word == step.name:
                        continue
                    if exp.parameter(word) is not None and word not in exp.referenced_names:
                        continue   # the parameter is otherwise unused: DL505 says it, with this place
                    kind = "parameter" if exp.parameter(word) is not None else "step"
                    where = getattr(target, "path", step.path)
                    yield RULE.diagnostic(
                        step.path, span,
                        f"step `{step.name}` passes the text '{word}', which is the name of {kind} "
                        f"`{word}` ({at(project, where, target.name_span)}); the task receives the "
                        f"word itself, not its value; write `${word}` if the value was meant",
                        related=(Related(where, target.name_span, f"{kind} `{word}`"),))
