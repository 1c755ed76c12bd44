"""DL405: the package of a call_task is found in no plugin folder (once per package and file)."""

from __future__ import annotations

import os
from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext
from ._flows import scripts

RULE = Rule("DL405", "unresolved-plugin-package", Severity.INFO,
            "The package of a call_task is found in no plugin folder, so its calls were not checked")


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
        seen: set[str] = set()
        for flow in script.flows:
            for call in flow.call_tasks:
                res = project.resolve_call(call)
                if res.status != "unresolved-package" or call.package in seen:
                    continue
                seen.add(call.package)
                yield RULE.diagnostic(
                    path, call.package_span,
                    f"plugin package `{call.package}` is found in no plugin folder, so the call_task "
                    f"calls into it were not checked; searched: {', '.join(searched) or '(none)'} "
                    f"(add its folder to `plugin-dirs` or DIOPTRA_PLUGIN_DIR)")
