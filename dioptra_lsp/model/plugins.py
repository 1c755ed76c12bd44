"""Read a task-plugin module with ``ast``: its ``@pyplugs.register`` functions and their signatures."""

from __future__ import annotations

import ast
from typing import Any

from .pyread import Text, function_params, import_aliases, is_pyplugs, literal, parse_module, qualified, \
    syntax_problem
from .source import FILE_START, SourceText, Span
from .types import FunctionParam, PluginFunction, PluginModule, Problem, ReturnShape


def _decorator(deco: ast.AST, aliases: dict[str, str]) -> tuple[str | None, ast.Call | None]:
    call = deco if isinstance(deco, ast.Call) else None
    q = qualified(call.func if call else deco, aliases)
    for name in ("register", "task_nout"):
        if is_pyplugs(q, name):
            return name, call
    return None, call


def signature(name: str, params: tuple[FunctionParam, ...], returns: str | None) -> str:
    """``resize(data_dir: str, image_size=(28, 28)) -> Path``, with ``/`` and ``*`` where Python puts them."""
    parts: list[str] = []
    star_done = False
    for i, p in enumerate(params):
        if p.kind == "keyword_only" and not star_done:
            parts.append("*")
            star_done = True
        text = p.name
        if p.kind == "var_positional":
            text, star_done = "*" + text, True
        elif p.kind == "var_keyword":
            text = "**" + text
        if p.annotation:
            text += f": {p.annotation}"
        if p.has_default:
            text += f" = {p.default_source}" if p.annotation else f"={p.default_source}"
        parts.append(text)
        nxt = params[i + 1].kind if i + 1 < len(params) else None
        if p.kind == "positional_only" and nxt != "positional_only":
            parts.append("/")
    out = f"{name}({', '.join(parts)})"
    return f"{out} -> {returns}" if returns else out


def _functions(body: list[ast.stmt]) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level functions, also those defined under ``if``/``try`` at the top."""
    out = []
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append(stmt)
        elif isinstance(stmt, (ast.If, ast.Try)):
            for block in (stmt.body, getattr(stmt, "orelse", []), getattr(stmt, "finalbody", [])):
                out.extend(_functions(block))
            for handler in getattr(stmt, "handlers", []):
                out.extend(_functions(handler.body))
    return out


def parse_plugin_module(source: SourceText, dotted: str) -> PluginModule:
    """The registered task functions of one plugin module, in order.  Never raises."""
    tree, problem = parse_module(source)
    if tree is None:
        return PluginModule(source.path, dotted, (), (problem,))
    try:
        return _read(source, tree, dotted)
    except (RecursionError, MemoryError, ValueError) as err:
        return PluginModule(source.path, dotted, (), (syntax_problem(source, err),))
    except Exception as err:  # noqa: BLE001 -- a model bug must cost one file, never the whole run
        problem = Problem("unanalysed", source.path, FILE_START,
                          f"dioptra-lint could not analyse this plugin module (internal error: "
                          f"{type(err).__name__}: {err}); please report it")
        return PluginModule(source.path, dotted, (), (problem,))


def _read(source: SourceText, tree: ast.Module, dotted: str) -> PluginModule:
    text = Text(source.text)
    aliases = import_aliases(tree)
    registered: list[PluginFunction] = []
    others: list[str] = []
    problems: list[Problem] = []
    # With postponed annotations Prefect sees the return type as a string and counts nothing.
    postponed = any(isinstance(n, ast.ImportFrom) and n.module == "__future__"
                    and any(a.name == "annotations" for a in n.names) for n in tree.body)
    for node in _functions(tree.body):
        is_registered = False
        nout: int | None = None
        nout_source = "none"
        for deco in node.decorator_list:
            kind, call = _decorator(deco, aliases)
            if kind == "register":
                is_registered = True
            elif kind == "task_nout":
                value: Any = literal(call.args[0]) if call is not None and call.args else None
                if isinstance(value, int) and not isinstance(value, bool):
                    nout, nout_source = value, "task_nout"
                else:
                    nout, nout_source = None, "unknown"
        if nout_source == "none" and node.returns is not None and not postponed:
            nout, nout_source = _annotated_nout(node.returns)
        if not is_registered:
            others.append(node.name)
            continue
        params = function_params(node.args, text)
        seen: set[str] = set()
        for param in params:   # ast.parse accepts ``def f(a, a)``; compiling the module fails
            if param.name in seen:
                problems.append(Problem("syntax", source.path, param.span,
                                        f"duplicate argument '{param.name}' in function "
                                        f"definition: Python refuses to import this module"))
            seen.add(param.name)
        returns = text.node_source(node.returns) if node.returns is not None else None
        registered.append(PluginFunction(
            name=node.name, params=params, nout=nout, docstring=ast.get_docstring(node),
            signature=signature(node.name, params, returns), span=text.def_name_span(node, node.name),
            registered=True, nout_source=nout_source,
            def_start=Span.point(node.lineno - 1, text.col(node.lineno - 1, node.col_offset)),
            returns=_returns(node, text)))
    return PluginModule(source.path, dotted, tuple(registered), tuple(problems),
                        unregistered=tuple(others),
                        task_nout_spelling=_task_nout_spelling(aliases))


def _returns(node: ast.FunctionDef | ast.AsyncFunctionDef, text: Text) -> tuple[ReturnShape, ...]:
    """The shape of each ``return`` in the function's own body (not in nested functions)."""
    shapes: list[ReturnShape] = []
    stack: list[ast.AST] = list(node.body)
    generator = False
    while stack:
        item = stack.pop()
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(item, (ast.Yield, ast.YieldFrom)):
            generator = True
        if isinstance(item, ast.Return):
            shapes.append(_return_shape(item, text))
        stack.extend(ast.iter_child_nodes(item))
    if generator:
        return (ReturnShape("generator", None, text.def_name_span(node, node.name)),)
    last = node.body[-1] if node.body else None
    if not shapes and not isinstance(last, ast.Raise):
        shapes.append(ReturnShape("none", None, text.def_name_span(node, node.name)))
    shapes.sort(key=lambda s: s.span)
    return tuple(shapes)


