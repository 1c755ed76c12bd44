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


def render_full(diags: list[Diagnostic], read) -> str:
    """Each finding with the source line it points at and carets under its range, the other
    side of a cross-file finding, and its fix.  ``read(path)`` gives a file's text or None."""
    lines_of: dict = {}

    def source_lines(path):
        if path not in lines_of:
            text = read(path)
            lines_of[path] = text.split("\n") if text is not None else None
        return lines_of[path]

    blocks = []
    for d in diags:
        start, end = d.span.start, d.span.end
        block = [f"{d.path.as_posix()}:{start.line + 1}:{start.character + 1}: {d.code} "
                 f"{d.message}"]
        lines = source_lines(d.path)
        if lines is not None and start.line < len(lines):
            line = lines[start.line]
            stop = end.character if end.line == start.line else len(line)
            gutter = str(start.line + 1)
            pad = " " * len(gutter)
            # Tabs are shown as four spaces, on the line and before the carets alike.
            shown = line.replace("\t", "    ")
            before = line[:start.character].replace("\t", "    ")
            marked = line[start.character:max(stop, start.character + 1)].replace("\t", "    ")
            block += [f"{pad} |", f"{gutter} | {shown}",
                      f"{pad} | {' ' * len(before)}{'^' * max(len(marked), 1)} {d.code}"]
        if d.detail:
            block.extend(f"  = {line}" for line in d.detail.split("\n"))
        for r in d.related:
            block.append(f"  = {r.message}: {r.path.as_posix()}:{r.span.start.line + 1}"
                         if r.message else
                         f"  = see {r.path.as_posix()}:{r.span.start.line + 1}")
        if d.fix is not None:
            block.append(f"  = {'fix' if d.fix.safe else 'unsafe fix'}: {d.fix.title}")
        blocks.append("\n".join(block))
    return "\n\n".join(blocks)


def render_statistics(diags: list[Diagnostic], as_json: bool = False) -> str:
    """Findings per rule, most frequent first: where a tree's problems concentrate."""
    counts = Counter((d.code, d.name, d.severity.label) for d in diags)
    fixable = Counter(d.code for d in diags if d.fix is not None and d.fix.safe)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    if as_json:
        return json.dumps([{"code": code, "name": name, "severity": severity, "count": n,
                            "fixable": fixable[code]} for (code, name, severity), n in rows],
                          indent=2)
    width = max((len(str(n)) for n in counts.values()), default=1)
    return "\n".join(f"{n:>{width}}  {code}  {name} ({severity})"
                     + (f"  [{fixable[code]} fixable]" if fixable[code] else "")
                     for (code, name, severity), n in rows)


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render_sarif(diags: list[Diagnostic], rules, version: str) -> str:
    """SARIF 2.1.0, for code-scanning dashboards (GitHub's upload-sarif and others).  Columns
    are code points, as everywhere in this tool, and the log says so (SARIF's default is UTF-16
    units)."""
    index = {rule.code: i for i, rule in enumerate(rules)}

    def region(span) -> dict:
        return {"startLine": span.start.line + 1, "startColumn": span.start.character + 1,
                "endLine": span.end.line + 1, "endColumn": span.end.character + 1}

    def location(path, span) -> dict:
        return {"physicalLocation": {"artifactLocation": {"uri": path.as_posix()},
                                     "region": region(span)}}

    results = []
    for d in diags:
        result = {"ruleId": d.code, "ruleIndex": index[d.code],
                  "level": _SARIF_LEVEL[d.severity.label],
                  "message": {"text": f"{d.message}\n\n{d.detail}" if d.detail else d.message},
                  "locations": [location(d.path, d.span)]}
        if d.related:
            result["relatedLocations"] = [{"id": i, **location(r.path, r.span),
                                           "message": {"text": r.message or "see also"}}
                                          for i, r in enumerate(d.related)]
        results.append(result)
    driver = {"name": "dioptra-lint", "version": version, "rules": [
        {"id": r.code, "name": r.name, "shortDescription": {"text": r.summary},
         "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity.label]},
         "help": {"text": f"dioptra-lint rule {r.code}"}} for r in rules]}
    log = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints",
                     "results": results}]}
    return json.dumps(log, indent=2, ensure_ascii=False)
