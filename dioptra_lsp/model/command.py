"""Read a command string the way ``str.format``, bash and then each program will.

Placeholders as ``str.format`` finds them; words and simple commands come from the one shell
reader (``shell.py``); which script each simple command runs, by the rules of the program that
runs it (python's own command line, a shell's, ``env``/``nohup``/... in front).

Offsets are into the command value; ``Command.span_of`` turns them into source ranges.
"""

from __future__ import annotations

import os
import posixpath
import re
from typing import Callable

from .shell import ShellScript, ShellToken, SimpleCommand, parse_shell
from .source import Span
from .types import Placeholder, ScriptInvocation

SpanOf = Callable[[int, int], Span]


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


def read_shell(value: str, span_of: SpanOf | None, *, template: bool = False
               ) -> tuple[ShellScript, tuple[ScriptInvocation, ...]]:
    """The command as bash reads it, and the scripts its simple commands run.

    ``template``: ``value`` is an MLproject command before ``str.format``: bash will see each
    ``{{`` as ``{`` and ``}}`` as ``}`` (a ``{name}`` becomes the quoted value, one word part);
    offsets stay those of ``value``.
    """
    origin = _unescaped(value) if template and ("{{" in value or "}}" in value) else None
    script = parse_shell(origin[0] if origin else value, span_of,
                         (value, origin[1]) if origin else None)
    return script, invocations(script, span_of)


def _unescaped(value: str) -> tuple[str, list[int]]:
    """``value`` with ``{{``/``}}`` as ``str.format`` turns them into ``{``/``}``, and where each
    character came from (one entry more, for the end)."""
    out: list[str] = []
    offsets: list[int] = []
    i, n = 0, len(value)
    while i < n:
        pair = value[i:i + 2]
        if pair in ("{{", "}}"):
            out.append(pair[0])
            offsets.append(i)
            i += 2
            continue
        if value[i] == "{":   # a placeholder: kept as written
            close = value.find("}", i)
            close = n - 1 if close < 0 else close
            out.append(value[i:close + 1])
            offsets.extend(range(i, close + 1))
            i = close + 1
            continue
        out.append(value[i])
        offsets.append(i)
        i += 1
    offsets.append(n)
    return "".join(out), offsets


# --------------------------------------------------------------------------- programs

_PYTHON = re.compile(r"(?:.*/)?python(?:\d+(?:\.\d+)?)?").fullmatch
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "$SHELL", "${SHELL}"})

# CPython's command line (Python/getopt.c, 3.11-3.13): single-letter options combine
# (``-um mod``); ``c``, ``m``, ``W``, ``X`` take the rest of the word or the next word; ``-c``
# and ``-m`` end the options; ``--`` ends them too; ``-`` reads the program from stdin.
_PY_FLAGS = frozenset("bBdEiIOPqRsStuvx")
_PY_WITH_VALUE = frozenset("cmWX")
_PY_EXITS = {"h": "prints its help", "?": "prints its help", "V": "prints its version",
             "--help": "prints its help", "--help-all": "prints its help",
             "--help-env": "prints its help", "--help-xoptions": "prints its help",
             "--version": "prints its version"}
_PY_HASH_CHECKS = ("default", "always", "never")

# Programs that run the rest of their words as a command: the options each accepts, and those
# of them that take a value as the next word (or attached).  Anything else: not read.
_RUNNERS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "env": (frozenset({"-i", "-0", "-v", "--ignore-environment", "--null", "--debug"}),
            frozenset({"-u", "--unset", "-C", "--chdir"})),
    "exec": (frozenset({"-c", "-l"}), frozenset({"-a"})),
    "nohup": (frozenset(), frozenset()),
    "time": (frozenset({"-p", "-a", "-v", "-q", "--portability", "--append", "--verbose",
                        "--quiet"}), frozenset({"-f", "-o", "--format", "--output"})),
    "command": (frozenset({"-p"}), frozenset()),
    "stdbuf": (frozenset(), frozenset({"-i", "-o", "-e", "--input", "--output", "--error"})),
    "nice": (frozenset(), frozenset({"-n", "--adjustment"})),
    "timeout": (frozenset({"--preserve-status", "--foreground", "-v", "--verbose"}),
                frozenset({"-s", "--signal", "-k", "--kill-after"})),
}


