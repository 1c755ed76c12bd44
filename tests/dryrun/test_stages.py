"""Stages 2 and 3 on small projects written for each behaviour (the real model, real click)."""

from __future__ import annotations

import shlex
import textwrap
from pathlib import Path

import pytest

from dioptra_lsp.dryrun import dry_run
from dioptra_lsp.model.shell import parse_shell

HEADER = "import click\nfrom dioptra import pyplugs\nfrom prefect import Flow, Parameter\n\n"


def project(tmp_path: Path, command: str, options: str, body: str = "    pass\n",
            params: str = "", plugins: dict[str, str] | None = None, extra: str = "") -> Path:
    """An MLproject running ``x.py``, whose click command has ``options``; plugins under ``p/``."""
    params_yaml = "".join(f"      {line}\n" for line in params.splitlines())
    (tmp_path / "MLproject").write_text(
        "entry_points:\n  main:\n" + (f"    parameters:\n{params_yaml}" if params else "")
        + f"    command: {command}\n")
    (tmp_path / "x.py").write_text(
        HEADER + extra + "\n@click.command()\n" + textwrap.dedent(options)
        + "def main(**kwargs):\n" + body + "\n\nif __name__ == '__main__':\n    main()\n")
    for name, text in (plugins or {}).items():
        path = tmp_path / "p" / f"{name}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text("from dioptra import pyplugs\n\n" + textwrap.dedent(text))
    return tmp_path


def errors(report) -> list[tuple[str, str]]:
    return [(p.kind, p.message) for p in report.problems if p.severity == "error"]


def options(report) -> dict:
    return report.to_json()["options"]


# ------------------------------------------------------------------ shell words


@pytest.mark.parametrize("value", ["a b", "it's", 'say "hi"', "$HOME `id`", "x\ny", "", "--flag",
                                   "*.csv", "~/x", "{a,b}", "a\\b", "\u00e9t\u00e9"])
def test_a_value_quoted_by_mlflow_is_one_literal_word_again(value):
    """MLflow quotes each value with shlex.quote; the shell reader gives back exactly it."""
    (command,) = parse_shell(f"python x.py --a {shlex.quote(value)}").commands
    assert [w.value for w in command.words] == ["python", "x.py", "--a", value]
    assert command.words[-1].literal


# ------------------------------------------------------------------ click, rebuilt


def test_types_converted_by_click(tmp_path):
    (tmp_path / "data").mkdir()
    proj = project(tmp_path, '"python x.py --n 3 --f 0.5 --b yes --c B --r 7 --d data --u '
                   '12345678-1234-5678-1234-567812345678 --m a --m b --pair 1 2 --v --v --no-s"', """\
        @click.option("--n", type=click.INT)
        @click.option("--f", type=float)
        @click.option("--b", type=click.BOOL)
        @click.option("--c", type=click.Choice(["a", "b"], case_sensitive=False))
        @click.option("--r", type=click.IntRange(0, 10))
        @click.option("--d", type=click.Path(exists=True, file_okay=False, resolve_path=True))
        @click.option("--u", type=click.UUID)
        @click.option("--m", multiple=True)
        @click.option("--pair", nargs=2, type=int)
        @click.option("-v", "--v", count=True)
        @click.option("--s/--no-s", default=True)
        @click.option("--unset", default=4.5)
        """)
    report = dry_run(proj)
    assert errors(report) == []
    assert options(report) == {"n": 3, "f": 0.5, "b": True, "c": "b", "r": 7,
                               "d": str(tmp_path / "data"), "u": "12345678-1234-5678-1234-567812345678",
                               "m": ["a", "b"], "pair": [1, 2], "v": 2, "s": False, "unset": 4.5}
    assert {o.name: o.source for o in report.options}["unset"] == "default"


@pytest.mark.parametrize("args,message", [
    ("--n x", "Invalid value for '--n': 'x' is not a valid integer."),
    ("--r 11", "Invalid value for '--r': 11 is not in the range 0<=x<=10."),
    ("--d nowhere", "Invalid value for '--d': Path"),
    ("--n", "Option '--n' requires an argument."),
    ("--zzz 1", "No such option '--zzz'."),
    ("", "Missing option '--req'."),
    ("--req 1 extra", "Got unexpected extra argument (extra)"),
])
def test_click_errors_keep_clicks_message(tmp_path, args, message):
    proj = project(tmp_path, f'"python x.py --req 1 {args}"' if "req" not in args and args
                   else f'"python x.py {args}"', """\
        @click.option("--n", type=click.INT)
        @click.option("--r", type=click.IntRange(0, 10))
        @click.option("--d", type=click.Path(exists=True))
        @click.option("--req", required=True)
        """)
    [(kind, got)] = errors(dry_run(proj))
    assert kind == "click-usage" and got.startswith(message), got


