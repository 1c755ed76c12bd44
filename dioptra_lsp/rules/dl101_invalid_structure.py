"""DL101: the MLproject does not have the shape MLflow needs to run it."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext

RULE = Rule("DL101", "invalid-structure", Severity.ERROR,
            "The MLproject's structure is not one MLflow can run")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    for problem in mlproject.problems:
        if problem.kind == "structure":
            yield RULE.diagnostic(problem.path, problem.span, problem.message)
    envs = mlproject.environments
    if len(envs) > 1:
        names = ", ".join(f"`{e.kind}` (line {e.key_span.start.line + 1})" for e in envs)
        for env in envs[1:]:
            yield RULE.diagnostic(mlproject.path, env.key_span,
                                  f"more than one environment is given ({names}); MLflow refuses "
                                  f"the project. Keep one of conda_env, python_env, docker_env")
    for env in envs:
        if env.kind == "docker_env" and not (isinstance(env.value, dict) and env.value.get("image")):
            yield RULE.diagnostic(mlproject.path, env.key_span,
                                  "`docker_env` has no `image`; MLflow refuses the project "
                                  "(write `docker_env: {image: <name>}`)")
