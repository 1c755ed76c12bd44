"""Stages 2 and 3 for a task-engine entry point: what ``run-experiment`` would do, without
running a plugin.

From the command MLflow builds, the ``run-experiment`` words are read as its argparse parser
reads them (``explink.scan_arguments``); each ``-P`` value is read as YAML
(``explink.read_param_value``); the experiment's global parameters get those values or their
defaults, and the missing ones stop the job as the engine does.  Then what
``validate-experiment`` rejects (the file's shape, step calls, references, dependencies, types),
each step bound to its task's declared inputs and to the plugin function's Python signature,
the values that will reach each input type-checked, and the steps planned in the order the
engine runs them.  Every fact comes from the model (:mod:`..model.experiment`); this module
only judges and reports.
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import Any

from ..model.record import record
from .argv import json_value
from .issues import ERROR, WARNING, Issue, not_checked
from .plan import FlowInput, Input, PlannedTask

STAGE = "plan"


@record
class ExperimentRun:
    path: Path | None                   # the experiment file run-experiment reads
    argv: tuple[str, ...]               # the run-experiment words MLflow's command gives it
    parameters: tuple[FlowInput, ...]   # the experiment's global parameters and their values
    tasks: tuple[PlannedTask, ...]      # the steps, in the order the engine runs them
    problems: tuple[Issue, ...]
    edges: tuple[tuple[str, str, str], ...] = ()


def experiment_run(model, resolution, folder: Path, overlay=None) -> ExperimentRun | None:
    """The dry-run of the ``run-experiment`` in ``resolution.command``; None when the entry
    point runs none (its MLproject command does not mention the task engine)."""
    from ..model.explink import PROGRAMS, RUN, scan_arguments

    if resolution.command is None or resolution.entry is None \
            or not any(p in resolution.command for p in PROGRAMS):
        return None
    from ..model.command import read_shell, skip_runners

    shell, _ = read_shell(resolution.command, None)
    runs: list[list[str]] = []
    validates = False
    for command in shell.commands:
        i, _ = skip_runners(command.words)
        if i is None or i >= len(command.words):
            continue
        program = os.path.basename(command.words[i].value)
        if program == RUN:
            runs.append([w.value for w in command.words[i + 1:]])
        elif program in PROGRAMS:
            validates = True
    if not runs:
        return None   # validate-experiment alone: nothing runs (its own findings are check's)
    mlp = model.mlproject_path
    span = resolution.entry.command.span if resolution.entry.command is not None else None
    words = runs[-1]
    problems: list[Issue] = []
    if len(runs) > 1:
        problems.append(not_checked("several-experiments", "run-experiment", "the command runs "
                                    "run-experiment more than once; only the last is checked",
                                    mlp, span))
    file_index, found = scan_arguments(RUN, words)
    extra = [p for p in resolution.parameters if p.type == "undeclared"]
    if extra:
        problems.append(Issue("undeclared-parameters", "MLflow appends the undeclared parameters "
                              + ", ".join(f"--{p.name}" for p in extra) + " to the command, and "
                              "run-experiment stops with \"unrecognized arguments\"", ERROR, mlp,
                              span, STAGE))
    if file_index is None:
        problems.append(Issue("no-experiment-file", "run-experiment is given no experiment file; "
                              "it stops with \"the following arguments are required: file\"",
                              ERROR, mlp, span, STAGE))
        return ExperimentRun(None, tuple(words), (), (), tuple(problems))
    from ..model.experiments import experiment_path

    path = experiment_path(folder, words[file_index])
    given, bad = _given(words, found, mlp, span)
    problems += bad
    link = _link_for(model, path, overlay)
    if link is None or link.experiment is None:
        problems.append(_unread(link, words[file_index], path, mlp, span))
        return ExperimentRun(path, tuple(words), (), (), tuple(problems))
    return _plan(model, link.experiment, tuple(words), given, validates, problems, mlp, span)


def _given(words, found, mlp, span) -> tuple[dict[str, Any], list[Issue]]:
    """-P name=value as run-experiment builds its parameter map (a later -P of a name wins)."""
    from ..model.explink import read_param_value

    values: dict[str, Any] = {}
    problems: list[Issue] = []
    for index, skip in found:
        word = words[index][skip:]
        name, eq, text = word.partition("=")
        if eq and not name:
            problems.append(Issue("parameter-name-empty", f"`-P {word}` has no name; run-experiment "
                                  f"stops with \"Global parameter names must not be empty\"",
                                  ERROR, mlp, span, STAGE))
            continue
        ok, value, error = read_param_value(text if eq else None)
        if not ok:
            problems.append(Issue("parameter-not-yaml", f"run-experiment reads `-P {word}` as YAML "
                                  f"and fails: {error}", ERROR, mlp, span, STAGE))
            continue
        values[name] = value
    return values, problems


def _link_for(model, path: Path | None, overlay):
    if path is None:
        return None
    for link in model.experiments:
        if link.path is not None and os.path.abspath(link.path) == os.path.abspath(path):
            return link
    from ..model.experiments import _link, resolve_tasks   # a file named only when filled in

    link = _link(None, (), path, overlay)
    resolve_tasks((link,), model.plugin_dirs, overlay, model.plugin_resolutions)
    return link


def _unread(link, written: str, path: Path | None, mlp, span) -> Issue:
    if path is None:
        return not_checked("experiment-computed", f"experiment `{written}`", "its path is "
                           "computed at run time, so what it runs is not checked", mlp, span, STAGE)
    if link is not None and link.read_error is not None:
        return not_checked("experiment-not-read", f"experiment {path.name}",
                           f"cannot read {path}: {link.read_error.message}", path, None, STAGE)
    return Issue("experiment-missing", f"experiment file `{written}` does not exist (looked for "
                 f"{path}); run-experiment cannot open it", ERROR, mlp, span, STAGE)


# --------------------------------------------------------------------------- the plan


def _plan(model, exp, words, given, validates, problems, mlp, span) -> ExperimentRun:
    rejects = "validate-experiment rejects the experiment" if validates else \
        "the engine fails on it"
    for p in exp.problems:
        if p.kind == "unanalysed":
            problems.append(not_checked("experiment-not-analysed", f"experiment {exp.path.name}",
                                        p.message, p.path, p.span, STAGE))
        elif p.kind in ("syntax", "experiment-structure"):
            problems.append(Issue("experiment-invalid", f"{p.message} ({rejects})", ERROR, p.path,
                                  p.span, STAGE))
    values, inputs = _globals(exp, given, mlp, span, problems)
    order, cycle = exp.step_order
    if cycle:
        problems.append(Issue("step-cycle", "steps depend on each other in a cycle ("
                              + " -> ".join(map(str, cycle)) + "); the engine cannot order them",
                              ERROR, exp.path, exp.step(cycle[0]).name_span, STAGE))
        order = tuple(s.name for s in exp.steps)
    numbers = {name: i + 1 for i, name in enumerate(order)}
    tasks: list[PlannedTask] = []
    edges: list[tuple[str, str, str]] = []
    overrides = {name: _infer(value) for name, value in values.items()}
    for name in order:
        step = exp.step(name)
        if step is None:
            continue
        planned = _step(model, exp, step, numbers, values, overrides, validates, problems)
        tasks.append(planned)
        for i in planned.inputs:
            if i.kind == "parameter":
                edges.append((f"p:{i.ref}", f"t:{planned.index}", i.name))
            elif i.kind == "task":
                edges.append((f"t:{i.ref}", f"t:{planned.index}", i.output or i.name))
        edges.extend((f"t:{u}", f"t:{planned.index}", "upstream") for u in planned.upstream)
    return ExperimentRun(exp.path, words, tuple(inputs), tuple(tasks), tuple(problems), tuple(edges))


def _infer(value: Any):
    from ..model.exptypes import infer

    return infer(value)


def _globals(exp, given, mlp, span, problems):
    """The engine's global parameters: the -P value, else the default; missing ones fail."""
    values: dict[str, Any] = {}
    shown: list[FlowInput] = []
    missing = []
    for param in exp.parameters:
        if not isinstance(param.name, str):
            continue
        if param.name in given:
            values[param.name] = given[param.name]
            shown.append(FlowInput(param.name, None, json_value(given[param.name]), True,
                                   f"-P {param.name}"))
        elif param.has_default:
            values[param.name] = param.default
            shown.append(FlowInput(param.name, None, json_value(param.default), True,
                                   "experiment default"))
        else:
            missing.append(param)
            shown.append(FlowInput(param.name, None, None, False, "missing"))
    if missing:
        one = len(missing) == 1
        problems.append(Issue("missing-parameters", f"the experiment's parameter{'' if one else 's'} "
                              + ", ".join(f"`{p.name}`" for p in missing)
                              + (" has" if one else " have") + " no default and the command passes "
                              f"no -P for {'it' if one else 'them'}; the engine stops with "
                              "MissingGlobalParametersError", ERROR, missing[0].path,
                              missing[0].name_span, STAGE))
    for name in given:
        if exp.parameter(name) is None:
            problems.append(Issue("parameter-unused", f"`-P {name}=...` names no parameter of "
                                  f"{exp.path.name}; run-experiment logs it as unused and drops it",
                                  WARNING, mlp, span, STAGE))
    return values, shown


