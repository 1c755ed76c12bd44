"""dioptra.toml against Dioptra's own resource schema (``dioptra-resources.schema.json``, shipped
in the dioptra-platform wheel and applied by its import with ``jsonschema``).

Every error the schema reports must be reported by dioptra-lint (DL551, or DL001 when TOML
cannot be read) inside the ``[[plugins]]``, ``[[plugin_param_types]]`` or ``[[entrypoints]]``
table the error is in.  Inputs: the examples' dioptra.toml files, generated ones (hypothesis,
near-valid with random deviations) and mutated ones.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from ci_support import require_module  # noqa: E402
from test_mutations import mutate  # noqa: E402

from dioptra_lsp.engine import lint_paths  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
INSTALL = "pip install --no-deps dioptra-platform && pip install jsonschema pyyaml structlog"
EXAMPLES_PER_TEST = int(os.environ.get("DIFFERENTIAL_EXAMPLES", "100"))
TOP = ("plugins", "plugin_param_types", "entrypoints")


@pytest.fixture(scope="module")
def schema():
    engine = require_module("dioptra.task_engine", INSTALL)   # `dioptra` is a namespace package
    path = Path(engine.__file__).parents[1] / "restapi" / "v1" / "workflows" / "dioptra-resources.schema.json"
    if not path.is_file():
        pytest.fail(f"{path} is not in the installed dioptra-platform", pytrace=False)
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def jsonschema():
    return require_module("jsonschema", INSTALL)


def _regions(text: str) -> dict[tuple[str, int], tuple[int, int]]:
    """(section, index) -> (first line, last line) of each top-level array-of-tables entry."""
    lines = text.split("\n")
    starts: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        m = re.match(r"\s*\[\[\s*([A-Za-z_]+)\s*\]\]", line)
        if m and m.group(1) in TOP:
            starts.append((i, m.group(1)))
    out: dict[tuple[str, int], tuple[int, int]] = {}
    counts: dict[str, int] = {}
    for n, (line, name) in enumerate(starts):
        end = starts[n + 1][0] - 1 if n + 1 < len(starts) else len(lines) - 1
        out[(name, counts.get(name, 0))] = (line, end)
        counts[name] = counts.get(name, 0) + 1
    return out


def check(schema, jsonschema, tmp: Path, text: str) -> list[str]:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return []   # Dioptra's import stops at the TOML reader (DL001's finding)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    path = tmp / "dioptra.toml"
    path.write_text(text, encoding="utf-8")
    diags = [d for d in lint_paths([path]) if d.code in ("DL551", "DL001")
             and Path(d.path).resolve() == path.resolve()]
    regions = _regions(text)
    missed = []
    for err in errors:
        where = list(err.absolute_path)
        region = regions.get((where[0], where[1])) if len(where) >= 2 else None
        if region is None:
            ok = bool(diags)
        else:
            ok = any(region[0] <= d.span.start.line <= region[1] for d in diags)
        if not ok:
            missed.append(f"{'/'.join(map(str, where))}: {err.message}")
    return missed


# --------------------------------------------------------------------------- examples


def _tomls() -> list[Path]:
    return sorted(EXAMPLES.rglob("dioptra.toml"))


@pytest.mark.parametrize("path", _tomls(), ids=lambda p: p.parent.name)
def test_example_tomls(schema, jsonschema, tmp_path, path):
    missed = check(schema, jsonschema, tmp_path, path.read_text(encoding="utf-8"))
    assert not missed, missed


@pytest.mark.parametrize("seed", range(int(os.environ.get("MUTATION_SEEDS", "40"))))
def test_mutated_tomls(schema, jsonschema, tmp_path, seed):
    rng = random.Random(seed)
    text = mutate(_tomls()[seed % len(_tomls())].read_text(encoding="utf-8"), rng)
    missed = check(schema, jsonschema, tmp_path, text)
    assert not missed, f"{missed} in:\n{text}"


# --------------------------------------------------------------------------- generated


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def to_toml(config: dict) -> str:
    out: list[str] = []
    for section in TOP:
        for table in config.get(section, []):
            out.append(f"[[{section}]]")
            tasks = table.get("tasks") if section == "plugins" else None
            for key, value in table.items():
                if key == "tasks" and isinstance(tasks, dict) and all(
                        isinstance(v, list) and all(isinstance(x, dict) for x in v) for v in tasks.values()):
                    continue
                out.append(f"{json.dumps(key)} = {_toml_value(value)}")
            if isinstance(tasks, dict) and all(isinstance(v, list) and all(isinstance(x, dict) for x in v)
                                               for v in tasks.values()):
                for kind, entries in tasks.items():
                    for entry in entries:
                        out.append(f"  [[plugins.tasks.{kind}]]")
                        out.extend(f"  {json.dumps(k)} = {_toml_value(v)}" for k, v in entry.items())
            out.append("")
    return "\n".join(out) + "\n"


NAMES = st.sampled_from(["hello", "greet", "data", "model", "x"])
TYPES = st.sampled_from(["string", "integer", "number", "message", "float", "list"])
ODD = st.one_of(st.integers(0, 3), st.booleans(), st.just([]), st.just({"a": 1}))


def _maybe_odd(value_strategy):
    return st.one_of(value_strategy, value_strategy, value_strategy, ODD)


def _param(extra: bool):
    base = {"name": _maybe_odd(NAMES), "type": _maybe_odd(TYPES)}
    optional = {"required": _maybe_odd(st.booleans())} if extra else {}
    return st.fixed_dictionaries(base, optional=optional).flatmap(
        lambda d: st.sampled_from([d, {**d, "oops": 1}, {k: v for k, v in d.items() if k != "type"},
                                   d, d]))


def _task(inputs: bool):
    base = {"filename": _maybe_odd(st.sampled_from(["tasks.py", "other.py"])), "name": _maybe_odd(NAMES),
            "output_params": st.lists(_param(False), max_size=2)}
    if inputs:
        base["input_params"] = st.lists(_param(True), max_size=2)
    return st.fixed_dictionaries(base).flatmap(
        lambda d: st.sampled_from([d, d, {k: v for k, v in d.items() if k != "name"}, {**d, "extra": "x"}]))


_plugin = st.fixed_dictionaries(
    {"path": _maybe_odd(st.sampled_from(["plugins/hello", "plugins/missing"]))},
    optional={"description": _maybe_odd(st.just("a plugin")),
              "tasks": st.fixed_dictionaries({}, optional={"functions": st.lists(_task(True), max_size=2),
                                                           "artifacts": st.lists(_task(False), max_size=1)})})
_param_type = st.fixed_dictionaries({"name": _maybe_odd(NAMES)},
                                    optional={"structure": _maybe_odd(st.just({"list": "string"}))})
_entrypoint = st.fixed_dictionaries(
    {"path": _maybe_odd(st.just("entrypoints/hello.yaml")), "name": _maybe_odd(st.just("Hello"))},
    optional={"params": st.lists(st.fixed_dictionaries(
                  {"name": _maybe_odd(NAMES), "type": _maybe_odd(TYPES)},
                  optional={"default_value": st.one_of(st.just("World"), st.integers(0, 5), st.booleans())}),
                  max_size=2),
              "plugins": st.lists(_maybe_odd(st.sampled_from(["hello", "nope"])), max_size=2),
              "nickname": st.just("x")})
configs = st.fixed_dictionaries({}, optional={"plugins": st.lists(_plugin, max_size=2),
                                              "plugin_param_types": st.lists(_param_type, max_size=2),
                                              "entrypoints": st.lists(_entrypoint, max_size=2)})


@settings(max_examples=EXAMPLES_PER_TEST, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(config=configs)
def test_generated_tomls(schema, jsonschema, tmp_path_factory, config):
    tmp = tmp_path_factory.mktemp("toml")
    (tmp / "plugins" / "hello").mkdir(parents=True)
    (tmp / "plugins" / "hello" / "tasks.py").write_text(
        "from dioptra import pyplugs\n\n\n@pyplugs.register\ndef hello(name):\n    return name\n")
    (tmp / "entrypoints").mkdir()
    (tmp / "entrypoints" / "hello.yaml").write_text("graph:\n  s:\n    hello: {name: $name}\n")
    text = to_toml(config)
    missed = check(schema, jsonschema, tmp, text)
    assert not missed, f"{missed} in:\n{text}"
