"""Dioptra 1.x: ``dioptra.toml`` (the resources a repository registers) and the experiment
the server assembles from it for each entry point.

Read with ``tomllib`` (as Dioptra's import reads it); ranges from :mod:`.tomlpos`.  The shape
is checked against what Dioptra's resource schema (``dioptra-resources.schema.json``) and its
import service accept; the assembly follows the server's ``build_task_engine_dict``: a task per
``[[plugins.tasks.functions]]`` registration of the plugins an entry point names (plugin name
= the stem of its ``path``; plugin id ``<plugin>.<module path>.<function>``), inputs in the
long form with ``required`` (false when the registration omits it), one output as a mapping
and several as a list, entry-point ``params`` as global parameters (types ``string``,
``integer``, ``boolean`` kept, ``float`` read as ``number``, ``list``/``mapping`` untyped,
defaults coerced from their text), the graph and ``artifacts`` from the entry point's file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .experiment import (
    Experiment,
    ExperimentParameter,
    ExperimentTask,
    TaskInput,
    TaskOutput,
    TypeDefinition,
)
from .exptypes import BUILTINS
from . import fs
from .record import record
from .source import Span, SourceText
from .tomlpos import PosValue, find, find_key, locate
from .types import MISSING, Problem

TOML_NAME = "dioptra.toml"
STRUCTURE = "toml-structure"
ENTRYPOINT_PARAM_TYPES = ("string", "float", "integer", "boolean", "list", "mapping")
# Entry-point parameter types as the task engine sees them (list and mapping stay untyped).
ENGINE_TYPES = {"string": "string", "boolean": "boolean", "integer": "integer", "float": "number"}


@record
class TomlParam:
    """An ``input_params``/``output_params``/``params`` entry."""

    name: Any
    name_span: Span
    type: Any
    type_span: Span | None
    required: Any              # MISSING unless given (input params)
    required_span: Span | None
    default: Any               # MISSING unless ``default_value`` is given (entry-point params)
    default_span: Span | None
    span: Span


@record
class TomlTask:
    kind: str                  # "functions" or "artifacts"
    filename: Any
    filename_span: Span
    name: Any
    name_span: Span
    inputs: tuple[TomlParam, ...]
    outputs: tuple[TomlParam, ...]
    span: Span                 # the ``[[plugins.tasks.functions]]`` header
    file: Path | None          # the plugin file it names, resolved
    file_exists: bool


@record
class TomlPlugin:
    path: Any
    path_span: Span
    name: str                  # what Dioptra calls it: the stem of ``path``
    folder: Path | None
    folder_exists: bool
    tasks: tuple[TomlTask, ...]
    span: Span


@record
class TomlParamType:
    name: Any
    name_span: Span
    structure: Any             # MISSING unless given
    span: Span


@record
class TomlEntryPoint:
    path: Any
    path_span: Span
    file: Path | None
    file_exists: bool
    name: Any
    name_span: Span
    params: tuple[TomlParam, ...]
    plugins: tuple[tuple[Any, Span], ...]
    artifact_plugins: tuple[tuple[Any, Span], ...]
    artifact_params: tuple[tuple[Any, Span, tuple[TomlParam, ...]], ...]
    span: Span


@record
class DioptraToml:
    path: Path
    text: str
    plugins: tuple[TomlPlugin, ...]
    param_types: tuple[TomlParamType, ...]
    entrypoints: tuple[TomlEntryPoint, ...]
    problems: tuple[Problem, ...]
    data: Any = None           # what tomllib read (None when it could not)

    def plugin(self, name: str) -> TomlPlugin | None:
        return next((p for p in self.plugins if p.name == name), None)

    @property
    def type_names(self) -> frozenset:
        return frozenset(BUILTINS) | {t.name for t in self.param_types if isinstance(t.name, str)}


# --------------------------------------------------------------------------- reading


class _Toml:
    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text = path, text
        self.source = SourceText(path, text)
        self.places = locate(text)
        self.problems: list[Problem] = []

    def span(self, *path: Any) -> Span:
        """The value at ``path``, or the nearest enclosing place that was found."""
        for cut in range(len(path), -1, -1):
            place = find(self.places, *path[:cut])
            if place is not None and (cut < len(path) or place is not self.places):
                return self._span(place.start, place.end)
        return Span.point(0, 0)

    def key_span(self, *path: Any) -> Span:
        found = find_key(self.places, *path)
        return self._span(*found) if found else self.span(*path)

    def header(self, *path: Any) -> Span:
        place = find(self.places, *path)
        return self._span(place.start, place.end) if place is not None else self.span(*path)

    def _span(self, start: int, end: int) -> Span:
        a = self.source.offset_to_position(start)
        b = self.source.offset_to_position(end)
        return Span(a, b)

    def structure(self, span: Span, message: str) -> None:
        self.problems.append(Problem(STRUCTURE, self.path, span, message))


def parse_dioptra_toml(path: Path, text: str) -> DioptraToml:
    """``dioptra.toml`` as model data; never raises."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return DioptraToml(path, text, (), (), (), (_toml_syntax(path, text, err),))
    except (ValueError, RecursionError, MemoryError) as err:   # a 5000-digit int, deep nesting
        return DioptraToml(path, text, (), (), (), (Problem(
            "syntax", path, Span.point(0, 0), f"TOML cannot be read: {err}"),))
    try:
        reader = _Toml(path, text)
        _check_top(reader, data)
        folder = path.parent
        plugins = tuple(_plugins(reader, data, folder))
        param_types = tuple(_param_types(reader, data))
        entrypoints = tuple(_entrypoints(reader, data, folder))
        _check_names(reader, plugins, param_types, entrypoints)
    except (RecursionError, MemoryError):
        return DioptraToml(path, text, (), (), (), (Problem(
            "unanalysed", path, Span.point(0, 0), "TOML nesting is too deep to read"),))
    except Exception as err:  # noqa: BLE001 -- a model bug must cost one file, never the whole run
        return DioptraToml(path, text, (), (), (), (Problem(
            "unanalysed", path, Span.point(0, 0),
            f"dioptra-lint could not analyse this file (internal error: {type(err).__name__}: "
            f"{err}); please report it"),))
    return DioptraToml(path, text, plugins, param_types, entrypoints, tuple(reader.problems), data)


