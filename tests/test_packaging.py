"""First contact: ``pip install .`` gives every command, and the check path stays light.

Every third-party module the package imports (anywhere: the server, rename's libcst) must come
from a default dependency, so no install offers a feature without what it needs (one exception:
MLflow, which `dioptra-lint run` hands jobs to, is the `run` extra, and `run` says so when it is
missing); the check and dry-run paths must still import none of the server's.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions, requires
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SERVER_ONLY = ("pygls", "lsprotocol", "libcst", "websockets", "cattrs")
#: The one exception: a module imported only once its command runs, from the extra that command
#: names when it is missing (`dioptra-lint run` hands jobs to MLflow: the `run` extra; its test
#: holds that a missing MLflow is a usage error saying `pip install 'dioptra-lint[run]'`).
OPTIONAL = {"mlflow": "run"}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_top_level_modules() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "dioptra_lsp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"dioptra_lsp", "__future__"}


def test_every_imported_package_is_a_default_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = set()
    for dependency in project["dependencies"]:
        found = re.match(r"([\w.-]+)(?:\[([\w,\s-]+)\])?", dependency)
        declared.add(_canonical(found.group(1)))
        for extra in (found.group(2) or "").split(","):   # pygls[ws] brings websockets
            declared.update(_canonical(re.match(r"[\w.-]+", r).group(0))
                            for r in requires(found.group(1)) or ()
                            if extra.strip() and f'extra == "{extra.strip()}"' in r)
    owners = packages_distributions()
    imported = _imported_top_level_modules()
    missing = {module: owners.get(module) for module in imported - set(OPTIONAL)
               if not {_canonical(d) for d in owners.get(module, [module])} & declared}
    assert missing == {}, f"imported but not installed by `pip install .`: {missing}"
    for module, extra in OPTIONAL.items():
        assert module in imported, f"{module} is no longer imported: drop it from OPTIONAL"
        in_extra = {_canonical(re.match(r"[\w.-]+", r).group(0))
                    for r in project["optional-dependencies"][extra]}
        assert {_canonical(d) for d in owners.get(module, [module])} & in_extra, (module, extra)
    # The old extras still resolve, so existing install lines keep working.
    assert project["optional-dependencies"]["lsp"] == []
    assert project["optional-dependencies"]["fix"] == []


def test_check_imports_nothing_of_the_server():
    """``dioptra-lint check`` on every example, through the real CLI: none of the server's
    packages are imported (they cost start-up time on every pre-commit run)."""
    code = (
        "import sys\n"
        "from dioptra_lsp.cli import main\n"
        "try:\n"
        f"    main(['check', '--exit-zero', {str(REPO / 'examples')!r}], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "import json\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert "Found " in done.stdout                                  # it did check something
    assert [m for m in loaded if m.split(".")[0] in SERVER_ONLY] == []


def test_both_server_commands_start_from_the_default_install():
    for command in (["-m", "dioptra_lsp.server", "--version"],
                    ["-m", "dioptra_lsp.cli", "server", "--version"]):
        done = subprocess.run([sys.executable, *command], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0 and done.stdout.startswith("dioptra-lsp "), done.stderr
