"""Reading Python source with ``ast``: exact positions, import aliases, literals, constants.

``ast`` reports 1-based lines and UTF-8 *byte* columns; everything here leaves as 0-based lines and
*character* columns.  Shared by the script and the plugin readers; user code is never imported.
"""

from __future__ import annotations

import ast
import re
from typing import Any, Iterator

from .source import FILE_START, Position, SourceText, Span, line_index
from .types import MISSING, FunctionParam, Problem, Unknown

_new = tuple.__new__   # NamedTuple construction without its Python-level __new__
_DEF_NAME = re.compile(r"(?:async\s+)?(?:def|class)\s+(\w+)")   # one pattern, not one per name


class Text:
    """Converts ``ast`` coordinates to character positions and slices source by span.

    ``ast`` counts lines as the model does (``\\r\\n``, ``\\r``, ``\\n``), its columns are UTF-8
    bytes within the line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = line_index(text)
        self.lines = self.index.lines
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
            return _new(Span, (_new(Position, (line, node.col_offset)), _new(Position, (end, end_col))))
        return Span.of(line, self.col(line, node.col_offset), end, self.col(end, end_col))

    def source(self, span: Span) -> str:
        """The text of ``span`` exactly as written (its line breaks included)."""
        (l1, c1), (l2, c2) = span
        if l1 == l2:
            return self.lines[l1][c1:c2] if l1 < len(self.lines) else ""
        start, end = self.index.span_offsets(span)
        return self.text[start:end]

    def node_source(self, node: ast.AST) -> str:
        return self.source(self.span(node))

    def def_name_span(self, node: ast.AST, name: str) -> Span:
        """The name in ``def name(`` (ast only gives the ``def`` keyword)."""
        line = node.lineno - 1
        text = self.lines[line] if line < len(self.lines) else ""
        start = self.col(line, node.col_offset)
        m = _DEF_NAME.match(text, start)
        if m and m.group(1) == name:
            return Span.of(line, m.start(1), line, m.end(1))
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
        lines = source.lines
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
        message = f"Python file cannot be parsed: {err}"   # e.g. NUL bytes: Python refuses too
        return Problem("syntax", source.path, FILE_START, message)
    # Python itself may compile what this tool could not analyse: not a syntax error for sure.
    return Problem("unanalysed", source.path, FILE_START, message)


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


def is_prefect(q: str | None, name: str) -> bool:
    if not q:
        return False
    parts = q.split(".")
    return parts[-1] == name and (len(parts) == 1 or parts[0] == "prefect")


def click_attr(q: str | None) -> str | None:
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
        for n in walk(root):
            if type(n) is ast.Name and isinstance(n.ctx, ast.Load):
                out[n.id] = None
    return tuple(out)


def walk(node: ast.AST) -> list[ast.AST]:
    """``ast.walk``'s nodes in its (breadth-first) order, without Load/Store markers or constants'
    insides; a list, built without a generator per node (several times faster)."""
    queue = [node]
    push, AST, i = queue.append, ast.AST, 0
    while i < len(queue):
        n = queue[i]
        i += 1
        t = type(n)
        if t is ast.Name or t is ast.Constant:
            continue
        for f in _FIELDS.get(t) or child_fields(n):
            value = getattr(n, f, None)
            if type(value) is list:
                for child in value:
                    if isinstance(child, AST):
                        push(child)
            elif isinstance(value, AST):
                push(value)
    return queue


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


BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")
_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(node: ast.AST) -> tuple[str, ...]:
    """The fields of ``node``'s type that can hold child nodes (memoised in ``_FIELDS``)."""
    fields = _FIELDS.get(type(node))
    if fields is None:
        skip = {"ctx", "type_comment"} | ({"value", "kind"} if isinstance(node, ast.Constant) else set())
        fields = _FIELDS[type(node)] = tuple(f for f in node._fields if f not in skip)
    return fields


def children(node: ast.AST) -> Iterator[ast.AST]:
    """Like ``ast.iter_child_nodes`` without the Load/Store markers and constants' insides (faster)."""
    fields = _FIELDS.get(type(node)) or child_fields(node)
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
        for field in BLOCKS:
            block = getattr(stmt, field, None)
            if block:
                stack.extend((child, inner) for child in reversed(block))


def header_expressions(stmt: ast.AST) -> list[ast.AST]:
    """The expression parts of a statement, without its nested blocks."""
    out = []
    for field, value in ast.iter_fields(stmt):
        if field in BLOCKS or field == "decorator_list":
            continue
        if isinstance(value, list):
            out.extend(v for v in value if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    return out



def value_of(node: ast.AST, text: Text) -> Any:
    """A literal's value, or ``Unknown(source)`` for anything computed."""
    value = literal(node)
    return Unknown(text.node_source(node)) if value is MISSING else value
