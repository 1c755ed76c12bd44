"""What is under the cursor, and how the four declarations of one value are chained.

MLproject parameter -> ``--flag {placeholder}`` -> click option -> function argument ->
``flow.run(parameters=dict(key=arg))`` -> ``Parameter("key")`` -> task inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..model.linkage import Feed, FlagUse, feeds, flag_uses
from ..model.project import ProjectModel, ScriptLink
from ..model.record import record
from ..model.source import Position, Span
from ..model.types import (CallTask, ClickCommand, ClickParam, EntryPoint, Flow, FlowParameter,
                           FlowRun, KeywordArg, MLParameter, Placeholder, PythonScript)
from .state import Analysis, norm



@record(slots=False)
class Target:
    kind: str                     # "entry-point", "parameter", "placeholder", "flag", "script",
                                  # "option", "function-arg", "flow-parameter", "flow-run-key",
                                  # "call-task", "noqa"
    span: Span
    path: Path
    entry_point: EntryPoint | None = None
    parameter: MLParameter | None = None
    placeholder: Placeholder | None = None
    link: ScriptLink | None = None
    use: FlagUse | None = None
    script: PythonScript | None = None
    command: ClickCommand | None = None
    option: ClickParam | None = None
    flow: Flow | None = None
    flow_parameter: FlowParameter | None = None
    flow_run: FlowRun | None = None
    key: KeywordArg | None = None
    call: CallTask | None = None
    code: str | None = None


def _in(span: Span | None, pos: Position) -> bool:
    return span is not None and span.contains(pos)


def noqa_at(line: str, pos: Position, path: Path) -> Target | None:
    from ..model.noqa import find_in_comment

    hash_at = line.find("#")
    directive = find_in_comment(line, pos.line, hash_at) if hash_at >= 0 else None
    for c in directive.codes if directive is not None else ():
        if c.start <= pos.character <= c.end:
            return Target("noqa", Span.of(pos.line, c.start, pos.line, c.end), path,
                          code=c.code.upper())
    return None


def scripts_of(project: ProjectModel, path: Path) -> list[tuple[ScriptLink, PythonScript]]:
    return [(link, link.script) for link in project.links
            if link.script is not None and link.path is not None and norm(link.path) == path]


def at(analysis: Analysis, path: Path, pos: Position, line: str = "") -> Target | None:
    project = analysis.project
    if project is None:
        return None
    if line:
        hit = noqa_at(line, pos, path)
        if hit is not None:
            return hit
    ml = project.mlproject
    if ml is not None and norm(project.mlproject_path) == path:
        return _at_mlproject(project, path, pos)
    found = scripts_of(project, path)
    if found:
        link, script = found[0]
        return _at_script(project, path, link, script, pos)
    return None


def _at_mlproject(project: ProjectModel, path: Path, pos: Position) -> Target | None:
    for ep in project.mlproject.entry_points:
        if not (ep.span.start.line <= pos.line <= ep.span.end.line) and not _in(ep.name_span, pos):
            continue
        if _in(ep.name_span, pos):
            return Target("entry-point", ep.name_span, path, entry_point=ep)
        for p in ep.parameters:
            if _in(p.name_span, pos):
                return Target("parameter", p.name_span, path, entry_point=ep, parameter=p)
        cmd = ep.command
        if cmd is None or not _in(cmd.span, pos):
            continue
        for ph in cmd.placeholders:
            if _in(ph.span, pos):
                return Target("placeholder", ph.span, path, entry_point=ep, parameter=ep.parameter(ph.name),
                              placeholder=ph)
        for link in project.links_for(ep.name):
            tok = link.invocation.script_token
            if tok is not None and _in(tok.span, pos):
                return Target("script", tok.span, path, entry_point=ep, link=link)
            click = link.script.entry_command if link.script else None
            for use in flag_uses(link, cmd, click):
                flag_span = cmd.span_of(*use.flag_range)
                if _in(flag_span, pos):
                    return Target("flag", flag_span, path, entry_point=ep, link=link, use=use,
                                  script=link.script, command=click, option=use.option)
    return None


def _at_script(project, path, link, script: PythonScript, pos: Position) -> Target | None:
    for cmd in script.commands:
        for opt in cmd.params:
            if _in(opt.decl_span, pos) or _in(opt.span, pos):
                return Target("option", opt.decl_span, path, link=link, script=script, command=cmd, option=opt)
        for fp in cmd.function_params:
            if _in(fp.span, pos):
                opt = next((o for o in cmd.params if o.dest == fp.name), None)
                return Target("function-arg", fp.span, path, link=link, script=script, command=cmd, option=opt)
    for flow in script.flows:
        for fp in flow.parameters:
            if _in(fp.name_span, pos) or _in(fp.variable_span, pos) or _in(fp.span, pos):
                return Target("flow-parameter", fp.name_span, path, link=link, script=script, flow=flow,
                              flow_parameter=fp)
    for run in script.flow_runs:
        for key in run.keys:
            if key.name and _in(key.span, pos):
                return Target("flow-run-key", key.span, path, link=link, script=script, flow_run=run, key=key)
    best = None
    for flow in script.flows:
        for call in flow.call_tasks:
            if _in(call.span, pos) and (best is None or best.span.start <= call.span.start):
                best = call
    if best is not None:
        return Target("call-task", best.span, path, link=link, script=script, call=best)
    return None


# ------------------------------------------------------------------------------- chains

def feeds_of_parameter(project: ProjectModel, ep: EntryPoint, param: MLParameter) -> list[Feed]:
    return [f for f in feeds(project) if f.entry_point.name == ep.name and f.parameter.name == param.name]


def feeds_of_option(project: ProjectModel, path: Path, option: ClickParam) -> list[Feed]:
    return [f for f in feeds(project)
            if f.link.path is not None and norm(f.link.path) == path and f.use.option is not None
            and f.use.option.decl_span == option.decl_span]


def flow_parameters_fed_by(script: PythonScript, dest: str) -> list[tuple[FlowRun, KeywordArg, Flow | None, FlowParameter | None]]:
    """``flow.run(parameters=dict(key=dest))`` -> the ``Parameter("key")`` it supplies."""
    out = []
    for run in script.flow_runs:
        for key in run.keys:
            if key.name and dest in key.value.names:
                hit = [(flow, fp) for flow in script.flows for fp in flow.parameters if fp.name == key.name]
                if hit:
                    out.extend((run, key, flow, fp) for flow, fp in hit)
                else:
                    out.append((run, key, None, None))
    return out


def options_supplying(script: PythonScript, fp: FlowParameter) -> list[tuple[ClickCommand, ClickParam, KeywordArg]]:
    """The click options whose argument is passed to ``flow.run`` under this Parameter's name."""
    out = []
    for run in script.flow_runs:
        for key in run.keys:
            if key.name != fp.name:
                continue
            for cmd in script.commands:
                for opt in cmd.params:
                    if opt.dest in key.value.names:
                        out.append((cmd, opt, key))
    return out


def flow_run_keys_for(script: PythonScript, name: Any) -> list[tuple[FlowRun, KeywordArg]]:
    return [(run, key) for run in script.flow_runs for key in run.keys if key.name == name]
