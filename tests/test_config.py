"""Configuration resolution: one place, shared by every front-end."""

import tomllib
from pathlib import Path

import pytest

from dioptra_lsp.config import (
    ConfigError,
    Settings,
    code_enabled,
    find_config,
    forget_cached_configs,
    ignored_for_file,
    may_have_tool_table,
    resolve_settings,
    settings_from_table,
)


@pytest.fixture(autouse=True)
def _fresh():
    forget_cached_configs()
    yield
    forget_cached_configs()


def test_nearest_pyproject_with_a_tool_table_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.dioptra-lint]\nignore = ["DL205"]\n')
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text('[project]\nname = "x"\n')   # no table: skipped
    assert find_config(inner) == tmp_path / "pyproject.toml"
    assert resolve_settings(inner).ignore == ("DL205",)


def test_dioptra_lint_toml_is_found_too(tmp_path):
    (tmp_path / "dioptra-lint.toml").write_text('select = ["dl2"]\nplugin-dirs = ["plugins"]\n')
    settings = resolve_settings(tmp_path)
    assert settings.select == ("DL2",)
    assert settings.plugin_dirs == (tmp_path / "plugins",)


def test_unknown_key_names_the_key_and_the_valid_ones():
    with pytest.raises(ConfigError, match=r"unknown option `plugin_dir`.*did you mean `plugin-dirs`"):
        settings_from_table({"plugin_dir": ["x"]}, None)


def test_wrong_types_are_refused():
    with pytest.raises(ConfigError, match="select"):
        settings_from_table({"select": 3}, None)
    with pytest.raises(ConfigError, match="per-file-ignores"):
        settings_from_table({"per-file-ignores": ["x"]}, None)


def test_invalid_toml_is_a_config_error(tmp_path):
    (tmp_path / "dioptra-lint.toml").write_text("select = [\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        resolve_settings(tmp_path)


@pytest.mark.parametrize("select, ignore, enabled", [
    ((), (), {"DL101", "DL201", "DL205"}),
    (("DL2",), (), {"DL201", "DL205"}),
    (("DL2",), ("DL205",), {"DL201"}),
    (("DL205",), ("DL2",), {"DL205"}),      # the more specific selection wins, as in ruff
    (("ALL",), ("DL1",), {"DL201", "DL205"}),
])
def test_select_and_ignore_prefixes(select, ignore, enabled):
    settings = Settings(select=select, ignore=ignore)
    assert {c for c in ("DL101", "DL201", "DL205") if code_enabled(c, settings)} == enabled


def test_per_file_ignores_are_relative_to_the_config_folder(tmp_path):
    settings = settings_from_table({"per-file-ignores": {"legacy/*/MLproject": ["DL107"]}},
                                   tmp_path / "pyproject.toml")
    assert ignored_for_file("DL107", tmp_path / "legacy" / "x" / "MLproject", settings)
    assert not ignored_for_file("DL107", tmp_path / "new" / "x" / "MLproject", settings)
    assert not ignored_for_file("DL201", tmp_path / "legacy" / "x" / "MLproject", settings)


def test_changed_config_is_reread(tmp_path):
    path = tmp_path / "dioptra-lint.toml"
    path.write_text('ignore = ["DL1"]\n')
    assert resolve_settings(tmp_path).ignore == ("DL1",)
    import os
    import time

    path.write_text('ignore = ["DL2"]\n')
    later = time.time() + 5
    os.utime(path, (later, later))
    assert resolve_settings(tmp_path).ignore == ("DL2",)


TABLE_FORMS = [
    '[tool.dioptra-lint]\nignore = ["DL205"]\n',
    '[ tool . "dioptra-lint" ]  # spaced and quoted\nignore = ["DL205"]\n',
    "[tool.'dioptra-lint'.per-file-ignores]\n\"x\" = [\"DL205\"]\n",
    '[tool]\ndioptra-lint = { ignore = ["DL205"] }\n',
    '[tool]\n"dioptra-lint".ignore = ["DL205"]\n',
    'tool.dioptra-lint.ignore = ["DL205"]\n[project]\nname = "x"\n',
    'tool = { dioptra-lint = { ignore = ["DL205"] } }\n',
    '[project]\nname = "x"\ndependencies = [\n  ["nested"],\n]\n[tool.dioptra-lint]\nselect = []\n',
]


@pytest.mark.parametrize("text", TABLE_FORMS)
def test_the_cheap_scan_never_hides_a_table_tomllib_finds(text):
    assert "dioptra-lint" in tomllib.loads(text)["tool"]   # the oracle: each form is real
    assert may_have_tool_table(text)


def test_a_pyproject_naming_the_tool_only_as_a_dependency_is_not_parsed():
    text = ('[project]\nname = "dioptra-lint"\ndependencies = ["dioptra-lint[lsp]"]\n'
            '[project.scripts]\ndioptra-lint = "dioptra_lsp.cli:entry"\n'
            '[tool.other]\nx = 1\n')
    assert "dioptra-lint" not in tomllib.loads(text).get("tool", {})
    assert not may_have_tool_table(text)