def _toml_syntax(path: Path, text: str, err: Exception) -> Problem:
    import re

    message = str(err)
    m = re.search(r"\(at line (\d+), column (\d+)\)", message)
    span = Span.point(0, 0)
    if m:
        line, col = int(m.group(1)) - 1, int(m.group(2)) - 1
        span = Span.point(line, col)
        message = message[:m.start()].strip()
    return Problem("syntax", path, span, f"TOML syntax error: {message}")


_TOP = {"plugins": "a list of `[[plugins]]` tables",
        "plugin_param_types": "a list of `[[plugin_param_types]]` tables",
        "entrypoints": "a list of `[[entrypoints]]` tables"}


def _check_top(reader: _Toml, data: dict) -> None:
    for key in data:
        if key not in _TOP:
            # The schema allows other top-level keys; Dioptra ignores them.
            continue
        if not isinstance(data[key], list) or not all(isinstance(x, dict) for x in data[key]):
            reader.structure(reader.key_span(key), f"`{key}` must be {_TOP[key]}")


def _list(data: dict, key: str) -> list[dict]:
    value = data.get(key)
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _unknown_keys(reader: _Toml, table: dict, allowed: tuple[str, ...], where: tuple, what: str) -> None:
    for key in table:
        if key not in allowed:
            reader.structure(reader.key_span(*where, key),
                             f"{what} has the key `{key}`, which Dioptra's resource schema does not "
                             f"allow (allowed: {', '.join(allowed)}); the import fails")


