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
    from ..model.project import load_project
    from .argv import check_argv
    from .issues import ERROR, Issue
    from .plan import build_plan
    from .report import DryRunReport

    folder, mlproject_file, resolution = resolve_project(project_dir, entry_point, params,
                                                         overlay=overlay)
    if resolution is None or resolution.command is None:
        problems = resolution.problems if resolution else (Issue(
            "no-project", f"{folder} is not a folder", ERROR, folder, None, "project"),)
        return DryRunReport(entry_point, folder, resolution.parameters if resolution else (),
                            None, (), (), (), (), problems)
    if settings is None:
        from ..config import resolve_settings

        settings = resolve_settings(folder)
    model = link = None
    if mlproject_file is not None:
        model = load_project(mlproject_file, plugin_dirs=settings.plugin_dirs, overlay=overlay)
        link = _script_link(model, resolution)
    argv = check_argv(model, resolution, link, import_script=import_script)
    plan = build_plan(model, link, argv)
    return DryRunReport(resolution.entry_point, folder, resolution.parameters, resolution.command,
                        argv.argv, argv.options, plan.parameters, plan.tasks,
                        resolution.problems + argv.problems + plan.problems, plan.edges)


def resolve_project(project_dir: str | os.PathLike, entry_point: str = "main",
                    params: Mapping[str, Any] | None = None, *,
                    overlay: dict[Path, str] | None = None):
    """Stage 1 alone: ``(folder, MLproject file or None, Resolution or None if no folder)``.

    Reads only the MLproject, so it answers even when a script does not parse.
    """
    from ..model.mlproject import load_mlproject
    from ..model.project import find_mlproject_file
    from .issues import ERROR, Issue
    from .resolve import Resolution, resolve

    params = dict(params or {})
    path = Path(os.path.abspath(project_dir))
    folder = path.parent if path.is_file() else path
    if not folder.is_dir():
        return folder, None, None
    mlproject_file = path if path.is_file() else find_mlproject_file(folder)
    mlproject = None
    if mlproject_file is not None:
        mlproject = load_mlproject(mlproject_file, overlay)
        unreadable = [p for p in mlproject.problems if p.kind == "syntax" and not mlproject.text]
        if unreadable and mlproject_file.exists() and not os.access(mlproject_file, os.R_OK):
            issue = Issue("unreadable", f"cannot read {mlproject_file}: {unreadable[0].message}",
                          ERROR, mlproject_file, None, "project")
            return folder, mlproject_file, Resolution(entry_point, None, (), None, (issue,))
    return folder, mlproject_file, resolve(mlproject, folder, entry_point, params)


def _script_link(model, resolution):
    """The Python script the entry point runs (the first one with a click command)."""
    if model is None or resolution.entry is None:
        return None
    links = model.links_for(resolution.entry.name)
    for link in links:
        if link.script is not None and link.script.entry_command is not None:
            return link
    return links[0] if links else None
