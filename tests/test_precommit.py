"""The pre-commit hook, run by the real pre-commit (``try-repo`` installs this checkout into a
fresh hook environment, as a user's ``.pre-commit-config.yaml`` would)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                   cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def user_repo(tmp_path_factory) -> Path:
    """A user's repository: an entry point under ep/, and an unrelated helper script."""
    root = tmp_path_factory.mktemp("user-repo")
    shutil.copytree(REPO / "examples" / "broken-plugins", root / "ep")
    (root / "tools").mkdir()
    (root / "tools" / "helper.py").write_text("print('not an entry point')\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


def try_repo(user_repo: Path, home: Path, *files: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "dioptra-lint",
         "--files", *files],
        cwd=user_repo, capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "PRE_COMMIT_HOME": str(home)})


def test_the_hook_catches_the_calls_a_changed_plugin_breaks_and_skips_other_files(
        user_repo, tmp_path_factory):
    home = tmp_path_factory.mktemp("pre-commit-home")
    plugin_changed = try_repo(user_repo, home, "ep/dioptra_custom/data/images.py")
    out = plugin_changed.stdout + plugin_changed.stderr
    assert plugin_changed.returncode == 1, out
    assert "dioptra-lint" in out and "Failed" in out
    # The findings sit in the caller, not in the file that changed.
    assert ("ep/src/adv_train.py:67:13: DL404 keyword `image_size` is not a parameter of plugin "
            "`dioptra_custom.data.images.load_dataset`") in out
    assert "DL401" not in out   # the script's own problems are not this change's business

    unrelated = try_repo(user_repo, home, "tools/helper.py")
    out = unrelated.stdout + unrelated.stderr
    assert unrelated.returncode == 0, out
    assert "Passed" in out
