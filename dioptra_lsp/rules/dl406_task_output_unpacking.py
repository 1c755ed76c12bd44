"""DL406: ``a, b = call_task(...)`` unpacks a number of outputs the plugin does not declare."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Related, Severity, TextEdit
from ..model.source import Span
from .base import Rule, RuleContext, where
from ._plugins import calls_with_function, qualified_name

RULE = Rule("DL406", "task-output-unpacking", Severity.ERROR,
            "call_task's result is unpacked into more or fewer names than the plugin's outputs",
            fix="unsafe")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for reached in calls_with_function(project):
        fn, call = reached.function, reached.call
        error = fn.unpacking_error(call.unpacking)
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
            fix=_declare_outputs(reached), related=(Related(reached.plugin.path, fn.span,
                                                            f"plugin {plugin}"),))


def _declare_outputs(reached) -> Fix | None:
    """``@pyplugs.task_nout(n)`` for a plugin that declares no count, as its module spells it."""
    fn, unpacking = reached.function, reached.call.unpacking
    spelling = reached.plugin.task_nout_spelling
    if fn.nout_source != "none" or unpacking.starred or not spelling or fn.def_start is None:
        return None
    # Above the ``def``, after the other decorators, indented like the ``def``.
    at = fn.def_start.start
    decorator = f"@{spelling}({unpacking.count})\n{' ' * at.character}"
    return Fix(f"Declare {unpacking.count} outputs: add `@{spelling}({unpacking.count})` to "
               f"`{fn.name}`",
               (TextEdit(reached.plugin.path, Span.point(at.line, at.character), decorator),),
               safe=False)
