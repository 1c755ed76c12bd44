"""The one place where model positions (0-based line, code-point column) meet LSP positions.

Lines are the model's, which are LSP's: broken at ``\\r\\n``, ``\\r`` and ``\\n`` only (never
``str.splitlines()``, which also breaks at U+2028 and others).  The model counts columns in
Unicode code points; LSP clients count in the negotiated position encoding (UTF-16 code units
unless the client offers another).  A byte order mark the client's buffer holds is not part of
the model's text (the text layer sets it apart) but is a character on the client's line 0.
Every conversion goes through :class:`Codec`.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from ..model.source import Position, Span, line_index, split_bom


def _units16(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _units8(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


class Lines(list):
    """A buffer's lines as the model counts them; ``bom`` when the buffer starts with a byte
    order mark the model does not see (it comes before column 0 of line 0)."""

    bom = False


def split_lines(text: str) -> Lines:
    """Lines as the model and LSP count them (broken at ``\\\\r\\\\n``, ``\\\\r``, ``\\\\n`` only)."""
    body, bom = split_bom(text)
    lines = Lines(line_index(body).lines)
    lines.bom = bom
    return lines


class Codec:
    """Converts between model spans and LSP ranges for one position encoding."""

    def __init__(self, encoding: str = "utf-16") -> None:
        self.encoding = str(encoding)
        if self.encoding == "utf-32":
            self._units = None
        elif self.encoding == "utf-8":
            self._units = _units8
        else:
            self._units = _units16
        self.bom_units = self._units("\ufeff") if self._units else 1

    def _shift(self, lines, line: int) -> int:
        return self.bom_units if line == 0 and getattr(lines, "bom", False) else 0

    # model -> LSP -----------------------------------------------------------------------
    def column_to_client(self, line: str, character: int) -> int:
        if self._units is None or line.isascii():
            return character
        return self._units(line[:character])

    def position(self, lines: list[str], pos: Position) -> lsp.Position:
        line = lines[pos.line] if 0 <= pos.line < len(lines) else ""
        character = self.column_to_client(line, max(pos.character, 0)) + self._shift(lines, pos.line)
        return lsp.Position(line=max(pos.line, 0), character=character)

    def range(self, lines: list[str], span: Span) -> lsp.Range:
        return lsp.Range(start=self.position(lines, span.start), end=self.position(lines, span.end))

    # LSP -> model -----------------------------------------------------------------------
    def column_from_client(self, line: str, units: int) -> int:
        if self._units is None or line.isascii():
            return min(units, len(line)) if units >= 0 else 0
        count = 0
        for i, ch in enumerate(line):
            if count >= units:
                return i
            count += self._units(ch)
        return len(line)

    def model_position(self, lines: list[str], pos: lsp.Position) -> Position:
        line = lines[pos.line] if 0 <= pos.line < len(lines) else ""
        units = max(pos.character - self._shift(lines, pos.line), 0)
        return Position(pos.line, self.column_from_client(line, units))

    def model_span(self, lines: list[str], rng: lsp.Range) -> Span:
        return Span(self.model_position(lines, rng.start), self.model_position(lines, rng.end))

    # buffers ------------------------------------------------------------------------------
    def apply_change(self, text: str, change) -> str:
        """``text`` after one ``didChange`` content change (a whole text, or a range)."""
        rng = getattr(change, "range", None)
        if rng is None:
            return change.text
        body, bom = split_bom(text)
        lines = split_lines(text)
        index = line_index(body)

        def offset(pos: lsp.Position) -> int:
            if bom and pos.line <= 0 and pos.character < self.bom_units:
                return 0                                  # before the byte order mark
            return index.offset(self.model_position(lines, pos)) + (1 if bom else 0)

        start = offset(rng.start)
        end = max(offset(rng.end), start)
        return text[:start] + change.text + text[end:]
