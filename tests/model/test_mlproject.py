"""The MLproject reader: YAML 1.1 values as PyYAML gives them, and exact positions everywhere."""

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from dioptra_lsp.model.mlproject import parse_mlproject
from dioptra_lsp.model.types import MISSING

PATH = Path("proj/MLproject")


def where(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(line, column) of the nth occurrence of needle: an oracle independent of the reader."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    before = text[:offset]
    return before.count("\n"), offset - (before.rfind("\n") + 1)


def start(span) -> tuple[int, int]:
    return span.start.line, span.start.character


def end(span) -> tuple[int, int]:
    return span.end.line, span.end.character


FOLDED = """\
name: demo   # a comment
entry_points:
  train:
    parameters:
      data_dir: { type: path, default: "/nfs/data" }
      image_size: { type: string, default: "28,28,1" }
      épsilon: {type: float, default: 1e-3}
    command: >
      PYTHONPATH=. python src/train.py
      --data-dir {data_dir}
      --image-size {image_size}

      --eps {épsilon} && bash post.sh
"""


def test_folded_command_value_matches_pyyaml_and_positions_are_exact():
    project = parse_mlproject(PATH, FOLDED)
    assert project.problems == ()
    (train,) = project.entry_points
    command = train.command
    assert command.value == yaml.safe_load(FOLDED)["entry_points"]["train"]["command"]
    assert command.style == ">"
    names = [p.name for p in command.placeholders]
    assert names == ["data_dir", "image_size", "épsilon"]
    for ph in command.placeholders:
        assert start(ph.span) == where(FOLDED, ph.raw)
        line, col = start(ph.span)
        assert end(ph.span) == (line, col + len(ph.raw))


def test_parameters_keep_yaml_11_meanings_and_spans():
    project = parse_mlproject(PATH, FOLDED)
    params = {p.name: p for p in project.entry_points[0].parameters}
    assert params["épsilon"].default == "1e-3"       # YAML 1.1: not a float without a dot
    assert params["data_dir"].type == "path"
    assert start(params["data_dir"].name_span) == where(FOLDED, "data_dir")
    assert start(params["data_dir"].default_span) == where(FOLDED, '"/nfs/data"')
    assert params["data_dir"].default_text == '"/nfs/data"'


@pytest.mark.parametrize("written, value", [
    ("1.0e-3", 0.001), ("010", 8), ("on", True), ("None", "None"), ("~", None), ("0x1A", 26),
    ("'010'", "010"), ("2001-01-01", __import__("datetime").date(2001, 1, 1)),
])
def test_defaults_are_what_pyyaml_safe_loader_builds(written, value):
    text = f"entry_points:\n  main:\n    parameters:\n      x: {{type: string, default: {written}}}\n    command: run {{x}}\n"
    param = parse_mlproject(PATH, text).entry_points[0].parameters[0]
    assert param.default == value
    assert param.has_default == (value is not None)


def test_missing_default_is_distinct_from_null():
    text = "entry_points:\n  main:\n    parameters:\n      a: string\n      b: {type: string}\n    command: x {a} {b}\n"
    a, b = parse_mlproject(PATH, text).entry_points[0].parameters
    assert a.short_form and a.type == "string" and a.default is MISSING
    assert not b.short_form and b.default is MISSING and not b.has_default


@pytest.mark.parametrize("style, body", [
    ("literal", "    command: |\n      python a.py \\\n        --x {x}\n"),
    ("plain", "    command: python a.py\n      --x {x}\n"),
    ("double", '    command: "python a.py\n      --x \\"{x}\\""\n'),
    ("single", "    command: 'python a.py\n      --x ''{x}'''\n"),
    ("strip", "    command: >-\n      python a.py\n      --x {x}\n"),
])
def test_placeholder_positions_in_every_scalar_style(style, body):
    text = "entry_points:\n  main:\n    parameters:\n      x: string\n" + body
    command = parse_mlproject(PATH, text).entry_points[0].command
    assert command.value == yaml.safe_load(text)["entry_points"]["main"]["command"]
    (ph,) = command.placeholders
    assert start(ph.span) == where(text, "{x}")
    assert command.offset_positions, f"{style} scalar was not mapped"


def test_invocations_skip_env_assignments_and_follow_chains():
    text = ("entry_points:\n  main:\n    command: >\n      A=1 B=2 python3 -u -m pkg.train --a 1\n"
            "      && bash -e scripts/post.sh {x} ; ./run.sh > log.txt\n")
    command = parse_mlproject(PATH, text).entry_points[0].command
    got = [(i.program, i.script, i.is_module, [a.value for a in i.args]) for i in command.invocations]
    assert got == [("python3", "pkg.train", True, ["--a", "1"]),
                   ("bash", "scripts/post.sh", False, ["{x}"]),
                   ("./run.sh", "./run.sh", False, [])]
    script_tok = command.invocations[1].script_token
    assert start(script_tok.span) == where(text, "scripts/post.sh")


def test_shell_quotes_are_removed_from_token_values():
    text = "entry_points:\n  main:\n    command: python a.py --msg \"a b\" --c 'd e' --f=g\\ h\n"
    words = parse_mlproject(PATH, text).entry_points[0].command.words
    assert [t.value for t in words] == ["python", "a.py", "--msg", "a b", "--c", "d e", "--f=g h"]


@pytest.mark.parametrize("command, valid, error", [
    ("x {a}", [True], None),
    ("x {}", [False], None),
    ("x {0}", [False], None),
    ("x {a:.2f}", [False], None),
    ("x {a!r}", [False], None),
    ("x {{literal}} {a}", [True], None),
    ("x {a", [], "unmatched"),
    ("x a}", [], "single"),
])
def test_placeholders_follow_str_format(command, valid, error):
    text = f"entry_points:\n  main:\n    parameters:\n      a: string\n    command: '{command}'\n"
    cmd = parse_mlproject(PATH, text).entry_points[0].command
    assert [p.valid for p in cmd.placeholders] == valid
    assert (cmd.format_error or "").startswith(error or "") and bool(cmd.format_error) == bool(error)


def test_duplicate_keys_are_reported_and_the_last_spec_wins():
    text = ("entry_points:\n  main:\n    parameters:\n      a: {type: string, default: one}\n"
            "      a: {type: float, default: 2}\n    command: x {a}\n")
    project = parse_mlproject(PATH, text)
    (dup,) = [p for p in project.problems if p.kind == "duplicate-key"]
    assert start(dup.span) == where(text, "a:", 1)
    (param,) = project.entry_points[0].parameters
    assert param.type == "float" and param.default == 2


def test_glued_flow_mapping_reads_as_one_key_with_null_value():
    text = "entry_points:\n  main:\n    parameters:\n      lr: {type:float, default:10}\n    command: x {lr}\n"
    param = parse_mlproject(PATH, text).entry_points[0].parameters[0]
    assert param.type is MISSING and param.default is MISSING
    assert [(k.name, k.value_is_null) for k in param.keys] == [("type:float", True), ("default:10", True)]


@pytest.mark.parametrize("text, fragment", [
    ("", "empty"),
    ("- a\n- b\n", "is a list"),
    ("name: x\n", "no `entry_points`"),
    ("entry_points: [a]\n", "not a mapping"),
    ("entry_points:\n  main:\n    parameters: {}\n", "has no `command`"),
    ("entry_points:\n  main:\n    parameters: [a]\n    command: x\n", "`parameters`"),
    ("entry_points:\n  main:\n    parameters:\n      a: 3\n    command: x\n", "parameter `a`"),
])
def test_structure_problems(text, fragment):
    problems = parse_mlproject(PATH, text).problems
    assert any(p.kind == "structure" and fragment in p.message for p in problems), problems


def test_syntax_error_has_the_error_position():
    text = "entry_points:\n  main:\n    command: [unclosed\n"
    (problem,) = parse_mlproject(PATH, text).problems
    assert problem.kind == "syntax"
    assert problem.span.start.line >= 2


def test_deep_nesting_is_a_problem_not_a_crash():
    text = "entry_points: " + "[" * 20000 + "]" * 20000 + "\n"
    project = parse_mlproject(PATH, text)
    assert project.problems


yaml_text = st.text(alphabet=st.sampled_from(list("{}[]:,'\"#>|-? \n\tabcxyz019.!&*%@`")), max_size=300)


@settings(max_examples=300, deadline=None)
@given(yaml_text)
def test_reader_never_raises_on_random_text(text):
    parse_mlproject(PATH, text)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(FOLDED) - 1), st.text(max_size=5))
