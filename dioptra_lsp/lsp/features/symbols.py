"""Document symbols: entry points and parameters in an MLproject; commands, flows and tasks in a script."""

from __future__ import annotations

from lsprotocol import types as lsp

from ...model.source import Span
from ..locate import scripts_of
from ..state import norm

K = lsp.SymbolKind


def _union(a: Span, b: Span) -> Span:
    return Span(min(a.start, b.start), max(a.end, b.end))


def _sym(name, kind, span, sel, lines, codec, children=None, detail=None):
    whole = _union(span, sel)
    return lsp.DocumentSymbol(name=str(name) or "?", kind=kind, range=codec.range(lines, whole),
                              selection_range=codec.range(lines, sel), children=children or None,
                              detail=detail)


def document_symbols(analysis, path, lines, codec) -> list[lsp.DocumentSymbol]:
    project = analysis.project
    if project is None:
        return []
    out = []
    if project.mlproject is not None and norm(project.mlproject_path) == path:
        for ep in project.mlproject.entry_points:
            kids = [_sym(p.name, K.Variable, p.spec_span, p.name_span, lines, codec,
                         detail=None if not isinstance(p.type, str) else p.type) for p in ep.parameters]
            if ep.command is not None:
                kids.append(_sym("command", K.String, ep.command.span, ep.command.span, lines, codec))
            out.append(_sym(ep.name, K.Function, ep.span, ep.name_span, lines, codec, kids, "entry point"))
        return out
    for link, script in scripts_of(project, path)[:1]:
        for cmd in script.commands:
            kids = [_sym(", ".join(o.all_flags) or o.dest, K.Field, o.span, o.decl_span, lines, codec,
                         detail=o.dest) for o in cmd.params]
            out.append(_sym(cmd.function, K.Function, _union(cmd.decorator_span, cmd.span), cmd.span,
                            lines, codec, kids, "click command"))
        for flow in script.flows:
            kids = [_sym(f'Parameter("{fp.name}")', K.Variable, fp.span, fp.name_span, lines, codec)
                    for fp in flow.parameters]
            for call in flow.call_tasks:
                name = ".".join(str(x) for x in (call.package, call.module, call.function)
                                if isinstance(x, str)) or "call_task"
                kids.append(_sym(name, K.Event, call.span, call.name_span, lines, codec, detail="task"))
            out.append(_sym(f"Flow({flow.name!r})" if isinstance(flow.name, str) else "Flow", K.Namespace,
                            flow.span, flow.span, lines, codec, kids, flow.function))
    return out