def test_relative_click_paths_are_checked_in_the_project_folder(tmp_path, monkeypatch):
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "data.csv").write_text("x")
    proj = project(tmp_path / "proj", '"python x.py --f data.csv"', """\
        @click.option("--f", type=click.Path(exists=True, dir_okay=False))
        """)
    monkeypatch.chdir(tmp_path)   # not the project folder
    report = dry_run(proj)
    assert errors(report) == [] and options(report) == {"f": "data.csv"}


def test_what_cannot_be_rebuilt_is_passed_as_a_string_and_listed(tmp_path):
    proj = project(tmp_path, '"python x.py --a 1 --b 2 --c 3"', """\
        @click.option("--a", type=MyType())
        @click.option("--b", type=click.INT, callback=lambda c, p, v: v)
        @click.option("--c", default=DEFAULT)
        """, extra="DEFAULT = compute()\n")
    report = dry_run(proj)
    assert errors(report) == []
    got = options(report)
    assert got["a"] == {"not_checked": "type `MyType()` is not rebuilt", "value": "1"}
    assert got["b"]["value"] == 2 and "callback is not run" in got["b"]["not_checked"]
    assert got["c"] == {"not_checked": "default `DEFAULT` is not a literal", "value": "3"}


def test_arguments_and_a_script_in_a_chain(tmp_path):
    proj = project(tmp_path, '"PYTHONPATH=. python -u x.py in.txt out.txt > log && echo done"', """\
        @click.argument("src")
        @click.argument("dst")
        """)
    report = dry_run(proj)
    assert report.argv == ("PYTHONPATH=.", "python", "-u", "x.py", "in.txt", "out.txt")
    assert options(report) == {"src": "in.txt", "dst": "out.txt"}


def test_missing_script_is_an_error(tmp_path):
    (tmp_path / "MLproject").write_text("entry_points:\n  main:\n    command: python gone.py --a 1\n")
    [(kind, message)] = errors(dry_run(tmp_path))
    assert kind == "missing-script" and "`gone.py`, which does not exist" in message


# ------------------------------------------------------------------ the flow plan

FLOW_OPTIONS = """\
    @click.option("--lr", type=float, default=0.1)
    @click.option("--name", default="m")
    """

PLUGINS = {
    "model": """\
        @pyplugs.register
        def build(lr, name="net"):
            return lr

        @pyplugs.register
        @pyplugs.task_nout(2)
        def split(data):
            return data, data

        @pyplugs.register
        def anything(**kwargs):
            return kwargs
        """,
}


def flow_body(calls: str, run: str = "dict(lr=lr, name=name)") -> str:
    return textwrap.indent(textwrap.dedent(f"""\
        lr, name = kwargs["lr"], kwargs["name"]
        with Flow("f") as flow:
            lr_p, name_p = Parameter("lr"), Parameter("name")
        """) + textwrap.indent(textwrap.dedent(calls), "    ") + f"flow.run(parameters={run})\n",
        "    ")


def test_plan_follows_values_into_tasks(tmp_path):
    body = flow_body("""\
        m = pyplugs.call_task("p", "model", "build", lr=lr_p, name="fixed")
        a, b = pyplugs.call_task("p", "model", "split", m)
        pyplugs.call_task("p", "model", "anything", x=b, y=name_p, upstream_tasks=[a], mapped=False)
        pyplugs.call_task("p", "model", lr=lr_p)
        """)
    proj = project(tmp_path, '"python x.py --lr 0.5"', FLOW_OPTIONS, body, plugins=PLUGINS)
    report = dry_run(proj)
    assert errors(report) == []
    plan = report.to_json()["plan"]
    assert [(t["target"], t["file"], t["line"]) for t in plan] == [
        ("p.model.build", "p/model.py", 4), ("p.model.split", "p/model.py", 9),
        ("p.model.anything", "p/model.py", 13), ("p.model.build", "p/model.py", 4)]
    assert plan[0]["inputs"] == {"lr": {"parameter": "lr", "value": 0.5}, "name": {"value": "fixed"}}
    assert plan[1]["inputs"] == {"data": {"output_of_task": 1, "item": None}}
    assert plan[2]["inputs"] == {"x": {"output_of_task": 2, "item": 1},
                                 "y": {"parameter": "name", "value": "m"}}
    assert plan[2]["upstream_tasks"] == [2]
    assert plan[3]["inputs"] == {"lr": {"parameter": "lr", "value": 0.5}}
    assert ("t:2", "t:3", "upstream") in report.edges and ("p:lr", "t:1", "lr") in report.edges


