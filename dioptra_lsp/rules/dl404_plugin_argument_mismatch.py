"""DL404: the arguments of a call_task do not bind to the plugin function's signature."""

from __future__ import annotations

import functools
from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model.types import FunctionParam
from .base import Rule, RuleContext, did_you_mean, where
from ._plugins import calls_with_function, qualified_name

RULE = Rule("DL404", "plugin-argument-mismatch", Severity.ERROR,
            "The keywords passed to call_task do not bind to the plugin function's signature")

# Keywords Prefect's Task.__call__ takes itself; they never reach the plugin function.
PREFECT_KEYWORDS = frozenset({"upstream_tasks", "mapped", "task_args", "flow"})
_POSITIONAL = ("positional_only", "positional_or_keyword")


class _About:
    """The plugin function's name, location and related info: formatted only when a finding needs them
    (most call_tasks bind cleanly, and the strings cost more than the checks)."""

    def __init__(self, reached, folder) -> None:
        self.reached, self.folder = reached, folder

    @functools.cached_property
    def name(self) -> str:
        return qualified_name(self.reached.call, self.reached.function)

    @functools.cached_property
    def at(self) -> str:
        return where(self.reached.plugin.path, self.reached.function.span, self.folder)

    @functools.cached_property
    def related(self) -> tuple[Related, ...]:
        return (Related(self.reached.plugin.path, self.reached.function.span, f"plugin {self.name}"),)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for reached in calls_with_function(project):
        fn, call = reached.function, reached.call
        about = _About(reached, project.folder)
        params = fn.params
        positional = [p for p in params if p.kind in _POSITIONAL]
        star_args = any(v.source.startswith("*") for v in call.positional)
        takes_varargs = any(p.kind == "var_positional" for p in params)
        by_name: dict[str, FunctionParam] = {}
        for p in params:
            by_name.setdefault(p.name, p)   # the first, like a scan would find

        def report(span, text):
            return RULE.diagnostic(reached.path, span, f"{text}. Signature: {fn.signature}",
                                   related=about.related)

        bound: set[str] = set()
        if not star_args:
            for i, value in enumerate(call.positional):
                if i < len(positional):
                    bound.add(positional[i].name)
                elif not takes_varargs:
                    yield report(value.span,
                                 f"plugin {about.name} ({about.at}) takes {len(positional)} positional argument"
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
            param = by_name.get(kw.name)
            if param is None or param.kind in ("var_positional", "var_keyword"):
                if not fn.accepts_any_keyword:
                    names = [p.name for p in params if p.kind not in ("var_positional", "var_keyword")]
                    yield report(kw.span,
                                 f"keyword `{kw.name}` is not a parameter of plugin {about.name} ({about.at}); "
                                 + did_you_mean(kw.name, names, what="Parameters"))
            elif param.kind == "positional_only":
                yield report(kw.span, f"`{kw.name}` is a positional-only parameter of plugin {about.name} "
                                      f"({about.at}) and cannot be passed by keyword")
            elif kw.name in bound and not star_args:
                yield report(kw.span, f"`{kw.name}` of plugin {about.name} ({about.at}) is given twice: "
                                      f"by position and by keyword")
        if star_args or any(kw.name is None for kw in call.keywords):
            continue   # ``**mapping``: the keywords cannot be listed
        for p in params:
            if p.kind in ("var_positional", "var_keyword") or p.has_default:
                continue
            if p.name not in bound and p.name not in kwarg_names:
                passed = sorted(bound | kwarg_names)
                yield report(call.name_span,
                             f"required parameter `{p.name}` of plugin {about.name} ({about.at}) is not passed; "
                             f"the task fails with TypeError. Passed: {', '.join(passed) or '(none)'}")
