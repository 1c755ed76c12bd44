"""DL107: a declared parameter the command never substitutes (or, in an experiment entry point,
never forwards to run-experiment); the user's value is dropped."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Severity, TextEdit
from ..model.source import Span, line_index
from ._cli import mismatches
from .base import Rule, RuleContext, entry_point_commands

RULE = Rule("DL107", "unused-parameter", Severity.WARNING,
            "A declared parameter that the command never substitutes", fix="unsafe")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    lines = line_index(mlproject.text).lines
    # A parameter another flag should have been fed by is DL203's finding, not a second one here.
    twins = {(m.entry_point.name, m.twin.name) for m in mismatches(ctx.project)}
    runs = _experiment_runs(ctx.project)
    for ep, command in entry_point_commands(mlproject):
        if command.format_error:
            continue
        run = runs.get(ep.name)
        used = {p.name for p in command.placeholders if run is None or not _in_validate(run, p)}
        for param in ep.parameters:
            if param.name in used or (ep.name, param.name) in twins:
                continue
            if run is not None:
                exp_param = run.experiment.parameter(param.name) if run.experiment else None
                if exp_param is not None and not exp_param.has_default:
                    continue   # the job fails for it: DL504's finding names this parameter
                yield RULE.diagnostic(
                    mlproject.path, param.name_span,
                    f"parameter `{param.name}` of entry point `{ep.name}` is never forwarded to "
                    f"run-experiment, so a value given for it is silently dropped"
                    + _experiment_side(ctx.project, run, param.name)
                    + f"; add `-P {param.name}={{{param.name}}}` to the run-experiment command or "
                      f"remove the parameter",
                    fix=_removal(mlproject.path, lines, param.name_span, param.spec_span))
                continue
            yield RULE.diagnostic(
                mlproject.path, param.name_span,
                f"parameter `{param.name}` of entry point `{ep.name}` is never substituted into "
                f"its command, so a value given for it is silently dropped; add "
                f"`{{{param.name}}}` to the command or remove the parameter",
                fix=_removal(mlproject.path, lines, param.name_span, param.spec_span))


def _experiment_runs(project) -> dict:
    """Entry point -> its experiment link, for entry points whose command runs run-experiment."""
    out = {}
    for link in project.experiments:
        if link.entry_point is not None and link.run_call is not None and link.toml_entry is None:
            out.setdefault(link.entry_point, link)
    return out


def _in_validate(link, placeholder) -> bool:
    """A placeholder inside validate-experiment's words never reaches the engine's parameters."""
    start = placeholder.span.start
    return any(c.program != "run-experiment" and c.span.start <= start < c.span.end
               for c in link.calls)


def _experiment_side(project, link, name: str) -> str:
    exp = link.experiment
    param = exp.parameter(name) if exp is not None else None
    if param is None:
        return ""
    from .base import where

    kept = "keeps its default" if param.has_default else "gets no value"
    return f" (the experiment's parameter `{name}`, {where(param.path, param.name_span, project.folder)}, {kept})"


def _removal(path, lines: list[str], key: Span, spec: Span) -> Fix | None:
    """Delete the parameter's whole lines when nothing else shares them."""
    first, last = key.start.line, spec.end.line
    if spec.end.character == 0 and last > first:
        last -= 1
    if last >= len(lines):   # a line break only YAML counts (``\r``): no edit rather than a wrong one
        return None
    if lines[first][: key.start.character].strip() or lines[last][spec.end.character:].strip(" ,#"):
        return None
    edit = TextEdit(path, Span.of(first, 0, last + 1, 0), "")
    return Fix("Remove the unused parameter", (edit,), safe=False)
