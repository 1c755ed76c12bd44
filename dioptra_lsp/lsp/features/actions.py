"""Code actions: each diagnostic's own fix, "suppress DLxxx on this line", and fix-all."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from lsprotocol import types as lsp

from ...diagnostics import Diagnostic, Fix, TextEdit
from ...fixes import offset_of
from ...model.source import Span
from ..convert import to_lsp_diagnostic, workspace_edit
from ..state import is_mlproject, norm

FIX_ALL = "source.fixAll.dioptra-lint"
_NOQA = re.compile(r"#\s*noqa(\s*:\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*))?", re.I)


def _overlaps(a: Span, b: Span) -> bool:
    return not (a.end < b.start or b.end < a.start)


def extra_fix(analysis, d: Diagnostic) -> Fix | None:
    """Fixes the server adds where a rule has none: declare an undeclared placeholder."""
    project = analysis.project
    if project is None or project.mlproject is None or d.fix is not None:
        return None
    if d.code == "DL106":
        for ep in project.mlproject.entry_points:
            if ep.command is None:
                continue
            for ph in ep.command.placeholders:
                if ph.span == d.span and ph.valid and ph.name.isidentifier():
                    return _add_parameter(project.mlproject, ep, ph.name)
    return None


def _add_parameter(ml, ep, name: str) -> Fix | None:
    lines = ml.text.split("\n")
    if ep.parameters:
        last = ep.parameters[-1]
        line = lines[last.name_span.start.line]
        indent = line[:last.name_span.start.character]
        if indent.strip():
            return None      # flow-style parameters mapping: leave it to the user
        end = last.spec_span.end.line
        # insert after the last parameter's value (its own line(s))
        at = Span.point(end + 1, 0) if end + 1 < len(lines) else Span.point(end, len(lines[end]))
        prefix = "" if end + 1 < len(lines) else "\n"
        return Fix(f"Add parameter `{name}` to entry point `{ep.name}`",
                   (TextEdit(ml.path, at, f"{prefix}{indent}{name}: {{type: string}}\n"),))
    key_line = lines[ep.name_span.start.line]
    ep_indent = key_line[:ep.name_span.start.character]
    child = ep_indent + "  "
    if ep.command is not None:
        for i in range(ep.name_span.start.line + 1, len(lines)):
            if lines[i].strip():
                child = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
                break
    if ep.parameters_span is not None:
        return None
    at = Span.point(ep.name_span.start.line + 1, 0)
    return Fix(f"Add parameter `{name}` to entry point `{ep.name}`",
               (TextEdit(ml.path, at, f"{child}parameters:\n{child}  {name}: {{type: string}}\n"),))


def _string_lines(text: str) -> set[int]:
    """0-based lines whose end lies inside a multi-line string (a comment there would be text)."""
    out: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
                out.update(range(tok.start[0] - 1, tok.end[0] - 1))
            elif tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1) and tok.end[0] > tok.start[0]:
                out.update(range(tok.start[0] - 1, tok.end[0] - 1))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return out


def _yaml_scalar_lines(analysis, path: Path) -> set[int]:
    """Lines inside a multi-line command scalar: ``#`` there is part of the command."""
    out: set[int] = set()
    project = analysis.project
    if project is None or project.mlproject is None:
        return out
    for ep in project.mlproject.entry_points:
        c = ep.command
        if c is None:
            continue
        if c.style in (">", "|"):
            out.update(range(c.span.start.line + 1, c.span.end.line + 1))
        elif c.span.end.line > c.span.start.line:
            out.update(range(c.span.start.line, c.span.end.line))
    return out


def _block_header(analysis, line: int) -> int | None:
    """The ``command: >`` line of the block command holding ``line``: its `# noqa` covers it."""
    project = analysis.project
    if project is None or project.mlproject is None:
        return None
    for ep in project.mlproject.entry_points:
        c = ep.command
        if c is not None and c.style in (">", "|") and c.span.start.line < line <= c.span.end.line:
            return c.span.start.line
    return None


def suppress_edit(path: Path, lines: list[str], line_no: int, code: str, unsafe_lines: set[int]) -> TextEdit | None:
    if line_no in unsafe_lines or line_no >= len(lines):
        return None
    line = lines[line_no]
    m = _NOQA.search(line)
    if m:
        if not m.group("codes"):
            return None                     # a bare `# noqa` already suppresses everything
        codes = m.group("codes")
        if code.upper() in re.split(r"[\s,]+", codes.upper()):
            return None
        end = m.end("codes")
        return TextEdit(path, Span.of(line_no, end, line_no, end), f", {code}")
    stripped = line.rstrip()
    return TextEdit(path, Span.of(line_no, len(stripped), line_no, len(line)), f"  # noqa: {code}")


def code_actions(ls, analysis, path: Path, uri: str, rng: Span, only) -> list[lsp.CodeAction]:
    state = ls.state
    diags = state.diagnostics_for(path)
    lines = state.lines(path)
    want_quick = not only or any(str(k).startswith("quickfix") for k in only)
    want_all = not only or any(FIX_ALL.startswith(str(k)) or str(k) == "source" for k in only)
    out: list[lsp.CodeAction] = []
    if want_quick:
        unsafe = None
        for d in diags:
            if not _overlaps(d.span, rng):
                continue
            ld = to_lsp_diagnostic(d, ls.lines_of, ls.codec)
            fix = d.fix or extra_fix(analysis, d)
            if fix is not None:
                out.append(lsp.CodeAction(
                    title=f"{fix.title} ({d.code})", kind=lsp.CodeActionKind.QuickFix, diagnostics=[ld],
                    is_preferred=fix.safe, edit=workspace_edit(list(fix.edits), ls.lines_of, ls.codec)))
            if unsafe is None:
                unsafe = _yaml_scalar_lines(analysis, path) if is_mlproject(path) else _string_lines("\n".join(lines))
            line, title = d.span.start.line, f"Suppress {d.code} on this line"
            header = _block_header(analysis, line) if is_mlproject(path) and line in unsafe else None
            if header is not None:
                line, title = header, f"Suppress {d.code} for this command"
            edit = suppress_edit(path, lines, line, d.code, unsafe if header is None else set())
            if edit is not None:
                out.append(lsp.CodeAction(
                    title=title, kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[ld], edit=workspace_edit([edit], ls.lines_of, ls.codec)))
    if want_all:
        edits = fix_all_edits(state, path, diags)
        if edits:
            out.append(lsp.CodeAction(title="Fix all dioptra-lint findings", kind=FIX_ALL,
                                      edit=workspace_edit(edits, ls.lines_of, ls.codec)))
    return out


def fix_all_edits(state, path: Path, diags: list[Diagnostic]) -> list[TextEdit]:
    """The safe fixes of this document whose edits all stay in it, without overlaps (like --fix)."""
    text = "\n".join(state.lines(path))
    chosen: list[tuple[int, int]] = []
    edits: list[TextEdit] = []
    for d in diags:
        if d.fix is None or not d.fix.safe or any(norm(e.path) != path for e in d.fix.edits):
            continue
        ranges = [(offset_of(text, e.span.start), offset_of(text, e.span.end)) for e in d.fix.edits]
        if any(not (e1 <= s2 or e2 <= s1) or (s1 == s2) for s1, e1 in ranges for s2, e2 in chosen):
            continue
        chosen.extend(ranges)
        edits.extend(d.fix.edits)
    return edits
