"""Load-time verdicts against MLflow's own loader (mlflow-skinny, imported only by tests).

For every MLproject (a fixed corpus of named cases, then generated files that use every YAML
feature PyYAML's safe loader reads in its own way: see ``mlproject_fuzz.py``), MLflow's
``load_project`` either raises or loads; when it loads, each entry point's
``compute_command`` either gives a command or raises.  dioptra-lint must agree:

- MLflow refuses to load ⇔ the model's ``load_refusal`` is set ⇔ ``check`` reports it (DL001
  or DL101, error, at its exact range) ⇔ the dry-run of any entry point says "would fail"
  for that reason, at that range, and nothing else about the job;
- when MLflow loads: neither claims it refuses, every DL001/DL101/DL109 finding lies in an
  entry point MLflow then fails to run (or there is none to run), and the dry-run's command
  or failure class for each entry point is MLflow's;
- where PyYAML says where it stopped (a marked error), the finding starts there.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

# MLflow is the oracle (mlflow-skinny, a test extra): missing it is a failure, not a skip.
import mlflow.projects._project_spec as spec
from mlflow.exceptions import ExecutionException, MlflowException

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ci_support import fuzz_examples
from mlproject_fuzz import mlproject_texts

from dioptra_lsp.config import resolve_settings
from dioptra_lsp.dryrun import dry_run
from dioptra_lsp.engine import analyse
from dioptra_lsp.model.mlproject import load_mlproject

# The rules that say MLflow refuses the file (DL103 also warns of a type or default lost in a
# spec MLflow loads: only its findings the reader calls a refusal count).
LOAD_RULES = ("DL001", "DL101", "DL103", "DL109")
REFUSAL_RULE = {"syntax": "DL001", "structure": "DL101", "malformed-flow-mapping": "DL103"}


# ------------------------------------------------------------------ MLflow's side


@dataclass
class MLflowVerdict:
    refused: BaseException | None = None          # what load_project raised
    yaml_refused: bool = False                     # yaml.safe_load itself raised
    entry_points: list = field(default_factory=list)   # the keys of its entry point dict
    # (entry point, "defaults" or "full") -> (-P values, ("ok", command) or ("fail", class))
    runs: dict = field(default_factory=dict)
    # entry points a run of which would download a `path` value, and then fail however that
    # goes (their command is not a string): not run, known to fail
    doomed: set = field(default_factory=set)


def mlflow_verdict(folder: Path, text: str, storage: Path) -> MLflowVerdict:
    try:
        yaml.safe_load(text)
        yaml_refused = False
    except Exception:   # noqa: BLE001 -- any error of the loader is a refusal
        yaml_refused = True
    with contextlib.chdir(folder):   # MLflow resolves relative paths against the working folder
        try:
            project = spec.load_project(str(folder))
        except Exception as err:   # noqa: BLE001
            return MLflowVerdict(err, yaml_refused)
        verdict = MLflowVerdict(None, yaml_refused, list(project._entry_points))
        # every name a user could type: `-e 1` or `-e True` does not reach the key 1 or true
        names = [str(n) for n in project._entry_points]
        for name in dict.fromkeys(names + ["main"]):
            for values in ("defaults", "full", "by-name"):
                params, downloads = _params(project, name, values)
                if not downloads:
                    verdict.runs[name, values] = params, _run(project, name, params, storage)
                elif _missing(project, name, params):   # checked before any download
                    verdict.runs[name, values] = params, ("fail", "missing-parameters")
                elif not isinstance(project._entry_points[name].command, str):
                    verdict.doomed.add(name)   # fails after the download, or in it
    return verdict


def _missing(project, name: str, params: dict) -> bool:
    try:
        project._entry_points[name]._validate_parameters(params)
    except ExecutionException:
        return True
    return False


def _params(project, name: str, values: str) -> tuple[dict, bool]:
    """-P values: none, one for every parameter MLflow can be given, good for its type, or
    one for every parameter's name as text; and whether MLflow would download a ``path``
    value (not a loader matter: such a run is only checked for missing parameters)."""
    entry = project._entry_points.get(name)
    if entry is None or project.databricks_spark_job_spec is not None:
        return {}, False
    params = {}
    if values != "defaults":   # "by-name": -P 1=... for the key 1 too (it does not set it)
        for key, param in entry.parameters.items():
            if isinstance(key, str) or values == "by-name":
                params[str(key)] = {"path": "data", "uri": "s3://b/k"}.get(param.type, "v w")
    for key, param in entry.parameters.items():
        value = params.get(key) if isinstance(key, str) and key in params else param.default
        if param.type == "path" and value is not None and _downloads(value):
            return params, True
    return params, False


def _downloads(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsed = urlparse(value)
    except ValueError:
        return False
    return value == "" or (bool(parsed.scheme) and not (parsed.scheme == "file" and not parsed.netloc))


def _run(project, name: str, params: dict, storage: Path):
    try:
        entry = project.get_entry_point(name)
    except MlflowException:
        return "fail", "unknown-entry-point"
    if entry is None:   # a Databricks Spark job's python_file: not run here
        return "ok", None
    try:
        return "ok", entry.compute_command(dict(params), str(storage))
    except ExecutionException as err:
        msg = str(err)
        for needle, kind in (("No value given for missing parameters", "missing-parameters"),
                             ("Expected URI", "bad-uri"),
                             ("no such file or directory", "path-not-found")):
            if needle in msg:
                return "fail", kind
        raise
    except AttributeError as err:
        if "object has no attribute 'format'" in str(err) and "'str'" not in str(err):
            return "fail", "no-command"   # the command is not a string
        if "'str' object has no attribute" in str(err):
            return "fail", "command-format"
        return "fail", "invalid-value"
    except (ValueError, KeyError, IndexError) as err:
        if "Invalid IPv6 URL" in str(err) or "integer string conversion" in str(err):
            return "fail", "invalid-value"
        return "fail", "command-format"
    except TypeError:
        return "fail", "invalid-value"


# ------------------------------------------------------------------ dioptra-lint's side


def dry_outcome(folder: Path, name: str, params: dict):
    report = dry_run(folder, name, params)
    errors = [p for p in report.problems if p.severity == "error" and p.stage in ("project", "resolve")]
    if report.command is not None and not errors:
        return ("ok", report.command), report
    assert report.command is None, report.command
    return ("fail", errors[0].kind), report


def check_findings(mlproject: Path):
    _, diags = analyse(mlproject, resolve_settings(mlproject.parent))
    return [d for d in diags if d.path == mlproject and d.code in LOAD_RULES
            and d.severity.label == "error"]


def _position(mark):
    """A PyYAML mark as a model position.  MLflow opened the file with universal newlines
    (\r\n read as \n), so its offsets are not the file's, but its lines and columns are."""
    from dioptra_lsp.model.source import Position

    return Position(mark.line, mark.column)