@pytest.mark.parametrize("call,message", [
    ('pyplugs.call_task("p", "model", "build", rate=lr_p)',
     "task 1 (build): missing a required argument: 'lr'"),
    ('pyplugs.call_task("p", "model", "build", lr_p, lr=lr_p)',
     "task 1 (build): multiple values for argument 'lr'"),
    ('pyplugs.call_task("p", "model", "split", lr_p, name_p)',
     "task 1 (split): too many positional arguments"),
    ('pyplugs.call_task("p", "model", "build", lr=lr_p, other=1)',
     "task 1 (build): got an unexpected keyword argument 'other'"),
])
def test_task_binding_errors_are_pythons(tmp_path, call, message):
    proj = project(tmp_path, '"python x.py"', FLOW_OPTIONS, flow_body(call + "\n"), plugins=PLUGINS)
    [(kind, got)] = errors(dry_run(proj))
    assert kind == "task-binding" and got.startswith(message), got


def test_flow_parameters_missing_and_unexpected(tmp_path):
    body = flow_body('pyplugs.call_task("p", "model", "build", lr=lr_p, name=name_p)\n',
                     run="dict(lr=lr, nmae=name)")
    proj = project(tmp_path, '"python x.py"', FLOW_OPTIONS, body, plugins=PLUGINS)
    assert [k for k, _ in errors(dry_run(proj))] == ["flow-parameter-missing",
                                                     "flow-parameter-unknown"]


def test_missing_plugin_module_and_function(tmp_path):
    body = flow_body('pyplugs.call_task("p", "modle", "build", lr=lr_p)\n'
                     'pyplugs.call_task("p", "model", "biuld", lr=lr_p)\n')
    proj = project(tmp_path, '"python x.py"', FLOW_OPTIONS, body, plugins=PLUGINS)
    assert [k for k, _ in errors(dry_run(proj))] == ["plugin-not-found", "plugin-function-missing"]


def test_default_mode_runs_no_user_code_and_import_mode_does(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "MLproject").write_text('entry_points:\n  main:\n    command: "python x.py --lr 2"\n')
    (tmp_path / "x.py").write_text(textwrap.dedent(f"""\
        import click
        open({str(marker)!r}, "w").write("x")

        @click.command()
        @click.option("--lr", type=float, callback=lambda c, p, v: v * 10)
        def main(lr):
            pass

        if __name__ == "__main__":
            main()
        """))
    report = dry_run(tmp_path)
    assert not marker.exists()
    assert options(report)["lr"]["value"] == 2.0
    # The callback is not run, so what the script receives is not checked: no "would start".
    assert report.verdict == "not-checked" and not report.ok and report.exit_code == 3
    assert [(u.part, u.line) for u in report.unchecked] == [("option `--lr` of `x.py`", 5)]
    report = dry_run(tmp_path, import_script=True)
    assert marker.exists()          # --import runs module-level code, as documented
    assert report.ok and options(report) == {"lr": 20.0}


def test_import_failure_is_reported_not_raised(tmp_path):
    (tmp_path / "MLproject").write_text('entry_points:\n  main:\n    command: "python x.py"\n')
    (tmp_path / "x.py").write_text("import click\nimport no_such_module_here\n\n"
                                   "@click.command()\ndef main():\n    pass\n\n\n"
                                   "if __name__ == '__main__':\n    main()\n")
    [(kind, message)] = errors(dry_run(tmp_path, import_script=True))
    assert kind == "import-failed"
    assert message.startswith("importing x.py failed: ModuleNotFoundError: No module named "
                              "'no_such_module_here'")


