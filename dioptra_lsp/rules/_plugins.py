"""Shared by DL403/DL404: each call_task with the plugin module and function it reaches."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from ..model.project import PluginResolution, ProjectModel
from ..model.record import record
from ..model.types import CallTask, PluginFunction, PluginModule
from ._flows import scripts


@record
class Reached:
    path: Path                    # the script
    call: CallTask
    resolution: PluginResolution
    plugin: PluginModule | None
    function: PluginFunction | None   # None: not found (or not resolvable)


_last: tuple[ProjectModel | None, tuple[Reached, ...]] = (None, ())


def calls(project: ProjectModel) -> tuple[Reached, ...]:
    """Computed once per project: DL403 and DL404 ask for it in a row."""
    global _last
    last = _last   # one read: the language server lints from several threads
    if last[0] is not project:
        last = _last = (project, tuple(_calls(project)))
    return last[1]


def _calls(project: ProjectModel) -> Iterator[Reached]:
    for path, script in scripts(project):
        for flow in script.flows:
            for call in flow.call_tasks:
                res = project.resolve_call(call)
                plugin = res.plugin if res.status == "found" else None
                fn = None
                if plugin is not None:
                    if call.function is None:
                        fn = plugin.functions[0] if plugin.functions else None   # pyplugs picks the first
                    elif isinstance(call.function, str):
                        fn = plugin.function(call.function)
                yield Reached(path, call, res, plugin, fn)


def qualified_name(call: CallTask, fn: PluginFunction) -> str:
    """`pkg.mod.fn` (quoted) for messages; call_task without a function name calls the first registered one."""
    name = f"`{call.package}.{call.module}.{fn.name}`"
    return name if call.function is not None else f"{name} (the first registered; no function is named)"


def calls_with_function(project: ProjectModel) -> Iterator[Reached]:
    """The calls that reach a registered plugin function (what signature checks need)."""
    return (reached for reached in calls(project) if reached.function is not None)
