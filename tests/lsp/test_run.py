"""The "Run" code lens and ``dioptra-lint.run``: the real server, a real LSP client, and a real
local MLflow run of ``tests/run/fixtures/echo`` into a file-based tracking store in tmp_path.

The echo script waits for a file (``$ECHO_WAIT_FOR``) before it finishes, so a test can look at
the server while the run is held there: it must answer other requests meanwhile, and
cancelling the progress interrupts the run.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, client_capabilities

sys.path.insert(0, str(Path(__file__).parent))
from lsp_helpers import PULL, open_doc  # noqa: E402

ECHO = Path(__file__).parents[1] / "run" / "fixtures" / "echo"
SERVER = [sys.executable, "-m", "dioptra_lsp.server"]


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server(tmp_path_factory):
    """One server for the module (starting one costs more than most of these tests)."""
    tmp = tmp_path_factory.mktemp("run")
    project = tmp / "echo"
    shutil.copytree(ECHO, project)
    store = tmp / "mlruns"
    env = dict(os.environ, MLFLOW_TRACKING_URI=store.as_uri(), MLFLOW_ALLOW_FILE_STORE="true",
               ECHO_OUTPUT=str(tmp / "echo.json"), ECHO_WAIT_FOR=str(tmp / "go"))
    client = await ClientServerConfig(server_command=SERVER, server_env=env).start()
    await client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities(PULL), root_uri=project.as_uri(),
        workspace_folders=[lsp.WorkspaceFolder(uri=project.as_uri(), name="echo")]))
    client.project, client.store, client.tmp = project, store, tmp
    yield client
    await client.shutdown_session()
    await client.stop()


@pytest.fixture
def editor(server, monkeypatch):
    """The module's server with an empty tracking store, no gate file and no messages yet."""
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")   # for MlflowClient in this process
    shutil.rmtree(server.store, ignore_errors=True)
    for name in ("go", "echo.json"):
        (server.tmp / name).unlink(missing_ok=True)
    server.messages.clear()
    server.log_messages.clear()
    server.progress_reports.clear()
    return server


def runs(store: Path) -> list:
    from mlflow.tracking import MlflowClient

    if not store.exists():
        return []
    client = MlflowClient(tracking_uri=store.as_uri())
    ids = [e.experiment_id for e in client.search_experiments()]
    return list(client.search_runs(ids)) if ids else []


def execute(client, *arguments):
    return asyncio.ensure_future(client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="dioptra-lint.run", arguments=list(arguments))))


async def until_logged(client, text: str, task, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not any(text in m.message for m in client.log_messages):
        if task.done():
            raise AssertionError(f"the command ended first: {task.result()}")
        assert time.monotonic() < deadline, [m.message for m in client.log_messages]
        await asyncio.sleep(0.02)


def lenses_of(client, uri: str):
    return client.text_document_code_lens_async(lsp.CodeLensParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri)))


async def test_each_dry_run_lens_has_a_run_companion(editor):
    uri = (editor.project / "MLproject").as_uri()
    lenses = await lenses_of(editor, uri)
    assert [(l.command.title, l.command.command, list(l.command.arguments)) for l in lenses] == [
        (f"\u25b6 {title} {ep}", command, [uri, ep])
        for ep in ("main", "broken", "notify")
        for title, command in (("Dry run", "dioptra-lint.dryRun"), ("Run", "dioptra-lint.run"))]
    assert lenses[0].range == lenses[1].range


