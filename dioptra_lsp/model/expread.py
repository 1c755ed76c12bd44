"""Read an experiment description (YAML) into :mod:`.experiment` records, with exact ranges.

The file is composed once with PyYAML's C loader (as ``run-experiment`` reads it with
``yaml.safe_load``: YAML 1.1, merge keys, the last of two equal keys wins); every key, value
and ``$reference`` keeps its node's range, also inside nested lists and mappings.  While
reading, the shape is checked the way ``validate-experiment``'s JSON schema and its first
structural checks do; what it would reject becomes an ``experiment-structure`` problem at the
exact element.  Never raises for bad input.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterable

import yaml

from .experiment import (
    SECTIONS,
    ArgValue,
    ArtifactInput,
    ArtifactOutput,
    Dependency,
    Experiment,
    ExperimentParameter,
    ExperimentTask,
    Reference,
    Step,
    StepArg,
    TaskInput,
    TaskOutput,
    TypeDefinition,
)
from .exptypes import is_reference
from .mlproject import _Loader, _Reader, alias_blowup
from .source import Span
from .types import MISSING, Problem, YamlKey

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
STRUCTURE = "experiment-structure"
# Scalars a JSON schema "type" list of string/number/boolean/null/array accepts.
_ARG_KINDS = ("string", "number", "boolean", "null", "array")


def json_kind(value: Any) -> str:
    """The JSON-schema type of a constructed YAML value ("other" for dates, bytes, sets)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "other"


def _kind_words(kind: str) -> str:
    return {"object": "a mapping", "array": "a list", "null": "empty", "other": "a date or other "
            "non-JSON value", "string": "a string", "number": "a number",
            "boolean": "a boolean"}[kind]


class _ExperimentReader(_Reader):
    def __init__(self, path: Path, text: str) -> None:
        super().__init__(path, text)
        # Key/value pairs per mapping node: read once, because expanding merge keys changes
        # the node (a second look would see merged keys as duplicates).
        self._pairs: dict[int, list[tuple[yaml.Node, yaml.Node, Any]]] = {}


    # An entity whose value is an alias (``vec: *img``) shares its nodes with the anchor:
    # what is wrong inside it is reported at its own key, not at the anchor's text.
    redirect: Span | None = None

    version = "0.x"

    def structure(self, span: Span, message: str, **detail: Any) -> None:
        if self.version == "graph":   # a 1.x graph file: Dioptra's server validates it
            message = message.replace("validate-experiment rejects", "Dioptra rejects")
        self.problem(STRUCTURE, self.redirect or span, message, **detail)

    @contextlib.contextmanager
    def entity(self, key: yaml.Node, value: yaml.Node):
        outer = self.redirect
        if outer is None and value.start_mark.index < key.start_mark.index:
            self.redirect = self.span(key)
        try:
            yield
        finally:
            self.redirect = outer

    def pairs(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node, Any]]:
        """Key and value nodes with the constructed key; duplicate keys reported (merge keys
        are expanded as PyYAML does: the mapping's own keys win over merged ones)."""
        known = self._pairs.get(id(node))
        if known is not None:
            return known
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            # Compared as the dict PyYAML builds compares them (`1` and `1.0` are one key).
            key = self.construct(key_node)
            try:
                first = seen.get(key)
            except TypeError:
                continue
            if first is not None:
                name = key if isinstance(key, str) else str(key)
                spelt, first_spelt = (self.source(n).strip("'\"") for n in (key_node, first))
                what = (f"`{name}` is given twice in this mapping" if spelt == first_spelt else
                        f"`{spelt}` is the same key as `{first_spelt}` to YAML")
                self.problem("duplicate-key", self.span(key_node),
                             f"key {what}; the last one wins and the first (line "
                             f"{self.line_of(first) + 1}) is silently lost",
                             key=name, first_span=self.span(first))
            else:
                seen[key] = key_node
        if any(k.tag == _MERGE for k, _ in node.value):
            try:
                self.loader.flatten_mapping(node)
            except (yaml.YAMLError, RecursionError) as err:
                self.problem("syntax", self.span(node), f"YAML merge key cannot be applied: {err}")
                self._pairs[id(node)] = []
                return []
        pairs = [(k, v, self.construct(k)) for k, v in node.value]
        self._pairs[id(node)] = pairs
        return pairs

    def last_wins(self, node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node, Any]]:
        """``pairs`` as the constructed dict keeps them: one per key, the last value, first place."""
        out: dict[Any, tuple[yaml.Node, yaml.Node, Any]] = {}
        unhashable: list[tuple[yaml.Node, yaml.Node, Any]] = []
        for k, v, key in self.pairs(node):
            try:
                out[key] = (k, v, key)   # a dict keeps the first place and takes the last value
            except TypeError:
                unhashable.append((k, v, key))
        return list(out.values()) + unhashable

    def value(self, node: yaml.Node) -> Any:
        return self.construct(node)


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _NULL


