"""DL102: a key MLflow does not read, so whatever it says is silently ignored."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from ..model.mlproject import ENTRY_POINT_KEYS, PARAMETER_KEYS, TOP_KEYS, malformed_entry
from ..model.types import YamlKey
from .base import Rule, RuleContext, did_you_mean

RULE = Rule("DL102", "unknown-key", Severity.WARNING,
            "A key MLflow silently ignores (top level, entry point, parameter spec)")


def _unknown(keys: tuple[YamlKey, ...], known: tuple[str, ...], where: str, path) -> Iterator[Diagnostic]:
    for key in keys:
        if key.name in known or malformed_entry(key, known) is not None:
            continue
        yield RULE.diagnostic(path, key.span,
                              f"`{key.name}` is not a key MLflow reads {where}, so it is ignored; "
                              + did_you_mean(key.name, known, what="Keys"))


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    yield from _unknown(mlproject.top_keys, TOP_KEYS, "at the top level", mlproject.path)
    for ep in mlproject.entry_points:
        yield from _unknown(ep.keys, ENTRY_POINT_KEYS, f"in entry point `{ep.name}`", mlproject.path)
        for param in ep.parameters:
            yield from _unknown(param.keys, PARAMETER_KEYS,
                                f"in the spec of parameter `{param.name}`", mlproject.path)
