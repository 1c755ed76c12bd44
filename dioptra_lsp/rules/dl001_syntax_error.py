"""DL001: a file the entry point needs cannot be read or parsed."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from ..model.source import Span
from .base import Rule, RuleContext

RULE = Rule("DL001", "syntax-error", Severity.ERROR,
            "A Python file or MLproject cannot be read or parsed")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    if project.read_error is not None:
        yield RULE.diagnostic(project.mlproject_path, Span.point(0, 0),
                              f"cannot lint MLproject: {project.read_error.message}")
    elif project.mlproject is not None:
        for problem in project.mlproject.problems:
            if problem.kind == "syntax":
                yield RULE.diagnostic(problem.path, problem.span, problem.message)
    for link in project.links:
        if link.read_error is not None:
            yield RULE.diagnostic(link.read_error.path, Span.point(0, 0),
                                  f"cannot lint script: {link.read_error.message}")
        if link.script is not None:
            for problem in link.script.problems:
                if problem.kind == "syntax":
                    yield RULE.diagnostic(problem.path, problem.span, problem.message)
    for res in project.plugin_resolutions.values():
        if res.read_error is not None:
            yield RULE.diagnostic(res.read_error.path, Span.point(0, 0),
                                  f"cannot lint task plugin: {res.read_error.message}")
        if res.plugin is not None:
            for problem in res.plugin.problems:
                if problem.kind == "syntax":
                    yield RULE.diagnostic(problem.path, problem.span, problem.message)
