"""Read an entry-point script with ``ast`` into click commands, Flows and flow.run calls.

One ``ast.parse`` per file; user code is never imported or run.  ``ast`` reports 1-based lines
and UTF-8 *byte* columns; everything here leaves as 0-based lines and *character* columns.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import Any, Iterator

from .source import FILE_START, Position, SourceText, Span
from .types import (
    MISSING,
    CallTask,
    ClickCommand,
    ClickParam,
    ClickType,
    Flow,
    FlowParameter,
    FlowRun,
    FunctionParam,
    KeywordArg,
    OtherCall,
    Problem,
    PythonScript,
    Unknown,
    ValueExpr,
)

_NEWLINE = re.compile(r"\r\n|\r|\n")   # the line breaks Python's tokenizer counts


class Text:
    """Converts ``ast`` coordinates to character positions and slices source by span."""

    def __init__(self, text: str) -> None:
        self.lines = _NEWLINE.split(text)
        self.ascii = text.isascii()   # then byte columns are character columns everywhere
        self._bytes: dict[int, bytes] = {}

    def col(self, line: int, byte_col: int) -> int:
        """Character column of a UTF-8 byte offset on 0-based ``line``."""
        if self.ascii or not 0 <= line < len(self.lines):
            return max(byte_col, 0)
        text = self.lines[line]
        if text.isascii():
            return byte_col
        data = self._bytes.get(line)
        if data is None:
            data = self._bytes[line] = text.encode("utf-8", "surrogatepass")
        return len(data[:byte_col].decode("utf-8", "replace"))

    def span(self, node: ast.AST) -> Span:
        line = node.lineno - 1
        end = (node.end_lineno or node.lineno) - 1
        end_col = node.end_col_offset
        if end_col is None:
            end_col = node.col_offset
        if self.ascii:
            return Span(Position(line, node.col_offset), Position(end, end_col))
        return Span(Position(line, self.col(line, node.col_offset)), Position(end, self.col(end, end_col)))

    def source(self, span: Span) -> str:
        (l1, c1), (l2, c2) = (span.start.line, span.start.character), (span.end.line, span.end.character)
        if l1 == l2:
            return self.lines[l1][c1:c2] if l1 < len(self.lines) else ""
        parts = [self.lines[l1][c1:], *self.lines[l1 + 1:l2], self.lines[l2][:c2] if l2 < len(self.lines) else ""]
        return "\n".join(parts)

    def node_source(self, node: ast.AST) -> str:
        return self.source(self.span(node))

    def def_name_span(self, node: ast.AST, name: str) -> Span:
        """The name in ``def name(`` (ast only gives the ``def`` keyword)."""
        line = node.lineno - 1
        text = self.lines[line] if line < len(self.lines) else ""
        start = self.col(line, node.col_offset)
        m = re.compile(r"(?:async\s+)?(?:def|class)\s+" + re.escape(name)).match(text, start)
        if m:
            return Span.of(line, m.end() - len(name), line, m.end())
        return Span.of(line, start, line, start)


def syntax_problem(source: SourceText, err: BaseException) -> Problem:
    """A Problem at the exact range ``SyntaxError`` reports (its offsets are 1-based characters)."""
    if isinstance(err, SyntaxError) and err.lineno:
        line = max(err.lineno - 1, 0)
        col = max((err.offset or 1) - 1, 0)
        end_line = max((err.end_lineno or err.lineno) - 1, line)
        end_col = max((err.end_offset or err.offset or 1) - 1, 0)
        if end_line == line and end_col <= col:
            end_col = col + 1
        lines = _NEWLINE.split(source.text)
        if line < len(lines):  # keep the range on the text (the error may point past the end)
            col = min(col, len(lines[line]))
            if end_line < len(lines):
                end_col = min(end_col, len(lines[end_line]))
                if end_line == line:
                    end_col = max(end_col, col)
        message = f"Python syntax error: {err.msg}"
        return Problem("syntax", source.path, Span.of(line, col, end_line, end_col), message)
    if isinstance(err, RecursionError):
        message = "Python file is too deeply nested to analyse"
    elif isinstance(err, MemoryError):
        message = "Python file is too large or too deeply nested to analyse"
    else:
        message = f"Python file cannot be parsed: {err}"
    return Problem("syntax", source.path, FILE_START, message)


def parse_module(source: SourceText) -> tuple[ast.Module | None, Problem | None]:
    try:
        return ast.parse(source.text, filename=str(source.path)), None
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as err:
        return None, syntax_problem(source, err)


# --------------------------------------------------------------------------- names


def import_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> canonical dotted name, for every import in the file."""
    aliases: dict[str, str] = {}
    for node, _ in statements(tree.body):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                if a.name != "*":
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def dotted(expr: ast.AST) -> str | None:
    """``a.b.c`` as written, or None for anything that is not a plain dotted name."""
    parts = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


def qualified(expr: ast.AST, aliases: dict[str, str]) -> str | None:
    """The canonical dotted name of ``expr`` (``c.option`` -> ``click.option``)."""
    name = dotted(expr)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    base = aliases.get(head, head)
    return f"{base}.{rest}" if rest else base


def is_pyplugs(q: str | None, attr: str) -> bool:
    """``pyplugs.<attr>`` from any import path (``dioptra.pyplugs``, ``mitre.securingai.pyplugs``)."""
    if not q:
        return False
    parts = q.split(".")
    return parts[-1] == attr and (len(parts) == 1 or parts[-2] == "pyplugs")


def _is_prefect(q: str | None, name: str) -> bool:
    if not q:
        return False
    parts = q.split(".")
    return parts[-1] == name and (len(parts) == 1 or parts[0] == "prefect")


def _click_attr(q: str | None) -> str | None:
    if q and q.startswith("click."):
        return q.rsplit(".", 1)[-1]
    return None


_NOT_LITERAL = (ast.Name, ast.Call, ast.Attribute, ast.Subscript, ast.JoinedStr, ast.Lambda,
                ast.Starred, ast.Compare, ast.BoolOp, ast.IfExp, ast.ListComp, ast.DictComp, ast.SetComp,
                ast.GeneratorExp, ast.Await, ast.NamedExpr)


def _maybe_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, _NOT_LITERAL):
        return False
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_maybe_literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _maybe_literal(k) for k in node.keys) and all(map(_maybe_literal, node.values))
    return True   # unary minus, complex numbers, ...: let literal_eval decide