def _whole(reader: _Reader, key: yaml.Node, value: yaml.Node) -> Span:
    """The key through the end of its value (just the key when the value is an alias)."""
    if value.start_mark.index < key.start_mark.index:
        return reader.span(key)
    return Span(reader.span(key).start, reader.span(value).end)


# --------------------------------------------------------------------------- entry points


def parse_experiment(path: Path, text: str, *, version: str = "0.x") -> Experiment:
    """The experiment in ``text``; ``version`` is "0.x" for a full description (what
    run-experiment reads) or "graph" for a Dioptra 1.x entry-point file (``graph`` and
    ``artifacts`` only; the rest comes from ``dioptra.toml``)."""
    reader = _ExperimentReader(path, text)
    reader.version = version
    loader = _Loader(text)
    reader.loader = loader
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = Span(reader.position(mark), reader.position(mark)) if mark else Span.point(0, 0)
        msg = f"YAML syntax error: {err.problem or err.context}"
        if err.context and err.problem:
            msg = f"YAML syntax error: {err.problem} ({err.context})"
        return _empty(path, text, version, [Problem("syntax", path, where, msg)])
    except (yaml.YAMLError, RecursionError, MemoryError) as err:
        message = ("YAML nesting is too deep to read" if isinstance(err, RecursionError)
                   else f"YAML error: {err}")
        return _empty(path, text, version, [Problem("syntax", path, Span.point(0, 0), message)])
    try:
        blowup = alias_blowup(root, line_of=reader.line_of)   # the bound every YAML reader shares
        if blowup is not None:
            return _empty(path, text, version, [Problem("unanalysed", path, reader.span(blowup[0]),
                                                        blowup[1])])
        return _read_root(reader, root, version)
    except (RecursionError, MemoryError):
        return _empty(path, text, version, [Problem("unanalysed", path, Span.point(0, 0),
                                                    "YAML nesting is too deep to read")])
    except Exception as err:  # noqa: BLE001 -- a model bug must cost one file, never the run
        return _empty(path, text, version, [Problem(
            "unanalysed", path, Span.point(0, 0), f"dioptra-lint could not analyse this file "
            f"(internal error: {type(err).__name__}: {err}); please report it")])
    finally:
        loader.dispose()


def _empty(path: Path, text: str, version: str, problems: list[Problem]) -> Experiment:
    return Experiment(path, version, None, (), (), (), (), (), (), tuple(problems), (), text)


def _read_root(reader: _ExperimentReader, root: yaml.Node | None, version: str) -> Experiment:
    path = reader.path
    if root is None or not isinstance(root, yaml.MappingNode):
        what = "empty" if root is None or _is_null(root) else (
            "a list" if isinstance(root, yaml.SequenceNode) else "a plain value")
        reader.structure(Span.point(0, 0) if root is None else reader.span(root),
                         f"the experiment description is {what}; the task engine needs a mapping "
                         f"with `tasks` and `graph`" if version != "graph" else
                         f"the entry-point file is {what}; Dioptra reads its `graph` mapping")
        return _empty(path, reader.text, version, reader.problems)
    sections: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    keys: list[tuple[str, Span]] = []
    for k, v, name in reader.last_wins(root):
        keys.append((str(name), reader.span(k)))
        if version == "graph":
            if name in ("graph", "artifacts"):
                sections[name] = (k, v)
            continue
        if name in SECTIONS:
            sections[name] = (k, v)
        else:
            reader.structure(reader.span(k),
                             f"`{name}` is not a section of an experiment description; "
                             f"validate-experiment rejects the file (sections: {', '.join(SECTIONS)})")
    if version != "graph":
        for required in ("tasks", "graph"):
            if required not in sections:
                reader.structure(keys[0][1] if keys else reader.span(root),
                                 f"the experiment description has no `{required}` section; "
                                 f"validate-experiment rejects it and run-experiment fails")
    types = _read_types(reader, sections.get("types"))
    parameters = _read_parameters(reader, sections.get("parameters"))
    tasks = _read_tasks(reader, sections.get("tasks"))
    steps = _read_graph(reader, sections.get("graph"), version)
    outputs = _read_artifact_outputs(reader, sections.get("artifact_outputs" if version != "graph"
                                                         else "artifacts"))
    inputs = _read_artifact_inputs(reader, sections.get("artifact_inputs"))
    if version != "graph":
        _check_names(reader, parameters, steps)
    # Last: reading the sections expanded merge keys in place, after noting duplicates.
    description = _construct_document(reader, root)
    return Experiment(path, version, description, types, parameters, tasks, steps, outputs, inputs,
                      tuple(reader.problems), tuple(keys), reader.text)


