"""Stage 2: the words the script receives, parsed by click itself, without running the script.

The resolved command is read by the model's shell reader (``model/shell.py``, the one that
reads the MLproject's command for ``check``); the words the entry point's script receives go to
click's ``make_context`` with ``resilient_parsing=False``, so click's conversions and error
messages apply.  Words bash computes only at run time are not guessed: the arguments are then
"not checked".
"""

from __future__ import annotations

import os

import math
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..model.record import record
from .issues import ERROR, Issue, not_checked


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


def resolved_invocation(resolution, link, runs):
    """The invocation of the resolved command (``runs``, as bash reads it) that ``link``'s
    written invocation became; None when substituted values made bash read it another way."""
    command = resolution.entry.command if resolution.entry is not None else None
    written = command.invocations if command is not None else ()
    index = next((k for k, inv in enumerate(written) if inv is link.invocation), None)
    if index is None or len(runs) != len(written):
        return None
    run = runs[index]
    if run.program != link.invocation.program or (
            "{" not in (link.invocation.script or "") and run.script != link.invocation.script):
        return None
    return run


def _words(command) -> tuple[str, ...]:
    """The words of a simple command as bash passes them (assignments first, no redirections)."""
    return tuple(w.value for w in command.assignments + command.words)


def _orphan_line(shell, run) -> tuple[str, ...]:
    """The words of the line after the script's own line when they start with a flag: meant as
    its arguments, run by bash as a command of their own."""
    commands = shell.commands
    k = commands.index(run.command)
    if k + 1 >= len(commands):
        return ()
    after = commands[k + 1]
    if after.connector != "\n" or not after.words or not after.words[0].value.startswith("-"):
        return ()
    return tuple(w.value for w in after.words)


def not_literal(run, cwd) -> object | None:
    """The first argument whose value bash computes at run time (an expansion, or a file-name
    pattern that matches files in ``cwd``), or None."""
    for word in run.args:
        if word.literal:
            continue
        if word.computed is None and word.glob and not _pattern_matches(word.value, cwd):
            continue   # a pattern matching nothing stays as written (bash's default)
        return word
    return None


def _pattern_matches(pattern: str, cwd) -> bool:
    import glob

    try:
        return bool(glob.glob(pattern.replace("[^", "[!"), root_dir=cwd))
    except (OSError, ValueError):
        return True   # cannot tell: treat as computed


def missing_scripts(model, links) -> tuple[Issue, ...]:
    """Every script the command runs that is not there, and every python that stops before
    running one (the job would fail on it, or do nothing)."""
    found = []
    for link in links:
        inv = link.invocation
        if inv.refused is not None:
            found.append(Issue("python-refused", f"`{inv.program}` {inv.refused}: no script runs",
                               ERROR, model.mlproject_path, inv.span, "argv"))
        elif link.path is not None and not link.exists:
            found.append(Issue(
                "missing-script", f"the command runs `{inv.script}`, which does not exist "
                f"(looked for {link.path})", ERROR, model.mlproject_path,
                inv.script_token.span if inv.script_token else inv.span, "argv"))
    return tuple(found)


def script_problems(model, links) -> tuple[Issue, ...]:
    """What keeps each script the command runs from being checked: Python refusing to compile
    it (the job fails), or this tool not being able to read or analyse it (not checked)."""
    out: list[Issue] = []
    seen: set = set()
    for link in links:
        if link.path is None or link.path in seen or not link.exists and link.read_error is None:
            continue
        seen.add(link.path)
        part = f"script `{link.invocation.script}`"
        where = link.invocation.script_token.span if link.invocation.script_token else None
        if link.read_error is not None:
            out.append(not_checked("script-not-read", part, f"cannot read {link.path}: "
                                   f"{link.read_error.message}", model.mlproject_path, where))
            continue
        for problem in link.script.problems if link.script is not None else ():
            if problem.kind == "syntax":
                out.append(Issue("syntax", f"Python refuses to run {link.invocation.script}: "
                                 f"{problem.message}", ERROR, link.path, problem.span, "argv"))
                break
            if problem.kind == "unanalysed":
                out.append(not_checked("script-not-analysed", part, problem.message, link.path,
                                       problem.span))
                break
    return tuple(out)


def _script_unusable(link) -> bool:
    """Reported by ``script_problems``: there is nothing more to say about its arguments."""
    return link.read_error is not None or (link.script is not None and any(
        p.kind in ("syntax", "unanalysed") for p in link.script.problems))


#: Programs that cannot make the job fail and pass nothing on: no need to check them.
_INERT = {"true", ":", "echo", "printf", "export", "set", "unset"}