def test_a_newline_in_a_literal_block_ends_the_command(tmp_path):
    (tmp_path / "MLproject").write_text(
        "entry_points:\n  main:\n    command: |\n      python x.py\n      --n 1\n")
    (tmp_path / "x.py").write_text(HEADER + '@click.command()\n@click.option("--n", type=int)\n'
                                   "def main(n):\n    pass\n\n\nif __name__ == '__main__':\n"
                                   "    main()\n")
    report = dry_run(tmp_path)
    assert report.command == "python x.py\n--n 1\n"   # MLflow's command, unchanged
    [(kind, message)] = errors(report)
    assert kind == "newline-splits-command"
    assert message.startswith("the shell runs `--n 1` as a command of its own")


# ------------------------------------------------------------------ beyond MLflow (warnings only)


def test_warnings_where_mlflow_is_silent(tmp_path):
    (tmp_path / "MLproject").write_text(
        "entry_points:\n  main:\n    parameters:\n"
        "      lr: {type: float, default: fast}\n      n: {type: int, default: 3}\n"
        "      p: {type: path, default: 's3://bucket/data'}\n"
        "    command: echo {lr} {n} {p}\n")
    report = dry_run(tmp_path, params={"n": "4"})
    assert report.ok and report.command == "echo fast 4 s3://bucket/data"
    assert [(p.kind, p.severity, p.line) for p in report.problems] == [
        ("not-a-number", "warning", 4), ("unknown-type", "warning", 5),
        ("would-download", "warning", 6)]   # `echo` cannot fail: nothing left unchecked
    assert report.verdict == "would-start"
    text = report.to_text()
    assert "  n  = '4'  (int, from -P)" in text and "  lr = 'fast'  (float, from default)" in text


@pytest.mark.parametrize("value", ["a%20b", "%E2%9C%93/x", "plain", "a%2Fb", "100%", "%zz"])
def test_local_path_decoding_is_url2pathname(value):
    from urllib.request import url2pathname

    from dioptra_lsp.model.mlproject import url2pathname as ours

    assert ours(value) == url2pathname(value)


def test_a_parameter_declared_twice_is_refused(tmp_path):
    body = textwrap.indent(textwrap.dedent("""\
        lr = kwargs["lr"]
        with Flow("f") as flow:
            lr_p = Parameter("lr")
            again = Parameter("lr")
            pyplugs.call_task("p", "model", "build", lr=again)
        flow.run(parameters=dict(lr=lr))
        """), "    ")
    proj = project(tmp_path, '"python x.py"', FLOW_OPTIONS, body, plugins=PLUGINS)
    report = dry_run(proj)
    assert [(p.kind, p.line) for p in report.problems if p.severity == "error"] == [
        ("flow-parameter-duplicate", 13)]   # the second Parameter("lr")
    assert report.to_json()["plan"][0]["inputs"]["lr"] == {"parameter": "lr", "value": 0.1}


def test_project_argument_may_be_the_mlproject_file_but_not_another_file(tmp_path):
    proj = project(tmp_path, '"python x.py --lr 3"', FLOW_OPTIONS)
    assert dry_run(proj / "MLproject").command == "python x.py --lr 3"
    [(kind, message)] = errors(dry_run(proj / "x.py"))
    assert kind == "no-project" and message.endswith("is neither a project folder nor an MLproject file")


def test_every_missing_script_of_a_chain_is_an_error(tmp_path):
    proj = project(tmp_path, '"bash prep.sh && python x.py --lr 1 && python gone.py"', FLOW_OPTIONS)
    report = dry_run(proj)
    assert [(p.kind, p.message.split(",")[0]) for p in report.problems if p.severity == "error"] == [
        ("missing-script", "the command runs `prep.sh`"),
        ("missing-script", "the command runs `gone.py`")]
    assert options(report) == {"lr": 1.0, "name": "m"}   # the script that is there is checked


