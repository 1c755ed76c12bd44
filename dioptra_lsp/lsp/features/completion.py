"""Completion in an MLproject (keys, types, placeholders, --flags) and inside call_task(...)."""

from __future__ import annotations

import re
from pathlib import Path

from lsprotocol import types as lsp

from ...model import fs
from ...model.source import Position
from ...model.types import Unknown
from ..locate import scripts_of
from ..state import norm

TOP_KEYS = ("name", "entry_points", "conda_env", "python_env", "docker_env")
EP_KEYS = ("parameters", "command")
SPEC_KEYS = ("type", "default")
TYPES = ("string", "float", "path", "uri")
CIK = lsp.CompletionItemKind


def _item(label, kind, detail=None, doc=None, insert=None, sort=None):
    return lsp.CompletionItem(label=label, kind=kind, detail=detail, insert_text=insert,
                              sort_text=sort,
                              documentation=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=doc)
                              if doc else None)


def _entry_point_at(mlproject, line: int):
    best = None
    for ep in mlproject.entry_points:
        if ep.name_span.start.line <= line and (best is None or ep.name_span.start.line >= best.name_span.start.line):
            best = ep
    return best


def complete(analysis, path: Path, lines: list[str], pos: Position) -> list[lsp.CompletionItem]:
    line = lines[pos.line] if pos.line < len(lines) else ""
    before = line[:pos.character]
    project = analysis.project if analysis else None
    if project is None:
        return []
    if project.mlproject is not None and norm(project.mlproject_path) == path:
        return _mlproject(project, lines, pos, before)
    return _script(project, path, lines, pos)


def _mlproject(project, lines, pos, before) -> list:
    ml = project.mlproject
    ep = _entry_point_at(ml, pos.line)
    m = re.search(r"\{([A-Za-z0-9_]*)$", before)
    if m and ep is not None:
        return [_item(p.name, CIK.Variable, f"{p.type if isinstance(p.type, str) else 'string'} parameter",
                      insert=p.name + ("" if before.endswith("}") else "}"))
                for p in ep.parameters]
    m = re.search(r"(?:^|\s)(-{1,2}[A-Za-z0-9_-]*)$", before)
    if m and ep is not None and not re.match(r"^\s*-\s*$", before):
        out = []
        passed = set()
        if ep.command is not None:
            passed = {t.value.split("=")[0] for t in ep.command.words if t.value.startswith("-")}
        for link in project.links_for(ep.name):
            click = link.script.entry_command if link.script else None
            if click is None:
                continue
            for opt in click.options:
                for flag in opt.all_flags:
                    if not flag.startswith("--"):
                        continue
                    guess = opt.dest if ep.parameter(opt.dest) else None
                    insert = flag + (f" {{{guess}}}" if guess and not opt.is_flag else "")
                    out.append(_item(flag, CIK.Property, f"{link.invocation.script}: {opt.dest}",
                                     doc=opt.help or None, insert=insert,
                                     sort=("1" if flag in passed else "0") + flag))
        return out
    if re.search(r"\btype\s*:\s*[A-Za-z]*$", before):
        return [_item(t, CIK.EnumMember, "MLproject parameter type") for t in TYPES]
    if re.fullmatch(r"\s*[A-Za-z_]*", before) or re.search(r"[{,]\s*[A-Za-z_]*$", before):
        indent = len(before) - len(before.lstrip())
        inline = "{" in before
        if indent == 0 and not inline:
            keys = TOP_KEYS
        else:
            keys = _keys_for_indent(lines, pos.line, indent, inline)
        return [_item(k, CIK.Keyword, "MLproject key", insert=k if inline else k + ": ") for k in keys]
    return []


def _keys_for_indent(lines, line_no, indent, inline) -> tuple[str, ...]:
    if inline:
        return SPEC_KEYS
    # Walk up to the parent key (the nearest line with a smaller indent).
    parents = []
    level = indent
    for i in range(line_no - 1, -1, -1):
        text = lines[i]
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        ind = len(text) - len(text.lstrip())
        if ind < level:
            parents.append(stripped.split(":")[0].strip())
            level = ind
            if ind == 0:
                break
    if not parents:
        return TOP_KEYS
    if len(parents) >= 2 and parents[-1] == "entry_points" and len(parents) == 2:
        return EP_KEYS
    if len(parents) >= 3 and parents[-1] == "entry_points" and parents[-3] == "parameters":
        return SPEC_KEYS
    return ()


# ------------------------------------------------------------------------------ scripts

