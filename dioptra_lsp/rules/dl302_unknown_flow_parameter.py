"""DL302: a key of flow.run(parameters=...) that no Parameter of the flow declares."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext, did_you_mean, where
from ._flows import flow_label, flows_of, parameter_names, scripts

RULE = Rule("DL302", "unknown-flow-parameter", Severity.ERROR,
            "A key passed to flow.run(parameters=...) is not a Parameter of the flow")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for path, script in scripts(project):
        for run in script.flow_runs:
            flows = flows_of(script, run)
            if not flows:
                continue
            names: set[str] = set()
            for flow in flows:
                declared = parameter_names(flow)
                if declared is None:
                    break   # a computed Parameter name: cannot tell what is declared
                names |= declared
            else:
                flow = flows[0]
                for key in run.keys:
                    if key.name is None or key.name in names:
                        continue
                    yield RULE.diagnostic(
                        path, key.span,
                        f"`{key.name}` passed to `{run.receiver}.run(parameters=...)` is not a "
                        f"Parameter of flow {flow_label(flow)} ({where(path, flow.span, project.folder)}); "
                        f"Prefect rejects the run with \"Extra parameters were supplied\"; "
                        + did_you_mean(key.name, names, what="Parameters"),
                        related=(Related(path, flow.span, f"flow {flow_label(flow)}"),))