# ------------------------------------------------------------------ the property


def assert_agrees(folder: Path, text: str, storage: Path) -> MLflowVerdict:
    mlp = folder / "MLproject"
    mlp.write_text(text, encoding="utf-8", newline="")
    verdict = mlflow_verdict(folder, text, storage)
    model = load_mlproject(mlp)   # as check and the dry-run read it (a BOM set apart)
    if any(p.kind == "unanalysed" for p in model.problems):
        pytest.fail(f"the model could not analyse the file: {model.problems}\n{text}")
    refusal = model.load_refusal
    findings = check_findings(mlp)
    _, report = dry_outcome(folder, "main", {})
    project_errors = [p for p in report.problems if p.stage == "project" and p.is_error]
    context = f"\n--- MLproject\n{text}--- MLflow: {verdict.refused!r}\n--- model: {model.problems}"
    if verdict.refused is not None:
        # The fs part of the verdict (a missing environment file) is the dry-run's and DL109's.
        assert project_errors, f"MLflow refuses to load, the dry-run does not say so{context}"
        first = project_errors[0]
        assert report.problems[0] == first, (report.problems, context)
        if refusal is None:
            assert first.kind == "environment" and "does not exist" in first.message, context
            assert any(d.code == "DL109" and d.span == first.span for d in findings), context
            return verdict
        assert (refusal.kind == "syntax") == verdict.yaml_refused, context
        assert first.span == refusal.span and first.message.endswith(refusal.message), context
        code = REFUSAL_RULE[refusal.kind]
        assert any(d.code == code and d.span == refusal.span and d.message == refusal.message
                   for d in findings), (findings, context)
        if isinstance(verdict.refused, yaml.MarkedYAMLError) and verdict.refused.problem_mark:
            assert refusal.span.start == _position(verdict.refused.problem_mark), context
        return verdict
    assert refusal is None, f"MLflow loads the file, the model says it refuses{context}"
    assert not project_errors, (project_errors, context)
    failing = {name for (name, _), (_, outcome) in verdict.runs.items() if outcome[0] == "fail"}
    failing |= verdict.doomed
    problems = {(p.span, p.message): p for p in model.problems}
    for finding in findings:   # each says MLflow fails to run an entry point: it does
        problem = problems.get((finding.span, finding.message))
        if finding.code == "DL103" and problem is None:
            continue   # `{type:float}` inside a spec: the type is lost, the file loads
        assert finding.code == "DL101" and problem is not None and problem.fails == "run", (
            finding, context)
        entry_point = dict(problem.detail).get("entry_point")
        if problem.code == "no-entry-points":
            assert not verdict.entry_points, context
        elif problem.code == "entry-point-name-not-a-string":
            assert any(str(n) == entry_point and not isinstance(n, str)
                       for n in verdict.entry_points), context
        else:   # an entry point no `-e` name reaches fails too
            assert entry_point in failing or entry_point not in verdict.entry_points, (
                problem, context)
    for (name, values), (params, expected) in verdict.runs.items():
        if expected == ("ok", None):
            continue
        outcome, report = dry_outcome(folder, name, dict(params))
        if expected[0] == "ok" and outcome[0] == "ok":
            assert outcome[1] == expected[1], (name, values, expected, outcome, context)
        assert outcome[:2] == expected[:2], (name, values, expected, outcome, report.problems, context)
    return verdict


