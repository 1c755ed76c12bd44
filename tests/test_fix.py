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
      data_dir: {type: str, default: /nfs/data}
      epochs: {type: float, default: 3}
    command: python src/train.py --data-dir {data_dir} --epochs {epochs}
"""
FIXED = BROKEN.replace("{type: str,", "{type: string,")


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
    assert after == text.replace("{type: str,", "{type: string,").encode(), result.stderr
    assert "DL104" not in result.stdout


def test_carriage_return_only_file_is_fixed_in_place(tmp_path):
    text = BROKEN.replace("\n", "\r")
    after, result = _fix(tmp_path, text.encode())
    assert after == FIXED.replace("\n", "\r").encode(), result.stdout + result.stderr
    assert result.returncode == 0


def test_bom_is_kept_and_does_not_shift_line_one(tmp_path):
    text = "entry_points: {main: {parameters: {x: {type: str}}, command: 'python src/train.py --data-dir {x} --epochs 1'}}\n"
    after, result = _fix(tmp_path, b"\xef\xbb\xbf" + text.encode())
    assert after == b"\xef\xbb\xbf" + text.replace("{type: str}", "{type: string}").encode()
    check = cli("check", "--format", "json", "ep", cwd=tmp_path)
    write_project(tmp_path / "ep")
    (tmp_path / "ep" / "MLproject").write_bytes(b"\xef\xbb\xbf" + text.encode())
    found = json.loads(cli("check", "--format", "json", "ep", cwd=tmp_path).stdout)
    (dl104,) = [d for d in found if d["code"] == "DL104"]
    assert text[dl104["column"] - 1:dl104["end_column"] - 1] == "str"
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
