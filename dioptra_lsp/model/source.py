"""Positions, spans and safe file reading: the one place that knows about text coordinates.

Internally every position is 0-based (line, character) where ``character`` counts Unicode
code points.  Front-ends convert once at their edge: the CLI prints 1-based columns, the
language server converts to UTF-16 code units.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import NamedTuple

from .record import record

#: Files larger than this are reported, not parsed (a 50 MB "MLproject" is not an MLproject).
MAX_FILE_BYTES = 5 * 1024 * 1024


class Position(NamedTuple):
    """0-based line and 0-based character (code point) column.

    A named tuple, not a dataclass: hundreds of thousands are made per run and tuple creation
    is several times cheaper than a frozen dataclass's ``__init__``.
    """

    line: int
    character: int


class Span(NamedTuple):
    start: Position
    end: Position

    @staticmethod
    def of(line: int, col: int, end_line: int, end_col: int) -> "Span":
        # tuple.__new__ directly: skips the NamedTuple __new__ frames (hot on every read)
        return _new(Span, (_new(Position, (line, col)), _new(Position, (end_line, end_col))))

    @classmethod
    def point(cls, line: int, col: int) -> "Span":
        return cls(Position(line, col), Position(line, col))

    def contains(self, pos: Position) -> bool:
        return self.start <= pos <= self.end


_new = tuple.__new__
FILE_START = Span.point(0, 0)


@record
class SourceText:
    """A file's text plus what is needed to turn offsets into positions."""

    path: Path
    text: str

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def offset_to_position(self, offset: int) -> Position:
        before = self.text[:offset]
        line = before.count("\n")
        col = offset - (before.rfind("\n") + 1)
        return Position(line, col)


@record
class ReadError:
    """Why a file could not be turned into text; reported as DL001 naming the file."""

    path: Path
    message: str


def _too_large(size: int) -> str:
    return (f"file is too large to lint ({size / 1048576:.1f} MB > "
            f"{MAX_FILE_BYTES // 1048576} MB)")


def _special_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return kind
    return "special file"


def read_source(path: Path, overlay: "dict[Path, str] | None" = None) -> SourceText | ReadError:
    """Read a file as UTF-8 text, or say in one line why it cannot be linted.

    ``overlay`` maps paths to in-editor buffers (or stdin) that replace the disk content.
    """
    if overlay is not None:
        text = overlay.get(path)
        if text is not None:
            return SourceText(path, text.replace("\r\n", "\n"))
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            return ReadError(path, "is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            # A FIFO would block the read forever, /dev/zero would never end it.
            return ReadError(path, f"is a {_special_kind(info.st_mode)}, not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            return ReadError(path, _too_large(info.st_size))
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)   # bounded: the file may grow while we read
        if len(data) > MAX_FILE_BYTES:
            return ReadError(path, _too_large(len(data)))
    except IsADirectoryError:
        return ReadError(path, "is a directory, not a file")
    except FileNotFoundError:
        return ReadError(path, "file not found")
    except PermissionError:
        return ReadError(path, "permission denied")
    except OSError as err:  # symlink loops (ELOOP), I/O errors, ...
        return ReadError(path, f"cannot read file: {err.strerror or err}")
    if b"\0" in data[:8192]:
        return ReadError(path, "binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return ReadError(path, f"not valid UTF-8 (byte 0x{data[err.start]:02x} on line {line})")
    return SourceText(path, text.replace("\r\n", "\n"))