_FOLDERS = itertools.count()


def new_project(base: Path) -> Path:
    """A project folder with what generated MLprojects may name: data/, conda.yaml, train.py."""
    folder = base / f"p{next(_FOLDERS)}"
    (folder / "data").mkdir(parents=True)
    (folder / "conda.yaml").write_text("name: x\n")
    (folder / "train.py").write_text("")
    return folder


# ------------------------------------------------------------------ the generated files


def test_generated_mlprojects_get_mlflows_load_verdict(tmp_path_factory):
    """Generated MLprojects over YAML's features (``mlproject_fuzz.py``): the verdicts agree.
    ``DIOPTRA_FUZZ=large`` runs many more examples."""
    from hypothesis import HealthCheck, given, settings

    base = tmp_path_factory.mktemp("loader").resolve()
    storage = tmp_path_factory.mktemp("storage").resolve()

    @settings(max_examples=fuzz_examples(150, 5000), deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(text=mlproject_texts())
    def check(text):
        assert_agrees(new_project(base), text, storage)

    check()


# ------------------------------------------------------------------ the named cases

LONG = "1" * 4301
HEX = "0x" + "f" * 4400   # an int of 5298 decimal digits: YAML reads it, str() refuses it


def _main(body: str) -> str:
    """An MLproject whose entry point ``main`` is ``body`` (lines indented under it)."""
    return "name: t\nentry_points:\n  main:\n" + "".join(f"    {line}\n" for line in body.split("\n"))


# (id, MLproject text with the range to blame between ⟦ and ⟧, -e names to run besides main).
# The range is the load refusal's, or (when MLflow loads) the first problem that stops a run.
CORPUS = [
    # PyYAML builds no value: MLflow cannot load the file (DL001)
    ("impossible-date-default", _main("parameters: {d: {default: ⟦2024-02-30⟧}}\ncommand: echo {d}")),
    ("impossible-date-unknown-key", "description: ⟦2024-02-30⟧\n" + _main("command: echo")),
    ("impossible-time", _main("parameters: {d: {default: ⟦2001-12-15T02:59:99Z⟧}}\ncommand: echo")),
    ("4301-digit-int-default", _main(f"parameters: {{n: {{default: ⟦{LONG}⟧}}}}\ncommand: echo")),
    ("unknown-tag", _main("parameters: {a: {default: ⟦!foo⟧ x}}\ncommand: echo")),
    ("anchored-unknown-tag", _main("parameters: {a: {default: ⟦&x !foo⟧ x}}\ncommand: echo")),
    ("python-tag", _main("parameters: {a: {default: ⟦!!python/name:os.system⟧ ''}}\ncommand: echo")),
    ("bool-tag-on-text", _main("parameters: {a: {default: ⟦!!bool maybe⟧}}\ncommand: echo")),
    ("timestamp-tag-on-text", _main("parameters: {a: {default: ⟦!!timestamp nope⟧}}\ncommand: echo")),
    ("int-tag-on-empty", _main("parameters: {a: {default: ⟦!!int ''⟧}}\ncommand: echo")),
    ("binary-not-base64", _main("parameters: {a: {default: ⟦!!binary 'a'⟧}}\ncommand: echo")),
    ("plain-equals-as-value", _main("parameters: {a: {default: ⟦=⟧}}\ncommand: echo")),
    ("plain-merge-as-value", _main("command: ⟦<<⟧")),
    ("list-as-key", "⟦[a, b]⟧: 1\n" + _main("command: echo")),
    ("mapping-as-key", _main("parameters:\n  ? ⟦{a: 1}⟧\n  : string\ncommand: echo")),
    ("merge-of-a-scalar", _main("<<: ⟦1⟧\ncommand: echo")),
    ("merge-of-a-list-of-scalars", "x: &x {command: echo}\n" + _main("<<: [*x, ⟦2⟧]")),
    ("two-documents", _main("command: echo") + "⟦⟧---\nname: u\n"),
    ("tab-after-colon", _main("command:⟦⟧\techo ok")),
    ("tab-at-line-end", _main("command: echo ok⟦⟧\t")),
    ("tag-before-flow-comma", _main("parameters: {a: {type: !!str, default⟦⟧: x}}\ncommand: echo")),
    ("byte-order-mark-inside", _main("command: echo ok") + "\ufeff\n⟦⟧"),
    ("omap-of-a-scalar", _main("parameters: {a: {default: !!omap [⟦1⟧]}}\ncommand: echo")),
    # a shape MLflow's loader trips on (DL101)
    ("parameters-a-set", _main("parameters: ⟦!!set {}⟧\ncommand: echo")),
    ("entry-points-a-set", "entry_points: ⟦!!set {main}⟧\n"),
    ("parameters-null", _main("⟦parameters⟧:\ncommand: echo")),
    ("parameter-spec-a-set", _main("parameters: {a: ⟦!!set {type}⟧}\ncommand: echo")),
    ("parameter-spec-bytes", _main("parameters: {a: ⟦!!binary aGk=⟧}\ncommand: echo")),
    ("glued-parameter-name", _main("parameters: {⟦lr:float⟧}\ncommand: echo")),
    ("entry-point-a-date", "entry_points:\n  main: ⟦2024-01-01⟧\n"),
    ("spark-job-false", "databricks_spark_job: ⟦false⟧\n" + _main("command: echo")),
    ("conda-env-a-number", "conda_env: ⟦5⟧\n" + _main("command: echo")),
    ("python-env-bytes", "python_env: ⟦!!binary aGk=⟧\n" + _main("command: echo")),
    ("docker-env-a-string", "docker_env: ⟦abc⟧\n" + _main("command: echo")),
    ("docker-env-list", "docker_env: ⟦[x]⟧\n" + _main("command: echo")),
    ("docker-volumes-not-strings", "docker_env:\n  image: x\n  volumes: ⟦[1]⟧\n" + _main("command: echo")),
    ("docker-volumes-a-string", "docker_env:\n  image: x\n  volumes: ⟦/a:/a⟧\n" + _main("command: echo")),
    ("docker-environment-mappings", ("docker_env:\n  image: x\n  environment: ⟦[{a: b}]⟧\n"
                                     + _main("command: echo"))),
    ("docker-image-empty", "⟦docker_env⟧: {image: ''}\n" + _main("command: echo")),
    ("two-environments-duplicate-ignored", ("conda_env: conda.yaml\n⟦docker_env⟧: {image: x}\n"
                                            "conda_env: conda.yaml\n") + _main("command: echo")),
    # MLflow loads these: nobody may say it refuses
    ("spark-job-null", "databricks_spark_job:\n" + _main("command: echo ok")),
    ("docker-env-null", "docker_env:\n" + _main("command: echo ok")),
    ("docker-env-empty-mapping", "docker_env: {}\n" + _main("command: echo ok")),
    ("docker-env-false", "docker_env: false\n" + _main("command: echo ok")),
    ("conda-env-empty", "conda_env: ''\n" + _main("command: echo ok")),
    ("same-environment-twice", "conda_env: nothere.yaml\nconda_env: conda.yaml\n" + _main("command: echo ok")),
    ("broken-entry-point-replaced", "entry_points:\n  main: 5\n  main: {command: echo ok}\n"),
    ("broken-parameters-replaced", _main("parameters: [x]\nparameters: {a: {default: 1}}\ncommand: echo {a}")),
    ("parameters-set-replaced", _main("parameters: !!set {}\nparameters: {}\ncommand: echo ok")),
    ("glued-flow-colon", _main("parameters: {a: {type: string, default:}}\ncommand: echo {a}")),
    ("merge-keeps-first-of-list", "x: &x {a: {default: one}}\ny: &y {a: string, b: {default: two}}\n"
     + _main("parameters: {<<: [*x, *y]}\ncommand: echo {a} {b}")),
    ("set-and-omap-values-load", _main("parameters: {a: {default: !!set {x}}, b: {default: !!omap [{k: v}]}}\n"
                                       "command: echo {a} {b}")),
    ("valid-tags-load", _main("parameters: {a: {default: !!str 42}, b: {default: !!binary aGk=}, "
                              "c: {default: !!timestamp 2024-01-02}, d: {type: !!str path, default: .}}\n"
                              "command: echo {a} {b} {c} {d}")),
    ("long-int-in-other-bases-loads", _main(f"parameters: {{a: {{default: 0b{'1' * 5000}}}}}\ncommand: echo ok")),
    # MLflow loads, then cannot run the entry point (DL101 there, and the dry-run fails)
    ("command-an-int", _main("command: ⟦42⟧")),
    ("command-yes", _main("command: ⟦yes⟧")),
    ("command-a-date", _main("command: ⟦2024-01-01⟧")),
    ("command-bytes", _main("command: ⟦!!binary aGk=⟧")),
    ("command-a-float", _main("command: ⟦1.5⟧")),
    ("command-null", _main("command: ⟦~⟧")),
    ("entry-point-named-yes", "entry_points:\n  ⟦yes⟧:\n    command: echo ok\n  main:\n    command: echo\n"),
    ("entry-point-named-1", ("entry_points:\n  ⟦1⟧: {command: echo ok}\n  '1': {command: echo one}\n"
                             "  main: {command: echo}\n")),
    ("parameter-named-1", _main("parameters: {⟦1⟧: string}\ncommand: echo ok")),
    ("parameter-named-on", _main("parameters: {⟦on⟧: {type: string}}\ncommand: echo ok")),
    ("parameter-keys-the-same-to-yaml", _main("parameters: {1: {default: 2}, ⟦true⟧: string}\ncommand: echo {True}")),
    ("hex-default-too-long-to-print", _main(f"parameters: {{a: {{default: {HEX}}}}}\ncommand: echo {{a}}")),
]


def _marked(text: str) -> tuple[str, int | None, int | None]:
    """The text without its ⟦ ⟧ marks, and the offsets of the range they enclose."""
    if "⟦" not in text:
        return text, None, None
    start = text.index("⟦")
    end = text.index("⟧") - 1
    return text.replace("⟦", "").replace("⟧", ""), start, end


@pytest.mark.parametrize("case_id,marked", CORPUS, ids=[c[0] for c in CORPUS])
def test_named_case_gets_mlflows_verdict_at_the_exact_range(case_id, marked, tmp_path):
    from dioptra_lsp.model.source import LineIndex

    text, start, end = _marked(marked)
    folder = new_project(tmp_path.resolve())
    assert_agrees(folder, text, tmp_path.resolve())
    model = load_mlproject(folder / "MLproject")
    blamed = model.load_refusal or next((p for p in model.problems if p.fails == "run"), None)
    if start is None:
        assert blamed is None, blamed
        return
    index = LineIndex(text)
    assert blamed is not None and blamed.span == (index.position(start), index.position(end)), (
        blamed, text[start:end])


def test_the_corpus_covers_every_verdict():
    """Refusals of PyYAML and of MLflow's loader, loads, and loads that cannot run."""
    assert len(CORPUS) >= 60
