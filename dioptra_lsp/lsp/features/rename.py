"""Rename an MLproject parameter, and the chain it feeds when that chain is unambiguous.

Always: the parameter key and its ``{placeholders}``.  When the flag is named after the
parameter (``--data-dir {data_dir}``): the flag in the command, the click option's declaration,
the function argument and its uses (found with libcst's scope analysis), the ``flow.run`` key
and the Prefect ``Parameter`` of that name.  Anything that would make the result depend on a
guess is refused with the reason.
"""

from __future__ import annotations

from pathlib import Path

from ...diagnostics import TextEdit
from ...model.source import Span
from ..locate import feeds_of_option, feeds_of_parameter, flow_parameters_fed_by
from ..state import norm
from .navigation import parameter_of


class RenameRefused(Exception):
    pass


def _flag_forms(name: str) -> dict[str, str]:
    return {"--" + name.replace("_", "-"): "dash", "--" + name: "same"}


def _replace_inside(path: Path, lines: list[str], span: Span, old: str, new: str) -> TextEdit:
    """Replace ``old`` inside the text at ``span`` (e.g. a quoted string literal)."""
    line = lines[span.start.line] if span.start.line < len(lines) else ""
    end = span.end.character if span.end.line == span.start.line else len(line)
    segment = line[span.start.character:end]
    i = segment.find(old)
    if i < 0:
        raise RenameRefused(f"cannot find `{old}` at {path.name}:{span.start.line + 1}")
    c = span.start.character + i
    return TextEdit(path, Span.of(span.start.line, c, span.start.line, c + len(old)), new)


def prepare(analysis, target):
    found = parameter_of(analysis, target)
    if found is None:
        raise RenameRefused("only MLproject parameters (and what they feed) can be renamed here")
    return found


def rename_edits(analysis, target, new: str, lines_of) -> list[TextEdit]:
    project = analysis.project
    ep, param = prepare(analysis, target)
    old = param.name
    if not new.isidentifier():
        raise RenameRefused(f"`{new}` is not a valid parameter name: a `{{placeholder}}` needs an identifier")
    if new == old:
        return []
    if ep.parameter(new) is not None:
        raise RenameRefused(f"entry point `{ep.name}` already has a parameter `{new}`")
    mlp = norm(project.mlproject_path)
    edits = [TextEdit(mlp, param.name_span, new)]
    if ep.command is not None:
        if not ep.command.offset_positions and any(ph.name == old for ph in ep.command.placeholders):
            raise RenameRefused(f"cannot locate `{{{old}}}` in the command of `{ep.name}` exactly; "
                                f"rename it by hand")
        for ph in ep.command.placeholders:
            if ph.name == old:
                s = ph.span.start
                edits.append(TextEdit(mlp, Span.of(s.line, s.character + 1, s.line, s.character + 1 + len(old)), new))
    coupled = [f for f in feeds_of_parameter(project, ep, param)
               if f.use.option is not None and f.use.flag in _flag_forms(old)]
    if not coupled:
        return edits          # the flag is not named after the parameter: the script is unaffected
    if len(coupled) > 1:
        raise RenameRefused(f"`{old}` feeds {len(coupled)} flags ({', '.join(f.use.flag for f in coupled)}); "
                            f"rename them one at a time")
    feed = coupled[0]
    opt, use, link = feed.use.option, feed.use, feed.link
    spath = norm(link.path)
    script = link.script
    click = script.entry_command if script else None
    others = [f for f in feeds_of_option(project, spath, opt)
              if not (f.entry_point.name == ep.name and f.parameter.name == old)]
    if others:
        o = others[0]
        raise RenameRefused(f"`{use.flag}` of {link.invocation.script} is also passed by entry point "
                            f"`{o.entry_point.name}` (parameter `{o.parameter.name}`); renaming the option "
                            f"would break that command")
    style = _flag_forms(old)[use.flag]
    new_flag = "--" + (new.replace("_", "-") if style == "dash" else new)
    if click is None:
        raise RenameRefused(f"{link.invocation.script} has no click command the linter can read")
    if click.option_for_flag(new_flag) is not None:
        raise RenameRefused(f"{link.invocation.script} already has an option `{new_flag}`")
    if len(opt.all_flags) > 1 or opt.secondary_flags:
        raise RenameRefused(f"option `{use.flag}` has several flags ({', '.join(opt.all_flags)}); rename it by hand")
    derived = use.flag.lstrip("-").replace("-", "_")
    if opt.dest != derived or opt.dest != old:
        raise RenameRefused(f"option `{use.flag}` fills argument `{opt.dest}`, not `{old}`; the chain is not named "
                            f"after the parameter")
    # the flag in the command
    cmd = ep.command
    if not use.flag_written:
        raise RenameRefused(f"`{use.flag}` is quoted in the command; rename it by hand")
    edits.append(TextEdit(mlp, cmd.span_of(*use.flag_range), new_flag))
    # every other use of the same flag in this entry point's command
    slines = lines_of(spath)
    edits.append(_replace_inside(spath, slines, opt.decl_span, use.flag, new_flag))
    edits.extend(_rename_argument(spath, "\n".join(slines), click.function, old, new))
    for run, key, flow, fp in flow_parameters_fed_by(script, old):
        if key.name != old:
            continue
        if any(p.name == new for f in script.flows for p in f.parameters):
            raise RenameRefused(f"the flow already has a Parameter `{new}`")
        edits.append(_replace_inside(spath, slines, key.span, old, new))
        if fp is not None:
            edits.append(_replace_inside(spath, slines, fp.name_span, old, new))
    return list({(e.path, e.span): e for e in edits}.values())


def _rename_argument(path: Path, text: str, function: str, old: str, new: str) -> list[TextEdit]:
    """The function's parameter ``old`` and every read of it, through libcst's scope analysis."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider, ScopeProvider

    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as err:
        raise RenameRefused(f"{path.name} does not parse: {err.message}") from None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    positions = wrapper.resolve(PositionProvider)
    targets = [n for n in scopes if isinstance(n, cst.FunctionDef) and n.name.value == function]
    if len(targets) != 1:
        raise RenameRefused(f"found {len(targets)} functions named `{function}` in {path.name}")
    fn = targets[0]
    param = next((p for p in (*fn.params.params, *fn.params.kwonly_params, *fn.params.posonly_params)
                  if p.name.value == old), None)
    if param is None:
        return []
    inner = scopes.get(fn.body)
    if inner is None:
        raise RenameRefused(f"cannot analyse the body of `{function}`")
    if new in inner or any(a.name == new for a in inner.assignments):
        raise RenameRefused(f"`{new}` is already used inside `{function}`")
    out = []

    def edit(node):
        r = positions[node]
        out.append(TextEdit(path, Span.of(r.start.line - 1, r.start.column, r.end.line - 1, r.end.column), new))

    edit(param.name)
    for assignment in inner.assignments[old]:
        if getattr(assignment, "node", None) is not param:
            raise RenameRefused(f"`{old}` is reassigned inside `{function}`; rename it by hand")
        for access in assignment.references:
            node = access.node
            if isinstance(node, cst.Name):
                edit(node)
            else:
                raise RenameRefused(f"`{old}` is used in a string annotation or attribute in `{function}`")
    return out
