"""click commands as click 8 would build them, read from decorators with ``ast``."""

from __future__ import annotations

import ast
from typing import Any, Iterator

from .pyread import Text, click_attr, function_params, literal, qualified, value_of, walk
from .record import replace
from .types import MISSING, ClickCommand, ClickParam, ClickType

_SIMPLE_TYPES = {"INT": "INT", "FLOAT": "FLOAT", "BOOL": "BOOL", "STRING": "STRING", "UUID": "UUID"}
_BUILTIN_TYPES = {"int": "INT", "float": "FLOAT", "bool": "BOOL", "str": "STRING"}
_TYPE_CLASSES = {"Path", "File", "Choice", "IntRange", "FloatRange", "DateTime", "Tuple"}
_KNOWN_KEYWORDS = {"type", "required", "default", "multiple", "nargs", "is_flag", "flag_value", "count",
                   "help", "callback", "envvar", "show_default", "metavar", "hidden", "prompt",
                   "is_eager", "show_envvar", "show_choices", "hide_input"}




def click_type(node: ast.AST, aliases: dict[str, str], text: Text) -> ClickType:
    source = text.node_source(node)
    if isinstance(node, ast.Call):
        name = click_attr(qualified(node.func, aliases))
        if name in _TYPE_CLASSES:
            args: list[tuple[Any, Any]] = [(i, value_of(a, text)) for i, a in enumerate(node.args)]
            args += [(k.arg, value_of(k.value, text)) for k in node.keywords if k.arg]
            return ClickType(name, tuple(args), source)
        return ClickType("unknown", (), source)
    q = qualified(node, aliases)
    name = click_attr(q)
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
        return value_of(kw[name], text) if name in kw else default

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
        attr = click_attr(q)
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
        for n in walk(stmt):
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


def _main_guards(tree: ast.Module) -> Iterator[ast.If]:
    """The module's ``if __name__ == "__main__":`` blocks."""
    for stmt in tree.body:
        if not isinstance(stmt, ast.If):
            continue
        t = stmt.test
        if isinstance(t, ast.Compare) and len(t.ops) == 1 and isinstance(t.ops[0], ast.Eq):
            sides = [t.left, *t.comparators]
            names = [s.id for s in sides if isinstance(s, ast.Name)]
            consts = [s.value for s in sides if isinstance(s, ast.Constant)]
            if names == ["__name__"] and consts == ["__main__"]:
                yield stmt


def _main_calls(tree: ast.Module) -> Iterator[ast.Call]:
    for guard in _main_guards(tree):
        for inner in guard.body:
            for n in walk(inner):
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


def never_invoked(tree: ast.Module, commands: tuple[ClickCommand, ...]) -> bool:
    """The script defines click commands but running it calls none: no
    ``if __name__ == "__main__":`` block at all, and no module-level statement calls a command
    (``main()``, ``main.main()``, ``sys.exit(main())``) or a function of the module that does,
    directly or through others (``run()``).  A guard block that calls something else is
    trusted: it may reach the command through a helper."""
    if not commands or any(True for _ in _main_guards(tree)):
        return False
    reaching = _functions_reaching(tree, {c.function for c in commands})
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import,
                             ast.ImportFrom)):
            continue
        if any(name in reaching for name in _called_names(stmt)):
            return False
    return True


def _called_names(node: ast.AST) -> Iterator[str]:
    """Names of the plain functions called in ``node`` (``main.main()`` counts as ``main``)."""
    for n in walk(node):
        if isinstance(n, ast.Call):
            func = n.func.value if isinstance(n.func, ast.Attribute) and n.func.attr == "main" \
                else n.func
            if isinstance(func, ast.Name):
                yield func.id


def _functions_reaching(tree: ast.Module, commands: set[str]) -> set[str]:
    """The commands, and the module's functions that call one of them, however indirectly."""
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    calls = {name: set(_called_names(ast.Module(body=fn.body, type_ignores=[])))
             for name, fn in functions.items() if name not in commands}
    reaching = set(commands)
    grew = True
    while grew:
        grew = False
        for name, called in calls.items():
            if name not in reaching and called & reaching:
                reaching.add(name)
                grew = True
    return reaching