def _check_description(reader: _Toml, table: dict, where: tuple, what: str) -> None:
    if "description" in table and not isinstance(table["description"], str):
        reader.structure(reader.span(*where, "description"), f"`description` of {what} must be a string")


def _string(reader: _Toml, table: dict, key: str, where: tuple, what: str,
            required: bool = True) -> Any:
    value = table.get(key, MISSING)
    if value is MISSING:
        if required:
            reader.structure(reader.header(*where) if where else Span.point(0, 0),
                             f"{what} has no `{key}`; Dioptra's import requires it")
        return MISSING
    if not isinstance(value, str):
        reader.structure(reader.span(*where, key), f"`{key}` of {what} must be a string")
    return value


def _params(reader: _Toml, items: Any, where: tuple, what: str, kind: str) -> tuple[TomlParam, ...]:
    if items is MISSING:
        return ()
    if not isinstance(items, list):
        reader.structure(reader.span(*where), f"`{where[-1]}` of {what} must be a list of "
                                              f"`{{ name = ..., type = ... }}` tables")
        return ()
    out = []
    allowed = {"input": ("name", "type", "required"), "output": ("name", "type"),
               "entrypoint": ("name", "type", "default_value")}[kind]
    for i, item in enumerate(items):
        here = (*where, i)
        if not isinstance(item, dict):
            reader.structure(reader.span(*here), f"each of `{where[-1]}` of {what} must be a "
                                                 f"`{{ name = ..., type = ... }}` table")
            continue
        _unknown_keys(reader, item, allowed, here, f"a parameter of {what}")
        name = _string(reader, item, "name", here, f"a parameter of {what}")
        ptype = _string(reader, item, "type", here, f"parameter `{name}` of {what}")
        required = item.get("required", MISSING)
        if required is not MISSING and not isinstance(required, bool):
            reader.structure(reader.span(*here, "required"), "`required` must be true or false")
        default = item.get("default_value", MISSING)
        if default is not MISSING and not isinstance(default, (str, int, float, bool)):
            reader.structure(reader.span(*here, "default_value"),
                             "`default_value` must be a string, number or boolean")
        out.append(TomlParam(
            name, reader.span(*here, "name"), ptype, reader.span(*here, "type"),
            required, reader.span(*here, "required") if required is not MISSING else None,
            default, reader.span(*here, "default_value") if default is not MISSING else None,
            reader.span(*here)))
    return tuple(out)


def _plugins(reader: _Toml, data: dict, folder: Path):
    for i, plugin in enumerate(_list(data, "plugins")):
        where = ("plugins", i)
        _unknown_keys(reader, plugin, ("path", "description", "tasks"), where, "a `[[plugins]]` table")
        _check_description(reader, plugin, where, "a `[[plugins]]` table")
        path = _string(reader, plugin, "path", where, "a `[[plugins]]` table")
        plugin_folder = folder / path if isinstance(path, str) else None
        exists = bool(plugin_folder and fs.is_dir(plugin_folder))
        name = Path(path).stem if isinstance(path, str) else ""
        tasks = []
        task_config = plugin.get("tasks", {})
        if not isinstance(task_config, dict):
            reader.structure(reader.span(*where, "tasks"), "`tasks` of a plugin must be a table with "
                                                           "`functions` and `artifacts`")
            task_config = {}
        _unknown_keys(reader, task_config, ("functions", "artifacts"), (*where, "tasks"),
                      f"`tasks` of plugin `{name}`")
        for kind in ("functions", "artifacts"):
            entries = task_config.get(kind, [])
            if not isinstance(entries, list):
                reader.structure(reader.span(*where, "tasks", kind), f"`{kind}` must be a list")
                continue
            for j, task in enumerate(entries):
                tasks.extend(_task(reader, task, (*where, "tasks", kind, j), kind, name, plugin_folder))
        yield TomlPlugin(path, reader.span(*where, "path"), name, plugin_folder, exists, tuple(tasks),
                         reader.header(*where))


