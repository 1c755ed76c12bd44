"""Loading experiments into a project: from MLproject commands, a ``dioptra.toml``, or alone.

The parse of each file goes through the project's text-keyed cache; task plugins are
resolved with the same lookup as ``call_task`` (``project._resolve_plugin``) or, for 1.x
registrations, by the file the registration names.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Collection

from . import fs
from .project import (
    TOML_NAME,
    ExperimentLink,
    PluginResolution,
    ProjectModel,
    _cached,
    _resolve_plugin,
    default_plugin_dirs,
    plugin_module_at,
)
from .source import ReadError, Span, read_source
from .types import MLProject

_GRAPH_KEY = re.compile(r"^graph[ \t]*:", re.MULTILINE)


def parsed_experiment(path: Path, text: str, version: str = "0.x"):
    from .expread import parse_experiment

    return _cached(f"experiment-{version}", path, text,
                   lambda: parse_experiment(path, text, version=version))


def parsed_toml(path: Path, text: str):
    from .dioptratoml import parse_dioptra_toml

    return _cached("dioptra-toml", path, text, lambda: parse_dioptra_toml(path, text))


def experiment_path(folder: Path, written: str | None) -> Path | None:
    """The experiment file a command names, as the job's shell finds it (relative to the
    project folder, where MLflow runs the command); None when it is computed at run time."""
    if not written or any(c in written for c in "{}$`*?"):
        return None
    written = os.path.expanduser(written)
    return Path(written) if os.path.isabs(written) else folder / written


def experiment_links(mlproject: MLProject, folder: Path, overlay,
                     entry_points: Collection[str] | None = None) -> tuple[ExperimentLink, ...]:
    from .explink import experiment_calls

    out: list[ExperimentLink] = []
    for ep in mlproject.entry_points:
        if ep.command is None or (entry_points is not None and ep.name not in entry_points):
            continue
        if "experiment" not in ep.command.value:
            continue
        calls = experiment_calls(ep.command)
        by_file: dict[Any, list] = {}
        for call in calls:
            by_file.setdefault(call.file, []).append(call)
        for written, group in by_file.items():
            path = experiment_path(folder, written)
            out.append(_link(ep.name, tuple(group), path, overlay))
    return tuple(out)


def _link(entry_point: str | None, calls: tuple, path: Path | None, overlay,
          version: str = "0.x") -> ExperimentLink:
    if path is None:
        return ExperimentLink(entry_point, calls, None, False, None, None)
    src = read_source(path, overlay)
    if isinstance(src, ReadError):
        exists = src.message != "file not found"
        return ExperimentLink(entry_point, calls, path, exists, None, src if exists else None)
    return ExperimentLink(entry_point, calls, path, True, parsed_experiment(path, src.text, version),
                          None)


def resolve_tasks(links: tuple[ExperimentLink, ...], dirs: tuple[Path, ...], overlay,
                  resolutions: dict[tuple[str, str], PluginResolution],
                  files: dict[Path, PluginResolution] | None = None) -> None:
    """Resolve every task's plugin module once (into ``resolutions`` or, 1.x, ``files``)."""
    for link in links:
        experiment = link.experiment
        if experiment is None:
            continue
        for task in experiment.tasks:
            if task.plugin_file is not None:
                if files is not None and task.plugin_file not in files and \
                        (fs.is_file(task.plugin_file) or (overlay and task.plugin_file in overlay)):
                    dotted = task.plugin.rsplit(".", 1)[0] if isinstance(task.plugin, str) else ""
                    files[task.plugin_file] = plugin_module_at(task.plugin_file, dotted, overlay)
                continue
            coords = task.coordinates
            if coords is None:
                continue
            key = (coords[0], coords[1])
            if key not in resolutions:
                resolutions[key] = _resolve_plugin(coords[0], coords[1], dirs, overlay)


# --------------------------------------------------------------------------- roots


def load_experiment_root(path: Path, *, plugin_dirs: tuple[Path, ...] = (),
                         overlay: dict[Path, str] | None = None) -> ProjectModel:
    """A project whose root is a ``dioptra.toml`` or an experiment file no MLproject runs."""
    path = Path(path)
    folder = path.parent
    dirs = default_plugin_dirs(folder, plugin_dirs)
    if path.name != TOML_NAME:
        dirs = tuple(dict.fromkeys((*_project_folders(folder), *dirs)))
    if path.name == TOML_NAME:
        return _toml_project(path, dirs, overlay)
    src = read_source(path, overlay)
    if isinstance(src, ReadError):
        return ProjectModel(None, path, None, (), dirs, {},
                            (ExperimentLink(None, (), path, src.message != "file not found", None,
                                            src),))
    version = "0.x" if looks_like_full_description(src.text) else "graph"
    link = ExperimentLink(None, (), path, True, parsed_experiment(path, src.text, version), None)
    resolutions: dict[tuple[str, str], PluginResolution] = {}
    resolve_tasks((link,), dirs, overlay, resolutions)
    return ProjectModel(None, path, None, (), dirs, resolutions, (link,))


