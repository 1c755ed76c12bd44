"""DL113: a ``#`` inside a block command (``command: >`` or ``|``) is part of the shell command.

YAML has no comments inside a block scalar: the ``#`` and what follows it are command text,
and MLflow hands the command to ``bash -c``, which reads a ``#`` at the start of a word as a
comment up to the next newline.  In a folded (``>``) command YAML has joined the lines with
spaces, so the comment runs to the end of the command: every later flag is silently dropped.
In a literal (``|``) command it ends with its line, taking a line-continuation ``\\`` with it,
so the next line runs as a command of its own.  A ``# noqa`` there suppresses nothing either:
the command's ``# noqa`` goes on its ``command: >`` line, which covers the whole command.
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Severity, TextEdit
from ..model import noqa
from ..model.source import Span, line_index
from .base import Rule, RuleContext, entry_point_commands

RULE = Rule("DL113", "comment-in-block-command", Severity.ERROR,
            "A `#` inside a block command is a shell comment that cuts the command",
            fix="sometimes")

_SHOWN = 60


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    mlproject = ctx.project.mlproject
    if mlproject is None:
        return
    index = None
    for ep, command in entry_point_commands(mlproject):
        if command.style not in (">", "|") or not command.shell.comments:
            continue
        index = index or line_index(mlproject.text)
        for start, end in command.shell.comments:
            found = _judge(mlproject.path, ep, command, index, start, end)
            if found is not None:
                yield found


def _judge(path, ep, command, index, start: int, end: int) -> Diagnostic | None:
    at = command.exact_span_of(start, start + 1)
    if at is None:
        return None
    line, col = at.start
    text = index.line(line)
    comment = text[col:].rstrip()
    if command.value[start:start + len(comment)] != comment:
        return None      # the value does not hold the line as written: nothing exact to say
    span = Span.of(line, col, line, col + len(comment))
    directive = noqa.parse(text, line, col)
    directive = directive if directive is not None and not directive.invalid else None
    swallowed = " ".join(command.value[start + len(comment):end].split())
    rest = command.value[end:].lstrip("\n")
    next_line = rest.split("\n", 1)[0].strip()
    header = f"`command: {command.style}`"
    if swallowed:
        severity, safe = Severity.ERROR, False
        message = (f"this `#` starts a shell comment in the folded command of `{ep.name}`: YAML "
                   f"joins the lines, so bash ignores everything after it and never sees "
                   f"`{_short(swallowed)}`")
    elif _continued(text[:col], comment) and next_line:
        severity, safe = Severity.ERROR, False
        message = (f"this `#` starts a shell comment in the command of `{ep.name}`, so the "
                   f"line-continuation `\\` no longer ends the line and bash runs the next "
                   f"line, `{_short(next_line)}`, as a command of its own")
    elif directive is not None:
        severity, safe = Severity.INFO, True
        message = (f"this `# noqa` is part of the command of `{ep.name}` (a shell comment that "
                   f"bash skips), not a suppression: a command's `# noqa` goes on its {header} "
                   f"line, where it covers the whole command")
    else:
        return None      # a shell comment at the end of a line that ends anyway: harmless
    fix = _move_to_header(path, command, index, directive, comment, span, safe)
    if directive is None:
        message += "; move the comment above `command:`, where YAML reads it as a comment"
    elif fix is not None:
        message += f"; move the `# noqa` to the {header} line"
    return RULE.diagnostic(path, span, message, fix=fix, severity=severity)


def _move_to_header(path, command, index, directive, comment: str, span: Span,
                    safe: bool) -> Fix | None:
    """Remove the directive from the command and put its codes on the ``command:`` line."""
    if directive is None or directive.start != span.start.character:
        return None      # another comment, or text before the directive: the author decides
    line, col = span.start
    text = index.line(line)
    before = len(text[:col].rstrip())
    if before == 0:
        return None      # a line of its own in the command: removing it is the author's call
    # The continuation the author meant: kept (or put back) at the end of the line.
    keep = " \\" if comment.endswith("\\") and not text[:before].endswith("\\") else ""
    remove = TextEdit(path, Span.of(line, before, line, col + len(comment)), keep)
    header_line = command.span.start.line
    header_text = index.line(header_line)
    existing = noqa.yaml_directives(header_text).get(0)
    codes = [c.code for c in directive.codes]
    if existing is not None and existing.bare:
        add = None
    elif existing is not None:
        missing = [c for c in codes if not existing.covers(c.upper())] if codes else None
        if missing is None:          # a bare inline directive: the header's becomes bare
            add = TextEdit(path, Span.of(header_line, existing.start, header_line,
                                                 existing.end), "# noqa")
        elif missing:
            add = TextEdit(path, Span.point(header_line, existing.end),
                           "".join(f", {c}" for c in missing))
        else:
            add = None
    else:
        end = len(header_text.rstrip())
        written = "# noqa" + (f": {', '.join(codes)}" if codes else "")
        add = TextEdit(path, Span.of(header_line, end, header_line, len(header_text)),
                       f"  {written}")
    edits = (remove,) if add is None else (add, remove)
    return Fix("Move the `# noqa` to the `command:` line", edits, safe=safe)


def _continued(before: str, comment: str) -> bool:
    """The author meant the line to continue: a ``\\`` before the comment (now escaping a
    space) or at its end (now inside it)."""
    return before.rstrip().endswith("\\") or comment.endswith("\\")


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"
