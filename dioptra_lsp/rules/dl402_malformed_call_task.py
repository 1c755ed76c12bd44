"""DL402: call_task without resolvable package, plugin module and function names."""

from __future__ import annotations

import ast

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from ..model.types import Unknown
from .base import Rule, RuleContext
from ._flows import scripts

RULE = Rule("DL402", "malformed-call-task", Severity.ERROR,
            "call_task without string-valued (or resolvable) package, plugin module and function")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    for path, script in scripts(ctx.project):
        consts = [name for name, _ in script.constants]
        known = (f"module-level string constants: {', '.join(consts)}" if consts
                 else "the file has no module-level string constants")
        for flow in script.flows:
            for call in flow.call_tasks:
                for what, value, span in (("package", call.package, call.package_span),
                                          ("plugin module", call.module, call.module_span or call.name_span),
                                          ("function", call.function, call.function_span)):
                    if value is None and what != "function":
                        yield RULE.diagnostic(
                            path, span or call.name_span,
                            f"`call_task` has no {what} argument: it needs "
                            f"call_task(package, plugin_module, function, **kwargs)")
                    elif isinstance(value, Unknown):
                        named = [n for n in _names_read(value.source) if n not in consts]
                        why = (f"`{named[0]}` is not a module-level string constant (computed at "
                               f"run time?); " if named else "")
                        # Not a predicted failure: a value computed at run time is only unchecked.
                        yield RULE.diagnostic(
                            path, span or call.span,
                            f"the {what} of `call_task`, `{value.source}`, cannot be resolved "
                            f"statically, so the plugin call is not checked; {why}{known}",
                            severity=Severity.INFO,
                            detail="Resolvable: a string literal, a module-level string "
                                   "constant, or an f-string or `+` over them.")
                    elif value is not None and not isinstance(value, str):
                        yield RULE.diagnostic(
                            path, span or call.span,
                            f"the {what} of `call_task` must be a string, got `{value!r}`")


def _names_read(source: str) -> list[str]:
    """Plain names an expression reads (``f"{PATH}.data"`` reads PATH), in order."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return []
    return list(dict.fromkeys(n.id for n in ast.walk(tree) if isinstance(n, ast.Name)))
