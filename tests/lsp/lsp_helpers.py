"""Helpers shared by the language-server tests."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from lsprotocol import types as lsp

PULL = "neovim@v0.10.0"
PUSH = "neovim@v0.9.1"


# ------------------------------------------------------------------------------- helpers

def is_pull(client) -> bool:
    return client.profile == PULL


def open_doc(client, path: Path, text: str | None = None, version: int = 1, language: str | None = None) -> str:
    uri = path.as_uri()
    if text is None:
        text = path.read_text()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=uri, language_id=language or ("python" if path.suffix == ".py" else "yaml"),
        version=version, text=text)))
    return uri


def change_doc(client, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)]))


async def wait_pushed(client, uri: str, version: int | None = None, timeout: float = 15.0,
                      after: int = 0):
    """The first publishDiagnostics for ``uri`` (at ``version``) received after index ``after``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for params in client.published[after:]:
            if params.uri == uri and (version is None or params.version == version):
                return params.diagnostics
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics for {uri} version {version}; got "
                         f"{[(p.uri, p.version) for p in client.published]}")


async def diagnostics(client, uri: str, version: int | None = None, after: int = 0) -> list[lsp.Diagnostic]:
    """Diagnostics the way the profile gets them: pull request or pushed notification."""
    if is_pull(client):
        report = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri)))
        return report.items
    return await wait_pushed(client, uri, version, after=after)


def codes(diags) -> list[str]:
    return sorted(str(d.code) for d in diags)


def pos_of(path_or_text, needle: str, offset: int = 0, nth: int = 0) -> lsp.Position:
    text = path_or_text.read_text() if isinstance(path_or_text, Path) else path_or_text
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index)
    col = index - (text.rfind("\n", 0, index) + 1)
    return lsp.Position(line=line, character=col)
