"""The real ``dioptra-lint`` CLI, run as a subprocess, on projects written into tmp_path."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

MLPROJECT = """\
name: demo

entry_points:
  main:
    parameters:
      data_dir: {type: path, default: /nfs/data}
      epochs: {type: float, default: 3}
    command: >
      python src/train.py
      --data-dir {data_dir}
      --epochs {epochs}
"""

SCRIPT = '''\
import click
from dioptra import pyplugs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH = "dioptra_custom"


@click.command()
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False), help="Data root")
@click.option("--epochs", type=click.INT, default=1, help="Training epochs")
def train(data_dir, epochs):
    flow = init_flow()
    flow.run(parameters=dict(data_dir=data_dir, epochs=epochs))


def init_flow():
    with Flow("Train") as flow:
        data_dir, epochs = Parameter("data_dir"), Parameter("epochs")
        pyplugs.call_task(f"{_PLUGINS_IMPORT_PATH}.fit", "trainer", "fit", data_dir=data_dir, epochs=epochs)
    return flow


if __name__ == "__main__":
    train()
'''

PLUGIN = '''\
from dioptra import pyplugs


@pyplugs.register
def fit(data_dir, epochs=1):
    """Fit a model."""
    return data_dir, epochs
'''


def write_project(root: Path, mlproject: str = MLPROJECT, script: str = SCRIPT) -> Path:
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "dioptra_custom" / "fit").mkdir(parents=True, exist_ok=True)
    (root / "MLproject").write_text(mlproject, encoding="utf-8")
    (root / "src" / "train.py").write_text(script, encoding="utf-8")
    (root / "dioptra_custom" / "fit" / "trainer.py").write_text(PLUGIN, encoding="utf-8")
    return root


def cli(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DIOPTRA_PLUGIN_DIR"}
    return subprocess.run([sys.executable, "-m", "dioptra_lsp.cli", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, env=env, timeout=60)


def test_clean_project_passes(tmp_path):
    write_project(tmp_path / "ep")
    result = cli("check", "ep", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout
    assert "Traceback" not in result.stderr


def test_unknown_flag_is_reported_with_position_and_alternatives(tmp_path):
    write_project(tmp_path / "ep", MLPROJECT.replace("--epochs {epochs}", "--epoch {epochs}"))
    result = cli("check", "ep", cwd=tmp_path)
    assert result.returncode == 1
    line = next(l for l in result.stdout.splitlines() if "DL201" in l)
    assert line.startswith("ep/MLproject:11:7: DL201 ")
    assert "did you mean `--epochs`?" in line and "src/train.py:" in line and "--data-dir" in line


def test_json_output_contract(tmp_path):
    write_project(tmp_path / "ep", MLPROJECT.replace("--epochs {epochs}", "--epoch {epochs}"))
    result = cli("check", "--format", "json", "ep", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert data and all(set(d) == {"file", "line", "column", "end_line", "end_column", "code", "name",
                                   "severity", "message", "fix"} for d in data)
    (finding,) = [d for d in data if d["code"] == "DL201"]
    assert finding["file"] == "ep/MLproject"
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (11, 7, 11, 14)
    assert finding["severity"] == "error" and finding["name"] == "unknown-option"
    assert finding["fix"]["edits"][0]["new_text"] == "--epochs"


def test_select_ignore_and_fail_on(tmp_path):
    write_project(tmp_path / "ep", MLPROJECT.replace("--epochs {epochs}", "--epoch {epochs}"))
    assert cli("check", "--ignore", "DL2", "ep", cwd=tmp_path).returncode == 0
    selected = cli("check", "--select", "DL201", "--format", "json", "ep", cwd=tmp_path)
    assert {d["code"] for d in json.loads(selected.stdout)} == {"DL201"}
    # an unused parameter is a warning: --fail-on error lets it pass
    write_project(tmp_path / "w", MLPROJECT.replace("      --epochs {epochs}\n", ""))
    warned = cli("check", "--select", "DL107", "w", cwd=tmp_path)
    assert warned.returncode == 1 and "DL107" in warned.stdout
    assert cli("check", "--select", "DL107", "--fail-on", "error", "w", cwd=tmp_path).returncode == 0


def test_noqa_in_mlproject_and_python(tmp_path):
    text = MLPROJECT.replace("data_dir: {type: path, default: /nfs/data}",
                             "data_dir: {type: text, default: /nfs/data}  # noqa: DL104")
    write_project(tmp_path / "ep", text)
    assert "DL104" not in cli("check", "ep", cwd=tmp_path).stdout
    # Inside a block command a `# noqa` is command text (DL113), not a suppression; --fix
    # moves it to the `command: >` line, where it covers the command.
    text = MLPROJECT.replace("--epochs {epochs}", "--epoch {epochs}  # noqa: DL201")
    write_project(tmp_path / "ep", text)
    out = cli("check", "--output-format", "concise", "ep", cwd=tmp_path).stdout
    assert "DL201 " in out and "DL113 [*] " in out
    cli("check", "--fix", "ep", cwd=tmp_path)
    assert (tmp_path / "ep" / "MLproject").read_text() == MLPROJECT.replace(
        "--epochs {epochs}", "--epoch {epochs}").replace("command: >", "command: >  # noqa: DL201")
    assert cli("check", "ep", cwd=tmp_path).returncode == 0
    write_project(tmp_path / "ep", MLPROJECT, SCRIPT.replace('"--epochs", type', '"--epochs", "-e", type')
                  .replace('        pyplugs.call_task(', '        print("x")  # noqa\n        pyplugs.call_task('))
    out = cli("check", "ep", cwd=tmp_path)
    assert "DL401" not in out.stdout, out.stdout


def test_pyproject_config_per_file_ignores_and_unknown_keys(tmp_path):
    write_project(tmp_path / "ep", MLPROJECT.replace("--epochs {epochs}", "--epoch {epochs}"))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dioptra-lint]\nper-file-ignores = { "ep/MLproject" = ["DL201"] }\n')
    assert "DL201" not in cli("check", "ep", cwd=tmp_path).stdout
    (tmp_path / "pyproject.toml").write_text('[tool.dioptra-lint]\nselekt = ["DL2"]\n')
    bad = cli("check", "ep", cwd=tmp_path)
    assert bad.returncode == 2
    assert "selekt" in bad.stderr and "did you mean `select`" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert "passed" not in bad.stdout and bad.stdout.splitlines()[-1].startswith("Nothing checked")


def test_a_missing_path_is_an_error_beside_the_findings_never_a_pass(tmp_path):
    write_project(tmp_path / "ep")
    result = cli("check", "ep", "nowhere", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["dioptra-lint: nowhere: no such file or directory"]
    assert result.stdout.splitlines()[-1] == ("Not fully checked: 1 error stopped part of the "
                                              "check (see above); no findings in 1 entry-point "
                                              "project, 3 files.")
    alone = cli("check", "nowhere", cwd=tmp_path)
    assert alone.returncode == 2 and "passed" not in alone.stdout


def test_a_folder_without_an_mlproject_warns_and_passes_nothing(tmp_path):
    """As ruff warns when it finds no Python file (and exits 0)."""
    (tmp_path / "empty" / "src").mkdir(parents=True)
    (tmp_path / "empty" / "src" / "train.py").write_text("print(1)\n")
    result = cli("check", "empty", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == ("dioptra-lint: warning: no MLproject found under empty; nothing "
                             "was checked\n")
    assert result.stdout == "Nothing checked: no MLproject found under the given paths.\n"


def test_stdin_buffer_replaces_the_file_on_disk(tmp_path):
    write_project(tmp_path / "ep")
    buffer = MLPROJECT.replace("--epochs {epochs}", "--epoch {epochs}")
    result = cli("check", "--stdin-filename", "ep/MLproject", cwd=tmp_path, stdin=buffer)
    assert result.returncode == 1 and "ep/MLproject:11:7: DL201" in result.stdout


def test_fix_rewrites_atomically_and_keeps_everything_else(tmp_path):
    text = MLPROJECT.replace("epochs: {type: float, default: 3}",
                             "epochs: {type:float, default: 3}   # keep this comment")
    write_project(tmp_path / "ep", text)
    before = cli("check", "ep", cwd=tmp_path)
    assert "DL103" in before.stdout
    after = cli("check", "--fix", "ep", cwd=tmp_path)
    assert "DL103" not in after.stdout
    assert (tmp_path / "ep" / "MLproject").read_text() == text.replace("type:float", "type: float")
    assert not [p for p in (tmp_path / "ep").iterdir() if p.name.endswith(".tmp")]


def test_rule_pages_print(tmp_path):
    page = cli("rule", "DL201", cwd=tmp_path)
    assert page.returncode == 0 and page.stdout.startswith("# DL201: unknown-option")
    every = cli("rule", "--all", cwd=tmp_path)
    assert every.stdout.count("\n# DL") >= 29
    assert cli("rule", "DL999", cwd=tmp_path).returncode == 2


def test_version(tmp_path):
    from dioptra_lsp import __version__

    out = cli("--version", cwd=tmp_path)
    assert out.returncode == 0 and __version__ in out.stdout


BAD_INPUTS = {
    "non_utf8": lambda p: (p / "MLproject").write_bytes(b"name: \xff\xfe bad\n"),
    "binary": lambda p: (p / "MLproject").write_bytes(b"\x00\x01\x02binary"),
    "yaml_syntax": lambda p: (p / "MLproject").write_text("entry_points:\n  main: [\n"),
    "list": lambda p: (p / "MLproject").write_text("- a\n- b\n"),
    "empty": lambda p: (p / "MLproject").write_text(""),
    "nested": lambda p: (p / "MLproject").write_text("entry_points: " + "[" * 5000 + "]" * 5000),
    "huge": lambda p: (p / "MLproject").write_bytes(b"# " + b"x" * (50 * 1024 * 1024) + b"\n"),
    "symlink_loop": lambda p: os.symlink(p / "MLproject", p / "MLproject"),
    "script_is_dir": lambda p: (write_project(p), (p / "src" / "train.py").unlink(),
                                (p / "src" / "train.py").mkdir()),
    "python_syntax": lambda p: write_project(p, MLPROJECT, "def broken(:\n"),
    "python_binary": lambda p: (write_project(p), (p / "src" / "train.py").write_bytes(b"\x00\xff")),
    # Reading these would block forever (a FIFO) or never end (/dev/zero).
    "fifo": lambda p: os.mkfifo(p / "MLproject"),
    "script_is_a_device": lambda p: (write_project(p), (p / "src" / "train.py").unlink(),
                                     os.symlink("/dev/zero", p / "src" / "train.py")),
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_is_one_clear_diagnostic_and_the_rest_is_linted(tmp_path, kind):
    bad = tmp_path / "bad"
    bad.mkdir()
    BAD_INPUTS[kind](bad)
    write_project(tmp_path / "good", MLPROJECT.replace("--epochs {epochs}", "--epoch {epochs}"))
    result = cli("check", ".", cwd=tmp_path)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 1, result.stderr
    assert "good/MLproject:11:7: DL201" in result.stdout          # the rest is still linted
    bad_lines = [l for l in result.stdout.splitlines() if l.startswith("bad/")]
    assert bad_lines, result.stdout
    assert any(" DL001 " in l or " DL101 " in l for l in bad_lines), bad_lines


def test_noqa_on_the_block_header_covers_the_folded_command(tmp_path):
    text = MLPROJECT.replace("--epochs {epochs}", "--epoch {epochs}")
    write_project(tmp_path / "ep", text.replace("command: >", "command: >  # noqa: DL201"))
    assert "DL201" not in cli("check", "ep", cwd=tmp_path).stdout
    write_project(tmp_path / "ep", text.replace("command: >", "command: >  # noqa: DL107"))
    assert "DL201" in cli("check", "ep", cwd=tmp_path).stdout


def _github_unescape(text: str) -> str:
    for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, raw)
    return text


def test_github_format_annotates_what_json_reports(tmp_path):
    """Every finding becomes one workflow command, carrying the JSON output's fields."""
    import re

    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "broken-cli", tmp_path / "ep")
    data = json.loads(cli("check", "--format", "json", "ep", cwd=tmp_path).stdout)
    result = cli("check", "--format", "github", "ep", cwd=tmp_path)
    assert result.returncode == 1
    pattern = re.compile(r"::(error|warning|notice) file=([^,]*),line=(\d+),endLine=(\d+),"
                         r"col=(\d+),endColumn=(\d+),title=([^:]*)::(.*)")
    commands = [pattern.fullmatch(line) for line in result.stdout.splitlines()[:-1]]
    assert len(commands) == len(data) > 3 and all(commands)
    level = {"error": "error", "warning": "warning", "info": "notice"}
    for m, d in zip(commands, data):
        assert m.group(1) == level[d["severity"]]
        assert _github_unescape(m.group(2)) == d["file"]
        assert tuple(map(int, m.group(3, 5, 4, 6))) == (d["line"], d["column"], d["end_line"],
                                                         d["end_column"])
        assert _github_unescape(m.group(7)) == f"{d['code']} {d['name']}"
        assert _github_unescape(m.group(8)) == d["message"]
    assert result.stdout.splitlines()[-1].startswith("Found ")


