"""Apply fixes to files: non-overlapping edits, written atomically, bytes outside edits kept."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .diagnostics import Diagnostic, TextEdit
from .model.source import Position, ReadError, line_index, read_source


def offset_of(text: str, pos: Position) -> int:
    return line_index(text).offset(pos)


def apply_edits(text: str, edits: list[TextEdit]) -> tuple[str, int]:
    """Apply edits that do not overlap (the first one wins); returns the text and how many applied."""
    index = line_index(text)
    spans = sorted(((index.offset(e.span.start), index.offset(e.span.end), e) for e in edits),
                   key=lambda t: (t[0], t[1]))
    chosen = []
    last_end = -1
    for start, end, edit in spans:
        if start < last_end or (start == last_end and chosen and start == chosen[-1][0] == end):
            continue
        chosen.append((start, end, edit))
        last_end = end
    for start, end, edit in reversed(chosen):
        text = text[:start] + edit.new_text + text[end:]
    return text, len(chosen)


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it over: never a half-written file."""
    mode = None
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, os.path.realpath(path))
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def apply_fixes(diags: list[Diagnostic], *, unsafe: bool = False) -> int:
    """Apply every safe fix (whole fixes only: all its edits land, or none); returns how many."""
    by_file: dict[Path, list[TextEdit]] = {}
    count = 0
    for diag in diags:
        if diag.fix is None or (not diag.fix.safe and not unsafe):
            continue
        if len({e.path for e in diag.fix.edits}) != 1:
            continue   # multi-file fixes are left to the editor, where they can be reviewed
        by_file.setdefault(diag.fix.edits[0].path, []).extend(diag.fix.edits)
        count += 1
    applied = 0
    for path, edits in by_file.items():
        source = read_source(path)
        if isinstance(source, ReadError):
            continue
        new_text, n = apply_edits(source.text, edits)
        if new_text != source.text:
            write_atomically(path, source.encode(new_text))
        applied += n
    return min(applied, count)
