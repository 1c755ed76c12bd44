"""DL403: the plugin package is found but the module or the registered function is not there."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model.source import Span
from .base import Rule, RuleContext, did_you_mean, where
from ._plugins import calls

RULE = Rule("DL403", "unknown-plugin", Severity.ERROR,
            "The plugin module or the registered function of a call_task is not there")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for reached in calls(project):
        call, res = reached.call, reached.resolution
        if res.status == "missing-module":
            folder = where(res.package_dir, Span.point(0, 0), project.folder).rsplit(":", 1)[0] \
                if res.package_dir else call.package
            yield RULE.diagnostic(
                reached.path, call.module_span or call.span,
                f"plugin module `{call.module}` is not in package `{call.package}` ({folder}); "
                f"call_task fails with \"No module named {call.package}.{call.module}\"; "
                + did_you_mean(call.module, res.available_modules, what="Modules"))
            continue
        plugin = reached.plugin
        if plugin is None or reached.function is not None or plugin.problems:
            continue   # unresolved, unreadable or a syntax error (DL001) in the plugin
        registered = [f.name for f in plugin.functions]
        module_at = where(plugin.path, Span.point(0, 0), project.folder).rsplit(":", 1)[0]
        if call.function is None:
            yield RULE.diagnostic(
                reached.path, call.module_span or call.span,
                f"plugin module `{plugin.dotted}` ({module_at}) has no @pyplugs.register function, so "
                f"`call_task` without a function name has nothing to call")
        elif isinstance(call.function, str):
            why = (f"`{call.function}` is defined there but not decorated with @pyplugs.register"
                   if call.function in plugin.unregistered else
                   f"it has no registered function `{call.function}`")
            yield RULE.diagnostic(
                reached.path, call.function_span or call.span,
                f"plugin module `{plugin.dotted}` ({module_at}): {why}; "
                + did_you_mean(call.function, registered, what="Registered functions"),
                related=(Related(plugin.path, Span.point(0, 0), f"plugin module `{plugin.dotted}`"),))
