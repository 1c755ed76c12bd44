"""How the two files of an entry point meet: which word of a command feeds which click option.

Derived, static data used by the cross-file rules, the language server and the dry-run.
"""

from __future__ import annotations

import re

from .project import ProjectModel, ScriptLink
from .record import record
from .shell import ShellToken
from .types import ClickCommand, ClickParam, Command, EntryPoint, MLParameter

_NUMBER = re.compile(r"^-\d")
_COMPUTED_FLAG = re.compile(r"[$`*?\[{~]").search   # an expansion or pattern in the flag part


@record
class FlagUse:
    """``--data-dir {data_dir}`` in a command, paired with the click option it reaches."""

    flag: str                      # "--data-dir" as written (without ``=value``)
    token: ShellToken              # the word holding the flag
    option: ClickParam | None      # None: the script's command has no such option
    value_token: ShellToken | None  # the next word when the option takes a value
    inline_value: str | None       # ``--flag=value``
    placeholders: tuple[str, ...]  # placeholder names in the value
    value_is_single_placeholder: bool   # the value is exactly ``{name}`` (maybe quoted)

    @property
    def flag_written(self) -> bool:
        """The flag is written as is, unquoted, at the start of its word (an edit can replace it)."""
        return self.token.text.startswith(self.flag)

    @property
    def flag_range(self) -> tuple[int, int]:
        """Offsets of the flag in the command (the whole word when quoting hides where it ends)."""
        start = self.token.start
        return (start, start + len(self.flag)) if self.flag_written else (start, self.token.end)


def placeholders_in(command: Command, start: int, end: int) -> tuple[str, ...]:
    return tuple(p.name for p in command.placeholders_between(start, end) if p.valid)


def _is_flag_word(text: str) -> bool:
    return text.startswith("-") and text != "-" and text != "--" and not _NUMBER.match(text)


def flag_uses(link: ScriptLink, command: Command, click: ClickCommand | None) -> tuple[FlagUse, ...]:
    """The flags an invocation passes, each with its value word (click decides which take one)."""
    args = link.invocation.args
    uses: list[FlagUse] = []
    i = 0
    while i < len(args):
        tok = args[i]
        word = tok.value
        if word == "--":
            break   # click reads every word after it as an argument, even ``--flag``
        if not _is_flag_word(word) or "{" in tok.text[:1]:
            i += 1
            continue
        flag, eq, inline = word.partition("=")
        if not tok.literal and _COMPUTED_FLAG(flag):
            i += 1   # bash computes the flag itself at run time (``--$NAME``): not read
            continue
        option = click.option_for_flag(flag) if click else None
        takes_value = _takes_value(option, flag, args, i)
        value_tok = None
        if takes_value and not eq and i + 1 < len(args):
            value_tok = args[i + 1]
        if eq:
            start = tok.start + tok.text.find("=") + 1
            names = placeholders_in(command, start, tok.end)
            single = len(names) == 1 and _single_placeholder(command.value[start:tok.end])
        elif value_tok is not None:
            names = placeholders_in(command, value_tok.start, value_tok.end)
            # Looks like ``{name}`` and is one: after an unclosed ``{`` earlier in the command,
            # str.format reads it as part of another field and there is no placeholder here.
            single = len(names) == 1 and _single_placeholder(value_tok.text)
        else:
            names, single = (), False
        uses.append(FlagUse(flag, tok, option, value_tok, inline if eq else None, names, single))
        i += 2 if value_tok is not None else 1
    return tuple(uses)


_ONE_PLACEHOLDER = re.compile(r"\{[^{}]+\}").fullmatch


def _single_placeholder(text: str) -> bool:
    text = text.strip("'\"")
    return bool(_ONE_PLACEHOLDER(text))


def _takes_value(option: ClickParam | None, flag: str, args: tuple[ShellToken, ...], i: int) -> bool:
    if option is None:
        # Unknown option: assume ``--flag value`` when the next word is not itself a flag.
        return i + 1 < len(args) and not _is_flag_word(args[i + 1].value)
    if option.is_flag or option.count or flag in option.secondary_flags:
        return False
    if option.is_flag is None and option.secondary_flags:
        return False
    return True


@record
class Feed:
    """A parameter of the MLproject flowing into a click option of a script."""

    entry_point: EntryPoint
    parameter: MLParameter
    link: ScriptLink
    use: FlagUse


def feeds(project: ProjectModel) -> tuple[Feed, ...]:
    """Every (MLproject parameter → click option) edge of the project."""
    out: list[Feed] = []
    if project.mlproject is None:
        return ()
    for ep in project.mlproject.entry_points:
        if ep.command is None:
            continue
        for link in project.links_for(ep.name):
            click = link.script.entry_command if link.script else None
            for use in flag_uses(link, ep.command, click):
                for name in use.placeholders:
                    param = ep.parameter(name)
                    if param is not None:
                        out.append(Feed(ep, param, link, use))
    return tuple(out)