_PROJECT_MARKERS = ("MLproject", TOML_NAME, "pyproject.toml", "dioptra-lint.toml", ".git")


def _project_folders(folder: Path) -> tuple[Path, ...]:
    """An experiment no MLproject runs (a draft in a sub-folder) finds its plugins like the
    project it sits in: its own folder and each folder above, up to the first that holds an
    MLproject, a ``dioptra.toml``, a configuration file or ``.git``."""
    out = [folder]
    for parent in folder.resolve().parents if not folder.is_absolute() else folder.parents:
        if any(fs.exists(out[-1] / marker) for marker in _PROJECT_MARKERS):
            break
        out.append(parent if folder.is_absolute() else Path(os.path.relpath(parent)))
    return tuple(out)


def looks_like_full_description(text: str) -> bool:
    """A file with a top-level ``tasks`` section describes the whole experiment (0.x); one
    with only ``graph`` (and ``artifacts``) is a Dioptra 1.x entry-point file."""
    return re.search(r"^tasks[ \t]*:", text, re.MULTILINE) is not None


def _assembled(toml, entrypoint, graph):
    """The server's description for one entry point; an internal error costs this entry
    point (reported on its graph file), never the run."""
    from .dioptratoml import assemble
    from .record import replace
    from .types import Problem

    if graph is None:
        return None
    try:
        return assemble(toml, entrypoint, graph)
    except Exception as err:  # noqa: BLE001
        problem = Problem("unanalysed", graph.path, graph.sections[0][1] if graph.sections else
                          Span.point(0, 0),
                          f"dioptra-lint could not assemble this entry point (internal error: "
                          f"{type(err).__name__}: {err}); please report it")
        return replace(graph, problems=graph.problems + (problem,))


def _toml_project(path: Path, dirs: tuple[Path, ...], overlay) -> ProjectModel:
    from .dioptratoml import DioptraToml

    src = read_source(path, overlay)
    if isinstance(src, ReadError):
        return ProjectModel(None, path, src, (), dirs)
    toml: DioptraToml = parsed_toml(path, src.text)
    links = []
    for ep in toml.entrypoints:
        name = ep.name if isinstance(ep.name, str) else None
        if ep.file is None:
            links.append(ExperimentLink(name, (), None, False, None, None, ep))
            continue
        graph = _link(name, (), ep.file, overlay, "graph")
        experiment = _assembled(toml, ep, graph.experiment)
        links.append(ExperimentLink(name, (), ep.file, graph.exists, experiment, graph.read_error, ep))
    files: dict[Path, PluginResolution] = {}
    resolve_tasks(tuple(links), dirs, overlay, {}, files)
    # Registrations of plugins no entry point uses are still checked against their files.
    for plugin in toml.plugins:
        for task in plugin.tasks:
            if task.file is not None and task.file_exists and task.file not in files:
                files[task.file] = plugin_module_at(task.file, plugin.name, overlay)
    return ProjectModel(None, path, None, (), dirs, {}, tuple(links), toml, files)


# --------------------------------------------------------------------------- discovery


def is_experiment_file(path: Path, overlay: dict[Path, str] | None = None) -> bool:
    """A YAML file whose top level has ``graph`` (cheap: a line test before any parse)."""
    if path.suffix.lower() not in (".yml", ".yaml"):
        return False
    src = read_source(path, overlay)
    return not isinstance(src, ReadError) and _GRAPH_KEY.search(src.text) is not None


def claimed_files(root: Path, overlay: dict[Path, str] | None = None) -> tuple[Path, ...]:
    """The experiment files an MLproject or ``dioptra.toml`` at ``root`` runs."""
    src = read_source(root, overlay)
    if isinstance(src, ReadError):
        return ()
    if root.name == TOML_NAME:
        toml = parsed_toml(root, src.text)
        return tuple(ep.file for ep in toml.entrypoints if ep.file is not None)
    from .project import parsed_mlproject

    mlproject = parsed_mlproject(root, src.text)
    if not any(ep.command is not None and "experiment" in ep.command.value
               for ep in mlproject.entry_points):
        return ()
    from .explink import experiment_calls

    out = []
    for ep in mlproject.entry_points:
        if ep.command is not None and "experiment" in ep.command.value:
            for call in experiment_calls(ep.command):
                path = experiment_path(root.parent, call.file)
                if path is not None:
                    out.append(path)
    return tuple(out)
