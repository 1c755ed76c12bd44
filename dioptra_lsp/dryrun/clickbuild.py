"""Rebuild a real ``click.Command`` from the literal decorator arguments kept in the model.

Only what is literal is rebuilt; anything else becomes a plain string parameter with a reason,
so click's own parser, conversions and messages apply and nothing is guessed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from ..model.record import record
from ..model.types import MISSING, ClickCommand, ClickParam, ClickType, Unknown

_SIMPLE = {"STRING": click.STRING, "STR": click.STRING, "INT": click.INT, "FLOAT": click.FLOAT,
           "BOOL": click.BOOL, "UUID": click.UUID}
_PATH_KEYS = ("exists", "file_okay", "dir_okay", "writable", "readable", "resolve_path",
              "allow_dash", "executable")
_RANGE_KEYS = ("min", "max", "min_open", "max_open", "clamp")


class _NotLiteral(Exception):
    """Why a type cannot be rebuilt."""


@record
class Rebuilt:
    command: click.Command
    unchecked: dict[str, str]    # param name -> why its value is passed through unchecked
    # Declarations click refuses outright (``@click.option()`` with no name): the script
    # raises while it is imported, before any argument is parsed.
    refused: tuple[tuple[ClickParam, str], ...] = ()


def _literal(value: Any, what: str) -> Any:
    if isinstance(value, Unknown):
        raise _NotLiteral(f"{what} `{value.source}` is not a literal")
    return value


class ProjectPath(click.Path):
    """``click.Path`` checking relative paths against the project folder (where the worker runs),
    so the check does not depend on the dry-run's own working directory."""

    def __init__(self, folder: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.folder = folder

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value != "-" and not os.path.isabs(value):
            rv = super().convert(os.path.join(self.folder, value), param, ctx)
            return rv if self.resolve_path else value
        return super().convert(value, param, ctx)


def build_type(ctype: ClickType, folder: Path) -> click.ParamType:
    kind = ctype.kind
    simple = _SIMPLE.get(kind.upper()) if kind not in ("Path", "Choice") else None
    if simple is not None:
        return simple
    if kind == "Path":
        kwargs = {k: bool(_literal(ctype.arg(k), k)) for k in _PATH_KEYS if ctype.arg(k) is not None}
        if ctype.arg("path_type") is not None:
            raise _NotLiteral("`path_type=` is not rebuilt")
        return ProjectPath(folder, **kwargs)
    if kind == "Choice":
        choices = _literal(ctype.arg("choices", ctype.arg(0)), "choices")
        if not isinstance(choices, (list, tuple)):
            raise _NotLiteral(f"choices `{ctype.source}` are not a literal list")
        sensitive = _literal(ctype.arg("case_sensitive", True), "case_sensitive")
        return click.Choice([_literal(c, "a choice") for c in choices], case_sensitive=sensitive)
    if kind in ("IntRange", "FloatRange"):
        args = {k: _literal(ctype.arg(k), k) for k in _RANGE_KEYS if ctype.arg(k) is not None}
        for pos, key in ((0, "min"), (1, "max")):   # positional args are keyed by index
            if ctype.arg(pos) is not None:
                args[key] = _literal(ctype.arg(pos), key)
        return (click.IntRange if kind == "IntRange" else click.FloatRange)(**args)
    if kind == "DateTime":
        formats = _literal(ctype.arg("formats", ctype.arg(0)), "formats")
        return click.DateTime(formats) if formats else click.DateTime()
    raise _NotLiteral(f"type `{ctype.source or kind}` is not rebuilt")


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
    except _NotLiteral as err:
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
