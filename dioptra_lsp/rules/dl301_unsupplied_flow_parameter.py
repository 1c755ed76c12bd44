"""DL301: a Parameter without default that flow.run(parameters=...) does not supply."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext, where
from ._flows import flow_label, run_span, runs_of, scripts

RULE = Rule("DL301", "unsupplied-flow-parameter", Severity.ERROR,
            "A Parameter without default is not a key of flow.run(parameters=...)")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for path, script in scripts(project):
        for flow in script.flows:
            for run in runs_of(script, flow):
                if run.dynamic:
                    continue   # ``**extra``: the keys cannot be listed
                keys = [k.name for k in run.keys if k.name]
                for param in flow.parameters:
                    if not isinstance(param.name, str) or param.has_default or param.name in keys:
                        continue
                    passed = ", ".join(keys) if keys else "(none)"
                    yield RULE.diagnostic(
                        path, run_span(run),
                        f"Parameter `{param.name}` of flow {flow_label(flow)} "
                        f"({where(path, param.name_span, project.folder)}) has no default and is not "
                        f"passed by this `{run.receiver}.run(parameters=...)`; Prefect refuses to run "
                        f"the flow. Keys passed: {passed}",
                        related=(Related(path, param.name_span, f"Parameter `{param.name}` declared here"),))
