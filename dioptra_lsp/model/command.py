"""Read a command string the way ``str.format`` and then the shell will: placeholders, words, scripts.

Offsets are into the command value; ``Command.span_of`` turns them into source ranges.
"""

from __future__ import annotations

import os
import re
from typing import Callable

from .source import Span
from .types import Placeholder, ScriptInvocation, ShellToken

SpanOf = Callable[[int, int], Span]

_OPERATORS = ("&&", "||", ";;", ";", "|", "&", "(", ")")
_REDIRECTS = (">>", ">", "<", "2>", "2>>", "&>")
_OPERATORS_LONGEST_FIRST = tuple(sorted(_OPERATORS + _REDIRECTS, key=len, reverse=True))
_OPERATOR_START = frozenset(o[0] for o in _OPERATORS_LONGEST_FIRST)
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_PYTHON = re.compile(r"^(?:.*/)?python(?:\d+(?:\.\d+)?)?$")
_SHELLS = {"bash", "sh", "zsh", "dash", "ksh", "$SHELL", "${SHELL}"}
_PREFIXES = {"env", "exec", "time", "nohup", "command", "stdbuf"}
# python options that take a value as the next word
_PYTHON_OPTS_WITH_VALUE = {"-W", "-X", "-Q"}


def parse_placeholders(value: str, span_of: SpanOf) -> tuple[tuple[Placeholder, ...], str | None, int | None]:
    """Every ``{field}`` as ``str.format`` parses it; also the first format error and its offset."""
    found: list[Placeholder] = []
    i, n = 0, len(value)
    while i < n:
        ch = value[i]
        if ch == "{":
            if value[i + 1:i + 2] == "{":
                i += 2
                continue
            depth, j = 1, i + 1
            while j < n:
                if value[j] == "{":
                    depth += 1
                elif value[j] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= n:
                return tuple(found), "unmatched `{` (write `{{` for a literal brace)", i
            found.append(_placeholder(value[i:j + 1], i, span_of(i, j + 1)))
            i = j + 1
        elif ch == "}":
            if value[i + 1:i + 2] == "}":
                i += 2
                continue
            return tuple(found), "single `}` (write `}}` for a literal brace)", i
        else:
            i += 1
    return tuple(found), None, None


def _placeholder(raw: str, offset: int, span: Span) -> Placeholder:
    inner = raw[1:-1]
    field, conversion, spec = inner, None, ""
    # The field name ends at the first "!" or ":" (brackets may not contain them in practice).
    cut = len(inner)
    for k, c in enumerate(inner):
        if c in "!:":
            cut = k
            break
    field = inner[:cut]
    rest = inner[cut:]
    if rest.startswith("!"):
        conversion = rest[1:2]
        rest = rest[2:]
    if rest.startswith(":"):
        spec = rest[1:]
    name = re.split(r"[.\[]", field, maxsplit=1)[0]
    valid = (bool(name) and not name.isdigit() and name == field and conversion is None
             and spec == "")
    return Placeholder(name, raw, span, offset, conversion, spec, valid)


_PLAIN_RUN = re.compile(r"[^ \t\n;&|()<>\\'\"]+").match   # the word loop's "just append" characters


def tokenize(value: str, span_of: SpanOf) -> tuple[tuple[ShellToken, ...], int | None]:
    """Split like a POSIX shell: quotes, backslashes, comments and control operators.

    Also returns the offset of a quote that is never closed (bash refuses such a command), or
    None.
    """
    tokens: list[ShellToken] = []
    unclosed: int | None = None
    i, n = 0, len(value)
    while i < n:
        ch = value[i]
        if ch in " \t\n":
            i += 1
            continue
        if ch == "\\" and value[i + 1:i + 2] == "\n":   # line continuation
            i += 2
            continue
        if ch == "#":
            nl = value.find("\n", i)
            i = n if nl < 0 else nl
            continue
        op = None
        if ch in _OPERATOR_START:
            op = next((o for o in _OPERATORS_LONGEST_FIRST if value.startswith(o, i)), None)
        if op is not None and not (op == "2>" and tokens_continue(value, i)):
            tokens.append(ShellToken(op, op, i, i + len(op), span_of(i, i + len(op))))
            i += len(op)
            continue
        start = i
        word: list[str] = []
        while i < n:
            ch = value[i]
            if ch in " \t\n" or ch in ";&|()<>":
                break
            if ch == "\\":
                if value[i + 1:i + 2] == "\n":
                    i += 2
                    continue
                word.append(value[i + 1:i + 2])
                i += 2
                continue
            if ch == "'":
                close = value.find("'", i + 1)
                if close < 0 and unclosed is None:
                    unclosed = i
                close = n if close < 0 else close
                word.append(value[i + 1:close])
                i = close + 1
                continue
            if ch == '"':
                opened = i
                i += 1
                while i < n and value[i] != '"':
                    if value[i] == "\\" and value[i + 1:i + 2] in ('"', "\\", "$", "`", "\n"):
                        if value[i + 1] != "\n":
                            word.append(value[i + 1])
                        i += 2
                        continue
                    word.append(value[i])
                    i += 1
                if i >= n and unclosed is None:
                    unclosed = opened
                i += 1
                continue
            # a run of ordinary characters in one step (most of a command is these)
            m = _PLAIN_RUN(value, i)
            word.append(m.group())
            i = m.end()
        end = min(i, n)
        tokens.append(ShellToken(value[start:end], "".join(word), start, end, span_of(start, end)))
    return tuple(tokens), unclosed


def tokens_continue(value: str, i: int) -> bool:
    """``2>`` is a redirect only at a word start: ``a2>b`` is handled by the word loop."""
    return i > 0 and value[i - 1] not in " \t\n"


def invocations(tokens: tuple[ShellToken, ...], span_of: SpanOf) -> tuple[ScriptInvocation, ...]:
    """The scripts run by each simple command (``python x.py``, ``bash x.sh``, ``./x.sh``)."""
    found: list[ScriptInvocation] = []
    simple: list[ShellToken] = []
    for tok in tokens + (None,):  # type: ignore[operator]
        if tok is None or tok.text in _OPERATORS:
            if simple:
                inv = _invocation(simple, span_of)
                if inv is not None:
                    found.append(inv)
            simple = []
        else:
            simple.append(tok)
    return tuple(found)


def _invocation(words: list[ShellToken], span_of: SpanOf) -> ScriptInvocation | None:
    # Drop redirections and their targets: they are not arguments.
    kept: list[ShellToken] = []
    skip = False
    for w in words:
        if skip:
            skip = False
            continue
        if w.text in _REDIRECTS:
            skip = True
            continue
        kept.append(w)
    words = kept
    i = 0
    while i < len(words) and (_ASSIGNMENT.match(words[i].text) or words[i].value in _PREFIXES):
        i += 1
    if i >= len(words):
        return None
    span = Span(words[0].span.start, words[-1].span.end)
    program_tok = words[i]
    program = program_tok.value
    base = os.path.basename(program)
    if _PYTHON.match(program):
        j = i + 1
        while j < len(words) and words[j].value.startswith("-") and words[j].value != "-":
            opt = words[j].value
            if opt == "-m":
                if j + 1 < len(words):
                    mod = words[j + 1]
                    return ScriptInvocation(program, mod.value, mod, True, tuple(words[j + 2:]), span)
                return None
            if opt == "-c":
                return ScriptInvocation(program, None, None, False, tuple(words[j + 2:]), span)
            j += 2 if opt in _PYTHON_OPTS_WITH_VALUE else 1
        if j < len(words):
            script = words[j]
            return ScriptInvocation(program, script.value, script, False, tuple(words[j + 1:]), span)
        return None
    if program in _SHELLS or base in _SHELLS:
        j = i + 1
        while j < len(words) and words[j].value.startswith("-"):
            if words[j].value == "-c":
                return None
            j += 1
        if j < len(words):
            script = words[j]
            return ScriptInvocation(program, script.value, script, False, tuple(words[j + 1:]), span)
        return None
    if program.endswith((".py", ".sh")):
        return ScriptInvocation(program, program, program_tok, False, tuple(words[i + 1:]), span)
    return None