def _construct_document(reader: _ExperimentReader, root: yaml.Node) -> Any:
    try:
        return reader.loader.construct_document(root)
    except (yaml.YAMLError, TypeError, ValueError, OverflowError) as err:
        reader.problem("syntax", reader.span(root), f"YAML value cannot be read: {err}")
        return None


# --------------------------------------------------------------------------- names


def _check_names(reader: _ExperimentReader, parameters: Iterable[ExperimentParameter],
                 steps: Iterable[Step]) -> None:
    """Dots and collisions: references could not tell the names apart."""
    step_spans = {s.name: s.name_span for s in steps if isinstance(s.name, str)}
    for p in parameters:
        if isinstance(p.name, str) and p.name in step_spans:
            where = step_spans[p.name]
            reader.structure(p.name_span,
                             f"`{p.name}` is both a parameter and a step (line {where.start.line + 1}); "
                             f"`${p.name}` cannot tell them apart and validate-experiment rejects it",
                             other_line=where.start.line, name=p.name)
            reader.structure(where,
                             f"step `{p.name}` has the name of a parameter (line "
                             f"{p.name_span.start.line + 1}); `${p.name}` cannot tell them apart "
                             f"and validate-experiment rejects it", name=p.name)


def _name_problem(reader: _ExperimentReader, key: yaml.Node, name: Any, what: str,
                  dots: bool = False) -> bool:
    """Names must be non-empty strings (and, for parameters and steps, without dots)."""
    if not isinstance(name, str):
        reader.structure(reader.span(key), f"{what} names must be strings, `{name}` is not; "
                                           f"quote it")
        return True
    if not name.strip():
        reader.structure(reader.span(key), f"{what} names must not be empty")
        return True
    if dots and "." in name:
        reader.structure(reader.span(key),
                         f"{what} name `{name}` contains a dot; `${name}` would read as "
                         f"`${name.split('.', 1)[0]}` and output `{name.split('.', 1)[1]}`, so "
                         f"validate-experiment rejects it")
        return True
    return False


def _mapping_section(reader: _ExperimentReader, section: tuple[yaml.Node, yaml.Node] | None,
                     name: str, *, at_least_one: bool = False) -> list[tuple[yaml.Node, yaml.Node, Any]]:
    if section is None:
        return []
    key, node = section
    if not isinstance(node, yaml.MappingNode):
        kind = "empty" if _is_null(node) else ("a list" if isinstance(node, yaml.SequenceNode)
                                                else "a plain value")
        reader.structure(reader.span(key) if _is_null(node) else reader.span(node),
                         f"`{name}` is {kind}; it must be a mapping of names to definitions "
                         f"(validate-experiment rejects the file)")
        return []
    pairs = reader.last_wins(node)
    if at_least_one and not pairs:
        reader.structure(reader.span(key), f"`{name}` is empty; it needs at least one entry")
    return pairs


# --------------------------------------------------------------------------- types


def _read_types(reader: _ExperimentReader, section) -> tuple[TypeDefinition, ...]:
    out = []
    for k, v, name in _mapping_section(reader, section, "types"):
        if _name_problem(reader, k, name, "type"):
            continue
        definition = reader.value(v)
        out.append(TypeDefinition(name, reader.span(k), definition, _whole(reader, k, v), reader.path))
        problem = _type_definition_problem(definition, top=True)
        if problem:
            with reader.entity(k, v):
                reader.structure(reader.span(v) if not _is_null(v) else reader.span(k),
                                 f"type `{name}`: {problem}")
    return tuple(out)


