"""Positions, spans, line indexes and safe file reading: the one text layer.

Every position in the model is 0-based (line, character): lines are broken at ``\r\n``,
``\r`` and ``\n`` only (what Python's tokenizer and LSP count), ``character`` counts Unicode
code points.  A :class:`LineIndex` turns offsets into such positions and back; parsers whose
lines differ (PyYAML also breaks at ``\x85``, U+2028 and U+2029) give offsets, converted here.
Never ``str.splitlines()`` (it also breaks at ``\x0b``, ``\x0c``, ``\x1c``-``\x1e``, ...) or
``split("\n")`` for positions.  Front-ends convert once at their edge: the CLI prints 1-based
columns, the language server converts to UTF-16 code units.

A :class:`SourceText` keeps a file's text exactly as decoded (line endings untouched); only a
UTF-8 byte order mark is set apart (``bom``), and :meth:`SourceText.encode` puts it back.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .record import cached, record

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


#: Line breaks of the model, of Python's tokenizer and of LSP.
LINE_BREAK = re.compile(r"\r\n?|\n")
#: Line breaks of YAML 1.1 (PyYAML and libyaml): three more than the model's.
YAML_LINE_BREAK = re.compile(r"\r\n?|[\n\x85\u2028\u2029]")
_YAML_ONLY_BREAKS = ("\x85", "\u2028", "\u2029")
BOM = "\ufeff"
_UTF8_BOM = b"\xef\xbb\xbf"


class LineIndex:
    """Where each line of a text starts: offset <-> :class:`Position`, both ways.

    ``breaks`` is the line-break pattern: the model's (:data:`LINE_BREAK`) unless a parser's
    own line numbers are being read (:data:`YAML_LINE_BREAK`).
    """

    __slots__ = ("text", "starts", "lines")

    def __init__(self, text: str, breaks: re.Pattern = LINE_BREAK) -> None:
        self.text = text
        self.lines: list[str] = breaks.split(text)        # line contents, without their break
        starts = [0]
        starts.extend(m.end() for m in breaks.finditer(text))
        self.starts = starts

    def __len__(self) -> int:
        return len(self.starts)

    def line(self, index: int) -> str:
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def position(self, offset: int) -> Position:
        offset = min(max(offset, 0), len(self.text))
        line = bisect_right(self.starts, offset) - 1
        col = offset - self.starts[line]
        return _new(Position, (line, min(col, len(self.lines[line]))))

    def offset(self, pos: Position) -> int:
        """The offset of ``pos``; a column past the line's end stops at its end (before its
        break), a line past the last one at the end of the text."""
        line, col = pos
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        return self.starts[line] + min(max(col, 0), len(self.lines[line]))

    def span_offsets(self, span: Span) -> tuple[int, int]:
        return self.offset(span.start), self.offset(span.end)

    def ending(self, index: int) -> str:
        """The line break that ends line ``index`` ("" for the last line)."""
        if not 0 <= index < len(self.starts) - 1:
            return ""
        return self.text[self.starts[index] + len(self.lines[index]):self.starts[index + 1]]

    def newline_at(self, line: int) -> str:
        """The line break text inserted on ``line`` should use: that line's own, else the
        nearest one above it, else the first in the file, else ``\n``."""
        line = min(max(line, 0), len(self.starts) - 1)
        for i in range(line, -1, -1):
            ending = self.ending(i)
            if ending:
                return ending
        match = LINE_BREAK.search(self.text)
        return match.group() if match else "\n"


@lru_cache(maxsize=64)
def line_index(text: str) -> LineIndex:
    """The model's line index of ``text`` (cached: the same text is looked up many times)."""
    return LineIndex(text)


def yaml_agrees(text: str) -> bool:
    """True when YAML's line numbers are the model's: no \\x85, U+2028 or U+2029 in ``text``."""
    return not any(ch in text for ch in _YAML_ONLY_BREAKS)


def adapt_newlines(new_text: str, index: LineIndex, line: int) -> str:
    """``new_text`` (written with ``\\n``) with the line break of the place it goes."""
    if "\n" not in new_text:
        return new_text
    newline = index.newline_at(line)
    return new_text if newline == "\n" else new_text.replace("\n", newline)


def split_bom(text: str) -> tuple[str, bool]:
    """An editor buffer or stdin text without its byte order mark, and whether it had one."""
    return (text[1:], True) if text.startswith(BOM) else (text, False)


def decode_utf8(data: bytes) -> tuple[str, bool]:
    """UTF-8 bytes as text without the byte order mark, and whether there was one.

    Raises ``UnicodeDecodeError`` (offsets into ``data``)."""
    if data.startswith(_UTF8_BOM):
        return data[3:].decode("utf-8"), True
    return data.decode("utf-8"), False


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@record
class SourceText:
    """A file's text exactly as decoded, minus a UTF-8 byte order mark (``bom`` says if there
    was one); :attr:`index` turns offsets into positions and back."""

    path: Path
    text: str
    bom: bool = False

    @cached
    def index(self) -> LineIndex:
        return line_index(self.text)

    @property
    def lines(self) -> list[str]:
        return self.index.lines

    def offset_to_position(self, offset: int) -> Position:
        return self.index.position(offset)

    def encode(self, text: str | None = None) -> bytes:
        """``text`` (default: this text) as the file's bytes: UTF-8, the BOM if it had one."""
        data = (self.text if text is None else text).encode("utf-8", "surrogatepass")
        return _UTF8_BOM + data if self.bom else data


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
    except ValueError as err:   # a NUL byte (from YAML) or a lone surrogate in the name
        what = ("cannot be encoded for the file system" if isinstance(err, UnicodeError)
                else "contains a NUL byte")
        return ReadError(path, f"cannot read file: the name {what}")
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
            return SourceText(path, *split_bom(text))
    data = read_bytes(path)
    if isinstance(data, ReadError):
        return data
    return decode_source(path, data)


def decode_source(path: Path, data: bytes) -> SourceText | ReadError:
    """The text of a file's bytes (UTF-8, a BOM set apart), or why it is not one."""
    if b"\0" in data[:8192]:
        return ReadError(path, "binary file (contains NUL bytes), not text")
    try:
        text, bom = decode_utf8(data)
    except UnicodeDecodeError as err:
        start = err.start + (3 if data.startswith(_UTF8_BOM) else 0)
        line = len(LINE_BREAK.findall(data[:start].decode("utf-8", "replace"))) + 1
        return ReadError(path, f"not valid UTF-8 (byte 0x{data[start]:02x} on line {line})")
    return SourceText(path, text, bom)
