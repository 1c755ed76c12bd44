"""The dry-run report of every entry point in examples/, compared with tests/golden/dryrun/.

Run with UPDATE_GOLDEN=1 to rewrite the files; otherwise any difference fails.  Each entry point
is dry-run twice: as given (its defaults; /nfs paths do not exist here, so those stop at
stage 1 exactly as MLflow would) and with every path parameter pointed at the project folder
(or its MLproject, for file-like defaults) and every required parameter given, so click and the flow plan are exercised too.
The project folder is written as ``<project>`` so the files do not depend on the checkout.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dioptra_lsp.dryrun import dry_run
from dioptra_lsp.model.mlproject import load_mlproject
from dioptra_lsp.model.project import find_mlproject_file

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "tests" / "golden" / "dryrun"


def _entry_points():
    out = []
    for folder in sorted(p for p in (REPO / "examples").iterdir() if p.is_dir()):
        mlp = find_mlproject_file(folder) or find_mlproject_file(folder / "src")
        if mlp is None:
            continue
        for ep in load_mlproject(mlp).entry_points:
            out.append(pytest.param(mlp.parent, ep.name, id=f"{folder.name}-{ep.name}"))
    return out


def _full_params(folder: Path, entry_point: str) -> dict[str, str]:
    """Values that let MLflow's stage pass: path parameters at the project folder itself."""
    ep = next(e for e in load_mlproject(find_mlproject_file(folder)).entry_points
              if e.name == entry_point)
    out = {}
    for p in ep.parameters:
        if p.type == "path":   # a file for file-like defaults, the folder otherwise
            out[p.name] = "MLproject" if Path(str(p.default)).suffix else "."
        elif not p.has_default:
            out[p.name] = "golden-value"
    return out


def _stable(report, folder: Path) -> str:
    text = json.dumps(report.to_json(), indent=2, ensure_ascii=False, sort_keys=False)
    return text.replace(str(folder), "<project>") + "\n"


@pytest.mark.parametrize("folder,entry_point", _entry_points())
def test_golden(folder: Path, entry_point: str, monkeypatch):
    monkeypatch.setenv("SHELL", "/bin/bash")
    monkeypatch.delenv("DIOPTRA_PLUGIN_DIR", raising=False)
    name = f"{folder.relative_to(REPO / 'examples').as_posix().replace('/', '-')}-{entry_point}"
    got = {"defaults": json.loads(_stable(dry_run(folder, entry_point), folder)),
           "full": json.loads(_stable(dry_run(folder, entry_point,
                                              _full_params(folder, entry_point)), folder))}
    text = json.dumps(got, indent=2, ensure_ascii=False) + "\n"
    path = GOLDEN / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_every_example_entry_point_has_a_golden():
    wanted = {f"{p.values[0].relative_to(REPO / 'examples').as_posix().replace('/', '-')}"
              f"-{p.values[1]}.json" for p in _entry_points()}
    assert wanted, "no example entry points found"
    assert wanted == {p.name for p in GOLDEN.glob("*.json")}
