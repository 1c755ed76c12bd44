"""Hover, definition, references, rename, completion, code actions, code lens, symbols, dry run."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types as lsp

from lsp_helpers import change_doc, codes, diagnostics, open_doc, pos_of


def td(uri):
    return lsp.TextDocumentIdentifier(uri=uri)


async def opened(client, *names):
    uris = [open_doc(client, client.root / n) for n in names]
    await diagnostics(client, uris[0], 1)
    return uris


def hover_text(h) -> str:
    assert h is not None
    return h.contents.value


# ---------------------------------------------------------------------------------- hover

async def test_hover_parameter_in_mlproject(client):
    ml = client.root / "MLproject"
    (uri,) = await opened(client, "MLproject")
    text = hover_text(await client.text_document_hover_async(lsp.HoverParams(
        text_document=td(uri), position=pos_of(ml, "data_dir: {", 2))))
    assert "data_dir" in text and "path" in text and "/nfs/data" in text
    assert "--data-dir" in text, text           # the click option it feeds
    assert 'Parameter("data_dir")' in text, text  # and the Prefect Parameter


async def test_hover_placeholder(client):
    ml = client.root / "MLproject"
    (uri,) = await opened(client, "MLproject")
    text = hover_text(await client.text_document_hover_async(lsp.HoverParams(
        text_document=td(uri), position=pos_of(ml, "{data_dir}", 3))))
    assert "MLproject parameter" in text and "--data-dir" in text


async def test_hover_click_option_lists_feeding_parameters(client):
    script = client.root / "src" / "train.py"
    (uri,) = await opened(client, "src/train.py")
    text = hover_text(await client.text_document_hover_async(lsp.HoverParams(
        text_document=td(uri), position=pos_of(script, '"--data-dir"', 3))))
    assert "Root directory of the data" in text
    assert "data_dir" in text and "main" in text


async def test_hover_call_task_shows_plugin(client):
    script = client.root / "src" / "train.py"
    (uri,) = await opened(client, "src/train.py")
    text = hover_text(await client.text_document_hover_async(lsp.HoverParams(
        text_document=td(uri), position=pos_of(script, "call_task(", 2))))
    assert "load(data_dir: str" in text, text
    assert "Load the dataset" in text
    assert "outputs: one result (not unpackable)" in text, text
    assert "data.py:7" in text, text


async def test_hover_noqa_code_shows_rule_page(client):
    ml = client.root / "MLproject"
    text = ml.read_text().replace('default: "x"}', 'default: "x"}  # noqa: DL107')
    uri = open_doc(client, ml, text)
    await diagnostics(client, uri, 1)
    h = await client.text_document_hover_async(lsp.HoverParams(
        text_document=td(uri), position=pos_of(text, "DL107", 2)))
    assert "DL107" in hover_text(h)
    assert "unused" in hover_text(h).lower()


async def test_hover_nothing_there(client):
    (uri,) = await opened(client, "MLproject")
    assert await client.text_document_hover_async(lsp.HoverParams(
        text_document=td(uri), position=lsp.Position(line=0, character=0))) is None


# ------------------------------------------------------------------------------ definition

async def test_definition_placeholder_to_parameter(client):
    ml = client.root / "MLproject"
    (uri,) = await opened(client, "MLproject")
    locs = await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=td(uri), position=pos_of(ml, "{epochs}", 2)))
    assert locs[0].uri == uri
    assert locs[0].range.start == pos_of(ml, "epochs: {")


async def test_definition_flag_to_click_option(client):
    ml = client.root / "MLproject"
    script = client.root / "src" / "train.py"
    (uri,) = await opened(client, "MLproject")
    locs = await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=td(uri), position=pos_of(ml, "--data-dir", 3)))
    assert locs[0].uri == script.as_uri()
    assert locs[0].range.start.line == pos_of(script, '"--data-dir"').line


async def test_definition_script_path_to_file(client):
    ml = client.root / "MLproject"
    (uri,) = await opened(client, "MLproject")
    locs = await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=td(uri), position=pos_of(ml, "src/train.py", 4)))
    assert locs[0].uri == (client.root / "src" / "train.py").as_uri()


async def test_definition_flow_parameter_to_option_and_mlproject(client):
    script = client.root / "src" / "train.py"
    (uri,) = await opened(client, "src/train.py")
    locs = await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=td(uri), position=pos_of(script, 'Parameter("data_dir")', 12)))
    uris = {l.uri for l in locs}
    assert script.as_uri() in uris and (client.root / "MLproject").as_uri() in uris


async def test_definition_call_task_to_plugin(client):
    script = client.root / "src" / "train.py"
    plugin = client.root / "plugs" / "data.py"
    (uri,) = await opened(client, "src/train.py")
    locs = await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=td(uri), position=pos_of(script, "call_task(", 2)))
    assert locs[0].uri == plugin.as_uri()
    assert locs[0].range.start == pos_of(plugin, "load(")


async def test_references_across_both_files(client):
    ml = client.root / "MLproject"
    (uri,) = await opened(client, "MLproject")
    locs = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=td(uri), position=pos_of(ml, "data_dir: {"),
        context=lsp.ReferenceContext(include_declaration=True)))
    files = [l.uri.rsplit("/", 1)[-1] for l in locs]
    assert files.count("MLproject") == 2            # key + placeholder
    assert files.count("train.py") >= 4, files      # option, argument, flow.run key, Parameter


# ---------------------------------------------------------------------------------- rename

async def test_rename_whole_chain(client):
    ml = client.root / "MLproject"
    script = client.root / "src" / "train.py"
    (uri,) = await opened(client, "MLproject")
    prep = await client.text_document_prepare_rename_async(lsp.PrepareRenameParams(
        text_document=td(uri), position=pos_of(ml, "data_dir: {")))
    assert prep.placeholder == "data_dir"
    edit = await client.text_document_rename_async(lsp.RenameParams(
        text_document=td(uri), position=pos_of(ml, "data_dir: {"), new_name="dataset_dir"))
    ml_edits = edit.changes[uri]
    assert len(ml_edits) == 3                        # key, placeholder, flag
    assert {e.new_text for e in ml_edits} == {"dataset_dir", "--dataset-dir"}
    s_edits = edit.changes[script.as_uri()]
    new_texts = sorted(e.new_text for e in s_edits)
    assert "--dataset-dir" in new_texts
    assert new_texts.count("dataset_dir") >= 4, new_texts  # argument, its use, flow.run key, Parameter
    # applying the edits gives a clean pair
    from dioptra_lsp.fixes import apply_edits  # noqa: F401 - the same edit semantics as --fix
    new_ml = _apply(ml.read_text(), ml_edits)
    new_script = _apply(script.read_text(), s_edits)
    assert "--dataset-dir {dataset_dir}" in new_ml
    assert 'Parameter("dataset_dir")' in new_script and "def train(dataset_dir, epochs)" in new_script
    assert "dict(dataset_dir=dataset_dir" in new_script


async def test_rename_refused_when_ambiguous(client):
    ml = client.root / "MLproject"
    text = ml.read_text() + (
        "  other:\n    parameters:\n      data_dir: path\n"
        "    command: python src/train.py --data-dir {data_dir}\n")
    uri = open_doc(client, ml, text)
    await diagnostics(client, uri, 1)
    with pytest.raises(Exception) as info:
        await client.text_document_rename_async(lsp.RenameParams(
            text_document=td(uri), position=pos_of(text, "data_dir: {"), new_name="root"))
    assert "also passed by entry point `other`" in str(info.value)


async def test_rename_refused_on_collision_and_bad_name(client):
    ml = client.root / "MLproject"
    (uri,) = await opened(client, "MLproject")
    for new, why in (("epochs", "already has a parameter"), ("not valid", "not a valid")):
        with pytest.raises(Exception) as info:
            await client.text_document_rename_async(lsp.RenameParams(
                text_document=td(uri), position=pos_of(ml, "data_dir: {"), new_name=new))
        assert why in str(info.value)


def _apply(text: str, edits: list[lsp.TextEdit]) -> str:
    lines = text.split("\n")

    def off(p):
        return sum(len(l) + 1 for l in lines[:p.line]) + p.character

    for e in sorted(edits, key=lambda e: off(e.range.start), reverse=True):
        text = text[:off(e.range.start)] + e.new_text + text[off(e.range.end):]
    return text


# ------------------------------------------------------------------------------ completion

async def _complete(client, uri, pos):
    result = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=td(uri), position=pos))
    items = result.items if isinstance(result, lsp.CompletionList) else result
    return {i.label: i for i in items}


async def test_complete_placeholders_flags_types_keys(client):
    ml = client.root / "MLproject"
    base = ml.read_text()
    (uri,) = await opened(client, "MLproject")
    text = base.replace("--epoch {epochs}", "--epoch {epochs}\n      --epochs {")
    change_doc(client, uri, 2, text)
    labels = await _complete(client, uri, pos_of(text, "--epochs {", 10))
    assert {"data_dir", "epochs", "unused"} <= set(labels)
    text = base.replace("--epoch {epochs}", "--epoch {epochs}\n      --")
    change_doc(client, uri, 3, text)
    items = await _complete(client, uri, pos_of(text, "      --\n", 8) if "      --\n" in text else
                            lsp.Position(line=text.count("\n", 0, text.rindex("      --")), character=8))
    assert "--epochs" in items and "--data-dir" in items
    assert items["--epochs"].documentation.value == "Passes over the data"
    text = base.replace("{type: float, default: 3}", "{type: fl")
    change_doc(client, uri, 4, text)
    labels = await _complete(client, uri, pos_of(text, "{type: fl", 9))
    assert set(labels) == {"string", "float", "path", "uri"}
    text = base.replace("    command: >", "    co\n    command: >")
    change_doc(client, uri, 5, text)
    labels = await _complete(client, uri, pos_of(text, "    co\n", 6))
    assert "command" in labels and "parameters" in labels


async def test_complete_call_task(client):
    script = client.root / "src" / "train.py"
    base = script.read_text()
    (uri,) = await opened(client, "src/train.py")
    call = 'f"{_PLUGINS_IMPORT_PATH}", "data", "load", data_dir=data_dir, epochs=epochs'
    text = base.replace(call, 'f"{_PLUGINS_IMPORT_PATH}", "')
    change_doc(client, uri, 2, text)
    labels = await _complete(client, uri, pos_of(text, '_PATH}", "', 10))
    assert "data" in labels
    text = base.replace(call, 'f"{_PLUGINS_IMPORT_PATH}", "data", "')
    change_doc(client, uri, 3, text)
    labels = await _complete(client, uri, pos_of(text, '"data", "', 9))
    assert "load" in labels
    text = base.replace(call, 'f"{_PLUGINS_IMPORT_PATH}", "data", "load", data_dir=data_dir, ')
    change_doc(client, uri, 4, text)
    labels = await _complete(client, uri, pos_of(text, "data_dir=data_dir, ", 19, nth=1))
    assert "epochs=" in labels and "shuffle=" in labels and "data_dir=" not in labels


# ---------------------------------------------------------------------------- code actions

async def _actions(client, uri, diags, only=None):
    rng = diags[0].range
    return await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=td(uri), range=rng, context=lsp.CodeActionContext(diagnostics=diags, only=only)))


async def test_quick_fix_and_suppress(client):
    ml = client.root / "MLproject"
    (uri,) = await opened(client, "MLproject")
    diags = await diagnostics(client, uri, 1)
    dl201 = [d for d in diags if d.code == "DL201"]
    actions = await _actions(client, uri, dl201)
    titles = [a.title for a in actions]
    fix = next(a for a in actions if "--epochs" in a.title)
    assert fix.kind == lsp.CodeActionKind.QuickFix
    (edit,) = fix.edit.changes[uri]
    assert edit.new_text == "--epochs"
    # --epoch sits inside a folded block scalar: `# noqa` there would become part of the
    # command, so the suppression goes on the `command: >` line, where it covers the command
    assert not any(t == "Suppress DL201 on this line" for t in titles)
    block = next(a for a in actions if a.title == "Suppress DL201 for this command")
    (edit,) = block.edit.changes[uri]
    header = next(i for i, l in enumerate(ml.read_text().split("\n")) if "command: >" in l)
    assert edit.range.start.line == header and edit.new_text == "  # noqa: DL201"
    change_doc(client, uri, 2, _apply(ml.read_text(), block.edit.changes[uri]))
    assert "DL201" not in codes(await diagnostics(client, uri, 2))
    change_doc(client, uri, 3, ml.read_text())
    await diagnostics(client, uri, 3)
    dl107 = [d for d in diags if d.code == "DL107"]
    actions = await _actions(client, uri, dl107)
    remove = next(a for a in actions if a.title == "Remove the unused parameter (DL107, unsafe fix)")
    assert not remove.is_preferred, "an unsafe fix is offered, not preferred"
    assert "unused" not in _apply(ml.read_text(), remove.edit.changes[uri])
    sup = next(a for a in actions if a.title == "Suppress DL107 on this line")
    new = _apply(ml.read_text(), sup.edit.changes[uri])
    assert '{type: string, default: "x"}  # noqa: DL107' in new
    change_doc(client, uri, 4, new)
    assert "DL107" not in codes(await diagnostics(client, uri, 4))


async def test_suppress_in_script_and_extend_existing_noqa(client):
    script = client.root / "src" / "train.py"
    text = script.read_text().replace('"--epochs", type=click.INT', '"--epochs", "-e", type=click.INT')
    (ml_uri,) = await opened(client, "MLproject")
    uri = open_doc(client, script, text)
    diags = await diagnostics(client, uri, 1)
    target = [d for d in diags if d.code == "DL205"]
    assert target, codes(diags)
    actions = await _actions(client, uri, target)
    sup = next(a for a in actions if a.title == "Suppress DL205 on this line")
    new = _apply(text, sup.edit.changes[uri])
    assert "# noqa: DL205" in new
    change_doc(client, uri, 2, new)
    assert "DL205" not in codes(await diagnostics(client, uri, 2))


async def test_add_missing_parameter_fix(client):
    ml = client.root / "MLproject"
    text = ml.read_text().replace("--epoch {epochs}", "--epochs {epochs} --data-dir {root}")
    uri = open_doc(client, ml, text)
    diags = await diagnostics(client, uri, 1)
    dl106 = [d for d in diags if d.code == "DL106"]
    assert dl106, codes(diags)
    actions = await _actions(client, uri, dl106)
    add = next(a for a in actions if "Add parameter `root`" in a.title)
    new = _apply(text, add.edit.changes[uri])
    assert "      root: {type: string}\n" in new
    change_doc(client, uri, 2, new)
    assert "DL106" not in codes(await diagnostics(client, uri, 2))


async def test_fix_all(client):
    ml = client.root / "MLproject"
    text = ml.read_text().replace("{type: float, default: 3}", "{type:float, default: 3}")
    uri = open_doc(client, ml, text)
    diags = await diagnostics(client, uri, 1)
    assert {"DL103", "DL201"} <= set(codes(diags)), codes(diags)
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=td(uri), range=lsp.Range(start=lsp.Position(line=0, character=0),
                                               end=lsp.Position(line=0, character=0)),
        context=lsp.CodeActionContext(diagnostics=[], only=["source.fixAll.dioptra-lint"])))
    (fix_all,) = actions
    assert fix_all.kind == "source.fixAll.dioptra-lint"
    new = _apply(text, fix_all.edit.changes[uri])
    assert "type: float" in new
    assert "--epoch {epochs}" in new, "the DL201 replacement is a guess (unsafe): not in fix-all"
    assert "# noqa" not in new
    change_doc(client, uri, 2, new)
    left = codes(await diagnostics(client, uri, 2))
    assert "DL103" not in left and "DL201" in left


async def test_fix_all_applies_unsafe_fixes_when_the_settings_ask(unsafe_fixes_client):
    """The same fixes as `--fix --unsafe-fixes`: the settings' unsafeFixes turns them on."""
    client = unsafe_fixes_client
    ml = client.root / "MLproject"
    text = ml.read_text().replace("{type: float, default: 3}", "{type:float, default: 3}")
    uri = open_doc(client, ml, text)
    diags = await diagnostics(client, uri, 1)
    assert {"DL103", "DL201"} <= set(codes(diags)), codes(diags)
    actions = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=td(uri), range=lsp.Range(start=lsp.Position(line=0, character=0),
                                               end=lsp.Position(line=0, character=0)),
        context=lsp.CodeActionContext(diagnostics=[], only=["source.fixAll.dioptra-lint"])))
    (fix_all,) = actions
    new = _apply(text, fix_all.edit.changes[uri])
    assert "type: float" in new and "--epochs {epochs}" in new and "--epoch {epochs}" not in new
    change_doc(client, uri, 2, new)
    left = codes(await diagnostics(client, uri, 2))
    assert "DL103" not in left and "DL201" not in left