def _task(reader: _Toml, task: Any, where: tuple, kind: str, plugin: str, folder: Path | None):
    what = f"a task of plugin `{plugin}`"
    if not isinstance(task, dict):
        reader.structure(reader.span(*where), f"{what} must be a table")
        return
    allowed = ("filename", "name", "input_params", "output_params") if kind == "functions" \
        else ("filename", "name", "output_params")
    _unknown_keys(reader, task, allowed, where, what)
    name = _string(reader, task, "name", where, what)
    what = f"task `{name}` of plugin `{plugin}`"
    filename = _string(reader, task, "filename", where, what)
    for key in ("output_params",) + (("input_params",) if kind == "functions" else ()):
        if key not in task:
            reader.structure(reader.header(*where), f"{what} has no `{key}`; Dioptra's resource "
                                                    f"schema requires it (write `{key} = []`)")
    inputs = _params(reader, task.get("input_params", MISSING), (*where, "input_params"), what, "input")
    outputs = _params(reader, task.get("output_params", MISSING), (*where, "output_params"), what,
                      "output")
    file = folder / filename if folder is not None and isinstance(filename, str) else None
    yield TomlTask(kind, filename, reader.span(*where, "filename"), name, reader.span(*where, "name"),
                   inputs, outputs, reader.header(*where), file, bool(file and fs.is_file(file)))


def _param_types(reader: _Toml, data: dict):
    for i, item in enumerate(_list(data, "plugin_param_types")):
        where = ("plugin_param_types", i)
        _unknown_keys(reader, item, ("name", "description", "structure"), where,
                      "a `[[plugin_param_types]]` table")
        _check_description(reader, item, where, "a `[[plugin_param_types]]` table")
        name = _string(reader, item, "name", where, "a `[[plugin_param_types]]` table")
        structure = item.get("structure", MISSING)
        if structure is not MISSING and not isinstance(structure, dict):
            reader.structure(reader.span(*where, "structure"), f"`structure` of type `{name}` must "
                                                               f"be a table (a type definition)")
        yield TomlParamType(name, reader.span(*where, "name"), structure, reader.header(*where))


def _names(reader: _Toml, values: Any, where: tuple) -> tuple[tuple[Any, Span], ...]:
    if values is MISSING:
        return ()
    if not isinstance(values, list):
        reader.structure(reader.span(*where), f"`{where[-1]}` must be a list of plugin names")
        return ()
    out = []
    for i, v in enumerate(values):
        if not isinstance(v, str):
            reader.structure(reader.span(*where, i), "plugin names must be strings")
        out.append((v, reader.span(*where, i)))
    return tuple(out)


def _entrypoints(reader: _Toml, data: dict, folder: Path):
    for i, ep in enumerate(_list(data, "entrypoints")):
        where = ("entrypoints", i)
        _unknown_keys(reader, ep, ("path", "name", "description", "params", "plugins",
                                   "artifact_params", "artifact_plugins"), where,
                      "an `[[entrypoints]]` table")
        _check_description(reader, ep, where, "an `[[entrypoints]]` table")
        path = _string(reader, ep, "path", where, "an `[[entrypoints]]` table")
        name = _string(reader, ep, "name", where, "an `[[entrypoints]]` table")
        file = folder / path if isinstance(path, str) else None
        params = _params(reader, ep.get("params", MISSING), (*where, "params"),
                         f"entry point `{name}`", "entrypoint")
        artifact_params = []
        raw = ep.get("artifact_params", [])
        for j, art in enumerate(raw if isinstance(raw, list) else []):
            here = (*where, "artifact_params", j)
            if not isinstance(art, dict):
                reader.structure(reader.span(*here), "an artifact parameter must be a table")
                continue
            _unknown_keys(reader, art, ("name", "output_params"), here, "an artifact parameter")
            art_name = _string(reader, art, "name", here, "an artifact parameter")
            if "output_params" not in art:
                reader.structure(reader.span(*here), f"artifact parameter `{art_name}` has no "
                                                     f"`output_params`")
            outs = _params(reader, art.get("output_params", MISSING), (*here, "output_params"),
                           f"artifact parameter `{art_name}`", "output")
            artifact_params.append((art_name, reader.span(*here, "name"), outs))
        yield TomlEntryPoint(path, reader.span(*where, "path"), file, bool(file and fs.is_file(file)),
                             name, reader.span(*where, "name"), params,
                             _names(reader, ep.get("plugins", MISSING), (*where, "plugins")),
                             _names(reader, ep.get("artifact_plugins", MISSING),
                                    (*where, "artifact_plugins")),
                             tuple(artifact_params), reader.header(*where))