_STRUCTURES = ("list", "tuple", "mapping", "union")


def _type_definition_problem(definition: Any, top: bool) -> str | None:
    """What the schema rejects in a type definition (None when it is valid)."""
    if top and definition is None:
        return None
    if isinstance(definition, str):
        return None if not top else ("a type definition is empty (a simple type), `is_a: NAME` "
                                     "or a structure; a bare name is not one")
    if not isinstance(definition, dict):
        return f"a type definition must be a mapping, not {_kind_words(json_kind(definition))}"
    keys = set(definition)
    if top and keys <= {"is_a"}:
        parent = definition.get("is_a", "")
        return None if isinstance(parent, str) else "`is_a` must name a type"
    structures = [k for k in _STRUCTURES if k in keys]
    if len(structures) != 1 or keys - set(structures):
        allowed = "`is_a`, " if top else ""
        return (f"a type definition has exactly one of {allowed}`list`, `tuple`, `mapping`, "
                f"`union`; found " + (", ".join(f"`{k}`" for k in definition) or "nothing"))
    kind = structures[0]
    shape = definition[kind]
    if kind == "list":
        return _type_definition_problem(shape, top=False)
    if kind in ("tuple", "union"):
        if not isinstance(shape, list):
            return f"`{kind}` takes a list of types"
        return next((p for p in (_type_definition_problem(e, False) for e in shape) if p), None)
    if isinstance(shape, list):
        if len(shape) != 2:
            return "`mapping: [KEY, VALUE]` takes exactly two types"
        return next((p for p in (_type_definition_problem(e, False) for e in shape) if p), None)
    if isinstance(shape, dict):
        return next((p for p in (_type_definition_problem(e, False) for e in shape.values()) if p),
                    None)
    return "`mapping` takes `[KEY, VALUE]` or a mapping of property names to types"


# --------------------------------------------------------------------------- parameters


def _read_parameters(reader: _ExperimentReader, section) -> tuple[ExperimentParameter, ...]:
    out = []
    for k, v, name in _mapping_section(reader, section, "parameters"):
        with reader.entity(k, v):
            param = _read_parameter(reader, k, v, name)
        if param is not None:
            out.append(param)
    return tuple(out)


def _read_parameter(reader: _ExperimentReader, k: yaml.Node, v: yaml.Node,
                    name: Any) -> ExperimentParameter | None:
    bad_name = _name_problem(reader, k, name, "parameter", dots=True)
    if isinstance(v, yaml.MappingNode):
        default = ptype = MISSING
        default_span = type_span = None
        pairs = reader.last_wins(v)
        if not pairs:
            reader.structure(reader.span(v), f"parameter `{name}` is an empty mapping; give "
                                             f"`default` and/or `type`, or write the default itself")
        for pk, pv, key in pairs:
            if key == "default":
                default, default_span = reader.value(pv), reader.span(pv)
            elif key == "type":
                ptype, type_span = reader.value(pv), reader.span(pv)
                if not isinstance(ptype, str):
                    reader.structure(type_span, f"the type of parameter `{name}` must be a "
                                                f"type name")
            else:
                reader.structure(reader.span(pk),
                                 f"parameter `{name}` has the key `{key}`; only `default` and "
                                 f"`type` are allowed (validate-experiment rejects the file)")
        param = ExperimentParameter(name, reader.span(k), default, default_span, ptype, type_span,
                                    True, _whole(reader, k, v), reader.path)
    else:
        value = reader.value(v)
        if json_kind(value) not in _ARG_KINDS:
            reader.structure(reader.span(v), f"the default of parameter `{name}` is "
                                             f"{_kind_words(json_kind(value))}; write it as a "
                                             f"string (quote it)")
        span = reader.span(v)
        param = ExperimentParameter(name, reader.span(k), value,
                                    None if _is_null(v) and span.start == span.end else span,
                                    MISSING, None, False, _whole(reader, k, v), reader.path)
    return param if not bad_name or isinstance(name, str) else None


# --------------------------------------------------------------------------- tasks


def _read_tasks(reader: _ExperimentReader, section) -> tuple[ExperimentTask, ...]:
    out = []
    for k, v, name in _mapping_section(reader, section, "tasks", at_least_one=True):
        _name_problem(reader, k, name, "task")
        with reader.entity(k, v):
            task = _read_task(reader, k, v, name)
        if task is not None:
            out.append(task)
    return tuple(out)


