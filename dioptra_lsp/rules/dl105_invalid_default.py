"""DL105: a default its own type cannot hold."""

from __future__ import annotations

import urllib.parse
from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext

RULE = Rule("DL105", "invalid-default", Severity.WARNING,
            "A default that its parameter type cannot hold")


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    for ep in mlproject.entry_points:
        for param in ep.parameters:
            if not param.has_default or param.default_span is None:
                continue
            value = param.default
            shown = param.default_text or str(value)
            if param.type == "float" and not _is_number(value):
                extra = (f" (YAML reads `{shown}` as the boolean {value}, which MLflow passes as "
                         f"`{value}`)" if isinstance(value, bool) else "")
                yield RULE.diagnostic(mlproject.path, param.default_span,
                                      f"default `{shown}` of float parameter `{param.name}` is not "
                                      f"a number{extra}")
            elif param.type == "uri" and not urllib.parse.urlparse(str(value)).scheme:
                yield RULE.diagnostic(mlproject.path, param.default_span,
                                      f"default `{shown}` of uri parameter `{param.name}` has no "
                                      f"scheme; MLflow rejects it (write e.g. `file:///...`, "
                                      f"`s3://...`)")
            elif param.type == "path" and param.default_path_exists is False:
                yield RULE.diagnostic(mlproject.path, param.default_span,
                                      f"default `{shown}` of path parameter `{param.name}` does "
                                      f"not exist under the project folder "
                                      f"({mlproject.folder.as_posix()}); the job would get a "
                                      f"missing path")
