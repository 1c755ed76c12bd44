"""The language server: one module of small handlers over :mod:`.state` and the feature modules."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
import logging
import traceback
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import to_fs_path

from .. import __version__
from ..config import ConfigError
from ..model import fs
from .convert import SOURCE, to_lsp_diagnostic, uri_of
from .positions import Codec
from .settings import SECTION, overrides_from_options
from .state import Analysis, Doc, Linter, State, is_mlproject, norm

log = logging.getLogger(__name__)

DRY_RUN_COMMAND = "dioptra-lint.dryRun"
FIX_ALL_KIND = "source.fixAll.dioptra-lint"
CONFIG_GLOBS = ("**/pyproject.toml", "**/dioptra-lint.toml")
SOURCE_GLOBS = ("**/*.py", "**/[Mm][Ll][Pp][Rr][Oo][Jj][Ee][Cc][Tt]")


class _Ignored:
    """What a malformed request turns into once it has been answered (handle_message skips it)."""

    jsonrpc = None


class DioptraProtocol(LanguageServerProtocol):
    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: lsp.DidChangeTextDocumentParams):
        # Only our handler sees a change.  pygls's own copy of the document breaks lines with
        # str.splitlines() and, where its lines disagree with the client's (U+2028, \x0c, ...),
        # rewrites the change's range in place before any handler runs.
        handler = self.fm.features.get(lsp.TEXT_DOCUMENT_DID_CHANGE)
        if handler is not None:
            yield handler, (params,), None

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as err:
            if isinstance(data, dict) and "id" in data and "method" in data:
                cause = err.__cause__ or err
                message = f"invalid params for {data.get('method')}: {type(cause).__name__}: {cause}"
                self._server._log_error(message)
                self._send_response(data["id"], None, lsp.ResponseError(
                    code=lsp.ErrorCodes.InvalidParams, message=message[:2000]))
                return _Ignored()
            raise


class DioptraLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("dioptra-lsp", __version__, protocol_cls=DioptraProtocol)
        self.state = State()
        self.codec = Codec("utf-16")
        self.linter = Linter(self.state, self._published, self._log_error)
        self.pull = False                 # the client pulls diagnostics (textDocument/diagnostic)
        self.document_changes = False     # the client takes versioned WorkspaceEdit.documentChanges
        self.refresh = False              # ... and accepts workspace/diagnostic/refresh
        self.published: dict[str, tuple[int | None, tuple]] = {}
        self.changed_uris: set[str] = set()

    # logging ---------------------------------------------------------------------------
    def log_message(self, message: str, kind: lsp.MessageType = lsp.MessageType.Log) -> None:
        try:
            self.window_log_message(lsp.LogMessageParams(type=kind, message=message))
        except Exception:  # noqa: BLE001 - the client may be gone
            log.warning("%s", message)

    def _log_error(self, message: str) -> None:
        log.error("%s", message)
        self.log_message(message, lsp.MessageType.Error)

    def report_server_error(self, error: Exception, source) -> None:
        # Every error goes to the log (window/logMessage); requests also get an error response.
        self._log_error(f"{getattr(source, '__name__', source)}: {type(error).__name__}: {error}")

    # documents -------------------------------------------------------------------------
    def doc_path(self, uri: str) -> Path:
        fs_path = to_fs_path(uri)
        if not fs_path:
            raise JsonRpcInvalidParams(f"not a file URI: {uri}")
        return norm(fs_path)

    def lines_of(self, path: Path) -> list[str]:
        return self.state.lines(norm(path))

    # diagnostics -----------------------------------------------------------------------
    def lint(self, paths) -> None:
        mlps: dict[Path, None] = {}
        for p in paths:
            for m in self.state.owners_of(p):
                mlps[m] = None
        if mlps:
            self.linter.request(mlps)

    def lsp_diagnostics(self, path: Path) -> list[lsp.Diagnostic]:
        return [to_lsp_diagnostic(d, self.lines_of, self.codec) for d in self.state.diagnostics_for(path)]

    def _published(self, analysis: Analysis) -> None:
        """An analysis finished: push to the open documents it covers (push clients)."""
        related = [d for d in self.state.docs.values()
                   if d.path in analysis.files or d.path in analysis.previous_files
                   or d.path == analysis.mlproject]
        if self.pull:
            if self.refresh and any(d.uri not in self.changed_uris for d in related):
                self.workspace_diagnostic_refresh(None)
            self.changed_uris.clear()
            return
        for doc in related:
            if doc.path in analysis.versions and analysis.versions[doc.path] != doc.version:
                continue       # a newer version is already queued: its analysis will publish
            self.publish(doc)

    def publish(self, doc: Doc, force: bool = False) -> None:
        diags = self.lsp_diagnostics(doc.path)
        key = tuple((d.code, d.message, d.range.start.line, d.range.start.character,
                     d.range.end.line, d.range.end.character) for d in diags)
        last = self.published.get(doc.uri)
        changed_doc = doc.uri in self.changed_uris
        if not force and not changed_doc and last is not None and last[1] == key:
            return
        self.changed_uris.discard(doc.uri)
        self.published[doc.uri] = (doc.version, key)
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=doc.uri, diagnostics=diags, version=doc.version))

    def clear(self, uri: str) -> None:
        self.published.pop(uri, None)
        if not self.pull:
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def relint_all(self) -> None:
        """Settings changed: the projects of open documents first, the rest in the background."""
        mlps: dict[Path, None] = {}
        for doc in self.state.docs.values():
            self.changed_uris.add(doc.uri)
            for m in self.state.owners_of(doc.path):
                mlps[m] = None
        if mlps:
            self.linter.request(mlps)
        rest = [m for m in self.state.analyses if m not in mlps]
        if rest:
            self.linter.request(rest, background=True)

    def index_workspace(self) -> None:
        """Analyse every MLproject of the workspace folders once, so that files reached only
        through ``plugin-dirs`` learn their owners (done the first time such a file is opened)."""
        if getattr(self, "_indexed", False):
            return
        self._indexed = True
        from ..engine import discover

        found: dict[Path, None] = {}
        for root in self.state.workspace_roots:
            try:
                for mlp in discover(root, self.state.settings_for):
                    mlp = norm(mlp)
                    if mlp not in self.state.analyses:
                        found[mlp] = None
            except OSError as err:
                self.log_message(f"cannot scan {root}: {err}")
        self.indexing = list(found)
        if found:
            self.log_message(f"indexing {len(found)} MLproject(s) of the workspace")
            self.linter.request(found, background=True)

    async def owners_waiting_for_index(self, path: Path) -> list[Path]:
        owners = self.state.owners_of(path)
        if not owners and path.suffix == ".py":
            self.index_workspace()
            if getattr(self, "indexing", None):
                await self.linter.fresh(self.indexing, timeout=120)
            owners = self.state.owners_of(path)
        return owners

    # settings --------------------------------------------------------------------------
    def apply_client_settings(self, options: Any) -> None:
        try:
            roots = self.state.workspace_roots
            self.state.overrides = overrides_from_options(options, self.state.overrides,
                                                          roots[0] if roots else None)
        except ConfigError as err:
            self.window_show_message(lsp.ShowMessageParams(
                type=lsp.MessageType.Error, message=f"dioptra-lint: {err}"))
            self._log_error(f"bad settings: {err}")

    async def pull_configuration(self) -> None:
        if not _cap(self.client_capabilities, "workspace", "configuration"):
            return
        try:
            result = await asyncio.wait_for(self.workspace_configuration_async(
                lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section=SECTION)])), 5)
        except Exception as err:  # noqa: BLE001
            self.log_message(f"workspace/configuration failed: {err}")
            return
        if result and isinstance(result[0], dict):
            self.apply_client_settings(result[0])
            self.relint_all()

    def position(self, uri: str, pos: lsp.Position):
        path = self.doc_path(uri)
        lines = self.lines_of(path)
        return path, self.codec.model_position(lines, pos)


def _cap(obj, *names):
    for n in names:
        obj = getattr(obj, n, None)
        if obj is None:
            return None
    return obj


def safe(fn):
    """Log any handler exception to the client and turn it into an error response."""
    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def wrapper(ls, *args):
            try:
                return await fn(ls, *args)
            except JsonRpcException as err:
                ls._log_error(f"{fn.__name__}: {err}")
                raise
            except Exception as err:  # noqa: BLE001
                ls._log_error(f"{fn.__name__} failed: {type(err).__name__}: {err}\n{traceback.format_exc()}")
                raise JsonRpcInternalError(f"{fn.__name__}: {type(err).__name__}: {err}") from None
    else:
        @functools.wraps(fn)
        def wrapper(ls, *args):
            try:
                return fn(ls, *args)
            except JsonRpcException as err:
                ls._log_error(f"{fn.__name__}: {err}")
                raise
            except Exception as err:  # noqa: BLE001
                ls._log_error(f"{fn.__name__} failed: {type(err).__name__}: {err}\n{traceback.format_exc()}")
                raise JsonRpcInternalError(f"{fn.__name__}: {type(err).__name__}: {err}") from None
    return wrapper


def create_server() -> DioptraLanguageServer:
    server = DioptraLanguageServer()
    from . import features

    # lifecycle -------------------------------------------------------------------------
    @server.feature(lsp.INITIALIZE)
    @safe
    def initialize(ls: DioptraLanguageServer, params: lsp.InitializeParams):
        ls.codec = Codec(ls.workspace.position_encoding or "utf-16")
        caps = params.capabilities
        ls.pull = _cap(caps, "text_document", "diagnostic") is not None
        ls.document_changes = bool(_cap(caps, "workspace", "workspace_edit", "document_changes"))
        ls.refresh = bool(_cap(caps, "workspace", "diagnostics", "refresh_support"))
        roots = [f.uri for f in (params.workspace_folders or [])] or ([params.root_uri] if params.root_uri else [])
        ls.state.workspace_roots = [norm(p) for p in (to_fs_path(u) for u in roots) if p]
        if params.initialization_options is not None:
            ls.apply_client_settings(params.initialization_options)
        if ls.pull:
            ls.feature(lsp.TEXT_DOCUMENT_DIAGNOSTIC, lsp.DiagnosticOptions(
                identifier=SOURCE, inter_file_dependencies=True, workspace_diagnostics=False))(
                    text_document_diagnostic)

    @server.feature(lsp.INITIALIZED)
    @safe
    async def initialized(ls: DioptraLanguageServer, params):
        watch = _cap(ls.client_capabilities, "workspace", "did_change_watched_files", "dynamic_registration")
        if watch:
            try:
                await ls.client_register_capability_async(lsp.RegistrationParams(registrations=[
                    lsp.Registration(id="dioptra-lint-watch", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                                     register_options=lsp.DidChangeWatchedFilesRegistrationOptions(
                                         watchers=[lsp.FileSystemWatcher(glob_pattern=g)
                                                   for g in CONFIG_GLOBS + SOURCE_GLOBS]))]))
            except Exception as err:  # noqa: BLE001
                ls.log_message(f"could not register file watchers: {err}")
        await ls.pull_configuration()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    @safe
    async def did_change_configuration(ls: DioptraLanguageServer, params: lsp.DidChangeConfigurationParams):
        settings = params.settings
        if isinstance(settings, dict) and settings:
            ls.apply_client_settings(settings)
            ls.relint_all()
        else:
            await ls.pull_configuration()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @safe
    def did_change_watched_files(ls: DioptraLanguageServer, params: lsp.DidChangeWatchedFilesParams):
        config = False
        touched: list[Path] = []
        for change in params.changes:
            fs_path = to_fs_path(change.uri)
            if not fs_path:
                continue
            path = norm(fs_path)
            if path.name in ("pyproject.toml", "dioptra-lint.toml"):
                config = True
                continue
            touched.append(path)
            if change.type == lsp.FileChangeType.Deleted and is_mlproject(path) \
                    and path not in ls.state.by_path:
                ls.state.forget(path)
                for doc in list(ls.state.docs.values()):
                    if not ls.state.owners_of(doc.path):
                        ls.clear(doc.uri)
        if config:
            ls.state.forget_settings()
            ls.relint_all()
            return
        mlps: dict[Path, None] = {}
        for path in touched:
            # A file any analysis read, or a new file a project might now reach.
            for m in ls.state.owners_of(path):
                mlps[m] = None
            for m, a in ls.state.analyses.items():
                if path.parent == m.parent or m.parent in path.parents:
                    mlps[m] = None
        for doc in ls.state.docs.values():
            if any(m in mlps for m in ls.state.owners_of(doc.path)):
                ls.changed_uris.add(doc.uri)
        mlps = {m: None for m in mlps if fs.is_file(m) or m in ls.state.by_path}
        if mlps:
            ls.linter.request(mlps)

    # text synchronisation -------------------------------------------------------------
    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    @safe
    def did_open(ls: DioptraLanguageServer, params: lsp.DidOpenTextDocumentParams):
        td = params.text_document
        path = ls.doc_path(td.uri)
        ls.state.open(Doc(td.uri, path, td.version, td.text, td.language_id))
        ls.changed_uris.add(td.uri)
        if not ls.state.owners_of(path) and path.suffix == ".py":
            ls.index_workspace()      # maybe a plugin module in a plugin folder outside the project
        ls.lint([path])

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    @safe
    def did_change(ls: DioptraLanguageServer, params: lsp.DidChangeTextDocumentParams):
        uri = params.text_document.uri
        doc = ls.state.docs.get(uri)
        if doc is None:
            ls.log_message(f"didChange for a document that is not open: {uri}", lsp.MessageType.Warning)
            return
        version = params.text_document.version
        if version is not None and version <= doc.version:
            ls.log_message(f"ignored out-of-order change of {uri}: version {version} after {doc.version}",
                           lsp.MessageType.Warning)
            return
        # Our own line layer, not pygls's document (it splits lines with str.splitlines(), so a
        # U+2028 in the buffer would shift every later change by a line).
        text = doc.text
        for change in params.content_changes:
            text = ls.codec.apply_change(text, change)
        doc.set_text(text, version if version is not None else doc.version + 1)
        ls.changed_uris.add(uri)
        ls.lint([doc.path])

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    @safe
    def did_save(ls: DioptraLanguageServer, params: lsp.DidSaveTextDocumentParams):
        path = ls.doc_path(params.text_document.uri)
        if path.name in ("pyproject.toml", "dioptra-lint.toml"):
            ls.state.forget_settings()
            ls.relint_all()

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    @safe
    def did_close(ls: DioptraLanguageServer, params: lsp.DidCloseTextDocumentParams):
        doc = ls.state.close(params.text_document.uri)
        ls.clear(params.text_document.uri)
        if doc is not None:
            owners = ls.state.owners_of(doc.path)
            if is_mlproject(doc.path) and not fs.is_file(doc.path):
                ls.state.forget(doc.path)
                owners = []
            if owners:
                ls.linter.request(owners)   # the buffer is gone: the disk is the truth again

    # pull diagnostics (registered in initialize for clients that announce it) -----------
    @safe
    async def text_document_diagnostic(ls: DioptraLanguageServer, params: lsp.DocumentDiagnosticParams):
        path = ls.doc_path(params.text_document.uri)
        owners = await ls.owners_waiting_for_index(path)
        if owners:
            await ls.linter.fresh(owners)
            # A first analysis may reveal that another project reads this file too.
            more = [m for m in ls.state.owners_of(path) if m not in owners]
            if more:
                await ls.linter.fresh(more)
        items = ls.lsp_diagnostics(path)
        related = {}
        for doc in ls.state.docs.values():
            if doc.path != path and any(m in owners for m in ls.state.owners_of(doc.path)):
                related[doc.uri] = lsp.FullDocumentDiagnosticReport(items=ls.lsp_diagnostics(doc.path))
        ls.changed_uris.discard(params.text_document.uri)
        result_id = _result_id(items)
        if params.previous_result_id == result_id:
            return lsp.RelatedUnchangedDocumentDiagnosticReport(
                result_id=result_id, related_documents=related or None)
        return lsp.RelatedFullDocumentDiagnosticReport(
            items=items, result_id=result_id, related_documents=related or None)

    # features --------------------------------------------------------------------------
    features.register(server, safe)
    return server


def _result_id(items: list[lsp.Diagnostic]) -> str:
    h = hashlib.sha1()
    for d in items:
        h.update(f"{d.code}|{d.message}|{d.range}".encode())
    return h.hexdigest()[:16]
