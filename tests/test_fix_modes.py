"""``check --diff``, ``--unsafe-fixes``, ``--show-fixes`` and what ``--fix`` says afterwards,
through the real CLI.  The diff is applied with the real ``patch -p0`` and ``git apply -p0``
and must give, byte for byte, what ``--fix`` writes (CRLF, CR-only and BOM files included)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_cli import SCRIPT, cli, write_project  # noqa: E402 - tests/ is not a package

# DL103 (safe), DL104 (safe), DL201 (unsafe: --epoch -> --epochs), DL107 (unsafe: remove it).
MLPROJECT = """\
name: demo
entry_points:
  main:
    parameters:
      data_dir: {type: text, default: /nfs/data}
      epochs: {type:float, default: 3}
      unused: {type: string, default: x}
    command: >
      python src/train.py
      --data-dir {data_dir}
      --epoch {epochs}
"""
# DL208 (safe): the script never calls its command; no newline at its end.
NO_MAIN = SCRIPT.replace('\n\nif __name__ == "__main__":\n    train()\n', "")


def _tree(root: Path, newline: str = "\n", bom: bool = False) -> Path:
    write_project(root / "ep")
    data = MLPROJECT.replace("\n", newline).encode()
    (root / "ep" / "MLproject").write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    (root / "ep" / "src" / "train.py").write_bytes(NO_MAIN.rstrip("\n").replace("\n", newline).encode())
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts}


LAYOUTS = {"lf": ("\n", False), "crlf-bom": ("\r\n", True), "cr": ("\r", False)}


@pytest.fixture(scope="module", params=list(LAYOUTS))
def fixed_and_diffed(request, tmp_path_factory):
    """The same tree three times: fixed by --fix, diffed by --diff, and as it was."""
    newline, bom = LAYOUTS[request.param]
    base = tmp_path_factory.mktemp(f"modes-{request.param}")
    out = {}
    for name in ("fix", "diff", "unsafe-fix", "unsafe-diff"):
        _tree(base / name, newline, bom)
    original = _snapshot(base / "diff")
    out["fix"] = cli("check", "--fix", "ep", cwd=base / "fix")
    out["diff"] = _diff(base / "diff")
    out["unsafe-fix"] = cli("check", "--fix", "--unsafe-fixes", "ep", cwd=base / "unsafe-fix")
    out["unsafe-diff"] = _diff(base / "unsafe-diff", "--unsafe-fixes")
    return base, original, out


def _diff(root: Path, *options: str) -> subprocess.CompletedProcess:
    """``check --diff``, its stdout as bytes (a CR-only file's lines must reach the patch
    tools as they are) and its stderr as text."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "DIOPTRA_PLUGIN_DIR"}
    done = subprocess.run([sys.executable, "-m", "dioptra_lsp.cli", "check", "--diff", *options,
                           "ep"], cwd=root, capture_output=True, env=env, timeout=60)
    done.stderr = done.stderr.decode()
    return done


