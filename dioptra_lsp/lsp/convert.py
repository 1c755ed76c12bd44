"""Engine diagnostics and edits to LSP objects (through the one position codec)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from ..diagnostics import Diagnostic, Severity, TextEdit

SOURCE = "dioptra-lint"
_SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error,
             Severity.WARNING: lsp.DiagnosticSeverity.Warning,
             Severity.INFO: lsp.DiagnosticSeverity.Information}
_UNNECESSARY = {"DL107", "DL303", "DL305", "DL205"}


def uri_of(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


def to_lsp_diagnostic(d: Diagnostic, lines_of, codec) -> lsp.Diagnostic:
    related = [lsp.DiagnosticRelatedInformation(
        location=lsp.Location(uri=uri_of(r.path), range=codec.range(lines_of(r.path), r.span)),
        message=r.message) for r in d.related] or None
    return lsp.Diagnostic(
        range=codec.range(lines_of(d.path), d.span),
        severity=_SEVERITY.get(d.severity, lsp.DiagnosticSeverity.Warning),
        code=d.code,
        source=SOURCE,
        # First line short (virtual text shows it); the detail follows for hover.
        message=f"{d.message}\n{d.detail}" if d.detail else d.message,
        related_information=related,
        tags=[lsp.DiagnosticTag.Unnecessary] if d.code in _UNNECESSARY else None,
        data={"name": d.name, "fixable": d.fix is not None},
    )


def workspace_edit(edits: list[TextEdit], lines_of, codec,
                   versions: dict[Path, int] | None = None) -> lsp.WorkspaceEdit:
    """The edits as a WorkspaceEdit.  With ``versions`` (the client takes ``documentChanges``),
    one ``TextDocumentEdit`` per document, carrying the version of the buffer the edits were
    computed on (null: the file on disk), so that a client never applies them to another."""
    changes: dict[str, list[lsp.TextEdit]] = {}
    paths: dict[str, Path] = {}
    for e in edits:
        uri = uri_of(e.path)
        paths.setdefault(uri, e.path)
        changes.setdefault(uri, []).append(
            lsp.TextEdit(range=codec.range(lines_of(e.path), e.span), new_text=e.new_text))
    if versions is None:
        return lsp.WorkspaceEdit(changes=changes)
    return lsp.WorkspaceEdit(document_changes=[
        lsp.TextDocumentEdit(
            text_document=lsp.OptionalVersionedTextDocumentIdentifier(
                uri=uri, version=versions.get(_norm(paths[uri]))),
            edits=found)
        for uri, found in changes.items()])


def _norm(path: Path) -> Path:
    import os

    return Path(os.path.normpath(os.path.abspath(path)))
