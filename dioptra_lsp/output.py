"""Rendering diagnostics for people (text, concise, grouped, full), programs (JSON, JSON
lines, pylint) and CI services (GitHub annotations, SARIF, JUnit, GitLab Code Quality).
Lines and columns are 1-based, columns in characters, in every format."""

from __future__ import annotations

import json
from collections import Counter

from .diagnostics import Diagnostic, Fix
from .model.source import line_index


def _where(d: Diagnostic) -> str:
    return f"{d.path.as_posix()}:{d.span.start.line + 1}:{d.span.start.character + 1}"


def safe_fix(d: Diagnostic) -> bool:
    """What ``--fix`` repairs when unsafe fixes are not enabled: a safe fix.  The CLI passes
    ``LintResult.fix_applies`` instead, which knows each project's ``unsafe-fixes``."""
    return d.fix is not None and bool(d.fix.edits) and d.fix.safe


def render_text(diags: list[Diagnostic]) -> str:
    return "\n".join(f"{_where(d)}: {d.code} {d.message}" for d in diags)


def render_concise(diags: list[Diagnostic], fixable=safe_fix) -> str:
    return "\n".join(f"{_where(d)}: {d.code} {'[*] ' if fixable(d) else ''}{d.message}"
                     for d in diags)


def render_grouped(diags: list[Diagnostic], fixable=safe_fix) -> str:
    """``path:`` then ``  line:col CODE message`` per finding, lines right-aligned and columns
    padded to the widest in the file; a blank line between files."""
    groups: dict = {}
    for d in diags:
        groups.setdefault(d.path, []).append(d)
    blocks = []
    for path, found in groups.items():
        rows = [str(d.span.start.line + 1) for d in found]
        cols = [str(d.span.start.character + 1) for d in found]
        row_width, col_width = max(map(len, rows)), max(map(len, cols))
        blocks.append("\n".join([f"{path.as_posix()}:"] + [
            f"  {row:>{row_width}}:{col:<{col_width}} {d.code} "
            f"{'[*] ' if fixable(d) else ''}{d.message}"
            for d, row, col in zip(found, rows, cols)]))
    return "\n\n".join(blocks)


