"""End-to-end fixtures: a real ``dioptra_lsp.server`` subprocess driven by pytest-lsp.

``client`` runs every test twice, once as a pull-diagnostics client (Neovim 0.10) and once as a
push-only one (Neovim 0.9.1).  Tests work on a copy of ``fixtures/demo`` in ``tmp_path``.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

FIXTURES = Path(__file__).parent / "fixtures"
SERVER = [sys.executable, "-m", "dioptra_lsp.server"]
sys.path.insert(0, str(Path(__file__).parent))
from lsp_helpers import PULL, PUSH  # noqa: E402


@pytest.fixture
def project(tmp_path: Path) -> Path:
    dest = tmp_path / "demo"
    shutil.copytree(FIXTURES / "demo", dest)
    return dest


def _record_pushes(client: LanguageClient) -> None:
    client.published = []     # every PublishDiagnosticsParams, in order

    def _publish(params: lsp.PublishDiagnosticsParams):
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)

    client.protocol.fm._features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _publish
    client.registrations = []

    def _register(params: lsp.RegistrationParams):
        client.registrations.extend(params.registrations)

    client.protocol.fm._features[lsp.CLIENT_REGISTER_CAPABILITY] = _register


async def _start(lsp_client: LanguageClient, profile: str, project: Path, options=None):
    _record_pushes(lsp_client)
    lsp_client.profile = profile
    lsp_client.root = project
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities(profile),
        root_uri=project.as_uri(),
        workspace_folders=[lsp.WorkspaceFolder(uri=project.as_uri(), name="demo")],
        initialization_options=options))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=[PULL, PUSH], ids=["pull", "push"])
async def client(lsp_client: LanguageClient, request, project: Path):
    await _start(lsp_client, request.param, project)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def push_client(lsp_client: LanguageClient, project: Path):
    await _start(lsp_client, PUSH, project)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def pull_client(lsp_client: LanguageClient, project: Path):
    await _start(lsp_client, PULL, project)
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def emacs_client(lsp_client: LanguageClient, project: Path):
    await _start(lsp_client, "emacs@v29.1", project, options={"ignore": ["DL107"]})
    yield
    await lsp_client.shutdown_session()




@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def unsafe_fixes_client(lsp_client: LanguageClient, project: Path):
    """The editor's settings ask for unsafe fixes, as `--unsafe-fixes` does on the command line."""
    await _start(lsp_client, PULL, project, options={"unsafeFixes": True})
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def lsp_client_refresh(lsp_client: LanguageClient, project: Path):
    _record_pushes(lsp_client)
    lsp_client.profile = PULL
    lsp_client.root = project
    caps = client_capabilities(PULL)
    caps.workspace.diagnostics = lsp.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=caps, root_uri=project.as_uri(),
        workspace_folders=[lsp.WorkspaceFolder(uri=project.as_uri(), name="demo")]))
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=[PULL, PUSH], ids=["pull", "push"])
async def lsp_client_plugin_dirs(lsp_client: LanguageClient, request, project: Path):
    """The demo's plugins moved to a folder outside the project, named by initializationOptions."""
    shared = project.parent / "shared"
    shared.mkdir()
    (project / "plugs").rename(shared / "plugs")
    lsp_client.shared = shared
    await _start(lsp_client, request.param, project.parent, options={"plugin-dirs": [str(shared)]})
    lsp_client.root = project
    yield
    await lsp_client.shutdown_session()
