"""DL109: conda_env / python_env names a file that does not exist."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext

RULE = Rule("DL109", "missing-env-file", Severity.ERROR,
            "conda_env or python_env names a file that does not exist")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    for env in mlproject.environments:
        if env.exists is False:
            yield RULE.diagnostic(mlproject.path, env.span,
                                  f"`{env.kind}` names `{env.value}`, which does not exist in the "
                                  f"project folder ({mlproject.folder.as_posix()}); MLflow refuses "
                                  f"to run the project")
