"""The dry-run report: one frozen object, rendered as JSON (CI, language server) or text.

Its verdict has three outcomes, and nothing else says "would start":
- ``would-start`` (exit 0): every part of the job was checked and none fails;
- ``would-fail`` (exit 1): at least one error, listed with every other problem found by the
  stages that could still run;
- ``not-checked`` (exit 3): no error, but some part could not be checked (``unchecked`` says
  which and why: a program the dry-run does not know, a script it cannot read, ...).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model.record import record

if TYPE_CHECKING:   # annotations only: a stage-1 failure never imports the later stages
    from .argv import OptionValue
    from .issues import Issue
    from .plan import FlowInput, PlannedTask
    from .resolve import ResolvedParam


@record(slots=False)
class DryRunReport:
    entry_point: str
    project_dir: Path
    parameters: tuple[ResolvedParam, ...]
    command: str | None          # exactly as MLflow would build it; None when it would refuse
    argv: tuple[str, ...]        # the words of the simple command that runs the script
    options: tuple[OptionValue, ...]
    flow_inputs: tuple[FlowInput, ...]
    plan: tuple[PlannedTask, ...]
    problems: tuple[Issue, ...]          # every finding, and the parts not checked
    edges: tuple[tuple[str, str, str], ...] = ()
    # A task-engine entry point: the experiment file run-experiment reads.  ``flow_inputs`` are
    # then its global parameters and ``plan`` its steps, in the order the engine runs them.
    experiment: Path | None = None

    @property
    def verdict(self) -> str:
        """``would-fail``, ``not-checked`` or ``would-start`` (see the module's docstring)."""
        if any(p.is_error for p in self.problems):
            return "would-fail"
        if any(p.is_unchecked for p in self.problems):
            return "not-checked"
        return "would-start"

    @property
    def ok(self) -> bool:
        """The job would start and its flow would build: every part was checked."""
        return self.verdict == "would-start"

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def unchecked(self) -> tuple[Issue, ...]:
        return tuple(p for p in self.problems if p.is_unchecked)

    @property
    def findings(self) -> tuple[Issue, ...]:
        return tuple(p for p in self.problems if not p.is_unchecked)

    def display_path(self, path: Path | str | None) -> str | None:
        """A file as shown in the report: relative to the project folder when near it."""
        if path is None:
            return None
        text = str(path)
        try:
            rel = os.path.relpath(text, self.project_dir)
        except ValueError:
            return text
        # Inside the project, or beside it (an MLproject in src/ with plugins one level up).
        return rel if not rel.startswith(("../..", "..\\..")) else text

    def to_json(self) -> dict[str, Any]:
        """Keys: ok, verdict, entry_point, parameters, command, argv, options, plan, problems,
        unchecked.  File names are relative to the project folder when inside it."""
        return {
            "ok": self.ok,
            "verdict": self.verdict,
            "entry_point": self.entry_point,
            "parameters": {p.name: {"value": p.value, "type": p.type, "source": p.source}
                           for p in self.parameters},
            "command": self.command,
            "argv": list(self.argv),
            "options": {o.name: o.value if o.checked else {"not_checked": o.note, "value": o.value}
                        for o in self.options},
            "plan": [self._task_json(t) for t in self.plan],
            "problems": [{"kind": p.kind, "message": p.message, "file": self.display_path(p.path),
                          "line": p.line, "severity": p.severity, "stage": p.stage}
                         for p in self.findings],
            "unchecked": [{"part": p.part, "reason": p.message} for p in self.unchecked],
            **({"experiment": self.display_path(self.experiment),
                "experiment_parameters": {f.name: {"value": f.value, "source": f.origin}
                                          for f in self.flow_inputs}}
               if self.experiment is not None else {}),
        }

    def _task_json(self, task: PlannedTask) -> dict[str, Any]:
        inputs = {}
        for i in task.inputs:
            if i.kind == "value":
                inputs[i.name] = {"value": i.value}
            elif i.kind == "parameter":
                inputs[i.name] = {"parameter": i.ref, "value": i.value}
            elif i.kind == "task":
                inputs[i.name] = {"output_of_task": int(i.ref), "item": i.item}
                if i.output is not None:
                    inputs[i.name]["output"] = i.output
            else:
                inputs[i.name] = {"expression": i.value}
        out = {"task": task.index, "target": task.target, "file": self.display_path(task.file),
               "line": task.line, "inputs": inputs, "upstream_tasks": list(task.upstream),
               "outputs": list(task.outputs)}
        if task.step is not None:
            out["step"] = task.step
        return out

    # ------------------------------------------------------------------ text

    def to_text(self) -> str:
        out: list[str] = [f"entry point: {self.entry_point}"]
        if self.parameters:
            out.append("parameters:")
            width = max(len(p.name) for p in self.parameters)
            for p in self.parameters:
                how = (f"undeclared, appended as --{p.name}" if p.type == "undeclared"
                       else p.type)
                out.append(f"  {p.name:<{width}} = {p.value!r}  ({how}, from {p.source})")
        out.append("command:" if self.command is not None else "command: (MLflow would not run)")
        if self.command is not None:
            out.append(f"  {self.command.rstrip(chr(10))}")   # a folded block's final newline
        if self.options:
            out.append("click values:")
            width = max(len(o.flag) for o in self.options)
            for o in self.options:
                note = "" if o.checked else f"  [not checked: {o.note}]"
                out.append(f"  {o.flag:<{width}} -> {o.value!r}  ({o.source}){note}")
        if self.flow_inputs:
            out.append("flow parameters:" if self.experiment is None else
                       f"experiment parameters ({self.display_path(self.experiment)}):")
            for f in self.flow_inputs:
                shown = repr(f.value) if f.known else "?"
                out.append(f"  {f.name} = {shown}  ({f.origin})")
        if self.plan:
            out.append("plan:" if self.experiment is None else "steps, in the order they run:")
            for t in self.plan:
                where = f"  {self.display_path(t.file)}:{t.line}" if t.file else ""
                step = f"{t.step}: " if t.step is not None else ""
                out.append(f"  {t.index}. {step}{t.target}{where}")
                for i in t.inputs:
                    out.append(f"       {i.name} = {_input_text(i, self.experiment is not None)}")
                if t.upstream:
                    after = "step" if self.experiment is not None else "task"
                    out.append(f"       after {after} {', '.join(map(str, t.upstream))}")
        if self.findings:
            out.append("problems:")
            for p in self.findings:
                where = self._where(p)
                out.append(f"  {where + ': ' if where else ''}{p.severity}: {p.message} [{p.kind}]")
        unchecked = self.unchecked
        if unchecked:
            out.append("not checked:")
            for p in unchecked:
                where = self._where(p)
                out.append(f"  {where + ': ' if where else ''}{p.part}: {p.message}")
        out.append(self.verdict_line())
        return "\n".join(out)

    def verdict_line(self) -> str:
        errors = sum(p.is_error for p in self.problems)
        parts = len(self.unchecked)
        not_checked = f"{parts} part{'s' if parts != 1 else ''} not checked"
        if errors:
            return (f"FAILED: {errors} error{'s' if errors != 1 else ''}"
                    + (f" ({not_checked})" if parts else ""))
        if parts:
            return (f"NOT CHECKED: {parts} part{'s' if parts != 1 else ''} could not be checked "
                    f"(listed above); no error in the rest")
        if self.experiment is not None:
            return "OK: the job would start and every step would call its plugin as declared"
        return "OK: the job would start and its flow would build"

    def _where(self, p: Issue) -> str:
        where = self.display_path(p.path) or ""
        return f"{where}:{p.line}" if where and p.line else where

    def graph(self, fmt: str) -> str:
        from .graph import render

        return render(self, fmt)


#: The dry-run's exit status for each verdict (2 stays for usage errors).
EXIT_CODES = {"would-start": 0, "would-fail": 1, "not-checked": 3}


def _input_text(i, experiment: bool = False) -> str:
    if i.kind == "value":
        return repr(i.value)
    if i.kind == "parameter":
        ref = f"${i.ref}" if experiment else f"Parameter {i.ref}"
        return ref + (f" = {i.value!r}" if i.value is not None else "")
    if i.kind == "task":
        if i.output is not None:
            return f"output `{i.output}` of step {i.ref}"
        return f"output of task {i.ref}" + (f" [item {i.item}]" if i.item is not None else "")
    return f"`{i.value}`"
