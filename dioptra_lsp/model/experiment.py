"""Declarative experiments (Dioptra's task engine): the model the rules, dry-run and editor read.

An :class:`Experiment` is the description the engine validates and runs: ``types``,
``parameters``, ``tasks`` (each bound to a plugin function), a ``graph`` of steps and the
artifact sections.  In a Dioptra 0.x project it is one YAML file that an MLproject command
runs (``run-experiment train.yml -P name=value``); in Dioptra 1.x the server assembles it from
a ``dioptra.toml`` (tasks, entry-point parameters, types) and the entry point's graph file.
Every element keeps the file and exact range it was read from, so a 1.x task points into
``dioptra.toml`` while its steps point into the graph file.

Binding (:func:`bind_step`) answers what the engine and Python will do with a step's
arguments: which declared input each one fills, which Python parameter it reaches.  The
order of the steps (:meth:`Experiment.step_order`) is the engine's topological order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from .record import cached, record
from .source import Span, line_index
from .types import MISSING, Problem, YamlKey

# The sections a task-engine description may have (Dioptra 1.x added the artifact ones).
SECTIONS = ("types", "parameters", "tasks", "graph", "artifact_outputs", "artifact_inputs")


@record
class Reference:
    """A ``$name`` or ``$step.output`` string inside a step's arguments."""

    text: str                  # the string as written, with its ``$``
    name: str                  # parameter, step or artifact input name
    output: str | None         # the part after the first ``.``
    span: Span                 # the scalar holding it


@record
class ArgValue:
    """One argument as written: its value as the engine reads it and what is inside."""

    value: Any                          # as ``yaml.safe_load`` constructs it
    span: Span
    references: tuple[Reference, ...]   # every reference, also inside nested lists/mappings
    words: tuple[tuple[str, Span], ...]  # the plain strings inside (not references, not ``$$``)


@record
class StepArg:
    index: int                  # 0-based position among the positional arguments; -1 for a keyword
    keyword: str | None         # the keyword (keyword arguments)
    keyword_span: Span | None
    value: ArgValue

    @property
    def span(self) -> Span:
        return self.keyword_span or self.value.span


@record
class Dependency:
    name: Any
    span: Span


@record
class Step:
    name: Any
    name_span: Span
    form: str                    # "positional", "keyword", "mixed"; "" when the shape is invalid
    task: Any                    # the task short name the step calls (None if none can be found)
    task_span: Span              # where the task is named (the short-form key or ``task:``'s value)
    args: tuple[StepArg, ...]
    kwargs: tuple[StepArg, ...]
    call_span: Span              # the arguments as a whole (or the task name when there are none)
    dependencies: tuple[Dependency, ...]
    span: Span                   # the step's name through the end of its definition
    path: Path

    @property
    def arguments(self) -> tuple[StepArg, ...]:
        return self.args + self.kwargs

    @property
    def references(self) -> Iterator[Reference]:
        for arg in self.args + self.kwargs:
            yield from arg.value.references


@record
class TaskInput:
    name: Any
    name_span: Span
    type: Any                    # the type name (MISSING if not given)
    type_span: Span | None
    required: bool               # long form ``required`` (default true in 0.x files)
    required_span: Span | None
    long_form: bool
    index: int
    span: Span


@record
class TaskOutput:
    name: Any
    name_span: Span
    type: Any
    type_span: Span | None
    span: Span


@record
class ExperimentTask:
    name: Any
    name_span: Span
    plugin: Any                  # the dotted plugin id (``pkg.module.function``)
    plugin_span: Span
    inputs: tuple[TaskInput, ...]
    outputs: tuple[TaskOutput, ...]
    # "mapping": the whole return value is the one output; "list": the return value is iterated
    # and zipped to the names; "none": no outputs declared.
    outputs_form: str
    span: Span
    path: Path
    # Dioptra 1.x: the file the registration names (``[[plugins.tasks.functions]] filename``).
    plugin_file: Path | None = None

    @property
    def coordinates(self) -> tuple[str, str, str] | None:
        """(package, module, function) as the engine splits ``plugin`` (the last two dots);
        a two-part id has the package ``""``.  None when the id cannot be split."""
        plugin = self.plugin
        if not isinstance(plugin, str) or "." not in plugin:
            return None
        parts = plugin.rsplit(".", 2)
        if any(not p for p in plugin.split(".")):
            return None
        if len(parts) == 2:
            return "", parts[0], parts[1]
        return parts[0], parts[1], parts[2]

    def input(self, name: str) -> TaskInput | None:
        return self._inputs_by_name.get(name)

    @cached
    def _inputs_by_name(self) -> dict[Any, TaskInput]:
        index: dict[Any, TaskInput] = {}
        for i in self.inputs:
            index[i.name] = i     # the engine's input map: a repeated name keeps the last
        return index

    def output(self, name: str) -> TaskOutput | None:
        return next((o for o in self.outputs if o.name == name), None)


