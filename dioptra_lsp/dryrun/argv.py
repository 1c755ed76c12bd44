"""Stage 2: the words the script receives, parsed by click itself, without running the script.

The resolved command is split the way the shell would (``shlex``, operators apart); the words of
the simple command that runs the entry point's script go to click's ``make_context`` with
``resilient_parsing=False``, so click's conversions and error messages apply.
"""

from __future__ import annotations

import math
import shlex
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..model.record import record
from .issues import ERROR, INFO, WARNING, Issue

_OPERATORS = {"&&", "||", ";", ";;", "|", "&", "(", ")", "|&"}
_REDIRECTS = {">", ">>", "<", "<<", "<<<", ">&", "<&", "&>", ">|"}


@record
class OptionValue:
    name: str              # click's parameter name (the function argument it fills)
    flag: str              # how it is written on the command line ("--data-dir"), or the name
    value: Any             # the converted value (JSON-ready), or the raw string when not checked
    checked: bool
    note: str | None = None
    source: str = "argv"   # "argv" or "default"


@record
class ArgvCheck:
    argv: tuple[str, ...]             # words of the simple command that runs the script
    options: tuple[OptionValue, ...]
    problems: tuple[Issue, ...]
    values: tuple[tuple[str, Any], ...] = ()   # name -> Python value (for the flow plan)
    command_function: str | None = None

    def value_of(self, name: str) -> tuple[bool, Any]:
        for key, value in self.values:
            if key == name:
                return True, value
        return False, None


EMPTY = ArgvCheck((), (), ())


def shell_words(command: str) -> list[str]:
    """Split like the shell: quotes, backslash-newline continuations, operators as own words.

    MLflow runs the command with ``bash -c``, so an unquoted newline ends a command (it comes
    back as a ``"\\n"`` word); a quoted one stays inside its word.
    """
    lex = shlex.shlex(_join_continuations(command), posix=True, punctuation_chars="();<>|&\n")
    lex.whitespace = " \t\r"
    lex.whitespace_split = True
    lex.commenters = ""    # `#` is a comment only at a word start in sh; rare in commands
    return list(lex)


def _is_operator(word: str) -> bool:
    return word in _OPERATORS or (word != "" and word.strip("\n") == "")


def _join_continuations(text: str) -> str:
    """The shell drops backslash-newline outside single quotes."""
    out, quote, i = [], None, 0
    while i < len(text):
        c = text[i]
        if c == "\\" and quote != "'" and text[i + 1:i + 2] == "\n":
            i += 2
            continue
        if c == "\\" and quote != "'":
            out.append(text[i:i + 2])
            i += 2
            continue
        if c in "'\"" and quote in (None, c):
            quote = None if quote == c else c
        out.append(c)
        i += 1
    return "".join(out)


def simple_commands(words: list[str]) -> list[list[str]]:
    """Words grouped per simple command, redirections and their targets removed."""
    groups: list[list[str]] = [[]]
    skip = False
    for w in words:
        if skip:
            skip = False
        elif _is_operator(w):
            groups.append([])
        elif w in _REDIRECTS:
            skip = True
            if groups[-1] and groups[-1][-1].isdigit():   # `2>file` arrives as "2", ">"
                groups[-1].pop()
        else:
            groups[-1].append(w)
    return [g for g in groups if g]


def _orphan_lines(words: list[str], group: list[str]) -> list[str]:
    """The words of a line after the script's own line that start with a flag (meant as its args)."""
    groups = simple_commands(words)
    i = next((k for k, g in enumerate(groups) if g == group), None)
    if i is None or i + 1 >= len(groups):
        return []
    after = groups[i + 1]
    return after if after[0].startswith("-") else []


def script_args(words: list[str], script: str) -> tuple[list[str], list[str]] | None:
    """(the simple command's words, the words after the script) for the command running it."""
    for group in simple_commands(words):
        if script in group:
            return group, group[group.index(script) + 1:]
    return None


def missing_scripts(model, links) -> tuple[Issue, ...]:
    """Every script the command runs that is not there (the job would fail on it)."""
    return tuple(Issue(
        "missing-script", f"the command runs `{link.invocation.script}`, which does not exist "
        f"(looked for {link.path})", ERROR, model.mlproject_path,
        link.invocation.script_token.span if link.invocation.script_token
        else link.invocation.span, "argv")
        for link in links if link.path is not None and not link.exists)


