"""``# noqa`` hygiene: how a directive is read (held against ruff), DL002 (unused directives),
DL113 (a ``#`` inside a block command, held against bash) and ``--add-noqa``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_cli import MLPROJECT, SCRIPT, cli, write_project  # noqa: E402 - tests/ is not a package

from dioptra_lsp.model import noqa  # noqa: E402

# ------------------------------------------------------------------ reading, against ruff

COMMENTS = ["# noqa", "#noqa", "# NOQA", "# noqa:F401", "# noqa: F401", "# noqa : F401",
            "# noqa: F401,E501", "# noqa: E501 F401", "# noqa: E501, F401 why not",
            "# noqa: F4", "# noqa: E501", "# noqa:", "# noqa: F4O1", "# noqa F401",
            "# noqa-ish", "# noqa:E501,,F401", "# type: ignore # noqa: F401",
            "# noqa: f401", "# noqa: F401 later1", "# noqa: E501 F401x", "# something else"]


def test_directives_are_read_as_ruff_reads_them(tmp_path):
    """Each comment after an unused import: ruff suppresses its F401 exactly when we do."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    lines = [f"import m{number}  {comment}" for number, comment in enumerate(COMMENTS)]
    (tmp_path / "a.py").write_text("\n".join(lines) + "\n")
    done = subprocess.run([ruff, "check", "--isolated", "--select", "F401",
                           "--output-format", "json", "a.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    reported = {d["location"]["row"] - 1 for d in json.loads(done.stdout)}
    ours = noqa.python_directives((tmp_path / "a.py").read_text())
    for number, comment in enumerate(COMMENTS):
        directive = ours.get(number)
        suppressed = directive is not None and directive.suppresses("F401")
        assert suppressed == (number not in reported), comment


def test_a_directive_in_a_string_is_not_one():
    text = 'x = "# noqa"\ny = 1  # noqa: DL201\n'
    found = noqa.python_directives(text)
    assert list(found) == [1] and [c.code for c in found[1].codes] == ["DL201"]
    assert noqa.yaml_directives("a: b#noqa\nc: d # noqa\n").keys() == {1}


# -------------------------------------------------------------------------------- DL002

def _codes(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if line.startswith("ep/")]


def test_unused_noqa_in_mlproject_and_script(tmp_path):
    text = (MLPROJECT.replace("data_dir: {type: path, default: /nfs/data}",
                              "data_dir: {type: text, default: /nfs/data}  # noqa: DL104, DL107")
            .replace("epochs: {type: float, default: 3}",
                     "epochs: {type: float, default: 3}  # noqa: DL1O5, DL999")
            .replace("name: demo", "name: demo  # noqa"))
    script = SCRIPT.replace("import click", "import click  # noqa: F401, DL201\nimport os  # noqa")
    write_project(tmp_path / "ep", text, script)
    found = json.loads(cli("check", "--output-format", "json", "ep", cwd=tmp_path).stdout)
    dl002 = {(d["file"], d["line"]): d["message"] for d in found if d["code"] == "DL002"}
    assert dl002 == {
        ("ep/MLproject", 1): "this `# noqa` suppresses nothing: no finding is reported on this line",
        ("ep/MLproject", 6): "unused `# noqa`: `DL107` suppresses nothing on this line",
        ("ep/MLproject", 7): "`# noqa: DL1O5` is not a `# noqa` directive: `DL1O5` is not a rule "
                             "code (letters then digits, codes separated by commas), so it "
                             "suppresses nothing; write `# noqa: DL201` or a bare `# noqa`",
        # F401 and the bare `# noqa` belong to other linters
        ("ep/src/train.py", 1): "unused `# noqa`: `DL201` suppresses nothing on this line",
    }
    assert "DL104" not in _codes(cli("check", "ep", cwd=tmp_path).stdout)
    cli("check", "--fix", "ep", cwd=tmp_path)
    fixed = (tmp_path / "ep" / "MLproject").read_text()
    assert "name: demo\n" in fixed and "/nfs/data}  # noqa: DL104\n" in fixed
    assert "# noqa: DL1O5, DL999" in fixed          # no fix: what was meant is the author's
    assert (tmp_path / "ep" / "src" / "train.py").read_text().startswith(
        "import click  # noqa: F401\nimport os  # noqa\n")


def test_codes_of_rules_that_do_not_run_are_reported_as_ruff_does(tmp_path):
    text = MLPROJECT.replace("data_dir: {type: path, default: /nfs/data}",
                             "data_dir: {type: text, default: /nfs/data}  # noqa: DL104")
    write_project(tmp_path / "ep", text)
    assert "DL002" not in cli("check", "ep", cwd=tmp_path).stdout
    ignored = cli("check", "--ignore", "DL104", "ep", cwd=tmp_path).stdout
    assert "DL002 unused `# noqa`: `DL104` is not enabled here, so it has nothing to suppress" in ignored
    assert "DL002" not in cli("check", "--ignore", "DL104,DL002", "ep", cwd=tmp_path).stdout
    # a `# noqa: DL002` keeps its directive
    kept = text.replace("# noqa: DL104", "# noqa: DL104, DL002")
    write_project(tmp_path / "ep", kept)
    assert "DL002" not in cli("check", "--ignore", "DL104", "ep", cwd=tmp_path).stdout


# -------------------------------------------------------------------------------- DL113

STUB = '#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGV_FILE"\n'


def _run_resolved(root: Path, mlproject: Path, entry_point: str = "main") -> tuple[int, list[str]]:
    """Run the command as MLflow would (``bash -c`` on the formatted command), with a
    ``python`` that records its arguments: bash is the oracle of what the script receives."""
    from dioptra_lsp.model.project import load_project

    project = load_project(mlproject)
    ep = next(e for e in project.mlproject.entry_points if e.name == entry_point)
    values = {p.name: "VALUE" for p in ep.parameters}
    command = ep.command.value.format(**values)
    bin_dir = root / "bin"
    bin_dir.mkdir(exist_ok=True)
    stub = bin_dir / "python"
    stub.write_text(STUB)
    stub.chmod(0o755)
    argv_file = root / "argv.txt"
    argv_file.unlink(missing_ok=True)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "ARGV_FILE": str(argv_file)}
    done = subprocess.run(["bash", "-c", command], cwd=mlproject.parent, env=env,
                          capture_output=True, text=True, timeout=30)
    argv = argv_file.read_text().split("\n")[:-1] if argv_file.exists() else []
    return done.returncode, argv


FOLDED = MLPROJECT.replace("      python src/train.py\n",
                           "      python src/train.py  # noqa: DL205\n")
LITERAL = MLPROJECT.replace("command: >", "command: |").replace(
    "      python src/train.py\n      --data-dir {data_dir}\n",
    "      python src/train.py \\\n      --data-dir {data_dir} \\  # noqa: DL205\n")


def test_a_comment_in_a_folded_command_drops_the_rest_and_the_fix_brings_it_back(tmp_path):
    write_project(tmp_path / "ep", FOLDED)
    ml = tmp_path / "ep" / "MLproject"
    status, argv = _run_resolved(tmp_path, ml)
    assert status == 0 and argv == ["src/train.py"]          # bash's reading
    found = json.loads(cli("check", "--output-format", "json", "ep", cwd=tmp_path).stdout)
    (dl113,) = [d for d in found if d["code"] == "DL113"]
    assert (dl113["line"], dl113["column"], dl113["end_column"]) == (9, 28, 41)
    assert dl113["severity"] == "error" and not dl113["fix"]["safe"]
    assert "never sees `--data-dir {data_dir} --epochs {epochs}`" in dl113["message"]
    assert cli("check", "--fix", "ep", cwd=tmp_path).returncode == 1       # unsafe: not applied
    cli("check", "--fix", "--unsafe-fixes", "ep", cwd=tmp_path)
    # moved to the `command: >` line, where it then suppresses nothing (every option is
    # passed again: no DL205), so DL002's fix removes it in the next round
    assert ml.read_text() == MLPROJECT
    status, argv = _run_resolved(tmp_path, ml)
    assert argv == ["src/train.py", "--data-dir", "VALUE", "--epochs", "VALUE"]


def test_a_comment_after_a_continuation_in_a_literal_command_runs_the_next_line_alone(tmp_path):
    write_project(tmp_path / "ep", LITERAL)
    ml = tmp_path / "ep" / "MLproject"
    status, argv = _run_resolved(tmp_path, ml)
    assert status == 127 and argv == ["src/train.py", "--data-dir", "VALUE", " "]
    found = json.loads(cli("check", "--output-format", "json", "ep", cwd=tmp_path).stdout)
    (dl113,) = [d for d in found if d["code"] == "DL113"]
    assert "bash runs the next line, `--epochs {epochs}`, as a command of its own" in dl113["message"]
    cli("check", "--fix", "--unsafe-fixes", "ep", cwd=tmp_path)
    assert ml.read_text() == LITERAL.replace(" \\  # noqa: DL205\n", " \\\n")
    status, argv = _run_resolved(tmp_path, ml)
    assert status == 0 and argv == ["src/train.py", "--data-dir", "VALUE", "--epochs", "VALUE"]


def test_a_noqa_that_cuts_nothing_is_info_with_a_safe_fix(tmp_path):
    text = MLPROJECT.replace("--epochs {epochs}\n", "--epochs {epochs}  # noqa\n")
    write_project(tmp_path / "ep", text)
    ml = tmp_path / "ep" / "MLproject"
    assert _run_resolved(tmp_path, ml)[1] == ["src/train.py", "--data-dir", "VALUE", "--epochs", "VALUE"]
    found = json.loads(cli("check", "--output-format", "json", "ep", cwd=tmp_path).stdout)
    (dl113,) = [d for d in found if d["code"] == "DL113"]
    assert dl113["severity"] == "info" and dl113["fix"]["safe"]
    cli("check", "--fix", "ep", cwd=tmp_path)
    # a bare inline `# noqa` becomes the header's; it then suppresses nothing (DL002), and
    # the next round removes it
    assert ml.read_text() == MLPROJECT


# ---------------------------------------------------------------------------- --add-noqa

REPO = Path(__file__).resolve().parents[1]
_ADDED = __import__("re").compile(r"(  # noqa: DL\d{3}(, DL\d{3})*|(, DL\d{3})+)")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def test_add_noqa_on_the_examples_then_nothing_more_and_clean(tmp_path):
    """Every finding of every broken example gets its `# noqa`; only those lines change, and
    only by text added at the end of a line (or codes added to a `# noqa` there)."""
    shutil.copytree(REPO / "examples", tmp_path / "ex")
    before = {p: p.read_bytes() for p in (tmp_path / "ex").rglob("*") if p.is_file()}
    found = json.loads(cli("check", "--output-format", "json", "ex", cwd=tmp_path).stdout)
    done = cli("check", "--add-noqa", "ex", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    added = int(done.stderr.split("Added ")[1].split()[0])
    assert added >= len({(d["file"], d["line"]) for d in found}) // 2 > 10
    changed = 0
    for path, old in before.items():
        new = path.read_bytes()
        old_lines, new_lines = _lines(old), _lines(new)
        assert len(old_lines) == len(new_lines), path
        for a, b in zip(old_lines, new_lines):
            if a != b:
                changed += 1
                a_text, b_text = a.decode(), b.decode()
                body = a_text.rstrip("\r")
                assert b_text.startswith(body.rstrip()), (path, a_text, b_text)
                tail = b_text[len(body.rstrip()):].rstrip("\r")
                assert _ADDED.fullmatch(tail) or "# noqa" in body, (path, a_text, b_text)
    assert changed == added
    again = cli("check", "--add-noqa", "ex", cwd=tmp_path)
    assert (again.returncode, again.stderr) == (0, "Added 0 noqa directives.\n")
    clean = cli("check", "ex", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout.startswith("All checks passed"), clean.stdout


def test_add_noqa_keeps_bytes_merges_and_says_what_it_cannot_reach(tmp_path):
    ml_text = (MLPROJECT.replace("data_dir: {type: path, default: /nfs/data}",
                                 "data_dir: {type: text, default: /nfs/data}  # noqa: DL105")
               .replace("--epochs {epochs}", "--epoch {epochs}"))
    ml_text += ('  other:\n    parameters:\n      epochs: {type: float, default: 3}\n'
                '    command: "python src/train.py --epoch {epochs}\n      --data-dir x"\n')
    script = SCRIPT.replace('"fit", data_dir=data_dir, epochs=epochs)',
                            '"fit", data_dir=data_dir, epochs=epochs, bogus="""a\nb""")')
    write_project(tmp_path / "ep", script=script)
    ml = tmp_path / "ep" / "MLproject"
    ml.write_bytes(b"\xef\xbb\xbf" + ml_text.replace("\n", "\r\n").encode())
    done = cli("check", "--add-noqa", "ep", cwd=tmp_path)
    assert done.returncode == 1       # two findings could not be suppressed
    skipped = [line for line in done.stderr.splitlines() if "not suppressed" in line]
    assert skipped == [
        "dioptra-lint: ep/MLproject:15: DL201 not suppressed: a comment cannot go on this line "
        "(its end is inside a quoted value that spans lines)",
        "dioptra-lint: ep/src/train.py:19: DL404 not suppressed: a comment cannot go on this "
        "line (its end is inside a multi-line string)",
    ], done.stderr
    # the unused DL105 is a DL002 finding on that line: its code is added too, as ruff adds
    # RUF100
    expected = (ml_text.replace("# noqa: DL105", "# noqa: DL105, DL104, DL002")
                .replace("    command: >\n", "    command: >  # noqa: DL201\n", 1))
    assert ml.read_bytes() == b"\xef\xbb\xbf" + expected.replace("\n", "\r\n").encode()
    # `--epochs` is no longer passed (`--epoch`): its DL205 is suppressed in the script
    assert (tmp_path / "ep" / "src" / "train.py").read_text() == script.replace(
        'help="Training epochs")\n', 'help="Training epochs")  # noqa: DL205\n')
    again = cli("check", "--add-noqa", "--exit-zero", "ep", cwd=tmp_path)
    assert again.returncode == 0 and again.stderr.endswith("Added 0 noqa directives.\n")
    left = cli("check", "--output-format", "json", "ep", cwd=tmp_path)
    assert sorted(d["code"] for d in json.loads(left.stdout)) == ["DL201", "DL404"]