# -------------------------------------------------------------------- code lens and symbols

async def test_code_lens_and_dry_run(client):
    (uri,) = await opened(client, "MLproject")
    lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(text_document=td(uri)))
    assert [l.command.title for l in lenses] == ["\u25b6 Dry run main", "\u25b6 Run main"]
    cmd = lenses[0].command
    assert cmd.command == "dioptra-lint.dryRun"
    result = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command=cmd.command, arguments=cmd.arguments))
    assert result["entryPoint"] == "main"
    assert result["text"]
    assert any("Dry run of main" in m.message for m in client.messages)
    assert any("Dry run of main" in m.message for m in client.log_messages)
    kinds = [r.kind for reports in client.progress_reports.values() for r in reports]
    assert kinds[0] == "begin" and kinds[-1] == "end"


async def test_dry_run_bad_arguments_is_an_error_not_a_crash(client):
    with pytest.raises(Exception):
        await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
            command="dioptra-lint.dryRun", arguments=[]))
    (uri,) = await opened(client, "MLproject")
    assert await client.text_document_code_lens_async(lsp.CodeLensParams(text_document=td(uri)))


async def test_document_symbols(client):
    ml_uri, s_uri = await opened(client, "MLproject", "src/train.py")
    syms = await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(text_document=td(ml_uri)))
    assert [s.name for s in syms] == ["main"]
    assert [c.name for c in syms[0].children] == ["data_dir", "epochs", "unused", "command"]
    syms = await client.text_document_document_symbol_async(lsp.DocumentSymbolParams(text_document=td(s_uri)))
    names = [s.name for s in syms]
    assert "train" in names
    flow = next(s for s in syms if s.name.startswith("Flow"))
    kids = [c.name for c in flow.children]
    assert 'Parameter("data_dir")' in kids and "plugs.data.load" in kids


