"""Diagnostics end to end, in a pull client (Neovim 0.10) and a push-only one (Neovim 0.9.1)."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types as lsp

from lsp_helpers import change_doc, codes, diagnostics, is_pull, open_doc, wait_pushed


async def test_pull_reports_full_then_unchanged(pull_client):
    client = pull_client
    uri = open_doc(client, client.root / "MLproject")
    first = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri)))
    assert first.kind == "full" and first.result_id
    again = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), previous_result_id=first.result_id))
    assert again.kind == "unchanged" and again.result_id == first.result_id
    assert not client.published, "nothing is pushed to a pull client"


async def test_mlproject_diagnostics(client):
    uri = open_doc(client, client.root / "MLproject")
    diags = await diagnostics(client, uri, 1)
    assert "DL201" in codes(diags)
    assert "DL107" in codes(diags)
    dl201 = next(d for d in diags if d.code == "DL201")
    assert dl201.source == "dioptra-lint"
    assert dl201.severity == lsp.DiagnosticSeverity.Error
    assert "--epochs" in dl201.message
    # `--epoch` on line 12 (0-based 11), after six spaces
    assert (dl201.range.start.line, dl201.range.start.character) == (11, 6)
    assert dl201.range.end.character == 6 + len("--epoch")
    assert dl201.related_information, "the click command is the other side"
    assert dl201.related_information[0].location.uri.endswith("src/train.py")


async def test_script_diagnostics_and_cross_file_update(client):
    ml = client.root / "MLproject"
    script = client.root / "src" / "train.py"
    ml_uri = open_doc(client, ml)
    s_uri = open_doc(client, script)
    before = await diagnostics(client, s_uri, 1)
    assert "DL205" in codes(before), codes(before)        # --epochs is never passed
    n = len(getattr(client, "published", []))
    # Fix the MLproject in the editor only: the script's finding goes away.
    change_doc(client, ml_uri, 2, ml.read_text().replace("--epoch ", "--epochs "))
    if is_pull(client):
        assert "DL201" not in codes(await diagnostics(client, ml_uri))
        assert "DL205" not in codes(await diagnostics(client, s_uri))
    else:
        assert "DL201" not in codes(await wait_pushed(client, ml_uri, 2, after=n))
        assert "DL205" not in codes(await wait_pushed(client, s_uri, 1, after=n))


async def test_script_buffer_not_disk(client):
    ml = client.root / "MLproject"
    script = client.root / "src" / "train.py"
    ml_uri = open_doc(client, ml)
    s_uri = open_doc(client, script)
    assert "DL201" in codes(await diagnostics(client, ml_uri, 1))
    n = len(client.published)
    change_doc(client, s_uri, 2, script.read_text().replace('"--epochs"', '"--epoch"'))
    # --epoch is now declared by the script buffer (disk unchanged): DL201 disappears
    if is_pull(client):
        assert "DL201" not in codes(await diagnostics(client, ml_uri))
    else:
        assert "DL201" not in codes(await wait_pushed(client, ml_uri, 1, after=n))
    assert '"--epochs"' in script.read_text()


async def test_close_clears(push_client):
    client = push_client
    uri = open_doc(client, client.root / "MLproject")
    assert await wait_pushed(client, uri, 1)
    n = len(client.published)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri)))
    assert not await wait_pushed(client, uri, None, after=n)


async def test_out_of_order_versions_are_ignored(client):
    ml = client.root / "MLproject"
    uri = open_doc(client, ml)
    await diagnostics(client, uri, 1)
    n = len(client.published)
    fixed = ml.read_text().replace("--epoch ", "--epochs ")
    change_doc(client, uri, 5, fixed)
    change_doc(client, uri, 3, ml.read_text())        # stale: must not win
    diags = await diagnostics(client, uri, 5, after=n)
    assert "DL201" not in codes(diags)
    await asyncio.sleep(0.3)
    if not is_pull(client):
        assert all(p.version == 5 for p in client.published[n:] if p.uri == uri)
    assert any("out-of-order" in m.message for m in client.log_messages)
    assert "DL201" not in codes(await diagnostics(client, uri, 5, after=n))


async def test_newer_versions_supersede_queued_ones(push_client):
    client = push_client
    ml = client.root / "MLproject"
    uri = open_doc(client, ml)
    await wait_pushed(client, uri, 1)
    n = len(client.published)
    text = ml.read_text()
    for v in range(2, 40):
        change_doc(client, uri, v, text + "#" * v + "\n")
    change_doc(client, uri, 40, text.replace("--epoch ", "--epochs "))
    diags = await wait_pushed(client, uri, 40, after=n)
    assert "DL201" not in codes(diags)
    versions = [p.version for p in client.published[n:] if p.uri == uri]
    assert versions == sorted(versions), "never an older version after a newer one"
    assert len(versions) < 39, f"every queued version was linted: {versions}"


async def test_incremental_changes(push_client):
    client = push_client
    ml = client.root / "MLproject"
    uri = open_doc(client, ml)
    await wait_pushed(client, uri, 1)
    n = len(client.published)
    # insert "s" after "--epoch" (line 11, col 13)
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[lsp.TextDocumentContentChangePartial(
            range=lsp.Range(start=lsp.Position(line=11, character=13), end=lsp.Position(line=11, character=13)),
            text="s")]))
    assert "DL201" not in codes(await wait_pushed(client, uri, 2, after=n))


async def test_unsaved_mlproject_any_case(client, tmp_path):
    folder = tmp_path / "fresh"
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "run.py").write_text((client.root / "src" / "train.py").read_text())
    path = folder / "mlProject"            # never written to disk, odd case
    text = "entry_points:\n  main:\n    command: python src/run.py --nope 1\n"
    uri = open_doc(client, path, text)
    diags = await diagnostics(client, uri, 1)
    assert "DL201" in codes(diags)


async def test_script_deleted_on_disk_still_linted_from_buffer(client):
    ml = client.root / "MLproject"
    script = client.root / "src" / "train.py"
    text = script.read_text()
    ml_uri = open_doc(client, ml)
    s_uri = open_doc(client, script, text)
    await diagnostics(client, s_uri, 1)
    script.unlink()
    n = len(client.published)
    change_doc(client, ml_uri, 2, ml.read_text() + "\n")
    diags = await diagnostics(client, ml_uri, 2, after=n)
    assert "DL108" not in codes(diags), "the open buffer stands in for the deleted file"
    assert "DL201" in codes(diags)


async def test_mlproject_deleted_on_disk_clears_script(push_client):
    client = push_client
    ml = client.root / "MLproject"
    s_uri = open_doc(client, client.root / "src" / "train.py")
    assert await wait_pushed(client, s_uri, 1)
    n = len(client.published)
    ml.unlink()
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(changes=[
        lsp.FileEvent(uri=ml.as_uri(), type=lsp.FileChangeType.Deleted)]))
    assert not await wait_pushed(client, s_uri, None, after=n)


async def test_file_outside_any_project(client, tmp_path):
    lone = tmp_path / "lone.py"
    lone.write_text("print('hi')\n")
    uri = open_doc(client, lone)
    if is_pull(client):
        assert not await diagnostics(client, uri)
    else:
        await asyncio.sleep(0.3)
        assert not client.diagnostics.get(uri)


async def test_initialization_options_select_ignore(emacs_client):
    client = emacs_client
    uri = open_doc(client, client.root / "MLproject")
    diags = await wait_pushed(client, uri, 1)
    assert "DL201" in codes(diags)
    assert "DL107" not in codes(diags), "ignored by initializationOptions"
    watched = [r for r in client.registrations if r.method == lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    assert watched, "config files are watched when the client can register watchers"


async def test_workspace_configuration(client):
    uri = open_doc(client, client.root / "MLproject")
    assert "DL201" in codes(await diagnostics(client, uri, 1))
    client.set_configuration({"ignore": ["DL201"]}, section="dioptra-lint")
    n = len(client.published)
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    for _ in range(100):
        diags = await diagnostics(client, uri, 1, after=n)
        if "DL201" not in codes(diags):
            break
        n = len(client.published)
        await asyncio.sleep(0.05)
    assert "DL201" not in codes(diags)


async def test_config_file_change_is_picked_up(client):
    uri = open_doc(client, client.root / "MLproject")
    assert "DL107" in codes(await diagnostics(client, uri, 1))
    config = client.root / "dioptra-lint.toml"
    config.write_text('ignore = ["DL107"]\n')
    n = len(client.published)
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(changes=[
        lsp.FileEvent(uri=config.as_uri(), type=lsp.FileChangeType.Created)]))
    diags = await diagnostics(client, uri, 1, after=n)
    assert "DL107" not in codes(diags)
    assert "DL201" in codes(diags)


async def test_bad_config_file_is_reported_not_fatal(push_client):
    client = push_client
    (client.root / "dioptra-lint.toml").write_text('selec = ["DL2"]\n')
    uri = open_doc(client, client.root / "MLproject")
    diags = await wait_pushed(client, uri, 1)
    assert "DL201" in codes(diags)        # linted with defaults
    assert any("selec" in m.message for m in client.log_messages + client.messages)


async def test_pull_client_with_refresh_support_is_asked_to_refresh(lsp_client_refresh):
    client = lsp_client_refresh
    ml = client.root / "MLproject"
    ml_uri = open_doc(client, ml)
    s_uri = open_doc(client, client.root / "src" / "train.py")
    assert "DL205" in codes(await diagnostics(client, s_uri))
    await diagnostics(client, ml_uri)
    before = client.diagnostic_refresh_count
    change_doc(client, ml_uri, 2, ml.read_text().replace("--epoch ", "--epochs "))
    for _ in range(200):
        if client.diagnostic_refresh_count > before:
            break
        await asyncio.sleep(0.02)
    assert client.diagnostic_refresh_count > before, "the script's diagnostics changed: ask for a re-pull"
    assert "DL205" not in codes(await diagnostics(client, s_uri))
    assert not client.published, "a pull client is never pushed to"


async def test_script_created_on_disk_is_picked_up(client):
    script = client.root / "src" / "train.py"
    text = script.read_text()
    script.unlink()
    uri = open_doc(client, client.root / "MLproject")
    assert "DL108" in codes(await diagnostics(client, uri, 1))
    script.write_text(text)
    n = len(client.published)
    client.workspace_did_change_watched_files(lsp.DidChangeWatchedFilesParams(changes=[
        lsp.FileEvent(uri=script.as_uri(), type=lsp.FileChangeType.Created)]))
    for _ in range(100):
        diags = await diagnostics(client, uri, 1, after=n)
        if "DL108" not in codes(diags):
            break
        n = len(client.published)
        await asyncio.sleep(0.05)
    assert "DL108" not in codes(diags) and "DL201" in codes(diags)


async def test_utf32_client_gets_code_point_columns(emacs_client):
    client = emacs_client
    ml = client.root / "MLproject"
    text = ml.read_text().replace("      --epoch {epochs}\n", "      --epoch {epochs} --\U0001F600x 1\n")
    uri = open_doc(client, ml, text)
    diags = await wait_pushed(client, uri, 1)
    bad = [d for d in diags if d.code == "DL201" and d.range.start.line == 11 and d.range.start.character > 6]
    assert bad, diags
    line = text.split("\n")[11]
    start = line.index("--\U0001F600x")
    assert bad[0].range.start.character == start
    assert bad[0].range.end.character == start + 4      # emacs negotiated utf-32: one unit per character


async def test_script_no_longer_run_is_cleared(push_client):
    client = push_client
    ml = client.root / "MLproject"
    ml_uri = open_doc(client, ml)
    s_uri = open_doc(client, client.root / "src" / "train.py")
    assert "DL205" in codes(await wait_pushed(client, s_uri, 1))
    n = len(client.published)
    change_doc(client, ml_uri, 2, ml.read_text().replace("python src/train.py", "python src/other.py"))
    assert not await wait_pushed(client, s_uri, 1, after=n), "the MLproject no longer runs train.py"


async def test_edited_config_file_noticed_without_watcher(client):
    config = client.root / "dioptra-lint.toml"
    config.write_text('ignore = ["DL205"]\n')
    uri = open_doc(client, client.root / "MLproject")
    assert "DL107" in codes(await diagnostics(client, uri, 1))
    import os
    import time as _time

    config.write_text('ignore = ["DL107"]\n')
    os.utime(config, ns=(_time.time_ns() + 10**9, _time.time_ns() + 10**9))
    n = len(client.published)
    change_doc(client, uri, 2, (client.root / "MLproject").read_text() + "\n")
    assert "DL107" not in codes(await diagnostics(client, uri, 2, after=n))
