"""Rule selection and settings overrides, as ruff has them.

The precedence of select / extend-select / ignore across the config file and the command line
is held against ruff itself (a test extra): ruff resolves the same layers over its Pyflakes
rules, and ``ruff check --show-settings`` prints what it enabled.  The rest runs the real CLI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dioptra_lsp.config import (
    ConfigError,
    Overrides,
    RuleSelection,
    forget_cached_configs,
    overrides_from_table,
    resolve_settings,
    rule_codes,
    selected_codes,
    settings_from_table,
)

REPO = Path(__file__).resolve().parents[1]
RUFF = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")


@pytest.fixture(autouse=True)
def _fresh():
    forget_cached_configs()
    yield
    forget_cached_configs()


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k != "DIOPTRA_PLUGIN_DIR" and not k.startswith("DIOPTRA_LINT_")}
    return subprocess.run([sys.executable, "-m", "dioptra_lsp.cli", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=120)


# -- ruff as the oracle ----------------------------------------------------------------------

@lru_cache(maxsize=1)
def pyflakes_rules() -> tuple[str, ...]:
    """ruff's stable Pyflakes rules that it runs by default: a code family with the same shape
    as ours (F, F4, F40, F401), all on by default as all of ours are.  (Each rule's fate is
    decided on its own, so comparing on these codes alone is exact.)"""
    out = subprocess.run([RUFF, "rule", "--all", "--output-format", "json"], capture_output=True,
                         text=True, check=True).stdout
    stable = {r["code"] for r in json.loads(out) if r["linter"] == "Pyflakes"
              and not r.get("preview") and "Stable" in (r.get("status") or {})}
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        default = _ruff_enabled(Path(tmp), None, RuleSelection())
    return tuple(sorted(stable & default))


def ruff_enabled(tmp: Path, config: RuleSelection | None, command_line: RuleSelection) -> set[str]:
    return _ruff_enabled(tmp, config, command_line) & set(pyflakes_rules())


def _ruff_enabled(tmp: Path, config: RuleSelection | None, command_line: RuleSelection) -> set[str]:
    lines = ["[lint]"]
    if config is not None:
        for key, values in (("select", config.select), ("extend-select", config.extend_select),
                            ("ignore", config.ignore)):
            if values or (key == "select" and config.select):
                lines.append(f"{key} = {json.dumps(list(values))}")
    (tmp / "ruff.toml").write_text("\n".join(lines) + "\n")
    (tmp / "x.py").write_text("")
    args = [RUFF, "check", "--show-settings", "--config", str(tmp / "ruff.toml")]
    for flag, values in (("--select", command_line.select),
                         ("--extend-select", command_line.extend_select),
                         ("--ignore", command_line.ignore)):
        if values:
            args.append(f"{flag}={','.join(values)}")
    out = subprocess.run([*args, str(tmp / "x.py")], capture_output=True, text=True, check=True,
                         cwd=tmp).stdout
    block = out[out.index("linter.rules.enabled = ["):]
    block = block[:block.index("]")]
    return set(re.findall(r"\((\w+)\)", block))


def _prefixes() -> list[str]:
    codes = pyflakes_rules()
    return sorted({code[:n] for code in codes for n in range(1, len(code) + 1)}) + ["ALL", "E4"]


@st.composite
def layers(draw, allow_select: bool = True) -> RuleSelection:
    pick = st.lists(st.sampled_from(_prefixes()), max_size=3, unique=True)
    select = tuple(draw(pick.filter(bool))) if allow_select and draw(st.booleans()) else ()
    return RuleSelection(select, tuple(draw(pick)), tuple(draw(pick)))


@settings(max_examples=120, deadline=None)
@given(config=layers(), command_line=layers())
def test_precedence_is_ruffs(tmp_path_factory, config, command_line):
    """Each layer in order; a layer with select starts over; the more specific selector wins
    inside a layer, ignore a tie: whatever ruff enables, we enable (over the same codes)."""
    tmp = tmp_path_factory.mktemp("ruff")
    expected = ruff_enabled(tmp, config, command_line)
    assert set(selected_codes([config, command_line], pyflakes_rules())) == expected


def test_the_named_cases_agree_with_ruff(tmp_path):
    """The cases issue 8 names, over ruff's codes (F841 in the place of DL205)."""
    cases = [
        (None, RuleSelection(ignore=("ALL",))),
        (None, RuleSelection(select=("F841",), ignore=("F841",))),
        (RuleSelection(select=("F841",)), RuleSelection(ignore=("F8",))),
        (RuleSelection(ignore=("F8",)), RuleSelection(select=("F841",))),
    ]
    for config, command_line in cases:
        expected = ruff_enabled(tmp_path, config, command_line)
        layers_ = [layer for layer in (config, command_line) if layer is not None]
        assert set(selected_codes(layers_, pyflakes_rules())) == expected
    assert ruff_enabled(tmp_path, None, RuleSelection(ignore=("ALL",))) == set()
    assert "F841" in ruff_enabled(tmp_path, RuleSelection(ignore=("F8",)),
                                  RuleSelection(select=("F841",)))


