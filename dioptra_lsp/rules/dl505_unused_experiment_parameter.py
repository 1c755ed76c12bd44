"""DL505: an experiment parameter that no step (or artifact) refers to."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext
from ._experiments import at, experiments

RULE = Rule("DL505", "unused-experiment-parameter", Severity.WARNING,
            "An experiment parameter that no step refers to as $name")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for exp in experiments(project):
        if not exp.steps or any(not s.form for s in exp.steps) \
                or any(p.kind in ("syntax", "unanalysed") for p in exp.problems) \
                or exp.problems_within(exp.section_region("graph")) \
                or exp.problems_within(exp.section_region("artifact_outputs")):
            continue   # the graph could not be read whole: its references are not all known
        used = exp.referenced_names
        passed = _passed(project, exp)
        misspelt = _misspelt_references(exp)
        for param in exp.parameters:
            if param.name in used or param.name in misspelt:
                continue   # used, or a misspelt reference means it: DL510 says so
            given = passed.get(param.name)
            where_given = (f"; the value given with -P {param.name}=... "
                           f"({at(project, project.mlproject_path, given.name_span)}) is dropped"
                           if given is not None else "")
            related = (Related(project.mlproject_path, given.name_span, f"-P {param.name}"),) \
                if given is not None else ()
            word = bare_word(exp, param.name)
            if word is not None:
                step, span = word
                yield RULE.diagnostic(
                    param.path, param.name_span,
                    f"parameter `{param.name}` is never used: step `{step.name}` passes the text "
                    f"'{param.name}' ({at(project, step.path, span)}) where `${param.name}` was "
                    f"probably meant{where_given}",
                    related=related + (Related(step.path, span, f"step `{step.name}`"),))
                continue
            yield RULE.diagnostic(
                param.path, param.name_span,
                f"parameter `{param.name}` is never used: no step refers to `${param.name}`"
                f"{where_given}; pass `${param.name}` to the task input that needs it or remove it",
                related=related)


def bare_word(exp, name: str):
    """The first step argument that is the plain text ``name`` (not ``$name``)."""
    for step in exp.steps:
        for arg in step.arguments:
            for word, span in arg.value.words:
                if word == name:
                    return step, span
    return None


def _misspelt_references(exp) -> set:
    """Parameter names that an unresolvable ``$reference`` is close to (DL510's did-you-mean)."""
    import difflib

    names = [p.name for p in exp.parameters if isinstance(p.name, str)]
    out = set()
    for ref in (r for s in exp.steps for r in s.references):
        if exp.parameter(ref.name) or exp.step(ref.name) or exp.artifact_input(ref.name):
            continue
        out.update(difflib.get_close_matches(ref.name, names, n=1, cutoff=0.6))
    return out


def _passed(project, exp) -> dict:
    out = {}
    for link in project.experiments:
        if link.experiment is exp and link.run_call is not None:
            for arg in link.run_call.params:
                out.setdefault(arg.name, arg)
    return out