async def test_plugin_dirs_setting_and_plugin_file_outside_the_project(client, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (client.root / "plugs").rename(shared / "plugs")
    script = client.root / "src" / "train.py"
    s_uri = open_doc(client, script)
    assert "DL405" in codes(await diagnostics(client, s_uri, 1)), "the package is in no plugin folder"
    client.set_configuration({"plugin-dirs": [str(shared)]}, section="dioptra-lint")
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    for _ in range(100):
        left = codes(await diagnostics(client, s_uri, 1, after=len(client.published)))
        if "DL405" not in left:
            break
        await asyncio.sleep(0.05)
    assert "DL405" not in left
    h = await client.text_document_hover_async(lsp.HoverParams(
        text_document=td(s_uri), position=pos_of(script, "call_task(", 2)))
    assert "Load the dataset" in hover_text(h)
    locs = await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=td(s_uri), position=pos_of(script, "call_task(", 2)))
    assert locs[0].uri == (shared / "plugs" / "data.py").as_uri()


async def test_more_navigation(client):
    ml = client.root / "MLproject"
    script = client.root / "src" / "train.py"
    ml_uri, s_uri = await opened(client, "MLproject", "src/train.py")
    # hover on a --flag in the command shows the click option
    text = hover_text(await client.text_document_hover_async(lsp.HoverParams(
        text_document=td(ml_uri), position=pos_of(ml, "--data-dir", 4))))
    assert "click option" in text and "Root directory of the data" in text
    # an unknown flag says so
    text = hover_text(await client.text_document_hover_async(lsp.HoverParams(
        text_document=td(ml_uri), position=pos_of(ml, "--epoch ", 3))))
    assert "not an option" in text
    # click option -> the MLproject parameter feeding it
    locs = await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=td(s_uri), position=pos_of(script, "def train(data_dir", 11)))
    assert locs[0].uri == ml_uri and locs[0].range.start == pos_of(ml, "data_dir: {")
    # flow.run key -> Parameter
    locs = await client.text_document_definition_async(lsp.DefinitionParams(
        text_document=td(s_uri), position=pos_of(script, "dict(data_dir=", 6)))
    assert locs[0].range.start == pos_of(script, '"data_dir")')
    # references from the script side find the MLproject too
    locs = await client.text_document_references_async(lsp.ReferenceParams(
        text_document=td(s_uri), position=pos_of(script, '"--data-dir"', 2),
        context=lsp.ReferenceContext(include_declaration=True)))
    assert any(l.uri == ml_uri for l in locs)
    # entry point hover
    text = hover_text(await client.text_document_hover_async(lsp.HoverParams(
        text_document=td(ml_uri), position=pos_of(ml, "main:", 1))))
    assert "entry point" in text and "`data_dir`" in text


