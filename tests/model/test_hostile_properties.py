"""Properties that keep the hostile-input classes closed for every input, not only the named ones:
the alias bound agrees with an independent count of the expanded document, the file-system
facts and ``read_source`` never raise whatever the name, and the MLproject reader never raises
whatever the line breaks and aliases."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings, strategies as st

from dioptra_lsp.model import fs
from dioptra_lsp.model.mlproject import ALIAS_EXPANSION_LIMIT, alias_blowup, parse_mlproject
from dioptra_lsp.model.source import ReadError, SourceText, read_source

PATH = Path("proj/MLproject")


# ------------------------------------------------------------------ the alias bound

def _expanded(root, cap: int) -> int:
    """Nodes of the document walked as a tree, counted one by one up to ``cap`` (the oracle:
    no sharing, no memo; a cycle simply reaches the cap)."""
    count, stack = 0, [root]
    while stack and count <= cap:
        node = stack.pop()
        count += 1
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
    return count


def _distinct(root) -> int:
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
    return len(seen)


@st.composite
def aliased_documents(draw) -> str:
    """Levels of anchored lists or mappings, each repeating earlier anchors a random number of
    times; sometimes an alias of the anchor being defined (a cycle)."""
    levels = draw(st.integers(1, 7))
    lines = [f"a0: &a0 [{', '.join(['x'] * draw(st.integers(1, 9)))}]"]
    for i in range(1, levels):
        refs = [f"*a{draw(st.integers(0, i - 1))}" for _ in range(draw(st.integers(1, 12)))]
        if draw(st.booleans()):
            lines.append(f"a{i}: &a{i} [{', '.join(refs)}]")
        else:
            lines.append(f"a{i}: &a{i} {{{', '.join(f'k{j}: {r}' for j, r in enumerate(refs))}}}")
    if draw(st.integers(0, 9)) == 0:
        lines.append("loop: &loop [1, *loop]")
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(aliased_documents())
def test_the_alias_bound_is_exactly_the_expanded_size(text):
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    distinct = _distinct(root)
    expanded = _expanded(root, distinct + ALIAS_EXPANSION_LIMIT)
    blowup = alias_blowup(root)
    assert (blowup is not None) == (expanded > distinct + ALIAS_EXPANSION_LIMIT)
    project = parse_mlproject(PATH, text)           # and the reader itself never hangs
    assert [p.kind for p in project.problems if p.kind == "unanalysed"] == (
        ["unanalysed"] if blowup else [])


_BREAKS = st.sampled_from(["\n", "\r", "\r\n", "\x85", "\u2028", "\u2029"])
_PIECES = st.sampled_from([
    "name: demo", "entry_points:", "  main:", "    parameters:",
    "      a: {type: float, default: 3}", "      b: {type: path, default: data}",
    "      c: {type: string, default: &x [1, 2]}", "      d: {type: string, default: *x}",
    '    command: "python t.py --a {a} {b}"', "    command: >", "      python t.py",
    "      --a {a}", "      p: float", "# comment", "", "  other: {command: x}"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_PIECES, _BREAKS), max_size=14))
def test_the_reader_never_raises_whatever_the_line_breaks(pieces):
    text = "".join(piece + brk for piece, brk in pieces)
    project = parse_mlproject(PATH, text)
    assert not any("internal error" in p.message for p in project.problems), project.problems


# ------------------------------------------------------------------ file-system facts

_NAMES = st.one_of(
    st.text(max_size=40),                                       # NUL, lone surrogates, ...
    st.text(alphabet="ab/.", min_size=250, max_size=5000),      # too long, per part or in all
    st.sampled_from(["", ".", "/", "/proc/self/mem", "/dev/null", "a\0b", "\udc80", "\ud800"]))


@settings(max_examples=300, deadline=None)
@given(_NAMES)
def test_file_system_facts_never_raise(name):
    for question in (fs.stat, fs.lstat, fs.is_file, fs.is_dir, fs.exists, fs.is_link,
                     fs.lookup_error, fs.list_dir, fs.entries):
        question(name)
    if not fs.is_dir(name):        # (walking "/" would take a while; the hostile names are not folders)
        assert list(fs.walk(name)) == []
    got = read_source(Path(name)) if name not in ("/proc/self/mem",) else None
    assert got is None or isinstance(got, (ReadError, SourceText))


def test_lookup_error_says_why_a_name_cannot_be_asked_about(tmp_path):
    assert fs.lookup_error(tmp_path / "missing") is None          # plainly absent
    assert fs.lookup_error(tmp_path / ("a" * 300)) == "file name too long"
    assert fs.lookup_error("a\0b") == "the name contains a NUL byte"
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    assert fs.lookup_error(tmp_path / "loop" / "x") == "too many levels of symbolic links"
    assert not fs.is_file(tmp_path / ("a" * 300)) and fs.list_dir(tmp_path / "missing") == ()