def literal(node: ast.AST) -> Any:
    """The value of a literal expression, or MISSING."""
    if isinstance(node, ast.Constant):
        return node.value
    if not _maybe_literal(node):
        return MISSING   # cheap answers first: literal_eval is slow to fail
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError, AttributeError):
        return MISSING


def loaded_names(nodes) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for root in nodes:
        if root is None or isinstance(root, ast.Constant):
            continue
        if isinstance(root, ast.Name):
            if isinstance(root.ctx, ast.Load):
                out[root.id] = None
            continue
        for n in ast.walk(root):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                out[n.id] = None
    return tuple(out)


def resolve_str(node: ast.AST | None, consts: dict[str, str]) -> Any:
    """A string from a literal, a known constant, an f-string over constants, or ``+``; else MISSING."""
    if node is None:
        return MISSING
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else MISSING
    if isinstance(node, ast.Name):
        return consts.get(node.id, MISSING)
    if isinstance(node, ast.JoinedStr):
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                out.append(part.value)
            elif isinstance(part, ast.FormattedValue) and part.format_spec is None \
                    and part.conversion in (-1, ord("s")):
                value = resolve_str(part.value, consts)
                if value is MISSING:
                    return MISSING
                out.append(value)
            else:
                return MISSING
        return "".join(out)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = resolve_str(node.left, consts), resolve_str(node.right, consts)
        return MISSING if left is MISSING or right is MISSING else left + right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
            and not node.keywords:
        # "{}.data".format(_PLUGINS_IMPORT_PATH)
        fmt = resolve_str(node.func.value, consts)
        args = [resolve_str(a, consts) for a in node.args]
        if fmt is MISSING or any(a is MISSING for a in args):
            return MISSING
        try:
            return fmt.format(*args)
        except (IndexError, KeyError, ValueError):
            return MISSING
    return MISSING


def string_constants(body: list[ast.stmt], consts: dict[str, str] | None = None) -> dict[str, str]:
    """``NAME = "text"`` / ``NAME: str = f"{OTHER}.x"`` assignments of a block, in order.

    A name assigned anything else afterwards is dropped: its value is not static.
    """
    out = dict(consts or {})
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        resolved = resolve_str(value, out)
        for t in targets:
            if isinstance(t, ast.Name):
                if resolved is MISSING:
                    out.pop(t.id, None)
                else:
                    out[t.id] = resolved
    return out


