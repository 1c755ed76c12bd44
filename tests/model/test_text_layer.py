"""The text layer: one line-break set (``\\r\\n``, ``\\r``, ``\\n``) for every position, exact
text kept, BOM set apart; YAML's and ``ast``'s coordinates converted through it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from dioptra_lsp.model.mlproject import parse_mlproject
from dioptra_lsp.model.script import parse_script
from dioptra_lsp.model.source import (
    LineIndex,
    Position,
    SourceText,
    YAML_LINE_BREAK,
    adapt_newlines,
    read_source,
)

# What str.splitlines() breaks at but neither Python nor LSP does.
NOT_BREAKS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
BREAKS = ["\n", "\r\n", "\r"]


@pytest.mark.parametrize("odd", NOT_BREAKS)
def test_line_index_breaks_only_where_python_and_lsp_do(odd):
    text = f"a{odd}b\r\nc\rd\ne"
    index = LineIndex(text)
    assert index.lines == [f"a{odd}b", "c", "d", "e"]
    # Python's tokenizer agrees: one statement per canonical line.
    assert len(index.lines) == len(re.split(r"\r\n|\r|\n", text))
    for offset in range(len(text) + 1):
        pos = index.position(offset)
        if text[offset - 1:offset + 1] != "\r\n":        # not between \r and \n
            assert index.offset(pos) == offset
    assert index.position(4) == Position(0, 3) and index.offset(Position(0, 3)) == 3


def test_line_index_endings_and_newline_of_a_place():
    index = LineIndex("a\nb\r\nc\rd")
    assert [index.ending(i) for i in range(4)] == ["\n", "\r\n", "\r", ""]
    assert index.newline_at(1) == "\r\n" and index.newline_at(3) == "\r"
    assert adapt_newlines("x\ny\n", index, 1) == "x\r\ny\r\n"
    assert LineIndex("no break").newline_at(0) == "\n"
    assert index.offset(Position(0, 99)) == 1          # a column past the end stops before the break
    assert index.offset(Position(99, 0)) == len(index.text)


def test_source_text_keeps_line_endings_and_sets_the_bom_apart(tmp_path):
    data = "\ufeffname: x\r\nentry_points: {}\rend\n".encode()
    path = tmp_path / "MLproject"
    path.write_bytes(data)
    src = read_source(path)
    assert isinstance(src, SourceText)
    assert src.bom and src.text == "name: x\r\nentry_points: {}\rend\n"
    assert src.encode() == data
    assert src.lines == ["name: x", "entry_points: {}", "end", ""]
    overlay = read_source(Path("buffer"), {Path("buffer"): "\ufeffa\r\nb"})
    assert overlay.bom and overlay.text == "a\r\nb"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\r"])
@pytest.mark.parametrize("where", ["comment", "quoted", "name"])
def test_mlproject_positions_follow_model_lines_whatever_yaml_breaks_at(separator, where):
    head = {"comment": f"# a note{separator}# more\n",    # every YAML break ends a comment
            "quoted": f'name: "a{separator}b"\n',
            "name": f"name: a{separator}\n"}[where]
    text = (head + "entry_points:\n  main:\n    parameters:\n      x: {type: str}\n"
            "    command: python src/train.py --x {x}\n")
    ml = parse_mlproject(Path("MLproject"), text)
    assert not [p for p in ml.problems if p.kind == "syntax"], ml.problems
    index = LineIndex(text)
    (param,) = ml.entry_points[0].parameters
    start, end = index.span_offsets(param.type_span)
    assert text[start:end] == "str"
    command = ml.entry_points[0].command
    ph = command.placeholders[0]
    start, end = index.span_offsets(ph.span)
    assert text[start:end] == "{x}"
    # The token spans of the command land on the command's own text too.
    for token in command.words:
        start, end = index.span_offsets(token.span or command.span_of(token.start, token.end))
        assert text[start:end] == command.value[token.start:token.end] == token.text


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
@pytest.mark.parametrize("style", [">", "|", "plain", "'", '"'])
def test_multi_line_command_characters_map_to_their_source(separator, style):
    lines = ["python src/train.py", f"--x {{x}}{separator}      --y {{y}}", "--z {z}"]
    if style in (">", "|"):
        body = f"{style}\n" + "".join(f"      {line}\n" for line in lines)
    elif style == "plain":
        body = "\n".join(["python src/train.py", *(f"      {line}" for line in lines[1:])]) + "\n"
    else:
        body = style + "\n".join(["python src/train.py", *(f"      {line}" for line in lines[1:])]) + style + "\n"
    text = ("entry_points:\n  main:\n    parameters: {x: string, y: string, z: string}\n"
            f"    command: {body}")
    value = yaml.load(text, Loader=yaml.CSafeLoader)["entry_points"]["main"]["command"]
    ml = parse_mlproject(Path("MLproject"), text)
    command = ml.entry_points[0].command
    assert command.value == value
    assert command.offset_positions, "the value was not mapped to its source"
    index = LineIndex(text)
    for ph in command.placeholders:
        start, end = index.span_offsets(ph.span)
        assert text[start:end] == f"{{{ph.name}}}"


def test_yaml_marks_offsets_are_code_points_and_agree_with_the_yaml_line_index():
    text = "a: x\U0001F600y\u2028\nb: 'q\x85r'\r\nc: 1\n"
    node = yaml.CSafeLoader(text).get_single_node()
    ylines = LineIndex(text, YAML_LINE_BREAK)
    for key, _ in node.value:
        mark = key.start_mark
        assert ylines.starts[mark.line] + mark.column == mark.index
        assert text[mark.index] == key.value


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x0c", "\x0b"])
@pytest.mark.parametrize("newline", BREAKS)
def test_script_positions_with_odd_separators_and_astral_characters(separator, newline):
    source = newline.join([
        "import click",
        f"NOTE = 'a{separator}b \U0001F600'  # c{separator}d",
        "@click.command()",
        "@click.option('--épochs', type=int)",
        "def main(épochs):",
        "    pass",
        "",
    ])
    script = parse_script(SourceText(Path("s.py"), source))
    assert not script.problems
    (command,) = script.commands
    index = LineIndex(source)
    option = command.options[0]
    start, end = index.span_offsets(option.decl_span)
    assert source[start:end] == "'--épochs'"
    # ast's own line numbers are the model's.
    tree = ast.parse(source)
    assert index.lines[tree.body[2].decorator_list[0].lineno - 1] == "@click.command()"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
@pytest.mark.parametrize("newline", BREAKS)
def test_experiment_ranges_follow_model_lines(separator, newline):
    """The experiment reader shares the MLproject reader's positions: the same text, with a
    YAML-only break in a comment and other line endings, gives ranges over the same words."""
    from dioptra_lsp.model.expread import parse_experiment

    original = (Path(__file__).parents[2] / "examples" / "broken-experiment" / "train.yml").read_text()
    changed = f"# note{separator}# more\n" + original
    changed = changed.replace("\n", newline)

    def words(text: str) -> list[tuple[str, str]]:
        exp = parse_experiment(Path("train.yml"), text)
        index = LineIndex(text)
        spans = ([("param", p.name_span) for p in exp.parameters]
                 + [("task", t.name_span) for t in exp.tasks]
                 + [("problem", p.span) for p in exp.problems])
        return [(kind, text[slice(*index.span_offsets(span))]) for kind, span in spans]

    assert words(changed) == words(original)
    assert ("param", "epochs") in words(changed)