def invocations(script: ShellScript, span_of: SpanOf | None = None
                ) -> tuple[ScriptInvocation, ...]:
    """The scripts run by each simple command (``python x.py``, ``bash x.sh``, ``./x.sh``)."""
    found: list[ScriptInvocation] = []
    commands = script.commands
    for index, simple in enumerate(commands):
        inv = _invocation(simple, span_of)
        if inv is not None:
            found.append(_with_workdir(inv, commands, index))
    return tuple(found)


def _invocation(simple: SimpleCommand, span_of: SpanOf | None) -> ScriptInvocation | None:
    words = simple.words
    span = span_of(simple.start, simple.end) if span_of else None
    i, workdir = skip_runners(words)
    if i is None or i >= len(words):
        return None
    program_tok = words[i]
    if not program_tok.literal:
        return None   # the program itself is computed at run time: nothing to read
    program = program_tok.value

    def make(script: ShellToken | None, is_module: bool, args, refused: str | None = None,
             script_value: str | None = None) -> ScriptInvocation:
        value = script_value if script_value is not None else (script.value if script else None)
        return ScriptInvocation(program, value, script, is_module, tuple(args), span, simple,
                                workdir, refused)

    if _PYTHON(program):
        return _python(words, i, make, span_of)
    if program in _SHELLS or os.path.basename(program) in _SHELLS:
        return _shell(words, i, make)
    if program.endswith((".py", ".sh")):
        return make(program_tok, False, words[i + 1:])
    return None


def skip_runners(words: tuple[ShellToken, ...]) -> tuple[int | None, str | None]:
    """The index of the program after ``env A=1 nohup ...`` (None when it cannot be read), and
    a folder ``env -C`` runs it in ("" when none)."""
    i, workdir = 0, ""
    while i < len(words) and words[i].literal and words[i].value in _RUNNERS:
        runner = words[i].value
        flags, with_value = _RUNNERS[runner]
        i += 1
        while i < len(words):
            word = words[i]
            if not word.literal:
                return None, workdir
            v = word.value
            if v == "--":
                i += 1
                break
            if runner == "env" and "=" in v and not v.startswith("-"):
                i += 1    # NAME=value for the program's environment
                continue
            if not v.startswith("-") or v == "-":
                break
            name, eq, attached = v.partition("=")
            short = v[:2] if not v.startswith("--") else name
            if v in flags or (runner == "nice" and v[1:].isdigit()):
                i += 1
            elif name in with_value and eq or (short in with_value and len(v) > 2
                                                 and not v.startswith("--")):
                value = attached if eq else v[2:]
                if short in ("-C", "--chdir"):
                    workdir = value
                i += 1
            elif v in with_value and i + 1 < len(words):
                if v in ("-C", "--chdir"):
                    workdir = words[i + 1].value if words[i + 1].literal else None
                i += 2
            else:
                return None, workdir   # an option we do not know: what runs is not read
        if runner == "timeout":
            i += 1   # the duration
    return i, workdir


def _python(words, i: int, make, span_of: SpanOf | None) -> ScriptInvocation | None:
    """``python [options] (script | -m module | -c command | -) args``, as CPython reads it."""
    j = i + 1
    while j < len(words):
        word = words[j]
        if not word.literal:
            return None   # an option computed at run time: python's reading is not known
        v = word.value
        if not v.startswith("-") or v == "-":
            break
        j += 1
        if v == "--":
            break
        if v.startswith("--"):
            if v in _PY_EXITS:
                return make(None, False, (), f"python {_PY_EXITS[v]} and exits ({v})")
            if v == "--check-hash-based-pycs":
                if j >= len(words):
                    return make(None, False, (), f"python stops: {v} needs a value")
                if words[j].value not in _PY_HASH_CHECKS:
                    return make(None, False, (), f"python stops: {v} must be one of "
                                                 f"'default', 'always', or 'never'")
                j += 1
                continue
            return make(None, False, (), f"python stops: unknown option {v}")
        k = 1
        while k < len(v):
            letter = v[k]
            if letter in _PY_WITH_VALUE:
                rest = v[k + 1:]
                if rest:
                    value_tok, value = _attached(word, k + 1, span_of), rest
                elif j < len(words):
                    value_tok, value = words[j], words[j].value
                    j += 1
                else:
                    return make(None, False, (), f"python stops: argument expected for the "
                                                 f"-{letter} option")
                if letter == "m":
                    if not value_tok.literal:
                        return make(value_tok, True, words[j:])
                    return make(value_tok, True, words[j:], script_value=value)
                if letter == "c":
                    return make(None, False, words[j:])
                break   # -W / -X took the rest of the word
            if letter in _PY_EXITS:
                return make(None, False, (), f"python {_PY_EXITS[letter]} and exits (-{letter})")
            if letter not in _PY_FLAGS:
                return make(None, False, (), f"python stops: unknown option -{letter}"
                            + (" (reserved for Jython)" if letter == "J" else ""))
            k += 1
    if j >= len(words) or words[j].value == "-":
        return None   # the program comes from stdin
    return make(words[j], False, words[j + 1:])


