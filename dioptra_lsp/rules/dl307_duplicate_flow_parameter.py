"""DL307: two Parameters with the same name in one flow."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext, where
from ._flows import flow_label, scripts

RULE = Rule("DL307", "duplicate-flow-parameter", Severity.ERROR,
            "Two Parameters with the same name in one flow")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for path, script in scripts(project):
        for flow in script.flows:
            first = {}
            for param in flow.parameters:
                if not isinstance(param.name, str):
                    continue
                if param.name not in first:
                    first[param.name] = param
                    continue
                earlier = first[param.name]
                yield RULE.diagnostic(
                    path, param.name_span,
                    f"Parameter `{param.name}` is declared twice in flow {flow_label(flow)}, first at "
                    f"{where(path, earlier.name_span, project.folder)}; Prefect refuses to build the flow "
                    f"(\"A parameter with this name already exists\"). Rename or remove one",
                    related=(Related(path, earlier.name_span, "first declared here"),))