def test_all_selects_and_ignores_everything():
    every = set(rule_codes())
    assert set(selected_codes([RuleSelection(select=("ALL",))], rule_codes())) == every
    assert selected_codes([RuleSelection(ignore=("ALL",))], rule_codes()) == frozenset()
    assert set(selected_codes([RuleSelection(select=("DL205",), ignore=("DL205",))],
                              rule_codes())) == set()
    assert set(selected_codes([RuleSelection(select=("DL2",), ignore=("ALL",))],
                              rule_codes())) == {c for c in every if c.startswith("DL2")}


def test_rule_codes_are_the_rule_modules():
    from dioptra_lsp.rules import ALL_RULES

    assert rule_codes() == tuple(r.code for r in ALL_RULES)


# -- unknown selectors ----------------------------------------------------------------------

@pytest.mark.parametrize("key", ["select", "extend-select", "ignore"])
def test_an_unknown_selector_in_a_config_file_names_it_the_key_and_the_file(tmp_path, key):
    path = tmp_path / "dioptra-lint.toml"
    path.write_text(f'{key} = ["DL2O5"]\n')
    with pytest.raises(ConfigError) as err:
        resolve_settings(tmp_path)
    message = str(err.value)
    assert f"`DL2O5` in `{key}` from {path}" in message and "did you mean `DL205`?" in message


@pytest.mark.parametrize("selector", ["DL999", "DL2O5", "DL", "DL2", "D", "dl2", "ALL", "all",
                                      "DL0000", "E501", "DL20 5", ""])
def test_what_a_selector_may_be(selector):
    valid = selector.strip().upper() in ("DL", "DL2", "ALL")
    table = {"select": [selector]}
    if valid:
        assert settings_from_table(table, None).select == (selector.upper(),)
    else:
        with pytest.raises(ConfigError, match="unknown rule selector"):
            settings_from_table(table, None)


def test_per_file_ignores_selectors_are_checked_too(tmp_path):
    with pytest.raises(ConfigError, match=r"`DL9` in `per-file-ignores.legacy/\*`"):
        settings_from_table({"per-file-ignores": {"legacy/*": ["DL9"]}}, tmp_path / "x.toml")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """examples/broken-cli: DL201, DL205 and others."""
    root = tmp_path_factory.mktemp("selection")
    shutil.copytree(REPO / "examples" / "broken-cli", root / "ep")
    return root


def codes(result: subprocess.CompletedProcess) -> set[str]:
    return {d["code"] for d in json.loads(result.stdout)}


def test_unknown_selectors_on_the_command_line_are_usage_errors(project):
    for flag in ("--select", "--extend-select", "--ignore"):
        result = cli("check", flag, "DL201,DL999", "ep", cwd=project)
        assert result.returncode == 2, result.stdout
        assert "DL999" in result.stderr and "the command line" in result.stderr
        assert "All checks passed" not in result.stdout + result.stderr


def test_a_typo_in_the_config_stops_the_run(tmp_path):
    shutil.copytree(REPO / "examples" / "broken-cli", tmp_path / "ep")
    (tmp_path / "pyproject.toml").write_text('[tool.dioptra-lint]\nignore = ["DL2O5"]\n')
    result = cli("check", "ep", cwd=tmp_path)
    assert result.returncode == 2
    assert "`DL2O5` in `ignore`" in result.stderr and "pyproject.toml" in result.stderr
    shutil.copytree(REPO / "examples" / "mnist-classifier", tmp_path / "mnist")
    dry = cli("dry-run", "mnist", "-e", "train", "-P", "data_dir=.", cwd=tmp_path)
    assert dry.returncode == 2 and "`DL2O5`" in dry.stderr


def test_command_line_selection(project):
    every = codes(cli("check", "--output-format", "json", "ep", cwd=project))
    assert {"DL201", "DL205"} <= every
    assert codes(cli("check", "--output-format", "json", "--ignore", "ALL", "ep",
                     cwd=project)) == set()
    assert "DL205" not in codes(cli("check", "--output-format", "json", "--select", "DL205",
                                    "--ignore", "DL205", "ep", cwd=project))
    assert codes(cli("check", "--output-format", "json", "--select", "DL205", "--ignore", "DL2",
                     "ep", cwd=project)) == {"DL205"}


def test_command_line_layers_over_the_config(tmp_path):
    shutil.copytree(REPO / "examples" / "broken-cli", tmp_path / "ep")
    config = tmp_path / "dioptra-lint.toml"
    config.write_text('select = ["DL2"]\nignore = ["DL201"]\n')
    base = codes(cli("check", "--output-format", "json", "ep", cwd=tmp_path))
    assert "DL201" not in base and base and all(c.startswith("DL2") for c in base)
    # no --select: --extend-select adds on top of the config's selection
    extended = codes(cli("check", "--output-format", "json", "--extend-select", "DL201,DL107",
                         "ep", cwd=tmp_path))
    assert extended == base | {"DL201", "DL107"}
    # --select starts over: the config's ignore was part of the layer it replaces (ruff)
    assert codes(cli("check", "--output-format", "json", "--select", "DL201", "ep",
                     cwd=tmp_path)) == {"DL201"}
    # per-file-ignores take a rule away whatever selected it
    config.write_text('per-file-ignores = { "ep/MLproject" = ["DL201"] }\n')
    assert "DL201" not in codes(cli("check", "--output-format", "json", "--select", "DL201",
                                    "ep", cwd=tmp_path))


