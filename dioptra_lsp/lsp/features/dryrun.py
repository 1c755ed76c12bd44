"""Code lens "Dry run" above each entry point, and the ``dioptra-lint.dryRun`` command."""

from __future__ import annotations

import asyncio
import inspect
import json
import uuid
from pathlib import Path

from lsprotocol import types as lsp

from ..state import norm

COMMAND = "dioptra-lint.dryRun"


def code_lenses(analysis, path, uri, lines, codec) -> list[lsp.CodeLens]:
    project = analysis.project
    if project is None or project.mlproject is None or norm(project.mlproject_path) != path:
        return []
    return [lsp.CodeLens(range=codec.range(lines, ep.name_span),
                         command=lsp.Command(title=f"\u25b6 Dry run {ep.name}", command=COMMAND,
                                             arguments=[uri, ep.name]))
            for ep in project.mlproject.entry_points]


def report_text(report) -> str:
    for name in ("to_text", "render_text", "render", "text"):
        attr = getattr(report, name, None)
        if callable(attr):
            try:
                return str(attr())
            except TypeError:
                continue
        if isinstance(attr, str):
            return attr
    try:
        from ...dryrun import render_text  # type: ignore[attr-defined]

        return render_text(report)
    except Exception:  # noqa: BLE001
        pass
    return json.dumps(report_json(report), indent=2, default=str)


def report_json(report):
    to_json = getattr(report, "to_json", None)
    if callable(to_json):
        value = to_json()
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value
    return str(report)


def report_ok(report, data) -> bool | None:
    for name in ("ok", "success", "passed"):
        v = getattr(report, name, None)
        if isinstance(v, bool):
            return v
    if isinstance(data, dict):
        for name in ("ok", "success", "passed"):
            if isinstance(data.get(name), bool):
                return data[name]
    return None


def run_dry_run(folder: Path, entry_point: str, params: dict, overlay, settings=None):
    from ...dryrun import dry_run

    kwargs = {}
    try:
        sig = inspect.signature(dry_run)
        if "overlay" in sig.parameters:
            kwargs["overlay"] = overlay
        if "settings" in sig.parameters and settings is not None:
            kwargs["settings"] = settings
    except (TypeError, ValueError):
        pass
    return dry_run(folder, entry_point, params, **kwargs)


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
        data = report_json(report)
        text = report_text(report)
    finally:
        if token:
            ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message="done"))
    ok = report_ok(report, data)
    first = text.strip().splitlines()[0] if text.strip() else "finished"
    verdict = "" if ok is None else ("OK: " if ok else "FAILED: ")
    ls.window_show_message(lsp.ShowMessageParams(
        type=lsp.MessageType.Info if ok is not False else lsp.MessageType.Warning,
        message=f"Dry run of {entry_point}: {verdict}{first}"))
    ls.log_message(f"Dry run of {entry_point} ({mlp}):\n{text}", lsp.MessageType.Info)
    return {"entryPoint": entry_point, "ok": ok, "report": data, "text": text}