def test_github_escaping_keeps_every_character():
    from dioptra_lsp.output import _github_data, _github_property

    text = "50% of a:b,c\r\nnext %0A line"
    assert "\n" not in _github_data(text) and _github_unescape(_github_data(text)) == text
    prop = _github_property(text)
    assert not set(":,\r\n") & set(prop) and _github_unescape(prop) == text


def test_full_format_shows_each_source_line_with_carets_under_the_range(tmp_path):
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "broken-cli", tmp_path / "ep")
    data = json.loads(cli("check", "--format", "json", "ep", cwd=tmp_path).stdout)
    text = cli("check", "ep", cwd=tmp_path).stdout.splitlines()
    full = cli("check", "--format", "full", "ep", cwd=tmp_path)
    assert full.returncode == 1
    blocks = full.stdout.strip().split("\n\n")
    assert blocks[-1] == text[-1]                   # the summary
    assert len(blocks) - 1 == len(data) > 3
    for block, d, header in zip(blocks, data, text):
        lines = block.split("\n")
        assert lines[0] == header                   # the same first line as the text format
        source = (tmp_path / d["file"]).read_text().split("\n")[d["line"] - 1]
        gutter = str(d["line"])
        assert lines[2] == f"{gutter} | {source}"   # (no tabs in these files)
        carets = lines[3][len(gutter) + 3:]
        width = (d["end_column"] - d["column"]) if d["end_line"] == d["line"] \
            else len(source) - d["column"] + 1
        assert carets == " " * (d["column"] - 1) + "^" * max(width, 1) + f" {d['code']}"
        if d["fix"] is not None:
            assert lines[-1].endswith(f"fix: {d['fix']['title']}")


