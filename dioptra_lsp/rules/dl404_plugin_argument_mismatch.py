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
        detail = f"Signature: {fn.signature}"

        def report(span, text, related=()):
            return RULE.diagnostic(reached.path, span, text, detail=detail,
                                   related=about.related + tuple(related))

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
        unknown = []
        for kw in call.keywords:
            if kw.name is None or kw.name in PREFECT_KEYWORDS:
                continue
            kwarg_names.add(kw.name)
            param = by_name.get(kw.name)
            if param is None or param.kind in ("var_positional", "var_keyword"):
                if not fn.accepts_any_keyword:
                    unknown.append(kw)
            elif param.kind == "positional_only":
                yield report(kw.span, f"`{kw.name}` is a positional-only parameter of plugin {about.name} "
                                      f"({about.at}) and cannot be passed by keyword")
            elif kw.name in bound and not star_args:
                yield report(kw.span, f"`{kw.name}` of plugin {about.name} ({about.at}) is given twice: "
                                      f"by position and by keyword")
        missing = []
        if not star_args and not any(kw.name is None for kw in call.keywords):
            # (``**mapping`` or ``*values``: the arguments cannot be listed)
            missing = [p.name for p in params
                       if p.kind not in ("var_positional", "var_keyword") and not p.has_default
                       and p.name not in bound and p.name not in kwarg_names]
        if unknown or missing:
            # A renamed parameter shows as both; one cause, one finding per call.
            yield _binding_finding(report, reached.path, about, params, unknown, missing,
                                   bound | kwarg_names, call.name_span)


def _binding_finding(report, path, about, params, unknown, missing, passed, callee_span):
    names = [p.name for p in params if p.kind not in ("var_positional", "var_keyword")]
    required = ", ".join(f"`{name}`" for name in missing)
    fails = (f"required {'parameters' if len(missing) > 1 else 'parameter'} {required} "
             f"{'are' if len(missing) > 1 else 'is'} not passed" if missing else "")
    if not unknown:
        return report(callee_span, f"{fails[0].upper()}{fails[1:]} to plugin {about.name} "
                                   f"({about.at}); the task fails with TypeError. Passed: "
                                   f"{', '.join(sorted(passed)) or '(none)'}")
    first = unknown[0]
    if len(unknown) == 1:
        what = f"keyword `{first.name}` is not a parameter of plugin {about.name} ({about.at})"
    else:
        listed = ", ".join(f"`{kw.name}`" for kw in unknown)
        what = f"keywords {listed} are not parameters of plugin {about.name} ({about.at})"
    if fails:
        what += f", and {fails}"
    what += "; the task fails with TypeError" if len(unknown) > 1 or fails else ""
    hints = []
    for kw in unknown:
        close = did_you_mean(kw.name, missing or names, what="Parameters")
        if close.startswith("did you mean"):
            guess = close.split("`")[1]
            hints.append(f"`{guess}`" + (f" for `{kw.name}`" if len(unknown) > 1 else ""))
    tail = (f"did you mean {', '.join(hints)}? " if hints else "") + \
        f"Parameters: {', '.join(sorted(names)) or '(none)'}"
    others = tuple(Related(path, kw.span, "also not a parameter") for kw in unknown[1:])
    return report(first.span, f"{what}; {tail}", others)
