"""DL102, DL105, DL109, DL110 on small MLprojects, with MLflow and PyYAML as the oracles.

What MLflow reads, ignores or refuses is asked of MLflow itself (mlflow-skinny's
``load_project`` and ``compute_command``, in this process); which keys PyYAML builds twice is
asked of PyYAML.  Each rule must fire exactly where its oracle says, with an exact range, and
stay silent on the forms real projects use.
"""

from __future__ import annotations

import os
import textwrap
import types
from pathlib import Path

import click
import pytest
import yaml

# MLflow is the oracle (mlflow-skinny, a test extra): missing it is a failure, not a skip.
import mlflow.projects._project_spec as spec  # noqa: E402
from mlflow.exceptions import ExecutionException  # noqa: E402

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


def mlproject_text(folder: Path) -> str:
    return (folder / "MLproject").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- DL102


class _Reads(dict):
    """A mapping that records which of its keys the code reading it asks for."""

    def __init__(self, data: dict, where: tuple, log: set) -> None:
        super().__init__(data)
        self._where, self._log = where, log

    def _read(self, key):
        self._log.add((self._where, key))

    def get(self, key, default=None):
        self._read(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self._read(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._read(key)
        return super().__contains__(key)

    def items(self):
        for key in self:
            self._read(key)
        return super().items()


def _tracked(value, where: tuple, log: set):
    if isinstance(value, dict):
        return _Reads({k: _tracked(v, where + (k,), log) for k, v in value.items()}, where, log)
    return value


def keys_mlflow_ignores(folder: Path, monkeypatch) -> set[tuple[tuple, str]]:
    """(mapping path, key) of every key MLflow's loader never asks for, at the three levels
    DL102 judges: the top, an entry point, a parameter's spec mapping."""
    log: set = set()
    loaded = yaml.safe_load(mlproject_text(folder))
    monkeypatch.setattr(spec, "yaml", types.SimpleNamespace(
        safe_load=lambda _file: _tracked(loaded, (), log)))
    spec.load_project(str(folder))
    monkeypatch.undo()
    levels: list[tuple[tuple, dict]] = [((), loaded)]
    for ep_name, ep in (loaded.get("entry_points") or {}).items():
        levels.append((("entry_points", ep_name), ep))
        for p_name, p in ((ep or {}).get("parameters") or {}).items():
            if isinstance(p, dict):
                levels.append((("entry_points", ep_name, "parameters", p_name), p))
    return {(where, key) for where, mapping in levels for key in mapping if (where, key) not in log}


EXTRA_KEYS = {
    "top": ("nmae", "entry_point", "description", "version", "type"),
    "entry point": ("paramters", "Command", "description", "env", "default"),
    "parameter": ("defualt", "Type", "description", "help", "choices", "required"),
}


def _project_with_extras(top, ep, param) -> tuple[str, dict[tuple[tuple, str], Span]]:
    """An MLproject with extra keys at each level, and the range where each extra key is written."""
    lines, where = ["name: demo"], {}

    def add(line: str, level: tuple, keys, indent: str) -> None:
        for key in keys:
            col = line.index(f"{key}: 1") if line else len(indent)
            if not line:
                lines.append(f"{indent}{key}: 1")
                where[(level, key)] = Span.of(len(lines) - 1, col, len(lines) - 1, col + len(key))
            else:
                where[(level, key)] = Span.of(len(lines), col, len(lines), col + len(key))

    add("", (), top, "")
    lines += ["entry_points:", "  main:", "    parameters:"]
    spec_line = "      data_dir: {type: string, default: x" + "".join(f", {k}: 1" for k in param) + "}"
    add(spec_line, ("entry_points", "main", "parameters", "data_dir"), param, "")
    lines += [spec_line, "      epochs: float", "    command: python train.py {data_dir} {epochs}"]
    add("", ("entry_points", "main"), ep, "    ")
    return "\n".join(lines) + "\n", where


@pytest.mark.parametrize("case", range(len(EXTRA_KEYS["top"])))
def test_dl102_fires_on_exactly_the_keys_mlflow_never_reads(case, tmp_path, monkeypatch):
    # Rotate through the pools so each case mixes different extra keys at every level.
    def pick(pool):
        return tuple(pool[(case + i) % len(pool)] for i in range(1 + case % 2))

    text, where = _project_with_extras(pick(EXTRA_KEYS["top"]), pick(EXTRA_KEYS["entry point"]),
                                       pick(EXTRA_KEYS["parameter"]))
    folder = write(tmp_path, {"MLproject": text, "train.py": ""})
    ignored = keys_mlflow_ignores(folder, monkeypatch)
    assert ignored and ignored <= set(where)
    found = {(d.message.split("`")[1], d.span) for d in lint(folder, "DL102")}
    assert found == {(key, where[(level, key)]) for level, key in ignored}


def test_dl102_message_names_where_and_what_would_be_read(tmp_path):
    text = """
    name: demo
    entry_points:
      main:
        paramters:
          data_dir: {type: path, default: .}
        parameters:
          data_dir: {type: path, defualt: data}
        command: python train.py {data_dir}
    """
    folder = write(tmp_path, {"MLproject": text, "train.py": ""})
    text = mlproject_text(folder)
    diags = lint(folder, "DL102")
    assert [(d.span, d.message) for d in diags] == [
        (span(text, "paramters"),
         "`paramters` is not a key MLflow reads in entry point `main`, so it is ignored; did you "
         "mean `parameters`? Keys: command, parameters"),
        (span(text, "defualt"),
         "`defualt` is not a key MLflow reads in the spec of parameter `data_dir`, so it is "
         "ignored; did you mean `default`? Keys: default, type"),
    ]
    assert all(d.severity.label == "warning" for d in diags)


def test_dl102_is_silent_on_every_key_mlflow_reads(tmp_path):
    projects = {
        "conda": """
            name: demo
            conda_env: conda.yaml
            entry_points:
              main:
                parameters:
                  short: float
                  full: {type: string, default: x}
                  block:
                    type: path
                    default: .
                  no_spec_keys: {}
                command: python train.py {short} {full} {block} {no_spec_keys}
        """,
        "python": "python_env: python_env.yaml\nentry_points: {main: {command: python train.py}}\n",
        # docker_env's own keys (image, volumes, environment) are MLflow's too: not judged here.
        "docker": "docker_env: {image: repo/img, volumes: ['/a:/a'], environment: [X]}\n"
                  "entry_points: {main: {command: python train.py}}\n",
        "spark": "databricks_spark_job: {python_file: train.py, parameters: [a], "
                 "python_libraries: [mlflow]}\n",
    }
    for name, text in projects.items():
        folder = write(tmp_path / name, {"MLproject": text, "train.py": "", "conda.yaml": "",
                                         "python_env.yaml": ""})
        spec.load_project(str(folder))    # MLflow loads each of them
        assert lint(folder, "DL102") == [], name


def test_dl102_leaves_glued_flow_mappings_to_dl103(tmp_path):
    folder = write(tmp_path, {"MLproject": """
        entry_points:
          main:
            parameters:
              lr: {type:float, default 0.1}
              seed: {tpye:float}
            command: python train.py {lr} {seed}
    """, "train.py": ""})
    text = mlproject_text(folder)
    by_code = {}
    for d in lint(folder, "DL102", "DL103"):
        by_code.setdefault(d.code, []).append(d.span)
    # `type:float` and `default 0.1` are known keys glued to their values: DL103 says so.
    # `tpye:float` is glued too, but to a key MLflow does not read at all: DL102's.
    assert by_code["DL102"] == [span(text, "tpye:float")]
    assert span(text, "type:float") in by_code["DL103"]
    assert span(text, "tpye:float") not in by_code["DL103"]


# --------------------------------------------------------------------------- DL105


def mlflow_default_failure(folder: Path, monkeypatch, tmp_path: Path) -> set[str]:
    """Names of the parameters whose default MLflow refuses while computing the command,
    run from the project folder as Dioptra workers do."""
    monkeypatch.chdir(folder)
    # A remote value is downloaded, never checked: stand in for the download (no network here).
    monkeypatch.setattr(spec.artifact_utils, "_download_artifact_from_uri",
                        lambda artifact_uri, output_path: output_path)
    ep = spec.load_project(str(folder)).get_entry_point("main")
    failing = set()
    for i, (name, param) in enumerate(ep.parameters.items()):
        storage = tmp_path / f"storage-{name}"
        storage.mkdir()
        try:
            param.compute_value(param.default, str(storage), i)
        except ExecutionException:
            failing.add(name)
        except (AttributeError, TypeError):   # a non-string value urllib cannot parse
            failing.add(name)
    return failing


def _params_project(ptype: str, defaults: list[str]) -> str:
    params = "\n".join(f"      p{i}: {{type: {ptype}, default: {d}}}" for i, d in enumerate(defaults))
    command = " ".join(f"{{p{i}}}" for i in range(len(defaults)))
    return f"entry_points:\n  main:\n    parameters:\n{params}\n    command: python train.py {command}\n"


PATH_DEFAULTS = ["data", "data/", "./data", "data/x.csv", "../outside", "missing", "data/missing",
                 '"data "', '"~/data"', "'%64ata'", '""', '"s3://bucket/key"', "file:data",
                 "file:missing", "'file:%64ata'", "hdfs:/x/y", "'file://host/data'"]
URI_DEFAULTS = ['"s3://bucket/key"', '"file:///tmp"', "data", '""', "x:y", "42", "'C:\\data'",
                "'mlflow-artifacts:/1/2'", "/abs/path"]


@pytest.mark.parametrize("ptype, defaults", [("path", PATH_DEFAULTS), ("uri", URI_DEFAULTS)])
def test_dl105_path_and_uri_defaults_fail_exactly_where_mlflow_fails(ptype, defaults, tmp_path,
                                                                      monkeypatch):
    folder = write(tmp_path / "proj", {"MLproject": _params_project(ptype, defaults),
                                       "train.py": "", "data/x.csv": ""})
    (tmp_path / "outside").mkdir()
    failing = mlflow_default_failure(folder, monkeypatch, tmp_path)
    assert failing, "each list has defaults MLflow refuses"
    text = mlproject_text(folder)
    found = {d.message.split("`")[3]: d.span for d in lint(folder, "DL105")}
    expected = {f"p{i}": span(text, f"default: {d}}}", length=len(f"default: {d}"))
                for i, d in enumerate(defaults) if f"p{i}" in failing}
    expected = {name: Span.of(s.start.line, s.start.character + len("default: "), s.end.line,
                              s.end.character) for name, s in expected.items()}
    assert found == expected


def test_dl105_path_message_and_the_absolute_paths_it_leaves_to_the_worker(tmp_path):
    folder = write(tmp_path, {"MLproject": """
        entry_points:
          main:
            parameters:
              data_dir: {type: path, default: "data/mnist"}
              shared: {type: path, default: /nfs/datasets/mnist}
              remote: {type: path, default: "s3://bucket/mnist"}
            command: python train.py {data_dir} {shared} {remote}
    """, "train.py": ""})
    text = mlproject_text(folder)
    # /nfs/... is where the worker keeps data; this machine is not the worker: not judged.
    (diag,) = lint(folder, "DL105")
    assert diag.span == span(text, '"data/mnist"')
    assert diag.message == (f"default `\"data/mnist\"` of path parameter `data_dir` does not exist "
                            f"under the project folder ({folder.as_posix()}); the job would get a "
                            f"missing path")


FLOAT_DEFAULTS = ["0.1", "1", "-3", "1e-3", "1.0e+3", "1_000", "0x1F", "0o17", "1:30", ".inf",
                  "-.inf", ".nan", '"2.5"', "'7'", '" 3 "', "abc", '""', "true", "yes", "off",
                  "null", "~", "2024-01-02", "[1, 2]", "{a: 1}", "1,5", "'0.1.2'"]


def test_dl105_float_defaults_fire_exactly_where_a_float_option_refuses_the_value(tmp_path):
    folder = write(tmp_path, {"MLproject": _params_project("float", FLOAT_DEFAULTS),
                              "train.py": ""})
    text = mlproject_text(folder)
    loaded = yaml.safe_load(text)["entry_points"]["main"]["parameters"]
    expected = {}
    for i, written in enumerate(FLOAT_DEFAULTS):
        value = loaded[f"p{i}"]["default"]
        if value is None:
            continue      # `default: null` is no default to MLflow: nothing reaches the script
        try:
            click.FLOAT.convert(str(value), None, None)   # MLflow passes str(value)
        except click.BadParameter:
            expected[f"p{i}"] = written
    assert set(expected) >= {"p15", "p16", "p17"}    # abc, "", true
    found = {d.message.split("`")[3]: d for d in lint(folder, "DL105")}
    assert set(found) == set(expected)
    for name, written in expected.items():
        start = span(text, f"{name}: {{type: float, default: ")
        assert found[name].span.start == (start.start.line, start.end.character), name
    assert found["p17"].message == ("default `true` of float parameter `p17` is not a number "
                                    "(YAML reads `true` as the boolean True, which MLflow passes "
                                    "as `True`)")
    assert found["p15"].message == "default `abc` of float parameter `p15` is not a number"


def test_dl105_shows_a_block_default_on_one_line(tmp_path):
    folder = write(tmp_path, {"MLproject": """
        entry_points:
          main:
            parameters:
              sizes:
                type: float
                default:
                  - 1
                  - 2
            command: python train.py {sizes}
    """, "train.py": ""})
    text = mlproject_text(folder)
    (diag,) = lint(folder, "DL105")
    assert diag.message == "default `[1, 2]` of float parameter `sizes` is not a number"
    first = span(text, "- 1")
    assert diag.span.start == first.start


def test_dl105_is_silent_without_a_default_or_for_types_mlflow_passes_through(tmp_path):
    folder = write(tmp_path, {"MLproject": """
        entry_points:
          main:
            parameters:
              run_id: {type: string}
              a: float
              b: {type: float, default: null}
              c: {type: Float, default: abc}
              d: {type: string, default: abc}
              e: {type: int, default: abc}
              f: {default: abc}
              g: {type: path}
            command: python train.py {run_id} {a} {b} {c} {d} {e} {f} {g}
    """, "train.py": ""})
    assert lint(folder, "DL105") == []


# --------------------------------------------------------------------------- DL109


ENV_VALUES = ["conda.yaml", "envs/conda.yaml", "./conda.yaml", "missing.yaml", "envs/missing.yaml",
              "envs", "../shared.yaml", "../nowhere.yaml", '""', "null", "'conda.yaml '",
              "/nonexistent/env.yaml"]


@pytest.mark.parametrize("kind", ["conda_env", "python_env"])
@pytest.mark.parametrize("value", ENV_VALUES)
def test_dl109_fires_exactly_when_mlflow_refuses_to_load(kind, value, tmp_path):
    folder = write(tmp_path / "proj", {
        "MLproject": f"name: demo\n{kind}: {value}\nentry_points:\n  main:\n    command: python t.py\n",
        "t.py": "", "conda.yaml": "", "envs/conda.yaml": ""})
    (tmp_path / "shared.yaml").write_text("")
    try:
        spec.load_project(str(folder))
        refused = False
    except ExecutionException as err:
        assert "no such file was found" in str(err)
        refused = True
    diags = lint(folder, "DL109")
    assert bool(diags) == refused
    if refused:
        (diag,) = diags
        text = mlproject_text(folder)
        assert diag.span == span(text, value, nth=0 if value not in kind else 1)
        written = yaml.safe_load(value)
        assert diag.message == (f"`{kind}` names `{written}`, which does not exist in the project "
                                f"folder ({folder.as_posix()}); MLflow refuses to run the project")
        assert diag.severity.label == "error"


def test_dl109_never_judges_docker_env(tmp_path):
    folder = write(tmp_path, {"MLproject": "docker_env: {image: missing.yaml}\n"
                                           "entry_points: {main: {command: python t.py}}\n",
                              "t.py": ""})
    spec.load_project(str(folder))
    assert lint(folder, "DL109") == []


# --------------------------------------------------------------------------- DL110


class _DuplicateRecorder(yaml.SafeLoader):
    """PyYAML's own safe loader, noting each key it builds into a mapping that already has it."""

    duplicates: list[tuple[int, int, int]]   # (line, column, line of the first one)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            firsts: dict = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = firsts.get(key)
                except TypeError:
                    continue
                if first is not None:
                    self.duplicates.append((key_node.start_mark.line, key_node.start_mark.column,
                                            first.start_mark.line))
                else:
                    firsts[key] = key_node
        return super().construct_mapping(node, deep)


def pyyaml_duplicates(text: str) -> list[tuple[int, int, int]]:
    loader = _DuplicateRecorder(text)
    loader.duplicates = []
    try:
        loader.get_single_data()
    finally:
        loader.dispose()
    return sorted(loader.duplicates)


def test_dl110_fires_where_pyyaml_builds_a_key_twice_at_every_level(tmp_path):
    folder = write(tmp_path, {"MLproject": """
        name: demo
        entry_points:
          main:
            parameters:
              data_dir: {type: path, default: ., default: data}
              epochs: {type: float, default: 1}
              epochs:
                type: float
                type: string
              'lr': float
              lr: string
            command: python t.py {data_dir} {epochs} {lr}
            command: python t.py {data_dir}
          "main": {command: python t.py}
        name: demo2
    """, "t.py": "", "data/x": ""})
    text = mlproject_text(folder)
    expected = pyyaml_duplicates(text)
    assert len(expected) == 7
    diags = lint(folder, "DL110")
    assert [(d.span.start.line, d.span.start.character, int(d.message.split("line ")[-1][:-1]) - 1)
            for d in diags] == expected
    first, again = span(text, "default", 0), span(text, "default", 1)
    assert diags[0].span == again
    assert diags[0].message == ("key `default` is given twice in this mapping; the last one wins "
                                "(first at line 5)")
    assert [(r.span.start.line, r.message) for r in diags[0].related] == [(first.start.line,
                                                                           "first given here")]
    assert all(d.severity.label == "warning" for d in diags)


def test_dl110_is_silent_on_distinct_keys_and_anchors(tmp_path):
    folder = write(tmp_path, {"MLproject": """
        name: demo
        entry_points:
          main:
            parameters:
              data_dir: &dir {type: path, default: .}
              model_dir: *dir
              Data_dir: string
              data-dir: string
            command: python t.py {data_dir} {model_dir} {Data_dir} {data-dir}
          other:
            parameters: {data_dir: string}
            command: python t.py {data_dir}
    """, "t.py": ""})
    assert pyyaml_duplicates(mlproject_text(folder)) == []
    assert lint(folder, "DL110") == []


# YAML 1.1 spellings that build the same key, or look alike and build different ones.
KEY_PAIRS = [("1", '"1"'), ("1", "1.0"), ("1", "0x1"), ("true", "yes"), ("true", '"true"'),
             ("null", "~"), ("1.5", "'1.5'"), ("2024-01-02", '"2024-01-02"'), ("a", "'a'"),
             ("0o10", "8"), ("010", "8"), (".inf", ".Inf"), ("False", "off")]


@pytest.mark.parametrize("first, second", KEY_PAIRS)
def test_dl110_compares_keys_as_pyyaml_builds_them(first, second, tmp_path):
    text = (f"entry_points:\n  {first}: {{command: python t.py}}\n  {second}: {{command: python t.py}}\n"
            f"  main:\n    parameters:\n      {first}: string\n      {second}: string\n"
            f"    command: python t.py\n")
    folder = write(tmp_path, {"MLproject": text, "t.py": ""})
    expected = pyyaml_duplicates(text)
    diags = lint(folder, "DL110")
    assert [(d.span.start.line, d.span.start.character) for d in diags] == [e[:2] for e in expected]
    for diag, (line, col, first_line) in zip(diags, expected):
        assert diag.span == Span.of(line, col, line, col + len(second))
        # The other side is the first key itself, not the start of its line.
        assert [r.span for r in diag.related] == [Span.of(first_line, col, first_line, col + len(first))]
        a, b = second.strip("'\""), first.strip("'\"")
        said = "is given twice in this mapping" if a == b else f"is the same key as `{b}` to YAML"
        assert said in diag.message and diag.message.endswith(f"(first at line {first_line + 1})")


MERGED = """
name: demo
x-defaults: &defaults
  parameters:
    data_dir: {type: path, default: .}
    epochs: &epochs {type: float, default: 3}
  command: python t.py {data_dir} {epochs}
x-lr: &lr {type: float}
entry_points:
  main:
    <<: *defaults
  tuned:
    <<: *defaults
    command: python t.py {data_dir} {epochs} {lr}
    parameters:
      <<: [{lr: {<<: *lr, default: 0.1}}, {lr: string, seed: string}]
      data_dir: {<<: *epochs, type: path, default: data}
      epochs: {<<: *epochs}
"""


def test_merge_keys_are_read_as_mlflow_reads_them(tmp_path):
    from dioptra_lsp.model.project import load_project

    folder = write(tmp_path, {"MLproject": MERGED, "t.py": "", "data/x": ""})
    theirs = spec.load_project(str(folder))
    ours = load_project(folder / "MLproject").mlproject
    assert [ep.name for ep in ours.entry_points] == list(theirs._entry_points)
    for ep in ours.entry_points:
        expected = theirs.get_entry_point(ep.name)
        assert ep.command.value == expected.command
        assert [(p.name, p.type, p.default if p.has_default else None) for p in ep.parameters] == [
            (p.name, p.type, p.default) for p in expected.parameters.values()]
    text = mlproject_text(folder)
    # The anchors' holders are top-level keys MLflow ignores; `<<` itself is read.
    assert [(d.code, d.span) for d in lint(folder, "DL001", "DL101", "DL102", "DL106", "DL110")] == [
        ("DL102", span(text, "x-defaults")), ("DL102", span(text, "x-lr"))]


@pytest.mark.parametrize("merged", ["1", "[{a: 1}, 2]", "null"])
def test_a_merge_of_something_else_than_mappings_is_refused_like_pyyaml(merged, tmp_path):
    folder = write(tmp_path, {"MLproject": f"entry_points:\n  main:\n    <<: {merged}\n"
                                           f"    command: python t.py\n", "t.py": ""})
    with pytest.raises(yaml.YAMLError):
        spec.load_project(str(folder))
    (diag,) = lint(folder, "DL001")
    assert "merge key `<<` takes a mapping or a list of mappings" in diag.message