def _attached(word: ShellToken, at: int, span_of: SpanOf | None) -> ShellToken:
    """The part of an unquoted word after its first ``at`` characters (``-mpkg`` -> ``pkg``),
    with its own offsets; the whole word when quoting makes text and value differ."""
    if word.text != word.value:
        return word
    start = word.start + at
    return ShellToken(word.text[at:], word.value[at:], start, word.end,
                      span_of(start, word.end) if span_of else None, word.computed,
                      word.splits, word.glob)


def _shell(words, i: int, make) -> ScriptInvocation | None:
    """``bash [options] script args``: ``-o``/``-O`` take a value; ``-c``/``-s`` run no script."""
    j = i + 1
    while j < len(words):
        word = words[j]
        if not word.literal:
            return None
        v = word.value
        if v in ("--", "-"):
            j += 1
            break
        if v in ("--rcfile", "--init-file"):
            j += 2
            continue
        if v.startswith("--"):
            j += 1
            continue
        if not v.startswith(("-", "+")) or len(v) < 2:
            break
        letters = v[1:]
        if "c" in letters or "s" in letters:
            return None   # the command comes from a string or stdin: not read
        j += 1 + sum(1 for c in letters if c in "oO")
    if j >= len(words):
        return None
    return make(words[j], False, words[j + 1:])


# --------------------------------------------------------------------------- working folder


_SUBSHELLS = ("subshell", "pipeline", "async")
_CONDITIONAL = ("if", "loop", "case", "function")


def _with_workdir(inv: ScriptInvocation, commands: tuple[SimpleCommand, ...],
                  index: int) -> ScriptInvocation:
    """The folder the program runs in after the ``cd``s before it (None when bash decides it
    only at run time: a computed or conditional ``cd``)."""
    workdir: str | None = ""
    scope = commands[index].scope
    for k in range(index):
        before = commands[k]
        if not before.words or not before.words[0].literal or \
                before.words[0].value not in ("cd", "pushd", "popd"):
            continue
        effect = _reach(before.scope, scope)
        if effect == "no":
            continue
        target = _cd_target(before)
        nxt = next((c for c in commands[k + 1:index + 1] if c.scope == before.scope), None)
        if effect == "maybe" or target is None or (nxt is not None and nxt.connector == "||"):
            workdir = None
            break
        workdir = posixpath.normpath(posixpath.join(workdir, target))
    if workdir is None or inv.workdir is None:
        workdir = None
    elif inv.workdir:
        workdir = posixpath.normpath(posixpath.join(workdir, inv.workdir))
    if workdir == ".":
        workdir = ""
    if workdir == inv.workdir:
        return inv
    from .record import replace

    return replace(inv, workdir=workdir)


def _reach(cd_scope, scope) -> str:
    """Whether a ``cd`` in ``cd_scope`` changes the folder of a later command in ``scope``."""
    common = 0
    while common < min(len(cd_scope), len(scope)) and cd_scope[common] == scope[common]:
        common += 1
    inner = [kind for kind, _ in cd_scope[common:]]
    if any(kind in _SUBSHELLS for kind in inner):
        return "no"
    if any(kind in _CONDITIONAL for kind in inner):
        return "maybe"
    return "yes"


def _cd_target(command: SimpleCommand) -> str | None:
    """The folder ``cd DIR`` (or ``pushd DIR``) goes to, or None when it is not literal."""
    if command.words[0].value == "popd":
        return None
    args = list(command.words[1:])
    while args and args[0].literal and args[0].value in ("-L", "-P", "-e", "-@", "-n"):
        args.pop(0)
    if args and args[0].literal and args[0].value == "--":
        args.pop(0)
    if len(args) != 1 or not args[0].literal or args[0].value in ("", "-"):
        return None
    return args[0].value
