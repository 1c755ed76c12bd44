"""One entry-point project: an MLproject, the scripts its commands run, and the plugins they reach."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .source import ReadError, Span
from .types import CallTask, MLProject, PluginModule, PythonScript, ScriptInvocation, Unknown

MLPROJECT_NAME = "mlproject"


def find_mlproject_file(folder: Path) -> Path | None:
    """The file MLflow would read: the first entry whose lower-cased name is ``mlproject``."""
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    # MLflow iterates os.listdir order and takes the first match; ties are rare (MLproject and
    # mlproject side by side) and we mirror that order.
    for name in names:
        if name.lower() == MLPROJECT_NAME and (folder / name).is_file():
            return folder / name
    return None


@dataclass(frozen=True, slots=True)
class ScriptLink:
    """An entry point's invocation of a script, resolved against the MLproject folder."""

    entry_point: str
    invocation: ScriptInvocation
    path: Path | None               # resolved file path (None when the command has no script)
    exists: bool
    script: PythonScript | None     # parsed Python script (None for shell scripts or unreadable)
    read_error: ReadError | None


@dataclass(frozen=True, slots=True)
class PluginResolution:
    """Where ``call_task(package, module, ...)`` leads."""

    status: str                     # "found", "missing-module", "unresolved-package", "unknown"
    package: str | None
    module_name: str | None
    plugin: PluginModule | None
    package_dir: Path | None        # the folder of the package, when found
    available_modules: tuple[str, ...] = ()   # sibling modules (for did-you-mean)
    read_error: ReadError | None = None


@dataclass(frozen=True)
class ProjectModel:
    mlproject: MLProject | None
    mlproject_path: Path
    read_error: ReadError | None
    links: tuple[ScriptLink, ...]
    plugin_dirs: tuple[Path, ...]
    # (package, module) -> resolution, for every call_task reached
    plugin_resolutions: dict[tuple[str, str], PluginResolution] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.mlproject_path.parent

    @property
    def scripts(self) -> dict[Path, PythonScript]:
        out: dict[Path, PythonScript] = {}
        for link in self.links:
            if link.script is not None and link.path is not None:
                out[link.path] = link.script
        return out

    def links_for(self, entry_point: str) -> tuple[ScriptLink, ...]:
        return tuple(link for link in self.links if link.entry_point == entry_point)

    def resolve_call(self, call: CallTask) -> PluginResolution:
        if isinstance(call.package, Unknown) or isinstance(call.module, Unknown) \
                or not isinstance(call.package, str) or not isinstance(call.module, str):
            return PluginResolution("unknown", None, None, None, None)
        return self.plugin_resolutions.get(
            (call.package, call.module),
            PluginResolution("unknown", call.package, call.module, None, None))

    def plugin_modules(self) -> tuple[PluginModule, ...]:
        seen: dict[Path, PluginModule] = {}
        for res in self.plugin_resolutions.values():
            if res.plugin is not None:
                seen[res.plugin.path] = res.plugin
        return tuple(seen.values())

    def files(self) -> tuple[Path, ...]:
        """Every file this project's model was read from."""
        out = [self.mlproject_path]
        out.extend(link.path for link in self.links if link.path and link.exists)
        out.extend(m.path for m in self.plugin_modules())
        return tuple(dict.fromkeys(out))


def span_text(span: Span) -> str:
    return f"{span.start.line + 1}:{span.start.character + 1}"


def literal_or_none(value: Any) -> Any:
    return None if isinstance(value, Unknown) else value
