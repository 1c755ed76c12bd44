"""DL202, DL204, DL206, DL207, DL208 at their edges, with click and MLflow as the oracles.

The script is real: its click command is built by executing it in this process (it imports
only click), and the argv MLflow would hand it comes from MLflow's own ``compute_command``.
Whether click stops with "Missing option", refuses a value, or keeps only the last of two
values is then asked of click itself, and each rule must fire exactly there, with an exact
range.  DL208's oracle runs the script as ``__main__`` and looks whether the command ran.
"""

from __future__ import annotations

import runpy
import shlex
import sys
import textwrap
from pathlib import Path

import click
import pytest

# MLflow is the oracle (mlflow-skinny, a test extra): missing it is a failure, not a skip.
import mlflow.projects._project_spec as spec  # noqa: E402

from dioptra_lsp.engine import lint_paths  # noqa: E402
from dioptra_lsp.model.source import Span  # noqa: E402


def write(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder


def lint(folder: Path, *codes: str):
    return [d for d in lint_paths([folder]) if not codes or d.code in codes]


def span(text: str, needle: str, nth: int = 0, length: int | None = None) -> Span:
    """The range of the nth ``needle`` in ``text``: found in the source, not by the reader."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    before = text[:offset]
    line, col = before.count("\n"), offset - (before.rfind("\n") + 1)
    return Span.of(line, col, line, col + (len(needle) if length is None else length))


def script(*decorators: str, extra: str = "") -> str:
    """A click script whose command takes any option (``**kwargs``: no DL305/DL306 noise)."""
    lines = "\n".join(f"@{d}" for d in decorators)
    return (f"import click\n\n\n@click.command()\n{lines}\ndef main(**kwargs):\n    pass\n{extra}\n\n"
            f'if __name__ == "__main__":\n    main()\n')


def real_command(path: Path) -> click.Command:
    """The script's own click command, built by running its module body (not ``__main__``)."""
    namespace = {"__name__": "dioptra_lint_oracle", "__file__": str(path)}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return namespace["main"]


def mlflow_argvs(folder: Path, monkeypatch, tmp_path: Path) -> dict[str, list[str]]:
    """For each entry point, the words after ``t.py`` in the command MLflow builds from the
    defaults (run from the project folder, as Dioptra workers do)."""
    monkeypatch.chdir(folder)
    project = spec.load_project(str(folder))
    argvs = {}
    for name in project._entry_points:
        storage = tmp_path / f"storage-{name}"
        storage.mkdir()
        words = shlex.split(project.get_entry_point(name).compute_command({}, str(storage)))
        argvs[name] = words[words.index("t.py") + 1:]
    return argvs


def click_outcome(command: click.Command, argv: list[str]):
    """("ok", params), ("missing", name) or ("bad", name, reason), as click parses ``argv``."""
    try:
        ctx = command.make_context("t.py", list(argv))
    except click.MissingParameter as err:
        return "missing", err.param.name
    except click.BadParameter as err:
        return "bad", err.param.name, err.format_message().split(": ", 1)[1]
    return "ok", ctx.params


def entry_points(cases: list[tuple[str, str]], params: str = "") -> str:
    """An MLproject with entry points ``e0``, ``e1``, ... running ``python t.py ARGS``."""
    out = ["entry_points:"]
    for i, (args, ep_params) in enumerate(cases):
        out.append(f"  e{i}:")
        if ep_params or params:
            out.append(f"    parameters: {{{ep_params or params}}}")
        out.append(f"    command: python t.py {args}".rstrip())
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- DL202

# (the option's declaration, what the command passes): click decides what is missing.
REQUIRED_CASES = [
    ('click.option("--x", required=True)', ""),
    ('click.option("--x", required=True)', "--x 1"),
    ('click.option("--x", "-x", required=True)', "-x 1"),
    ('click.option("--x", required=True)', "--x=1"),
    ('click.option("--x", required=True)', "--y 1"),
    ('click.option("--x", required=True)', "--y 1 -- --x 1"),
    ('click.option("--x", required=True, default="a")', ""),
    ('click.option("--x", required=True, default=None)', ""),
    ('click.option("--x", required=True, type=int)', "--x {n}"),
    ('click.option("--x", required=True, multiple=True)', ""),
    ('click.option("--x", required=True, multiple=True)', "--x 1 --x 2"),
    ('click.option("--x", required=True, multiple=True, default=())', ""),
    ('click.option("--x", required=True, multiple=True, default=["a"])', ""),
    ('click.option("--x", required=True, nargs=2)', ""),
    ('click.option("--x", required=True, nargs=2)', "--x 1 2"),
    ('click.option("--x", required=True, nargs=2, default=None)', ""),
    ('click.option("--x", required=True, nargs=2, default=())', ""),   # another error
    ('click.option("--x", required=True, nargs=2, default=(1, 2))', ""),
    ('click.option("--x", required=True, multiple=True, default=[])', ""),
    ('click.option("--x", required=True, multiple=True, default=None)', ""),
    ('click.option("--x", required=True, count=True, default=2)', ""),
    ('click.option("--x", required=True, count=True)', ""),
    ('click.option("--x", required=True, is_flag=True)', ""),
    ('click.option("--x", required=True, is_flag=True)', "--x"),
    ('click.option("--x/--no-x", required=True)', "--no-x"),
    ('click.option("--x/--no-x", required=True)', ""),
    ('click.option("--x/--no-x", required=True, default=False)', ""),
    ('click.option("--x", required=False)', ""),
    ('click.option("--x", "--the-x", required=True)', "--the-x 1"),
    ('click.option("-x", required=True)', "-x 1"),
    ('click.option("--x", "other_name", required=True)', "--x 1"),
]


@pytest.mark.parametrize("case", range(len(REQUIRED_CASES)))
def test_dl202_fires_exactly_where_click_stops_with_missing_option(case, tmp_path, monkeypatch):
    decl, args = REQUIRED_CASES[case]
    folder = write(tmp_path, {
        "MLproject": entry_points([(args, "n: {type: float, default: 3}" if "{n}" in args else "")]),
        "t.py": script(decl, 'click.option("--y")')})
    outcome = click_outcome(real_command(folder / "t.py"),
                            mlflow_argvs(folder, monkeypatch, tmp_path)["e0"])
    diags = lint(folder, "DL202")
    assert bool(diags) == (outcome[0] == "missing"), (decl, args, outcome)


def test_dl202_message_range_and_the_other_side(tmp_path):
    folder = write(tmp_path, {"MLproject": """
        entry_points:
          passes:
            command: python t.py --data-dir /data
          forgets:
            parameters: {size: {type: string, default: "28"}}
            command: >
              python t.py
              --image-size {size}
              --image-size {size}
          chained:
            command: python t.py --data-dir /d && python t.py -s 1
    """, "t.py": script('click.option("--image-size", "-s")',
                        'click.option("--data-dir", "-d", type=click.Path(), required=True)')})
    text = (folder / "MLproject").read_text()
    source = (folder / "t.py").read_text()
    diags = lint(folder, "DL202")
    assert [d.span for d in diags] == [span(text, "t.py", 1), span(text, "t.py", 3)]
    assert diags[0].message == (
        "entry point `forgets` never passes `--data-dir`, a required option of `main` (t.py:6) "
        "with no default, so click stops with \"Missing option\"; passed: --image-size, --image-size")
    assert diags[1].message.startswith("entry point `chained` never passes `--data-dir`")
    assert diags[1].message.endswith("passed: -s")
    declared = span(source, 'click.option("--data-dir"',
                    length=len('click.option("--data-dir", "-d", type=click.Path(), required=True)'))
    assert [(r.path, r.span, r.message) for r in diags[0].related] == [
        (folder / "t.py", declared, "`--data-dir` declared here")]
    assert all(d.severity.label == "error" for d in diags)


def test_dl202_trusts_an_envvar_the_worker_may_set(tmp_path, monkeypatch):
    # click reads it from the environment when the flag is absent; whether the worker sets
    # it is not in the files, so no error is predicted.
    folder = write(tmp_path, {"MLproject": entry_points([("", "")]),
                              "t.py": script('click.option("--x", required=True, envvar="RUN_X")')})
    monkeypatch.setenv("RUN_X", "1")
    assert click_outcome(real_command(folder / "t.py"), [])[0] == "ok"
    assert lint(folder, "DL202") == []


# --------------------------------------------------------------------------- DL204

# (option declaration, MLproject parameter spec): the value MLflow passes is what click gets.
TYPE_CASES = [
    ("type=click.INT", "{type: float, default: 0.5}"),
    ("type=click.INT", "{type: float, default: 10}"),
    ("type=click.INT", "{type: float, default: 10.0}"),
    ("type=click.INT", "{type: float, default: 1e3}"),
    ("type=click.INT", "{type: string, default: true}"),
    ("type=click.INT", '{type: string, default: " 7 "}'),
    ("type=int", "{type: string, default: 0x1F}"),
    ("type=click.FLOAT", "{type: float, default: abc}"),
    ("type=click.FLOAT", "{type: float, default: .inf}"),
    ("type=float", "{type: float, default: 1}"),
    ("type=click.BOOL", "{type: string, default: true}"),
    ("type=click.BOOL", "{type: string, default: on}"),
    ("type=click.BOOL", '{type: string, default: "yes"}'),
    ("type=click.BOOL", "{type: string, default: 2}"),
    ("type=click.BOOL", "{type: string, default: maybe}"),
    ("type=bool", "{type: string, default: 0}"),
    ('type=click.Choice(["nearest", "bilinear"])', "{type: string, default: linear}"),
    ('type=click.Choice(["nearest", "bilinear"])', "{type: string, default: nearest}"),
    ('type=click.Choice(["a", "b"], case_sensitive=False)', "{type: string, default: A}"),
    ('type=click.Choice(["a", "b"])', "{type: string, default: A}"),
    ('type=click.Choice(["1", "2"])', "{type: float, default: 1}"),
    ("type=click.IntRange(0, 10)", "{type: float, default: 11}"),
    ("type=click.IntRange(0, 10)", "{type: float, default: 5}"),
    ("type=click.IntRange(0, 10, clamp=True)", "{type: float, default: 11}"),
    ("type=click.IntRange(min=1)", "{type: float, default: 0}"),
    ("type=click.IntRange(max=3)", "{type: float, default: 3}"),
    ("type=click.FloatRange(0, 1)", "{type: float, default: 1.5}"),
    ("type=click.FloatRange(0.0, 1.0)", "{type: float, default: 0.25}"),
    ("type=click.UUID", "{type: string, default: not-a-uuid}"),
    # rebuilt by the one builder the dry-run uses too (clicktypes.py): open bounds, dates
    ("type=click.FloatRange(0, 1, min_open=True)", "{type: float, default: 0}"),
    ("type=click.FloatRange(0, 1, max_open=True)", "{type: float, default: 0.5}"),
    ("type=click.IntRange(0, 10, max_open=True)", "{type: float, default: 10}"),
    ("type=click.DateTime()", '{type: string, default: "2020-13-45"}'),
    ("type=click.DateTime()", "{type: string, default: 2020-01-02}"),
    ('type=click.DateTime(["%d.%m.%Y"])', "{type: string, default: 2020-01-02}"),
    ("type=click.STRING", "{type: float, default: abc}"),
    ("default=3", "{type: string, default: x}"),
    ("default=3", "{type: float, default: 4}"),
    ("default=0.5", "{type: string, default: x}"),
    ("default=True", "{type: string, default: maybe}"),
    ('default="3"', "{type: string, default: x}"),
    ("type=click.INT", "{type: path, default: .}"),
    ("type=click.FLOAT", "{type: path, default: data}"),
    ("type=click.BOOL", "{type: path, default: .}"),
    ("type=click.IntRange(0, 9)", "{type: path, default: .}"),
    ("default=1", "{type: path, default: .}"),
    ("type=click.INT", '{type: uri, default: "s3://bucket/key"}'),
    ("type=click.STRING", "{type: path, default: .}"),
    ("type=click.INT, multiple=True", "{type: float, default: 0.5}"),
    ("type=click.INT, multiple=True", "{type: float, default: 5}"),
]
VALUE_FORMS = ["--o{i} {{p}}", "--o{i}={{p}}", "--o{i} '{{p}}'", '"--o{i}" "{{p}}"']


def _type_project(tmp_path: Path, forms: list[str]) -> Path:
    options = [f'click.option("--o{i}", {decl})' for i, (decl, _) in enumerate(TYPE_CASES)]
    cases = [(forms[i % len(forms)].format(i=i), f"p: {p}") for i, (_, p) in enumerate(TYPE_CASES)]
    return write(tmp_path, {"MLproject": entry_points(cases), "t.py": script(*options), "data/x": ""})


def test_dl204_fires_exactly_where_click_refuses_the_value_mlflow_passes(tmp_path, monkeypatch):
    folder = _type_project(tmp_path, VALUE_FORMS)
    command = real_command(folder / "t.py")
    argvs = mlflow_argvs(folder, monkeypatch, tmp_path)
    expected = {}
    for i in range(len(TYPE_CASES)):
        outcome = click_outcome(command, argvs[f"e{i}"])
        if outcome[0] == "bad":
            assert outcome[1] == f"o{i}"
            expected[i] = outcome[2]
    assert len(expected) > len(TYPE_CASES) // 3
    lines = (folder / "MLproject").read_text().split("\n")
    found = {(d.span.start.line - 2) // 3: d for d in lint(folder, "DL204")}   # 3 lines per entry point
    assert set(found) == set(expected), {i: TYPE_CASES[i] for i in set(found) ^ set(expected)}
    for i, reason in expected.items():
        diag, line = found[i], lines[3 * i + 2]
        ptype = TYPE_CASES[i][1].split(",")[0].split()[-1]
        if ptype in ("path", "uri"):   # MLflow passes an absolute path or URI: the type is the cause
            col = line.index(f"type: {ptype}") + len("type: ")
            assert diag.span == Span.of(3 * i + 2, col, 3 * i + 2, col + len(ptype))
            assert diag.message.startswith(f"parameter `p` has type `{ptype}` but feeds `--o{i}` ")
            assert diag.message.endswith(f"MLflow turns a {ptype} into an absolute path or URI "
                                         f"that click cannot convert")
        else:
            default = line[line.index("default: ") + 9:line.rindex("}}")]
            col = line.index("default: ") + 9
            assert diag.span == Span.of(3 * i + 2, col, 3 * i + 2, col + len(default))
            assert diag.message.startswith(f"default `{default}` of parameter `p` reaches `--o{i}` as ")
            assert diag.message.endswith(f"rejects: Invalid value: {reason}"), (diag.message, reason)
        assert diag.related[0].message == f"`--o{i}` declared here"


def test_dl204_and_the_dry_run_refuse_the_same_defaults(tmp_path):
    """Both rebuild the click type with the one builder (clicktypes.py): check warns exactly
    where the dry-run's click parse of MLflow's command fails on that option."""
    from dioptra_lsp.dryrun import dry_run

    folder = _type_project(tmp_path, VALUE_FORMS)
    found = {(d.span.start.line - 2) // 3 for d in lint(folder, "DL204")}
    refused = {i for i in range(len(TYPE_CASES))
               if any(p.kind == "click-usage" for p in dry_run(folder, f"e{i}").problems)}
    assert found == refused, {i: TYPE_CASES[i] for i in found ^ refused}


def test_dl204_is_silent_where_it_cannot_rebuild_the_type_or_the_value_is_not_one_placeholder(tmp_path):
    folder = write(tmp_path, {"MLproject": entry_points([
        ("--a {p}", "p: {type: float, default: 0.5}"),            # callback-free but unknown type
        ("--b {p}", "p: {type: string, default: x}"),
        ("--c {p}", "p: {type: path, default: missing}"),
        ("--d {p}x", "p: {type: float, default: 0.5}"),           # not the whole value
        ("--e {p} {p}", "p: {type: float, default: 0.5}"),        # two values per flag
        ("--f {p}", "p: {type: string}"),                         # no default: MLflow asks for one
        ("--g {q}", "p: {type: float, default: 0.5}"),            # undeclared: DL106's
        ("--a {p}", "p: {type: float, default: null}"),
        ("--h {p}", "p: {type: float, default: 0.5}"),
    ]), "t.py": script('click.option("--a", type=make_type())', 'click.option("--b", type=click.File())',
                       'click.option("--c", type=click.Path(exists=True))', 'click.option("--d", type=int)',
                       'click.option("--e", type=int, nargs=2)', 'click.option("--f", type=int)',
                       'click.option("--g", type=int)', 'click.option("--h", type=CHOICES)',
                       extra="\n\ndef make_type():\n    return click.INT\n\n\nCHOICES = click.Choice(['a'])\n")})
    assert lint(folder, "DL204") == []


# --------------------------------------------------------------------------- DL206

# (declarations, first use, words between, second use): click says whether the first is lost.
REPEAT_CASES = [
    ('click.option("--x")', "--x 1", "", "--x 2"),
    ('click.option("--x", "-x")', "--x 1", "", "-x 2"),
    ('click.option("--x")', "--x=1", "--y 3", "--x=2"),
    ('click.option("--x")', "--x {a}", "", "--x {b}"),
    ('click.option("--x")', "--x {a}", "", "--x {a}"),
    ('click.option("--x")', "--x 1", "", "--x 1"),
    ('click.option("--x")', '"--x" 1', "", '"--x" 2'),
    ('click.option("--x", multiple=True)', "--x 1", "", "--x 2"),
    ('click.option("--x", count=True)', "--x", "", "--x"),
    ('click.option("--x", "-x", is_flag=True)', "-x", "", "--x"),
    ('click.option("--x/--no-x")', "--x", "", "--no-x"),
    ('click.option("--x/--no-x")', "--no-x", "--y 3", "--no-x"),
    ('click.option("--x")', "--x 1", "--", "--x 2"),
    ('click.option("--x")', "--x --x", "", "--y 2"),
]


def test_dl206_fires_exactly_where_click_drops_the_first_value(tmp_path, monkeypatch):
    cases = []
    for decl, first, between, last in REPEAT_CASES:
        words = " ".join(w for w in (first, between, last) if w)
        only_first = " ".join(w for w in (first, between) if w)
        only_last = " ".join(w for w in (between, last) if w)
        cases.append([(w, "a: {default: A}, b: {default: B}") for w in (words, only_first, only_last)])
    fired = {}
    for i, (decl, first, between, last) in enumerate(REPEAT_CASES):
        folder = write(tmp_path / f"case{i}", {
            "MLproject": entry_points(cases[i]),
            "t.py": script(decl, 'click.option("--y")', 'click.argument("rest", nargs=-1)')})
        command = real_command(folder / "t.py")
        argvs = mlflow_argvs(folder, monkeypatch, tmp_path / f"case{i}")
        both, alone_first, alone_last = (click_outcome(command, argvs[f"e{k}"])[1]["x"] for k in range(3))
        lost = both == alone_last and both != alone_first
        diags = [d for d in lint(folder, "DL206") if "entry point `e0`" in d.message]
        fired[i] = bool(diags)
        assert fired[i] == lost, REPEAT_CASES[i]
        if lost:
            (diag,) = diags
            text = (folder / "MLproject").read_text()
            line = text.split("\n").index(f"    command: python t.py {cases[i][0][0]}")
            command_at = len("    command: python t.py ")
            second = command_at + len(cases[i][0][0]) - len(last)
            flag = last.split()[0].split("=")[0]
            assert diag.span == Span.of(line, second, line, second + len(flag)), REPEAT_CASES[i]
            first_word = first.split()[0]
            assert [r.span for r in diag.related] == [
                Span.of(line, command_at, line, command_at + len(first_word))], REPEAT_CASES[i]
            assert diag.message.startswith(f"`{flag.strip(chr(34))}` is passed twice in entry point `e0` "
                                           f"(first as `{first_word.split('=')[0].strip(chr(34))}` on "
                                           f"line {line + 1}); click keeps only the last value")
    assert sum(fired.values()) >= 5


# --------------------------------------------------------------------------- DL207

CLICK_MAIN = 'import click\n\n\n@click.command()\n@click.option("--x")\ndef main(x):\n    print(x)\n'
GUARD = '\n\nif __name__ == "__main__":\n    {call}()\n'
READABLE = {   # scripts whose command the linter reads: nothing to say
    "one command": CLICK_MAIN + GUARD.format(call="main"),
    "aliased import": 'from click import command as cmd, option as opt\n\n\n@cmd()\n@opt("--x")\n'
                      'def main(x):\n    print(x)\n' + GUARD.format(call="main"),
    "module alias": 'import click as c\n\n\n@c.command()\n@c.option("--x")\ndef main(x):\n    print(x)\n'
                    + GUARD.format(call="main"),
    "main picks one of two": CLICK_MAIN + '\n\n@click.command()\ndef other():\n    pass\n'
                             + GUARD.format(call="main"),
    "one command and a group": 'import click\n\n\n@click.group()\ndef cli():\n    pass\n\n\n'
                               '@cli.command()\n@click.option("--x")\ndef train(x):\n    print(x)\n'
                               + GUARD.format(call="train"),
    "a syntax error (DL001's)": "import click\n\ndef main(:\n",
}


@pytest.mark.parametrize("name", READABLE)
def test_dl207_is_silent_when_the_command_is_read_or_another_rule_speaks(name, tmp_path):
    folder = write(tmp_path, {"MLproject": "entry_points:\n  main:\n    command: python t.py --x 1\n",
                              "t.py": READABLE[name]})
    assert lint(folder, "DL207") == []


def test_dl207_is_silent_on_what_is_not_a_python_script(tmp_path):
    folder = write(tmp_path, {"MLproject": """
        entry_points:
          shell: {command: bash run.sh --x 1}
          missing: {command: python nowhere.py --x 1}
          inline: {command: python -c "print(1)"}
          binary: {command: ./train --x 1}
    """, "run.sh": "echo $@\n", "train": "#!/bin/sh\n"})
    assert lint(folder, "DL207") == []


def test_dl207_says_why_once_per_entry_point_and_script(tmp_path):
    folder = write(tmp_path, {"MLproject": """
        entry_points:
          plain:
            command: python argv.py --x 1 && python argv.py --x 2
          two:
            command: python two.py --x 1
          module:
            command: python -m pkg.argv --x 1
    """, "argv.py": "import sys\n\nprint(sys.argv)\n",
        "two.py": CLICK_MAIN + '\n\n@click.command()\ndef other():\n    pass\n\n\nmain()\nother()\n',
        "pkg/argv.py": "import argparse\n\nargparse.ArgumentParser().parse_args()\n"})
    text = (folder / "MLproject").read_text()
    diags = lint(folder, "DL207")
    assert [(d.span, d.message) for d in diags] == [
        (span(text, "argv.py"), "`argv.py` run by entry point `plain` was not cross-checked: it has "
                                "no `@click.command` function (argparse or sys.argv are not read)"),
        (span(text, "two.py"), "`two.py` run by entry point `two` was not cross-checked: it has "
                               "several click commands (main, other) and no `if __name__ == "
                               "\"__main__\":` call that picks one"),
        (span(text, "pkg.argv"), "`pkg.argv` run by entry point `module` was not cross-checked: it "
                                 "has no `@click.command` function (argparse or sys.argv are not read)"),
    ]
    assert all(d.severity.label == "info" for d in diags)


# --------------------------------------------------------------------------- DL208

BODY_RUNS = 'open(__file__ + ".ran", "w").close()'
COMMAND = f'import sys\n\nimport click\n\n\n@click.command()\ndef main():\n    {BODY_RUNS}\n'
INVOCATIONS = {
    "no call": "",
    "guard": '\n\nif __name__ == "__main__":\n    main()\n',
    "reversed guard": "\n\nif '__main__' == __name__:\n    main()\n",
    "guard calling a helper": '\n\ndef run():\n    main()\n\n\nif __name__ == "__main__":\n    run()\n',
    "guard with sys.exit": '\n\nif __name__ == "__main__":\n    sys.exit(main())\n',
    "module-level call": "\n\nmain()\n",
    "module-level sys.exit": "\n\nsys.exit(main())\n",
    "module-level main.main": "\n\nmain.main()\n",
    "module-level helper": "\n\ndef run():\n    main()\n\n\nrun()\n",
    "call only inside a function": "\n\ndef run():\n    main()\n",
    "module-level helper of a helper": "\n\ndef go():\n    main()\n\n\ndef run():\n    go()\n\n\nrun()\n",
    "module-level call of an unrelated helper": "\n\ndef setup():\n    pass\n\n\nsetup()\n",
    "helpers that never reach it": "\n\ndef a():\n    b()\n\n\ndef b():\n    print()\n\n\na()\n",
}


def _runs_its_command(path: Path, monkeypatch) -> bool:
    """Run the script as ``python path`` would (``__main__``, no arguments): did the command run?"""
    marker = Path(str(path) + ".ran")
    marker.unlink(missing_ok=True)
    monkeypatch.setattr(sys, "argv", [str(path)])
    try:
        runpy.run_path(str(path), run_name="__main__")
    except SystemExit as done:
        assert done.code in (0, None)
    return marker.exists()


@pytest.mark.parametrize("name", INVOCATIONS)
def test_dl208_fires_exactly_when_running_the_script_never_runs_the_command(name, tmp_path, monkeypatch):
    folder = write(tmp_path, {"MLproject": "entry_points:\n  main:\n    command: python t.py\n",
                              "t.py": COMMAND + INVOCATIONS[name]})
    runs = _runs_its_command(folder / "t.py", monkeypatch)
    diags = lint(folder, "DL208")
    assert bool(diags) == (not runs), name
    if diags:
        (diag,) = diags
        assert diag.span == span(COMMAND + INVOCATIONS[name], "main", 0)
        assert diag.path == folder / "t.py"


def test_dl208_fix_appends_exactly_a_main_block_that_runs_the_command(tmp_path, monkeypatch):
    from dioptra_lsp.fixes import apply_edits

    for ending in ("", "\n", "\n\n\n\n"):
        folder = write(tmp_path / f"ending{len(ending)}", {
            "MLproject": "entry_points:\n  a: {command: python t.py}\n  b: {command: python t.py}\n"})
        original = COMMAND.rstrip("\n") + ending
        (folder / "t.py").write_text(original)
        (diag,) = lint(folder, "DL208")
        assert diag.message == (
            "`main` is a click command, but nothing calls it when `t.py` runs (entry points `a`, "
            "`b`, MLproject:2): the process exits 0 having done nothing, and the job is marked "
            "finished. End the script with an `if __name__ == \"__main__\":` block that calls `main()`")
        text = (folder / "MLproject").read_text()
        assert [r.span for r in diag.related] == [span(text, "python t.py")]
        fixed, applied = apply_edits(original, list(diag.fix.edits))
        assert applied == 1
        assert fixed.startswith(original)
        added = fixed[len(original):]
        assert added.lstrip("\n") == 'if __name__ == "__main__":\n    main()\n'
        # PEP 8: two blank lines before the block, whatever the file ended with.
        assert fixed[:len(fixed) - len(added.lstrip("\n"))].endswith("\n\n\n")
        (folder / "t.py").write_text(fixed)
        assert _runs_its_command(folder / "t.py", monkeypatch)
        assert lint(folder, "DL208") == []


def test_dl208_offers_no_fix_when_which_command_to_call_is_in_doubt(tmp_path):
    folder = write(tmp_path, {"MLproject": "entry_points:\n  main:\n    command: python t.py\n",
                              "t.py": COMMAND + '\n\n@click.command()\ndef other():\n    pass\n'})
    (diag,) = lint(folder, "DL208")
    assert diag.fix is None and diag.message.startswith("`main` is a click command")