def test_every_click_script_of_a_chain_has_its_argv_checked(tmp_path):
    body = textwrap.indent(textwrap.dedent("""\
        with Flow("f") as flow:
            pyplugs.call_task("p", "model", "build", lr=Parameter("lr"))
        flow.run(parameters=dict(lr=kwargs["lr"]))
        """), "    ")
    proj = project(tmp_path, '"python prep.py --rows {rows} && python x.py --lr 1"', FLOW_OPTIONS,
                   body, params="rows: {type: float, default: 2.5}", plugins=PLUGINS)
    (proj / "prep.py").write_text("import click\n\n\n@click.command()\n"
                                  "@click.option('--rows', type=int)\ndef prep(rows):\n    pass\n")
    report = dry_run(proj)
    [(kind, message)] = errors(report)
    assert kind == "click-usage" and "'2.5' is not a valid integer" in message
    assert options(report) == {"lr": 1.0, "name": "m"}   # the values shown are the flow script's
    assert [t["target"] for t in report.to_json()["plan"]] == ["p.model.build"]
    fixed = dry_run(proj, params={"rows": "3"})
    assert errors(fixed) == [] and fixed.ok


def test_unpacking_a_task_result_must_match_its_output_count(tmp_path):
    calls = """\
        a, b = pyplugs.call_task("p", "model", "split", data=lr_p)
        x, y, z = pyplugs.call_task("p", "model", "split", data=a)
        first, *rest = pyplugs.call_task("p", "model", "split", data=b)
        m, n = pyplugs.call_task("p", "model", "build", lr=lr_p)
        """
    proj = project(tmp_path, '"python x.py --lr 1"', FLOW_OPTIONS, flow_body(calls),
                   plugins=PLUGINS)
    report = dry_run(proj)
    found = [(p.kind, p.line, p.message.split("; ")[1]) for p in report.problems
             if p.kind == "task-outputs"]
    lines = (proj / "x.py").read_text().split("\n")
    line_of = {key: next(i for i, t in enumerate(lines, 1) if key in t) for key in ("x, y, z", "m, n")}
    assert found == [
        ("task-outputs", line_of["x, y, z"],
         'Prefect raises "not enough values to unpack (expected 3, got 2)" while building the flow'),
        ("task-outputs", line_of["m, n"],
         'Prefect raises "Task is not iterable" while building the flow')]
    assert not report.ok


def test_a_script_that_never_calls_its_command_would_run_nothing(tmp_path):
    proj = project(tmp_path, '"python x.py --lr 1"', FLOW_OPTIONS)
    script = proj / "x.py"
    script.write_text(script.read_text().split("\n\nif __name__")[0] + "\n")
    report = dry_run(proj)
    [(kind, message)] = errors(report)
    assert kind == "command-never-invoked" and "never calls it" in message


# ------------------------------------------------------------------ structure problems

STRUCTURE_PROJECTS = {
    "empty": "",
    "not-a-mapping": "- a\n",
    "no-entry-points": "name: x\n",
    "entry-points-not-a-mapping": "entry_points: [a]\n",
    "entry-point-not-a-mapping": "entry_points:\n  main: 3\n",
    "parameters-not-a-mapping": "entry_points:\n  main:\n    parameters: [a]\n    command: x\n",
    "command-not-a-string": "entry_points:\n  main:\n    command: [a]\n",
    "no-command": "entry_points:\n  main:\n    parameters: {}\n",
    "parameter-not-a-spec": "entry_points:\n  main:\n    parameters: {a: 3}\n    command: x\n",
    "parameter-not-a-mapping": "entry_points:\n  main:\n    parameters: {a: [1]}\n    command: x\n",
    "spark-job-not-a-mapping": "databricks_spark_job: 3\n",
    "spark-job-without-entry": "databricks_spark_job: {python_libraries: []}\n",
}


@pytest.mark.parametrize("code, text", STRUCTURE_PROJECTS.items())
def test_mlflows_verdict_on_a_structure_problem_follows_its_code_not_its_wording(code, text):
    from dioptra_lsp.dryrun.resolve import load_failure
    from dioptra_lsp.model.mlproject import parse_mlproject
    from dioptra_lsp.model.record import replace

    project = parse_mlproject(Path("p/MLproject"), text)
    assert code in {p.code for p in project.problems if p.kind == "structure"}
    reworded = replace(project, problems=tuple(replace(p, message=f"reworded {k}")
                                                 for k, p in enumerate(project.problems)))
    assert (load_failure(project) is None) == (load_failure(reworded) is None)
    assert (load_failure(project) is None) == (code in ("no-entry-points", "command-not-a-string",
                                                        "no-command"))
