"""DL303: a Parameter that no task of the flow uses."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Severity
from .base import Rule, RuleContext, where
from ._flows import flow_label, runs_of, scripts

RULE = Rule("DL303", "unused-flow-parameter", Severity.WARNING,
            "A Parameter that no task in the flow uses")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for path, script in scripts(project):
        for flow in script.flows:
            for param in flow.parameters:
                # An unbound Parameter is used where it is written (e.g. inline in a call_task).
                if param.variable is None or param.variable in flow.task_input_names:
                    continue
                label = f"`{param.name}`" if isinstance(param.name, str) else f"`{param.variable}`"
                runs = runs_of(script, flow)
                fed = (f" although `{runs[0].receiver}.run` at {where(path, runs[0].span, project.folder)} "
                       f"passes a value" if runs and isinstance(param.name, str)
                       and any(k.name == param.name for k in runs[0].keys) else "")
                tasks = ", ".join(sorted({f"`{t.function}`" for t in flow.call_tasks
                                          if isinstance(t.function, str)})) or "(none)"
                yield RULE.diagnostic(
                    path, param.variable_span or param.name_span,
                    f"Parameter {label} (variable `{param.variable}`) is not passed to any task of "
                    f"flow {flow_label(flow)}{fed}, so its value is dropped; pass `{param.variable}` to "
                    f"the task that needs it or remove the Parameter",
                    detail=f"Tasks of the flow: {tasks}")