def check_argv(model, resolution, link, *, import_script: bool = False) -> ArgvCheck:
    if resolution.command is None or link is None:
        return EMPTY
    inv = link.invocation
    script_word = inv.script
    try:
        words = shell_words(resolution.command)
    except ValueError as err:   # an unclosed quote: bash refuses the whole command
        return ArgvCheck((), (), (Issue(
            "shell-syntax", f"the shell cannot read the command: {str(err).lower()}; bash stops "
            f"before running anything", ERROR, model.mlproject_path,
            resolution.entry.command.span if resolution.entry and resolution.entry.command
            else None, "argv"),))
    found = script_args(words, script_word) if script_word else None
    if found is None:
        return ArgvCheck(tuple(words), (), (Issue(
            "argv-not-checked", f"cannot find the words passed to `{script_word}` in the resolved "
            f"command", WARNING, model.mlproject_path, inv.span, "argv"),))
    group, args = found
    script = link.script
    mlp = model.mlproject_path
    orphans = _orphan_lines(words, group)
    if orphans:
        return ArgvCheck(tuple(group), (), (Issue(
            "newline-splits-command", f"the shell runs `{' '.join(orphans)}` as a command of its "
            f"own: a newline in a literal block (`|`) ends the command. Use a folded block (`>`) "
            f"or end the line with `\\`", ERROR, mlp, resolution.entry.command.span, "argv"),))
    if not link.exists:   # reported for every script of the command by missing_scripts()
        return ArgvCheck(tuple(group), (), ())
    if script is None or script.entry_command is None:
        why = ("not a Python script" if script is None else "no click command found in it")
        return ArgvCheck(tuple(group), (), (Issue(
            "argv-not-checked", f"arguments of `{script_word}` not checked: {why}", INFO, mlp,
            inv.span, "argv"),))
    command = script.entry_command
    if import_script:
        from .importer import parse_with_real_command

        return parse_with_real_command(model, link, command, tuple(group), args)
    if command.is_group:
        return ArgvCheck(tuple(group), (), (Issue(
            "argv-not-checked", f"`{command.function}` is a click group; subcommands are not "
            f"checked", INFO, link.path, command.span, "argv"),), (), command.function)
    from .clickbuild import rebuild

    rebuilt = rebuild(command, model.folder)
    if rebuilt.refused:
        return ArgvCheck(tuple(group), (), tuple(Issue(
            "click-declaration", f"click refuses this parameter's declaration when the script "
            f"is imported ({err}), so the script fails before parsing any argument", ERROR,
            link.path, param.span, "argv") for param, err in rebuilt.refused),
            (), command.function)
    return run_click(rebuilt.command, rebuilt.unchecked, command, link, tuple(group), args, mlp,
                     model)


def run_click(click_cmd, unchecked: dict[str, str], command, link, group, args, mlp, model
              ) -> ArgvCheck:
    """``make_context`` on the words; click's exception becomes a problem with click's message."""
    import click

    try:
        ctx = click_cmd.make_context(command.command_name, list(args), resilient_parsing=False)
    except click.exceptions.Exit:
        return ArgvCheck(group, (), (Issue("click-exit", "click exits before running the command "
                                           "(--help or --version is passed)", ERROR, mlp, None,
                                           "argv"),), (), command.function)
    except click.ClickException as err:
        return ArgvCheck(group, (), (_click_issue(err, command, link, mlp, model),), (),
                         command.function)
    except click.exceptions.Abort:
        return ArgvCheck(group, (), (Issue("click-usage", "click aborted", ERROR, mlp, None,
                                           "argv"),), (), command.function)
    options = []
    values = []
    for param in click_cmd.params:
        if param.name is None or param.name not in ctx.params:
            continue
        value = ctx.params[param.name]
        source = ctx.get_parameter_source(param.name)
        from_argv = source is not None and source.name == "COMMANDLINE"
        flag = next((o for o in param.opts if o.startswith("--")), param.opts[0] if param.opts
                    else param.name)
        note = unchecked.get(param.name)
        values.append((param.name, value if note is None or "callback" not in note else _Opaque()))
        options.append(OptionValue(param.name, flag, json_value(value), note is None, note,
                                   "argv" if from_argv else "default"))
    return ArgvCheck(group, tuple(options), (), tuple(values), command.function)


class _Opaque:
    """A value the dry-run does not know (a callback's return value)."""

    def __repr__(self) -> str:
        return "<unknown>"


def _click_issue(err, command, link, mlp, model) -> Issue:
    import click

    message = err.format_message()
    param = getattr(err, "param", None)
    if isinstance(err, click.NoSuchOption):
        span = _flag_span(model, link, err.option_name)
        return Issue("click-usage", f"{message} (in `{link.invocation.script}`'s click command "
                     f"`{command.function}`)", ERROR, mlp, span or link.invocation.span, "argv")
    for p in command.params:
        if param is not None and p.dest == param.name:
            return Issue("click-usage", message, ERROR, link.path, p.span, "argv")
    return Issue("click-usage", message, ERROR, link.path, command.span, "argv")


def _flag_span(model, link, flag: str):
    for tok in link.invocation.args:
        if tok.value.partition("=")[0] == flag:
            return tok.span
    return None


def json_value(value: Any) -> Any:
    """A click value as JSON data: tuples as lists, paths/UUIDs/dates as strings."""
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (Path, uuid.UUID)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return repr(value)
