"""The one place where model positions (0-based line, code-point column) meet LSP positions.

The model counts columns in Unicode code points; LSP clients count in the negotiated position
encoding (UTF-16 code units unless the client offers another).  Every conversion goes through
:class:`Codec`.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from ..model.source import Position, Span, line_index


def _units16(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _units8(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


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

    # model -> LSP -----------------------------------------------------------------------
    def column_to_client(self, line: str, character: int) -> int:
        if self._units is None or line.isascii():
            return character
        return self._units(line[:character])

    def position(self, lines: list[str], pos: Position) -> lsp.Position:
        line = lines[pos.line] if 0 <= pos.line < len(lines) else ""
        return lsp.Position(line=max(pos.line, 0), character=self.column_to_client(line, max(pos.character, 0)))

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
        return Position(pos.line, self.column_from_client(line, pos.character))

    def model_span(self, lines: list[str], rng: lsp.Range) -> Span:
        return Span(self.model_position(lines, rng.start), self.model_position(lines, rng.end))


def split_lines(text: str) -> list[str]:
    """Lines as the model and LSP count them (broken at ``\\r\\n``, ``\\r``, ``\\n`` only)."""
    return line_index(text).lines