def _check_names(reader: _Toml, plugins, param_types, entrypoints) -> None:
    """What Dioptra's import refuses beyond the schema: duplicate names, unknown types,
    entry points naming undeclared plugins, entry-point parameter types."""
    _duplicates(reader, [(p.path, p.path_span) for p in plugins], "plugin path")
    for plugin in plugins:
        if isinstance(plugin.path, str) and not plugin.folder_exists:
            reader.structure(plugin.path_span, f"plugin folder `{plugin.path}` does not exist "
                                               f"(relative to {reader.path.name}); the import fails "
                                               f"with \"Plugin path must refer to an imported directory\"")
        for kind in ("functions", "artifacts"):
            _duplicates(reader, [(t.name, t.name_span) for t in plugin.tasks if t.kind == kind],
                        f"task name in plugin `{plugin.name}`")
    declared = {t.name for t in param_types if isinstance(t.name, str)}
    known = set(BUILTINS) | declared
    for plugin in plugins:
        for task in plugin.tasks:
            _duplicates(reader, [(p.name, p.name_span) for p in task.inputs],
                        f"input of task `{task.name}`")
            _duplicates(reader, [(p.name, p.name_span) for p in task.outputs],
                        f"output of task `{task.name}`")
            for param in task.inputs + task.outputs:
                if isinstance(param.type, str) and param.type not in known:
                    reader.structure(param.type_span, _unknown_type(param.type, known))
    _duplicates(reader, [(t.name, t.name_span) for t in param_types], "parameter type")
    _duplicates(reader, [(e.name, e.name_span) for e in entrypoints], "entry point name")
    names = {p.name for p in plugins}
    for ep in entrypoints:
        _duplicates(reader, [(p.name, p.name_span) for p in ep.params], f"parameter of `{ep.name}`")
        for param in ep.params:
            _check_entrypoint_param(reader, ep, param)
        for plugin, span in ep.plugins + ep.artifact_plugins:
            if isinstance(plugin, str) and plugin not in names:
                reader.structure(span, f"entry point `{ep.name}` uses plugin `{plugin}`, which this "
                                       f"file does not declare; the import fails (\"Plugins "
                                       f"['{plugin}'] used but not declared\"); "
                                       + _choices(plugin, names, "declared plugins"))
        for _, _, outs in ep.artifact_params:
            for param in outs:
                if isinstance(param.type, str) and param.type not in known:
                    reader.structure(param.type_span, _unknown_type(param.type, known))


def _choices(word: str, choices, what: str) -> str:
    """'did you mean `x`? types: a, b' (the rules' did_you_mean, kept in the model's layer)."""
    import difflib

    names = sorted(c for c in choices if isinstance(c, str))
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    listed = f"{what}: {', '.join(names) or '(none)'}"
    return f"did you mean `{close[0]}`? {listed[0].upper()}{listed[1:]}" if close \
        else listed[0].upper() + listed[1:]


def _unknown_type(name: str, known: set) -> str:
    return (f"type `{name}` is neither a builtin type nor declared in `[[plugin_param_types]]`; the "
            f"import fails (types: {', '.join(sorted(known))})")


def _duplicates(reader: _Toml, items: list[tuple[Any, Span]], what: str) -> None:
    seen: dict[Any, Span] = {}
    for name, span in items:
        if not isinstance(name, str):
            continue
        if name in seen:
            reader.structure(span, f"{what} `{name}` is given twice (first at line "
                                   f"{seen[name].start.line + 1}); the import fails on duplicate names")
        else:
            seen[name] = span


