"""The experiment model: exact ranges, every form the engine reads, the MLproject link, the
Dioptra 1.x assembly, discovery.  What the dry-run and the editor read comes from here."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dioptra_lsp.engine import lint_paths, run
from dioptra_lsp.model.dioptratoml import parse_dioptra_toml
from dioptra_lsp.model.experiment import bind_step
from dioptra_lsp.model.explink import mlflow_text, param_text, read_param_value
from dioptra_lsp.model.expread import parse_experiment
from dioptra_lsp.model.mlproject import parse_mlproject
from dioptra_lsp.model.project import load_project

EXPERIMENT = textwrap.dedent("""\
    types:
      size:
        tuple: [integer, integer]
    parameters:
      seed: -1
      size: [28, 28]
      run: {type: string}
    tasks:
      load:
        plugin: pkg.data.load
        inputs:
          - name: name
            type: string
            required: false
          - size: size
        outputs:
          - train: any
          - test: any
      fit:
        plugin: fit.fit
        inputs: [{data: any}, {extra: any}]
        outputs: {model: any}
    graph:
      data:
        load: {size: $size}
      model:
        fit: [$data.train, [{k: $seed}, "$$HOME", "$", seed]]
        dependencies: data
      again:
        task: fit
        args: $model
        kwargs: {extra: null}
    """)


def _at(text: str, span) -> str:
    lines = text.split("\n")
    assert span.start.line == span.end.line, span
    return lines[span.start.line][span.start.character:span.end.character]


@pytest.fixture(scope="module")
def exp():
    return parse_experiment(Path("train.yml"), EXPERIMENT)


def test_every_name_and_value_has_its_exact_range(exp):
    assert exp.problems == ()
    assert [_at(EXPERIMENT, p.name_span) for p in exp.parameters] == ["seed", "size", "run"]
    assert _at(EXPERIMENT, exp.parameter("size").default_span) == "[28, 28]"
    assert _at(EXPERIMENT, exp.parameter("run").type_span) == "string"
    load = exp.task("load")
    assert _at(EXPERIMENT, load.plugin_span) == "pkg.data.load"
    assert [(_at(EXPERIMENT, i.name_span), i.required, i.long_form) for i in load.inputs] == \
        [("name", False, True), ("size", True, False)]
    assert [_at(EXPERIMENT, o.name_span) for o in load.outputs] == ["train", "test"]
    assert load.outputs_form == "list" and exp.task("fit").outputs_form == "mapping"
    assert load.coordinates == ("pkg", "data", "load")
    assert exp.task("fit").coordinates == ("", "fit", "fit")   # a two-part id has no package


def test_references_anywhere_in_nested_values_and_not_escapes(exp):
    model = exp.step("model")
    refs = [(r.text, r.name, r.output, _at(EXPERIMENT, r.span)) for r in model.references]
    assert refs == [("$data.train", "data", "train", "$data.train"), ("$seed", "seed", None, "$seed")]
    words = [w for arg in model.args for w, _ in arg.value.words]
    assert words == ["seed"]   # "$$HOME" is an escape and "$" text; neither is a word to judge
    assert model.args[1].value.value == [{"k": "$seed"}, "$$HOME", "$", "seed"]


def test_step_forms(exp):
    data, model, again = exp.steps
    assert (data.form, data.task, [a.keyword for a in data.kwargs]) == ("keyword", "load", ["size"])
    assert (model.form, len(model.args)) == ("positional", 2)
    assert [d.name for d in model.dependencies] == ["data"]
    assert again.form == "mixed" and [a.value.value for a in again.args] == ["$model"]
    assert _at(EXPERIMENT, again.task_span) == "fit"
    assert exp.step_order == (("data", "model", "again"), ())


def test_binding_follows_the_validator_and_python(exp):
    data = exp.step("data")
    binding = bind_step(data, exp.task("load"))
    assert [b.input.name for b in binding.arguments] == ["size"]
    assert binding.missing == ()   # `name` is optional
    again = bind_step(exp.step("again"), exp.task("fit"))
    assert [(b.arg.index, b.input.name) for b in again.arguments] == [(0, "data"), (-1, "extra")]
    assert not again.too_many_positional and not again.unknown_keywords


def test_the_forms_the_engine_reads_that_tidy_files_do_not_use():
    text = textwrap.dedent("""\
        tasks:
          zero: {plugin: a.b}
          one: {plugin: a.b, inputs: [{x: any}]}
        graph:
          nothing:
            zero:
          single:
            one: 5
          base: &base {one: {x: 1}}
          merged:
            <<: *base
          twice: {task: one, args: [1], kwargs: {x: 2}}
        """)
    exp = parse_experiment(Path("x.yml"), text)
    nothing = exp.step("nothing")
    assert [a.value.value for a in nothing.args] == [None]       # `zero:` passes one null
    assert bind_step(nothing, exp.task("zero")).too_many_positional
    assert [a.value.value for a in exp.step("single").args] == [5]
    merged = exp.step("merged")
    assert merged.task == "one" and [a.keyword for a in merged.kwargs] == ["x"]
    twice = bind_step(exp.step("twice"), exp.task("one"))
    assert [i.name for i, _ in twice.given_twice] == ["x"]


def test_a_duplicate_step_keeps_the_last_and_is_reported():
    text = "tasks:\n  t: {plugin: a.b}\ngraph:\n  s: {task: t}\n  s: {t: []}\n"
    exp = parse_experiment(Path("x.yml"), text)
    assert [s.form for s in exp.steps] == ["positional"]
    (dup,) = [p for p in exp.problems if p.kind == "duplicate-key"]
    assert dup.span.start.line == 4 and dict(dup.detail)["first_span"].start.line == 3


def test_what_the_schema_refuses_is_a_problem_at_the_element():
    text = "tasks:\n  t: {plugin: nodot, inputs: [{name: x, typ: integer}]}\ngraph:\n  s.1: {t: [1]}\n"
    exp = parse_experiment(Path("x.yml"), text)
    lines = {p.span.start.line for p in exp.problems if p.kind == "experiment-structure"}
    assert lines == {1, 3}


# --------------------------------------------------------------------------- the MLproject link

MLPROJECT = textwrap.dedent("""\
    name: x
    entry_points:
      main:
        parameters:
          lr: {type: float, default: 0.00001}
          tag: {type: string, default: ""}
          n: {type: float, default: 3}
        command: >
          PYTHONPATH=$DIOPTRA_PLUGIN_DIR validate-experiment -q exp.yml &&
          env X=1 run-experiment --log-level debug exp.yml -P lr={lr} -Ptag={tag}
          -P="n=[{n}, 2]" -P verbose -l info
    """)


def test_run_experiment_arguments_as_argparse_reads_them(tmp_path):
    mlproject = parse_mlproject(tmp_path / "MLproject", MLPROJECT)
    from dioptra_lsp.model.explink import experiment_calls

    validate, run_call = experiment_calls(mlproject.entry_points[0].command)
    assert (validate.program, validate.file, validate.params) == ("validate-experiment", "exp.yml", ())
    assert run_call.file == "exp.yml"
    assert [(p.name, p.value, p.placeholders) for p in run_call.params] == [
        ("lr", "{lr}", ("lr",)), ("tag", "{tag}", ("tag",)), ("n", "[{n}, 2]", ("n",)),
        ("verbose", None, ())]
    lines = MLPROJECT.split("\n")
    for p in run_call.params:
        assert lines[p.name_span.start.line][p.name_span.start.character:p.name_span.end.character] == p.name
    ep = mlproject.entry_points[0]
    assert [param_text(p, ep) for p in run_call.params] == ["1e-05", "", "[3, 2]", None]


@pytest.mark.parametrize("text,value", [
    ("", None), ("[28,28,1]", [28, 28, 1]), ("1e-6", "1e-6"), ("1.0e-6", 1e-06), ("False", False),
    ("no", False), ("0x10", 16), ("a b", "a b"), (None, True)])
def test_values_are_read_as_run_experiment_reads_them(text, value):
    assert read_param_value(text) == (True, value, None)


def test_a_value_yaml_cannot_read_is_an_error():
    ok, _, error = read_param_value("a: b: c")
    assert not ok and "mapping values" in error


def test_mlflow_renders_the_default_with_str(tmp_path):
    ep = parse_mlproject(tmp_path / "MLproject", MLPROJECT).entry_points[0]
    assert [mlflow_text(p) for p in ep.parameters] == ["1e-05", "", "3"]


# --------------------------------------------------------------------------- Dioptra 1.x

TOML = textwrap.dedent("""\
    [[plugins]]
    path = "plugins/p"

      [[plugins.tasks.functions]]
      filename = "sub/__init__.py"
      name = "f"
      input_params = [ { name = "a", type = "string" }, { name = "b", type = "t", required = true } ]
      output_params = [ { name = "o", type = "t" } ]

      [[plugins.tasks.functions]]
      filename = "m.py"
      name = "g"
      input_params = []
      output_params = [ { name = "x", type = "integer" }, { name = "y", type = "integer" } ]

    [[plugin_param_types]]
    name = "t"
    structure = { list = "string" }

    [[entrypoints]]
    path = "ep.yaml"
    name = "E"
    params = [ { name = "k", type = "float", default_value = "0.5" },
               { name = "l", type = "list", default_value = "[1, 2]" },
               { name = "s", type = "string" } ]
    plugins = [ "p" ]
    """)


def test_dioptra_toml_is_assembled_as_the_server_does(tmp_path):
    (tmp_path / "plugins" / "p" / "sub").mkdir(parents=True)
    (tmp_path / "plugins" / "p" / "sub" / "__init__.py").write_text(
        "from dioptra import pyplugs\n\n@pyplugs.register\ndef f(a, b):\n    return b\n")
    (tmp_path / "plugins" / "p" / "m.py").write_text(
        "from dioptra import pyplugs\n\n@pyplugs.register\ndef g():\n    return 1, 2\n")
    (tmp_path / "dioptra.toml").write_text(TOML)
    (tmp_path / "ep.yaml").write_text("graph:\n  s:\n    f: {a: $s, b: [$l]}\n  u:\n    task: g\n")
    project = load_project(tmp_path / "dioptra.toml")
    (link,) = project.experiments
    desc = link.experiment.description
    assert desc["tasks"]["f"] == {"plugin": "p.sub.f",
                                  "inputs": [{"name": "a", "type": "string", "required": False},
                                             {"name": "b", "type": "t", "required": True}],
                                  "outputs": {"o": "t"}}
    assert desc["tasks"]["g"]["outputs"] == [{"x": "integer"}, {"y": "integer"}]
    assert desc["types"] == {"t": {"list": "string"}}
    assert desc["parameters"] == {"k": {"default": 0.5, "type": "number"}, "l": {"default": [1, 2]},
                                  "s": {"type": "string"}}
    f = link.experiment.task("f")
    assert f.path == tmp_path / "dioptra.toml" and project.task_target(f).function.name == "f"
    lines = TOML.split("\n")
    assert _at(TOML, f.inputs[1].name_span) == '"b"' and lines[f.span.start.line].strip().startswith("[[")


def test_toml_ranges_point_at_the_value():
    toml = parse_dioptra_toml(Path("dioptra.toml"), TOML)
    ep = toml.entrypoints[0]
    assert [_at(TOML, p.type_span) for p in ep.params] == ['"float"', '"list"', '"string"']
    assert _at(TOML, ep.plugins[0][1]) == '"p"'
    # read from nowhere on disk: only the plugin folder is missing
    assert [p.message.split(" does not exist")[0] for p in toml.problems] == ["plugin folder `plugins/p`"]


# --------------------------------------------------------------------------- discovery


def _project(tmp_path: Path) -> Path:
    (tmp_path / "MLproject").write_text(
        "name: x\nentry_points:\n  main:\n    command: run-experiment run.yml\n")
    body = "tasks:\n  t: {plugin: a.b}\ngraph:\n  s: {t: [1]}\n"
    (tmp_path / "run.yml").write_text(body)
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "alone.yml").write_text(body)
    (tmp_path / "config.yml").write_text("graph: {width: 3}\nother: 1\n")
    (tmp_path / "notes.yaml").write_text("title: not an experiment\n")
    return tmp_path


def test_a_file_no_mlproject_runs_is_linted_on_its_own(tmp_path):
    root = _project(tmp_path)
    files = {Path(d.path).name for d in lint_paths([root])}
    assert {"run.yml", "alone.yml"} <= files and "notes.yaml" not in files
    # run.yml is linted once, with the MLproject that runs it (its findings are not doubled)
    keys = [(d.path, d.span, d.code) for d in lint_paths([root])]
    assert len(keys) == len(set(keys))


def test_file_arguments_find_the_project_that_runs_them(tmp_path):
    root = _project(tmp_path)
    result = run([root / "run.yml"])
    assert result.projects == 1 and all(Path(d.path).name == "run.yml" or
                                        any(r.path.name == "run.yml" for r in d.related)
                                        for d in result.diagnostics)
    alone = run([root / "drafts" / "alone.yml"])
    assert {Path(d.path).name for d in alone.diagnostics} == {"alone.yml"}
    skipped = run([root / "notes.yaml"])
    assert skipped.skipped and not skipped.diagnostics