def _read_task(reader: _ExperimentReader, key: yaml.Node, node: yaml.Node, name: Any):
    if not isinstance(node, yaml.MappingNode):
        reader.structure(reader.span(key) if _is_null(node) else reader.span(node),
                         f"task `{name}` must be a mapping with `plugin` (and `inputs`, `outputs`)")
        return None
    plugin: Any = MISSING
    plugin_span = reader.span(key)
    inputs: tuple[TaskInput, ...] = ()
    outputs: tuple[TaskOutput, ...] = ()
    outputs_form = "none"
    for k, v, field in reader.last_wins(node):
        if field == "plugin":
            plugin, plugin_span = reader.value(v), reader.span(v)
            _check_plugin_id(reader, name, plugin, plugin_span)
        elif field == "inputs":
            inputs = _read_inputs(reader, name, k, v)
        elif field == "outputs":
            outputs, outputs_form = _read_outputs(reader, f"task `{name}`", k, v)
        else:
            reader.structure(reader.span(k), f"task `{name}` has the key `{field}`; a task has "
                                             f"`plugin`, `inputs` and `outputs`")
    if plugin is MISSING:
        reader.structure(reader.span(key), f"task `{name}` has no `plugin`; name the function as "
                                           f"`package.module.function`")
    _repeated(reader, name, "input", inputs)
    _repeated(reader, name, "output", outputs)
    return ExperimentTask(name, reader.span(key), plugin, plugin_span, inputs, outputs, outputs_form,
                          _whole(reader, key, node), reader.path)


def _check_plugin_id(reader: _ExperimentReader, task: Any, plugin: Any, span: Span) -> None:
    if not isinstance(plugin, str):
        reader.structure(span, f"the `plugin` of task `{task}` must be a string "
                               f"`package.module.function`")
    elif len(plugin) < 3 or "." not in plugin:
        reader.structure(span, f"plugin `{plugin}` of task `{task}` needs at least a module and a "
                               f"function: `module.function` or `package.module.function`")
    elif any(not part for part in plugin.split(".")):
        reader.structure(span, f"plugin `{plugin}` of task `{task}` has an empty part between dots")


def _repeated(reader: _ExperimentReader, task: Any, what: str, items) -> None:
    seen: set[Any] = set()
    for item in items:
        try:
            if item.name in seen:
                reader.structure(item.name_span, f"task `{task}` declares the {what} `{item.name}` "
                                                 f"twice; validate-experiment rejects it")
            seen.add(item.name)
        except TypeError:
            continue


def _read_inputs(reader: _ExperimentReader, task: Any, key: yaml.Node,
                 node: yaml.Node) -> tuple[TaskInput, ...]:
    if not isinstance(node, yaml.SequenceNode):
        reader.structure(reader.span(key) if _is_null(node) else reader.span(node),
                         f"`inputs` of task `{task}` must be a list (`- name: type` or "
                         f"`- {{name: x, type: t, required: false}}`)")
        return ()
    out = []
    for index, item in enumerate(node.value):
        made = _read_input(reader, task, item, index)
        if made is not None:
            out.append(made)
    return tuple(out)


