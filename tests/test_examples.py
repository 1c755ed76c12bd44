"""The entry points in ``examples/``: clean ones lint clean, broken ones give their golden findings.

Each folder is linted on its own; the findings are rendered as sorted
``relative/path:line:col: CODE message`` lines (paths relative to the example folder) and
compared with ``tests/golden/examples/<name>.txt``. ``UPDATE_GOLDEN=1`` rewrites the files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dioptra_lsp.config import forget_cached_configs
from dioptra_lsp.engine import lint_paths
from dioptra_lsp.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden" / "examples"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

CLEAN = ("dioptra-mnist", "experiment-mnist", "feature-squeezing", "mnist-classifier",
         "patch-attack")


def _folders() -> list[str]:
    return sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir() and not p.name.startswith("."))


def render(diags, folder: Path) -> str:
    rows = []
    for d in diags:
        path = Path(d.path)
        try:
            shown = path.resolve().relative_to(folder.resolve()).as_posix()
        except ValueError:
            shown = path.as_posix()
        rows.append((shown, d.span.start.line + 1, d.span.start.character + 1, d.code, d.message))
    # Sorted by file, then numerically by position (line 10 after line 9).
    text = "".join(f"{f}:{line}:{col}: {code} {message}\n"
                   for f, line, col, code, message in sorted(rows))
    # Messages may name the folder as reached; keep golden files independent of the checkout.
    return text.replace(folder.resolve().as_posix(), "<example>")


def lint(folder: Path):
    forget_cached_configs()
    return lint_paths([folder])


@pytest.fixture(autouse=True)
def _no_plugin_env(monkeypatch):
    monkeypatch.delenv("DIOPTRA_PLUGIN_DIR", raising=False)


def test_there_are_enough_examples():
    folders = _folders()
    assert len(folders) >= 6, folders
    for name in CLEAN:
        assert name in folders
    assert (EXAMPLES / "README.md").is_file()
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    missing = [name for name in folders if f"`{name}/`" not in readme]
    assert not missing, f"examples/README.md does not describe {missing}"


@pytest.mark.parametrize("name", CLEAN)
def test_clean_examples_are_clean(name):
    folder = EXAMPLES / name
    diags = lint(folder)
    assert diags == [], render(diags, folder)


@pytest.mark.parametrize("name", _folders())
def test_example_matches_golden(name):
    folder = EXAMPLES / name
    got = render(lint(folder), folder)
    golden = GOLDEN / f"{name}.txt"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.is_file(), f"{golden} missing; run with UPDATE_GOLDEN=1 and read it"
    assert got == golden.read_text(encoding="utf-8"), \
        f"{name}: findings differ from {golden.relative_to(ROOT)} (UPDATE_GOLDEN=1 rewrites it)"


def test_broken_examples_cover_every_rule():
    """...and every fix they get has the safety its rule's page declares, and every rule that
    declares a fix shows one there."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_rule_pages import check_fix_declaration, fix_kinds_seen

    seen: set[str] = set()
    kinds: dict[str, set[str]] = {}
    for name in _folders():
        if name in CLEAN:
            continue
        found = lint(EXAMPLES / name)
        seen |= {d.code for d in found}
        for code in {d.code for d in found}:
            kinds.setdefault(code, set()).update(fix_kinds_seen(found, code))
    missing = sorted({r.code for r in ALL_RULES} - seen)
    assert not missing, f"no broken example exercises {missing}"
    for code, found_kinds in kinds.items():
        check_fix_declaration(code, found_kinds, "examples/")
    unshown = sorted(r.code for r in ALL_RULES if r.fixable and not kinds[r.code] - {"none"})
    assert not unshown, f"no broken example shows the fix of {unshown}"


def test_examples_follow_the_layout():
    """Each example is a project (an MLproject, or a Dioptra 1.x ``dioptra.toml``); task-plugin
    packages are namespace packages: no ``__init__.py`` at their top."""
    for name in _folders():
        folder = EXAMPLES / name
        assert any(p.name.lower() == "mlproject" or p.name == "dioptra.toml"
                   for p in folder.rglob("*") if p.is_file()), name
        for top in ("dioptra_custom", "dioptra_builtins"):
            for pkg in folder.rglob(top):
                assert not (pkg / "__init__.py").exists(), f"{pkg} must be a namespace package"
