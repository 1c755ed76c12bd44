"""DL001: a file the entry point needs cannot be read or parsed."""

from __future__ import annotations

from typing import Iterable, Iterator

from ..diagnostics import Diagnostic, Severity
from ..model import fs
from ..model.source import ReadError, Span
from ..model.types import Problem
from .base import Rule, RuleContext

RULE = Rule("DL001", "syntax-error", Severity.ERROR,
            "A Python file, MLproject, experiment or dioptra.toml cannot be read or parsed")


def _unreadable(error: ReadError | None, what: str) -> Iterator[Diagnostic]:
    if error is not None:
        yield RULE.diagnostic(error.path, Span.point(0, 0), f"cannot lint {what}: {error.message}")


def _syntax(problems: Iterable[Problem]) -> Iterator[Diagnostic]:
    for problem in problems:
        if problem.kind in ("syntax", "unanalysed"):
            yield RULE.diagnostic(problem.path, problem.span, problem.message)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    if project.read_error is not None:
        yield from _unreadable(project.read_error, "MLproject" if project.dioptra_toml is None
                               and project.mlproject_path.name != "dioptra.toml" else "dioptra.toml")
    elif project.mlproject is not None:
        yield from _syntax(project.mlproject.problems)
    for link in project.links:
        if link.read_error is not None and link.invocation.script_token is not None \
                and not fs.exists(link.read_error.path):
            # Nothing to open there (a name longer than the file system allows): the finding
            # belongs on the word of the command that names it.
            yield RULE.diagnostic(project.mlproject_path, link.invocation.script_token.span,
                                  f"entry point `{link.entry_point}` runs "
                                  f"`{link.invocation.script}`, which cannot be looked up: "
                                  f"{link.read_error.message}")
            continue
        yield from _unreadable(link.read_error, "script")
        if link.script is not None:
            yield from _syntax(link.script.problems)
    for res in (*project.plugin_resolutions.values(), *project.plugin_files.values()):
        yield from _unreadable(res.read_error, "task plugin")
        if res.plugin is not None:
            yield from _syntax(res.plugin.problems)
    if project.dioptra_toml is not None:
        yield from _syntax(project.dioptra_toml.problems)
    seen = set()
    for link in project.experiments:
        yield from _unreadable(link.read_error, "experiment file")
        exp = link.experiment
        if exp is not None and exp.path not in seen:
            seen.add(exp.path)
            yield from _syntax(p for p in exp.problems if p.path == exp.path)
