"""Hover: what a value is, where it comes from and where it goes."""

from __future__ import annotations

import os
from pathlib import Path

from ...model.types import MISSING, Unknown
from ..locate import (Target, feeds_of_option, feeds_of_parameter, flow_parameters_fed_by,
                      options_supplying)
from ..state import norm


def _rel(path: Path, base: Path) -> str:
    try:
        return os.path.relpath(path, base)
    except ValueError:
        return str(path)


def _loc(path: Path, span, base: Path) -> str:
    return f"{_rel(path, base)}:{span.start.line + 1}"


def _default(p) -> str:
    if p.default is MISSING or p.default is None:
        return "none (required)"
    return f"`{p.default_text if p.default_text is not None else p.default!r}`"


def _ptype(p) -> str:
    return "string (undeclared)" if p.type is MISSING else str(p.type)


def parameter_markdown(project, ep, param, base: Path) -> str:
    out = [f"**MLproject parameter** `{param.name}` of entry point `{ep.name}`", "",
           f"- type: `{_ptype(param)}`", f"- default: {_default(param)}"]
    fs = feeds_of_parameter(project, ep, param)
    if not fs:
        out.append("- feeds no click option (not passed to a script flag)")
    for f in fs:
        opt = f.use.option
        script = f.link.path
        if opt is None:
            out.append(f"- passed as `{f.use.flag}`, which `{_rel(script, base) if script else '?'}` does not declare")
            continue
        out.append(f"- feeds click option `{', '.join(opt.all_flags) or opt.dest}` "
                   f"({_loc(script, opt.decl_span, base)}), argument `{opt.dest}`")
        if f.link.script is not None:
            for run, key, flow, fp in flow_parameters_fed_by(f.link.script, opt.dest):
                if fp is not None:
                    out.append(f"- then Prefect `Parameter(\"{fp.name}\")` ({_loc(script, fp.span, base)})")
                else:
                    out.append(f"- then `flow.run` key `{key.name}` ({_loc(script, key.span, base)})")
    return "\n".join(out)


def option_markdown(project, path: Path, target: Target, base: Path) -> str:
    opt = target.option
    out = [f"**click option** `{', '.join(opt.all_flags) or opt.dest}` -> argument `{opt.dest}`"]
    if opt.help:
        out += ["", opt.help]
    out.append("")
    if opt.type is not None:
        out.append(f"- type: `{opt.type.source or opt.type.kind}`")
    out.append(f"- required: {'yes' if opt.required else 'no'}"
               + ("" if opt.default is MISSING else f"; default `{opt.default.source if isinstance(opt.default, Unknown) else repr(opt.default)}`"))
    fs = feeds_of_option(project, path, opt)
    if fs:
        for f in fs:
            out.append(f"- fed by MLproject parameter `{f.parameter.name}` of entry point `{f.entry_point.name}` "
                       f"({_loc(project.mlproject_path, f.parameter.name_span, base)})")
    else:
        out.append("- no MLproject parameter feeds it")
    return "\n".join(out)


def hover_markdown(analysis, target: Target) -> str | None:
    project = analysis.project
    base = project.folder
    k = target.kind
    if k == "noqa":
        from ...pages import page_text
        from ...rules import RULES_BY_CODE

        text = page_text(target.code)
        if text:
            return text
        rule = RULES_BY_CODE.get(target.code)
        return f"**{rule.code}** {rule.name}: {rule.summary}" if rule else f"`{target.code}`: no such rule"
    if k == "parameter":
        return parameter_markdown(project, target.entry_point, target.parameter, base)
    if k == "placeholder":
        if target.parameter is None:
            return f"`{{{target.placeholder.name}}}`: no parameter `{target.placeholder.name}` in entry point `{target.entry_point.name}`"
        return parameter_markdown(project, target.entry_point, target.parameter, base)
    if k == "entry-point":
        ep = target.entry_point
        names = ", ".join(f"`{p.name}`" for p in ep.parameters) or "none"
        return f"**entry point** `{ep.name}`\n\n- parameters: {names}"
    if k == "flag":
        opt = target.option
        if opt is None:
            return f"`{target.use.flag}`: not an option of the script's click command"
        return option_markdown(project, norm(target.link.path), target, base)
    if k == "script":
        link = target.link
        state = "exists" if link.exists else "missing"
        return f"**script** `{link.invocation.script}` ({state}): `{link.path}`"
    if k in ("option", "function-arg"):
        if target.option is None:
            return None
        return option_markdown(project, target.path, target, base)
    if k == "flow-parameter":
        fp = target.flow_parameter
        out = [f"**Prefect Parameter** `{fp.name}`" + (" (has a default)" if fp.has_default else "")]
        for cmd, opt, key in options_supplying(target.script, fp):
            out.append(f"- supplied by click option `{', '.join(opt.flags) or opt.dest}` "
                       f"({_loc(target.path, opt.decl_span, base)}) through `flow.run` key `{key.name}`")
            for f in feeds_of_option(project, target.path, opt):
                out.append(f"- from MLproject parameter `{f.parameter.name}` of `{f.entry_point.name}` "
                           f"({_loc(project.mlproject_path, f.parameter.name_span, base)})")
        return "\n".join(out)
    if k == "flow-run-key":
        matches = [fp for flow in target.script.flows for fp in flow.parameters if fp.name == target.key.name]
        if matches:
            return f"`flow.run` key `{target.key.name}` -> Prefect `Parameter(\"{target.key.name}\")` " \
                   f"({_loc(target.path, matches[0].span, base)})"
        return f"`flow.run` key `{target.key.name}`: no Prefect Parameter of that name"
    if k == "call-task":
        return call_task_markdown(project, target.call, base)
    return None


def plugin_function(project, call):
    res = project.resolve_call(call)
    if res.plugin is None:
        return res, None
    fn_name = call.function
    if fn_name is None and res.plugin.functions:
        return res, res.plugin.functions[0]
    if isinstance(fn_name, str):
        return res, res.plugin.function(fn_name)
    return res, None


def call_task_markdown(project, call, base: Path) -> str:
    res, fn = plugin_function(project, call)
    name = ".".join(str(x) for x in (call.package, call.module, call.function) if isinstance(x, str))
    if fn is None:
        why = {"unresolved-package": "the package is in no plugin folder",
               "missing-module": "no such module in the package",
               "unknown": "the package or module is not a literal"}.get(res.status, "no such registered function")
        return f"**task plugin** `{name}`: not found ({why})"
    out = [f"**task plugin** `{res.plugin.dotted}.{fn.name}`", "", "```python", f"def {fn.signature}", "```"]
    if fn.docstring:
        out += ["", fn.docstring.strip()]
    # What ``a, b = call_task(...)`` may unpack (DL406): Prefect's count, and where it comes from.
    outputs = {"task_nout": f"{fn.nout} (`@pyplugs.task_nout({fn.nout})`)",
               "annotation": f"{fn.nout} (its `Tuple` return annotation)",
               "unknown": "computed at run time"}.get(fn.nout_source, "one result (not unpackable)")
    out += ["", f"outputs: {outputs}", "", f"{_rel(res.plugin.path, base)}:{fn.span.start.line + 1}"]
    return "\n".join(out)
