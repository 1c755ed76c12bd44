"""Request handlers: each a few lines that locate, call a feature module and convert."""

from __future__ import annotations

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from ..convert import uri_of, workspace_edit
from ..locate import at
from . import actions, completion, dryrun, hover, navigation, rename, run, symbols


class RequestFailed(JsonRpcException):
    code = -32803     # RequestFailed (LSP): a well-formed request the server refuses


def register(server, safe) -> None:
    async def context(ls, uri: str, pos: lsp.Position | None = None, fresh: bool = True):
        """(analysis, path, model position, target) for a request on ``uri``."""
        path = ls.doc_path(uri)
        owners = ls.state.owners_of(path)
        if fresh and owners:
            # Answer from the current buffers; a very large project may answer from the last
            # model rather than keep the user waiting.
            await ls.linter.fresh(owners, timeout=2.0)
        analysis = ls.state.analysis_for(path)
        if pos is None:
            return analysis, path, None, None
        lines = ls.lines_of(path)
        mpos = ls.codec.model_position(lines, pos)
        if analysis is None:
            return None, path, mpos, None
        line = lines[mpos.line] if mpos.line < len(lines) else ""
        return analysis, path, mpos, at(analysis, path, mpos, line)

    def location(ls, path, span):
        return lsp.Location(uri=uri_of(path), range=ls.codec.range(ls.lines_of(path), span))

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    @safe
    async def on_hover(ls, params: lsp.HoverParams):
        analysis, path, _, target = await context(ls, params.text_document.uri, params.position)
        if target is None:
            return None
        text = hover.hover_markdown(analysis, target)
        if not text:
            return None
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
                         range=ls.codec.range(ls.lines_of(path), target.span))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    @safe
    async def on_definition(ls, params: lsp.DefinitionParams):
        analysis, path, _, target = await context(ls, params.text_document.uri, params.position)
        if target is None:
            return None
        return [location(ls, p, s) for p, s in navigation.definition(analysis, target)] or None

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    @safe
    async def on_references(ls, params: lsp.ReferenceParams):
        analysis, path, _, target = await context(ls, params.text_document.uri, params.position)
        if target is None:
            return None
        include = params.context.include_declaration if params.context else True
        return [location(ls, p, s) for p, s in navigation.references(analysis, target, include)] or None

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    @safe
    async def on_prepare_rename(ls, params: lsp.PrepareRenameParams):
        analysis, path, _, target = await context(ls, params.text_document.uri, params.position)
        if target is None:
            raise RequestFailed("nothing to rename here")
        try:
            ep, param = rename.prepare(analysis, target)
        except rename.RenameRefused as err:
            raise RequestFailed(str(err)) from None
        return lsp.PrepareRenamePlaceholder(range=ls.codec.range(ls.lines_of(path), target.span),
                                            placeholder=param.name)

    @server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
    @safe
    async def on_rename(ls, params: lsp.RenameParams):
        # Edits only from an analysis of the buffers as they are now.
        owners = ls.state.owners_of(ls.doc_path(params.text_document.uri))
        if owners:
            await ls.linter.fresh(owners)
            if not all(ls.state.is_fresh(m) for m in owners):
                raise RequestFailed("the analysis of this file is not up to date yet; try again")
        analysis, path, _, target = await context(ls, params.text_document.uri, params.position,
                                                  fresh=False)
        if target is None:
            raise RequestFailed("nothing to rename here")
        try:
            edits = rename.rename_edits(analysis, target, params.new_name, ls.lines_of)
        except rename.RenameRefused as err:
            ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Warning,
                                                         message=f"dioptra-lint: cannot rename: {err}"))
            raise RequestFailed(f"cannot rename: {err}") from None
        versions = ls.state.edit_versions(owners) if ls.document_changes else None
        return workspace_edit(edits, ls.lines_of, ls.codec, versions)

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION,
                    lsp.CompletionOptions(trigger_characters=["{", "-", '"', "'", ",", " ", ":"]))
    @safe
    async def on_completion(ls, params: lsp.CompletionParams):
        analysis, path, mpos, _ = await context(ls, params.text_document.uri, params.position, fresh=False)
        if analysis is None:
            owners = ls.state.owners_of(path)
            if owners:
                await ls.linter.fresh(owners)
                analysis = ls.state.analysis_for(path)
        items = completion.complete(analysis, path, ls.lines_of(path), mpos) if analysis else []
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.SourceFixAll, actions.FIX_ALL]))
    @safe
    async def on_code_action(ls, params: lsp.CodeActionParams):
        # Edits only from an analysis of the buffers as they are now: wait for it, and start
        # again if the user typed while fix-all was being computed.
        uri = params.text_document.uri
        path = ls.doc_path(uri)
        only = params.context.only if params.context else None
        for _ in range(3):
            owners = ls.state.owners_of(path)
            if owners:
                await ls.linter.fresh(owners)
                if not all(ls.state.is_fresh(m) for m in owners):
                    ls.log_message(f"no code actions for {path.name}: its analysis is not up to date")
                    return None
            analysis = ls.state.analysis_for(path)
            if analysis is None:
                return None
            version = ls.state.version_of(path)
            fixed = None
            if actions.wants_fix_all(only) and version is not None:
                fixed, why = await ls.linter.run_on_worker(actions.fix_all_text, ls.state, path, owners)
                if why:
                    ls.log_message(why)
                if ls.state.version_of(path) != version or not all(ls.state.is_fresh(m) for m in owners):
                    continue
            rng = ls.codec.model_span(ls.lines_of(path), params.range)
            versions = ls.state.edit_versions(owners) if ls.document_changes else None
            return actions.code_actions(ls, analysis, path, uri, rng, only, versions, fixed) or None
        return None

    @server.feature(lsp.TEXT_DOCUMENT_CODE_LENS, lsp.CodeLensOptions(resolve_provider=False))
    @safe
    async def on_code_lens(ls, params: lsp.CodeLensParams):
        analysis, path, _, _ = await context(ls, params.text_document.uri)
        if analysis is None:
            return None
        return dryrun.code_lenses(analysis, path, params.text_document.uri, ls.lines_of(path), ls.codec)

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @safe
    async def on_document_symbol(ls, params: lsp.DocumentSymbolParams):
        analysis, path, _, _ = await context(ls, params.text_document.uri)
        if analysis is None:
            return None
        return symbols.document_symbols(analysis, path, ls.lines_of(path), ls.codec)

    @server.command(dryrun.COMMAND)
    @safe
    async def on_dry_run(ls, *args):
        try:
            return await dryrun.execute(ls, list(args))
        except ValueError as err:
            raise RequestFailed(str(err)) from None

    @server.command(run.COMMAND)
    @safe
    async def on_run(ls, *args):
        try:
            return await run.execute(ls, list(args))
        except ValueError as err:
            raise RequestFailed(str(err)) from None
