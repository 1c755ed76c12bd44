"""Diagnostics: what a rule reports.  Shared by every front-end."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path

from .model.record import record
from .model.source import Span


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.strip().upper()]


@record
class TextEdit:
    path: Path
    span: Span
    new_text: str


@record
class Fix:
    title: str
    edits: tuple[TextEdit, ...]
    safe: bool = True


@record
class Related:
    """The other side of a cross-file finding: shown as file:line in messages and as LSP related info."""

    path: Path
    span: Span
    message: str


@record
class Diagnostic:
    code: str
    name: str
    severity: Severity
    path: Path
    span: Span
    message: str
    fix: Fix | None = None
    related: tuple[Related, ...] = ()
    # The long explanation (a full signature, every valid choice, why it fails at run time):
    # kept out of the one-line message, shown by ``--format full``, SARIF and the editor.
    detail: str = ""
    # Findings of one rule with the same non-empty group are one cause reported many times
    # (a plugin package missing from every plugin folder): a run keeps the first and lists
    # the others as related locations.
    group: str = ""

    def sort_key(self):
        return (str(self.path), self.span.start.line, self.span.start.character, self.code, self.message)