def _check_entrypoint_param(reader: _Toml, ep: TomlEntryPoint, param: TomlParam) -> None:
    if isinstance(param.type, str) and param.type not in ENTRYPOINT_PARAM_TYPES:
        reader.structure(param.type_span, f"entry-point parameter type `{param.type}` is not one "
                                          f"Dioptra accepts; the import fails; "
                                          + _choices(param.type, ENTRYPOINT_PARAM_TYPES, "types"))
        return
    if param.default is MISSING or param.default is None:
        return
    ok, why = coerce_default(param.default, param.type)
    if not ok:
        reader.structure(param.default_span or param.span,
                         f"default_value `{param.default!r}` of parameter `{param.name}` cannot be "
                         f"read as a {param.type}: {why}")


def coerce_default(value: Any, ptype: Any) -> tuple[bool, Any]:
    """Dioptra's coercion of an entry-point default to its type: (True, value) or (False, why)."""
    try:
        if ptype == "string":
            return True, value
        if ptype == "boolean":
            if not isinstance(value, str):
                return False, "Dioptra reads booleans from the text \"true\" or \"false\" (quote it)"
            if value.lower() not in ("true", "false"):
                return False, "not \"true\" or \"false\""
            return True, value.lower() == "true"
        if ptype == "integer":
            return True, int(value)
        if ptype == "float":
            return True, float(value)
        if ptype in ("list", "mapping"):
            if not isinstance(value, str):
                return False, f"Dioptra reads a {ptype} from JSON text (quote it)"
            loaded = json.loads(value)
            want = list if ptype == "list" else dict
            if not isinstance(loaded, want):
                return False, f"the JSON is not a {ptype}"
            return True, loaded
    except (ValueError, TypeError) as err:
        return False, str(err)
    return True, value


# --------------------------------------------------------------------------- assembly


def assemble(toml: DioptraToml, entrypoint: TomlEntryPoint, graph: Experiment) -> Experiment:
    """The experiment description the server builds for ``entrypoint`` (graph from ``graph``)."""
    from .record import replace

    problems = list(graph.problems)
    tasks: dict[Any, ExperimentTask] = {}
    used_types: dict[str, TomlParam] = {}
    names = [n for n, _ in entrypoint.plugins if isinstance(n, str)]
    for plugin in toml.plugins:
        if plugin.name not in names:
            continue
        for t in plugin.tasks:
            if t.kind != "functions" or not isinstance(t.name, str) or not t.file_exists:
                continue   # a registration whose file is not there is silently never made
            tasks[t.name] = _engine_task(toml.path, plugin, t)
            for p in t.inputs + t.outputs:
                if isinstance(p.type, str) and isinstance(p.name, str) and p.type not in BUILTINS:
                    used_types.setdefault(p.type, p)
    by_name = {t.name: t for t in toml.param_types if isinstance(t.name, str)}
    types = []
    if tasks:
        wanted = list(used_types) + [n for n in by_name if n not in used_types and n not in BUILTINS]
        for name in wanted:
            declared = by_name.get(name)
            structure = declared.structure if declared is not None and declared.structure is not MISSING \
                else None
            span = declared.name_span if declared is not None else used_types[name].type_span
            types.append(TypeDefinition(name, span, structure, span or Span.point(0, 0), toml.path))
    # Names of another kind than text are DL551's finding; the engine never sees them.
    parameters = tuple(_engine_parameter(toml, p) for p in entrypoint.params if isinstance(p.name, str))
    step_names = {s.name for s in graph.steps if isinstance(s.name, str)}
    for p in parameters:
        if p.name in step_names:
            step = graph.step(p.name)
            problems.append(Problem("experiment-structure", step.path, step.name_span,
                                    f"step `{p.name}` has the name of entry-point parameter "
                                    f"`{p.name}` ({toml.path.name}:{p.name_span.start.line + 1}); "
                                    f"`${p.name}` cannot tell them apart and Dioptra rejects the "
                                    f"entry point"))
    artifact_inputs = tuple(_artifact_input(name, span, outs) for name, span, outs
                            in entrypoint.artifact_params if isinstance(name, str))
    description = _description(types, parameters, tuple(tasks.values()), graph, artifact_inputs)
    return replace(graph, version="1.x", description=description, types=tuple(types),
                   parameters=parameters, tasks=tuple(tasks.values()),
                   artifact_inputs=artifact_inputs, problems=tuple(problems))