def test_full_format_shows_the_detail_the_one_line_formats_leave_out(tmp_path):
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "broken-plugins", tmp_path / "ep")
    text = cli("check", "ep", cwd=tmp_path).stdout
    full = cli("check", "--format", "full", "ep", cwd=tmp_path).stdout
    (block,) = [b for b in full.split("\n\n") if "DL404 keyword `image_size`" in b]
    assert "  = Signature: load_dataset(data_dir, target_size: tuple, batch_size: int = 32" in block
    assert "Signature:" not in text


def test_full_format_expands_tabs_before_the_carets_too():
    from dioptra_lsp.diagnostics import Diagnostic, Severity
    from dioptra_lsp.model.source import Span
    from dioptra_lsp.output import render_full

    diag = Diagnostic("DL201", "unknown-option", Severity.ERROR, Path("MLproject"),
                      Span.of(0, 2, 0, 5), "bad flag")
    out = render_full([diag], lambda path: "\t\t--x 1\n").split("\n")
    assert out[2] == "1 |         --x 1"
    assert out[3] == "  |         ^^^ DL201"


def test_sarif_output_is_a_valid_log_of_the_same_findings(tmp_path):
    """Parsed with sarif-pydantic's SARIF 2.1.0 model (a test extra); every typed field must
    carry what the JSON output says, so a misspelt property (left as an 'extra') shows."""
    import sarif_pydantic

    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "broken-plugins", tmp_path / "ep")
    findings = json.loads(cli("check", "--format", "json", "ep", cwd=tmp_path).stdout)
    raw = json.loads(cli("check", "--format", "sarif", "ep", cwd=tmp_path).stdout)
    log = sarif_pydantic.Sarif.model_validate(raw)
    (run,) = log.runs
    assert raw["runs"][0]["columnKind"] == "unicodeCodePoints"
    rules = run.tool.driver.rules
    assert [r.id for r in rules] == sorted(r.id for r in rules) and len(rules) >= 31
    level = {"error": "error", "warning": "warning", "info": "note"}
    assert len(run.results) == len(findings) > 5
    for result, f in zip(run.results, findings):
        assert rules[result.rule_index].id == result.rule_id == f["code"]
        assert rules[result.rule_index].name == f["name"]
        assert result.level.value == level[f["severity"]]
        # The message, then (after a blank line) the detail that the one-line formats leave out.
        assert result.message.text.split("\n\n")[0] == f["message"]
        (loc,) = result.locations
        assert loc.physical_location.artifact_location.uri == f["file"]
        r = loc.physical_location.region
        assert (r.start_line, r.start_column, r.end_line, r.end_column) == (
            f["line"], f["column"], f["end_line"], f["end_column"])
    assert any(result.related_locations for result in run.results)   # cross-file findings
