"""What the dry-run found: one small record shared by every stage."""

from __future__ import annotations

from pathlib import Path

from ..model.record import record
from ..model.source import Span

ERROR, WARNING, INFO = "error", "warning", "info"


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

    @property
    def line(self) -> int | None:
        """1-based line, as printed."""
        return None if self.span is None else self.span.start.line + 1

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR
