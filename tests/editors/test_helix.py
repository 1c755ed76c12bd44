"""Helix: not packaged for Debian 12 and crates.io is unreachable here, so Helix itself does not
run in this test.  What is checked, as far as it honestly goes without the editor:

- editors/helix/languages.toml parses as TOML and only uses keys Helix documents;
- its `file-types` glob, matched the way Helix does (a glob without a leading `/` or `*/` gets
  `*/` prepended and is matched against the whole path), picks MLproject in any case and nothing
  else; every language server it names is defined (or is a Helix built-in);
- the highlight/indent/injection queries inherit the YAML ones;
- the server command exactly as configured there is started and spoken to like Helix does: a
  push-only client offering utf-8 first, the `config` table as initializationOptions, the
  answers to workspace/configuration looked up in it by section path, `didChangeConfiguration`
  after `initialized`, `languageId` = the language name.  The DL201 diagnostic comes back with
  its exact range in the negotiated position encoding, and `config` settings take effect.

The client capabilities are reconstructed from helix-lsp's client.rs (24.x), not captured from
a running Helix."""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import tomllib
from pathlib import Path, PurePosixPath

import pytest
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))   # editor_support, lspclient

from editor_support import EDITORS, MLPROJECT as SHARED_MLPROJECT, TRAIN_PY, WAIT, require_server
from lspclient import LspClient

HELIX = EDITORS / "helix"

LANGUAGE_KEYS = {
    "name", "language-id", "scope", "injection-regex", "file-types", "shebangs", "roots",
    "comment-token", "comment-tokens", "block-comment-tokens", "indent", "grammar",
    "language-servers", "auto-format", "formatter", "diagnostic-severity", "text-width",
    "soft-wrap", "workspace-lsp-roots", "persistent-diagnostic-sources", "auto-pairs",
    "debugger", "rulers", "path-completion", "word-completion",
}
SERVER_KEYS = {"command", "args", "config", "timeout", "environment", "required-root-patterns"}
HELIX_BUILTIN_SERVERS = {"pylsp", "ruff", "jedi", "pyright", "basedpyright", "pylyzer",
                         "yaml-language-server"}

HELIX_CAPABILITIES = {
    "workspace": {
        "configuration": True,
        "didChangeConfiguration": {"dynamicRegistration": False},
        "workspaceFolders": True,
        "didChangeWatchedFiles": {"dynamicRegistration": True, "relativePatternSupport": False},
        "fileOperations": {"willRename": True, "didRename": True},
        "applyEdit": True,
        "symbol": {"dynamicRegistration": False},
        "executeCommand": {"dynamicRegistration": False},
        "inlayHint": {"refreshSupport": False},
        "workspaceEdit": {"documentChanges": True, "resourceOperations": ["create", "rename", "delete"],
                          "failureHandling": "abort", "normalizesLineEndings": False},
    },
    "textDocument": {
        "completion": {"completionItem": {"snippetSupport": True, "insertReplaceSupport": True,
                                          "deprecatedSupport": True, "tagSupport": {"valueSet": [1]},
                                          "resolveSupport": {"properties": ["documentation", "detail",
                                                                            "additionalTextEdits"]}},
                       "completionItemKind": {}},
        "hover": {"contentFormat": ["markdown"]},
        "signatureHelp": {"signatureInformation": {"documentationFormat": ["markdown"],
                                                   "parameterInformation": {"labelOffsetSupport": True},
                                                   "activeParameterSupport": True}},
        "rename": {"dynamicRegistration": False, "prepareSupport": True},
        "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
            "", "quickfix", "refactor", "refactor.extract", "refactor.inline", "refactor.rewrite",
            "source", "source.organizeImports"]}},
            "isPreferredSupport": True, "disabledSupport": True, "dataSupport": True,
            "resolveSupport": {"properties": ["edit", "command"]}},
        "publishDiagnostics": {"versionSupport": True, "tagSupport": {"valueSet": [1, 2]}},
        "inlayHint": {"dynamicRegistration": False},
    },
    "window": {"workDoneProgress": True},
    "general": {"positionEncodings": ["utf-8", "utf-32", "utf-16"]},
}