def _engine_task(toml_path: Path, plugin: TomlPlugin, task: TomlTask) -> ExperimentTask:
    filename = Path(task.filename)
    parts = filename.parts[:-1] if filename.name == "__init__.py" else filename.parts
    module = [Path(p).stem for p in parts]
    plugin_id = ".".join([plugin.name, *module, task.name])
    inputs = tuple(TaskInput(p.name, p.name_span, p.type, p.type_span,
                             p.required if isinstance(p.required, bool) else False,
                             p.required_span, True, i, p.span)
                   for i, p in enumerate(p for p in task.inputs if isinstance(p.name, str)))
    outputs = tuple(TaskOutput(p.name, p.name_span, p.type, p.type_span, p.span) for p in task.outputs
                    if isinstance(p.name, str))
    form = "none" if not outputs else ("mapping" if len(outputs) == 1 else "list")
    return ExperimentTask(task.name, task.name_span, plugin_id, task.filename_span, inputs, outputs,
                          form, task.span, toml_path, task.file)


def _engine_parameter(toml: DioptraToml, p: TomlParam) -> ExperimentParameter:
    engine_type = ENGINE_TYPES.get(p.type, MISSING) if isinstance(p.type, str) else MISSING
    default: Any = MISSING
    if p.default is not MISSING and p.default is not None:
        ok, value = coerce_default(p.default, p.type)
        default = value if ok else p.default
    return ExperimentParameter(p.name, p.name_span, default, p.default_span, engine_type,
                               p.type_span if engine_type is not MISSING else None, True, p.span,
                               toml.path)


def _artifact_input(name: Any, span: Span, outs: tuple[TomlParam, ...]):
    from .experiment import ArtifactInput

    outputs = tuple(TaskOutput(p.name, p.name_span, p.type, p.type_span, p.span) for p in outs
                    if isinstance(p.name, str))
    return ArtifactInput(name, span, outputs, span)


def _description(types, parameters, tasks, graph: Experiment, artifact_inputs) -> dict:
    """The plain description (what the server hands to the task engine's validator)."""
    desc: dict[str, Any] = {}
    desc["types"] = {t.name: t.definition for t in types}
    params: dict[str, Any] = {}
    for p in parameters:
        entry: dict[str, Any] = {}
        if p.default is not MISSING:
            entry["default"] = p.default
        if p.type is not MISSING:
            entry["type"] = p.type
        params[p.name] = entry
    desc["parameters"] = params
    tasks_out: dict[str, Any] = {}
    for t in tasks:
        entry = {"plugin": t.plugin}
        if t.inputs:
            entry["inputs"] = [{"name": i.name, "type": i.type, "required": i.required}
                               for i in t.inputs]
        if t.outputs:
            outs = [{o.name: o.type} for o in t.outputs]
            entry["outputs"] = outs[0] if len(outs) == 1 else outs
        tasks_out[t.name] = entry
    desc["tasks"] = tasks_out
    source = graph.description if isinstance(graph.description, dict) else {}
    desc["graph"] = source.get("graph") if source.get("graph") else None
    desc["artifact_outputs"] = source.get("artifacts") or {}
    desc["artifact_inputs"] = {a.name: ({o.name: o.type for o in a.outputs} if len(a.outputs) == 1
                                        else [{o.name: o.type} for o in a.outputs])
                               for a in artifact_inputs}
    return desc