def test_reader_never_raises_on_mutated_files(cut, insert):
    parse_mlproject(PATH, FOLDED[:cut] + insert + FOLDED[cut + 3:])


QUOTED_COMMANDS = [
    "python x.py --title 'a b'", "python x.py --title 'a b", 'python x.py --t "a b',
    "python x.py --t it\\'s", "python x.py --t \"it's\"", "python x.py --t 'say \"hi'",
    "python x.py --t 'a' && echo \"b", "python x.py # it's a comment",
    'python x.py --t "a \\" b"', 'python x.py --t "a \\" b', "python x.py --t a'b'c",
    "python x.py\n--t 'folded\nacross lines'",
    "python x.py --t $'it\\'s'", "python x.py --t $'it\\\\'s'", "python x.py --t $\"it's\"",
    "python x.py --t \"$(echo 'a)\"", "python x.py --t \"$(echo \"a)\"", "python x.py # $'",
    "python x.py --t ${x:-'a}", "python x.py --t `echo 'a`",
]


@pytest.mark.parametrize("command", QUOTED_COMMANDS)
def test_unclosed_quotes_are_what_bash_refuses(command):
    """bash itself is the oracle: ``bash -n`` parses without running and fails on an open quote."""
    import subprocess

    import yaml as pyyaml

    text = "entry_points:\n  main:\n    command: " + pyyaml.safe_dump(command).split("\n...")[0]
    parsed = parse_mlproject(PATH, text)
    assert parsed.entry_points[0].command.value == command
    bash = subprocess.run(["bash", "-n", "-c", command], capture_output=True, text=True)
    refused = re.search("unexpected EOF while looking for matching `[\'\"]", bash.stderr)
    cmd = parsed.entry_points[0].command
    assert (cmd.unclosed_quote is not None) == bool(refused), (command, bash.stderr)
    assert (cmd.shell.error is None) == (bash.returncode == 0), (command, bash.stderr)
    if refused:
        quote = bash.stderr.split("matching `")[1][0]
        assert cmd.unclosed_quote == quote
        span = cmd.unclosed_quote_span
        assert text.split("\n")[span.start.line][span.start.character] == quote


