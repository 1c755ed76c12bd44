"""Real click parameter types, rebuilt from the literals the model keeps (``ClickType``).

The one builder for every front-end that asks click itself: DL204 converts MLproject defaults
with these types, the dry-run parses argv with commands made of them.  Only what is literal is
rebuilt exactly; anything else raises :class:`NotLiteral` with the reason, and the caller says
"not checked".  Imports click and the model's types only (no rule module), so the dry-run can
use it within its start-up budget.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from .model.types import MISSING, ClickParam, ClickType, Unknown

_SIMPLE = {"STRING": click.STRING, "STR": click.STRING, "INT": click.INT, "FLOAT": click.FLOAT,
           "BOOL": click.BOOL, "UUID": click.UUID}
_PATH_KEYS = ("exists", "file_okay", "dir_okay", "writable", "readable", "resolve_path",
              "allow_dash", "executable")
_RANGE_KEYS = ("min", "max", "min_open", "max_open", "clamp")


class NotLiteral(Exception):
    """Why a type cannot be rebuilt exactly."""


def literal(value: Any, what: str) -> Any:
    """``value`` when the model knows it, else :class:`NotLiteral` naming ``what``."""
    if isinstance(value, Unknown):
        raise NotLiteral(f"{what} `{value.source}` is not a literal")
    return value


class ProjectPath(click.Path):
    """``click.Path`` checking relative paths against the project folder (where the worker runs),
    so the check does not depend on the working directory of the tool itself."""

    def __init__(self, folder: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.folder = folder

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value != "-" and not os.path.isabs(value):
            rv = super().convert(os.path.join(self.folder, value), param, ctx)
            return rv if self.resolve_path else value
        return super().convert(value, param, ctx)


def build_type(ctype: ClickType, folder: Path) -> click.ParamType:
    """The click type written as ``ctype`` (``click.INT``, ``click.Choice([...])``, ``float``)."""
    kind = ctype.kind
    simple = _SIMPLE.get(kind.upper()) if kind not in ("Path", "Choice") else None
    if simple is not None:
        return simple
    if kind == "Path":
        kwargs = {k: bool(literal(ctype.arg(k), k)) for k in _PATH_KEYS if ctype.arg(k) is not None}
        if ctype.arg("path_type") is not None:
            raise NotLiteral("`path_type=` is not rebuilt")
        return ProjectPath(folder, **kwargs)
    if kind == "Choice":
        choices = literal(ctype.arg("choices", ctype.arg(0)), "choices")
        if not isinstance(choices, (list, tuple)):
            raise NotLiteral(f"choices `{ctype.source}` are not a literal list")
        sensitive = literal(ctype.arg("case_sensitive", True), "case_sensitive")
        return click.Choice([literal(c, "a choice") for c in choices], case_sensitive=sensitive)
    if kind in ("IntRange", "FloatRange"):
        args = {k: literal(ctype.arg(k), k) for k in _RANGE_KEYS if ctype.arg(k) is not None}
        for pos, key in ((0, "min"), (1, "max")):   # positional args are keyed by index
            if ctype.arg(pos) is not None:
                args[key] = literal(ctype.arg(pos), key)
        return (click.IntRange if kind == "IntRange" else click.FloatRange)(**args)
    if kind == "DateTime":
        formats = literal(ctype.arg("formats", ctype.arg(0)), "formats")
        return click.DateTime(formats) if formats else click.DateTime()
    raise NotLiteral(f"type `{ctype.source or kind}` is not rebuilt")


def option_type(param: ClickParam, folder: Path) -> click.ParamType:
    """The type click gives ``param``: the declared one, else the one click infers from a
    scalar default (``default=3`` is an INT option), else STRING."""
    if param.type is not None:
        return build_type(param.type, folder)
    default = param.default
    if default is MISSING or default is None:
        return click.STRING
    literal(default, "default")
    if not isinstance(default, (bool, int, float, str)):
        raise NotLiteral(f"the type click infers from the default `{default!r}` is not rebuilt")
    return click.types.convert_type(None, default)