def unchecked_programs(model, resolution, handled: tuple[str, ...] = ()) -> tuple[Issue, ...]:
    """Every simple command of the resolved command that runs none of the scripts the model
    follows (``validate-experiment x.yml``, ``cd src``), and every construct the shell reader
    does not model (``[[ ]]``, ``(( ))``): the dry-run cannot say they would work."""
    if resolution.command is None:
        return ()
    from ..model.command import read_shell

    shell, runs = read_shell(resolution.command, None)
    if shell.error is not None:      # reported as shell-syntax by check_argv
        return ()
    written = resolution.entry.command if resolution.entry is not None else None
    span = written.span if written is not None else None
    mlp = model.mlproject_path
    covered = {id(run.command) for run in runs}
    out = []
    for command in shell.commands:
        if id(command) in covered or not command.words:
            continue
        program = command.words[0].value
        if program in _INERT or _changes_to_a_folder(command, model.folder) \
                or os.path.basename(program) in handled:
            continue
        shown = _shorten(" ".join(w.value for w in command.assignments + command.words))
        out.append(not_checked("program-not-checked", f"command `{shown}`",
                               f"runs `{program}`, a program the dry-run does not check", mlp,
                               span))
    for construct, _ in shell.unmodelled:
        out.append(not_checked("shell-not-modelled", f"`{construct}` in the command",
                               "the dry-run does not model what bash does inside it", mlp, span))
    return tuple(out)


def _changes_to_a_folder(command, folder) -> bool:
    """``cd src``: the model already resolves the scripts after it in that folder (a missing
    one is an error there), so a literal folder that exists needs no other check."""
    from ..model import fs

    words = command.words
    return (words[0].value == "cd" and len(words) == 2 and words[1].literal
            and fs.is_dir(folder / words[1].value))


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def check_argv(model, resolution, link, *, import_script: bool = False,
               whole_command: bool = True) -> ArgvCheck:
    """The argv of ``link``'s script, parsed by click.  ``whole_command``: also report what
    concerns the whole command (bash refusing it, no script found in it), once per report."""
    if resolution.command is None or model is None:
        return EMPTY
    from ..model.command import read_shell

    shell, runs = read_shell(resolution.command, None)
    mlp = model.mlproject_path
    written = resolution.entry.command if resolution.entry is not None else None
    if shell.error is not None:
        return ArgvCheck((), (), (Issue(
            "shell-syntax", f"bash refuses the command: {shell.error}", ERROR, mlp,
            written.span if written else None, "argv"),) if whole_command else ())
    if link is None:     # what the command runs instead: unchecked_programs says
        return EMPTY
    inv = link.invocation
    script_word = inv.script
    run = resolved_invocation(resolution, link, runs)
    if run is None:
        return ArgvCheck((), (), (not_checked(
            "argv-not-checked", f"arguments of `{script_word}`", "with the values substituted, "
            "bash reads the command differently from how it is written", mlp, inv.span),))
    group = _words(run.command)
    args = tuple(w.value for w in run.args)
    script = link.script
    orphans = _orphan_line(shell, run)
    if orphans:
        return ArgvCheck(group, (), (Issue(
            "newline-splits-command", f"the shell runs `{' '.join(orphans)}` as a command of its "
            f"own: a newline in a literal block (`|`) ends the command. Use a folded block (`>`) "
            f"or end the line with `\\`", ERROR, mlp, resolution.entry.command.span, "argv"),))
    if not link.exists:   # reported for every script of the command by missing_scripts()
        if link.path is None and inv.refused is None:
            return ArgvCheck(group, (), (not_checked(
                "argv-not-checked", f"`{_shorten(' '.join(group))}`", "which file runs is "
                "decided at run time", mlp, inv.span),))
        return ArgvCheck(group, (), ())
    if _script_unusable(link):   # reported by script_problems
        return ArgvCheck(group, (), ())
    cwd = model.folder / inv.workdir if inv.workdir else model.folder
    computed = not_literal(run, cwd)
    if computed is not None:
        return ArgvCheck(group, (), (not_checked(
            "argv-not-checked", f"arguments of `{script_word}`", f"bash computes "
            f"`{computed.computed or computed.value}` in `{computed.text}` at run time", mlp,
            inv.span),))
    if script is None or script.entry_command is None:
        why = ("not a Python script: what it does with them is not checked" if script is None
               else "no click command found in it, so how it reads them is not checked")
        return ArgvCheck(tuple(group), (), (not_checked(
            "argv-not-checked", f"arguments of `{script_word}`", why, mlp, inv.span),))
    command = script.entry_command
    if import_script:
        from .importer import parse_with_real_command

        return parse_with_real_command(model, link, command, tuple(group), args)
    if command.is_group:
        return ArgvCheck(tuple(group), (), (not_checked(
            "argv-not-checked", f"arguments of `{script_word}`", f"`{command.function}` is a "
            f"click group; its subcommands are not checked", link.path, command.span),),
            (), command.function)
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
    spans = {p.dest: p.span for p in command.params}
    unchecked = tuple(not_checked(
        "option-not-checked", f"option `{o.flag}` of `{link.invocation.script}`",
        f"{o.note}; `--import` runs the script's own click command instead", link.path,
        spans.get(o.name)) for o in options if not o.checked)
    return ArgvCheck(group, tuple(options), unchecked, tuple(values), command.function)


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
    """A click (or experiment) value as JSON data: tuples as lists, mappings with their keys as
    text, paths/UUIDs/dates as strings."""
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (Path, uuid.UUID)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return repr(value)
