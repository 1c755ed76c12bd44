"""One entry-point project: an MLproject, the scripts its commands run, and the plugins they reach."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Collection

from . import fs
from .record import field, record
from .source import ReadError, Span
from .types import CallTask, MLProject, PluginFunction, PluginModule, PythonScript, ScriptInvocation, \
    Unknown

MLPROJECT_NAME = "mlproject"
TOML_NAME = "dioptra.toml"
EXPERIMENT_SUFFIXES = (".yml", ".yaml")


def find_mlproject_file(folder: Path) -> Path | None:
    """The entry MLflow would read: the first whose lower-cased name is ``mlproject``.

    Whatever it is: MLflow opens the first match, so a folder (or a broken symlink) named
    ``MLproject`` makes the project fail to load, and the model reports it as unreadable.
    """
    # MLflow iterates os.listdir order and takes the first match; ties are rare (MLproject and
    # mlproject side by side) and we mirror that order.
    for name in fs.list_dir(folder):
        if name.lower() == MLPROJECT_NAME:
            return folder / name
    return None


@record
class ScriptLink:
    """An entry point's invocation of a script, resolved against the MLproject folder."""

    entry_point: str
    invocation: ScriptInvocation
    path: Path | None               # resolved file path (None when the command has no script)
    exists: bool
    script: PythonScript | None     # parsed Python script (None for shell scripts or unreadable)
    read_error: ReadError | None
    nearby: tuple[str, ...] = ()     # scripts that do exist, for did-you-mean when this one does not


@record
class PluginResolution:
    """Where ``call_task(package, module, ...)`` leads."""

    status: str                     # "found", "missing-module", "unresolved-package", "unknown"
    package: str | None
    module_name: str | None
    plugin: PluginModule | None
    package_dir: Path | None        # the folder of the package, when found
    available_modules: tuple[str, ...] = ()   # sibling modules (for did-you-mean)
    read_error: ReadError | None = None


@record
class ExperimentLink:
    """An experiment description and what runs it: an MLproject entry point's
    ``run-experiment``/``validate-experiment`` words (0.x), a ``dioptra.toml`` entry point
    (1.x), or nothing (a file linted on its own)."""

    entry_point: str | None         # the MLproject (or dioptra.toml) entry point; None on its own
    calls: tuple[Any, ...]          # explink.ExperimentCall of the command, in order (0.x)
    path: Path | None               # the experiment (1.x: graph) file, resolved; None if computed
    exists: bool
    experiment: Any                 # experiment.Experiment (1.x: as the server assembles it)
    read_error: ReadError | None
    toml_entry: Any = None          # dioptratoml.TomlEntryPoint for 1.x

    @property
    def run_call(self) -> Any:
        """The ``run-experiment`` call (its ``-P`` are the values the engine receives)."""
        from .explink import RUN

        return next((c for c in reversed(self.calls) if c.program == RUN), None)


@record
class TaskTarget:
    """Where an experiment task's ``plugin`` leads, found the way the engine finds it."""

    status: str          # "found", "no-function", "unregistered", "missing-module",
                         # "unresolved-package", "missing-file", "invalid-id"
    resolution: PluginResolution | None
    function: PluginFunction | None


