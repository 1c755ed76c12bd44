"""Shared by the DL2xx rules: each entry point's invocations of scripts with a readable click command."""

from __future__ import annotations

from typing import Iterator

from ..model.linkage import FlagUse, flag_uses
from ..model.project import ProjectModel, ScriptLink
from ..model.record import record
from ..model.types import ClickCommand, EntryPoint, MLParameter, Placeholder


@record
class Invocation:
    entry_point: EntryPoint
    link: ScriptLink
    click: ClickCommand
    uses: tuple[FlagUse, ...]


_last: tuple[ProjectModel | None, tuple[Invocation, ...]] = (None, ())


def invocations(project: ProjectModel) -> tuple[Invocation, ...]:
    """Computed once per project: seven rules ask for it in a row."""
    global _last
    last = _last   # one read: the language server lints from several threads
    if last[0] is not project:
        last = _last = (project, tuple(_invocations(project)))
    return last[1]


def _invocations(project: ProjectModel) -> Iterator[Invocation]:
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


@record
class Mismatch:
    """``--model-name {model_architecture}`` while ``model_name`` is declared and never used."""

    entry_point: EntryPoint
    use: FlagUse
    placeholder: Placeholder
    twin: MLParameter


def _stem(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_").lower()


_last_mismatches: tuple[ProjectModel | None, tuple[Mismatch, ...]] = (None, ())


def mismatches(project: ProjectModel) -> tuple[Mismatch, ...]:
    """Computed once per project: DL107 and DL203 both ask."""
    global _last_mismatches
    last = _last_mismatches
    if last[0] is not project:
        last = _last_mismatches = (project, tuple(_mismatches(project)))
    return last[1]


def _mismatches(project: ProjectModel) -> Iterator[Mismatch]:
    for inv in invocations(project):
        ep = inv.entry_point
        used = {p.name for p in ep.command.placeholders}
        for use in inv.uses:
            if not use.value_is_single_placeholder or use.value_token is None:
                continue
            ph = next(iter(ep.command.placeholders_between(use.value_token.start,
                                                           use.value_token.end)), None)
            if ph is None:
                continue
            wanted = {_stem(use.flag)} | ({use.option.dest} if use.option is not None else set())
            if ph.name in wanted:
                continue
            twin = next((p for p in ep.parameters if p.name in wanted and p.name not in used), None)
            if twin is not None:
                yield Mismatch(ep, use, ph, twin)
