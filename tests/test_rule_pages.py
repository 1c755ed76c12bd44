"""The rule pages (``rules/DLxxx.md``) are one-to-one with the rules, and their examples are real.

Each page's ``Example`` project is written to an empty folder and linted: exactly that rule must
fire. The ``Use instead`` files are then written over it and the project must lint clean.
The bad example's diagnostics are kept in ``tests/golden/rules/DLxxx.txt`` as
``file:line:col code message`` (1-based, file relative to the project); ``UPDATE_GOLDEN=1`` rewrites them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest

from dioptra_lsp.config import forget_cached_configs
from dioptra_lsp.engine import lint_paths
from dioptra_lsp.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "rules"
GOLDEN = Path(__file__).resolve().parent / "golden" / "rules"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

SECTIONS = ("What it does", "Why it matters", "Example", "Use instead", "Fix safety")
_FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_TABLE_HEAD = "| Code | Name | Default severity | Fix |"


@dataclass
class Page:
    code: str
    name: str
    severity: str
    fix: str
    sections: dict[str, str]
    example: dict[str, str]
    use_instead: dict[str, str]


def _files(section: str, where: str) -> dict[str, str]:
    files: dict[str, str] = {}
    for m in _FENCE.finditer(section):
        info = dict(w.split("=", 1) for w in m.group("info").split()[1:] if "=" in w)
        if "file" not in info:
            continue
        rel = info["file"]
        path = PurePosixPath(rel)
        assert not path.is_absolute() and ".." not in path.parts, f"{where}: bad file name {rel!r}"
        assert rel not in files, f"{where}: {rel} given twice"
        files[rel] = m.group("body")
    return files


def parse_page(path: Path) -> Page:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    title = re.fullmatch(r"# (DL\d{3}): ([a-z0-9-]+)", lines[0])
    assert title, f"{path.name}: first line must be '# DLxxx: name', got {lines[0]!r}"
    code, name = title.groups()
    assert _TABLE_HEAD in lines, f"{path.name}: no rule table"
    at = lines.index(_TABLE_HEAD)
    assert re.fullmatch(r"\|-+\|-+\|-+\|-+\|", lines[at + 1]), f"{path.name}: bad table separator"
    cells = [c.strip() for c in lines[at + 2].strip().strip("|").split("|")]
    assert len(cells) == 4, f"{path.name}: the table row must have 4 cells: {lines[at + 2]!r}"
    assert cells[:2] == [code, name], f"{path.name}: table row {cells[:2]} does not match the title"
    # Sections, in order; fenced blocks may contain '#' lines, so split outside fences only.
    sections: dict[str, list[str]] = {}
    current = None
    in_fence = False
    for line in lines[at + 3:]:
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            current = line[3:].strip()
            assert current not in sections, f"{path.name}: section {current!r} twice"
            sections[current] = []
            continue
        assert current is not None or not line.strip(), f"{path.name}: text before the sections"
        if current is not None:
            sections[current].append(line)
    assert not in_fence, f"{path.name}: unclosed code fence"
    assert tuple(sections) == SECTIONS, f"{path.name}: sections {list(sections)}, want {list(SECTIONS)}"
    body = {k: "\n".join(v).strip() + "\n" for k, v in sections.items()}
    for key in ("What it does", "Why it matters", "Fix safety"):
        assert body[key].strip(), f"{path.name}: section {key!r} is empty"
    example = _files(body["Example"], f"{path.name} Example")
    use = _files(body["Use instead"], f"{path.name} Use instead")
    assert example, f"{path.name}: the Example has no ```lang file=... block"
    assert use, f"{path.name}: Use instead has no ```lang file=... block"
    return Page(code, name, cells[2], cells[3], body, example, use)


def _pages() -> list[Path]:
    return sorted(PAGES.glob("DL*.md"))


RULES = {r.code: r for r in ALL_RULES}


def test_pages_and_rules_are_one_to_one():
    codes = {p.stem for p in _pages()}
    assert codes == set(RULES), (f"pages without a rule: {sorted(codes - set(RULES))}; "
                                 f"rules without a page: {sorted(set(RULES) - codes)}")
    assert len(RULES) == len(ALL_RULES), "two rules share a code"


@pytest.mark.parametrize("path", _pages(), ids=lambda p: p.stem)
def test_page_matches_its_rule(path: Path):
    page = parse_page(path)
    assert page.code == path.stem, f"{path.name} is titled {page.code}"
    rule = RULES.get(page.code)
    assert rule is not None, f"{page.code} has a page but no rule"
    assert page.name == rule.name, f"{path.name}: name {page.name!r}, the rule says {rule.name!r}"
    assert page.severity == rule.severity.label, \
        f"{path.name}: severity {page.severity!r}, the rule says {rule.severity.label!r}"
    unchanged = [f for f, text in page.use_instead.items() if page.example.get(f) == text]
    assert not unchanged, f"{path.name}: Use instead repeats unchanged files {unchanged}"
    declared = fix_declared(page)
    assert declared == rule.fix, \
        f"{path.name}: the Fix column declares {declared!r}, the rule's module {rule.fix!r}"
    if declared != "no":
        assert re.search(rf"\b{declared}\b", page.sections["Fix safety"]), \
            f"{path.name}: the Fix safety section never says {declared!r}"


FIX_KINDS = ("safe", "unsafe", "sometimes")


def fix_declared(page: Page) -> str:
    """The Fix cell's first word: ``no``, or ``safe``/``unsafe``/``sometimes`` then ``: what
    the fix does``."""
    if page.fix == "no":
        return "no"
    kind, sep, what = page.fix.partition(":")
    assert kind in FIX_KINDS and sep and what.strip(), \
        f"{page.code}: Fix must be 'no' or '{{{'|'.join(FIX_KINDS)}}}: what it does', not {page.fix!r}"
    return kind


def fix_kinds_seen(diags, code: str) -> set[str]:
    """How the findings of ``code`` are fixed: "safe", "unsafe" and/or "none"."""
    return {("safe" if d.fix.safe else "unsafe") if d.fix is not None and d.fix.edits else "none"
            for d in diags if d.code == code}


def check_fix_declaration(code: str, seen: set[str], where: str) -> None:
    """The fixes a rule produced agree with what its page declares."""
    declared = RULES[code].fix
    fixed = seen - {"none"}
    allowed = {"no": set(), "safe": {"safe"}, "unsafe": {"unsafe"},
               "sometimes": {"safe", "unsafe"}}[declared]
    assert fixed <= allowed, \
        f"{code} declares fix {declared!r} but produced {sorted(fixed)} fixes in {where}"


def render(diags, root: Path) -> str:
    out = []
    for d in diags:
        try:
            where = Path(d.path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            where = str(d.path)
        out.append(f"{where}:{d.span.start.line + 1}:{d.span.start.character + 1} {d.code} {d.message}")
    return "".join(line + "\n" for line in out)


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _lint(root: Path):
    forget_cached_configs()      # a Use-instead may add a pyproject.toml the cache has not seen
    return lint_paths([root])


def _golden_text(text: str, root: Path) -> str:
    """Messages may name the project folder; keep the golden file independent of tmp_path."""
    return text.replace(root.resolve().as_posix(), "<project>").replace(root.as_posix(), "<project>")


# Pages whose Example is right but also trips another rule because of a rule defect (reported
# to the rule owners). strict: once the rule is fixed the XPASS fails and the entry must go.
# Pages whose example also trips another rule: none (keep it that way).
KNOWN_RULE_DEFECTS: dict[str, str] = {}


def _example_params():
    out = []
    for path in _pages():
        reason = KNOWN_RULE_DEFECTS.get(path.stem)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(path, id=path.stem, marks=marks))
    return out


@pytest.mark.parametrize("path", _example_params())
def test_page_examples(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DIOPTRA_PLUGIN_DIR", raising=False)
    page = parse_page(path)
    root = tmp_path / "project"
    root.mkdir()
    _write(root, page.example)
    bad = _lint(root)
    shown = render(bad, root)
    assert {d.code for d in bad} == {page.code}, \
        f"{page.code} Example: want only {page.code}, got:\n{shown}"

    golden = GOLDEN / f"{page.code}.txt"
    got = _golden_text(shown, root)
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.is_file(), f"{golden} missing; run with UPDATE_GOLDEN=1 and read it"
    assert got == golden.read_text(encoding="utf-8"), \
        f"{page.code}: diagnostics differ from {golden.name} (UPDATE_GOLDEN=1 rewrites it)"
    # Its fixes have the safety the page declares (tests/test_examples.py also holds that
    # every fixable rule shows a fix there).
    check_fix_declaration(page.code, fix_kinds_seen(bad, page.code), "its page's Example")

    _write(root, page.use_instead)
    good = _lint(root)
    assert good == [], f"{page.code} Use instead is not clean:\n{render(good, root)}"


def test_readme_rule_table_matches_the_rules():
    """The README's catalogue: one row per rule, its name, default severity and fix safety."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.split("\n"):
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if re.fullmatch(r"DL\d{3}", cells[0]) and len(cells) == 5:
            rows[cells[0]] = (cells[1], cells[3], cells[4])
    assert rows == {r.code: (r.name, r.severity.label, r.fix) for r in ALL_RULES}
