"""Code lens "Dry run" above each entry point, and the ``dioptra-lint.dryRun`` command."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from lsprotocol import types as lsp

from ..state import norm

COMMAND = "dioptra-lint.dryRun"


def code_lenses(analysis, path, uri, lines, codec) -> list[lsp.CodeLens]:
    """"Dry run" and its companion "Run" (features/run.py) above each entry point."""
    from .run import lens as run_lens

    project = analysis.project
    if project is None or project.mlproject is None or norm(project.mlproject_path) != path:
        return []
    lenses = []
    for ep in project.mlproject.entry_points:
        where = codec.range(lines, ep.name_span)
        lenses.append(lsp.CodeLens(range=where, command=lsp.Command(
            title=f"\u25b6 Dry run {ep.name}", command=COMMAND, arguments=[uri, ep.name])))
        lenses.append(run_lens(where, uri, ep.name))
    return lenses


def run_dry_run(folder: Path, entry_point: str, params: dict, overlay, settings=None):
    from ...dryrun import dry_run

    return dry_run(folder, entry_point, params, overlay=overlay, settings=settings)


#: How the editor's message starts for each verdict (the same three outcomes as the CLI).
_HEADLINE = {"would-start": "would start", "would-fail": "would fail",
             "not-checked": "not checked"}


def summary(report) -> str:
    """One line for the editor: the verdict, and the first reason when it is not "would start"."""
    headline = _HEADLINE[report.verdict]
    first = next((p for p in report.problems if p.is_error), None)
    if first is not None:
        return f"{headline}: {first.message}"
    unchecked = report.unchecked
    if unchecked:
        more = f" (and {len(unchecked) - 1} more)" if len(unchecked) > 1 else ""
        return f"{headline}: {unchecked[0].part}: {unchecked[0].message}{more}"
    return f"{headline}; its flow would build"


async def execute(ls, args) -> dict:
    """``[uri_or_path, entry_point, {params}]`` -> the report as JSON (also shown and logged)."""
    if not args or len(args) < 2 or not isinstance(args[1], str):
        raise ValueError("dioptra-lint.dryRun expects [uri, entryPoint, {params}]")
    target, entry_point = str(args[0]), args[1]
    params = args[2] if len(args) > 2 and isinstance(args[2], dict) else {}
    path = ls.doc_path(target) if target.startswith("file:") else norm(target)
    mlps = ls.state.owners_of(path)
    if not mlps:
        raise ValueError(f"no MLproject for {target}")
    mlp = mlps[0]
    token = None
    if getattr(getattr(ls.client_capabilities, "window", None), "work_done_progress", False):
        token = str(uuid.uuid4())
        try:
            await asyncio.wait_for(ls.work_done_progress.create_async(token), 5)
            ls.work_done_progress.begin(token, lsp.WorkDoneProgressBegin(
                title=f"Dry run {entry_point}", message="resolving parameters", cancellable=False,
                percentage=0))
        except Exception:  # noqa: BLE001 - progress is a nicety
            token = None
    try:
        if token:
            ls.work_done_progress.report(token, lsp.WorkDoneProgressReport(
                message="running the command's click parser", percentage=30))
        report = await asyncio.to_thread(run_dry_run, mlp.parent, entry_point,
                                         {str(k): str(v) for k, v in params.items()}, ls.state.overlay(),
                                         ls.state.settings_for(mlp.parent))
        data = report.to_json()
        text = report.to_text()
    finally:
        if token:
            ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message="done"))
    ls.window_show_message(lsp.ShowMessageParams(
        type=lsp.MessageType.Info if report.ok else lsp.MessageType.Warning,
        message=f"Dry run of {entry_point}: {summary(report)}"))
    ls.log_message(f"Dry run of {entry_point} ({mlp}):\n{text}", lsp.MessageType.Info)
    return {"entryPoint": entry_point, "ok": report.ok, "verdict": report.verdict,
            "report": data, "text": text}