@record(slots=False)
class ProjectModel:
    mlproject: MLProject | None
    mlproject_path: Path                 # the root file: MLproject, dioptra.toml or an experiment
    read_error: ReadError | None
    links: tuple[ScriptLink, ...]
    plugin_dirs: tuple[Path, ...]
    # (package, module) -> resolution, for every call_task and experiment task reached
    plugin_resolutions: dict[tuple[str, str], PluginResolution] = field(default_factory=dict)
    experiments: tuple[ExperimentLink, ...] = ()
    dioptra_toml: Any = None             # dioptratoml.DioptraToml when the root is one
    # plugin file -> resolution, for Dioptra 1.x registrations (found by path, not by package)
    plugin_files: dict[Path, PluginResolution] = field(default_factory=dict)

    @functools.cached_property
    def folder(self) -> Path:   # cached: rules ask for it per finding and Path.parent is not free
        return self.mlproject_path.parent

    @functools.cached_property
    def scripts(self) -> dict[Path, PythonScript]:
        out: dict[Path, PythonScript] = {}
        for link in self.links:
            if link.script is not None and link.path is not None:
                out[link.path] = link.script
        return out

    def links_for(self, entry_point: str) -> tuple[ScriptLink, ...]:
        return self._links_by_entry_point.get(entry_point, ())

    @functools.cached_property
    def _links_by_entry_point(self) -> dict[str, tuple[ScriptLink, ...]]:
        # An index, not a scan: rules ask once per entry point (1000 in one file happen).
        index: dict[str, list[ScriptLink]] = {}
        for link in self.links:
            index.setdefault(link.entry_point, []).append(link)
        return {name: tuple(links) for name, links in index.items()}

    def resolve_call(self, call: CallTask) -> PluginResolution:
        if isinstance(call.package, Unknown) or isinstance(call.module, Unknown) \
                or not isinstance(call.package, str) or not isinstance(call.module, str):
            return PluginResolution("unknown", None, None, None, None)
        found = self.plugin_resolutions.get((call.package, call.module))
        if found is None:   # built only when missing: this is asked for every call_task by several rules
            found = PluginResolution("unknown", call.package, call.module, None, None)
        return found

    def plugin_modules(self) -> tuple[PluginModule, ...]:
        seen: dict[Path, PluginModule] = {}
        for res in (*self.plugin_resolutions.values(), *self.plugin_files.values()):
            if res.plugin is not None:
                seen[res.plugin.path] = res.plugin
        return tuple(seen.values())

    def files(self) -> tuple[Path, ...]:
        """Every file this project's model was read from."""
        out = [self.mlproject_path]
        out.extend(link.path for link in self.links if link.path and link.exists)
        out.extend(e.path for e in self.experiments if e.path and e.exists)
        out.extend(m.path for m in self.plugin_modules())
        return tuple(dict.fromkeys(out))

    def task_target(self, task: Any) -> TaskTarget:
        """The plugin function an experiment task calls: 0.x splits ``plugin`` into package,
        module and function and looks in the plugin folders; 1.x uses the registration's file."""
        coords = task.coordinates
        if task.plugin_file is not None:
            res = self.plugin_files.get(task.plugin_file)
            if res is None:
                return TaskTarget("missing-file", None, None)
        elif coords is None:
            return TaskTarget("invalid-id", None, None)
        else:
            res = self.plugin_resolutions.get((coords[0], coords[1]))
            if res is None:
                return TaskTarget("unresolved-package", None, None)
        if res.status != "found":
            return TaskTarget(res.status, res, None)
        if res.plugin is None or res.plugin.problems:
            return TaskTarget("found", res, None)   # unreadable or not parsed: DL001's finding
        name = coords[2] if coords else task.name
        fn = res.plugin.function(name)
        if fn is None:
            status = "unregistered" if name in res.plugin.unregistered else "no-function"
            return TaskTarget(status, res, None)
        return TaskTarget("found", res, fn)


def span_text(span: Span) -> str:
    return f"{span.start.line + 1}:{span.start.character + 1}"


def literal_or_none(value: Any) -> Any:
    return None if isinstance(value, Unknown) else value


# --------------------------------------------------------------------------- loading

# Parsed files keyed by path, re-parsed only when their text changes (the language server
# re-lints on every keystroke; the other files of the project are unchanged).
_CACHE: dict[tuple[str, Path], tuple[str, Any]] = {}
_CACHE_LIMIT = 20000


def _cached(kind: str, path: Path, text: str, build):
    key = (kind, path)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] == text:
        return hit[1]
    value = build()
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[key] = (text, value)
    return value


def default_plugin_dirs(folder: Path, extra: tuple[Path, ...] = ()) -> tuple[Path, ...]:
    """The project folder, ``plugin-dirs`` from config, then ``DIOPTRA_PLUGIN_DIR`` (colon-separated)."""
    dirs = [folder, *extra]
    for part in os.environ.get("DIOPTRA_PLUGIN_DIR", "").split(os.pathsep):
        if part.strip():
            dirs.append(Path(part.strip()))
    return tuple(dict.fromkeys(dirs))


