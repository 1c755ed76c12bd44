"""No request can kill the server: malformed params, unknown URIs, odd positions, non-file URIs."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys

import pytest
from lsprotocol import types as lsp
import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from lsp_helpers import PUSH, change_doc, codes, diagnostics, open_doc, pos_of, wait_pushed


async def alive(client):
    uri = open_doc(client, client.root / "MLproject", version=7)
    assert "DL201" in codes(await diagnostics(client, uri, 7))


async def send_raw(client, method: str, params, msg_id: str):
    """Write a request the typed client would refuse to build; return the server's answer."""
    fut = asyncio.get_running_loop().create_future()
    client.protocol._request_futures[msg_id] = fut
    body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}).encode()
    client.protocol.writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    try:
        return await asyncio.wait_for(fut, 10)
    except asyncio.TimeoutError:
        raise AssertionError(f"no answer to malformed {method}") from None


async def test_malformed_requests_get_errors_and_the_server_lives(client):
    uri = (client.root / "MLproject").as_uri()
    for i, (method, params) in enumerate([
            ("textDocument/hover", {"textDocument": 42}),
            ("textDocument/definition", {"bogus": True}),
            ("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": -1, "character": "x"}}),
            ("textDocument/codeAction", None),
            ("workspace/executeCommand", {"command": "dioptra-lint.dryRun", "arguments": [1, 2, 3]}),
            ("dioptra/noSuchMethod", {})]):
        with pytest.raises(Exception) as info:
            await send_raw(client, method, params, f"bad-{i}")
        assert not isinstance(info.value, AssertionError), info.value
    await alive(client)


async def test_unknown_and_non_file_uris(client):
    missing = (client.root / "nowhere.py").as_uri()
    assert await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=missing), position=lsp.Position(line=0, character=0))) is None
    assert await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(
        text_document=lsp.TextDocumentIdentifier(uri=missing))) in (None, [])
    with pytest.raises(Exception):
        await client.text_document_hover_async(lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri="untitled:Untitled-1"),
            position=lsp.Position(line=0, character=0)))
    assert any("not a file URI" in m.message for m in client.log_messages)
    # notifications about unknown documents are logged, not fatal
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=missing, version=3),
        content_changes=[lsp.TextDocumentContentChangeWholeDocument(text="x")]))
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(
        text_document=lsp.TextDocumentIdentifier(uri=missing)))
    await alive(client)


async def test_positions_out_of_range(client):
    uri = open_doc(client, client.root / "MLproject")
    await diagnostics(client, uri, 1)
    for pos in (lsp.Position(line=9999, character=0), lsp.Position(line=3, character=9999)):
        await client.text_document_hover_async(lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos))
        await client.text_document_completion_async(lsp.CompletionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos))
        await client.text_document_definition_async(lsp.DefinitionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos))
    await alive(client)


async def test_garbage_documents(client, tmp_path):
    bad = client.root / "src" / "train.py"
    uri = open_doc(client, bad, "def (:\n\x00\ud800 broken")
    await diagnostics(client, uri, 1)
    ml = client.root / "MLproject"
    uri = open_doc(client, ml, "entry_points: [unclosed\n\t- :\n")
    diags = await diagnostics(client, uri, 1)
    assert diags, "a YAML error is a finding, not a crash"
    await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=0, character=3)))


async def test_utf16_columns(client):
    ml = client.root / "MLproject"
    # an astral character (2 UTF-16 units) before the bad flag on the same line
    text = ml.read_text().replace("command: >\n      python src/train.py",
                                  'command: "python src/train.py --data-dir {data_dir} --epochs {epochs} --x\U0001F600 1"', 1)
    text = text.replace("      --data-dir {data_dir}\n      --epoch {epochs}\n", "")
    uri = open_doc(client, ml, text)
    diags = await diagnostics(client, uri, 1)
    d = next(d for d in diags if d.code == "DL201")
    line = text.split("\n")[d.range.start.line]
    start = line.index("--x")
    assert d.range.start.character == start
    assert d.range.end.character == start + len("--x") + 2   # the emoji counts twice in UTF-16


