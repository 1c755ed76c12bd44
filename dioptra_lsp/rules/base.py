"""What every rule module is made of: a ``RULE`` description and a ``check(ctx)`` generator."""

from __future__ import annotations

import difflib
import functools
from pathlib import Path
from typing import Iterable, Iterator, Protocol

from ..diagnostics import Diagnostic, Fix, Related, Severity
from ..model.project import ProjectModel
from ..model.record import record
from ..model.source import Span
from ..model.types import Command, EntryPoint, MLProject


@record
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    # What its rule page's table declares and tests/test_rule_pages.py holds against the
    # fixes the rule produces: "safe" (--fix applies them), "unsafe" (only with
    # --unsafe-fixes: they may change what the job does), "sometimes" (safe in some cases,
    # unsafe in others, as the page's "Fix safety" says) or "no".
    fix: str = "no"

    @property
    def fixable(self) -> bool:
        return self.fix != "no"

    def diagnostic(self, path: Path, span: Span, message: str, *, fix: Fix | None = None,
                   related: Iterable[Related] = (), detail: str = "", group: str = "",
                   severity: Severity | None = None) -> Diagnostic:
        return Diagnostic(self.code, self.name, severity or self.severity, path, span, message,
                          fix, tuple(related), detail, group)


@record
class RuleContext:
    project: ProjectModel
    # Extra callables allowed inside Flow blocks (DL401), from ``flow-allowed-calls``.
    flow_allowed_calls: frozenset[str] = frozenset()


class RuleModule(Protocol):
    RULE: Rule

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]: ...


def did_you_mean(word: str, choices: Iterable[str], *, what: str = "") -> str:
    """'did you mean `x`? Options: a, b' -- the tail that every cross-check message ends with."""
    choices = sorted(dict.fromkeys(c for c in choices if c is not None))
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    parts = []
    if close:
        parts.append(f"did you mean `{close[0]}`?")
    label = f"{what}: " if what else "Options: "
    if choices:
        shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
        parts.append(f"{label[0].upper()}{label[1:]}{shown}")
    else:
        parts.append(f"{label[0].upper()}{label[1:]}(none)")
    return "; ".join(parts) if len(parts) > 1 and not close else " ".join(parts)


def where(path: Path, span: Span, base: Path | None = None) -> str:
    """``src/train.py:12`` relative to ``base`` when possible."""
    return f"{_shown(path, base)}:{span.start.line + 1}"


@functools.lru_cache(maxsize=4096)
def _shown(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def entry_point_commands(mlproject: MLProject | None) -> Iterator[tuple[EntryPoint, Command]]:
    """Each entry point that has a command, with it: what the command-reading rules walk."""
    if mlproject is None:
        return
    for ep in mlproject.entry_points:
        if ep.command is not None:
            yield ep, ep.command
