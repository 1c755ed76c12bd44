"""Map every character of a YAML scalar's value back to its place in the source.

PyYAML gives a node's start and end, but a folded ``>`` command spread over ten lines is one
string; a ``{placeholder}`` on line 7 of it needs its own line and column.  We rebuild the
scalar's value from the source following YAML's folding, escaping and chomping rules, keeping
the source position of each character, and trust the result only if the rebuilt value equals
what PyYAML constructed.  Otherwise the caller falls back to the node's own range.

The work is done on *YAML's* lines (broken at ``\r\n``, ``\r``, ``\n``, ``\x85``, U+2028 and
U+2029, as PyYAML does, so its marks index them) and each character's place leaves in those lines'
coordinates: the caller turns them into model positions through the text layer (offsets).  Like
libyaml, a break folds to ``\n`` except U+2028 and U+2029, which are kept as they are.
"""

from __future__ import annotations

from .source import YAML_LINE_BREAK, LineIndex

_WS = " \t"

_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}

Positions = list[tuple[int, int]]


def yaml_lines(text: str) -> LineIndex:
    """``text`` broken into lines the way YAML breaks them (what node marks count)."""
    return LineIndex(text, YAML_LINE_BREAK)


def scalar_positions(lines: LineIndex, start: tuple[int, int], end: tuple[int, int],
                     style: str | None, value: str) -> Positions | None:
    """The YAML (line, column) of each character of ``value``, or None if it cannot be mapped.

    ``lines`` are YAML's lines of the text; ``start``/``end`` the node marks' (line, column).
    ``lines.starts[line] + column`` is the character's offset in the text."""
    try:
        if style in ("|", ">"):
            built, positions = _block(lines, start, end, style)
        else:
            built, positions = _flow(lines, start, end, style or "")
    except (IndexError, ValueError, KeyError):
        return None
    return positions if built == value else None


def _folded_break(index: LineIndex, line: int) -> str:
    """The break ending YAML line ``line`` as a scalar's value holds it ("" at the end)."""
    ending = index.ending(line)
    return ending if ending in ("\u2028", "\u2029") else ("\n" if ending else "")


def _flow(index: LineIndex, start: tuple[int, int], end: tuple[int, int], style: str):
    lines = index.lines
    (l0, c0), (l1, c1) = start, end
    if style in ("'", '"'):
        c0, c1 = c0 + 1, c1 - 1          # inside the quotes
    out: list[str] = []
    pos: list[tuple[int, int]] = []
    leading = ""                         # the break after the last line with content
    trailing: list[str] = []             # the breaks of the empty lines since
    escaped_break = False
    last_pos = (l0, c0)
    for ln in range(l0, l1 + 1):
        text = lines[ln]
        s = c0 if ln == l0 else 0
        e = c1 if ln == l1 else len(text)
        seg = text[s:e]
        first, last = ln == l0, ln == l1
        j = 0
        if not first:
            while j < len(seg) and seg[j] in _WS:
                j += 1
        k = len(seg)
        if not last:
            while k > j and seg[k - 1] in _WS:
                k -= 1
        body_start = j
        body = seg[j:k]
        if not first:
            if body == "" and not last:
                trailing.append(_folded_break(index, ln))
                continue
            if escaped_break:
                sep = "".join(trailing)
            elif leading == "\n":
                sep = "".join(trailing) or " "
            else:
                sep = leading + "".join(trailing)
            out.extend(sep)
            pos.extend([last_pos] * len(sep))
            trailing = []
        escaped_break = False
        if style == '"' and not last:
            tail = len(body) - len(body.rstrip("\\"))
            if tail % 2 == 1:            # a backslash before the line break joins the lines
                escaped_break = True
                body = seg[body_start:]  # keep spaces before the backslash
                body = body[:-1] if body.endswith("\\") else body
        i = 0
        while i < len(body):
            ch = body[i]
            here = (ln, s + body_start + i)
            if style == "'" and ch == "'" and body[i + 1:i + 2] == "'":
                out.append("'")
                pos.append(here)
                i += 2
                continue
            if style == '"' and ch == "\\":
                nxt = body[i + 1]
                if nxt in _HEX_ESCAPES:
                    width = _HEX_ESCAPES[nxt]
                    out.append(chr(int(body[i + 2:i + 2 + width], 16)))
                    pos.append(here)
                    i += 2 + width
                    continue
                out.append(_ESCAPES[nxt])
                pos.append(here)
                i += 2
                continue
            out.append(ch)
            pos.append(here)
            i += 1
        last_pos = (ln, s + body_start + len(body))
        leading = _folded_break(index, ln)
    return "".join(out), pos


def _block(index: LineIndex, start: tuple[int, int], end: tuple[int, int], style: str):
    lines = index.lines
    (l0, c0), (l1, c1) = start, end
    header = lines[l0][c0:].split("#", 1)[0].strip()
    chomp = "keep" if "+" in header else "strip" if "-" in header else "clip"
    digits = [ch for ch in header if ch.isdigit()]
    last_line = l1 if c1 > 0 else l1 - 1
    content = list(range(l0 + 1, last_line + 1))
    if digits:
        parent = len(lines[l0]) - len(lines[l0].lstrip(" "))
        indent = parent + int(digits[0])
    else:
        indent = 0
        for ln in content:
            stripped = lines[ln].lstrip(" ")
            if stripped:
                indent = len(lines[ln]) - len(stripped)
                break
    rows: list[tuple[int, str]] = []   # (source line, text after the indentation)
    for ln in content:
        text = lines[ln]
        rows.append((ln, text[indent:] if len(text) >= indent else ""))
    # Trailing empty lines belong to chomping, not content.
    after: list[int] = []
    while rows and rows[-1][1] == "":
        after.append(rows.pop()[0])
    out: list[str] = []
    pos: list[tuple[int, int]] = []
    prev_kind: str | None = None
    leading = ""
    trailing: list[str] = []
    last_pos = (l0, c0)
    for ln, text in rows:
        if text == "":
            trailing.append(_folded_break(index, ln))
            continue
        kind = "more" if text[0] in _WS else "normal"
        if prev_kind is None:
            sep = "".join(trailing)
        elif style == ">" and leading == "\n" and prev_kind == "normal" and kind == "normal":
            sep = "".join(trailing) or " "
        else:
            sep = leading + "".join(trailing)
        out.extend(sep)
        pos.extend([last_pos] * len(sep))
        for i, ch in enumerate(text):
            out.append(ch)
            pos.append((ln, indent + i))
        last_pos = (ln, indent + len(text))
        leading = _folded_break(index, ln)
        prev_kind = kind
        trailing = []
    if rows and chomp != "strip":
        tail = leading + ("".join(_folded_break(index, ln) for ln in reversed(after))
                          if chomp == "keep" else "")
        out.extend(tail)
        pos.extend([last_pos] * len(tail))
    return "".join(out), pos