def test_tcp_mode_serves_a_client(tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    proc = subprocess.Popen([sys.executable, "-m", "dioptra_lsp.server", "--tcp", f"127.0.0.1:{port}"],
                            stderr=subprocess.PIPE)
    try:
        import json
        import time

        deadline = time.time() + 10
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                           "params": {"processId": None, "rootUri": None, "capabilities": {}}}).encode()
        conn.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        data = b""
        while b"capabilities" not in data or not data.rstrip().endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        assert b'"hoverProvider"' in data and b'"dioptra-lsp"' in data
        conn.close()
    finally:
        proc.kill()
        proc.wait()


def test_cli_alias_and_bad_arguments():
    out = subprocess.run([sys.executable, "-m", "dioptra_lsp.server", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "dioptra-lsp" in out.stdout
    out = subprocess.run([sys.executable, "-m", "dioptra_lsp.server", "--tcp", "host:notaport"],
                         capture_output=True, text=True)
    assert out.returncode == 2
    out = subprocess.run([sys.executable, "-m", "dioptra_lsp.cli", "server", "--version"],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "dioptra-lsp" in out.stdout


def test_check_path_does_not_import_pygls():
    code = ("import sys, dioptra_lsp.cli, dioptra_lsp.engine; "
            "from dioptra_lsp.engine import lint_paths; "
            "assert 'pygls' not in sys.modules and 'lsprotocol' not in sys.modules, 'heavy import'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_websocket_mode_serves_a_client():
    import websockets  # noqa: F401 -- the lsp extra installs it (pygls[ws]); no silent skip
    import json
    import time

    from websockets.sync.client import connect

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    proc = subprocess.Popen([sys.executable, "-m", "dioptra_lsp.server", "--ws", f"127.0.0.1:{port}"],
                            stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 10
        while True:
            try:
                ws = connect(f"ws://127.0.0.1:{port}", open_timeout=5)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        with ws:
            ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                "params": {"processId": None, "rootUri": None, "capabilities": {}}}))
            reply = json.loads(ws.recv(timeout=10))
        assert reply["id"] == 1 and "hoverProvider" in reply["result"]["capabilities"]
    finally:
        proc.kill()
        proc.wait()


FAULTY_SERVER = [sys.executable, "-c", """
import sys
import dioptra_lsp.lsp.features.hover as hover
import dioptra_lsp.lsp.state as state

def boom(*args, **kwargs):
    raise RuntimeError("injected fault")

hover.hover_markdown = boom
real = state._analyse

def flaky(mlp, *args):
    if "broken" in str(mlp):
        raise RuntimeError("injected analysis fault")
    return real(mlp, *args)

state._analyse = flaky
from dioptra_lsp.server import main
sys.exit(main([]))
"""]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=FAULTY_SERVER))
async def faulty_client(lsp_client: LanguageClient, project):
    from conftest import _start

    await _start(lsp_client, PUSH, project)
    yield
    await lsp_client.shutdown_session()


async def test_handler_exceptions_are_logged_and_answered(faulty_client, tmp_path):
    client = faulty_client
    ml = client.root / "MLproject"
    uri = open_doc(client, ml)
    assert "DL201" in codes(await wait_pushed(client, uri, 1))
    with pytest.raises(Exception) as info:
        await client.text_document_hover_async(lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos_of(ml, "data_dir: {", 2)))
    assert "injected fault" in str(info.value)
    assert any("injected fault" in m.message and m.type == lsp.MessageType.Error for m in client.log_messages)
    # an analysis that crashes is logged; the server goes on with other projects
    broken = tmp_path / "broken"
    broken.mkdir()
    b_uri = open_doc(client, broken / "MLproject", "entry_points: {}\n")
    assert not await wait_pushed(client, b_uri, 1)
    assert any("injected analysis fault" in m.message for m in client.log_messages)
    assert (await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos_of(ml, "{epochs}", 2))))