@record
class ExperimentParameter:
    name: Any
    name_span: Span
    default: Any                 # MISSING when a mapping form has no ``default``
    default_span: Span | None
    type: Any                    # MISSING unless the mapping form names one
    type_span: Span | None
    mapping_form: bool
    span: Span
    path: Path

    @property
    def has_default(self) -> bool:
        """The short form always has one (``seed:`` defaults to null)."""
        return self.default is not MISSING


@record
class TypeDefinition:
    name: Any
    name_span: Span
    definition: Any
    span: Span
    path: Path


@record
class ArtifactOutput:
    name: Any
    name_span: Span
    contents: ArgValue | None
    span: Span


@record
class ArtifactInput:
    name: Any
    name_span: Span
    outputs: tuple[TaskOutput, ...]
    span: Span


@record
class ExperimentSource:
    """How the file was read: text and top-level keys, for the structure and key rules."""

    path: Path
    text: str
    top_keys: tuple[YamlKey, ...]


@record(slots=False)
class Experiment:
    path: Path                               # the experiment file (1.x: the graph file)
    version: str                             # "0.x", "1.x" (assembled from dioptra.toml) or "graph"
    description: Any                         # what the engine validates, as plain Python data
    types: tuple[TypeDefinition, ...]
    parameters: tuple[ExperimentParameter, ...]
    tasks: tuple[ExperimentTask, ...]
    steps: tuple[Step, ...]
    artifact_outputs: tuple[ArtifactOutput, ...]
    artifact_inputs: tuple[ArtifactInput, ...]
    problems: tuple[Problem, ...]            # syntax, duplicate keys, what validate-experiment rejects
    sections: tuple[tuple[str, Span], ...]   # top-level section keys as written
    text: str = ""

    # -- lookups (first index, then answer: rules ask per step and per reference)

    def parameter(self, name: Any) -> ExperimentParameter | None:
        return self._index[0].get(name)

    def task(self, name: Any) -> ExperimentTask | None:
        return self._index[1].get(name)

    def step(self, name: Any) -> Step | None:
        return self._index[2].get(name)

    def artifact_input(self, name: Any) -> ArtifactInput | None:
        return self._index[3].get(name)

    @cached
    def _index(self) -> tuple[dict, dict, dict, dict]:
        def by_name(items) -> dict:
            return {i.name: i for i in items if _hashable(i.name)}
        return (by_name(self.parameters), by_name(self.tasks), by_name(self.steps),
                by_name(self.artifact_inputs))

    def section_span(self, name: str) -> Span | None:
        return next((span for key, span in self.sections if key == name), None)

    def section_region(self, name: str) -> Span | None:
        """From a section's key to the next top-level key (or the end of the file)."""
        keys = sorted(span for _, span in self.sections)
        mine = self.section_span(name)
        if mine is None:
            return None
        later = [s for s in keys if s.start > mine.start]
        end = later[0].start if later else Span.point(len(line_index(self.text)), 0).start
        return Span(mine.start, end)

    def problems_within(self, span: Span | None, path: Path | None = None) -> bool:
        """A syntax or structure problem starts inside ``span`` (of this experiment's file or
        ``path``): what is there was not read whole."""
        if span is None:
            return False
        path = path or self.path
        return any(p.kind in ("syntax", "unanalysed", "experiment-structure") and p.path == path
                   and span.start <= p.span.start <= span.end for p in self.problems)

    @property
    def has_problems(self) -> bool:
        """A problem validate-experiment reports (or a syntax error): the rules that need a
        valid description stay quiet, as the validator's later checks do."""
        return any(p.kind in ("syntax", "unanalysed", "experiment-structure") for p in self.problems)

    def step_task(self, step: Step) -> ExperimentTask | None:
        return self.task(step.task) if _hashable(step.task) else None

    # -- the graph

    def step_dependencies(self, step: Step) -> tuple[tuple[str, Span, str], ...]:
        """(step name, where, "reference"|"dependency") for every step this one waits for."""
        out: list[tuple[str, Span, str]] = []
        for ref in step.references:
            if ref.name in self._index[2]:
                out.append((ref.name, ref.span, "reference"))
        for dep in step.dependencies:
            if _hashable(dep.name) and dep.name in self._index[2]:
                out.append((dep.name, dep.span, "dependency"))
        return tuple(out)

    @cached
    def step_order(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(the order the engine runs the steps in, the steps of a cycle or ())."""
        import graphlib

        sorter: graphlib.TopologicalSorter = graphlib.TopologicalSorter()
        for step in self.steps:
            if not _hashable(step.name):
                continue
            sorter.add(step.name)
            for name, _, _ in self.step_dependencies(step):
                sorter.add(step.name, name)
        try:
            return tuple(sorter.static_order()), ()
        except graphlib.CycleError as err:
            return (), tuple(err.args[1])

    # -- references

    def reference_target(self, ref: Reference) -> tuple[str, Any, str | None]:
        """What a reference reaches, as the engine resolves it (a step first, then a parameter,
        then an artifact input): ("step", step, output name), ("parameter", parameter, None),
        ("artifact", artifact input, output name); or ("unresolved", owner or None, reason)
        with the reason the engine fails: "unknown", "no-output", "output-required",
        "unknown-output", "parameter-output".  A step whose task is undeclared resolves as
        ("step", step, None) (its undeclared task is what fails)."""
        step = self.step(ref.name)
        if step is not None:
            task = self.step_task(step)
            if task is None:
                return "step", step, ref.output
            return self._output(step, task.outputs, ref, "step")
        param = self.parameter(ref.name)
        if param is not None:
            if ref.output is not None:
                return "unresolved", param, "parameter-output"
            return "parameter", param, None
        artifact = self.artifact_input(ref.name)
        if artifact is not None:
            return self._output(artifact, artifact.outputs, ref, "artifact")
        return "unresolved", None, "unknown"

    @staticmethod
    def _output(owner: Any, outputs: tuple, ref: Reference, kind: str) -> tuple[str, Any, str | None]:
        names = [o.name for o in outputs]
        if ref.output is None:
            if not outputs:
                return "unresolved", owner, "no-output"
            if len(outputs) > 1:
                return "unresolved", owner, "output-required"
            return kind, owner, names[0]
        if ref.output not in names:
            return "unresolved", owner, "unknown-output"
        return kind, owner, ref.output

    # -- types (the validator's view: declared where given, inferred from defaults otherwise)

    @cached
    def registry(self) -> Any:
        """exptypes.Registry of this experiment's ``types``."""
        from .exptypes import Registry

        return Registry({t.name: t.definition for t in self.types if _hashable(t.name)})

    def type_named(self, name: Any) -> Any:
        return self.registry.get(name)

    def parameter_type(self, param: ExperimentParameter) -> Any:
        """The type a global parameter has for the validator, or None if it has none."""
        from .exptypes import infer

        if param.type is not MISSING:
            return self.registry.get(param.type)
        return infer(param.default) if param.has_default else None

    def reference_type(self, text: str, override: dict | None = None) -> Any:
        """The type of a reference (``name`` or ``step.output``, without ``$``), or None when
        it does not resolve.  ``override`` replaces parameter types (values given with -P)."""
        name, dot, output = text.partition(".")
        param = self.parameter(name)
        if not dot and param is not None:
            if override is not None and name in override:
                return override[name]
            return self.parameter_type(param)
        artifact = self.artifact_input(name)
        outputs: tuple[TaskOutput, ...] = ()
        if artifact is not None:
            outputs = artifact.outputs
        else:
            step = self.step(name)
            task = self.step_task(step) if step is not None else None
            if task is None:
                return None
            outputs = task.outputs
        if not dot:
            chosen = outputs[0] if len(outputs) == 1 else None
        else:
            chosen = next((o for o in outputs if o.name == output), None)
        return self.registry.get(chosen.type) if chosen is not None else None

    def value_type(self, value: Any, override: dict | None = None) -> Any:
        """The type the validator infers for an argument value, references resolved; None
        when a reference inside does not resolve (another rule reports it)."""
        from .exptypes import infer

        unresolved = []

        def resolve(ref: str) -> Any:
            found = self.reference_type(ref, override)
            if found is None:
                unresolved.append(ref)
            return found

        inferred = infer(value, resolve)
        return None if unresolved else inferred

    @cached
    def referenced_names(self) -> frozenset:
        """Names that some ``$reference`` uses (steps and artifact outputs)."""
        names = {ref.name for step in self.steps for ref in step.references}
        for art in self.artifact_outputs:
            if art.contents is not None:
                names.update(ref.name for ref in art.contents.references)
        return frozenset(names)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


# --------------------------------------------------------------------------- binding


@record
class BoundArgument:
    """One argument of a step, with what it fills: the declared input (what the validator
    checks) and the Python parameter (what the call reaches)."""

    arg: StepArg
    input: TaskInput | None          # None: more positional arguments than inputs, or unknown keyword
    parameter: Any                   # the plugin's FunctionParam, when the function is known


@record
class StepBinding:
    step: Step
    task: ExperimentTask | None
    arguments: tuple[BoundArgument, ...]
    too_many_positional: tuple[StepArg, ...]    # beyond the declared inputs
    unknown_keywords: tuple[StepArg, ...]       # keywords no declared input has
    given_twice: tuple[tuple[TaskInput, StepArg], ...]   # an input filled by position and keyword
    missing: tuple[TaskInput, ...]              # required inputs nothing fills


def bind_step(step: Step, task: ExperimentTask | None, function: Any = None) -> StepBinding:
    """Bind a step's arguments the way validate-experiment does (positional argument *i* to
    declared input *i*, keywords by name) and, when the plugin function is known, the way
    Python does (positional argument *i* to parameter *i*, keywords by name)."""
    if task is None:
        return StepBinding(step, None, tuple(BoundArgument(a, None, None) for a in step.arguments),
                           (), (), (), ())
    inputs = _input_order(task)
    params = tuple(getattr(function, "params", ()) or ())
    positional_params = [p for p in params if p.kind in ("positional_only", "positional_or_keyword")]
    by_name = {p.name: p for p in params if p.kind not in ("var_positional", "var_keyword")}
    bound: list[BoundArgument] = []
    extra: list[StepArg] = []
    unknown: list[StepArg] = []
    twice: list[tuple[TaskInput, StepArg]] = []
    positional_inputs: set[Any] = set()
    for arg in step.args:
        declared = inputs[arg.index] if arg.index < len(inputs) else None
        if declared is None:
            extra.append(arg)
        else:
            positional_inputs.add(declared.name)
        param = positional_params[arg.index] if arg.index < len(positional_params) else None
        bound.append(BoundArgument(arg, declared, param))
    keywords: set[Any] = set()
    for arg in step.kwargs:
        declared = task.input(arg.keyword) if _hashable(arg.keyword) else None
        if declared is None:
            unknown.append(arg)
        elif declared.name in positional_inputs:
            twice.append((declared, arg))
        keywords.add(arg.keyword)
        bound.append(BoundArgument(arg, declared, by_name.get(arg.keyword)))
    missing = tuple(i for pos, i in enumerate(inputs)
                    if i.required and pos >= len(step.args) and i.name not in keywords)
    return StepBinding(step, task, tuple(bound), tuple(extra), tuple(unknown), tuple(twice), missing)


def _input_order(task: ExperimentTask) -> list[TaskInput]:
    """The engine's input map in order: a repeated name keeps its first place, last definition."""
    order: dict[Any, TaskInput] = {}
    for i in task.inputs:
        key = i.name if _hashable(i.name) else id(i)
        order[key] = i
    return list(order.values())
