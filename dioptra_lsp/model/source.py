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


def _too_large(size: int, limit: int = MAX_FILE_BYTES) -> str:
    if size > limit + 1:    # the size stat gave
        return f"file is too large to lint ({size / 1048576:.1f} MB > {limit / 1048576:g} MB)"
    return f"file is too large to lint (more than {limit / 1048576:g} MB)"   # what was read


def _special_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return kind
    return "special file"


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes | ReadError:
    """A regular file's bytes, at most ``limit`` of them, or why not.  Never raises or blocks.

    The size ``stat`` reports is not trusted (``/proc`` files say 0 and never end), the file is
    opened non-blocking (``/proc/kmsg`` would wait for the next kernel message for ever) and
    checked again once open (it may have been swapped for a FIFO since the ``stat``).
    """
    try:
        kind = _not_regular(os.stat(path))   # before opening: opening a device can act on it
        if kind is not None:
            return ReadError(path, kind)
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_CLOEXEC", 0))
        try:
            info = os.fstat(fd)
            kind = _not_regular(info)
            if kind is not None:
                return ReadError(path, kind)
            if info.st_size > limit:     # a size may be trusted when it says "too large"
                return ReadError(path, _too_large(info.st_size, limit))
            chunks: list[bytes] = []
            size = 0
            while size <= limit:
                chunk = os.read(fd, min(1 << 20, limit + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(fd)
    except BlockingIOError:
        return ReadError(path, "reading would wait for data that may never come (not a file "
                               "with an end, like /proc/kmsg)")
    except IsADirectoryError:
        return ReadError(path, "is a directory, not a file")
    except FileNotFoundError:
        return ReadError(path, "file not found")
    except PermissionError:
        return ReadError(path, "permission denied")
    except OSError as err:  # name too long, symlink loops (ELOOP), I/O errors, ...
        return ReadError(path, f"cannot read file: {err.strerror or err}")
    except ValueError:      # a NUL byte in the name (from YAML or a command line)
        return ReadError(path, "cannot read file: the name contains a NUL byte")
    if size > limit:
        return ReadError(path, _too_large(size, limit))
    return b"".join(chunks)


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _not_regular(info: os.stat_result) -> str | None:
    if stat.S_ISDIR(info.st_mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(info.st_mode):
        # A FIFO would block the read forever, /dev/zero would never end it.
        return f"is a {_special_kind(info.st_mode)}, not a regular file"
    return None


def read_source(path: Path, overlay: "dict[Path, str] | None" = None) -> SourceText | ReadError:
    """Read a file as UTF-8 text, or say in one line why it cannot be linted.  Never raises,
    never blocks, never reads more than ``MAX_FILE_BYTES + 1`` bytes.

    ``overlay`` maps paths to in-editor buffers (or stdin) that replace the disk content.
    """
    if overlay is not None:
        text = overlay.get(path)
        if text is not None:
            return SourceText(path, text.replace("\r\n", "\n"))
    data = read_bytes(path)
    if isinstance(data, ReadError):
        return data
    if b"\0" in data[:8192]:
        return ReadError(path, "binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return ReadError(path, f"not valid UTF-8 (byte 0x{data[err.start]:02x} on line {line})")
    return SourceText(path, text.replace("\r\n", "\n"))