_CALL = re.compile(r"call_task\s*\(")
_CONSTANT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*str\s*)?=\s*(['\"])([^'\"\n]*)\2\s*$", re.M)


def _split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments of the text after ``call_task(`` (strings respected)."""
    args, depth, cur, quote, i = [], 0, [], None, 0
    while i < len(text):
        ch = text[i]
        if quote:
            cur.append(ch)
            if ch == "\\" and i + 1 < len(text):
                cur.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
            cur.append(ch)
        elif ch in "([{":
            depth += 1
            cur.append(ch)
        elif ch in ")]}":
            if depth == 0:
                return None   # the call is closed before the cursor
            depth -= 1
            cur.append(ch)
        elif ch == "," and depth == 0:
            args.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    args.append("".join(cur))
    return args


def _string_value(arg: str, constants: dict) -> str | None:
    arg = arg.strip()
    m = re.fullmatch(r"([fF]?)(['\"])(.*)\2", arg, re.S)
    if not m:
        return constants.get(arg) if isinstance(constants.get(arg), str) else None
    value = m.group(3)
    if m.group(1):
        def sub(mm):
            v = constants.get(mm.group(1))
            return v if isinstance(v, str) else mm.group(0)
        value = re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", sub, value)
    return value


def _script(project, path, lines, pos) -> list:
    start_line = max(0, pos.line - 40)
    chunk = "\n".join(lines[start_line:pos.line] + [lines[pos.line][:pos.character]])
    calls = list(_CALL.finditer(chunk))
    if not calls:
        return []
    after = chunk[calls[-1].end():]
    args = _split_args(after)
    if args is None:
        return []
    index = len(args) - 1
    current = args[-1]
    constants = {}
    found = scripts_of(project, path)
    if found:
        constants = {k: v for k, v in found[0][1].constants}
    for m in _CONSTANT.finditer("\n".join(lines)):      # the buffer may not parse while typing
        constants.setdefault(m.group(1), m.group(3))
    values = [_string_value(a, constants) for a in args[:-1]]
    in_string = current.count('"') % 2 == 1 or current.count("'") % 2 == 1
    dirs = project.plugin_dirs
    if index == 0:
        return [_item(p, CIK.Module, "plugin package") for p in _packages(dirs)]
    package = values[0]
    if index == 1 and package:
        return [_item(m, CIK.Module, f"module of {package}") for m in _modules(dirs, package)]
    module = values[1] if len(values) > 1 else None
    plugin = _plugin(project, package, module)
    if index == 2 and plugin is not None and (in_string or not current.strip()):
        return [_item(f.name, CIK.Function, f.signature, doc=f.docstring,
                      insert=f.name if in_string else f'"{f.name}"') for f in plugin.functions]
    if index >= 2 and plugin is not None and not in_string and "=" not in current:
        fn_name = values[2] if len(values) > 2 else None
        fn = plugin.function(fn_name) if fn_name else None
        if fn is None:
            return []
        given = {a.split("=")[0].strip() for a in args[3:-1] if "=" in a}
        return [_item(f"{p.name}=", CIK.Variable, p.annotation or "", insert=f"{p.name}=",
                      doc=f"argument of `{fn.signature}`")
                for p in fn.params if p.kind in ("positional_or_keyword", "keyword_only")
                and p.name not in given]
    return []


def _packages(dirs) -> list[str]:
    out = set()
    for d in dirs:
        for entry in fs.entries(d):
            if entry.is_dir and not entry.name.startswith((".", "_")) \
                    and any(n.endswith(".py") for n in fs.list_dir(entry.path)):
                out.add(entry.name)
                for sub in fs.entries(entry.path):
                    if sub.is_dir and not sub.name.startswith((".", "_")) and \
                            any(n.endswith(".py") for n in fs.list_dir(sub.path)):
                        out.add(f"{entry.name}.{sub.name}")
    return sorted(out)


def _modules(dirs, package: str) -> list[str]:
    out = set()
    for d in dirs:
        base = Path(d).joinpath(*package.split("."))
        for name in fs.list_dir(base):
            if name.endswith(".py") and name != "__init__.py":
                out.add(name[:-3])
            elif fs.is_file(base / name / "__init__.py"):
                out.add(name)
    return sorted(out)


def _plugin(project, package, module):
    if not package or not module:
        return None
    res = project.plugin_resolutions.get((package, module))
    if res is not None and res.plugin is not None:
        return res.plugin
    # Not reached by the model yet (being typed): read it the way the loader would.
    from ...model.source import ReadError, read_source

    for d in project.plugin_dirs:
        base = Path(d).joinpath(*package.split("."))
        for cand in (base / f"{module}.py", base / module / "__init__.py"):
            if fs.is_file(cand):
                try:
                    from ...model.plugins import parse_plugin_module
                except ImportError:
                    return None
                src = read_source(cand)
                if isinstance(src, ReadError):
                    return None
                return parse_plugin_module(src, f"{package}.{module}")
    return None
