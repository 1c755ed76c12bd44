"""Rendering diagnostics for people (text), programs (JSON) and GitHub Actions (workflow
commands that become annotations on the pull request): 1-based lines and columns."""

from __future__ import annotations

import json
from collections import Counter

from .diagnostics import Diagnostic, Fix


def render_text(diags: list[Diagnostic]) -> str:
    return "\n".join(
        f"{d.path.as_posix()}:{d.span.start.line + 1}:{d.span.start.character + 1}: {d.code} {d.message}"
        for d in diags)


def _fix_json(fix: Fix | None):
    if fix is None:
        return None
    return {"title": fix.title, "safe": fix.safe, "edits": [
        {"file": e.path.as_posix(), "line": e.span.start.line + 1, "column": e.span.start.character + 1,
         "end_line": e.span.end.line + 1, "end_column": e.span.end.character + 1, "new_text": e.new_text}
        for e in fix.edits]}


def to_json_objects(diags: list[Diagnostic]) -> list[dict]:
    return [{"file": d.path.as_posix(), "line": d.span.start.line + 1,
             "column": d.span.start.character + 1, "end_line": d.span.end.line + 1,
             "end_column": d.span.end.character + 1, "code": d.code, "name": d.name,
             "severity": d.severity.label, "message": d.message, "fix": _fix_json(d.fix)}
            for d in diags]


def render_json(diags: list[Diagnostic]) -> str:
    return json.dumps(to_json_objects(diags), indent=2, ensure_ascii=False)


_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _github_data(text: str) -> str:
    """Escaping of a workflow command's message, as GitHub's runner reads it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diags: list[Diagnostic]) -> str:
    """``::error file=…,line=…::message`` lines: GitHub Actions shows each as an annotation."""
    lines = []
    for d in diags:
        props = (f"file={_github_property(d.path.as_posix())},line={d.span.start.line + 1},"
                 f"endLine={d.span.end.line + 1},col={d.span.start.character + 1},"
                 f"endColumn={d.span.end.character + 1},"
                 f"title={_github_property(f'{d.code} {d.name}')}")
        lines.append(f"::{_GITHUB_LEVEL[d.severity.label]} {props}::{_github_data(d.message)}")
    return "\n".join(lines)


def summary(result) -> str:
    diags = result.diagnostics
    where = (f"{result.projects} entry-point project{'s' if result.projects != 1 else ''}, "
             f"{len(result.files)} file{'s' if len(result.files) != 1 else ''}")
    if not diags:
        return f"All checks passed ({where})."
    counts = Counter(d.severity.label for d in diags)
    parts = [f"{counts[k]} {k}{'s' if counts[k] != 1 and k != 'info' else ''}"
             for k in ("error", "warning", "info") if counts[k]]
    fixable = sum(1 for d in diags if d.fix is not None and d.fix.safe)
    tail = f"; {fixable} fixable with --fix" if fixable else ""
    return f"Found {len(diags)} problem{'s' if len(diags) != 1 else ''} ({', '.join(parts)}) in {where}{tail}."