def _script_path(folder: Path, inv: ScriptInvocation) -> Path | None:
    """The file the invocation runs, or None when it is only known at run time."""
    script, token = inv.script, inv.script_token
    if not script or token is None or not token.literal or "{" in script or inv.workdir is None:
        return None   # computed by bash or MLflow at run time, or after a computed `cd`
    cwd = folder / inv.workdir if inv.workdir else folder
    if inv.is_module:
        return _module_path(cwd, script, inv)
    return cwd / script if not os.path.isabs(script) else Path(script)


def _module_path(cwd: Path, module: str, inv: ScriptInvocation) -> Path | None:
    """Where ``python -m module`` finds it: the working folder first, then the literal
    ``PYTHONPATH=`` entries of the command.  A module found nowhere is missing only when its
    top-level package is a regular package of the working folder (python imports that one and
    fails); otherwise it may be installed, which is not known here (None)."""
    parts = module.split(".")
    if not all(p.isidentifier() for p in parts):
        return None
    roots = [cwd]
    for assignment in inv.command.assignments if inv.command else ():
        name, _, value = assignment.value.partition("=")
        if name == "PYTHONPATH" and assignment.literal:
            roots += [cwd / entry for entry in value.split(":") if entry]
    for root in roots:
        base = root.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__main__.py"):
            if fs.is_file(candidate):
                return candidate
    if len(parts) > 1 and (cwd / parts[0] / "__init__.py").is_file():
        return cwd.joinpath(*parts).with_suffix(".py")
    return None


def parsed_mlproject(mlproject_path: Path, text: str) -> MLProject:
    """``parse_mlproject``, through the parse cache that ``load_project`` uses too."""
    from .mlproject import parse_mlproject

    return _cached("mlproject", mlproject_path, text, lambda: parse_mlproject(mlproject_path, text))


def load_project(mlproject_path: Path, *, plugin_dirs: tuple[Path, ...] = (),
                 overlay: dict[Path, str] | None = None,
                 entry_points: Collection[str] | None = None) -> ProjectModel:
    """Read an MLproject and everything its commands reach.  Never imports user code.

    ``entry_points`` limits the scripts read to those of the named entry points (the dry-run
    needs one); the MLproject itself is always read whole.
    """
    from .mlproject import load_mlproject
    from .script import parse_script
    from .source import read_source

    mlproject_path = Path(mlproject_path)
    if mlproject_path.name == TOML_NAME or mlproject_path.suffix.lower() in EXPERIMENT_SUFFIXES:
        from .experiments import load_experiment_root

        return load_experiment_root(mlproject_path, plugin_dirs=plugin_dirs, overlay=overlay)
    folder = mlproject_path.parent
    src = read_source(mlproject_path, overlay)
    if isinstance(src, ReadError):
        mlproject = load_mlproject(mlproject_path, overlay)
        return ProjectModel(mlproject, mlproject_path, src, (), default_plugin_dirs(folder, plugin_dirs))
    mlproject = parsed_mlproject(mlproject_path, src.text)
    links: list[ScriptLink] = []
    seen_scripts: dict[Path, tuple[PythonScript | None, ReadError | None]] = {}
    nearby_all: tuple[str, ...] | None = None
    for ep in mlproject.entry_points:
        if ep.command is None or (entry_points is not None and ep.name not in entry_points):
            continue
        for inv in ep.command.invocations:
            path = _script_path(folder, inv)
            if path is None:
                links.append(ScriptLink(ep.name, inv, None, False, None, None))
                continue
            exists = fs.is_file(path) or (overlay is not None and path in overlay)
            script = error = None
            is_python = path.suffix == ".py" or inv.program.startswith("python") or inv.is_module
            if path in seen_scripts:     # many entry points often run one script
                script, error = seen_scripts[path]
            elif not exists and (why := fs.lookup_error(path)) is not None:
                error = ReadError(path, why)      # e.g. a name longer than the file system allows
            elif fs.is_dir(path):
                error = ReadError(path, "is a directory, not a script")
            elif (exists or fs.is_link(path)) and is_python:
                text = read_source(path, overlay)
                if isinstance(text, ReadError):
                    error = text
                else:
                    script = _cached("script", path, text.text, lambda: parse_script(text))
            seen_scripts[path] = (script, error)
            if not exists and not error and nearby_all is None:
                nearby_all = _nearby_scripts(folder)      # one walk per project, when needed
            nearby = () if exists or error else nearby_all
            links.append(ScriptLink(ep.name, inv, path, exists, script, error, nearby))
    dirs = default_plugin_dirs(folder, plugin_dirs)
    resolutions: dict[tuple[str, str], PluginResolution] = {}
    for link in links:
        if link.script is None:
            continue
        for flow in link.script.flows:
            for call in flow.call_tasks:
                if not (isinstance(call.package, str) and isinstance(call.module, str)):
                    continue
                key = (call.package, call.module)
                if key not in resolutions:
                    resolutions[key] = _resolve_plugin(call.package, call.module, dirs, overlay)
    experiments: tuple[ExperimentLink, ...] = ()
    if any(ep.command is not None and "experiment" in ep.command.value
           for ep in mlproject.entry_points):
        from .experiments import experiment_links, resolve_tasks

        experiments = experiment_links(mlproject, folder, overlay, entry_points)
        resolve_tasks(experiments, dirs, overlay, resolutions)
    return ProjectModel(mlproject, mlproject_path, None, tuple(links), dirs, resolutions, experiments)