def render_pylint(diags: list[Diagnostic]) -> str:
    return "\n".join(f"{d.path.as_posix()}:{d.span.start.line + 1}: [{d.code}] {d.message}"
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


def render_json_lines(diags: list[Diagnostic]) -> str:
    return "\n".join(json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
                     for obj in to_json_objects(diags))


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


def summary(result, fixed: int = 0) -> str:
    """The last line.  It says "passed" only when something was checked and nothing stopped
    part of the check (a missing path, a broken config file: those are printed above it).
    ``fixed``: how many findings ``--fix`` just fixed (the findings are what remains)."""
    diags = result.diagnostics
    errors = len(getattr(result, "errors", ()))
    where = (f"{result.projects} entry-point project{'s' if result.projects != 1 else ''}, "
             f"{len(result.files)} file{'s' if len(result.files) != 1 else ''}")
    if errors:
        stopped = (f"{errors} error{'s' if errors != 1 else ''} stopped part of the check "
                   f"(see above)")
        if not diags and not result.projects:
            return f"Nothing checked: {stopped}."
        if not diags and not fixed:
            return f"Not fully checked: {stopped}; no findings in {where}."
        return f"Not fully checked: {stopped}. " + _found(result, where, fixed)
    if not diags and not fixed:
        if not result.projects:
            return "Nothing checked: no MLproject found under the given paths."
        return f"All checks passed ({where})."
    return _found(result, where, fixed)


def _found(result, where: str, fixed: int) -> str:
    diags = result.diagnostics
    counts = Counter(d.severity.label for d in diags)
    parts = [f"{counts[k]} {k}{'s' if counts[k] != 1 and k != 'info' else ''}"
             for k in ("error", "warning", "info") if counts[k]]
    total = len(diags) + fixed
    if fixed:
        inside = f"{fixed} fixed, {len(diags)} remaining" + (f": {', '.join(parts)}" if parts else "")
    else:
        inside = ", ".join(parts)
    line = f"Found {total} problem{'s' if total != 1 else ''} ({inside}) in {where}"
    return line + _fix_hint(result) + "."


def fix_counts(result) -> tuple[int, int]:
    """How many findings ``--fix`` would fix, and how many more ``--unsafe-fixes`` would (0
    where a project's ``unsafe-fixes`` is false: then they are not even mentioned)."""
    applies = getattr(result, "fix_applies", safe_fix)
    unsafe_setting = getattr(result, "unsafe_fixes", lambda path: None)
    fixable = hidden = 0
    for d in result.diagnostics:
        if d.fix is None or not d.fix.edits:
            continue
        if applies(d):
            fixable += 1
        elif unsafe_setting(d.path) is None:
            hidden += 1
    return fixable, hidden


def _fix_hint(result) -> str:
    fixable, hidden = fix_counts(result)
    more = f"{hidden} unsafe fix{'es' if hidden != 1 else ''}"
    if fixable and hidden:
        return f"; {fixable} fixable with --fix ({more} available with --fix --unsafe-fixes)"
    if fixable:
        return f"; {fixable} fixable with --fix"
    if hidden:
        return f"; {more} available with --fix --unsafe-fixes"
    return ""


def fixes_shown(fixed_codes: dict, names: dict[str, str]) -> str:
    """``--show-fixes``: what ``--fix`` fixed, per file and rule, as ruff lists it."""
    total = sum(sum(c.values()) for c in fixed_codes.values())
    if not total:
        return ""
    lines = [f"Fixed {total} problem{'s' if total != 1 else ''}:"]
    for path in sorted(fixed_codes, key=str):
        codes = fixed_codes[path]
        if not codes:
            continue
        lines.append(f"- {path.as_posix()}:")
        for code, n in sorted(codes.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"    {n} × {code} ({names.get(code, code)})")
    return "\n".join(lines)


class _SourceLines:
    """The lines of the files findings point into, each file read once.  ``read(path)`` gives
    a file's text (the buffer given on stdin, or the disk) or None."""

    def __init__(self, read) -> None:
        self.read = read
        self.cache: dict = {}

    def __call__(self, path) -> list[str] | None:
        if path not in self.cache:
            text = self.read(path)
            self.cache[path] = line_index(text).lines if text is not None else None
        return self.cache[path]


def render_full(diags: list[Diagnostic], read) -> str:
    """Each finding with the source line it points at and carets under its range, the other
    side of a cross-file finding, and its fix.  ``read(path)`` gives a file's text or None."""
    source_lines = _SourceLines(read)
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


def statistics(diags: list[Diagnostic], fixable=safe_fix) -> list[dict]:
    """Findings per rule, most frequent first (ties by code): where a tree's problems
    concentrate.  The keys of ruff's ``--statistics --output-format json``."""
    counts = Counter(d.code for d in diags)
    fixed = Counter(d.code for d in diags if fixable(d))
    names = {d.code: d.name for d in diags}
    return [{"code": code, "name": names[code], "count": n, "fixable": fixed[code] > 0,
             "fixable_count": fixed[code]}
            for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def render_statistics(diags: list[Diagnostic], output_format: str = "text",
                      fixable=safe_fix) -> str:
    """``count<TAB>code<TAB>[*] name`` rows (``[*]``: --fix repairs some), or JSON / JSON lines."""
    rows = statistics(diags, fixable)
    if output_format == "json":
        return json.dumps(rows, indent=2)
    if output_format == "json-lines":
        return "\n".join(json.dumps(row, separators=(",", ":")) for row in rows)
    width = max((len(str(row["count"])) for row in rows), default=1)
    return "\n".join(f"{row['count']:>{width}}\t{row['code']}\t"
                     f"{'[*]' if row['fixable'] else '[ ]'} {row['name']}" for row in rows)


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


def _xml_text(text: str) -> str:
    """XML 1.0 cannot hold most control characters, even escaped: shown as ``\\xNN``."""
    return "".join(ch if ch in "\t\n\r" or ("\x20" <= ch <= "\ud7ff")
                   or ("\ue000" <= ch <= "\ufffd") or ch > "\uffff"
                   else f"\\x{ord(ch):02x}" for ch in text)


def render_junit(diags: list[Diagnostic], errors: list[str] = (), projects: int = 0) -> str:
    """JUnit XML, as CI test-report views read it: a test suite per file with findings, a
    failing test case per finding (``file``, ``line`` and ``column`` attributes, the rule as
    its name, the message as the failure).  What could not be linted (``errors``) is a test
    case in error; a run that linted projects and found nothing is one passing test case."""
    import xml.etree.ElementTree as ET

    def element(parent, tag: str, **attrs) -> ET.Element:
        return ET.SubElement(parent, tag, {k: _xml_text(str(v)) for k, v in attrs.items()})

    def counts(node: ET.Element, tests: int, failures: int, errs: int) -> None:
        for key, value in (("tests", tests), ("failures", failures), ("errors", errs),
                           ("skipped", 0)):
            node.set(key, str(value))

    root = ET.Element("testsuites", {"name": "dioptra-lint"})
    groups: dict = {}
    for d in diags:
        groups.setdefault(d.path, []).append(d)
    for path, found in groups.items():
        suite = element(root, "testsuite", name=path.as_posix())
        counts(suite, len(found), len(found), 0)
        for d in found:
            case = element(suite, "testcase", name=f"{d.code} {d.name}",
                           classname=path.as_posix(), file=path.as_posix(),
                           line=d.span.start.line + 1, column=d.span.start.character + 1)
            element(element(case, "properties"), "property", name="severity",
                    value=d.severity.label)
            failure = element(case, "failure", message=d.message, type=d.code)
            failure.text = _xml_text("\n".join(
                [f"{_where(d)}: {d.code} {d.message}"]
                + [f"  = {line}" for line in d.detail.split("\n") if d.detail]
                + [f"  = {r.message or 'see'}: {r.path.as_posix()}:{r.span.start.line + 1}"
                   for r in d.related]))
    if errors or (projects and not diags):
        suite = element(root, "testsuite", name="dioptra-lint")
        counts(suite, len(errors) or 1, 0, len(errors))
        for error in errors:
            case = element(suite, "testcase", name="input", classname="dioptra-lint")
            element(case, "error", message=error, type="input").text = _xml_text(error)
        if not errors:
            element(suite, "testcase", name="no findings", classname="dioptra-lint")
    counts(root, len(diags) + (len(errors) or (1 if projects and not diags else 0)),
           len(diags), len(errors))
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


#: GitLab Code Quality severities (info, minor, major, critical, blocker) for ours.
_GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def render_gitlab(diags: list[Diagnostic], read, project_dir) -> str:
    """A GitLab Code Quality report: description, check_name, fingerprint, severity and
    location (``path`` relative to ``project_dir``, the repository; ``positions`` begin/end).

    The fingerprint is what GitLab compares between the merge request and its target branch,
    so it must not change when the lines above a finding move: it hashes the file, the rule
    and the text the finding points at (never a line number, nor the message, which names
    the other side's line), plus a counter that tells identical findings in a file apart."""
    import hashlib
    import os
    import re

    source_lines = _SourceLines(read)

    def repo_path(path) -> str:
        full = os.path.abspath(path)
        rel = os.path.relpath(full, project_dir)
        return (full if rel.startswith("..") else rel).replace(os.sep, "/")

    def anchor(d: Diagnostic) -> str:
        start, end = d.span.start, d.span.end
        lines = source_lines(d.path)
        if lines is None or start.line >= len(lines):
            return re.sub(r":\d+", ":", d.message)
        line = lines[start.line]
        marked = line[start.character:end.character if end.line == start.line else None]
        return " ".join(marked.split()) or " ".join(line.split())

    seen: Counter = Counter()
    issues = []
    for d in diags:
        path = repo_path(d.path)
        key = (path, d.code, anchor(d))
        occurrence = seen[key]
        seen[key] += 1
        digest = hashlib.sha256(json.dumps([*key, occurrence]).encode("utf-8")).hexdigest()
        start, end = d.span.start, d.span.end
        issues.append({
            "description": f"{d.code}: {d.message}", "check_name": d.code,
            "fingerprint": digest[:32], "severity": _GITLAB_SEVERITY[d.severity.label],
            "location": {"path": path, "positions": {
                "begin": {"line": start.line + 1, "column": start.character + 1},
                "end": {"line": end.line + 1, "column": end.character + 1}}}})
    return json.dumps(issues, indent=2, ensure_ascii=False)