def function_params(args: ast.arguments, text: Text) -> tuple[FunctionParam, ...]:
    out: list[FunctionParam] = []
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)

    def add(arg: ast.arg, kind: str, default: ast.AST | None) -> None:
        line = arg.lineno - 1
        col = text.col(line, arg.col_offset)
        out.append(FunctionParam(
            arg.arg, kind, default is not None,
            text.node_source(default) if default is not None else None,
            text.node_source(arg.annotation) if arg.annotation is not None else None,
            Span.of(line, col, line, col + len(arg.arg))))

    for i, arg in enumerate(positional):
        kind = "positional_only" if i < len(args.posonlyargs) else "positional_or_keyword"
        add(arg, kind, args.defaults[i - first_default] if i >= first_default else None)
    if args.vararg:
        add(args.vararg, "var_positional", None)
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        add(arg, "keyword_only", default)
    if args.kwarg:
        add(args.kwarg, "var_keyword", None)
    return tuple(out)


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")
_FIELDS: dict[type, tuple[str, ...]] = {}


def _children(node: ast.AST) -> Iterator[ast.AST]:
    """Like ``ast.iter_child_nodes`` without the Load/Store markers and constants' insides (faster)."""
    fields = _FIELDS.get(type(node))
    if fields is None:
        skip = {"ctx", "type_comment"} | ({"value", "kind"} if isinstance(node, ast.Constant) else set())
        fields = _FIELDS[type(node)] = tuple(f for f in node._fields if f not in skip)
    for name in fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, ast.AST):
                    yield item
        elif isinstance(value, ast.AST):
            yield value


def statements(body: list[ast.AST], owner: str | None = None) -> Iterator[tuple[ast.AST, str | None]]:
    """Every statement (not expression) with its innermost enclosing function.

    Statements are a small fraction of the nodes; walking only them keeps the read near parse cost.
    """
    stack = [(stmt, owner) for stmt in reversed(body)]
    while stack:
        stmt, own = stack.pop()
        yield stmt, own
        inner = stmt.name if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) else own
        for field in _BLOCKS:
            block = getattr(stmt, field, None)
            if block:
                stack.extend((child, inner) for child in reversed(block))