def _step(model, exp, step, numbers, values, overrides, validates, problems) -> PlannedTask:
    from ..model.experiment import bind_step

    number = numbers[step.name]
    where = (exp.path if step.path is None else step.path)
    label = f"step `{step.name}`"
    if not step.form:
        problems.append(not_checked("step-not-modelled", label, "its shape is not one the "
                                    "dry-run models (a swap, or refused above)", where,
                                    step.name_span, STAGE))
        return PlannedTask(number, "?", None, None, (), (), (), step.name)
    task = exp.step_task(step)
    if task is None:
        problems.append(Issue("step-task-unknown", f"{label} calls task `{step.task}`, which is not "
                              f"declared", ERROR, where, step.task_span, STAGE))
        return PlannedTask(number, str(step.task), None, None, (), (), (), step.name)
    target = model.task_target(task)
    fn = target.function
    target_name, file, line = _target(task, target)
    _plugin_problems(task, target, label, problems)
    binding = bind_step(step, task, fn)
    _binding_problems(exp, step, task, binding, label, problems)
    if fn is not None:
        _python_call(step, task, fn, label, problems)
    inputs = []
    for bound in binding.arguments:
        inputs.append(_input(exp, bound, numbers, values))
        _types(exp, step, bound, overrides, validates, label, problems)
    for ref in step.references:
        kind, owner, reason = exp.reference_target(ref)
        if kind == "unresolved":
            problems.append(Issue("reference-unresolved", f"{label}: `{ref.text}` does not resolve "
                                  f"({reason.replace('-', ' ')}); the engine fails at this step",
                                  ERROR, step.path, ref.span, STAGE))
    upstream = []
    for dep in step.dependencies:
        if isinstance(dep.name, str) and dep.name in numbers:
            upstream.append(numbers[dep.name])
        else:
            problems.append(Issue("dependency-unknown", f"{label} depends on `{dep.name}`, which "
                                  f"is not a step", ERROR, step.path, dep.span, STAGE))
    if fn is not None:
        _outputs(exp, step, task, fn, label, problems)
    return PlannedTask(number, target_name, file, line, tuple(inputs), tuple(upstream),
                       tuple(str(o.name) for o in task.outputs), step.name)


