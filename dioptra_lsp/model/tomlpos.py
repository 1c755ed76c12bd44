"""Where each key and value of a TOML file is: the ranges ``tomllib`` does not give.

Values are always taken from ``tomllib`` (the reader Dioptra uses); this scanner only finds
their places.  It follows TOML's lexical rules (four string kinds, comments, arrays over
several lines, inline tables, dotted and quoted keys, ``[table]`` and ``[[array.of.tables]]``
headers) and builds a tree of offsets that mirrors the document.  When the scanner meets
something it does not understand it stops; the caller falls back to coarser ranges.
"""

from __future__ import annotations

import re
from typing import Any

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_WS = " \t"


class PosValue:
    """A value's place: ``start``/``end`` offsets; ``items`` for arrays, ``table`` for inline
    tables (and for tables built by headers)."""

    __slots__ = ("start", "end", "items", "table")

    def __init__(self, start: int, end: int) -> None:
        self.start, self.end = start, end
        self.items: list[PosValue] | None = None
        self.table: dict[str, PosEntry] | None = None


class PosEntry:
    __slots__ = ("key_start", "key_end", "value")

    def __init__(self, key_start: int, key_end: int, value: PosValue) -> None:
        self.key_start, self.key_end, self.value = key_start, key_end, value


class _Stop(Exception):
    pass


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.n = len(text)

    # -- low level
    def skip_ws(self, newlines: bool = False) -> None:
        t, n = self.text, self.n
        while self.i < n:
            c = t[self.i]
            if c in _WS or (newlines and c in "\r\n"):
                self.i += 1
            elif c == "#" and newlines:
                nl = t.find("\n", self.i)
                self.i = n if nl < 0 else nl
            else:
                return

    def skip_line_end(self) -> None:
        self.skip_ws()
        if self.i < self.n and self.text[self.i] == "#":
            nl = self.text.find("\n", self.i)
            self.i = self.n if nl < 0 else nl
        if self.i < self.n and self.text[self.i] not in "\r\n":
            raise _Stop()

    def key_part(self) -> tuple[str, int, int]:
        start = self.i
        t = self.text
        if self.i < self.n and t[self.i] in "\"'":
            value = self.string()
            return value, start, self.i
        m = _BARE_KEY.match(t, self.i)
        if not m:
            raise _Stop()
        self.i = m.end()
        return m.group(), start, self.i

    def dotted_key(self) -> list[tuple[str, int, int]]:
        parts = [self.key_part()]
        while True:
            self.skip_ws()
            if self.i < self.n and self.text[self.i] == ".":
                self.i += 1
                self.skip_ws()
                parts.append(self.key_part())
            else:
                return parts

    def string(self) -> str:
        t = self.text
        q = t[self.i]
        if t.startswith(q * 3, self.i):
            end = t.find(q * 3, self.i + 3)
            if q == '"':
                while end > 0 and _escaped(t, end):
                    end = t.find(q * 3, end + 1)
            if end < 0:
                raise _Stop()
            while t.startswith(q, end + 3):   # up to two quotes may end the content
                end += 1
            value = t[self.i + 3:end]
            self.i = end + 3
            return value
        j = self.i + 1
        while j < self.n and t[j] != q and t[j] != "\n":
            if q == '"' and t[j] == "\\":
                j += 2
                continue
            j += 1
        if j >= self.n or t[j] != q:
            raise _Stop()
        value = t[self.i + 1:j]
        self.i = j + 1
        return value

    # -- values
    def value(self) -> PosValue:
        t = self.text
        start = self.i
        if self.i >= self.n:
            raise _Stop()
        c = t[self.i]
        if c in "\"'":
            self.string()
            return PosValue(start, self.i)
        if c == "[":
            return self.array()
        if c == "{":
            return self.inline_table()
        j = self.i
        while j < self.n and t[j] not in ",]}#\r\n":
            j += 1
        end = j
        while end > start and t[end - 1] in _WS:
            end -= 1
        if end == start:
            raise _Stop()
        self.i = end
        return PosValue(start, end)

    def array(self) -> PosValue:
        start = self.i
        self.i += 1
        items: list[PosValue] = []
        while True:
            self.skip_ws(newlines=True)
            if self.i >= self.n:
                raise _Stop()
            if self.text[self.i] == "]":
                self.i += 1
                break
            items.append(self.value())
            self.skip_ws(newlines=True)
            if self.i < self.n and self.text[self.i] == ",":
                self.i += 1
            elif self.i < self.n and self.text[self.i] == "]":
                continue
            else:
                raise _Stop()
        out = PosValue(start, self.i)
        out.items = items
        return out

    def inline_table(self) -> PosValue:
        start = self.i
        self.i += 1
        table: dict[str, PosEntry] = {}
        while True:
            self.skip_ws(newlines=True)
            if self.i >= self.n:
                raise _Stop()
            if self.text[self.i] == "}":
                self.i += 1
                break
            self.key_value(table)
            self.skip_ws(newlines=True)
            if self.i < self.n and self.text[self.i] == ",":
                self.i += 1
            elif self.i < self.n and self.text[self.i] == "}":
                continue
            else:
                raise _Stop()
        out = PosValue(start, self.i)
        out.table = table
        return out

    def key_value(self, table: dict[str, PosEntry]) -> None:
        parts = self.dotted_key()
        self.skip_ws()
        if self.i >= self.n or self.text[self.i] != "=":
            raise _Stop()
        self.i += 1
        self.skip_ws()
        value = self.value()
        for name, s, e in parts[:-1]:
            entry = table.get(name)
            if entry is None or entry.value.table is None:
                holder = PosValue(s, value.end)
                holder.table = {}
                entry = table[name] = PosEntry(s, e, holder)
            table = entry.value.table   # type: ignore[assignment]
        name, s, e = parts[-1]
        table[name] = PosEntry(s, e, value)