# A project whose command line has a non-ASCII character before the mistake, so the column
# depends on the position encoding Helix negotiates (it offers utf-8 first).
MLPROJECT = SHARED_MLPROJECT.replace("src/train.py", "src/tr\u00e4n.py")
SCRIPT = TRAIN_PY
assert MLPROJECT != SHARED_MLPROJECT
LINE = 7


def load_config() -> dict:
    with open(HELIX / "languages.toml", "rb") as f:
        return tomllib.load(f)


def helix_glob_matches(glob: str, path: str) -> bool:
    """Helix's rule for `{ glob = ... }` file types: prepend `*/` unless the glob starts with
    `/` or `*/`, then match the whole path (globset: `*` crosses `/`, case-sensitive)."""
    if not glob.startswith("/") and not glob.startswith("*/"):
        glob = "*/" + glob
    return fnmatch.fnmatchcase(path, glob)


def language(config: dict, name: str) -> dict:
    found = [entry for entry in config["language"] if entry["name"] == name]
    assert len(found) == 1, f"languages.toml must define [[language]] {name} once"
    return found[0]


def test_languages_toml_shape():
    config = load_config()
    for entry in config["language"]:
        assert set(entry) <= LANGUAGE_KEYS, f"unknown keys in {entry['name']}: {set(entry) - LANGUAGE_KEYS}"
    for name, server in config["language-server"].items():
        assert set(server) <= SERVER_KEYS, f"unknown keys in language-server.{name}"
        assert isinstance(server["command"], str) and isinstance(server.get("args", []), list)
    ml = language(config, "mlproject")
    assert ml["grammar"] == "yaml" and ml["scope"] and ml["comment-token"] == "#"
    assert "dioptra-lsp" in ml["language-servers"]
    assert "dioptra-lsp" in language(config, "python")["language-servers"]
    for entry in config["language"]:
        for server in entry.get("language-servers", []):
            name = server["name"] if isinstance(server, dict) else server
            assert name in config["language-server"] or name in HELIX_BUILTIN_SERVERS, name
    # workspace/configuration section "dioptra-lint" is a table under `config`.
    section = config["language-server"]["dioptra-lsp"]["config"]["dioptra-lint"]
    assert set(section) <= {"select", "ignore", "pluginDirs"}


@pytest.mark.parametrize("path, expected", [
    ("/home/u/proj/MLproject", True),
    ("/home/u/proj/mlproject", True),
    ("/home/u/proj/MLPROJECT", True),
    ("/home/u/proj/MlProject", True),
    ("relative/MLproject", True),
    ("/home/u/proj/MLproject.yaml", False),
    ("/home/u/proj/MLprojects", False),
    ("/home/u/proj/src/train.py", False),
    ("/home/u/MLproject/train.py", False),
])
def test_file_types_select_mlproject_in_any_case(path, expected):
    ml = language(load_config(), "mlproject")
    globs = [ft["glob"] for ft in ml["file-types"] if isinstance(ft, dict)]
    plain = [ft for ft in ml["file-types"] if isinstance(ft, str)]
    name = PurePosixPath(path).name
    hit = any(helix_glob_matches(g, path) for g in globs) or any(
        name == p or name.endswith("." + p) for p in plain)
    assert hit is expected