@pytest.mark.parametrize("style", [">", "|", ">-"])
def test_an_unclosed_quote_in_a_block_command_is_placed_on_its_own_character(style):
    text = (f"entry_points:\n  main:\n    command: {style}\n      python x.py\n"
            f"      --title 'it is\n      --epochs 3\n")
    cmd = parse_mlproject(PATH, text).entry_points[0].command
    assert cmd.unclosed_quote == "'"
    assert start(cmd.unclosed_quote_span) == where(text, "'") and end(cmd.unclosed_quote_span) == (
        where(text, "'")[0], where(text, "'")[1] + 1)


def _project_with(tmp_path, command: str):
    from dioptra_lsp.model.linkage import flag_uses
    from dioptra_lsp.model.project import load_project

    (tmp_path / "MLproject").write_text(
        "entry_points:\n  main:\n    parameters:\n      a: string\n"
        f"    command: {command}\n")
    (tmp_path / "x.py").write_text(
        "import click\n\n\n@click.command()\n@click.option('--a', required=True)\n"
        "def main(a):\n    pass\n\n\nif __name__ == '__main__':\n    main()\n")
    model = load_project(tmp_path / "MLproject")
    (link,) = model.links_for("main")
    return model, link, flag_uses(link, model.mlproject.entry_points[0].command,
                                  link.script.entry_command)


def test_a_flag_bash_computes_is_not_read_as_a_flag(tmp_path):
    command = "python x.py --$NAME {a} --a={a} \"--a\" {a}"
    _, _, uses = _project_with(tmp_path, f"'{command}'")
    inline, quoted = command.index("--a="), command.index('"--a"')
    assert [(u.flag, u.flag_written, u.flag_range) for u in uses] == [
        ("--a", True, (inline, inline + 3)), ("--a", False, (quoted, quoted + 5))]


def test_the_template_is_read_as_bash_will_see_it(tmp_path):
    """``{{ ...; }}`` is a brace group once str.format has run; offsets stay the written ones."""
    text_command = "'{{ cd . && python x.py --a {a}; }}'"
    model, link, uses = _project_with(tmp_path, text_command)
    command = model.mlproject.entry_points[0].command
    assert link.exists and link.invocation.script == "x.py"
    token = link.invocation.script_token
    assert command.value[token.start:token.end] == "x.py"
    assert [u.flag for u in uses] == ["--a"]
