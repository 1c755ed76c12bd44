"""Shared by the DL5xx rules: the experiments of a project and facts about them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from ..model.experiment import Experiment, ExperimentTask, Step, bind_step
from ..model.project import ExperimentLink, ProjectModel
from ..model.source import Span
from .base import where


def links(project: ProjectModel) -> tuple[ExperimentLink, ...]:
    return project.experiments


def experiments(project: ProjectModel) -> Iterator[Experiment]:
    """Each experiment once (two entry points may run one file)."""
    seen: set[tuple[Path, str]] = set()
    for link in project.experiments:
        exp = link.experiment
        if exp is None:
            continue
        key = (exp.path, link.entry_point or "") if exp.version == "1.x" else (exp.path, "")
        if key in seen:
            continue
        seen.add(key)
        yield exp


def at(project: ProjectModel, path: Path, span: Span) -> str:
    """``train.yml:12`` relative to the project folder."""
    return where(path, span, project.folder)


def validator(exp: Experiment) -> str:
    """Who rejects an invalid description: the 0.x command, or Dioptra 1.x's server."""
    return "validate-experiment" if exp.version != "1.x" else "Dioptra's entry-point validation"


def runner(exp: Experiment) -> str:
    return "run-experiment" if exp.version != "1.x" else "the job"


def shown(project: ProjectModel, path: Path) -> str:
    """``train.yml``: a file relative to the project folder."""
    return where(path, Span.point(0, 0), project.folder).rsplit(":", 1)[0]


def task_function(project: ProjectModel, task: ExperimentTask) -> Any:
    """The registered plugin function a task calls (None when not found)."""
    return project.task_target(task).function


def function_name(project: ProjectModel, task: ExperimentTask, fn: Any) -> str:
    target = project.task_target(task)
    module = target.resolution.plugin if target.resolution is not None else None
    dotted = module.dotted if module is not None else ""
    return f"`{dotted}.{fn.name}`" if dotted else f"`{fn.name}`"


def function_at(project: ProjectModel, task: ExperimentTask, fn: Any) -> tuple[str, Path | None]:
    target = project.task_target(task)
    module = target.resolution.plugin if target.resolution is not None else None
    if module is None:
        return "", None
    return at(project, module.path, fn.span), module.path


def steps_calling(experiment: Experiment, task: ExperimentTask) -> list[Step]:
    return [s for s in experiment.steps if s.form and s.task == task.name]


def bindings(project: ProjectModel, experiment: Experiment):
    """(step, task, binding) for each step that names a declared task."""
    for step in experiment.steps:
        if not step.form:
            continue
        task = experiment.step_task(step)
        if task is None:
            continue
        fn = task_function(project, task)
        yield step, task, bind_step(step, task, fn)


def quote(value: Any, limit: int = 40) -> str:
    """A value as Python shows it (strings quoted), shortened."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."
