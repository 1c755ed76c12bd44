"""DL104: a parameter type MLflow does not know; it is treated as a plain string."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Severity, TextEdit
from ..model.types import MISSING
from .base import Rule, RuleContext, did_you_mean

RULE = Rule("DL104", "unknown-parameter-type", Severity.INFO,
            "A parameter type that is not string, float, path or uri", fix="safe")

TYPES = ("string", "float", "path", "uri")
# Spellings real entry points use on purpose: MLflow passes them through as strings, exactly
# as it does `string` and `float` (it checks neither), so nothing changes at run time.
CONVENTIONAL = frozenset({"int", "integer", "str", "bool", "boolean"})
# Only spellings that mean exactly the same to MLflow get an automatic fix.
_SAME = {"String": "string", "text": "string"}
# Only `path` and `uri` are acted on (MLflow checks a local path exists and makes it absolute,
# downloads a remote one, refuses a non-URI): misspelt, the value passes through unchecked.
_CONVERTING = {"file": "path", "dir": "path", "directory": "path", "url": "uri"}


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    for ep in mlproject.entry_points:
        for param in ep.parameters:
            if param.type is MISSING or param.type in TYPES or param.type_span is None:
                continue
            shown = param.type if isinstance(param.type, str) else repr(param.type)
            if str(shown).lower() in CONVENTIONAL:
                continue
            meant = _CONVERTING.get(str(shown).lower()) or _close_converting(str(shown))
            fix = None
            if shown in _SAME:
                fix = Fix(f"Write `{_SAME[shown]}`", (TextEdit(mlproject.path, param.type_span, _SAME[shown]),))
            if meant:
                yield RULE.diagnostic(
                    mlproject.path, param.type_span,
                    f"`{shown}` is not an MLflow parameter type, so MLflow passes `{param.name}` "
                    f"through unchanged instead of {_ACTS[meant]}; did you mean `{meant}`? "
                    f"Types: {', '.join(TYPES)}", severity=Severity.WARNING)
                continue
            yield RULE.diagnostic(
                mlproject.path, param.type_span,
                f"`{shown}` is not an MLflow parameter type; MLflow treats parameter "
                f"`{param.name}` as a plain string; "
                f"{did_you_mean(str(shown), TYPES, what='Types')}", fix=fix)


_ACTS = {"path": "checking that the path exists and making it absolute",
         "uri": "checking that it is a URI"}


def _close_converting(word: str) -> str | None:
    """`pth`, `paht`, `uir`: a misspelt `path` or `uri`."""
    import difflib

    close = difflib.get_close_matches(word.lower(), TYPES, n=1, cutoff=0.6)
    return close[0] if close and close[0] in ("path", "uri") else None
