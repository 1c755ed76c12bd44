"""DL507: a task's plugin resolves to no registered function (0.x plugin id, 1.x registration)."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model.source import Span
from .base import Rule, RuleContext, did_you_mean
from ._experiments import experiments, shown

RULE = Rule("DL507", "unknown-task-plugin", Severity.ERROR,
            "A task's plugin names a module or registered function that is not there")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    seen: set = set()
    for exp in experiments(project):
        for task in exp.tasks:
            key = (task.path, task.plugin_span)
            if key in seen:
                continue
            seen.add(key)
            yield from _task(project, task)
    toml = project.dioptra_toml
    if toml is not None:
        yield from _registrations(project, toml)


def _task(project, task) -> Iterator[Diagnostic]:
    if task.plugin_file is not None:
        return   # a 1.x registration: checked with the others in _registrations
    target = project.task_target(task)
    res = target.resolution
    if target.status == "missing-module" and res is not None:
        folder = shown(project, res.package_dir) if res.package_dir else res.package
        dotted = f"{res.package}.{res.module_name}" if res.package else res.module_name
        yield RULE.diagnostic(
            task.path, task.plugin_span,
            f"task `{task.name}`: plugin module `{dotted}` is not there (package folder {folder}); "
            f"the step fails with \"No module named {dotted}\"; "
            + did_you_mean(res.module_name, res.available_modules, what="Modules"))
    elif target.status in ("no-function", "unregistered") and res is not None and res.plugin:
        module = res.plugin
        function = task.coordinates[2]
        registered = [f.name for f in module.functions]
        why = (f"`{function}` is defined there but not decorated with @pyplugs.register"
               if target.status == "unregistered" else f"it has no registered function `{function}`")
        yield RULE.diagnostic(
            task.path, task.plugin_span,
            f"task `{task.name}`: plugin module `{module.dotted}` ({shown(project, module.path)}): "
            f"{why}, so pyplugs cannot call it; "
            + did_you_mean(function, registered, what="Registered functions"),
            related=(Related(module.path, Span.point(0, 0), f"plugin module `{module.dotted}`"),))


def _registrations(project, toml) -> Iterator[Diagnostic]:
    """Registrations whose file is missing are dropped silently by Dioptra's import."""
    for plugin in toml.plugins:
        if not plugin.folder_exists:
            continue   # the missing folder is DL551's finding
        for task in plugin.tasks:
            if task.file is None or task.file_exists:
                if task.file is not None and task.kind == "functions":
                    yield from _registered_function(project, plugin, task)
                continue
            yield RULE.diagnostic(
                toml.path, task.filename_span,
                f"task `{task.name}` of plugin `{plugin.name}` is registered in `{task.filename}`, "
                f"which is not in {shown(project, plugin.folder)}; Dioptra's import skips the "
                f"registration without a word, so steps calling `{task.name}` fail; "
                + did_you_mean(str(task.filename), _py_files(plugin.folder), what="Files"))


def _registered_function(project, plugin, task) -> Iterator[Diagnostic]:
    res = project.plugin_files.get(task.file)
    module = res.plugin if res is not None else None
    if module is None or module.problems or not isinstance(task.name, str):
        return
    if module.function(task.name) is not None:
        return
    why = (f"`{task.name}` is defined there but not decorated with @pyplugs.register"
           if task.name in module.unregistered else f"it has no registered function `{task.name}`")
    yield RULE.diagnostic(
        project.mlproject_path, task.name_span,
        f"task `{task.name}` of plugin `{plugin.name}`: {shown(project, task.file)}: {why}, so steps "
        f"calling it fail; " + did_you_mean(task.name, [f.name for f in module.functions],
                                             what="Registered functions"),
        related=(Related(task.file, Span.point(0, 0), f"plugin file {task.filename}"),))


def _py_files(folder) -> list[str]:
    out = []
    try:
        for path in sorted(folder.rglob("[!.]*.py")):
            out.append(path.relative_to(folder).as_posix())
            if len(out) > 200:
                break
    except OSError:
        pass
    return out
