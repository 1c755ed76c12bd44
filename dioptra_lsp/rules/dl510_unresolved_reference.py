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
    step = exp.step(ref.name)
    if step is not None:
        task = exp.step_task(step)
        if task is None:
            return None   # the step's unknown task is DL509's finding
        return _outputs(project, ref, f"step `{ref.name}`", f"task `{task.name}`", task.outputs,
                        Related(task.path, task.name_span, f"task `{task.name}`"))
    param = exp.parameter(ref.name)
    if param is not None:
        if ref.output is not None:
            return (f"`{ref.text}`: `{ref.name}` is a parameter, which has no outputs; write "
                    f"`${ref.name}`", (Related(param.path, param.name_span, f"parameter `{ref.name}`"),))
        return None
    artifact = exp.artifact_input(ref.name)
    if artifact is not None:
        return _outputs(project, ref, f"artifact input `{ref.name}`", f"artifact input `{ref.name}`",
                        artifact.outputs, Related(exp.path, artifact.name_span, f"`{ref.name}`"))
    names = [p.name for p in exp.parameters] + [s.name for s in exp.steps] \
        + [a.name for a in exp.artifact_inputs]
    return (f"`{ref.text}` names no parameter or step; "
            + did_you_mean(ref.name, [n for n in names if isinstance(n, str)],
                           what="Parameters and steps"), ())


def _outputs(project, ref: Reference, owner: str, producer: str, outputs, related):
    names = [o.name for o in outputs]
    if ref.output is None:
        if not outputs:
            return (f"`{ref.text}`: {owner} produces no output ({producer} declares no `outputs`); "
                    f"declare the output or pass something else", (related,))
        if len(outputs) > 1:
            options = " or ".join(f"`${ref.name}.{n}`" for n in names)
            return (f"`{ref.text}`: {owner} has {len(outputs)} outputs, so the reference must name "
                    f"one: {options}", (related,))
        return None
    if ref.output not in names:
        return (f"`{ref.text}`: {owner} has no output `{ref.output}` ({producer}, "
                f"{at(project, related.path, related.span)}); "
                + did_you_mean(ref.output, [str(n) for n in names], what="Outputs"), (related,))
    return None
