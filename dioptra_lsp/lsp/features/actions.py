"""Code actions: each diagnostic's own fix, "suppress DLxxx on this line", and fix-all.

Every edit is computed from an analysis of the buffers as they are (the handler waits for it)
and, for clients that take ``documentChanges``, carries the version of the buffer it was
computed on.  Fix-all is ``--fix`` on the buffer: safe fixes applied until nothing more changes,
dropped whole if they would bring a syntax error or a new finding.
"""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path

from lsprotocol import types as lsp

from ...diagnostics import Diagnostic, TextEdit
from ...model.source import LineIndex, Span, line_index, split_bom
from ..convert import to_lsp_diagnostic, workspace_edit
from ..state import norm

FIX_ALL = "source.fixAll.dioptra-lint"


def _overlaps(a: Span, b: Span) -> bool:
    return not (a.end < b.start or b.end < a.start)


def suppress_edit(path: Path, reader, line_no: int, code: str) -> TextEdit | None:
    """``# noqa: CODE`` on ``line_no``, merged into the directive there (None: it already
    suppresses ``code``)."""
    from ...model.noqa import add_codes

    change = add_codes(reader.line(path, line_no), reader.directives(path).get(line_no), [code])
    if change is None:
        return None
    start, end, text = change
    return TextEdit(path, Span.of(line_no, start, line_no, end), text)


def code_actions(ls, analysis, path: Path, uri: str, rng: Span, only, versions=None,
                 fixed_text: str | None = None) -> list[lsp.CodeAction]:
    """The actions for ``rng``; ``versions`` (for ``documentChanges`` clients) the buffer
    versions the analysis was computed on, ``fixed_text`` the buffer after fix-all."""
    state = ls.state
    diags = state.diagnostics_for(path)
    want_quick = not only or any(str(k).startswith("quickfix") for k in only)
    want_all = wants_fix_all(only)

    def edit(edits: list[TextEdit]) -> lsp.WorkspaceEdit:
        return workspace_edit(edits, ls.lines_of, ls.codec, versions)

    out: list[lsp.CodeAction] = []
    if want_quick:
        reader = None
        for d in diags:
            if not _overlaps(d.span, rng):
                continue
            ld = to_lsp_diagnostic(d, ls.lines_of, ls.codec)
            fix = d.fix
            if fix is not None:
                # The same fix as --fix, with its safety said: an unsafe one may change what
                # the job does (the rule page's "Fix safety" says how), so never preferred.
                label = d.code if fix.safe else f"{d.code}, unsafe fix"
                out.append(lsp.CodeAction(
                    title=f"{fix.title} ({label})", kind=lsp.CodeActionKind.QuickFix, diagnostics=[ld],
                    is_preferred=fix.safe, edit=edit(list(fix.edits))))
            if analysis.project is None:
                continue
            if reader is None:      # where a noqa comment may go: the same answer as --add-noqa
                from ...engine import NoqaReader

                reader = NoqaReader(analysis.project, state.overlay())
            line, _ = reader.place_for(path, d.span.start.line)
            if line is None:
                continue
            title = (f"Suppress {d.code} on this line" if line == d.span.start.line
                     else f"Suppress {d.code} for this command")
            suppress = suppress_edit(path, reader, line, d.code)
            if suppress is not None:
                out.append(lsp.CodeAction(
                    title=title, kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[ld], edit=edit([suppress])))
    if want_all and fixed_text is not None:
        edits = text_edits(path, state.model_text(path), fixed_text)
        if edits:
            out.append(lsp.CodeAction(title="Fix all dioptra-lint findings", kind=FIX_ALL,
                                      edit=edit(edits)))
    return out


def wants_fix_all(only) -> bool:
    return not only or any(FIX_ALL.startswith(str(k)) or str(k) == "source" for k in only)


def fix_all_text(state, path: Path, owners: list[Path]) -> tuple[str | None, str | None]:
    """The buffer after its fixes, applied until nothing more changes (as ``--fix`` does: the
    safe ones, and the unsafe ones too where the settings' ``unsafe-fixes`` is true), or None;
    and why the fixes were dropped, when they would bring a syntax error or a new finding.
    Runs the analyses itself: call it off the event loop."""
    from ...engine import analyse, merge_groups
    from ...fixes import MAX_ROUNDS, apply_edits, choose_fixes

    doc = state.by_path.get(path)
    if doc is None:
        return None, None
    body, bom = split_bom(doc.text)
    overlay = state.overlay()
    diags = state.diagnostics_for(path)
    before = Counter(d.code for d in diags)
    unsafe = any(state.settings_for(m.parent).unsafe_fixes is True for m in owners)

    def applies(d: Diagnostic) -> bool:
        return d.fix is not None and (d.fix.safe or unsafe)

    text = body
    for _ in range(MAX_ROUNDS):
        plan = choose_fixes(diags, {path: text}, applies)
        if path not in plan:
            break
        new_text, _ = apply_edits(text, plan[path][0])
        if new_text == text:
            break
        text = new_text
        overlay[path] = ("\ufeff" if bom else "") + text
        unique: dict[tuple, Diagnostic] = {}
        for mlproject in owners:
            _, found = analyse(mlproject, state.settings_for(mlproject.parent), overlay)
            # Grouped and deduplicated as the published findings are, so that counts compare.
            for d in merge_groups(found):
                if norm(d.path) == path:
                    unique.setdefault((d.span, d.code, d.message), d)
        diags = sorted(unique.values(), key=Diagnostic.sort_key)
    if text == body:
        return None, None
    new = Counter(d.code for d in diags) - before
    if new:
        return None, (f"fix-all left {path.name} as it was: the fixes would introduce "
                      f"{'a syntax error' if 'DL001' in new else 'new findings'} "
                      f"({', '.join(sorted(new))})")
    return text, None


def text_edits(path: Path, old: str, new: str) -> list[TextEdit]:
    """Line-level edits that turn ``old`` into ``new`` (whole lines, breaks included)."""
    a, b = _lines_with_breaks(old), _lines_with_breaks(new)
    index = line_index(old)
    out = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start = index.position(index.starts[i1]) if i1 < len(index.starts) else index.position(len(old))
        end = index.position(index.starts[i2]) if i2 < len(index.starts) else index.position(len(old))
        out.append(TextEdit(path, Span(start, end), "".join(b[j1:j2])))
    return out


def _lines_with_breaks(text: str) -> list[str]:
    index = LineIndex(text)
    return [line + index.ending(i) for i, line in enumerate(index.lines)]
