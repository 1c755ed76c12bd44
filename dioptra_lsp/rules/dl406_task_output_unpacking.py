"""DL406: ``a, b = call_task(...)`` unpacks a number of outputs the plugin does not declare."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext, where
from ._plugins import calls, qualified_name, unpacking_error

RULE = Rule("DL406", "task-output-unpacking", Severity.ERROR,
            "call_task's result is unpacked into more or fewer names than the plugin's outputs")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for reached in calls(project):
        fn, call = reached.function, reached.call
        if fn is None:
            continue
        error = unpacking_error(call, fn)
        if error is None:
            continue
        names = f"{call.unpacking.count}{' or more' if call.unpacking.starred else ''}"
        declared = {"task_nout": f"declares `@pyplugs.task_nout({fn.nout})`",
                    "annotation": f"is annotated to return a {fn.nout}-item `Tuple`",
                    }.get(fn.nout_source, "declares no output count (no `@pyplugs.task_nout`, "
                                          "no `Tuple[...]` return annotation)")
        advice = (f"add `@pyplugs.task_nout({call.unpacking.count})` to the plugin, or bind the "
                  f"result to one name" if fn.nout is None else
                  f"unpack {fn.nout} name{'s' if fn.nout != 1 else ''}")
        plugin = qualified_name(call, fn)
        yield RULE.diagnostic(
            reached.path, call.unpacking.span,
            f"the result of plugin {plugin} ({where(reached.plugin.path, fn.span, project.folder)}) "
            f"is unpacked into {names} names, but it {declared}; Prefect raises {error} while "
            f"the flow is built. {advice[0].upper()}{advice[1:]}",
            related=(Related(reached.plugin.path, fn.span, f"plugin {plugin}"),))
