"""DL510: a ``$reference`` to a parameter, step or output that is not there."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model.experiment import Experiment, Reference
from .base import Rule, RuleContext, did_you_mean
from ._experiments import runner, validator, at, experiments

RULE = Rule("DL510", "unresolved-reference", Severity.ERROR,
            "A $reference names no parameter or step, or an output its step does not have")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for exp in experiments(project):
        if exp.version == "graph":
            continue   # parameters and tasks come from a dioptra.toml not read here
        for step in exp.steps:
            for ref in step.references:
                found = _problem(project, exp, ref)
                if found:
                    yield RULE.diagnostic(step.path, ref.span, f"step `{step.name}`: {found[0]}",
                                          related=found[1], detail=_why(exp))
        for art in exp.artifact_outputs:
            for ref in (art.contents.references if art.contents else ()):
                found = _problem(project, exp, ref)
                if found:
                    yield RULE.diagnostic(exp.path, ref.span, f"artifact output `{art.name}`: "
                                                              f"{found[0]}", related=found[1],
                                          detail=_why(exp))


def _why(exp: Experiment) -> str:
    return (f"{validator(exp)} rejects the experiment; without validation, {runner(exp)} fails at "
            f"this step (the steps before it have run).")


def _problem(project, exp: Experiment, ref: Reference):
    kind, owner, reason = exp.reference_target(ref)
    if kind != "unresolved":
        return None
    if reason == "parameter-output":
        return (f"`{ref.text}`: `{ref.name}` is a parameter, which has no outputs; write "
                f"`${ref.name}`", (Related(owner.path, owner.name_span, f"parameter `{ref.name}`"),))
    if reason == "unknown":
        names = [p.name for p in exp.parameters] + [s.name for s in exp.steps] \
            + [a.name for a in exp.artifact_inputs]
        return (f"`{ref.text}` names no parameter or step; "
                + did_you_mean(ref.name, [n for n in names if isinstance(n, str)],
                               what="Parameters and steps"), ())
    if exp.step(ref.name) is owner:
        task = exp.step_task(owner)
        what, producer = f"step `{ref.name}`", f"task `{task.name}`"
        outputs, related = task.outputs, Related(task.path, task.name_span, f"task `{task.name}`")
    else:
        what = producer = f"artifact input `{ref.name}`"
        outputs, related = owner.outputs, Related(exp.path, owner.name_span, f"`{ref.name}`")
    names = [o.name for o in outputs]
    if reason == "no-output":
        return (f"`{ref.text}`: {what} produces no output ({producer} declares no `outputs`); "
                f"declare the output or pass something else", (related,))
    if reason == "output-required":
        options = " or ".join(f"`${ref.name}.{n}`" for n in names)
        return (f"`{ref.text}`: {what} has {len(outputs)} outputs, so the reference must name "
                f"one: {options}", (related,))
    return (f"`{ref.text}`: {what} has no output `{ref.output}` ({producer}, "
            f"{at(project, related.path, related.span)}); "
            + did_you_mean(ref.output, [str(n) for n in names], what="Outputs"), (related,))