def _target(task, target) -> tuple[str, str | None, int | None]:
    fn = target.function
    module = target.resolution.plugin if target.resolution is not None else None
    if fn is not None and module is not None:
        return f"{module.dotted}.{fn.name}", str(module.path), fn.span.start.line + 1
    return str(task.plugin), None, None


def _plugin_problems(task, target, label, problems) -> None:
    status = target.status
    span = task.plugin_span
    if status == "unresolved-package":
        problems.append(not_checked("plugin-package-unresolved", f"{label} ({task.plugin})",
                                    "its plugin package is in no plugin folder (plugin-dirs, "
                                    "DIOPTRA_PLUGIN_DIR), so the call is not checked", task.path,
                                    span, STAGE))
    elif status in ("missing-module", "missing-file", "invalid-id"):
        problems.append(Issue("plugin-not-found", f"{label}: the plugin module of task "
                              f"`{task.name}` ({task.plugin}) is not there; pyplugs cannot import "
                              f"it", ERROR, task.path, span, STAGE))
    elif status in ("no-function", "unregistered"):
        problems.append(Issue("plugin-function-missing", f"{label}: task `{task.name}`'s plugin "
                              f"registers no function for {task.plugin}", ERROR, task.path, span,
                              STAGE))
    elif status == "found" and target.function is None:
        problems.append(not_checked("plugin-not-analysed", f"{label} ({task.plugin})", "the plugin "
                                    "module could not be read or analysed", task.path, span, STAGE))


def _binding_problems(exp, step, task, binding, label, problems) -> None:
    where = f"task `{task.name}`"
    if binding.too_many_positional:
        arg = binding.too_many_positional[0]
        problems.append(Issue("step-arguments", f"{label} passes {len(step.args)} positional "
                              f"arguments to {where}, which declares {len(task.inputs)} inputs",
                              ERROR, step.path, arg.value.span, STAGE))
    for arg in binding.unknown_keywords:
        problems.append(Issue("step-arguments", f"{label} passes `{arg.keyword}`, which is not an "
                              f"input of {where}", ERROR, step.path, arg.span, STAGE))
    for task_input, arg in binding.given_twice:
        problems.append(Issue("step-arguments", f"{label} gives input `{task_input.name}` twice",
                              ERROR, step.path, arg.span, STAGE))
    if binding.missing:
        problems.append(Issue("step-arguments", f"{label} does not give the required input"
                              f"{'s' if len(binding.missing) > 1 else ''} "
                              + ", ".join(f"`{i.name}`" for i in binding.missing) + f" of {where}",
                              ERROR, step.path, step.call_span, STAGE))


