"""DL104: a parameter type MLflow does not know; it is treated as a plain string."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Severity, TextEdit
from ..model.types import MISSING
from .base import Rule, RuleContext, did_you_mean

RULE = Rule("DL104", "unknown-parameter-type", Severity.WARNING,
            "A parameter type that is not string, float, path or uri", fixable=True)

TYPES = ("string", "float", "path", "uri")
# Only spellings that mean exactly the same to MLflow get an automatic fix.
_SAME = {"str": "string", "String": "string", "text": "string"}
_HINT = {"int": "float", "integer": "float", "bool": "string", "boolean": "string", "str": "string",
         "number": "float", "double": "float", "file": "path", "dir": "path", "url": "uri"}


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    for ep in mlproject.entry_points:
        for param in ep.parameters:
            if param.type is MISSING or param.type in TYPES or param.type_span is None:
                continue
            shown = param.type if isinstance(param.type, str) else repr(param.type)
            hint = _HINT.get(str(shown).lower())
            tail = (f"did you mean `{hint}`? Types: {', '.join(TYPES)}" if hint
                    else did_you_mean(str(shown), TYPES, what="Types"))
            fix = None
            if shown in _SAME:
                fix = Fix(f"Write `{_SAME[shown]}`", (TextEdit(mlproject.path, param.type_span, _SAME[shown]),))
            yield RULE.diagnostic(
                mlproject.path, param.type_span,
                f"`{shown}` is not an MLflow parameter type; MLflow treats parameter "
                f"`{param.name}` as a plain string and checks nothing; {tail}", fix=fix)
