"""Shared pieces of the editor-integration tests (imported by path: pytest runs in importlib
mode, so the test modules put this folder on sys.path first): a tmp project with one known mistake, the
server command, and a loud failure (never a skip) when an editor binary is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
from ci_support import missing  # noqa: E402  (tests/ is put on the path just above)

EDITORS = REPO / "editors"

# Every wait in these tests is bounded by this many seconds (the editor's own poll included).
WAIT = 20

MLPROJECT = """\
name: demo

entry_points:
  main:
    parameters:
      epochs: {type: float, default: 3}
      lr: {type: float, default: 0.1}
    command: "python src/train.py --epoch {epochs}"
"""

TRAIN_PY = """\
import click


@click.command()
@click.option("--epochs", type=float, default=3)
def main(epochs):
    print(epochs)


if __name__ == "__main__":
    main()
"""

# The mistake under test: `--epoch` (line 8, 1-based) while the click option is `--epochs`.
# The unused parameter `lr` (DL107, a warning) is there so that a test can wait for a diagnostic
# that no setting under test turns off, then check what else is (not) there.
DL201_LINE = 7                                        # 0-based, as LSP counts
DL201_START = MLPROJECT.splitlines()[DL201_LINE].index("--epoch")   # 0-based column: 34
DL201_END = DL201_START + len("--epoch")


@dataclass
class Project:
    root: Path
    mlproject: Path
    script: Path


def make_project(root: Path, *, git: bool = False, mlproject_name: str = "MLproject") -> Project:
    (root / "src").mkdir(parents=True, exist_ok=True)
    mlproject = root / mlproject_name
    mlproject.write_text(MLPROJECT, encoding="utf-8")
    script = root / "src" / "train.py"
    script.write_text(TRAIN_PY, encoding="utf-8")
    if git:
        subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=WAIT)
    return Project(root, mlproject, script)


def server_command() -> list[str]:
    """The server as the tests run it: the same interpreter as pytest (CI's environment)."""
    return [sys.executable, "-m", "dioptra_lsp.server"]


def require_binary(name: str, install: str) -> str:
    """The editor's binary.  CI installs every editor (.ci/run), so there a missing one fails;
    on a developer machine without it the test is skipped with the install line."""
    path = shutil.which(name)
    if path is None:
        missing(f"`{name}` is not on PATH: the {name} integration test needs the real client. "
                f"Install it with: {install}")
    return path


def require_server() -> None:
    if not (REPO / "dioptra_lsp" / "server.py").is_file():
        pytest.fail("dioptra_lsp/server.py does not exist yet: the language server is required",
                    pytrace=False)
