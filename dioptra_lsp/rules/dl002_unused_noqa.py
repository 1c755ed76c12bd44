"""DL002: a ``# noqa`` that suppresses nothing, or names a code that is not a rule.

Judged by the engine after suppression (it alone sees every finding before ``# noqa`` takes
it away): :func:`judge` is called for each directive with what it suppressed.  As ruff's
RUF100: a code whose rule does not run here (not selected, ignored, or per-file-ignored) is
reported too, as "not enabled".  Plugin modules are left out: several projects share them,
and a directive one project's findings use may look unused from another.  In a Python file a
bare ``# noqa`` and codes that are not ``DL`` codes belong to other linters (ruff, flake8)
and are left alone; an MLproject's or experiment's ``# noqa`` is only ours.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Iterator

from ..diagnostics import Diagnostic, Fix, Severity, TextEdit
from ..model.noqa import Noqa
from ..model.source import Span
from .base import Rule, RuleContext

RULE = Rule("DL002", "unused-noqa", Severity.INFO,
            "A `# noqa` that suppresses nothing, or names a code that is not a rule",
            fix="safe")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    return iter(())      # see judge(): it needs the findings before suppression


def judge(path: Path, directive: Noqa, line_text: str, used: set[str] | None, *, python: bool,
          all_codes, enabled_codes) -> Diagnostic | None:
    """The finding for one directive, or None.  ``used``: the written codes (upper-cased)
    that suppressed a finding of this line (None: nothing was suppressed); ``enabled_codes``
    the rules that run on this file."""
    line = directive.line
    span = Span.of(line, directive.start, line, directive.end)
    written = line_text[directive.start:directive.end]
    if directive.invalid:
        if python and "DL" not in line_text[directive.start:].upper():
            return None
        return RULE.diagnostic(path, span, f"`{written}` is not a `# noqa` directive: "
                                           f"{directive.invalid}, so it suppresses nothing; "
                                           f"write `# noqa: DL201` or a bare `# noqa`")
    if directive.bare:
        if python or used is not None:
            return None
        return RULE.diagnostic(path, span, "this `# noqa` suppresses nothing: no finding is "
                                           "reported on this line",
                               fix=_remove(path, directive, line_text, []))
    if directive.covers("DL002"):
        return None              # `# noqa: DL002` keeps its directive as it is, as in ruff
    reasons = []
    dropped = []
    for code in directive.codes:
        name = code.code.upper()
        if not name.startswith("DL"):
            if python:
                continue
            reasons.append(f"`{code.code}` is not a dioptra-lint code")
        elif not any(c.startswith(name) for c in all_codes):
            close = closest_code(name, all_codes)
            reasons.append(f"`{code.code}` is not a rule" + (f" (did you mean `{close}`?)"
                                                               if close else ""))
        elif not any(c.startswith(name) for c in enabled_codes):
            reasons.append(f"`{code.code}` is not enabled here, so it has nothing to suppress")
        elif used is None or name not in used:
            reasons.append(f"`{code.code}` suppresses nothing on this line")
        else:
            continue
        dropped.append(code)
    if not dropped:
        return None
    return RULE.diagnostic(path, span, "unused `# noqa`: " + "; ".join(reasons),
                           fix=_remove(path, directive, line_text, dropped))


def closest_code(name: str, codes) -> str | None:
    """The rule code ``name`` was probably meant to be: two digits swapped (``DL014`` for
    ``DL104``) first, then one digit wrong, then what difflib finds closest."""
    for code in codes:
        if len(code) == len(name) and sorted(code) == sorted(name):
            wrong = [i for i, (a, b) in enumerate(zip(code, name)) if a != b]
            if len(wrong) == 2 and wrong[1] == wrong[0] + 1:
                return code
    for code in codes:
        if len(code) == len(name) and sum(a != b for a, b in zip(code, name)) == 1:
            return code
    close = difflib.get_close_matches(name, list(codes), n=1, cutoff=0.6)
    return close[0] if close else None


def _remove(path: Path, directive: Noqa, line_text: str, dropped) -> Fix:
    """Drop ``dropped`` codes (all of them, or a bare directive: the whole comment)."""
    line = directive.line
    keep = [c.code for c in directive.codes if c not in dropped]
    if keep:
        first, last = directive.codes[0], directive.codes[-1]
        return Fix(f"Remove the unused code{'s' if len(dropped) != 1 else ''} from the `# noqa`",
                   (TextEdit(path, Span.of(line, first.start, line, last.end), ", ".join(keep)),))
    after = line_text.find("#", directive.end)
    if after >= 0:      # another comment follows the directive: keep it
        span = Span.of(line, directive.start, line, after)
    else:               # the directive and its reason, with the spaces before them
        span = Span.of(line, len(line_text[:directive.start].rstrip()), line,
                       len(line_text.rstrip()))
    return Fix("Remove the unused `# noqa`", (TextEdit(path, span, ""),))