def _read_input(reader: _ExperimentReader, task: Any, node: yaml.Node, index: int):
    if not isinstance(node, yaml.MappingNode):
        reader.structure(reader.span(node), f"input {index + 1} of task `{task}` must be a mapping: "
                                            f"`- name: type` or `- {{name: x, type: t}}`")
        return None
    pairs = reader.last_wins(node)
    names = [p[2] for p in pairs]
    if "name" in names:   # the long form
        fields = {p[2]: p for p in pairs}
        extra = [p for p in pairs if p[2] not in ("name", "type", "required")]
        for k, _, field in extra:
            reader.structure(reader.span(k), f"input `{reader.value(fields['name'][1])}` of task "
                                             f"`{task}` has the key `{field}`; the long form has "
                                             f"`name`, `type` and `required`")
        nk, nv, _ = fields["name"]
        name = reader.value(nv)
        if not isinstance(name, str):
            reader.structure(reader.span(nv), f"input names must be strings (task `{task}`)")
        ptype, type_span = MISSING, None
        if "type" in fields:
            ptype, type_span = reader.value(fields["type"][1]), reader.span(fields["type"][1])
            if not isinstance(ptype, str):
                reader.structure(type_span, f"the type of input `{name}` of task `{task}` must be "
                                            f"a type name")
        else:
            reader.structure(reader.span(nv), f"input `{name}` of task `{task}` has no `type`; the "
                                              f"long form needs `name` and `type`")
        required, required_span = True, None
        if "required" in fields:
            required_value = reader.value(fields["required"][1])
            required_span = reader.span(fields["required"][1])
            if not isinstance(required_value, bool):
                reader.structure(required_span, f"`required` of input `{name}` must be true or "
                                                f"false")
            required = required_value if isinstance(required_value, bool) else True
        return TaskInput(name, reader.span(nv), ptype, type_span, required, required_span, True,
                         index, reader.span(node))
    if len(pairs) != 1:
        reader.structure(reader.span(node), f"input {index + 1} of task `{task}` has "
                                            f"{len(pairs)} keys; the short form is one "
                                            f"`name: type` (use `name:`, `type:` for more)")
        if not pairs:
            return None
    k, v, name = pairs[0]
    ptype = reader.value(v)
    if not isinstance(ptype, str):
        reader.structure(reader.span(v) if not _is_null(v) else reader.span(k),
                         f"input `{name}` of task `{task}` needs a type name (`{name}: string`)")
    return TaskInput(name, reader.span(k), ptype, reader.span(v), True, None, False, index,
                     reader.span(node))


def _read_outputs(reader: _ExperimentReader, owner: str, key: yaml.Node,
                  node: yaml.Node) -> tuple[tuple[TaskOutput, ...], str]:
    if isinstance(node, yaml.MappingNode):
        one = _read_output(reader, owner, node)
        return (one,) if one else (), "mapping"
    if isinstance(node, yaml.SequenceNode):
        out = [o for o in (_read_output(reader, owner, item) for item in node.value) if o]
        return tuple(out), "list"
    reader.structure(reader.span(key) if _is_null(node) else reader.span(node),
                     f"`outputs` of {owner} must be one `name: type` mapping or a list of them")
    return (), "none"


def _read_output(reader: _ExperimentReader, owner: str, node: yaml.Node) -> TaskOutput | None:
    if not isinstance(node, yaml.MappingNode):
        reader.structure(reader.span(node), f"an output of {owner} must be a `name: type` mapping")
        return None
    pairs = reader.last_wins(node)
    if len(pairs) != 1:
        reader.structure(reader.span(node), f"an output of {owner} has {len(pairs)} keys; each "
                                            f"output is one `name: type` (a list for several)")
        if not pairs:
            return None
    k, v, name = pairs[0]
    otype = reader.value(v)
    if not isinstance(otype, str):
        reader.structure(reader.span(v) if not _is_null(v) else reader.span(k),
                         f"output `{name}` of {owner} needs a type name")
    return TaskOutput(name, reader.span(k), otype, reader.span(v), _whole(reader, k, v))


# --------------------------------------------------------------------------- graph


def _read_graph(reader: _ExperimentReader, section, version: str) -> tuple[Step, ...]:
    out = []
    for k, v, name in _mapping_section(reader, section, "graph", at_least_one=True):
        _name_problem(reader, k, name, "step", dots=True)
        with reader.entity(k, v):
            step = _read_step(reader, k, v, name)
        if step is not None:
            out.append(step)
    return tuple(out)


def _dependencies(reader: _ExperimentReader, step: Any, node: yaml.Node) -> tuple[tuple[Dependency, ...], bool]:
    if isinstance(node, yaml.SequenceNode):
        deps, ok = [], True
        for item in node.value:
            value = reader.value(item)
            deps.append(Dependency(value, reader.span(item)))
            if not isinstance(value, str):
                ok = False
        return tuple(deps), ok
    value = reader.value(node)
    return (Dependency(value, reader.span(node)),), isinstance(value, str)


