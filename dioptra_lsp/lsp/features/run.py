"""The "Run" code lens beside "Dry run", and the ``dioptra-lint.run`` command.

It does what ``dioptra-lint run`` does, by running that command in a child process in the
project folder: the dry run decides (a refusal names why and logs the report), MLflow's
project runner runs the job.  A child process, not a thread: MLflow's local backend starts the
job with this process's stdout, which is the JSON-RPC stream, and the child keeps MLflow out
of the server altogether.  The event loop only awaits the child's pipes; the job's output goes
to the client's log, its last line to the progress, and cancelling the progress interrupts
the child as Ctrl-C would (MLflow then cancels the run and marks it FAILED).
"""

from __future__ import annotations

import asyncio
import codecs
import json
import os
import signal
import sys
import tempfile
import uuid
from pathlib import Path

from lsprotocol import types as lsp

from ..state import norm

COMMAND = "dioptra-lint.run"
#: The command's options (its fourth argument) and the ``dioptra-lint run`` flags they become.
OPTIONS = {"backend": "--backend", "backendConfig": "--backend-config",
           "envManager": "--env-manager", "experimentName": "--experiment-name"}
_CHUNK = 65536


def lens(range_: lsp.Range, uri: str, entry_point: str) -> lsp.CodeLens:
    return lsp.CodeLens(range=range_, command=lsp.Command(
        title=f"\u25b6 Run {entry_point}", command=COMMAND, arguments=[uri, entry_point]))


def parse_args(args: list) -> tuple[str, str, dict[str, str], dict]:
    """``[uri_or_path, entry_point, {params}, {options}]``; a ValueError names what is wrong."""
    if len(args) < 2 or not isinstance(args[0], str) or not isinstance(args[1], str):
        raise ValueError(f"{COMMAND} expects [uri, entryPoint, {{params}}, {{options}}]")
    params = args[2] if len(args) > 2 and args[2] is not None else {}
    options = args[3] if len(args) > 3 and args[3] is not None else {}
    if not isinstance(params, dict) or not isinstance(options, dict):
        raise ValueError(f"{COMMAND}: params and options must be objects")
    unknown = sorted(set(options) - set(OPTIONS) - {"force"})
    if unknown:
        raise ValueError(f"{COMMAND}: unknown option(s) {', '.join(unknown)}; options: "
                         f"{', '.join([*OPTIONS, 'force'])}")
    if any(not isinstance(options[k], str) for k in OPTIONS if options.get(k) is not None):
        raise ValueError(f"{COMMAND}: the options {', '.join(OPTIONS)} take strings")
    return args[0], args[1], {str(k): str(v) for k, v in params.items()}, options


def child_argv(folder: Path, entry_point: str, params: dict[str, str], options: dict,
               result_file: str) -> list[str]:
    argv = [sys.executable, "-m", "dioptra_lsp.cli", "run", str(folder), "-e", entry_point]
    for name, value in params.items():
        argv += ["-P", f"{name}={value}"]
    for key, flag in OPTIONS.items():
        if options.get(key):
            argv += [flag, options[key]]
    if options.get("force") is True:
        argv.append("--force")
    return argv + ["--output-format", "json", "-o", result_file]


def project_buffers(ls, mlproject: Path) -> dict[Path, str]:
    """The open buffers of this project's files (its folder's, or any its analysis reads)."""
    folder = mlproject.parent
    return {path: text for path, text in ls.state.overlay().items()
            if path.is_relative_to(folder) or mlproject in ls.state.owners.get(path, ())}


def unsaved_files(buffers: dict[Path, str]) -> list[Path]:
    """The buffers whose text is not what is on disk (MLflow runs the disk)."""
    from ...model.source import ReadError, read_source

    out = []
    for path, text in buffers.items():
        disk, mine = read_source(path), read_source(path, {path: text})
        if isinstance(disk, ReadError) or isinstance(mine, ReadError) or disk.text != mine.text:
            out.append(path)
    return out


async def execute(ls, args) -> dict:
    target, entry_point, params, options = parse_args(list(args or ()))
    path = ls.doc_path(target) if target.startswith("file:") else norm(target)
    mlps = ls.state.owners_of(path)
    if not mlps:
        raise ValueError(f"no MLproject for {target}")
    mlp = mlps[0]
    unsaved = await asyncio.to_thread(unsaved_files, project_buffers(ls, mlp))
    if unsaved:
        names = ", ".join(os.path.relpath(p, mlp.parent) for p in unsaved)
        message = f"Run of {entry_point} not started: save {names} first (MLflow runs the files on disk)"
        ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=message))
        return {"entryPoint": entry_point, "started": False, "unsaved": [str(p) for p in unsaved],
                "message": message}
    progress = await _Progress.start(ls, f"Run {entry_point}")
    with tempfile.TemporaryDirectory(prefix="dioptra-lint-run-") as tmp:
        result_file = os.path.join(tmp, "result.json")
        argv = child_argv(mlp.parent, entry_point, params, options, result_file)
        try:
            code, output = await _run_child(ls, argv, mlp.parent, progress, entry_point)
        finally:
            progress.end()
        result = _read_result(result_file)
    message, kind = _message(entry_point, code, result, output)
    ls.window_show_message(lsp.ShowMessageParams(type=kind, message=message))
    out = {"entryPoint": entry_point, "started": True, "exitCode": code, "message": message}
    if result is not None:
        out.update(submitted=result["submitted"], verdict=result["verdict"],
                   runId=result["run_id"], status=result["status"], command=result["command"],
                   result=result)
    return out