def header_expressions(stmt: ast.AST) -> list[ast.AST]:
    """The expression parts of a statement, without its nested blocks."""
    out = []
    for field, value in ast.iter_fields(stmt):
        if field in _BLOCKS or field == "decorator_list":
            continue
        if isinstance(value, list):
            out.extend(v for v in value if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    return out


# --------------------------------------------------------------------------- click

_SIMPLE_TYPES = {"INT": "INT", "FLOAT": "FLOAT", "BOOL": "BOOL", "STRING": "STRING", "UUID": "UUID"}
_BUILTIN_TYPES = {"int": "INT", "float": "FLOAT", "bool": "BOOL", "str": "STRING"}
_TYPE_CLASSES = {"Path", "File", "Choice", "IntRange", "FloatRange", "DateTime", "Tuple"}
_KNOWN_KEYWORDS = {"type", "required", "default", "multiple", "nargs", "is_flag", "flag_value", "count",
                   "help", "callback", "envvar", "show_default", "metavar", "hidden", "prompt",
                   "is_eager", "show_envvar", "show_choices", "hide_input"}


def _value(node: ast.AST, text: Text) -> Any:
    value = literal(node)
    return Unknown(text.node_source(node)) if value is MISSING else value


def click_type(node: ast.AST, aliases: dict[str, str], text: Text) -> ClickType:
    source = text.node_source(node)
    if isinstance(node, ast.Call):
        name = _click_attr(qualified(node.func, aliases))
        if name in _TYPE_CLASSES:
            args: list[tuple[Any, Any]] = [(i, _value(a, text)) for i, a in enumerate(node.args)]
            args += [(k.arg, _value(k.value, text)) for k in node.keywords if k.arg]
            return ClickType(name, tuple(args), source)
        return ClickType("unknown", (), source)
    q = qualified(node, aliases)
    name = _click_attr(q)
    if name in _SIMPLE_TYPES:
        return ClickType(_SIMPLE_TYPES[name], (), source)
    if name in _TYPE_CLASSES:
        return ClickType(name, (), source)
    if isinstance(node, ast.Name) and node.id in _BUILTIN_TYPES and node.id not in aliases:
        return ClickType(_BUILTIN_TYPES[node.id], (), source)
    return ClickType("unknown", (), source)


def _split_opt(opt: str) -> tuple[str, str]:
    first = opt[:1]
    if first.isalnum():
        return "", opt
    if opt[1:2] == first:
        return opt[:2], opt[2:]
    return first, opt[1:]


def parse_decls(kind: str, decls: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(flags, secondary flags, dest) exactly as click 8 derives them."""
    if kind == "argument":
        name = decls[0] if decls else ""
        return (), (), name.replace("-", "_").lower()
    name = None
    flags: list[str] = []
    secondary: list[str] = []
    possible: list[tuple[str, str]] = []
    for decl in decls:
        if decl.isidentifier():
            name = decl
            continue
        split = ";" if decl[:1] == "/" else "/"
        if split in decl:
            first, second = decl.split(split, 1)
            first = first.rstrip()
            if first:
                possible.append(_split_opt(first))
                flags.append(first)
            second = second.lstrip()
            if second:
                secondary.append(second)
        else:
            possible.append(_split_opt(decl))
            flags.append(decl)
    if name is None and possible:
        possible.sort(key=lambda x: -len(x[0]))   # stable: the first long option wins
        name = possible[0][1].replace("-", "_").lower()
        if not name.isidentifier():
            name = ""
    return tuple(flags), tuple(secondary), name or ""


def click_param(call: ast.Call, kind: str, aliases: dict[str, str], text: Text) -> ClickParam:
    decls = tuple(a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    first = next((a for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)), None)
    flags, secondary, dest = parse_decls(kind, decls)
    kw: dict[str, ast.AST] = {}
    extra: list[str] = []
    for k in call.keywords:
        if k.arg is None:
            extra.append("**")
        else:
            kw[k.arg] = k.value
            if k.arg not in _KNOWN_KEYWORDS:
                extra.append(k.arg)

    def get(name: str, default: Any) -> Any:
        return _value(kw[name], text) if name in kw else default

    default = get("default", MISSING)
    nargs = get("nargs", 1)
    required = get("required", None)
    if not isinstance(required, bool):
        if kind == "argument":   # click: an argument without a default is required (unless nargs=-1)
            required = default is MISSING and not (isinstance(nargs, int) and nargs <= 0)
        else:
            required = False
    is_flag = get("is_flag", None)
    help_ = get("help", None)
    callback = kw.get("callback")
    return ClickParam(
        kind=kind, decls=decls, flags=flags, secondary_flags=secondary, dest=dest,
        type=click_type(kw["type"], aliases, text) if "type" in kw else None,
        required=required, default=default, multiple=get("multiple", False) is True, nargs=nargs,
        is_flag=is_flag if isinstance(is_flag, bool) else None, flag_value=get("flag_value", MISSING),
        count=get("count", False) is True, help=help_ if isinstance(help_, str) else None,
        has_callback=callback is not None and not (isinstance(callback, ast.Constant) and callback.value is None),
        envvar=get("envvar", None), span=text.span(call),
        decl_span=text.span(first) if first is not None else text.span(call),
        extra_keywords=tuple(extra))


def _command_name(function: str, given: Any) -> str:
    if isinstance(given, str):
        return given
    name = function.lower().replace("_", "-")
    left, sep, suffix = name.rpartition("-")
    if sep and suffix in {"command", "cmd", "group", "grp"}:   # click 8.2 drops these suffixes
        return left
    return name


def click_command(node: ast.FunctionDef | ast.AsyncFunctionDef, aliases: dict[str, str], text: Text,
                  group_names: set[str]) -> ClickCommand | None:
    command_deco = None
    is_group = passes_context = False
    others: list[str] = []
    params: list[ClickParam] = []
    for deco in node.decorator_list:
        call = deco if isinstance(deco, ast.Call) else None
        func = deco.func if call else deco
        q = qualified(func, aliases)
        attr = _click_attr(q)
        if attr in ("command", "group") or (q and q.rpartition(".")[0] in group_names
                                             and q.rpartition(".")[2] in ("command", "group")):
            command_deco = deco
            is_group = q.rsplit(".", 1)[-1] == "group"
        elif attr in ("option", "argument") and call is not None:
            params.append(click_param(call, attr, aliases, text))
        elif attr == "password_option" and call is not None:   # the one helper that fills an argument
            param = click_param(call, "option", aliases, text)
            if not param.decls:
                param = replace(param, decls=("--password",), flags=("--password",), dest="password")
            params.append(param)
        elif attr in ("pass_context", "pass_obj") or (q and q.rsplit(".", 1)[-1].startswith("pass_")):
            passes_context = True   # also ``pass_config = click.make_pass_decorator(Config)``
        elif attr is None:
            others.append(text.node_source(func))
    if command_deco is None:
        return None
    given = None
    if isinstance(command_deco, ast.Call):
        if command_deco.args:
            given = literal(command_deco.args[0])
        for k in command_deco.keywords:
            if k.arg == "name":
                given = literal(k.value)
    used: set[str] = set()
    dynamic = node.args.kwarg is not None
    for stmt in node.body:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                used.add(n.id)
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("locals", "vars") \
                    and not n.args:
                dynamic = True
    return ClickCommand(
        function=node.name, command_name=_command_name(node.name, given), params=tuple(params),
        function_params=function_params(node.args, text), used_names=frozenset(used),
        uses_dynamic_locals=dynamic, is_group=is_group, span=text.def_name_span(node, node.name),
        decorator_span=text.span(command_deco), passes_context=passes_context,
        other_decorators=tuple(others))


def _main_calls(tree: ast.Module) -> Iterator[ast.Call]:
    for stmt in tree.body:
        if not isinstance(stmt, ast.If):
            continue
        t = stmt.test
        if isinstance(t, ast.Compare) and len(t.ops) == 1 and isinstance(t.ops[0], ast.Eq):
            sides = [t.left, *t.comparators]
            names = [s.id for s in sides if isinstance(s, ast.Name)]
            consts = [s.value for s in sides if isinstance(s, ast.Constant)]
            if names == ["__name__"] and consts == ["__main__"]:
                for inner in stmt.body:
                    for n in ast.walk(inner):
                        if isinstance(n, ast.Call):
                            yield n


def main_command(tree: ast.Module, commands: tuple[ClickCommand, ...]) -> str | None:
    names = {c.function for c in commands}
    for call in _main_calls(tree):
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "main":   # train.main(...)
            func = func.value
        if isinstance(func, ast.Name) and func.id in names:
            return func.id
    return None


# --------------------------------------------------------------------------- flows


def _value_expr(node: ast.AST, text: Text) -> ValueExpr:
    return ValueExpr(text.node_source(node), text.span(node), literal(node), loaded_names([node]))


def keyword_arg(k: ast.keyword, text: Text) -> KeywordArg:
    value = _value_expr(k.value, text)
    if k.arg is None:
        return KeywordArg(None, text.span(k), value)
    line = k.lineno - 1   # ast.keyword positions start at the keyword name
    col = text.col(line, k.col_offset)
    return KeywordArg(k.arg, Span.of(line, col, line, col + len(k.arg)), value)


def _targets(stmt: ast.AST) -> list[ast.AST]:
    if isinstance(stmt, ast.Assign):
        return list(stmt.targets)
    if isinstance(stmt, (ast.AnnAssign, ast.NamedExpr)):
        return [stmt.target]
    return []


def _flat_names(target: ast.AST) -> tuple[str, ...]:
    if isinstance(target, ast.Name):
        return (target.id,)
    if isinstance(target, (ast.Tuple, ast.List)):
        return tuple(n for e in target.elts for n in _flat_names(e.value if isinstance(e, ast.Starred) else e))
    return ()


_LOG_CALLS = {"print", "debug", "info", "warning", "warn", "error", "exception", "critical", "log", "msg"}
_PACKAGE_KEYWORDS = (("package",), ("plugin", "plugin_module", "module"), ("func", "function"))


class _FlowReader:
    def __init__(self, aliases: dict[str, str], consts: dict[str, str], text: Text) -> None:
        self.aliases, self.consts, self.text = aliases, consts, text

    def kind(self, call: ast.Call) -> str:
        q = qualified(call.func, self.aliases)
        if is_pyplugs(q, "call_task"):
            return "call_task"
        if _is_prefect(q, "Parameter"):
            return "parameter"
        return "other"

    def read(self, node: ast.With | ast.AsyncWith, flow_call: ast.Call, variable: str | None,
             function: str | None) -> Flow:
        text = self.text
        # One walk of the block, remembering parents: every question below walks up, not down again.
        parent: dict[int, ast.AST] = {}
        calls: list[ast.Call] = []
        names: list[ast.Name] = []
        stmts: list[ast.stmt] = []
        stack: list[ast.AST] = list(node.body)
        Call, Name, stmt = ast.Call, ast.Name, ast.stmt
        while stack:
            n = stack.pop()
            t = type(n)
            if t is Call:
                calls.append(n)
            elif t is Name:
                names.append(n)
                continue   # no children
            elif isinstance(n, stmt):
                stmts.append(n)
            for child in _children(n):
                parent[id(child)] = n
                stack.append(child)
        calls.sort(key=lambda c: (c.lineno, c.col_offset))
        stmts.sort(key=lambda st: (st.lineno, st.col_offset))
        kinds = {id(c): self.kind(c) for c in calls}
        callees = {id(c): dotted(c.func) or text.node_source(c.func) for c in calls if kinds[id(c)] == "other"}
        # Calls that feed a task (a log line does not feed anything).
        feeds = {i for i, k in kinds.items() if k == "call_task"}
        feeds.update(i for i, callee in callees.items() if callee.rsplit(".", 1)[-1] not in _LOG_CALLS)

        def inside_arguments(n: ast.AST, of: set[int] | None) -> ast.Call | None:
            """The nearest call (of the given kinds) that ``n`` is an argument of."""
            child, p = n, parent.get(id(n))
            while p is not None and not isinstance(p, ast.stmt):
                if isinstance(p, ast.Call) and child is not p.func and (of is None or id(p) in of):
                    return p
                child, p = p, parent.get(id(p))
            return None

        builders = {i for i, k in kinds.items() if k != "other"}
        nested = {id(c) for c in calls if kinds[id(c)] == "other" and inside_arguments(c, builders)}
        task_names: set[str] = set()
        used: set[str] = set()
        reads: dict[int, set[str]] = {}
        for n in names:
            if not isinstance(n.ctx, ast.Load):
                continue
            used.add(n.id)
            if inside_arguments(n, feeds) is not None:
                task_names.add(n.id)
            p = parent.get(id(n))
            if isinstance(p, ast.Call) and p.func is n:
                continue   # ``f(x)`` reads x, not f
            while p is not None and not isinstance(p, ast.stmt):
                p = parent.get(id(p))
            if p is not None:
                reads.setdefault(id(p), set()).add(n.id)

        bound: dict[int, tuple[str, Span]] = {}      # Parameter call -> variable it is bound to
        results: dict[int, tuple[str, ...]] = {}     # call_task call -> names it is bound to
        assigns: list[tuple[tuple[str, ...], set[str]]] = []   # (targets, names read)
        for stmt in stmts:
            if isinstance(stmt, (ast.For, ast.AsyncFor)):
                assigns.append((_flat_names(stmt.target), reads.get(id(stmt), set())))
                continue
            targets = _targets(stmt)
            value = getattr(stmt, "value", None)
            if not targets or value is None:
                continue
            assigns.append((tuple(n for t in targets for n in _flat_names(t)), reads.get(id(stmt), set())))
            for t in targets:
                pairs: list[tuple[ast.AST, ast.AST]] = [(t, value)]
                if isinstance(t, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
                        and len(t.elts) == len(value.elts):
                    pairs = list(zip(t.elts, value.elts))   # by position: misalignment is visible
                for tgt, val in pairs:
                    if isinstance(val, ast.Call) and kinds.get(id(val)) == "parameter" \
                            and isinstance(tgt, ast.Name):
                        bound[id(val)] = (tgt.id, text.span(tgt))
                    elif isinstance(val, ast.Call) and kinds.get(id(val)) == "call_task":
                        results[id(val)] = results.get(id(val), ()) + _flat_names(tgt)
        # ``paths = [training_dir, testing_dir]`` then ``call_task(paths=paths)`` uses both.
        changed = True
        while changed:
            changed = False
            for targets_, names_read in assigns:
                if not task_names.issuperset(names_read) and any(n in task_names for n in targets_):
                    task_names.update(names_read)
                    changed = True

        parameters, tasks, others = [], [], []
        for c in calls:
            k = kinds[id(c)]
            if k == "parameter":
                parameters.append(self._parameter(c, bound.get(id(c))))
            elif k == "call_task":
                tasks.append(self._call_task(c, results.get(id(c), ()), len(tasks)))
            else:
                others.append(OtherCall(callees[id(c)], text.span(c.func), id(c) in nested, text.span(c)))
        name = flow_call.args[0] if flow_call.args else next(
            (k.value for k in flow_call.keywords if k.arg == "name"), None)
        return Flow(
            name=_value(name, text) if name is not None else None, variable=variable, function=function,
            parameters=tuple(parameters), call_tasks=tuple(tasks), other_calls=tuple(others),
            used_names=frozenset(used), task_input_names=frozenset(task_names), span=text.span(node))

    def _parameter(self, call: ast.Call, binding: tuple[str, Span] | None) -> FlowParameter:
        text = self.text
        name_node = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "name"), None)
        kw = {k.arg: k.value for k in call.keywords if k.arg}
        if name_node is None:
            name: Any = Unknown("")
        else:
            value = resolve_str(name_node, self.consts)
            name = Unknown(text.node_source(name_node)) if value is MISSING else value
        required = kw.get("required")
        return FlowParameter(
            name=name, name_span=text.span(name_node) if name_node is not None else text.span(call),
            variable=binding[0] if binding else None, variable_span=binding[1] if binding else None,
            has_default="default" in kw or len(call.args) > 1,
            required_kw=isinstance(required, ast.Constant) and required.value is True,
            span=text.span(call))

    def _call_task(self, call: ast.Call, targets: tuple[str, ...], index: int) -> CallTask:
        text = self.text
        args = list(call.args)
        keywords = list(call.keywords)
        slots: list[ast.AST | None] = []
        for i, names in enumerate(_PACKAGE_KEYWORDS):
            if i < len(args) and not isinstance(args[i], ast.Starred):
                slots.append(args[i])
                continue
            found = next((k for k in keywords if k.arg in names), None)
            if found is not None:
                keywords.remove(found)
            slots.append(found.value if found is not None else None)
        positional = args[sum(1 for i, a in enumerate(args[:3]) if not isinstance(a, ast.Starred)):]

        def resolved(node: ast.AST | None) -> Any:
            if node is None:
                return None
            value = resolve_str(node, self.consts)
            return Unknown(text.node_source(node)) if value is MISSING else value

        name_span = self._callee_span(call)
        return CallTask(
            package=resolved(slots[0]), module=resolved(slots[1]), function=resolved(slots[2]),
            package_span=text.span(slots[0]) if slots[0] is not None else name_span,
            module_span=text.span(slots[1]) if slots[1] is not None else None,
            function_span=text.span(slots[2]) if slots[2] is not None else None,
            positional=tuple(_value_expr(a, text) for a in positional),
            keywords=tuple(self._keyword(k) for k in keywords),
            targets=targets, span=text.span(call), name_span=name_span, index=index)

    def _callee_span(self, call: ast.Call) -> Span:
        """``call_task`` itself: the attribute name at the end of ``pyplugs.call_task``."""
        full = self.text.span(call.func)
        if isinstance(call.func, ast.Attribute) and full.end.line == full.start.line:
            end = full.end.character
            return Span.of(full.end.line, end - len(call.func.attr), full.end.line, end)
        return full

    def _keyword(self, k: ast.keyword) -> KeywordArg:
        return keyword_arg(k, self.text)


def _flow_call(node: ast.With | ast.AsyncWith, aliases: dict[str, str]) -> tuple[ast.Call, str | None] | None:
    for item in node.items:
        expr = item.context_expr
        if isinstance(expr, ast.Call) and _is_prefect(qualified(expr.func, aliases), "Flow"):
            var = item.optional_vars.id if isinstance(item.optional_vars, ast.Name) else None
            return expr, var
    return None


def _run_parameters(call: ast.Call, local_dicts: dict[str, ast.AST]) -> ast.AST | None:
    for k in call.keywords:
        if k.arg == "parameters":
            return k.value
    return call.args[0] if call.args else None


def _flow_run(call: ast.Call, receiver: str, function: str | None, flow_function: str | None,
              local_dicts: dict[str, ast.AST], text: Text) -> FlowRun:
    node = _run_parameters(call, local_dicts)
    if isinstance(node, ast.Name) and node.id in local_dicts:   # params = dict(...); flow.run(parameters=params)
        node = local_dicts[node.id]
    keys: list[KeywordArg] = []
    dynamic = False
    if node is None:
        dynamic = any(k.arg is None for k in call.keywords)   # flow.run(**kwargs)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" \
            and not node.args:
        for k in node.keywords:
            if k.arg is None:
                dynamic = True
                continue
            keys.append(keyword_arg(k, text))
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.append(KeywordArg(key.value, text.span(key), _value_expr(value, text)))
            else:
                dynamic = True
    elif not (isinstance(node, ast.Constant) and node.value is None):
        dynamic = True
    return FlowRun(receiver, tuple(keys), dynamic, text.span(call), function, flow_function)


# --------------------------------------------------------------------------- the script


def _with_outside_parameters(flow: Flow, block: ast.AST, owner: str | None, stmts, reader: "_FlowReader") -> Flow:
    """``x = Parameter("x")`` before the ``with Flow`` block and used inside it joins the flow
    (Prefect adds a task's inputs to the flow it is bound in)."""
    first, last = block.lineno, block.end_lineno or block.lineno
    extra: list[FlowParameter] = []
    for stmt, own in stmts:
        if own != owner or not isinstance(stmt, ast.Assign) or first <= stmt.lineno <= last:
            continue
        pairs = [(t, stmt.value) for t in stmt.targets]
        if len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Tuple) \
                and isinstance(stmt.value, ast.Tuple) and len(stmt.targets[0].elts) == len(stmt.value.elts):
            pairs = list(zip(stmt.targets[0].elts, stmt.value.elts))
        for tgt, val in pairs:
            if isinstance(tgt, ast.Name) and tgt.id in flow.used_names and isinstance(val, ast.Call) \
                    and reader.kind(val) == "parameter":
                extra.append(reader._parameter(val, (tgt.id, reader.text.span(tgt))))
    if not extra:
        return flow
    return replace(flow, parameters=tuple(extra) + flow.parameters)


def _run_calls(stmts, text: Text) -> Iterator[tuple[ast.Call, str | None]]:
    """``X.run(...)`` calls, looking only at statements on lines that mention ``.run``."""
    lines = {i for i, line in enumerate(text.lines) if "run" in line}
    if not lines:
        return
    for stmt, owner in stmts:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if any(getattr(stmt, f, None) for f in _BLOCKS):
            exprs = header_expressions(stmt)
        elif any(i in lines for i in range(stmt.lineno - 1, (stmt.end_lineno or stmt.lineno))):
            exprs = [stmt]
        else:
            continue
        for expr in exprs:
            for n in ast.walk(expr):
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "run":
                    yield n, owner


def parse_script(source: SourceText) -> PythonScript:
    """The static model of one entry-point script.  Never raises."""
    tree, problem = parse_module(source)
    if tree is None:
        return PythonScript(source.path, source.text, (), None, (), (), (), (problem,))
    try:
        return _read(source, tree)
    except (RecursionError, MemoryError, ValueError) as err:
        return PythonScript(source.path, source.text, (), None, (), (), (), (syntax_problem(source, err),))
    except Exception as err:  # noqa: BLE001 -- a model bug must cost one file, never the whole run
        problem = Problem("syntax", source.path, FILE_START,
                          f"dioptra-lint could not analyse this file (internal error: "
                          f"{type(err).__name__}: {err}); please report it")
        return PythonScript(source.path, source.text, (), None, (), (), (), (problem,))


def _read(source: SourceText, tree: ast.Module) -> PythonScript:
    text = Text(source.text)
    stmts = list(statements(tree.body))
    aliases = import_aliases(tree)
    consts = string_constants(tree.body)
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    defs = [n for n, _ in stmts if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.decorator_list]

    group_names = {n.name for n in defs
                   if any(_click_attr(qualified(d.func if isinstance(d, ast.Call) else d, aliases)) == "group"
                          for d in n.decorator_list)}
    commands = tuple(c for n in defs for c in [click_command(n, aliases, text, group_names)] if c is not None)

    flows: list[Flow] = []
    for n, owner in stmts:
        if isinstance(n, (ast.With, ast.AsyncWith)):
            found = _flow_call(n, aliases)
            if found is not None:
                local = string_constants(functions[owner].body, consts) if owner in functions else consts
                reader = _FlowReader(aliases, local, text)
                flow = reader.read(n, found[0], found[1], owner)
                flows.append(_with_outside_parameters(flow, n, owner, stmts, reader))
    builders = {f.function for f in flows if f.function}
    flow_vars: dict[tuple[str | None, str], str | None] = {}   # (function, name) -> building function
    for f in flows:
        if f.variable:
            flow_vars[(f.function, f.variable)] = f.function
    local_dicts: dict[tuple[str | None, str], ast.AST] = {}
    for n, owner in stmts:
        target = n.targets[0] if isinstance(n, ast.Assign) and len(n.targets) == 1 else \
            n.target if isinstance(n, ast.AnnAssign) and n.value is not None else None
        if isinstance(target, ast.Name):   # ``flow = init_flow()`` or ``flow: Flow = init_flow()``
            name, value = target.id, n.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in builders:
                flow_vars[(owner, name)] = value.func.id
            elif isinstance(value, ast.Dict) or (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                                                 and value.func.id == "dict"):
                local_dicts[(owner, name)] = value

    runs: list[FlowRun] = []
    for n, owner in _run_calls(stmts, text):
        recv = n.func.value
        has_parameters = any(k.arg == "parameters" for k in n.keywords)
        flow_function = None
        if isinstance(recv, ast.Name) and (owner, recv.id) in flow_vars:
            flow_function = flow_vars[(owner, recv.id)]
        elif isinstance(recv, ast.Call) and isinstance(recv.func, ast.Name) and recv.func.id in builders:
            flow_function = recv.func.id                           # init_flow().run(...)
        elif not has_parameters or (qualified(recv, aliases) or "").split(".")[0] == "mlflow":
            continue   # subprocess.run(...), mlflow.run(parameters=...): not a Prefect flow
        dicts = {name: v for (fn, name), v in local_dicts.items() if fn == owner}
        receiver = dotted(recv) or text.node_source(recv)
        runs.append(_flow_run(n, receiver, owner, flow_function, dicts, text))

    return PythonScript(
        path=source.path, text=source.text, commands=commands, main_command=main_command(tree, commands),
        flows=tuple(flows), flow_runs=tuple(runs), constants=tuple(consts.items()), problems=())
