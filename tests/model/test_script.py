"""parse_script: exact spans (character columns), click semantics, flows, flow.run; never raises."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dioptra_lsp.model.script import parse_decls, parse_script
from dioptra_lsp.model.source import SourceText, Span
from dioptra_lsp.model.types import MISSING, Unknown


def at(text: str, line_has: str, token: str, nth: int = 0) -> Span:
    """Independent oracle: the span of ``token`` on the first line containing ``line_has``."""
    lines = textwrap.dedent(text).lstrip("\n").split("\n")
    line = next(i for i, ln in enumerate(lines) if line_has in ln)
    col = -1
    for _ in range(nth + 1):
        col = lines[line].index(token, col + 1)
    return Span.of(line, col, line, col + len(token))


def parse(text: str):
    return parse_script(SourceText(Path("train.py"), textwrap.dedent(text).lstrip("\n")))


SCRIPT = '''
import click as c
from click import option, Path as ClickPath
from dioptra import pyplugs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH: str = "dioptra_builtins"
_DATA = _PLUGINS_IMPORT_PATH + ".data"


@c.command()
@option("--data-dir", "-d", type=ClickPath(exists=True, file_okay=False), help="données")
@c.option("--image-size", type=c.STRING, callback=lambda ctx, p, v: v, default="28,28,1")
@c.option("--shuffle/--no-shuffle", default=True)
@c.argument("run-id")
@c.option("--seed", type=int, default=int("3"), envvar="SEED", required=True)
@c.pass_context
def train(ctx, data_dir, image_size, shuffle, run_id, seed, extra=1):
    flow = init_flow()
    flow.run(parameters=dict(data_dir=data_dir, image_size=image_size, **{}))


def init_flow():
    # é ünïcödé: columns are characters, not bytes
    with Flow("Ré") as flow:
        data_dir, image_size = Parameter("data_dir"), Parameter("image_size", default="1")
        é = Parameter(name="é")
        a, b = pyplugs.call_task(f"{_PLUGINS_IMPORT_PATH}.data", "images", "resize", data_dir,
                                 image_size=dict(size=image_size), upstream_tasks=[é])
        pyplugs.call_task(_DATA, "x")
        pyplugs.call_task(compute(), "images", "f", ö=1)
        print("ö", data_dir)
    return flow


if __name__ == "__main__":
    with open("x"):
        _ = train(obj={})
'''


@pytest.fixture(scope="module")
def script():
    return parse(SCRIPT)


def test_constants_and_main(script):
    assert dict(script.constants) == {"_PLUGINS_IMPORT_PATH": "dioptra_builtins",
                                      "_DATA": "dioptra_builtins.data"}
    assert script.main_command == "train"
    assert script.entry_command.function == "train"
    assert script.problems == ()


def test_click_params(script):
    cmd = script.commands[0]
    assert cmd.command_name == "train" and not cmd.is_group
    assert cmd.span == at(SCRIPT, "def train(", "train")
    data_dir, image_size, shuffle, run_id, seed = cmd.params
    assert data_dir.flags == ("--data-dir", "-d") and data_dir.dest == "data_dir"
    assert data_dir.type.kind == "Path" and data_dir.type.arg("exists") is True
    assert data_dir.default is MISSING and not data_dir.required and data_dir.help == "données"
    assert data_dir.decl_span == at(SCRIPT, "données", '"--data-dir"')
    assert image_size.type.kind == "STRING" and image_size.has_callback and image_size.default == "28,28,1"
    assert shuffle.flags == ("--shuffle",) and shuffle.secondary_flags == ("--no-shuffle",)
    assert shuffle.dest == "shuffle" and shuffle.is_flag is None and shuffle.default is True
    assert run_id.kind == "argument" and run_id.dest == "run_id" and run_id.required
    assert seed.type.kind == "INT" and seed.default == Unknown('int("3")') and seed.required
    assert seed.envvar == "SEED"
    assert [p.name for p in cmd.function_params] == ["ctx", "data_dir", "image_size", "shuffle",
                                                    "run_id", "seed", "extra"]
    assert cmd.function_params[-1].has_default and cmd.function_params[-1].default_source == "1"
    assert {"data_dir", "image_size"} <= cmd.used_names and "seed" not in cmd.used_names
    assert cmd.passes_context


def test_parse_decls_like_click():
    assert parse_decls("option", ("-f", "--foo-bar")) == (("-f", "--foo-bar"), (), "foo_bar")
    assert parse_decls("option", ("--Foo", "dest")) == (("--Foo",), (), "dest")
    assert parse_decls("option", ("-x",)) == (("-x",), (), "x")
    assert parse_decls("option", ("/debug;/no-debug",)) == (("/debug",), ("/no-debug",), "debug")
    assert parse_decls("option", ("--shout/--no-shout", " -s")) == (("--shout", " -s"), ("--no-shout",), "shout")


def test_flow_parameters_tuple_unpacking_and_non_ascii_spans(script):
    flow = script.flows[0]
    assert flow.name == "Ré" and flow.variable == "flow" and flow.function == "init_flow"
    p1, p2, p3 = flow.parameters
    assert (p1.name, p1.variable, p1.has_default) == ("data_dir", "data_dir", False)
    assert (p2.name, p2.variable, p2.has_default) == ("image_size", "image_size", True)
    assert p1.name_span == at(SCRIPT, "data_dir, image_size =", '"data_dir"')
    assert p2.variable_span == at(SCRIPT, "data_dir, image_size =", "image_size")
    # line 25 is `        é = Parameter(name="é")`: the é before the call is 2 bytes, 1 character
    assert (p3.name, p3.variable) == ("é", "é")
    assert p3.span == at(SCRIPT, 'é = Parameter', 'Parameter(name="é")')
    assert p3.name_span == at(SCRIPT, 'é = Parameter', '"é"')
    assert p3.span.start.character == 12


def test_misaligned_tuple_is_recorded_by_position():
    s = parse('''
        from prefect import Flow, Parameter
        with Flow("x") as flow:
            a, b = Parameter("b"), Parameter("a")
    ''')
    assert [(p.name, p.variable) for p in s.flows[0].parameters] == [("b", "a"), ("a", "b")]


def test_call_tasks(script):
    flow = script.flows[0]
    t0, t1, t2 = flow.call_tasks
    assert (t0.package, t0.module, t0.function) == ("dioptra_builtins.data", "images", "resize")
    assert t0.targets == ("a", "b") and t0.index == 0
    assert [v.source for v in t0.positional] == ["data_dir"]
    assert [k.name for k in t0.keywords] == ["image_size", "upstream_tasks"]
    assert t0.keywords[0].value.names == ("dict", "image_size")
    assert t0.name_span == at(SCRIPT, "a, b = pyplugs", "call_task")
    assert (t1.package, t1.module, t1.function, t1.function_span) == ("dioptra_builtins.data", "x", None, None)
    assert t2.package == Unknown("compute()")
    # ö on the keyword's own line: span in characters
    assert t2.keywords[0].span == at(SCRIPT, "compute()", "ö")
    callees = [(o.callee, o.inside_call_task) for o in flow.other_calls]
    assert callees == [("dict", True), ("compute", True), ("print", False)]
    assert {"data_dir", "image_size", "é"} <= flow.task_input_names


def test_flow_run(script):
    (run,) = script.flow_runs
    assert run.receiver == "flow" and run.function == "train" and run.flow_function == "init_flow"
    assert [k.name for k in run.keys] == ["data_dir", "image_size"] and run.dynamic
    assert run.keys[0].span == at(SCRIPT, "flow.run(", "data_dir")


def test_flow_run_forms():
    s = parse('''
        from prefect import Flow, Parameter
        import subprocess

        def build():
            with Flow("x") as f:
                Parameter("a")
            return f

        def main(x):
            params = {"a": x, 1: 2}
            build().run(parameters=params)
            with Flow("y") as g:
                Parameter("b")
            g.run()
            subprocess.run(["ls"])
    ''')
    r1, r2 = s.flow_runs
    text = s.text
    assert r1.flow_function == "build" and [k.name for k in r1.keys] == ["a"] and r1.dynamic
    assert r1.keys[0].span == at(text, "params = ", '"a"')
    assert r2.flow_function == "main" and r2.keys == () and not r2.dynamic


def test_imports_variants():
    s = parse('''
        import click
        import dioptra.pyplugs
        import prefect
        from dioptra.pyplugs import call_task

        @click.group()
        def cli():
            pass

        @cli.command("go")
        @click.option("--n", type=click.IntRange(0, 5))
        def go_command(n):
            with prefect.Flow("f") as flow:
                x = prefect.Parameter("x")
                dioptra.pyplugs.call_task("p", "m", "f", x=x)
                call_task("p", "m", "g", x=x)
            flow.run(parameters={"x": n})

        if __name__ == "__main__":
            import sys
            sys.exit(cli())
    ''')
    assert [c.function for c in s.commands] == ["cli", "go_command"]
    assert s.commands[0].is_group and s.commands[1].command_name == "go"
    assert s.commands[1].params[0].type.args == ((0, 0), (1, 5))
    assert len(s.flows[0].call_tasks) == 2 and s.flows[0].other_calls == ()
    assert s.main_command == "cli"


def test_dynamic_locals():
    s = parse('''
        import click
        @click.command()
        @click.option("--a")
        def main(**kwargs):
            pass
    ''')
    assert s.commands[0].uses_dynamic_locals and s.commands[0].command_name == "main"


def test_unknown_decorators_are_recorded():
    s = parse('''
        import click
        @click.command()
        @common_options
        @click.option("--a")
        def main(a, seed):
            pass
    ''')
    assert s.commands[0].other_decorators == ("common_options",)


def test_syntax_error_range():
    s = parse("x = 'é'\né = 1 1\n")
    (problem,) = s.problems
    assert problem.kind == "syntax"
    assert problem.span.start.line == 1 and problem.span.start.character == 6


@pytest.mark.parametrize("text", [
    "", "\0\0", "(" * 500 + ")" * 500, "x = " + "[" * 2000, "-" * 10000 + "1",
    "def f(:\n", "with Flow() as:\n", "@click.option\ndef f(): pass",
    "from prefect import Flow\nwith Flow() as f:\n    f.run(parameters=dict(**x))",
    "import click\n@click.command(1, 2)\n@click.option(1, type=click.Choice)\ndef f(*, a, **k): ...",
    "x = 1 + " * 3000 + "1", "\ufeffé = 'é'\r\n\r",
])
def test_never_raises(text):
    s = parse_script(SourceText(Path("g.py"), text))
    assert isinstance(s.problems, tuple)


def test_annotated_flow_variable_and_direct_run():
    s = parse('''
        from prefect import Flow, Parameter

        def init_train_flow() -> Flow:
            with Flow("Train") as flow:
                Parameter("a")
            return flow

        def train(a):
            flow: Flow = init_train_flow()
            state = flow.run(parameters=dict(a=a))
            init_train_flow().run(parameters={"a": a})
            mlflow.run(".", parameters={"x": 1})
    ''')
    assert [(r.function, r.flow_function) for r in s.flow_runs] == [("train", "init_train_flow")] * 2


def test_task_inputs_through_assignments_and_loops():
    s = parse('''
        from dioptra import pyplugs
        from prefect import Flow, Parameter
        with Flow("x") as flow:
            a, b, c, d = Parameter("a"), Parameter("b"), Parameter("c"), Parameter("d")
            dirs = [a, b]
            for item in [c]:
                pyplugs.call_task("p", "m", "f", dirs=dirs, item=item)
            LOGGER.info("d", d=d)
    ''')
    flow = s.flows[0]
    assert {"a", "b", "c", "dirs", "item"} <= flow.task_input_names
    assert "d" not in flow.task_input_names and "d" in flow.used_names


# --------------------------------------------------------------------------- property: never raises

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from dioptra_lsp.model.plugins import parse_plugin_module  # noqa: E402

_PIECES = ["with Flow('f') as flow:\n", "    x = Parameter('x')\n", "    a, b = pyplugs.call_task(",
           "f'{C}.d'", ", 'm', 'f', x=x)\n", "@click.option('--a/--no-a', type=click.Choice(['é']))\n",
           "@click.command()\n", "def main(a, **k):\n", "    flow.run(parameters=dict(a=a, **k))\n",
           "@pyplugs.register\n", "@pyplugs.task_nout(2)\n", "if __name__ == '__main__':\n", "    main()\n",
           "C = 'p'\n", "é = 'ü' + C\n", "(", ")", "[", ":", "\t", "\r", "\\\n", "é", "\x00", "**", "lambda: 0"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=8), max_size=30))
def test_model_never_raises_on_mutated_scripts(pieces):
    text = "".join(pieces)
    script = parse_script(SourceText(Path("x.py"), text))
    plugin = parse_plugin_module(SourceText(Path("p.py"), text), "p")
    assert all(p.kind == "syntax" and "internal error" not in p.message for p in script.problems)
    assert all("internal error" not in p.message for p in plugin.problems)


def test_parameter_declared_before_the_flow_block_joins_it():
    s = parse('''
        from dioptra import pyplugs
        from prefect import Flow, Parameter
        data_dir = Parameter("data_dir")
        unused = Parameter("unused")
        with Flow("x") as flow:
            pyplugs.call_task("p", "m", "f", data_dir=data_dir)
        flow.run(parameters=dict(data_dir="/tmp"))
    ''')
    assert [(p.name, p.variable) for p in s.flows[0].parameters] == [("data_dir", "data_dir")]


def test_parameter_required_false_has_a_default():
    s = parse('''
        from prefect import Flow, Parameter
        with Flow("x") as flow:
            a = Parameter("a", required=False)
            b = Parameter("b", required=True)
    ''')
    a, b = s.flows[0].parameters
    assert a.has_default and not a.required_kw
    assert not b.has_default and b.required_kw


def test_tuple_unpacking_of_a_call_task_is_recorded_with_its_range():
    text = '''
    from dioptra import pyplugs
    from prefect import Flow

    with Flow("f") as flow:
        a, b = pyplugs.call_task("p", "m", "f")
        [c, *rest] = pyplugs.call_task("p", "m", "g")
        d = pyplugs.call_task("p", "m", "h")
        (e,) = pyplugs.call_task("p", "m", "i")
    '''
    (flow,) = parse(text).flows
    first, second, third, fourth = flow.call_tasks
    assert (first.unpacking.count, first.unpacking.starred) == (2, False)
    assert first.unpacking.span == at(text, "a, b =", "a, b")
    assert (second.unpacking.count, second.unpacking.starred) == (1, True)
    assert second.unpacking.span == at(text, "[c, *rest]", "[c, *rest]")
    assert third.unpacking is None and third.targets == ("d",)
    assert fourth.unpacking.count == 1 and fourth.unpacking.span == at(text, "(e,)", "(e,)")


NEVER_INVOKED = [
    ("", True),
    ("\nif __name__ == '__main__':\n    main()\n", False),
    ("\nif __name__ == '__main__':\n    run()\n", False),          # a helper may call it
    ("\nmain()\n", False),
    ("\nimport sys\nsys.exit(main())\n", False),
    ("\nmain.main(standalone_mode=True)\n", False),
    ("\nprint('hello')\n", True),
    ("\ndef later():\n    main()\n", True),                       # defined, never run
]


@pytest.mark.parametrize("tail, expected", NEVER_INVOKED)
def test_a_command_that_running_the_script_never_calls(tail, expected):
    text = "import click\n\n\n@click.command()\ndef main():\n    pass\n" + tail
    assert parse(text).commands_never_invoked is expected
    assert parse("print('no click here')\n" + tail.replace("main", "x")).commands_never_invoked \
        is False