@pytest.mark.parametrize("seed", range(4))
async def test_requests_on_half_typed_buffers_never_fail(client, seed):
    """Every position of mutated buffers (the examples' mutation fuzzer, fixed seeds): hover,
    definition, references, completion, code actions and symbols answer, none with an error."""
    import random
    import sys as sys_
    from pathlib import Path

    sys_.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from test_mutations import mutate

    rng = random.Random(seed)
    uris = {}
    for rel in ("MLproject", "src/train.py", "plugs/data.py"):
        path = client.root / rel
        text = mutate(path.read_text(), rng)
        uris[rel] = (open_doc(client, path, text), text)
    await diagnostics(client, uris["MLproject"][0], 1)
    for uri, text in uris.values():
        doc = lsp.TextDocumentIdentifier(uri=uri)
        await client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(text_document=doc))
        for line_no, line in enumerate(text.split("\n")):
            for col in sorted({0, len(line) // 2, max(len(line) - 1, 0), len(line)}):
                pos = lsp.Position(line=line_no, character=col)
                await client.text_document_hover_async(lsp.HoverParams(text_document=doc, position=pos))
                await client.text_document_definition_async(
                    lsp.DefinitionParams(text_document=doc, position=pos))
                await client.text_document_references_async(lsp.ReferenceParams(
                    text_document=doc, position=pos,
                    context=lsp.ReferenceContext(include_declaration=True)))
                await client.text_document_completion_async(
                    lsp.CompletionParams(text_document=doc, position=pos))
            await client.text_document_code_action_async(lsp.CodeActionParams(
                text_document=doc, range=lsp.Range(start=lsp.Position(line=line_no, character=0),
                                                   end=lsp.Position(line=line_no, character=len(line))),
                context=lsp.CodeActionContext(diagnostics=[])))
    # Back to the files on disk, the MLproject last so its findings see the others restored.
    for rel, (uri, _) in reversed(list(uris.items())):
        change_doc(client, uri, 2, (client.root / rel).read_text())
    assert "DL201" in codes(await diagnostics(client, uris["MLproject"][0], 2))


def _laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\nentry_points:\n  main:\n    parameters:\n" \
        "      p: {type: float, default: *l8}\n    command: \"python x.py {p}\"\n"


async def test_a_document_whose_aliases_never_end_costs_one_finding_and_the_server_answers(client):
    """A billion-laughs MLproject open in the editor (409 bytes, 10^9 nodes when walked): one
    DL001 on it, and the server keeps answering for every other file (it used to be stuck)."""
    laughs = client.root / "laughs" / "MLproject"
    laughs.parent.mkdir()
    laughs.write_text(_laughs())
    uri = open_doc(client, laughs)
    diags = await diagnostics(client, uri, 1)
    assert [d.code for d in diags] == ["DL001"] and "past 100,000 nodes" in diags[0].message
    change_doc(client, uri, 2, _laughs().replace("*l8}", "&self [*self]}"))   # and a cycle
    diags = await diagnostics(client, uri, 2)
    assert [d.code for d in diags] == ["DL001"] and "alias of itself" in diags[0].message
    await alive(client)
    script = client.root / "src" / "train.py"
    script_uri = open_doc(client, script)
    hover = await asyncio.wait_for(client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=script_uri),
        position=pos_of(script.read_text(), '"--epochs"'))), 10)
    assert hover is not None and "epochs" in str(hover.contents)
    result = await asyncio.wait_for(client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="dioptra-lint.dryRun", arguments=[uri, "main"])), 10)
    assert result["verdict"] == "not-checked" and result["ok"] is False
    assert result["report"]["unchecked"][0]["part"] == "MLproject"


async def test_an_mlproject_with_cr_line_breaks_gets_its_diagnostics(client):
    """``\\r`` alone ends a line for YAML and for LSP: the buffer gets the LF file's findings at
    the same lines (it used to get none: the analysis raised IndexError)."""
    ml = client.root / "MLproject"
    lf = ml.read_text()
    uri = open_doc(client, ml, lf.replace("\n", "\r"), version=3)
    got = await diagnostics(client, uri, 3)
    change_doc(client, uri, 4, lf)
    want = await diagnostics(client, uri, 4)
    assert "DL201" in codes(want)
    assert sorted((str(d.code), d.range.start.line) for d in got) == \
        sorted((str(d.code), d.range.start.line) for d in want)
