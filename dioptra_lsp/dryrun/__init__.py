"""The dry-run executor: would this job start, and would its flow build?  No user code runs
(unless ``import_script=True``).  Consumes the model; never parses YAML or Python itself.

``dry_run(project_dir, entry_point, params) -> DryRunReport`` is what the CLI and the language
server call.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:   # keep `import dioptra_lsp.dryrun` cheap
    from ..config import Settings
    from .issues import Issue
    from .report import DryRunReport

__all__ = ["dry_run"]


def dry_run(project_dir: str | os.PathLike, entry_point: str = "main",
            params: Mapping[str, Any] | None = None, *, import_script: bool = False,
            settings: "Settings | None" = None, overlay: dict[Path, str] | None = None,
            relative_paths_from: str | os.PathLike | None = None) -> "DryRunReport":
    """Resolve ``entry_point`` like ``mlflow run``, check its argv with click, plan its flow.

    ``project_dir`` is the folder holding the MLproject (or the MLproject file itself).
    ``settings`` default to the nearest config file; ``overlay`` maps paths to unsaved text.
    Relative ``path`` values resolve against the project folder, as on a Dioptra worker, or
    against ``relative_paths_from`` (the working directory of a job handed to MLflow here).
    Never raises for bad projects or values: everything is in the report's ``problems``, and
    every part that could not be checked is in it too (``report.unchecked``), so the verdict
    never says "would start" about something that was not looked at.
    """
    from ..model import fs
    from ..model.project import find_mlproject_file, load_project
    from .issues import ERROR, Issue, not_checked
    from .report import DryRunReport
    from .resolve import resolve

    params = dict(params or {})
    path = Path(os.path.abspath(project_dir))
    named_file = not fs.is_dir(path)      # an MLproject named directly (or nothing at all)
    folder = path.parent if named_file else path
    if not fs.is_dir(folder) or (named_file and path.name.lower() != "mlproject"):
        issue = Issue("no-project", f"{path} is neither a project folder nor an MLproject file",
                      ERROR, path, None, "project")
        return DryRunReport(entry_point, folder, (), None, (), (), (), (), (issue,))
    mlproject_file = path if named_file else find_mlproject_file(folder)
    # Stage 1 needs only the MLproject: when MLflow would refuse, no script is read at all.
    mlproject = None
    if mlproject_file is not None:
        from ..model.project import parsed_mlproject
        from ..model.source import ReadError, read_source

        src = read_source(mlproject_file, overlay)
        if isinstance(src, ReadError):
            return DryRunReport(entry_point, folder, (), None, (), (), (), (),
                                (_unreadable_mlproject(mlproject_file, src),))
        mlproject = parsed_mlproject(mlproject_file, src.text)
    resolution = resolve(mlproject, folder, entry_point, params,
                         relative_paths_from=relative_paths_from)
    if resolution.entry is None:
        if resolution.command is None:    # MLflow refuses the project or the entry point name
            return DryRunReport(resolution.entry_point, folder, resolution.parameters, None, (),
                                (), (), (), resolution.problems)
        # A script entry point (``-e x.py``): MLflow builds the command without looking.
        if not fs.is_file(folder / entry_point):
            issue = Issue("missing-script", f"`{entry_point}` is run as a script, but there is "
                          f"no such file in {folder}", ERROR, folder / entry_point, None, "argv")
        else:
            issue = not_checked("script-entry-point", f"script `{entry_point}`",
                                "run as a script entry point: its arguments and what it does "
                                "are not checked (an entry point in the MLproject would be)",
                                folder / entry_point, None, "argv")
        return DryRunReport(resolution.entry_point, folder, resolution.parameters,
                            resolution.command, (), (), (), (), resolution.problems + (issue,))
    if settings is None:
        from ..config import resolve_settings

        settings = resolve_settings(folder)
    model = load_project(mlproject_file, plugin_dirs=settings.plugin_dirs, overlay=overlay,
                         entry_points=(resolution.entry.name,))
    from .argv import EMPTY, check_argv, missing_scripts, script_problems, unchecked_programs
    from .plan import build_plan

    links = model.links_for(resolution.entry.name)
    link = _script_link(model, resolution)
    problems = list(resolution.problems)
    problems += missing_scripts(model, links)
    problems += script_problems(model, links)
    argv = EMPTY
    from .experiment import experiment_run

    experiment = experiment_run(model, resolution, folder, overlay)
    handled = ("run-experiment", "validate-experiment") if experiment is not None else ()
    # Without a command (MLflow refused a value) the argv cannot be checked, but the scripts
    # and the flow can: every problem of every stage that can still run is listed.
    if resolution.command is not None:
        argv = check_argv(model, resolution, link, import_script=import_script)
        problems += argv.problems
        problems += _chained_argv_problems(model, resolution, link, import_script)
        problems += unchecked_programs(model, resolution, handled)
    if link is not None and link.script is not None and link.script.commands_never_invoked:
        command = link.script.entry_command or link.script.commands[0]
        problems.append(Issue("command-never-invoked", f"`{link.invocation.script}` defines the "
                              f"click command `{command.function}` but never calls it: the job "
                              f"would exit 0 at once, and nothing below would run (DL208)",
                              ERROR, link.path, command.span, "argv"))
    plan = build_plan(model, link, argv)
    if experiment is not None and not plan.tasks:
        # A task-engine entry point: the experiment's parameters and steps are the plan.
        return DryRunReport(resolution.entry_point, folder, resolution.parameters,
                            resolution.command, experiment.argv, argv.options,
                            experiment.parameters, experiment.tasks,
                            tuple(dict.fromkeys(problems + list(experiment.problems)))
                            + plan.problems, experiment.edges, experiment.path)
    return DryRunReport(resolution.entry_point, folder, resolution.parameters, resolution.command,
                        argv.argv, argv.options, plan.parameters, plan.tasks,
                        tuple(dict.fromkeys(problems)) + plan.problems, plan.edges)


def _unreadable_mlproject(path: Path, error) -> "Issue":
    """MLflow opens the MLproject too: a folder or nothing at that name fails its loader; any
    other reason (too large, unreadable to this user) says nothing about the job."""
    from ..model import fs
    from .issues import ERROR, Issue, not_checked

    if fs.is_dir(path) or not fs.exists(path):
        return Issue("unreadable", f"MLflow cannot read {path}: {error.message}", ERROR, path,
                     None, "project")
    return not_checked("mlproject-not-read", "MLproject", f"cannot read {path}: {error.message}",
                       path, None, "project")


def _chained_argv_problems(model, resolution, link, import_script: bool):
    """The argv of every other script the command runs (``python prep.py ... && python
    train.py ...``): the report shows the main script's values, but any script refusing its
    arguments stops the job, and any script that cannot be checked leaves the job unchecked."""
    from .argv import check_argv

    if link is None:
        return ()
    problems = []
    for other in model.links_for(resolution.entry.name):
        if other is link:
            continue
        problems.extend(check_argv(model, resolution, other, import_script=import_script,
                                   whole_command=False).problems)
    return tuple(problems)


def _script_link(model, resolution):
    """The Python script the report is about: the first with a click command and a Flow (the
    job's real work), else the first with a click command, else the first script."""
    if model is None or resolution.entry is None:
        return None
    links = model.links_for(resolution.entry.name)
    with_click = [link for link in links
                  if link.script is not None and link.script.entry_command is not None]
    with_flow = [link for link in with_click if link.script.flows]
    return (with_flow or with_click or list(links) or [None])[0]
