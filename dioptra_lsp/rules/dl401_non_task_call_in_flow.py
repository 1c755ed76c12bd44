"""DL401: a call in a Flow block that is not call_task or Parameter."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext, where
from ._flows import flow_label, scripts

RULE = Rule("DL401", "non-task-call-in-flow", Severity.WARNING,
            "A call in a Flow block that is not pyplugs.call_task or Parameter")

# Calls that only build a literal argument of a task (or wrap one, like Prefect's ``unmapped``).
_LITERAL_BUILDERS = {"dict", "list", "tuple", "set", "str", "int", "float", "bool",
                     "Path", "pathlib.Path", "unmapped", "prefect.unmapped"}


# Prefect's own graph-building helpers (control flow, mapping) are not user code run at build time.
_PREFECT_HELPERS = {"case", "merge", "unmapped", "flatten", "prefect.case", "prefect.merge",
                    "prefect.unmapped", "prefect.flatten"}


def _allowed(callee: str, names: frozenset[str]) -> bool:
    return callee in names or callee.rsplit(".", 1)[-1] in names


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for path, script in scripts(project):
        for flow in script.flows:
            for call in flow.other_calls:
                if call.inside_call_task and call.callee in _LITERAL_BUILDERS or call.callee in _PREFECT_HELPERS:
                    continue
                if _allowed(call.callee, ctx.flow_allowed_calls):
                    continue
                if flow.variable and call.callee.startswith(flow.variable + "."):
                    continue   # the Flow's own API (flow.add_edge, flow.set_dependencies) builds the graph
                yield RULE.diagnostic(
                    path, call.span,
                    f"`{call.callee}(...)` is called inside the Flow block of {flow_label(flow)} "
                    f"({where(path, flow.span, project.folder)}): it runs once while the flow is built, "
                    f"on Prefect Parameter objects, not as a task; call a task plugin with "
                    f"pyplugs.call_task, or move it out of the block",
                    detail=f"Allowed in a Flow block: pyplugs.call_task, Parameter, and inside "
                           f"call_task arguments: "
                           f"{', '.join(sorted(_LITERAL_BUILDERS - {'prefect.unmapped'}))}. "
                           f"Other calls can be allowed with `flow-allowed-calls` in "
                           f"[tool.dioptra-lint].")