def _return_shape(ret: ast.Return, text: Text) -> ReturnShape:
    value = ret.value
    span = text.span(ret)
    if value is None or (isinstance(value, ast.Constant) and value.value is None):
        return ReturnShape("none", None, span)
    if isinstance(value, (ast.Tuple, ast.List)):
        starred = any(isinstance(e, ast.Starred) for e in value.elts)
        kind = "tuple" if isinstance(value, ast.Tuple) else "list"
        return ReturnShape(kind, None if starred else len(value.elts), span)
    if isinstance(value, (ast.Dict, ast.DictComp)):
        return ReturnShape("dict", None, span)
    if isinstance(value, ast.JoinedStr) or (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        return ReturnShape("str", None, span)
    if isinstance(value, ast.Constant) and isinstance(value.value, (int, float, complex)):
        return ReturnShape("scalar", None, span)
    return ReturnShape("other", None, span)


def _task_nout_spelling(aliases: dict[str, str]) -> str | None:
    """``task_nout`` as this module can name it: imported itself, or through ``pyplugs``."""
    for local, target in aliases.items():
        if is_pyplugs(target, "task_nout") and "." in target:
            return local
    for local, target in aliases.items():
        if target.split(".")[-1] == "pyplugs":
            return f"{local}.task_nout"
    return None


def _annotated_nout(returns: ast.AST) -> tuple[int | None, str]:
    """The output count Prefect 1 infers from a return annotation: ``Tuple[a, b]`` and
    ``tuple[a, b]`` count their items, ``Tuple[()]`` is 0; a bare or ``Tuple[x, ...]`` tuple
    and every other type count nothing."""
    if not isinstance(returns, ast.Subscript):
        return None, "none"
    base = returns.value
    name = base.id if isinstance(base, ast.Name) else base.attr if isinstance(base, ast.Attribute) \
        else None
    if name not in ("Tuple", "tuple"):
        return None, "none"
    items = returns.slice.elts if isinstance(returns.slice, ast.Tuple) else [returns.slice]
    if len(items) == 2 and isinstance(items[1], ast.Constant) and items[1].value is Ellipsis:
        return None, "none"
    if len(items) == 1 and isinstance(items[0], ast.Tuple) and not items[0].elts:
        return 0, "annotation"
    return len(items), "annotation"