async def test_run_hands_the_job_to_mlflow_and_the_server_keeps_answering(editor):
    uri = (editor.project / "MLproject").as_uri()
    task = execute(editor, uri, "main", {"data_dir": "src"},
                   {"envManager": "local", "experimentName": "from-the-editor"})
    await until_logged(editor, "Running command", task)   # the job runs, held at the gate
    assert await lenses_of(editor, uri), "the server answers while the run goes on"
    assert not task.done()
    (editor.tmp / "go").touch()
    result = await asyncio.wait_for(task, 120)
    assert result["exitCode"] == 0 and result["status"] == "FINISHED", result
    (run,) = runs(editor.store)
    assert run.info.run_id == result["runId"] and run.info.status == "FINISHED"
    assert run.data.params == {"data_dir": "src", "epochs": "3", "model_name": "'tiny net'"}
    # MLflow ran in the project folder: `src` resolved there, as the dry run said.
    echoed = json.loads((editor.tmp / "echo.json").read_text())
    assert echoed == result["result"]["dry_run"]["options"]
    assert echoed["data_dir"] == str(editor.project / "src")
    assert result["command"] == result["result"]["dry_run"]["command"]
    message = editor.messages[-1]
    assert message.type == lsp.MessageType.Info and result["runId"] in message.message
    assert any(json.dumps(echoed) in m.message for m in editor.log_messages), "the job's output"
    (reports,) = editor.progress_reports.values()
    assert reports[0].kind == "begin" and reports[0].cancellable and reports[-1].kind == "end"
    assert any(r.kind == "report" for r in reports)


@pytest.mark.parametrize("entry_point,code,why", [
    ("broken", 1, "the dry run says it would fail: No such option '--epoch'"),
    ("notify", 3, "the dry run could not check: arguments of `notify.sh`"),
])
async def test_run_refuses_what_the_dry_run_does_not_pass(editor, entry_point, code, why):
    uri = (editor.project / "MLproject").as_uri()
    result = await asyncio.wait_for(execute(editor, uri, entry_point), 60)
    assert result["exitCode"] == code and result["submitted"] is False, result
    message = editor.messages[-1]
    assert message.type == lsp.MessageType.Warning and why in message.message
    assert "nothing submitted" in message.message
    verdict = "FAILED: 1 error" if code == 1 else "NOT CHECKED: 1 part"
    assert any(verdict in m.message for m in editor.log_messages), "the report is in the log"
    assert runs(editor.store) == []


async def test_run_refuses_while_a_file_of_the_project_is_unsaved(editor):
    script = editor.project / "src" / "echo.py"
    open_doc(editor, script, script.read_text() + "\n# edited\n")
    uri = (editor.project / "MLproject").as_uri()
    try:
        result = await asyncio.wait_for(execute(editor, uri, "main", {"data_dir": "src"}), 30)
    finally:
        editor.text_document_did_close(lsp.DidCloseTextDocumentParams(
            text_document=lsp.TextDocumentIdentifier(uri=script.as_uri())))
    assert result["started"] is False and result["unsaved"] == [str(script)]
    assert "save src/echo.py first" in editor.messages[-1].message
    assert runs(editor.store) == [] and not editor.progress_reports


async def test_cancelling_the_progress_interrupts_the_run(editor):
    uri = (editor.project / "MLproject").as_uri()
    task = execute(editor, uri, "main", {"data_dir": "src"}, {"envManager": "local"})
    await until_logged(editor, "Running command", task)
    (token,) = editor.progress_reports
    editor.window_work_done_progress_cancel(lsp.WorkDoneProgressCancelParams(token=token))
    result = await asyncio.wait_for(task, 60)
    assert result["exitCode"] == 130 and "cancelled" in result["message"], result
    (run,) = runs(editor.store)
    assert run.info.status == "FAILED" and run.info.run_id == result["runId"]
    assert not (editor.tmp / "echo.json").exists(), "the job never got past its gate"


async def test_bad_arguments_are_an_error_not_a_crash(editor):
    for arguments in ([], [1, 2], ["x", "main", [], {}], ["x", "main", {}, {"bogus": 1}]):
        with pytest.raises(Exception):
            await editor.workspace_execute_command_async(lsp.ExecuteCommandParams(
                command="dioptra-lint.run", arguments=arguments))
    assert await lenses_of(editor, (editor.project / "MLproject").as_uri())
