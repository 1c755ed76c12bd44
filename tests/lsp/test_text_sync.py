"""Edits the server sends are exact and versioned, whatever the buffer's line separators.

A real server and a real client (pytest-lsp).  The edits are applied the way the LSP
specification says a client must (lines broken at ``\\r\\n``, ``\\r``, ``\\n``; columns in UTF-16
code units; a byte order mark the buffer holds is a character like any other), by an applier
written here from the specification, not by the server's code.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import SERVER, _start

VSCODE = "visual-studio-code"     # announces workspaceEdit.documentChanges
NEOVIM = "neovim@v0.9.1"          # does not: plain `changes`

ML_TEXT = (
    "\ufeffname: demo  # a note\u2028# more\r\n"
    "\n"
    "entry_points:\r"
    "  main:\n"
    "    parameters:\n"
    '      data_dir: {type: path, default: "/nfs/data"}\n'
    "      epochs: {type: float, default: 3}\n"
    '      unused: {default: "\U0001F600\u2029x", type: text}\n'
    "    command: >\n"
    "      python src/train.py\n"
    "      --data-dir {data_dir}\n"
    "      --epochs {epochs} --unused {unused}\n"
)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=[VSCODE, NEOVIM],
                    ids=["documentChanges", "changes"])
async def client(lsp_client: LanguageClient, request, project: Path):
    await _start(lsp_client, request.param, project)
    yield
    await lsp_client.shutdown_session()


# ------------------------------------------------------------ the client side, from the spec

def _offset(text: str, pos: lsp.Position) -> int:
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    if pos.line >= len(starts):
        return len(text)
    start = starts[pos.line]
    end = starts[pos.line + 1] if pos.line + 1 < len(starts) else len(text)
    line = re.sub(r"(\r\n|\r|\n)$", "", text[start:end])
    units = 0
    for i, ch in enumerate(line):
        if units >= pos.character:
            return start + i
        units += 2 if ord(ch) > 0xFFFF else 1
    return start + len(line)


def apply_lsp(text: str, edits: list[lsp.TextEdit]) -> str:
    spans = sorted(((_offset(text, e.range.start), _offset(text, e.range.end), e.new_text)
                    for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_for(client, edit: lsp.WorkspaceEdit, uri: str, version: int) -> list[lsp.TextEdit]:
    """The edits for ``uri``: versioned ``documentChanges`` when the client announced them."""
    if client.profile == VSCODE:
        assert edit.changes is None
        (change,) = [c for c in edit.document_changes if c.text_document.uri == uri]
        assert change.text_document.version == version, "an edit for another version"
        return change.edits
    assert edit.document_changes is None
    return edit.changes[uri]


async def diags_of(client, uri: str, version: int) -> list[lsp.Diagnostic]:
    if client_capabilities(client.profile).text_document.diagnostic is not None:
        report = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri)))
        return report.items
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for params in client.published:
            if params.uri == uri and params.version == version:
                return params.diagnostics
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics for version {version}")


def open_text(client, path: Path, text: str, version: int) -> str:
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=uri, language_id="yaml", version=version, text=text)))
    return uri


def change(client, uri: str, version: int, *changes) -> None:
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=list(changes)))


async def actions(client, uri: str, rng: lsp.Range, only=None) -> list[lsp.CodeAction]:
    return await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), range=rng,
        context=lsp.CodeActionContext(diagnostics=[], only=only))) or []


def range_of(text: str, needle: str) -> lsp.Range:
    start = text.index(needle)
    before = re.split(r"\r\n|\r|\n", text[:start])
    col = sum(2 if ord(c) > 0xFFFF else 1 for c in before[-1])
    end_col = col + sum(2 if ord(c) > 0xFFFF else 1 for c in needle)
    line = len(before) - 1
    return lsp.Range(start=lsp.Position(line=line, character=col),
                     end=lsp.Position(line=line, character=end_col))


# ----------------------------------------------------------------------------------- tests

async def test_diagnostic_ranges_count_lines_and_units_as_the_client_does(client):
    uri = open_text(client, client.root / "MLproject", ML_TEXT, 3)
    found = await diags_of(client, uri, 3)
    (dl104,) = [d for d in found if d.code == "DL104"]
    start, end = _offset(ML_TEXT, dl104.range.start), _offset(ML_TEXT, dl104.range.end)
    assert ML_TEXT[start:end] == "text"


async def test_quick_fix_is_exact_and_versioned(client):
    uri = open_text(client, client.root / "MLproject", ML_TEXT, 3)
    await diags_of(client, uri, 3)
    found = [a for a in await actions(client, uri, range_of(ML_TEXT, "text}"))
             if a.title.startswith("Write `string`")]
    (fix,) = found
    new = apply_lsp(ML_TEXT, edits_for(client, fix.edit, uri, 3))
    assert new == ML_TEXT.replace("type: text}", "type: string}")


async def test_fix_all_runs_to_a_fixpoint_and_is_versioned(client):
    text = ML_TEXT.replace("type: text}", "type:text}")      # DL103, then DL104 on what it writes
    uri = open_text(client, client.root / "MLproject", text, 5)
    await diags_of(client, uri, 5)
    (fix_all,) = await actions(client, uri, range_of(text, "name"), ["source.fixAll.dioptra-lint"])
    new = apply_lsp(text, edits_for(client, fix_all.edit, uri, 5))
    assert new == ML_TEXT.replace("type: text}", "type: string}")


async def test_a_code_action_asked_right_after_an_edit_answers_for_the_new_version(client):
    uri = open_text(client, client.root / "MLproject", ML_TEXT, 1)
    await diags_of(client, uri, 1)
    # The user types a line at the top and asks for the fix at once: the analysis of version 1
    # is stale, and its offsets on the new text would write `stringochs:`.
    typed = "# typed \U0001F600 just now\n" + ML_TEXT[1:]
    change(client, uri, 2, lsp.TextDocumentContentChangeWholeDocument(text=typed))
    (fix_all,) = await actions(client, uri, range_of(typed, "typed"), ["source.fixAll.dioptra-lint"])
    new = apply_lsp(typed, edits_for(client, fix_all.edit, uri, 2))
    assert new == typed.replace("type: text}", "type: string}")


async def test_incremental_changes_after_a_line_separator_land_where_the_client_put_them(client):
    uri = open_text(client, client.root / "MLproject", ML_TEXT, 1)
    await diags_of(client, uri, 1)
    # pygls's own document model splits lines with str.splitlines(): U+2028 would shift this.
    rng = range_of(ML_TEXT, "type: path")
    change(client, uri, 2, lsp.TextDocumentContentChangePartial(range=rng, text="type: text"))
    now = apply_lsp(ML_TEXT, [lsp.TextEdit(range=rng, new_text="type: text")])
    found = await diags_of(client, uri, 2)
    dl104 = sorted((d for d in found if d.code == "DL104"), key=lambda d: d.range.start.line)
    assert [now[_offset(now, d.range.start):_offset(now, d.range.end)] for d in dl104] == ["text", "text"]
    (fix_all,) = await actions(client, uri, range_of(now, "name"), ["source.fixAll.dioptra-lint"])
    assert apply_lsp(now, edits_for(client, fix_all.edit, uri, 2)) == \
        now.replace("type: text}", "type: string}").replace("type: text,", "type: string,")


async def test_suppression_in_a_crlf_buffer_keeps_its_line_breaks(client):
    text = ML_TEXT.replace("\n", "\r\n").replace("\r\r\n", "\r\n")
    uri = open_text(client, client.root / "MLproject", text, 1)
    found = await diags_of(client, uri, 1)
    (dl104,) = [d for d in found if d.code == "DL104"]
    (suppress,) = [a for a in await actions(client, uri, dl104.range)
                   if a.title == "Suppress DL104 on this line"]
    new = apply_lsp(text, edits_for(client, suppress.edit, uri, 1))
    assert new == text.replace('type: text}\r\n', 'type: text}  # noqa: DL104\r\n')


async def test_rename_edits_are_exact_and_versioned(client):
    uri = open_text(client, client.root / "MLproject", ML_TEXT, 4)
    await diags_of(client, uri, 4)
    rng = range_of(ML_TEXT, "epochs: {")
    edit = await client.text_document_rename_async(lsp.RenameParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=rng.start, new_name="n_epochs"))
    new = apply_lsp(ML_TEXT, edits_for(client, edit, uri, 4))
    assert new == ML_TEXT.replace("epochs: {", "n_epochs: {").replace(
        "{epochs}", "{n_epochs}").replace("--epochs", "--n_epochs")
