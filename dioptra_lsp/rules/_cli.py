"""Shared by the DL2xx rules: each entry point's invocations of scripts with a readable click command."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..model.linkage import FlagUse, flag_uses
from ..model.project import ProjectModel, ScriptLink
from ..model.types import ClickCommand, EntryPoint


@dataclass(frozen=True, slots=True)
class Invocation:
    entry_point: EntryPoint
    link: ScriptLink
    click: ClickCommand
    uses: tuple[FlagUse, ...]


def invocations(project: ProjectModel) -> Iterator[Invocation]:
    if project.mlproject is None:
        return
    for ep in project.mlproject.entry_points:
        if ep.command is None:
            continue
        for link in project.links_for(ep.name):
            if link.script is None:
                continue
            click = link.script.entry_command
            if click is None:
                continue
            yield Invocation(ep, link, click, flag_uses(link, ep.command, click))


def flags_of(click: ClickCommand) -> list[str]:
    """Every flag the command accepts (long and short, ``--no-x`` secondaries included)."""
    return [flag for option in click.options for flag in option.all_flags]