async def test_top_level_key_completion(client):
    ml = client.root / "MLproject"
    (uri,) = await opened(client, "MLproject")
    text = ml.read_text() + "con"
    change_doc(client, uri, 2, text)
    labels = await _complete(client, uri, lsp.Position(line=text.count("\n"), character=3))
    assert {"conda_env", "python_env", "docker_env", "entry_points"} <= set(labels)


async def test_plugin_module_outside_the_project_is_linted(lsp_client_plugin_dirs):
    client = lsp_client_plugin_dirs
    plugin = client.shared / "plugs" / "data.py"
    text = plugin.read_text() + "\ndef broken(:\n"
    uri = open_doc(client, plugin, text)
    diags = await diagnostics(client, uri, 1)
    assert "DL001" in codes(diags), "found through the workspace's MLprojects and plugin-dirs"
    symbols_ = await client.text_document_hover_async(lsp.HoverParams(
        text_document=td(uri), position=lsp.Position(line=0, character=0)))
    assert symbols_ is None


async def test_rename_from_the_script_side_and_uncoupled_flag(client):
    ml = client.root / "MLproject"
    script = client.root / "src" / "train.py"
    ml_uri, s_uri = await opened(client, "MLproject", "src/train.py")
    prep = await client.text_document_prepare_rename_async(lsp.PrepareRenameParams(
        text_document=td(s_uri), position=pos_of(script, '"--data-dir"', 3)))
    assert prep.placeholder == "data_dir"
    edit = await client.text_document_rename_async(lsp.RenameParams(
        text_document=td(s_uri), position=pos_of(script, '"--data-dir"', 3), new_name="root"))
    assert "--root {root}" in _apply(ml.read_text(), edit.changes[ml_uri])
    assert 'Parameter("root")' in _apply(script.read_text(), edit.changes[s_uri])
    # `--epoch {epochs}`: the flag is not the parameter's name, so only the MLproject changes
    edit = await client.text_document_rename_async(lsp.RenameParams(
        text_document=td(ml_uri), position=pos_of(ml, "{epochs}", 1), new_name="n_epochs"))
    assert list(edit.changes) == [ml_uri]
    new = _apply(ml.read_text(), edit.changes[ml_uri])
    assert "n_epochs: {type: float" in new and "--epoch {n_epochs}" in new
    # nothing renameable under the cursor
    with pytest.raises(Exception) as info:
        await client.text_document_prepare_rename_async(lsp.PrepareRenameParams(
            text_document=td(ml_uri), position=lsp.Position(line=0, character=1)))
    assert "nothing to rename" in str(info.value) or "only MLproject parameters" in str(info.value)


