"""DL103: ``{type:float, default:10}`` -- YAML reads one odd key with no value; the setting is lost."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Severity, TextEdit
from ..model.mlproject import PARAMETER_KEYS, malformed_entry
from .base import Rule, RuleContext

RULE = Rule("DL103", "malformed-flow-mapping", Severity.ERROR,
            "A mapping entry without a space after the colon that YAML reads as one key", fix="safe")

_LOST = {"type": "the type is lost and MLflow uses `string`",
         "default": "the default is lost and the parameter becomes required"}


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    for problem in mlproject.problems:
        if problem.kind == "malformed-flow-mapping":
            detail = dict(problem.detail)
            yield RULE.diagnostic(problem.path, problem.span, problem.message,
                                  fix=_fix(problem.path, problem.span, detail["key"], detail["value"]))
    for ep in mlproject.entry_points:
        for param in ep.parameters:
            for key in param.keys:
                glued = malformed_entry(key, PARAMETER_KEYS)
                if glued is None:
                    continue
                name, value = glued
                yield RULE.diagnostic(
                    mlproject.path, key.span,
                    f"`{key.name}` in parameter `{param.name}` is read by YAML as one key with no "
                    f"value, so {_LOST[name]}; write `{name}: {value}` (a space after the colon)",
                    fix=_fix(mlproject.path, key.span, name, value))


def _fix(path, span, name: str, value: str) -> Fix:
    return Fix(f"Write `{name}: {value}`", (TextEdit(path, span, f"{name}: {value}"),))
