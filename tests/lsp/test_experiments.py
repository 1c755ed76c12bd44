"""The editor on experiment files: diagnostics in the YAML as it is typed, whether an MLproject
runs it or it stands on its own."""

from __future__ import annotations

import textwrap

from lsp_helpers import change_doc, codes, diagnostics, open_doc

EXPERIMENT = textwrap.dedent("""\
    parameters:
      epochs: 3
    tasks:
      fit: {plugin: fitmod.fit, inputs: [{epochs: integer}]}
    graph:
      train:
        fit: {epochs: $epochs}
    """)


def _write(root, run: bool) -> None:
    (root / "fitmod.py").write_text("from dioptra import pyplugs\n\n\n@pyplugs.register\n"
                                    "def fit(epochs):\n    return epochs\n")
    if run:
        (root / "MLproject").write_text("name: e\nentry_points:\n  main:\n"
                                        "    command: run-experiment exp.yml\n")


async def test_an_experiment_run_by_an_mlproject_is_linted_as_typed(client, tmp_path):
    root = tmp_path / "e"
    root.mkdir()
    _write(root, run=True)
    path = root / "exp.yml"
    path.write_text(EXPERIMENT)
    uri = open_doc(client, path, EXPERIMENT)
    assert codes(await diagnostics(client, uri, 1)) == []
    change_doc(client, uri, 2, EXPERIMENT.replace("$epochs}", "$epoch}"))
    found = await diagnostics(client, uri, 2)
    assert codes(found) == ["DL510"] and found[0].range.start.line == 6


async def test_an_experiment_on_its_own_is_linted_as_typed(client, tmp_path):
    root = tmp_path / "alone"
    root.mkdir()
    _write(root, run=False)
    path = root / "exp.yml"
    path.write_text(EXPERIMENT)
    uri = open_doc(client, path, EXPERIMENT.replace("integer", "int"))
    assert codes(await diagnostics(client, uri, 1)) == ["DL514"]


async def test_dioptra_toml_and_its_graph_file_are_linted_as_typed(client, tmp_path):
    import shutil
    from pathlib import Path

    root = tmp_path / "one"
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "dioptra-mnist", root)
    toml = root / "dioptra.toml"
    text = toml.read_text()
    uri = open_doc(client, toml, text)
    assert codes(await diagnostics(client, uri, 1)) == []
    change_doc(client, uri, 2, text.replace('type = "integer", default_value = "10"',
                                            'type = "int", default_value = "10"'))
    assert codes(await diagnostics(client, uri, 2)) == ["DL551"]
    graph = root / "entrypoints" / "train.yaml"
    graph_uri = open_doc(client, graph, graph.read_text().replace("$epochs", "$epoch"))
    assert "DL510" in codes(await diagnostics(client, graph_uri, 1))