async def test_unpacking_fix_edits_the_plugin_file(client):
    """DL406's fix lives in another file than the finding: the editor gets both."""
    script = client.root / "src" / "train.py"
    plugin = client.root / "plugs" / "data.py"
    text = script.read_text().replace("dataset = pyplugs.call_task(", "dataset, labels = pyplugs.call_task(")
    uri = open_doc(client, script, text)
    diags = await diagnostics(client, uri, 1)
    dl406 = [d for d in diags if d.code == "DL406"]
    assert dl406 and "Task is not iterable" in dl406[0].message, codes(diags)
    actions = await _actions(client, uri, dl406)
    fix = next(a for a in actions if "task_nout(2)" in a.title)
    assert not fix.is_preferred   # unsafe: offered, not preferred
    plugin_uri = plugin.resolve().as_uri()
    assert list(fix.edit.changes) == [plugin_uri]
    fixed = _apply(plugin.read_text(), fix.edit.changes[plugin_uri])
    assert "@pyplugs.register\n@pyplugs.task_nout(2)\ndef load(" in fixed
    plugin_doc = open_doc(client, plugin, fixed)
    await diagnostics(client, plugin_doc, 1)
    change_doc(client, uri, 2, text)
    assert "DL406" not in codes(await diagnostics(client, uri, 2))
