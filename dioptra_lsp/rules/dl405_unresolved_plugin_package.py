"""DL405: the package of a call_task or of an experiment task's plugin is found in no plugin
folder (reported once per package)."""

from __future__ import annotations

import os
from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext
from ._flows import scripts

RULE = Rule("DL405", "unresolved-plugin-package", Severity.INFO,
            "The package of a call_task or experiment task is found in no plugin folder, so its "
            "calls were not checked")

HOW_TO_CONFIGURE = ("name the folder that holds it in `plugin-dirs` under [tool.dioptra-lint] "
                    "(pyproject.toml or dioptra-lint.toml), or in DIOPTRA_PLUGIN_DIR")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    searched = []
    for d in project.plugin_dirs:
        try:
            shown = os.path.relpath(d, project.folder) if d.is_absolute() == project.folder.is_absolute() else str(d)
        except ValueError:
            shown = str(d)
        searched.append("the project folder" if shown == "." else shown)
    for path, script in scripts(project):
        for flow in script.flows:
            for call in flow.call_tasks:
                res = project.resolve_call(call)
                if res.status != "unresolved-package":
                    continue
                # One cause however many calls: a run reports the first and lists the rest.
                yield RULE.diagnostic(
                    path, call.package_span,
                    f"plugin package `{call.package}` is in no plugin folder, so calls into it "
                    f"are not checked; {HOW_TO_CONFIGURE}",
                    detail=f"Searched: {', '.join(searched) or '(none)'}.",
                    group=call.package)
    yield from _experiment_tasks(project, searched)


def _experiment_tasks(project, searched: list[str]) -> Iterator[Diagnostic]:
    for link in project.experiments:
        exp = link.experiment
        if exp is None:
            continue
        for task in exp.tasks:
            coords = task.coordinates
            if task.plugin_file is not None or coords is None:
                continue
            if project.task_target(task).status != "unresolved-package":
                continue
            package = coords[0] or coords[1]
            yield RULE.diagnostic(
                task.path, task.plugin_span,
                f"plugin package `{package}` is in no plugin folder, so tasks calling into it "
                f"are not checked; {HOW_TO_CONFIGURE}",
                detail=f"Searched: {', '.join(searched) or '(none)'}.",
                group=package)
