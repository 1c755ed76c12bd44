"""Go to definition and find references, as (path, span) pairs; the handler converts them."""

from __future__ import annotations

from pathlib import Path

from ...model.source import Span
from ..locate import (Target, feeds_of_option, feeds_of_parameter, flow_parameters_fed_by,
                      flow_run_keys_for, options_supplying)
from ..state import norm
from .hover import plugin_function

FILE_START = Span.of(0, 0, 0, 0)


def definition(analysis, target: Target) -> list[tuple[Path, Span]]:
    project = analysis.project
    mlp = norm(project.mlproject_path)
    k = target.kind
    if k == "placeholder" and target.parameter is not None:
        return [(mlp, target.parameter.name_span)]
    if k == "parameter":
        return [(mlp, target.parameter.name_span)]
    if k == "flag" and target.option is not None and target.link.path is not None:
        return [(norm(target.link.path), target.option.decl_span)]
    if k == "script" and target.link.path is not None and target.link.exists:
        return [(norm(target.link.path), FILE_START)]
    if k == "flow-parameter":
        out = []
        for cmd, opt, key in options_supplying(target.script, target.flow_parameter):
            out.append((target.path, opt.decl_span))
            out.extend((mlp, f.parameter.name_span) for f in feeds_of_option(project, target.path, opt))
        return out
    if k == "flow-run-key":
        return [(target.path, fp.name_span) for flow in target.script.flows for fp in flow.parameters
                if fp.name == target.key.name]
    if k in ("option", "function-arg") and target.option is not None:
        return [(mlp, f.parameter.name_span) for f in feeds_of_option(project, target.path, target.option)]
    if k == "call-task":
        res, fn = plugin_function(project, target.call)
        if fn is not None:
            return [(norm(res.plugin.path), fn.span)]
        if res.plugin is not None:
            return [(norm(res.plugin.path), FILE_START)]
    return []


def parameter_of(analysis, target: Target):
    """The MLproject (entry point, parameter) a target is about, when there is one."""
    project = analysis.project
    if target.kind in ("parameter", "placeholder") and target.parameter is not None:
        return target.entry_point, target.parameter
    if target.kind == "flag" and target.use is not None:
        for name in target.use.placeholders:
            p = target.entry_point.parameter(name)
            if p is not None:
                return target.entry_point, p
    if target.kind in ("option", "function-arg") and target.option is not None:
        fs = feeds_of_option(project, target.path, target.option)
        if len(fs) == 1:
            return fs[0].entry_point, fs[0].parameter
    if target.kind == "flow-parameter":
        for cmd, opt, key in options_supplying(target.script, target.flow_parameter):
            fs = feeds_of_option(project, target.path, opt)
            if len(fs) == 1:
                return fs[0].entry_point, fs[0].parameter
    return None


def references(analysis, target: Target, include_declaration: bool = True) -> list[tuple[Path, Span]]:
    project = analysis.project
    mlp = norm(project.mlproject_path)
    found = parameter_of(analysis, target)
    out: list[tuple[Path, Span]] = []
    if found is None:
        if target.kind in ("option", "function-arg") and target.option is not None:
            out.append((target.path, target.option.decl_span))
        return out
    ep, param = found
    if include_declaration:
        out.append((mlp, param.name_span))
    if ep.command is not None:
        out.extend((mlp, ph.span) for ph in ep.command.placeholders if ph.name == param.name)
    for f in feeds_of_parameter(project, ep, param):
        if f.use.option is None or f.link.path is None:
            continue
        spath = norm(f.link.path)
        out.append((spath, f.use.option.decl_span))
        script = f.link.script
        if script is None:
            continue
        click = script.entry_command
        if click is not None:
            out.extend((spath, fp.span) for fp in click.function_params if fp.name == f.use.option.dest)
        for run, key, flow, fp in flow_parameters_fed_by(script, f.use.option.dest):
            out.append((spath, key.span))
            if fp is not None:
                out.append((spath, fp.name_span))
    return list(dict.fromkeys(out))