def _escaped(text: str, at: int) -> bool:
    backslashes = 0
    j = at - 1
    while j >= 0 and text[j] == "\\":
        backslashes += 1
        j -= 1
    return backslashes % 2 == 1


def locate(text: str) -> PosValue:
    """The document's tree of places (as far as it could be scanned).

    A ``[[name]]`` header appends a table to the array at ``name``; its header's offsets are
    the new table's ``start``/``end``.
    """
    root = PosValue(0, len(text))
    root.table = {}
    current = root.table
    scanner = _Scanner(text)
    try:
        while True:
            scanner.skip_ws(newlines=True)
            if scanner.i >= scanner.n:
                break
            if text[scanner.i] == "[":
                current = _header(scanner, root)
            else:
                scanner.key_value(current)
                scanner.skip_line_end()
    except _Stop:
        pass
    return root


def _header(scanner: _Scanner, root: PosValue) -> dict[str, PosEntry]:
    text = scanner.text
    start = scanner.i
    double = text.startswith("[[", scanner.i)
    scanner.i += 2 if double else 1
    scanner.skip_ws()
    parts = scanner.dotted_key()
    scanner.skip_ws()
    close = "]]" if double else "]"
    if not text.startswith(close, scanner.i):
        raise _Stop()
    scanner.i += len(close)
    end = scanner.i
    scanner.skip_line_end()
    table = root.table
    assert table is not None
    for name, s, e in parts[:-1]:
        entry = table.get(name)
        if entry is None:
            holder = PosValue(s, e)
            holder.table = {}
            entry = table[name] = PosEntry(s, e, holder)
        value = entry.value
        if value.items is not None and value.items:   # an array of tables: its last one
            value = value.items[-1]
        if value.table is None:
            raise _Stop()
        table = value.table
    name, s, e = parts[-1]
    new = PosValue(start, end)
    new.table = {}
    if double:
        entry = table.get(name)
        if entry is None or entry.value.items is None:
            array = PosValue(start, end)
            array.items = []
            entry = table[name] = PosEntry(s, e, array)
        entry.value.items.append(new)   # type: ignore[union-attr]
    else:
        table[name] = PosEntry(s, e, new)
    return new.table   # type: ignore[return-value]


def find(node: PosValue | None, *path: Any) -> PosValue | None:
    """The place at ``path`` (keys and list indexes), or None."""
    for step in path:
        if node is None:
            return None
        if isinstance(step, int):
            node = node.items[step] if node.items is not None and 0 <= step < len(node.items) else None
        else:
            entry = node.table.get(step) if node.table is not None else None
            node = entry.value if entry is not None else None
    return node


def find_key(node: PosValue | None, *path: Any) -> tuple[int, int] | None:
    """Offsets of the key at the end of ``path``."""
    if not path:
        return None
    holder = find(node, *path[:-1])
    if holder is None or holder.table is None:
        return None
    entry = holder.table.get(path[-1])
    return (entry.key_start, entry.key_end) if entry is not None else None