# -- exclude on the command line -------------------------------------------------------------

@pytest.fixture()
def two_projects(tmp_path) -> Path:
    for name in ("keep", "old/legacy"):
        shutil.copytree(REPO / "examples" / "broken-cli", tmp_path / name)
    return tmp_path


def linted(result: subprocess.CompletedProcess) -> set[str]:
    return {d["file"].split("/")[0] + ("/" + d["file"].split("/")[1]
                                       if d["file"].startswith("old/") else "")
            for d in json.loads(result.stdout)}


def test_exclude_and_extend_exclude(two_projects):
    root = two_projects
    assert linted(cli("check", "--output-format", "json", ".", cwd=root)) == {"keep",
                                                                               "old/legacy"}
    assert linted(cli("check", "--output-format", "json", "--exclude", "legacy", ".",
                      cwd=root)) == {"keep"}
    # a pattern with a slash is a path from the current folder
    assert linted(cli("check", "--output-format", "json", "--exclude", "old/leg*", ".",
                      cwd=root)) == {"keep"}
    (root / "dioptra-lint.toml").write_text('exclude = ["keep"]\n')
    assert linted(cli("check", "--output-format", "json", ".", cwd=root)) == {"old/legacy"}
    # --exclude replaces the config's; --extend-exclude adds to it
    assert linted(cli("check", "--output-format", "json", "--exclude", "legacy", ".",
                      cwd=root)) == {"keep"}
    assert linted(cli("check", "--output-format", "json", "--extend-exclude", "legacy", ".",
                      cwd=root)) == set()
    (root / "dioptra-lint.toml").write_text('extend-exclude = ["old"]\n')
    assert linted(cli("check", "--output-format", "json", ".", cwd=root)) == {"keep"}


# -- one merge for every front-end -----------------------------------------------------------

def test_the_editor_and_the_command_line_give_the_same_overrides(tmp_path):
    from dioptra_lsp.lsp.settings import overrides_from_options

    editor = overrides_from_options({"dioptra-lint": {
        "select": ["dl2"], "extendSelect": ["DL107"], "ignore": ["DL205"],
        "pluginDirs": ["plugins"], "extendExclude": ["vendored"], "trace": "off"}}, root=tmp_path)
    command_line = overrides_from_table({"select": ["DL2"], "extend-select": ["DL107"],
                                         "ignore": ["DL205"], "plugin-dirs": ["plugins"],
                                         "extend-exclude": ["vendored"]},
                                        "the command line", tmp_path)
    assert editor == command_line
    assert editor.plugin_dirs == (tmp_path / "plugins",)
    with pytest.raises(ConfigError, match=r"`DL999` in `ignore` from the editor's settings"):
        overrides_from_options({"ignore": ["DL999"]})


def test_the_language_server_resolves_settings_as_the_cli_does(tmp_path):
    from dioptra_lsp.lsp.settings import overrides_from_options
    from dioptra_lsp.lsp.state import State

    (tmp_path / "dioptra-lint.toml").write_text('select = ["DL2"]\nplugin-dirs = ["a"]\n')
    state = State()
    state.overrides = overrides_from_options({"ignore": ["DL201"], "pluginDirs": ["b"]},
                                             root=tmp_path)
    mine = state.settings_for(tmp_path)
    assert mine == resolve_settings(tmp_path, overrides=state.overrides)
    assert "DL201" not in mine.enabled_codes and "DL205" in mine.enabled_codes
    assert "DL107" not in mine.enabled_codes
    assert mine.plugin_dirs == (tmp_path / "a", tmp_path / "b")
    # a config file edited on disk is noticed without a file watcher
    config = tmp_path / "dioptra-lint.toml"
    config.write_text('select = ["DL1"]\n')
    later = config.stat().st_mtime + 5
    os.utime(config, (later, later))
    assert "DL107" in state.settings_for(tmp_path).enabled_codes
    # a broken config file: the editor's settings still apply, and the error is kept
    config.write_text('select = ["DL1O7"]\n')
    os.utime(config, (later + 5, later + 5))
    fallback = state.settings_for(tmp_path)
    assert "DL1O7" in state.config_errors[tmp_path]
    assert "DL201" not in fallback.enabled_codes and "DL205" in fallback.enabled_codes


def test_overrides_merge_once(tmp_path):
    overrides = Overrides(ignore=("DL201",))
    first = resolve_settings(tmp_path, overrides=overrides)
    assert resolve_settings(tmp_path, overrides=Overrides(ignore=("DL201",))) is first
    assert resolve_settings(tmp_path, overrides=Overrides()) == resolve_settings(tmp_path) != first
