"""dry-run on task-engine entry points: what run-experiment would do, held against its own code
(``run_experiment._cmdline_params_to_map``, ``task_engine._resolve_global_parameters``) where the
engine can be imported, and against the examples' plans."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ci_support import require_module  # noqa: E402

from dioptra_lsp.dryrun import dry_run  # noqa: E402
from dioptra_lsp.dryrun.experiment import _given, _globals  # noqa: E402
from dioptra_lsp.model.expread import parse_experiment  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
INSTALL = "pip install --no-deps dioptra-platform && pip install jsonschema pyyaml structlog"


@pytest.fixture(scope="module")
def engine():
    run = require_module("dioptra.task_engine.run_experiment", INSTALL)
    task_engine = require_module("dioptra.task_engine.task_engine", INSTALL)
    return run, task_engine


_TEXT = st.one_of(st.sampled_from(["", "1", "1e-5", "1.0e-5", "[28,28,1]", "{a: 1}", "no", "~",
                                   "'quoted'", "a b", "0x1F", "2024-01-02", "[1, [2]]", "x: y"]),
                  st.text("ab01:[]{}-,. ", max_size=6))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(st.tuples(st.sampled_from(["a", "b", "lr"]), st.booleans(), _TEXT), max_size=4))
def test_p_values_are_read_as_run_experiment_reads_them(engine, items):
    run, _ = engine
    words = [f"{name}={text}" if eq else name for name, eq, text in items]
    try:
        theirs = run._cmdline_params_to_map(words)
    except yaml.YAMLError:
        theirs = None
    argv = [w for word in words for w in ("-P", word)]
    ours, problems = _given(argv, [(i + 1, 0) for i in range(0, len(argv), 2)], None, None)
    if theirs is None:
        assert any(p.kind == "parameter-not-yaml" for p in problems)
    else:
        assert not problems and ours == theirs


_SPEC = st.one_of(st.integers(0, 3), st.none(), st.just([1, 2]), st.just("x"),
                  st.fixed_dictionaries({"type": st.just("integer")}),
                  st.fixed_dictionaries({"default": st.integers(0, 3)}),
                  st.fixed_dictionaries({"type": st.just("string"), "default": st.just("s")}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=st.dictionaries(st.sampled_from(["a", "b", "c"]), _SPEC, max_size=3),
       supplied=st.dictionaries(st.sampled_from(["a", "b", "z"]), st.integers(5, 9), max_size=2))
def test_global_parameters_are_resolved_as_the_engine_does(engine, spec, supplied):
    _, task_engine = engine
    from dioptra.sdk.exceptions.task_engine import MissingGlobalParametersError

    text = yaml.safe_dump({"parameters": spec, "tasks": {"t": {"plugin": "a.b"}},
                           "graph": {"s": {"task": "t"}}})
    exp = parse_experiment(Path("x.yml"), text)
    problems: list = []
    values, shown = _globals(exp, dict(supplied), None, None, problems)
    mine_missing = {f.name for f in shown if f.origin == "missing"}
    theirs = dict(supplied)
    try:
        task_engine._resolve_global_parameters(spec, theirs)
    except MissingGlobalParametersError as err:
        assert mine_missing and all(name in str(err) for name in mine_missing)
        return
    assert not mine_missing and values == theirs
    dropped = set(supplied) - set(spec)
    assert {p.message.split("`")[1].split("=")[0].removeprefix("-P ") for p in problems
            if p.kind == "parameter-unused"} == dropped


# --------------------------------------------------------------------------- the examples


def test_a_clean_experiment_would_start_and_its_steps_run_in_the_engines_order():
    report = dry_run(REPO / "examples" / "experiment-mnist", "train")
    assert report.verdict == "would-start", report.to_text()
    assert [t.step for t in report.plan] == ["rng", "make_opt", "data", "model", "log"]
    data = report.to_json()["plan"][2]
    assert data["inputs"]["seed"] == {"output_of_task": 1, "item": None, "output": "seed"}
    assert data["target"] == "dioptra_custom.data.mnist.load_mnist"
    assert report.to_json()["experiment_parameters"]["run_name"] == {"value": "mnist-Adam",
                                                                      "source": "-P run_name"}
    # the $$ escape reaches the plugin with one dollar
    model = next(t for t in report.plan if t.step == "model")
    callbacks = next(i for i in model.inputs if i.name == "callbacks")
    assert callbacks.value == [{"monitor": "val_loss", "patience": 3}, "$HOME/checkpoints"]


def test_values_given_with_p_reach_the_steps_and_are_type_checked():
    report = dry_run(REPO / "examples" / "experiment-mnist", "train", {"epochs": "[1, 2]"})
    assert report.verdict == "would-start" or report.verdict == "would-fail"
    kinds = {(p.kind, p.severity) for p in report.problems}
    assert ("argument-type", "warning") in kinds
    epochs = next(f for f in report.flow_inputs if f.name == "epochs")
    assert epochs.value == [1, 2] and epochs.origin == "-P epochs"


def test_a_broken_experiment_fails_with_every_reason():
    report = dry_run(REPO / "examples" / "broken-experiment", "train")
    assert report.verdict == "would-fail"
    kinds = {p.kind for p in report.findings}
    assert {"missing-parameters", "parameter-unused", "plugin-call", "plugin-function-missing",
            "step-arguments", "reference-unresolved", "dependency-unknown", "task-outputs",
            "experiment-invalid", "argument-type"} <= kinds
    assert [u.part for u in report.unchecked] == [
        "step `report` (dioptra_builtins.tracking.mlflow.log_metrics)"]


def test_an_experiment_file_that_is_not_there(tmp_path):
    report = dry_run(REPO / "examples" / "broken-experiment", "attack")
    assert report.verdict == "would-fail"
    assert [p.kind for p in report.findings] == ["experiment-missing"]


def test_an_undeclared_mlflow_parameter_is_appended_and_refused(tmp_path):
    (tmp_path / "MLproject").write_text(textwrap.dedent("""\
        name: t
        entry_points:
          main:
            command: run-experiment exp.yml
        """))
    (tmp_path / "exp.yml").write_text("tasks:\n  t: {plugin: m.f}\ngraph:\n  s: {task: t}\n")
    (tmp_path / "m.py").write_text("from dioptra import pyplugs\n\n@pyplugs.register\ndef f():\n    pass\n")
    report = dry_run(tmp_path, "main", {"extra": "1"})
    assert "undeclared-parameters" in {p.kind for p in report.findings}
    assert dry_run(tmp_path, "main").verdict == "would-start"


def test_the_json_and_graph_name_the_steps():
    report = dry_run(REPO / "examples" / "experiment-mnist", "infer")
    text = json.dumps(report.to_json())
    assert '"step": "classifier"' in text
    assert "3. accuracy: dioptra_custom.registry.models.score" in report.graph("mermaid")
