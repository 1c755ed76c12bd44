"""``check --fix`` through the real CLI: it changes the bytes it means to change and nothing else."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_cli import SCRIPT, cli, write_project  # noqa: E402 - tests/ is not a package

BROKEN = """\
name: demo
entry_points:
  main:
    parameters:
      data_dir: {type: text, default: /nfs/data}
      epochs: {type: float, default: 3}
    command: python src/train.py --data-dir {data_dir} --epochs {epochs}
"""
FIXED = BROKEN.replace("{type: text,", "{type: string,")


def _fix(tmp_path, data: bytes) -> tuple[bytes, object]:
    write_project(tmp_path / "ep")
    (tmp_path / "ep" / "MLproject").write_bytes(data)
    result = cli("check", "--fix", "ep", cwd=tmp_path)
    return (tmp_path / "ep" / "MLproject").read_bytes(), result


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_yaml_only_line_break_before_the_fix_does_not_shift_it(tmp_path, separator):
    # PyYAML counts a line where the model (and every editor) does not.
    text = BROKEN.replace("name: demo\n", f"name: demo  # a{separator}# b\n")
    after, result = _fix(tmp_path, text.encode())
    assert after == text.replace("{type: text,", "{type: string,").encode(), result.stderr
    assert "DL104" not in result.stdout


def test_carriage_return_only_file_is_fixed_in_place(tmp_path):
    text = BROKEN.replace("\n", "\r")
    after, result = _fix(tmp_path, text.encode())
    assert after == FIXED.replace("\n", "\r").encode(), result.stdout + result.stderr
    assert result.returncode == 0


def test_bom_is_kept_and_does_not_shift_line_one(tmp_path):
    text = "entry_points: {main: {parameters: {x: {type: text}}, command: 'python src/train.py --data-dir {x} --epochs 1'}}\n"
    after, result = _fix(tmp_path, b"\xef\xbb\xbf" + text.encode())
    assert after == b"\xef\xbb\xbf" + text.replace("{type: text}", "{type: string}").encode()
    check = cli("check", "--format", "json", "ep", cwd=tmp_path)
    write_project(tmp_path / "ep")
    (tmp_path / "ep" / "MLproject").write_bytes(b"\xef\xbb\xbf" + text.encode())
    found = json.loads(cli("check", "--format", "json", "ep", cwd=tmp_path).stdout)
    (dl104,) = [d for d in found if d["code"] == "DL104"]
    assert text[dl104["column"] - 1:dl104["end_column"] - 1] == "text"
    assert check.returncode == 0


def test_one_crlf_line_stays_the_only_one(tmp_path):
    text = BROKEN.replace("name: demo\n", "name: demo\r\n")
    after, _ = _fix(tmp_path, text.encode())
    assert after == FIXED.replace("name: demo\n", "name: demo\r\n").encode()


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_inserted_text_takes_the_line_break_of_its_place(tmp_path, newline):
    script = SCRIPT.replace('if __name__ == "__main__":\n    train()\n', "").rstrip("\n")
    write_project(tmp_path / "ep")
    path = tmp_path / "ep" / "src" / "train.py"
    path.write_bytes(script.replace("\n", newline).encode())
    result = cli("check", "--fix", "ep", cwd=tmp_path)
    assert "DL208" not in result.stdout, result.stdout
    after = path.read_bytes().decode()
    assert after.startswith(script.replace("\n", newline))
    assert after[len(script.replace("\n", newline)):] == (
        f'{newline * 3}if __name__ == "__main__":{newline}    train(){newline}')


def test_fixes_run_to_a_fixpoint_and_a_second_run_changes_nothing(tmp_path):
    # DL103's fix exposes `type: str`, which DL104 then fixes: as in ruff, both in one run.
    text = BROKEN.replace("{type: text,", "{type:text,")
    after, result = _fix(tmp_path, text.encode())
    assert after == FIXED.encode(), result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == \
        "Found 2 problems (2 fixed, 0 remaining) in 1 entry-point project, 3 files."
    assert result.returncode == 0
    again = cli("check", "--fix", "ep", cwd=tmp_path)
    assert (tmp_path / "ep" / "MLproject").read_bytes() == after
    assert again.stdout.splitlines()[-1].startswith("All checks passed")
    assert again.returncode == 0


def test_a_fix_that_breaks_the_yaml_is_rolled_back_and_said(tmp_path):
    # `{default:#x}` is one odd key; `default: #x` would turn the rest of the line into a comment.
    text = BROKEN.replace("data_dir: {type: text, default: /nfs/data}",
                          "data_dir: {default:#x, type: string}")
    after, result = _fix(tmp_path, text.encode())
    assert after == text.encode()
    assert "ep/MLproject: fixes not applied: they would introduce a syntax error (DL001)" in result.stderr
    assert result.returncode == 1 and "DL103" in result.stdout and "internal error" not in result.stderr


def test_a_fix_that_exposes_a_new_finding_is_rolled_back(tmp_path):
    text = BROKEN.replace("epochs: {type: float, default: 3}", "epochs: {type:float, default: abc}")
    after, result = _fix(tmp_path, text.encode())
    # DL104's fix (text -> string) is in the same file: the file is left whole as it was.
    assert after == text.encode()
    assert "they would introduce new findings (DL105)" in result.stderr
    assert result.returncode == 1


def _plain_project(tmp_path):
    """A project with one safe fix in the MLproject and one in the script (DL208)."""
    write_project(tmp_path / "ep")
    (tmp_path / "ep" / "MLproject").write_text(BROKEN)
    script = tmp_path / "ep" / "src" / "train.py"
    script.write_text(SCRIPT.replace('if __name__ == "__main__":\n    train()\n', ""))
    return tmp_path / "ep" / "MLproject", script


def test_read_only_file_is_named_and_the_others_are_still_fixed(tmp_path):
    mlproject, script = _plain_project(tmp_path)
    before = mlproject.read_bytes()
    mlproject.chmod(0o444)
    result = cli("check", "--fix", "ep", cwd=tmp_path)
    assert mlproject.read_bytes() == before and oct(mlproject.stat().st_mode & 0o777) == "0o444"
    assert "ep/MLproject: not fixed: the file is read-only" in result.stderr
    assert 'if __name__ == "__main__":' in script.read_text()
    assert result.returncode == 1 and "internal error" not in result.stderr


def test_read_only_folder_is_named_and_the_others_are_still_fixed(tmp_path):
    mlproject, script = _plain_project(tmp_path)
    before = script.read_bytes()
    script.parent.chmod(0o555)
    try:
        result = cli("check", "--fix", "ep", cwd=tmp_path)
    finally:
        script.parent.chmod(0o755)
    assert script.read_bytes() == before
    assert "ep/src/train.py: not fixed: its folder is read-only" in result.stderr
    assert mlproject.read_text() == FIXED
    assert result.returncode == 1 and "internal error" not in result.stderr


@pytest.mark.parametrize("elsewhere", ["sibling", "other-filesystem"])
def test_a_symlink_out_of_the_tree_is_not_followed(tmp_path, elsewhere):
    mlproject, script = _plain_project(tmp_path)
    if elsewhere == "sibling":
        outside = tmp_path / "outside" / "train.py"
        outside.parent.mkdir()
    else:
        import tempfile

        outside = Path(tempfile.mkdtemp(dir="/dev/shm")) / "train.py"
    outside.write_bytes(script.read_bytes())
    script.unlink()
    script.symlink_to(outside)
    before = outside.read_bytes()
    result = cli("check", "--fix", "ep", cwd=tmp_path)
    assert outside.read_bytes() == before
    assert f"ep/src/train.py: not fixed: it is outside the projects being checked (a symlink to {outside})" \
        in result.stderr
    assert mlproject.read_text() == FIXED
    assert result.returncode == 1 and "internal error" not in result.stderr


def test_a_symlink_inside_the_project_is_followed_and_stays_a_symlink(tmp_path):
    mlproject, script = _plain_project(tmp_path)
    real = tmp_path / "ep" / "real_MLproject"
    mlproject.rename(real)
    mlproject.symlink_to("real_MLproject")
    result = cli("check", "--fix", "ep", cwd=tmp_path)
    assert mlproject.is_symlink() and real.read_text() == FIXED, result.stderr
    assert result.returncode == 0


def test_mode_and_owner_are_kept(tmp_path):
    import os

    mlproject, _ = _plain_project(tmp_path)
    mlproject.chmod(0o640)
    if os.getuid() == 0:
        os.chown(mlproject, 1234, 4321)
    cli("check", "--fix", "ep", cwd=tmp_path)
    info = mlproject.stat()
    assert mlproject.read_text() == FIXED
    assert oct(info.st_mode & 0o7777) == "0o640"
    if os.getuid() == 0:
        assert (info.st_uid, info.st_gid) == (1234, 4321)


def test_a_file_changed_after_the_analysis_gets_edits_computed_from_its_new_text(tmp_path, monkeypatch):
    """An editor saves while --fix runs: the old offsets must not land on the new text
    (`epochs:` became `stringochs:`).  The in-process fix API, with the save between the
    analysis and the write."""
    from dioptra_lsp import fixes

    monkeypatch.chdir(tmp_path)
    mlproject, _ = _plain_project(tmp_path)
    saved = "# a comment the editor added\n" + BROKEN
    real_write = fixes._Session.write
    calls = []

    def save_first(session, last):
        if not calls:
            mlproject.write_text(saved)       # the save lands after the analysis
        calls.append(last)
        return real_write(session, last)

    monkeypatch.setattr(fixes._Session, "write", save_first)
    report = fixes.fix_paths([Path("ep")])
    assert len(calls) == 2                     # the first run saw the change and started again
    assert mlproject.read_text() == "# a comment the editor added\n" + FIXED
    assert not report.problems and report.fixed >= 2


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\r"])
def test_reported_lines_and_columns_are_the_editors_whatever_the_separators(tmp_path, separator):
    """JSON, SARIF and --format full count lines as editors do (\\r\\n, \\r, \\n) and columns
    in characters, past an astral character on the same line."""
    text = BROKEN.replace("name: demo\n", f"name: demo  # a{separator}# b\n").replace(
        "{type: text, default: /nfs/data}", "{default: '\U0001F600', type: text}")
    write_project(tmp_path / "ep")
    (tmp_path / "ep" / "MLproject").write_bytes(text.encode())
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found = json.loads(cli("check", "--output-format", "json", "ep", cwd=tmp_path).stdout)
    (dl104,) = [d for d in found if d["code"] == "DL104"]
    line = lines[dl104["line"] - 1]
    assert line[dl104["column"] - 1:dl104["end_column"] - 1] == "text"
    sarif = json.loads(cli("check", "--output-format", "sarif", "ep", cwd=tmp_path).stdout)
    region = next(r["locations"][0]["physicalLocation"]["region"]
                  for r in sarif["runs"][0]["results"] if r["ruleId"] == "DL104")
    assert (region["startLine"], region["startColumn"]) == (dl104["line"], dl104["column"])
    full = cli("check", "--output-format", "full", "ep", cwd=tmp_path).stdout
    assert f"{dl104['line']} | {line}" in full