def _apply(tool: str, patch: bytes, root: Path) -> None:
    command = (["patch", "-p0", "--batch", "--no-backup-if-mismatch"] if tool == "patch"
               else ["git", "apply", "-p0", "--whitespace=nowarn", "-"])
    if tool == "git":
        subprocess.run(["git", "init", "-q", "."], cwd=root, check=True)
    done = subprocess.run(command, cwd=root, input=patch, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    shutil.rmtree(root / ".git", ignore_errors=True)


@pytest.mark.parametrize("tool", ["patch", "git"])
@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_the_diff_applies_and_gives_what_fix_writes(fixed_and_diffed, tmp_path, tool, unsafe):
    base, original, out = fixed_and_diffed
    prefix = "unsafe-" if unsafe else ""
    diff = out[f"{prefix}diff"]
    assert diff.returncode == 1, diff.stderr
    assert _snapshot(base / f"{prefix}diff") == original, "--diff wrote something"
    copy = tmp_path / "copy"
    shutil.copytree(base / f"{prefix}diff", copy)
    _apply(tool, diff.stdout, copy)
    assert _snapshot(copy) == _snapshot(base / f"{prefix}fix")
    assert _snapshot(copy) != original


def test_what_each_mode_says(fixed_and_diffed):
    base, _, out = fixed_and_diffed
    assert out["diff"].stderr == "Would fix 3 problems (2 additional fixes available with --unsafe-fixes).\n"
    assert out["unsafe-diff"].stderr == "Would fix 5 problems.\n"
    assert out["diff"].stdout.startswith(b"--- ep/MLproject\n+++ ep/MLproject\n@@ ")
    fixed = out["fix"].stdout.splitlines()[-1]
    assert fixed == ("Found 6 problems (3 fixed, 3 remaining: 1 error, 1 warning, 1 info) in 1 "
                     "entry-point project, 3 files; 2 unsafe fixes available with --fix "
                     "--unsafe-fixes.")
    assert out["fix"].returncode == 1          # DL107 and DL201 remain (and DL205)
    # DL201's fix passes --epochs: DL205 (never passed) goes too, without a fix of its own
    assert out["unsafe-fix"].stdout.splitlines()[-1] == \
        "Found 5 problems (5 fixed, 0 remaining) in 1 entry-point project, 3 files."
    assert out["unsafe-fix"].returncode == 0


def test_nothing_to_fix_and_only_unsafe_fixes(tmp_path):
    _tree(tmp_path)
    done = cli("check", "--fix", "ep", cwd=tmp_path)
    assert done.returncode == 1
    diff = cli("check", "--diff", "ep", cwd=tmp_path)
    assert (diff.returncode, diff.stdout) == (0, "")
    assert diff.stderr == "No problems would be fixed (2 fixes available with --unsafe-fixes).\n"
    hidden = cli("check", "--diff", "--no-unsafe-fixes", "ep", cwd=tmp_path)
    assert (hidden.returncode, hidden.stdout, hidden.stderr) == (0, "", "")
    assert cli("check", "--diff", "--exit-zero", "--unsafe-fixes", "ep", cwd=tmp_path).returncode == 0


def test_unsafe_fixes_from_the_config_and_the_command_line(tmp_path):
    _tree(tmp_path)
    (tmp_path / "ep" / "pyproject.toml").write_text("[tool.dioptra-lint]\nunsafe-fixes = true\n")
    concise = cli("check", "--output-format", "concise", "ep", cwd=tmp_path)
    marked = [line for line in concise.stdout.splitlines() if " [*] " in line]
    assert {line.split()[1] for line in marked} == {"DL103", "DL104", "DL107", "DL201", "DL208"}
    assert concise.stdout.splitlines()[-1].endswith("; 5 fixable with --fix.")
    # --no-unsafe-fixes wins over the file, and does not even mention them
    plain = cli("check", "--no-unsafe-fixes", "--output-format", "concise", "ep", cwd=tmp_path)
    assert {line.split()[1] for line in plain.stdout.splitlines() if " [*] " in line} == \
        {"DL103", "DL104", "DL208"}
    assert plain.stdout.splitlines()[-1].endswith("; 3 fixable with --fix.")
    stats = cli("check", "--statistics", "--output-format", "json", "ep", cwd=tmp_path)
    import json

    assert {row["code"]: row["fixable"] for row in json.loads(stats.stdout)}["DL201"] is True
    done = cli("check", "--fix", "ep", cwd=tmp_path)
    assert done.returncode == 0 and "--epochs {epochs}" in (tmp_path / "ep" / "MLproject").read_text()
    (tmp_path / "ep" / "pyproject.toml").write_text("[tool.dioptra-lint]\nunsafe-fixes = 1\n")
    bad = cli("check", "ep", cwd=tmp_path)
    assert bad.returncode == 2 and "`unsafe-fixes` must be true or false" in bad.stderr


def test_show_fixes_lists_what_was_fixed(tmp_path):
    _tree(tmp_path)
    done = cli("check", "--fix", "--show-fixes", "--output-format", "concise", "ep", cwd=tmp_path)
    out = done.stdout
    listing = out[out.index("Fixed 3 problems:"):out.index("\nFound ")]
    assert listing.splitlines() == [
        "Fixed 3 problems:",
        "- ep/MLproject:",
        "    1 × DL103 (malformed-flow-mapping)",
        "    1 × DL104 (unknown-parameter-type)",
        "- ep/src/train.py:",
        "    1 × DL208 (command-never-invoked)",
    ]
    # --show-fixes without --fix changes nothing, as in ruff
    again = cli("check", "--show-fixes", "ep", cwd=tmp_path)
    assert "Fixed" not in again.stdout


def test_incompatible_modes_are_usage_errors(tmp_path):
    _tree(tmp_path)
    for args in (("--diff", "--show-fixes"), ("--diff", "--statistics"), ("--diff", "-")):
        done = cli("check", *args, "ep", cwd=tmp_path, stdin="")
        assert done.returncode == 2, (args, done.stderr)
        assert "cannot be combined" in done.stderr