def test_queries_inherit_yaml():
    queries = HELIX / "runtime" / "queries" / "mlproject"
    for name in ("highlights.scm", "indents.scm", "injections.scm"):
        first = (queries / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.strip() == "; inherits: yaml", name


def lookup_section(config: dict, section: str | None):
    """Helix's answer to one workspace/configuration item: walk `config` by the dotted section."""
    value = config
    for part in (section or "").split(".") if section else []:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def make_workspace(root: Path) -> tuple[Path, Path]:
    project = root / "experiments" / "demo"
    (project / "src").mkdir(parents=True)
    (project / "MLproject").write_text(MLPROJECT, encoding="utf-8")
    (project / "src" / "tr\u00e4n.py").write_text(SCRIPT, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True, timeout=WAIT)
    return project / "MLproject", project / "src" / "tr\u00e4n.py"


def columns(line: str, index: int, encoding: str) -> int:
    if encoding == "utf-8":
        return len(line[:index].encode("utf-8"))
    if encoding == "utf-32":
        return index
    return len(line[:index].encode("utf-16-le")) // 2


def run_like_helix(tmp_path: Path, config_overrides: dict | None = None):
    require_server()
    config = load_config()
    server = config["language-server"]["dioptra-lsp"]
    if config_overrides:
        server["config"]["dioptra-lint"].update(config_overrides)
    exe = shutil.which(server["command"])
    if exe is None:
        pytest.fail(f"`{server['command']}` (the command in editors/helix/languages.toml) is not on "
                    "PATH: install the package, e.g. pip install -e '.[lsp]'", pytrace=False)
    workspace = tmp_path / "ws"
    mlproject, script = make_workspace(workspace)
    settings = server.get("config", {})

    def on_request(method, params):
        if method == "workspace/configuration":
            return [lookup_section(settings, item.get("section")) for item in params["items"]]
        if method == "workspace/workspaceFolders":
            return [{"uri": workspace.as_uri(), "name": "ws"}]
        if method in ("window/workDoneProgress/create", "client/registerCapability",
                      "client/unregisterCapability"):
            return None
        raise ValueError(f"helix does not handle {method}")

    client = LspClient([exe, *server.get("args", [])], cwd=str(workspace), on_request=on_request)
    try:
        init = client.request("initialize", {
            "processId": os.getpid(),
            "clientInfo": {"name": "helix", "version": "24.7"},
            "rootPath": str(workspace),
            "rootUri": workspace.as_uri(),
            "workspaceFolders": [{"uri": workspace.as_uri(), "name": "ws"}],
            "initializationOptions": settings,
            "capabilities": HELIX_CAPABILITIES,
        }, WAIT)
        client.notify("initialized", {})
        client.notify("workspace/didChangeConfiguration", {"settings": settings})
        text = mlproject.read_text(encoding="utf-8")
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": mlproject.as_uri(), "languageId": "mlproject", "version": 0, "text": text}})
        client.notify("textDocument/didOpen", {"textDocument": {
            "uri": script.as_uri(), "languageId": "python", "version": 0,
            "text": script.read_text(encoding="utf-8")}})
        # Wait for the publish with every expected code (DL107, the unused `lr`, is always on).
        expected = {"DL107"} if "DL201" in (config_overrides or {}).get("ignore", []) else {"DL107", "DL201"}
        published = client.wait_for(
            lambda m, p: m == "textDocument/publishDiagnostics" and p["uri"] == mlproject.as_uri()
            and expected <= {d.get("code") for d in p["diagnostics"]},
            WAIT, f"publishDiagnostics with {sorted(expected)} for the MLproject")
        return init, text, published, client
    finally:
        client.close()


def test_server_as_helix_runs_it_reports_dl201_in_the_negotiated_encoding(tmp_path):
    init, text, published, client = run_like_helix(tmp_path)
    encoding = init["capabilities"].get("positionEncoding", "utf-16")
    assert encoding in HELIX_CAPABILITIES["general"]["positionEncodings"]
    line = text.splitlines()[LINE]
    start = line.index("--epoch")
    dl201 = [d for d in published["diagnostics"] if d.get("code") == "DL201"]
    assert len(dl201) == 1, published
    assert dl201[0]["range"] == {
        "start": {"line": LINE, "character": columns(line, start, encoding)},
        "end": {"line": LINE, "character": columns(line, start + len("--epoch"), encoding)},
    }, (encoding, dl201[0])
    assert dl201[0]["severity"] == 1
    # The section Helix answers from `config` is the one the server asks for.
    asked = [item.get("section") for method, params in client.server_requests
             if method == "workspace/configuration" for item in params["items"]]
    assert "dioptra-lint" in asked, client.server_requests


def test_config_table_reaches_the_server(tmp_path):
    _init, _text, published, _client = run_like_helix(tmp_path, {"ignore": ["DL201"]})
    codes = {d.get("code") for d in published["diagnostics"]}
    assert "DL107" in codes and "DL201" not in codes, published
