"""DL404: the arguments of a call_task do not bind to the plugin function's signature."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext, did_you_mean, where
from ._plugins import calls, qualified_name

RULE = Rule("DL404", "plugin-argument-mismatch", Severity.ERROR,
            "The keywords passed to call_task do not bind to the plugin function's signature")

# Keywords Prefect's Task.__call__ takes itself; they never reach the plugin function.
PREFECT_KEYWORDS = frozenset({"upstream_tasks", "mapped", "task_args", "flow"})
_POSITIONAL = ("positional_only", "positional_or_keyword")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for reached in calls(project):
        fn, call = reached.function, reached.call
        if fn is None:
            continue
        name = qualified_name(call, fn)
        at = where(reached.plugin.path, fn.span, project.folder)
        related = (Related(reached.plugin.path, fn.span, f"plugin {name}"),)
        params = fn.params
        names = [p.name for p in params if p.kind not in ("var_positional", "var_keyword")]
        positional = [p for p in params if p.kind in _POSITIONAL]
        star_args = any(v.source.startswith("*") for v in call.positional)
        takes_varargs = any(p.kind == "var_positional" for p in params)

        def report(span, text):
            return RULE.diagnostic(reached.path, span, f"{text}. Signature: {fn.signature}", related=related)

        bound: set[str] = set()
        if not star_args:
            for i, value in enumerate(call.positional):
                if i < len(positional):
                    bound.add(positional[i].name)
                elif not takes_varargs:
                    yield report(value.span,
                                 f"plugin {name} ({at}) takes {len(positional)} positional argument"
                                 f"{'s' if len(positional) != 1 else ''} but {len(call.positional)} are "
                                 f"passed after the function name")
                    break
        else:
            bound.update(p.name for p in positional)   # ``*values``: cannot tell how many
        kwarg_names = set()
        for kw in call.keywords:
            if kw.name is None or kw.name in PREFECT_KEYWORDS:
                continue
            kwarg_names.add(kw.name)
            param = next((p for p in params if p.name == kw.name), None)
            if param is None or param.kind in ("var_positional", "var_keyword"):
                if not fn.accepts_any_keyword:
                    yield report(kw.span,
                                 f"keyword `{kw.name}` is not a parameter of plugin {name} ({at}); "
                                 + did_you_mean(kw.name, names, what="Parameters"))
            elif param.kind == "positional_only":
                yield report(kw.span, f"`{kw.name}` is a positional-only parameter of plugin {name} "
                                      f"({at}) and cannot be passed by keyword")
            elif kw.name in bound and not star_args:
                yield report(kw.span, f"`{kw.name}` of plugin {name} ({at}) is given twice: by position "
                                      f"and by keyword")
        if star_args or any(kw.name is None for kw in call.keywords):
            continue   # ``**mapping``: the keywords cannot be listed
        passed = sorted(bound | kwarg_names)
        for p in params:
            if p.kind in ("var_positional", "var_keyword") or p.has_default:
                continue
            if p.name not in bound and p.name not in kwarg_names:
                yield report(call.name_span,
                             f"required parameter `{p.name}` of plugin {name} ({at}) is not passed; "
                             f"the task fails with TypeError. Passed: {', '.join(passed) or '(none)'}")
