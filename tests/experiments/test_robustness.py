"""Experiment files and dioptra.toml as an editor buffer looks mid-typing, or as an attacker
writes them: ``check`` turns every one into findings, never into an exception or a hang.
Seeds are fixed, so a failure reproduces."""

from __future__ import annotations

import os
import random
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_mutations import mutate  # noqa: E402

from dioptra_lsp.engine import run  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = sorted(p.relative_to(EXAMPLES) for p in EXAMPLES.rglob("*")
               if p.is_file() and (p.suffix in (".yml", ".yaml") or p.name == "dioptra.toml"))
# YAML that stresses the reader: aliases and merge keys, tags the safe loader refuses, complex
# keys, binary, dates, deep nesting.
YAML_BITS = ["&a ", "*a", "<<: *a", "!!python/object:os.system ", "? [1, 2]", "!!binary aGk=",
             "2024-01-01", "[[[[[[", "{a: {b: {c: ", "$", "$$", "$x.y.z", "- ", ": ", "null",
             "~", "!!set {a, b}", "&b [*b]"]
TOML_BITS = ["[[plugins]]", "[[entrypoints]]", "= ", '"""', "'''", "[", "{", "}", "]", ",",
             "name = 1", "type = []", "path = \"../..\"", "99999999999999999999", "inf", "#"]


def _sprinkle(text: str, bits: list[str], rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        k = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:k] + rng.choice(bits) + lines[i][k:]
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(int(os.environ.get("MUTATION_SEEDS", "60"))))
def test_mutated_experiments_never_raise(seed, tmp_path):
    rng = random.Random(seed)
    rel = FILES[seed % len(FILES)]
    example = rel.parts[0]
    root = tmp_path / example
    shutil.copytree(EXAMPLES / example, root)
    target = tmp_path / rel
    text = target.read_text(encoding="utf-8")
    bits = TOML_BITS if target.name == "dioptra.toml" else YAML_BITS
    text = mutate(text, rng) if rng.random() < 0.5 else _sprinkle(text, bits, rng)
    target.write_text(text, encoding="utf-8")
    result = run([root])
    assert not result.errors, result.errors
    run([target])   # the file on its own, as `check train.yml` reads it


def test_alias_bomb_is_one_syntax_finding(tmp_path):
    """A 'billion laughs' experiment: refused with a finding, not expanded for ever."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines += ["tasks:", "  t: {plugin: a.b.c}", "graph:", "  s: {t: [*a8]}"]
    path = tmp_path / "bomb.yml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run([path])
    codes = {d.code for d in result.diagnostics}
    assert "DL001" in codes, result.diagnostics
