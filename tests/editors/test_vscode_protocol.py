"""VS Code: VS Code itself cannot be downloaded here, so `node --test` runs
editors/vscode/test/*.test.js, after installing the locked packages with `npm ci` when
node_modules is missing or stale:

- protocol.test.js drives dioptra-lsp with the protocol libraries the extension's client is
  built on (vscode-jsonrpc, vscode-languageserver-protocol), announcing the capabilities that
  vscode-languageclient itself computes: DL201 at its exact range (pulled, as VS Code does),
  settings, the "Dry run" lens and dioptra-lint.dryRun;
- extension.test.js activates extension.js with the real vscode-languageclient inside a
  stand-in `vscode` module and checks on the wire what it sends (initializationOptions,
  workspace/configuration answers), the dry-run command, the stop, and the error shown when the
  server cannot start;
- config.test.js covers lib/config.js and package.json's contributions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))   # editor_support, lspclient

from editor_support import EDITORS, WAIT, require_binary, require_server, server_command

VSCODE = EDITORS / "vscode"
NODE_TESTS = ["test/config.test.js", "test/protocol.test.js", "test/extension.test.js"]


def npm_ci(npm: str) -> None:
    stamp = VSCODE / "node_modules" / ".package-lock.json"
    lock = VSCODE / "package-lock.json"
    if stamp.is_file() and stamp.stat().st_mtime >= max(lock.stat().st_mtime,
                                                        (VSCODE / "package.json").stat().st_mtime):
        return
    proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=VSCODE,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"npm ci failed in {VSCODE}:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def node_env():
    node = require_binary("node", "apt-get install -y nodejs npm  (Node 18+)")
    npm = require_binary("npm", "apt-get install -y npm")
    require_server()
    version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10).stdout
    assert int(version.lstrip("v").split(".")[0]) >= 18, f"node {version.strip()} is too old (18+)"
    npm_ci(npm)
    return node, dict(os.environ, DIOPTRA_LSP_CMD=json.dumps(server_command()), DIOPTRA_WAIT=str(WAIT))


@pytest.mark.parametrize("script", NODE_TESTS)
def test_vscode_node_tests(node_env, script):
    node, env = node_env
    proc = subprocess.run([node, "--test", "--test-reporter=tap", script], cwd=VSCODE, env=env,
                          capture_output=True, text=True, timeout=3 * WAIT + 30,
                          stdin=subprocess.DEVNULL)
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"node --test {script} failed (exit {proc.returncode}):\n{report[-6000:]}"
    assert "# fail 0" in report and "# pass 0" not in report, report[-3000:]
    assert "# skipped 0" in report, report[-3000:]
