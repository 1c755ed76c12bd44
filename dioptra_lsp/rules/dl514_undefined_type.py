"""DL514: a type name that is not defined, or a ``types`` definition the engine cannot build."""

from __future__ import annotations

from typing import Any, Iterator

from ..diagnostics import Diagnostic, Severity
from ..model.exptypes import BUILTINS
from ..model.types import MISSING
from .base import Rule, RuleContext, did_you_mean
from ._experiments import runner, validator, experiments

RULE = Rule("DL514", "undefined-type", Severity.ERROR,
            "A type name that `types` does not define, or a type definition the engine cannot build")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    seen: set = set()
    for exp in experiments(ctx.project):
        if exp.version == "graph":
            continue
        defined = set(BUILTINS) | {t.name for t in exp.types if isinstance(t.name, str)}
        choices = sorted(defined)

        def undefined(owner: str, name: Any, span, path) -> Iterator[Diagnostic]:
            if name is MISSING or not isinstance(name, str) or name in defined or span is None:
                return
            key = (path, span)
            if key in seen:
                return
            seen.add(key)
            yield RULE.diagnostic(
                path, span,
                f"{owner} has the type `{name}`, which is neither a builtin type nor defined in "
                f"`types`; {validator(exp)} rejects it; "
                + did_you_mean(name, choices, what="Types"))

        for task in exp.tasks:
            for i in task.inputs:
                yield from undefined(f"input `{i.name}` of task `{task.name}`", i.type, i.type_span,
                                     task.path)
            for o in task.outputs:
                yield from undefined(f"output `{o.name}` of task `{task.name}`", o.type, o.type_span,
                                     task.path)
        for p in exp.parameters:
            yield from undefined(f"parameter `{p.name}`", p.type, p.type_span, p.path)
        for a in exp.artifact_inputs:
            for o in a.outputs:
                yield from undefined(f"output `{o.name}` of artifact input `{a.name}`", o.type,
                                     o.type_span, exp.path)
        registry = exp.registry
        spans = {t.name: t for t in exp.types}
        # A definition the schema rejects is DL502's finding, not a second one here.
        refused = {t.name for t in exp.types for p in exp.problems
                   if p.kind == "experiment-structure" and t.span.start <= p.span.start <= t.span.end}
        for name, message in registry.errors:
            t = spans.get(name)
            if t is None or name in refused:
                continue
            key = (t.path, t.name_span, message)
            if key in seen:
                continue
            seen.add(key)
            yield RULE.diagnostic(t.path, t.name_span, f"type `{name}`: {message}; "
                                  f"{validator(exp)} rejects it")
        if any(p.kind == "experiment-structure" for p in exp.problems):
            continue
        for name, dupes in registry.union_duplicates():
            t = spans.get(name)
            if t is not None:
                yield RULE.diagnostic(
                    t.path, t.name_span,
                    f"union type `{name}` lists {', '.join(f'`{d}`' for d in dupes)} more than once; "
                    f"the duplicate adds nothing ({validator(exp)} warns)", severity=Severity.INFO)
