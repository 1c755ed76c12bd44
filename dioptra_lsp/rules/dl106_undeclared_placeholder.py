"""DL106: a ``{placeholder}`` MLflow cannot fill from the declared parameters."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Severity, TextEdit
from ..model.source import Span, line_index
from .base import Rule, RuleContext, did_you_mean, entry_point_commands

RULE = Rule("DL106", "undeclared-placeholder", Severity.ERROR,
            "A command placeholder with no such parameter, or one str.format cannot fill",
            fix="unsafe")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    for ep, command in entry_point_commands(mlproject):
        names = [p.name for p in ep.parameters]
        if command.format_error and command.format_error_span is not None:
            yield RULE.diagnostic(mlproject.path, command.format_error_span,
                                  f"the command of `{ep.name}` cannot be formatted: "
                                  f"{command.format_error}; MLflow fails before running it")
        for ph in command.placeholders:
            if not ph.valid:
                yield RULE.diagnostic(
                    mlproject.path, ph.span,
                    f"`{ph.raw}` cannot be filled by MLflow, which substitutes each parameter by "
                    f"name as a quoted string (no positions, attributes, conversions or format "
                    f"specs); write `{{{ph.name or 'name'}}}` with a declared parameter. "
                    f"Parameters: {', '.join(names) or '(none)'}")
            elif ep.parameter(ph.name) is None:
                fix = (_parameter_insertion(mlproject, ep, ph.name,
                                            line_index(mlproject.text).lines)
                       if ph.name.isidentifier() else None)
                yield RULE.diagnostic(
                    mlproject.path, ph.span,
                    f"`{ph.raw}` has no parameter `{ph.name}` in entry point `{ep.name}`, so "
                    f"MLflow fails with a KeyError; "
                    + did_you_mean(ph.name, names, what="Parameters"), fix=fix)


def _parameter_insertion(ml, ep, name: str, lines: list[str]) -> Fix | None:
    """Declare ``name`` as a string parameter without default (unsafe: MLflow then asks for
    its value at run time, and the placeholder may have been a misspelt parameter)."""
    if ep.parameters:
        last = ep.parameters[-1]
        line = lines[last.name_span.start.line]
        indent = line[:last.name_span.start.character]
        if indent.strip():
            return None      # flow-style parameters mapping: leave it to the user
        end = last.spec_span.end.line
        # insert after the last parameter's value (its own line(s))
        at = Span.point(end + 1, 0) if end + 1 < len(lines) else Span.point(end, len(lines[end]))
        prefix = "" if end + 1 < len(lines) else "\n"
        return Fix(f"Add parameter `{name}` to entry point `{ep.name}`",
                   (TextEdit(ml.path, at, f"{prefix}{indent}{name}: {{type: string}}\n"),),
                   safe=False)
    key_line = lines[ep.name_span.start.line]
    ep_indent = key_line[:ep.name_span.start.character]
    child = ep_indent + "  "
    if ep.command is not None:
        for i in range(ep.name_span.start.line + 1, len(lines)):
            if lines[i].strip():
                child = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
                break
    if ep.parameters_span is not None:
        return None
    at = Span.point(ep.name_span.start.line + 1, 0)
    return Fix(f"Add parameter `{name}` to entry point `{ep.name}`",
               (TextEdit(ml.path, at, f"{child}parameters:\n{child}  {name}: {{type: string}}\n"),),
               safe=False)