def _read_step(reader: _ExperimentReader, key: yaml.Node, node: yaml.Node, name: Any) -> Step | None:
    whole = _whole(reader, key, node)
    if not isinstance(node, yaml.MappingNode):
        reader.structure(reader.span(key) if _is_null(node) else reader.span(node),
                         f"step `{name}` must be a mapping: `TASK: [args]`, `TASK: {{kwargs}}` or "
                         f"`task: TASK` with `args`/`kwargs`")
        return None
    pairs = reader.last_wins(node)
    if any(isinstance(p[2], str) and p[2].startswith("?") for p in pairs):
        # A Dioptra 1.2 swap (`?name:` with the choices) is rendered by the server before the
        # engine sees it: not modelled, so nothing is judged in this step.
        return Step(name, reader.span(key), "", None, reader.span(key), (), (), reader.span(key),
                    (), whole, reader.path)
    fields = {p[2]: p for p in pairs if isinstance(p[2], str)}
    deps: tuple[Dependency, ...] = ()
    deps_ok = True
    if "dependencies" in fields:
        deps, deps_ok = _dependencies(reader, name, fields["dependencies"][1])
        if not deps_ok:
            reader.structure(reader.span(fields["dependencies"][1]),
                             f"`dependencies` of step `{name}` must be a step name or a list of "
                             f"step names")
    if "task" in fields:
        return _mixed_step(reader, key, node, name, pairs, fields, deps, whole)
    calls = [p for p in pairs if p[2] != "dependencies"]
    if not calls:
        reader.structure(reader.span(key), f"step `{name}` names no task: write `TASK: [args]` or "
                                           f"`task: TASK` beside `dependencies`")
        return Step(name, reader.span(key), "", None, reader.span(key), (), (), reader.span(key),
                    deps, whole, reader.path)
    if len(pairs) > 2 or (len(pairs) == 2 and "dependencies" not in fields):
        extra = calls[1] if len(calls) > 1 else pairs[2]
        reader.structure(reader.span(extra[0]),
                         f"step `{name}` has more than one key besides `dependencies` "
                         f"(`{calls[0][2]}`, `{extra[2]}`); a short-form step calls one task "
                         f"(use `task:` with `args`/`kwargs` to be explicit)")
    tk, tv, task = calls[0]
    if isinstance(tv, yaml.MappingNode):
        kwargs = _keyword_args(reader, tv)
        return Step(name, reader.span(key), "keyword", task, reader.span(tk), (), kwargs,
                    reader.span(tv), deps, whole, reader.path)
    value = reader.value(tv)
    if json_kind(value) not in _ARG_KINDS:
        reader.structure(reader.span(tv), f"the arguments of step `{name}` are "
                                          f"{_kind_words(json_kind(value))}; write a list, a mapping "
                                          f"or one plain value")
    args = _positional_args(reader, tv)
    return Step(name, reader.span(key), "positional", task, reader.span(tk), args, (),
                reader.span(tv) if not (_is_null(tv) and reader.span(tv).start == reader.span(tv).end)
                else reader.span(tk), deps, whole, reader.path)


def _mixed_step(reader, key, node, name, pairs, fields, deps, whole) -> Step:
    tk, tv, _ = fields["task"]
    task = reader.value(tv)
    if not isinstance(task, str) or not task:
        reader.structure(reader.span(tv) if not _is_null(tv) else reader.span(tk),
                         f"`task` of step `{name}` must name a task")
    for k, _, field in pairs:
        if field not in ("task", "args", "kwargs", "dependencies"):
            reader.structure(reader.span(k), f"step `{name}` uses `task:`, so its other keys can only "
                                             f"be `args`, `kwargs` and `dependencies`, not `{field}`")
    args: tuple[StepArg, ...] = ()
    kwargs: tuple[StepArg, ...] = ()
    if "args" in fields:
        ak, av, _ = fields["args"]
        value = reader.value(av)
        if json_kind(value) not in _ARG_KINDS:
            reader.structure(reader.span(av), f"`args` of step `{name}` must be a list or one value, "
                                              f"not {_kind_words(json_kind(value))}")
        args = _positional_args(reader, av)
    if "kwargs" in fields:
        kk, kv, _ = fields["kwargs"]
        if isinstance(kv, yaml.MappingNode):
            kwargs = _keyword_args(reader, kv)
        else:
            reader.structure(reader.span(kv) if not _is_null(kv) else reader.span(kk),
                             f"`kwargs` of step `{name}` must be a mapping of input names to values")
    return Step(name, reader.span(key), "mixed", task, reader.span(tv), args, kwargs, reader.span(tv),
                deps, whole, reader.path)


