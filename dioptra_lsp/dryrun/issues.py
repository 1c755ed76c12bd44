"""What the dry-run found: one small record shared by every stage."""

from __future__ import annotations

from pathlib import Path

from ..model.record import record
from ..model.source import Span

ERROR, WARNING, INFO = "error", "warning", "info"
#: Not a problem found but a part the dry-run could not check (a program it does not know, a
#: script it cannot read, a callback it does not run): the verdict is then "not-checked".
NOT_CHECKED = "not-checked"


@record
class Issue:
    """A problem (or note) of the dry-run, pinned to a file and line when one is known.

    ``kind`` names the failure class, e.g. ``missing-parameters``, ``bad-uri``, ``click-usage``.
    """

    kind: str
    message: str
    severity: str = ERROR
    path: Path | None = None
    span: Span | None = None
    stage: str = "resolve"    # "project", "resolve", "argv" or "plan"
    part: str | None = None   # for NOT_CHECKED: what was not checked ("command `x`", "script y")

    @property
    def line(self) -> int | None:
        """1-based line, as printed."""
        return None if self.span is None else self.span.start.line + 1

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def is_unchecked(self) -> bool:
        return self.severity == NOT_CHECKED


def not_checked(kind: str, part: str, reason: str, path: Path | None = None,
                span: Span | None = None, stage: str = "argv") -> Issue:
    """A part of the job the dry-run could not check, and why."""
    return Issue(kind, reason, NOT_CHECKED, path, span, stage, part)
