"""How an MLproject command runs the task engine: ``run-experiment x.yml -P name={name}``.

Reads the words of each simple command bash finds in the command (``Command.simple_commands``:
assignments and redirections apart, ``env``/``nohup``/... in front skipped as the model's
invocations skip them) the way ``run-experiment``'s and ``validate-experiment``'s argparse
parsers do:
the first positional word is the experiment file; ``-P name=value`` (also ``-Pname=value``
and ``-P=name=value``) passes a global parameter; ``-l``/``--log-level`` takes a value.
"""

from __future__ import annotations

import os
from typing import Any

from .command import skip_runners
from .record import record
from .shell import ShellToken
from .source import Span
from .types import Command

RUN = "run-experiment"
VALIDATE = "validate-experiment"
PROGRAMS = (RUN, VALIDATE)


@record
class ParamArg:
    """``-P name=value`` as run-experiment receives it."""

    name: str                      # before the first ``=`` (the whole word for a bare ``-P name``)
    value: str | None              # after the first ``=`` (None: bare ``-P name`` means true)
    token: ShellToken              # the word holding ``name=value``
    name_span: Span
    value_span: Span | None
    placeholders: tuple[str, ...]  # MLproject ``{placeholders}`` in the value, in order

    @property
    def value_is_placeholder(self) -> bool:
        """The value is exactly one ``{name}`` (MLflow fills it with the parameter's value)."""
        return self.value is not None and len(self.placeholders) == 1 \
            and self.value.strip() == "{" + self.placeholders[0] + "}"


@record
class ExperimentCall:
    """One ``run-experiment`` or ``validate-experiment`` simple command."""

    program: str                   # RUN or VALIDATE
    program_token: ShellToken
    file: str | None               # the experiment file as written (None when none is given)
    file_token: ShellToken | None
    params: tuple[ParamArg, ...]
    span: Span                     # the simple command


def experiment_calls(command: Command) -> tuple[ExperimentCall, ...]:
    out = []
    for simple in command.simple_commands:
        words = simple.words
        i, _ = skip_runners(words)
        if i is None or i >= len(words) or not words[i].literal:
            continue
        program = os.path.basename(words[i].value)
        if program in PROGRAMS:
            out.append(_call(command, program, words[i], list(words[i + 1:]),
                             command.span_of(simple.start, simple.end)))
    return tuple(out)


def scan_arguments(program: str, words: list[str]) -> tuple[int | None, list[tuple[int, int]]]:
    """How argparse reads the arguments of ``run-experiment``/``validate-experiment``: the
    index of the experiment file (the first positional word), and for each ``-P`` the index
    of the word holding ``name=value`` with the characters to skip before it (``-P x=1`` is
    (i+1, 0), ``-Px=1`` (i, 2), ``-P=x=1`` (i, 3)).  Shared by the model (on the command as
    written) and the dry-run (on the command MLflow builds)."""
    file_index: int | None = None
    params: list[tuple[int, int]] = []
    i = 0
    options_done = False
    while i < len(words):
        word = words[i]
        if not options_done and word == "--":
            options_done = True
        elif not options_done and program == RUN and word.startswith("-P"):
            if word == "-P":
                if i + 1 < len(words):
                    params.append((i + 1, 0))
                    i += 1
            else:
                params.append((i, 3 if word.startswith("-P=") else 2))
        elif not options_done and program == RUN and (word == "-l" or _long_option(word, "--log-level")):
            if "=" not in word:
                i += 1
        elif not options_done and word.startswith("-") and word != "-":
            pass   # -lDEBUG, -q, --quiet, -h: no separate value
        elif file_index is None:
            file_index = i
        i += 1
    return file_index, params


def _call(command: Command, program: str, program_token: ShellToken, args: list[ShellToken],
          span: Span) -> ExperimentCall:
    file_index, found = scan_arguments(program, [t.value for t in args])
    file_token = args[file_index] if file_index is not None else None
    params = tuple(_param(command, args[i], skip) for i, skip in found)
    return ExperimentCall(program, program_token, file_token.value if file_token else None,
                          file_token, params, span)