def _resolve_plugin(package: str, module: str, dirs: tuple[Path, ...], overlay) -> PluginResolution:
    """``package.module`` in the first plugin folder that has it.  ``package`` may be ``""``
    (the task engine's ``module.function`` ids): then the module sits in the folder itself."""
    parts = [p for p in package.split(".") if p]
    if package and not parts:
        return PluginResolution("unresolved-package", package, module, None, None)
    package_dirs = [d.joinpath(*parts) for d in dirs if fs.is_dir(d.joinpath(*parts))]
    if not package_dirs:
        return PluginResolution("unresolved-package", package, module, None, None)
    for pkg_dir in package_dirs:
        for candidate in (pkg_dir / f"{module}.py", pkg_dir / module / "__init__.py"):
            if fs.is_file(candidate) or (overlay is not None and candidate in overlay):
                dotted = f"{package}.{module}" if package else module
                return plugin_module_at(candidate, dotted, overlay, package, module, pkg_dir)
    if not package:   # a top-level module that is not in any plugin folder
        return PluginResolution("unresolved-package", package, module, None, None)
    available: set[str] = set()
    for pkg_dir in package_dirs:
        for entry in fs.entries(pkg_dir):
            if entry.name.endswith(".py") and entry.name != "__init__.py":
                available.add(entry.name[:-3])
            elif entry.is_dir and fs.is_file(Path(entry.path) / "__init__.py"):
                available.add(entry.name)
    return PluginResolution("missing-module", package, module, None, package_dirs[0],
                            tuple(sorted(available)))


def plugin_module_at(path: Path, dotted: str, overlay, package: str | None = None,
                     module: str | None = None, package_dir: Path | None = None) -> PluginResolution:
    """The plugin module in the file ``path`` (read through the parse cache), whoever found it."""
    from .plugins import parse_plugin_module
    from .source import read_source

    src = read_source(path, overlay)
    if isinstance(src, ReadError):
        return PluginResolution("found", package, module, None, package_dir or path.parent, (), src)
    plugin = _cached("plugin", path, src.text, lambda: parse_plugin_module(src, dotted))
    return PluginResolution("found", package, module, plugin, package_dir or path.parent)


def _nearby_scripts(folder: Path, limit: int = 300) -> tuple[str, ...]:
    """Python and shell files up to three folders below the project, relative to it."""
    found: list[str] = []
    base_depth = len(folder.parts)
    for here, dirs, files in fs.walk(folder):
        depth = len(Path(here).parts) - base_depth
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"] if depth < 3 else []
        for name in files:
            if name.endswith((".py", ".sh")):
                found.append(Path(os.path.relpath(os.path.join(here, name), folder)).as_posix())
                if len(found) >= limit:
                    return tuple(sorted(found))
    return tuple(sorted(found))