def _positional_args(reader: _ExperimentReader, node: yaml.Node) -> tuple[StepArg, ...]:
    """A list is the positional arguments; any other value is one argument (null included)."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    return tuple(StepArg(i, None, None, arg_value(reader, item)) for i, item in enumerate(items))


def _keyword_args(reader: _ExperimentReader, node: yaml.MappingNode) -> tuple[StepArg, ...]:
    return tuple(StepArg(-1, key, reader.span(k), arg_value(reader, v))
                 for k, v, key in reader.last_wins(node))


def arg_value(reader: _ExperimentReader, node: yaml.Node) -> ArgValue:
    refs: list[Reference] = []
    words: list[tuple[str, Span]] = []
    _collect(reader, node, refs, words, set())
    return ArgValue(reader.value(node), reader.span(node), tuple(refs), tuple(words))


def _collect(reader, node: yaml.Node, refs: list, words: list, seen: set[int]) -> None:
    """References and plain words, in order, in every value of nested lists and mappings
    (mapping keys are never resolved).  An aliased node is walked once."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        if node.tag != _STR:
            return
        text = node.value
        span = reader.span(node)
        if is_reference(text):
            name, _, output = text[1:].partition(".")
            refs.append(Reference(text, name, output if "." in text else None, span))
        elif not text.startswith("$"):
            words.append((text, span))
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _collect(reader, item, refs, words, seen)
    elif isinstance(node, yaml.MappingNode):
        for _, v, _ in reader.last_wins(node):
            _collect(reader, v, refs, words, seen)


# --------------------------------------------------------------------------- artifacts


def _read_artifact_outputs(reader: _ExperimentReader, section) -> tuple[ArtifactOutput, ...]:
    out = []
    for k, v, name in _mapping_section(reader, section, section[0].value if section else ""):
        with reader.entity(k, v):
            found = _read_artifact_output(reader, k, v, name)
        if found is not None:
            out.append(found)
    return tuple(out)


def _read_artifact_output(reader: _ExperimentReader, k: yaml.Node, v: yaml.Node,
                          name: Any) -> ArtifactOutput | None:
    if not isinstance(v, yaml.MappingNode):
        reader.structure(reader.span(v), f"artifact output `{name}` must be a mapping with "
                                         f"`contents` and `task`")
        return None
    fields = {p[2]: p for p in reader.last_wins(v)}
    contents = None
    if "contents" in fields:
        contents = arg_value(reader, fields["contents"][1])
        if not isinstance(contents.value, str):
            reader.structure(contents.span, f"`contents` of artifact output `{name}` must be a "
                                            f"string (usually a `$reference`)")
    for required in ("contents", "task"):
        if required not in fields:
            reader.structure(reader.span(k), f"artifact output `{name}` has no `{required}`")
    for field in fields:
        if field not in ("contents", "task"):
            reader.structure(reader.span(fields[field][0]),
                             f"artifact output `{name}` has the key `{field}`; only `contents` "
                             f"and `task` are allowed")
    if "task" in fields:
        _check_artifact_task(reader, name, fields["task"][1])
    return ArtifactOutput(name, reader.span(k), contents, _whole(reader, k, v))


def _check_artifact_task(reader: _ExperimentReader, name: Any, node: yaml.Node) -> None:
    if not isinstance(node, yaml.MappingNode):
        reader.structure(reader.span(node), f"`task` of artifact output `{name}` must be a mapping "
                                            f"with `name` (and `args`)")
        return
    fields = {p[2]: p for p in reader.last_wins(node)}
    if not isinstance(reader.value(fields["name"][1]) if "name" in fields else None, str):
        reader.structure(reader.span(node), f"`task` of artifact output `{name}` needs a `name`")
    if "args" in fields and not isinstance(fields["args"][1], yaml.MappingNode):
        reader.structure(reader.span(fields["args"][1]), "artifact task `args` must be a mapping")
    for field, (fk, _, _) in fields.items():
        if field not in ("name", "args"):
            reader.structure(reader.span(fk), f"`task` of artifact output `{name}` has the key "
                                              f"`{field}`; only `name` and `args` are allowed")


def _read_artifact_inputs(reader: _ExperimentReader, section) -> tuple[ArtifactInput, ...]:
    out = []
    for k, v, name in _mapping_section(reader, section, "artifact_inputs"):
        with reader.entity(k, v):
            outputs, _ = _read_outputs(reader, f"artifact input `{name}`", k, v)
        out.append(ArtifactInput(name, reader.span(k), outputs, _whole(reader, k, v)))
    return tuple(out)


def top_keys(experiment: Experiment) -> tuple[YamlKey, ...]:
    return tuple(YamlKey(name, span, False, None) for name, span in experiment.sections)