def _long_option(word: str, option: str) -> bool:
    """argparse accepts an unambiguous prefix of a long option (``--log`` for ``--log-level``)."""
    name = word.split("=", 1)[0]
    return len(name) > 2 and option.startswith(name)


def _param(command: Command, tok: ShellToken, skip: int) -> ParamArg:
    """``name=value`` from the word ``tok`` (after ``skip`` characters of ``-P`` or ``-P=``)."""
    word = tok.value[skip:]
    name, eq, value = word.partition("=")
    raw = tok.text
    # Map the name and value back to the raw word (quotes may surround either part).
    raw_eq = _raw_index(raw, skip, len(name)) if eq else None
    if raw_eq is None:
        name_span = command.span_of(tok.start + _raw_index(raw, 0, skip), tok.end) if skip else tok.span
        return ParamArg(word, None, tok, name_span, None, ())
    name_start = tok.start + _raw_index(raw, 0, skip)
    name_span = command.span_of(name_start, tok.start + raw_eq)
    value_span = command.span_of(tok.start + raw_eq + 1, tok.end) if raw_eq + 1 < len(raw) else None
    names = tuple(p.name for p in command.placeholders_between(tok.start + raw_eq + 1, tok.end)
                  if p.valid)
    return ParamArg(name, value, tok, name_span, value_span, names)


def _raw_index(raw: str, start_chars: int, count: int) -> int:
    """The offset in ``raw`` (a shell word with quotes) of the value character at
    ``start_chars + count`` (quote characters skipped)."""
    target = start_chars + count
    seen = 0
    i = 0
    quote = ""
    while i < len(raw):
        ch = raw[i]
        if quote:
            if ch == quote:
                quote = ""
                i += 1
                continue
        elif ch in "'\"":
            quote = ch
            i += 1
            continue
        elif ch == "\\" and i + 1 < len(raw):
            if seen == target:
                return i
            seen += 1
            i += 2
            continue
        if seen == target:
            return i
        seen += 1
        i += 1
    return len(raw)


# --------------------------------------------------------------------------- values

_NOT_GIVEN = object()


def read_param_value(text: str | None) -> tuple[bool, Any, str | None]:
    """What run-experiment makes of ``-P name=<text>``: the text read as YAML with
    ``yaml.safe_load`` (``[28,28,1]`` a list, ``1e-6`` a string, an empty text None); a bare
    ``-P name`` (``text`` None) is True.  (ok, value, error message)."""
    if text is None:
        return True, True, None
    import yaml

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return True, yaml.load(text, Loader=loader), None
    except yaml.YAMLError as err:
        return False, None, str(err).replace("\n", " ")
    except (ValueError, TypeError, OverflowError, RecursionError) as err:
        return False, None, str(err)


def mlflow_text(parameter: Any) -> str | None:
    """The text MLflow substitutes for ``{name}`` when the parameter keeps its default
    (``str()`` of the default as YAML read it); None when there is no default."""
    if not parameter.has_default:
        return None
    return str(parameter.default)


def default_texts(entry_point: Any) -> dict[str, str | None]:
    """What MLflow substitutes for each parameter of an entry point that keeps its default."""
    return {p.name: mlflow_text(p) for p in entry_point.parameters} if entry_point is not None else {}


def param_text(arg: ParamArg, values: Any) -> str | None:
    """The text after ``=`` once MLflow has filled the placeholders (``values``: parameter name
    to the text it substitutes, e.g. :func:`default_texts`); None when a placeholder has no
    value (it is only known when the job is submitted)."""
    if arg.value is None:
        return None
    if not isinstance(values, dict):   # an entry point: its defaults
        values = default_texts(values)
    text = arg.value
    for name in dict.fromkeys(arg.placeholders):
        filled = values.get(name)
        if filled is None:
            return None
        text = text.replace("{" + name + "}", filled)
    if "{" in text or "}" in text:
        return None   # a placeholder we could not fill, or escaped braces: not judged
    return text
