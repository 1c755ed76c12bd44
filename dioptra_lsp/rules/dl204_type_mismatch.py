"""DL204: an MLproject value that the click option it feeds cannot convert."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model.types import MISSING, ClickParam, MLParameter
from .base import Rule, RuleContext, where
from ._cli import invocations

RULE = Rule("DL204", "type-mismatch", Severity.WARNING,
            "The MLproject default or type cannot feed the click option's type")

_NUMERIC = {"INT", "FLOAT", "IntRange", "FloatRange", "BOOL"}


def _type_name(option: ClickParam) -> str:
    return option.type.source if option.type and option.type.source else "its inferred type"


def _declared(inv, use, option: ClickParam, project) -> tuple[tuple[Related, ...], str]:
    """Related info and ``file:line`` of the option: built only for a finding (most uses are fine)."""
    path = inv.link.script.path
    return (Related(path, option.span, f"`{use.flag}` declared here"),), where(path, option.span, project.folder)


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    import click

    from ..clicktypes import NotLiteral, option_type

    project = ctx.project
    for inv in invocations(project):
        ep = inv.entry_point
        for use in inv.uses:
            option = use.option
            # ``multiple`` converts each value it is given like any option; several values
            # per flag (nargs) are not one placeholder's.
            if (option is None or not use.value_is_single_placeholder
                    or (isinstance(option.nargs, int) and option.nargs != 1)):
                continue
            param: MLParameter | None = ep.parameter(use.placeholders[0])
            if param is None:
                continue
            try:
                ctype = option_type(option, project.folder)
            except NotLiteral:
                continue   # not rebuilt exactly: not judged
            if isinstance(ctype, click.Path):
                continue   # whether a path exists is the worker's, not the default's type
            kind = option.type.kind if option.type else ctype.name
            if param.type in ("path", "uri") and (kind in _NUMERIC or ctype.name in ("integer", "float", "boolean")):
                related, other = _declared(inv, use, option, project)
                yield RULE.diagnostic(
                    project.mlproject_path, param.type_span or param.name_span,
                    f"parameter `{param.name}` has type `{param.type}` but feeds `{use.flag}` "
                    f"of type {_type_name(option)} ({other}); MLflow turns a {param.type} into "
                    f"an absolute path or URI that click cannot convert", related=related)
                continue
            if not param.has_default or param.default_span is None or param.default is MISSING:
                continue
            value = str(param.default)   # MLflow passes str(value) through the shell
            try:
                ctype.convert(value, None, None)
            except click.BadParameter as err:
                reason = err.format_message()
                related, other = _declared(inv, use, option, project)
                yield RULE.diagnostic(
                    project.mlproject_path, param.default_span,
                    f"default `{param.default_text or value}` of parameter `{param.name}` reaches "
                    f"`{use.flag}` as `{value}`, which {_type_name(option)} ({other}) rejects: "
                    f"{reason}", related=related)
            except Exception:   # a type we rebuilt but cannot judge; never guess
                continue
