"""Rebuild a real ``click.Command`` from the literal decorator arguments kept in the model.

Only what is literal is rebuilt; anything else becomes a plain string parameter with a reason,
so click's own parser, conversions and messages apply and nothing is guessed.  The types come
from the one builder, ``dioptra_lsp.clicktypes`` (DL204 uses it too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..clicktypes import NotLiteral, build_type
from ..model.record import record
from ..model.types import MISSING, ClickCommand, ClickParam, Unknown


@record
class Rebuilt:
    command: click.Command
    unchecked: dict[str, str]    # param name -> why its value is passed through unchecked
    # Declarations click refuses outright (``@click.option()`` with no name): the script
    # raises while it is imported, before any argument is parsed.
    refused: tuple[tuple[ClickParam, str], ...] = ()


def rebuild(command: ClickCommand, folder: Path) -> Rebuilt:
    params: list[click.Parameter] = []
    unchecked: dict[str, str] = {}
    refused: list[tuple[ClickParam, str]] = []
    for p in command.params:
        try:
            param, why = _param(p, folder)
        except (TypeError, ValueError) as err:
            refused.append((p, str(err)))
            continue
        params.append(param)
        if why:
            unchecked[param.name or p.dest] = why
    return Rebuilt(click.Command(command.command_name, params=params), unchecked, tuple(refused))


def _param(p: ClickParam, folder: Path) -> tuple[click.Parameter, str | None]:
    why = None
    kwargs: dict[str, Any] = {"required": p.required}
    try:
        if p.type is not None:
            kwargs["type"] = build_type(p.type, folder)
    except NotLiteral as err:
        why = str(err)
        kwargs["type"] = click.STRING
    if p.default is not MISSING:
        if isinstance(p.default, Unknown):
            why = why or f"default `{p.default.source}` is not a literal"
            kwargs.setdefault("type", click.STRING)
        else:
            kwargs["default"] = p.default
    if p.multiple:
        kwargs["multiple"] = True
    if isinstance(p.nargs, int) and p.nargs != 1:
        kwargs["nargs"] = p.nargs
    if p.kind == "option":
        if p.is_flag is not None:
            kwargs["is_flag"] = p.is_flag
        if p.flag_value is not MISSING and p.flag_value is not None and not isinstance(p.flag_value, Unknown):
            kwargs["flag_value"] = p.flag_value
        if p.count:
            kwargs["count"] = True
    if p.has_callback and why is None:
        why = "its callback is not run: the script receives what the callback returns"
    try:
        cls = click.Option if p.kind == "option" else click.Argument
        return cls(list(p.decls), **kwargs), why
    except (TypeError, ValueError) as err:   # declarations click itself rejects
        cls = click.Option if p.kind == "option" else click.Argument
        return cls(list(p.decls), type=click.STRING), f"click rejects its declaration: {err}"
