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
    from .report import DryRunReport

__all__ = ["dry_run"]


def dry_run(project_dir: str | os.PathLike, entry_point: str = "main",
            params: Mapping[str, Any] | None = None, *, import_script: bool = False,
            settings: "Settings | None" = None, overlay: dict[Path, str] | None = None
            ) -> "DryRunReport":
    """Resolve ``entry_point`` like ``mlflow run``, check its argv with click, plan its flow.

    ``project_dir`` is the folder holding the MLproject (or the MLproject file itself).
    ``settings`` default to the nearest config file; ``overlay`` maps paths to unsaved text.
    Never raises for bad projects or values: everything is in the report's ``problems``.
    """
    from ..model.project import find_mlproject_file, load_project
    from .issues import ERROR, Issue
    from .report import DryRunReport
    from .resolve import resolve

    params = dict(params or {})
    path = Path(os.path.abspath(project_dir))
    folder = path.parent if path.is_file() else path
    if not folder.is_dir() or (path.is_file() and path.name.lower() != "mlproject"):
        issue = Issue("no-project", f"{path} is neither a project folder nor an MLproject file",
                      ERROR, path, None, "project")
        return DryRunReport(entry_point, folder, (), None, (), (), (), (), (issue,))
    mlproject_file = path if path.is_file() else find_mlproject_file(folder)
    # Stage 1 needs only the MLproject: when MLflow would refuse, no script is read at all.
    mlproject = None
    if mlproject_file is not None:
        from ..model.project import parsed_mlproject
        from ..model.source import ReadError, read_source

        src = read_source(mlproject_file, overlay)
        if isinstance(src, ReadError):
            issue = Issue("unreadable", f"cannot read {mlproject_file}: {src.message}", ERROR,
                          mlproject_file, None, "project")
            return DryRunReport(entry_point, folder, (), None, (), (), (), (), (issue,))
        mlproject = parsed_mlproject(mlproject_file, src.text)
    resolution = resolve(mlproject, folder, entry_point, params)
    if resolution.command is None:
        return DryRunReport(resolution.entry_point, folder, resolution.parameters, None, (), (),
                            (), (), resolution.problems)
    if settings is None:
        from ..config import resolve_settings

        settings = resolve_settings(folder)
    model = None
    if mlproject_file is not None:
        model = load_project(mlproject_file, plugin_dirs=settings.plugin_dirs, overlay=overlay,
                             entry_points=(resolution.entry.name,) if resolution.entry else ())
    from .argv import check_argv, missing_scripts
    from .plan import build_plan

    if resolution.entry is None and not (folder / entry_point).is_file():
        # A script entry point (``-e x.py``): MLflow builds the command without looking.
        issue = Issue("missing-script", f"`{entry_point}` is run as a script, but there is no "
                      f"such file in {folder}", ERROR, folder / entry_point, None, "argv")
        return DryRunReport(resolution.entry_point, folder, resolution.parameters,
                            resolution.command, (), (), (), (), resolution.problems + (issue,))

    link = _script_link(model, resolution)
    missing = missing_scripts(model, model.links_for(resolution.entry.name)) if link else ()
    argv = check_argv(model, resolution, link, import_script=import_script)
    chained = _chained_argv_problems(model, resolution, link, import_script)
    if link is not None and link.script is not None and link.script.commands_never_invoked:
        from .issues import ERROR, Issue

        command = link.script.entry_command or link.script.commands[0]
        chained += (Issue("command-never-invoked", f"`{link.invocation.script}` defines the click "
                          f"command `{command.function}` but never calls it: the job would exit "
                          f"0 at once, and nothing below would run (DL208)", ERROR, link.path,
                          command.span, "argv"),)
    plan = build_plan(model, link, argv)
    return DryRunReport(resolution.entry_point, folder, resolution.parameters, resolution.command,
                        argv.argv, argv.options, plan.parameters, plan.tasks,
                        resolution.problems + missing + argv.problems + chained + plan.problems,
                        plan.edges)


def _chained_argv_problems(model, resolution, link, import_script: bool):
    """The argv of every other click script in the command (``python prep.py ... && python
    train.py ...``): the report shows the main script's values, but any script refusing its
    arguments stops the job."""
    from .argv import check_argv

    if link is None:
        return ()
    problems = []
    seen = {link.path}
    for other in model.links_for(resolution.entry.name):
        if other.path in seen or other.script is None or other.script.entry_command is None:
            continue
        seen.add(other.path)
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