class _Progress:
    """Work-done progress when the client takes it; cancelling it calls ``on_cancel``."""

    def __init__(self, ls, token: str | None) -> None:
        self.ls, self.token = ls, token
        self.on_cancel = None

    @classmethod
    async def start(cls, ls, title: str) -> "_Progress":
        window = getattr(ls.client_capabilities, "window", None)
        if not getattr(window, "work_done_progress", False):
            return cls(ls, None)
        token = str(uuid.uuid4())
        try:
            await asyncio.wait_for(ls.work_done_progress.create_async(token), 5)
            ls.work_done_progress.begin(token, lsp.WorkDoneProgressBegin(
                title=title, message="dry run", cancellable=True))
        except Exception:  # noqa: BLE001 - progress is a nicety
            return cls(ls, None)
        progress = cls(ls, token)
        future = ls.work_done_progress.tokens.get(token)
        if future is not None:
            future.add_done_callback(lambda f: f.cancelled() and progress.on_cancel
                                     and progress.on_cancel())
        return progress

    def report(self, message: str) -> None:
        if self.token:
            self.ls.work_done_progress.report(self.token, lsp.WorkDoneProgressReport(
                message=message[:120]))

    def end(self) -> None:
        if self.token:
            self.ls.work_done_progress.end(self.token, lsp.WorkDoneProgressEnd(message="done"))
            self.ls.work_done_progress.tokens.pop(self.token, None)


async def _run_child(ls, argv: list[str], folder: Path, progress: _Progress,
                     entry_point: str) -> tuple[int, str]:
    """Run ``dioptra-lint run`` and stream what it prints to the client's log; returns its
    exit status and the last of its output (for a message when there is no result)."""
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=folder, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, start_new_session=True)

    def interrupt() -> None:   # Ctrl-C in a terminal: SIGINT to the whole process group
        if proc.returncode is None:
            try:
                os.killpg(proc.pid, signal.SIGINT)
            except OSError:   # it has just exited
                pass

    progress.on_cancel = interrupt
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    tail = ""
    while True:
        chunk = await proc.stdout.read(_CHUNK)
        text = decoder.decode(chunk, final=not chunk)
        if text:
            tail = (tail + text)[-2000:]
            ls.log_message(f"[run {entry_point}] {text.rstrip()}", lsp.MessageType.Log)
            last = next((line for line in reversed(text.splitlines()) if line.strip()), None)
            if last:
                progress.report(last.strip())
        if not chunk:
            break
    return await proc.wait(), tail


def _read_result(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _message(entry_point: str, code: int, result: dict | None, output: str):
    """The one line the editor shows, and its kind."""
    head = f"Run of {entry_point}"
    if result is None:   # a usage error, MLflow missing, a crash: the child's last line says
        if code == 130:
            return f"{head} cancelled before it was submitted", lsp.MessageType.Warning
        last = next((line for line in reversed(output.splitlines()) if line.strip()), "")
        return f"{head} did not start (exit {code}): {last.strip()}", lsp.MessageType.Error
    run = f"MLflow run {result['run_id']}" if result.get("run_id") else "no MLflow run"
    if not result["submitted"] and code in (1, 3):
        report = result["dry_run"]
        return (f"{head} refused, nothing submitted: {_refusal(report)} (the dry run's report "
                f"is in the log; \u25b6 Dry run shows it)"), lsp.MessageType.Warning
    if code == 0:
        return f"{head} finished: {run} ({result.get('status')})", lsp.MessageType.Info
    if code == 130:
        return f"{head} cancelled: {run} ({result.get('status')})", lsp.MessageType.Warning
    error = result.get("error") or f"exit {code}"
    return f"{head} failed: {run} ({result.get('status') or 'not started'}): {error}", \
        lsp.MessageType.Error


def _refusal(report: dict) -> str:
    if report["verdict"] == "would-fail":
        first = next((p for p in report["problems"] if p["severity"] == "error"), None)
        return "the dry run says it would fail" + (f": {first['message']}" if first else "")
    parts = "; ".join(u["part"] for u in report["unchecked"])
    return f"the dry run could not check: {parts}"
