"""Mutation fuzzing: the examples with lines deleted, repeated, swapped, cut or sprinkled with
brackets and quotes, as an editor buffer looks mid-typing.  ``check`` and ``dry-run`` must
turn every one into findings, never into an exception.  Seeds are fixed, so a failure
reproduces; the regressions it found are pinned below it."""

from __future__ import annotations

import os
import random
import re
import shutil
from pathlib import Path

import pytest

from dioptra_lsp.dryrun import dry_run
from dioptra_lsp.engine import run

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TEXT_FILES = sorted(p.relative_to(EXAMPLES) for p in EXAMPLES.rglob("*")
                    if p.is_file() and (p.suffix in (".py", ".yml", ".yaml") or p.name in
                                        ("MLproject", "dioptra.toml")))
SPRINKLES = ["{", "}", ":", "(", ")", "'", '"', ",", " ", "\t", "=", "*", "é", "{x}", "[", "]",
             "#", "\\", "-", "--"]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        op = rng.choice(["delete", "repeat", "swap", "sprinkle", "indent", "cut"])
        if op == "delete":
            del lines[i]
        elif op == "repeat":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "sprinkle":
            k = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:k] + rng.choice(SPRINKLES) + lines[i][k:]
        elif op == "indent":
            lines[i] = " " * rng.randint(1, 3) + lines[i]
        else:
            lines[i] = lines[i][:rng.randrange(len(lines[i]) + 1)]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(int(os.environ.get("MUTATION_SEEDS", "40"))))
def test_mutated_examples_never_raise(seed, tmp_path):
    rng = random.Random(seed)
    root = tmp_path / "examples"
    shutil.copytree(EXAMPLES, root)
    for rel in rng.sample(TEXT_FILES, 2):
        (root / rel).write_text(mutate((root / rel).read_text(), rng))
    run([root])
    for mlproject in root.rglob("MLproject"):
        for entry_point in ("main", "train", "infer", "fgm", "evaluate", "report", "x.py"):
            dry_run(mlproject.parent, entry_point, {"data_dir": "."})


HOSTILE = ["\r", "\r\n", "\x85", "\u2028", "\u2029"]


def mutate_hostile(text: str, rng: random.Random) -> str:
    """The classes that used to crash or hang, sprinkled into an example: other line breaks,
    aliases that expand without end, names the file system refuses, NUL bytes."""
    op = rng.choice(["breaks", "laughs", "cycle", "long-word", "nul"])
    if op == "breaks":
        cut = [i for i, c in enumerate(text) if c == "\n"]
        for i in rng.sample(cut, min(len(cut), rng.randint(1, 5))):
            text = text[:i] + rng.choice(HOSTILE) + text[i + 1:]
        return text
    if op in ("laughs", "cycle"):
        if "MLproject" not in text and "entry_points" not in text:
            return text
        laughs = ["l0: &l0 [a, b, c, d, e, f, g, h, i]"] + [
            f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 8)]
        text = "\n".join(laughs) + "\n" + text
        alias = "*l7" if op == "laughs" else "&me [*me]"
        return re.sub(r"default: [^,}\n]+", f"default: {alias}", text, count=1)
    words = re.findall(r"[A-Za-z_][\w/.]{2,}", text)
    if not words:
        return text
    word = rng.choice(words)
    return text.replace(word, word * 40 if op == "long-word" else word + "\\0", 1)


@pytest.mark.parametrize("seed", range(12))
def test_hostile_mutations_never_raise_or_hang(seed, tmp_path):
    rng = random.Random(1000 + seed)
    root = tmp_path / "examples"
    shutil.copytree(EXAMPLES, root)
    for rel in rng.sample(TEXT_FILES, 3):
        (root / rel).write_text(mutate_hostile((root / rel).read_text(), rng), newline="")
    result = run([root])
    assert not [d for d in result.diagnostics if "internal error" in d.message]
    for mlproject in root.rglob("MLproject"):
        for entry_point in ("main", "train", "infer", "fgm"):
            dry_run(mlproject.parent, entry_point, {"data_dir": "."})


# ---------------------------------------------------------------- regressions it found


def test_an_unclosed_brace_before_a_flag_leaves_no_placeholder_to_check(tmp_path):
    shutil.copytree(EXAMPLES / "broken-cli", tmp_path / "ep")
    ml = tmp_path / "ep" / "MLproject"
    ml.write_text(ml.read_text().replace("--optimizer {optimizer}", "--optimizer {opt"))
    codes = {d.code for d in run([tmp_path / "ep"]).diagnostics}
    assert "DL106" in codes   # "cannot be formatted: unmatched `{`"


def test_an_unclosed_quote_is_a_finding_and_a_dry_run_problem(tmp_path):
    shutil.copytree(EXAMPLES / "mnist-classifier", tmp_path / "ep")
    ml = tmp_path / "ep" / "MLproject"
    ml.write_text(ml.read_text().replace("python src/train.py", "python src/train.'py", 1))
    assert "DL111" in {d.code for d in run([tmp_path / "ep"]).diagnostics}
    report = dry_run(tmp_path / "ep", "train", {"data_dir": "."})
    assert [p.kind for p in report.problems if p.is_error] == ["shell-syntax"]


def test_a_plugin_with_a_duplicate_argument_cannot_be_imported(tmp_path):
    shutil.copytree(EXAMPLES / "mnist-classifier", tmp_path / "ep")
    plugin = tmp_path / "ep" / "dioptra_custom" / "random" / "rng.py"
    text = plugin.read_text()
    assert "def init_rng(seed: int = -1)" in text
    plugin.write_text(text.replace("def init_rng(seed: int = -1)",
                                   "def init_rng(seed: int = -1, seed: int = 0)"))
    found = [d for d in run([tmp_path / "ep"]).diagnostics if d.path.name == "rng.py"]
    assert [d.code for d in found] == ["DL001"]
    assert "duplicate argument 'seed'" in found[0].message
    report = dry_run(tmp_path / "ep", "train", {"data_dir": "."})
    assert "plugin-invalid" in {p.kind for p in report.problems}


def test_an_option_declared_without_a_name_is_refused_by_click_not_by_the_tool(tmp_path):
    shutil.copytree(EXAMPLES / "broken-cli", tmp_path / "ep")
    script = tmp_path / "ep" / "src" / "train.py"
    text = script.read_text()
    assert '    "--optimizer",\n' in text
    script.write_text(text.replace('    "--optimizer",\n', "", 1))
    messages = [d.message for d in run([tmp_path / "ep"]).diagnostics]
    assert not any("``" in m for m in messages)
    (tmp_path / "ep" / "data").mkdir()
    report = dry_run(tmp_path / "ep", "train", {"data_dir": "data"})
    [refused] = [p for p in report.problems if p.kind == "click-declaration"]
    assert "Could not determine name for option" in refused.message and refused.is_error