def _python_call(step, task, fn, label, problems) -> None:
    """The call the engine makes, ``function(*args, **kwargs)``, bound by Python's own rules."""
    from .plan import _KINDS

    keywords = [a.keyword for a in step.kwargs if isinstance(a.keyword, str)]
    named = {p.name for p in fn.params if p.kind not in ("var_positional", "var_keyword",
                                                          "positional_only")}
    if not fn.accepts_any_keyword:
        unexpected = next((k for k in keywords if k not in named), None)
        if unexpected is not None:   # what Python reports first for such a call
            problems.append(Issue("plugin-call", f"{label}: calling {fn.name} raises TypeError: "
                                  f"got an unexpected keyword argument '{unexpected}' (signature "
                                  f"{fn.signature})", ERROR, step.path, step.call_span, STAGE))
            return
    try:
        sig = inspect.Signature([inspect.Parameter(p.name, _KINDS[p.kind], default=(
            None if p.has_default else inspect.Parameter.empty)) for p in fn.params])
        sig.bind(*range(len(step.args)), **{k: None for k in keywords})
    except (TypeError, ValueError) as err:
        problems.append(Issue("plugin-call", f"{label}: calling {fn.name} raises TypeError: {err} "
                              f"(signature {fn.signature})", ERROR, step.path, step.call_span,
                              STAGE))


def _input(exp, bound, numbers, values) -> Input:
    arg = bound.arg
    name = str(bound.input.name) if bound.input is not None else \
        (arg.keyword if arg.keyword is not None else f"#{arg.index}")
    value = arg.value.value
    refs = arg.value.references
    if len(refs) == 1 and isinstance(value, str) and value == refs[0].text:
        kind, owner, output = exp.reference_target(refs[0])
        if kind == "parameter":
            return Input(name, "parameter", json_value(values.get(owner.name)), owner.name)
        if kind == "step" and owner.name in numbers:
            return Input(name, "task", None, str(numbers[owner.name]), None, output)
        return Input(name, "expression", value)
    if not refs:
        return Input(name, "value", json_value(_unescaped(value)))
    return Input(name, "expression", json_value(value))


def _unescaped(value: Any) -> Any:
    """The engine's resolution of a literal: a leading ``$$`` becomes ``$``, nested too."""
    if isinstance(value, str):
        return value[1:] if value.startswith("$$") else value
    if isinstance(value, list):
        return [_unescaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _unescaped(v) for k, v in value.items()}
    return value


def _types(exp, step, bound, overrides, validates, label, problems) -> None:
    from ..model.exptypes import checkable, compatible

    if bound.input is None:
        return
    declared = exp.type_named(bound.input.type)
    if declared is None:
        return
    value = bound.arg.value.value
    as_declared = exp.value_type(value)
    if as_declared is not None and not compatible(as_declared, declared):
        problems.append(Issue("argument-type", f"{label} passes {as_declared} to input "
                              f"`{bound.input.name}`, declared {bound.input.type}"
                              + ("; validate-experiment rejects it" if validates else ""),
                              ERROR if validates else WARNING, step.path, bound.arg.value.span, STAGE))
        return
    at_run = exp.value_type(value, overrides)
    if at_run is not None and checkable(declared) and not compatible(at_run, declared):
        problems.append(Issue("argument-type", f"{label}: input `{bound.input.name}` is declared "
                              f"{bound.input.type} but receives {at_run} with these parameter values",
                              WARNING, step.path, bound.arg.value.span, STAGE))


def _outputs(exp, step, task, fn, label, problems) -> None:
    shapes = fn.returns
    if task.outputs_form != "list" or not shapes or any(s.kind in ("other", "generator") for s in shapes):
        return
    kinds = {s.kind for s in shapes}
    if kinds <= {"none", "scalar"}:
        problems.append(Issue("task-outputs", f"{label}: task `{task.name}` declares a list of "
                              f"outputs but {fn.name} returns {'nothing' if kinds == {'none'} else 'a number'}; "
                              f"the engine raises NonIterableTaskOutputError", ERROR,
                              task.path, task.outputs[0].name_span, STAGE))
        return
    counts = {s.count for s in shapes if s.kind in ("tuple", "list")}
    if kinds <= {"tuple", "list"} and len(counts) == 1 and None not in counts:
        count = counts.pop()
        lost = {o.name for o in task.outputs[count:]}
        for other in exp.steps:
            for ref in other.references:
                if ref.name == step.name and ref.output in lost:
                    problems.append(Issue("task-outputs", f"step `{other.name}` uses `{ref.text}`, "
                                          f"but {fn.name} returns {count} values, so the output "
                                          f"`{ref.output}` never gets one (OutputNotFoundError)",
                                          ERROR, other.path, ref.span, STAGE))

