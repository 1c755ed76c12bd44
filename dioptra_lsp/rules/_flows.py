"""Shared by the DL3xx/DL4xx rules: the scripts of a project and which flow.run runs which Flow."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..model.project import ProjectModel
from ..model.source import Position, Span
from ..model.types import Flow, FlowRun, PythonScript


def scripts(project: ProjectModel) -> Iterator[tuple[Path, PythonScript]]:
    """Each parsed script once (several entry points may run the same file)."""
    yield from project.scripts.items()


def runs_of(script: PythonScript, flow: Flow) -> list[FlowRun]:
    """The ``flow.run(...)`` calls that run ``flow``: traced through ``flow = init_flow()``, the
    with-block's own variable, or (one Flow in the file) any untraced run."""
    runs = script.flow_runs
    if flow.function is not None:
        found = [r for r in runs if r.flow_function == flow.function]
    else:
        found = [r for r in runs if r.function is None and r.receiver == flow.variable]
    if not found and len(script.flows) == 1:
        found = [r for r in runs if r.flow_function is None]
    return found


def flows_of(script: PythonScript, run: FlowRun) -> list[Flow]:
    """The Flows a run may run (two ``with Flow`` blocks in one builder: either)."""
    return [f for f in script.flows if run in runs_of(script, f)]


def run_span(run: FlowRun) -> Span:
    """``flow.run`` rather than the whole (often many-line) call."""
    start = run.span.start
    if "\n" in run.receiver:
        return run.span
    return Span(start, Position(start.line, start.character + len(run.receiver) + len(".run")))


def parameter_names(flow: Flow) -> set[str] | None:
    """Names of the flow's Parameters, or None when one of them is not a literal."""
    names = set()
    for p in flow.parameters:
        if not isinstance(p.name, str):
            return None
        names.add(p.name)
    return names


def flow_label(flow: Flow) -> str:
    return f"`{flow.name}`" if isinstance(flow.name, str) else "flow"
