"""The LSP codec against the specification: lines broken at \\r\\n, \\r, \\n only, columns in
the negotiated unit, a byte order mark the buffer holds counted on line 0."""

from __future__ import annotations

import re

import pytest
from lsprotocol import types as lsp

from dioptra_lsp.lsp.positions import Codec, split_lines
from dioptra_lsp.model.source import LineIndex, split_bom

UNITS = {"utf-8": lambda s: len(s.encode("utf-8")), "utf-16": lambda s: len(s.encode("utf-16-le")) // 2,
         "utf-32": len}
TEXT = "\ufeffa\U0001F600b\u2028c\x0cd\r\né\rf\n\x85g"


def client_position(text: str, offset: int, encoding: str) -> lsp.Position:
    """Where the client puts ``offset`` of its buffer (the spec, written out)."""
    before = re.split(r"\r\n|\r|\n", text[:offset])
    return lsp.Position(line=len(before) - 1, character=UNITS[encoding](before[-1]))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_model_positions_round_trip_through_the_client_units(encoding):
    codec = Codec(encoding)
    body, _ = split_bom(TEXT)
    index = LineIndex(body)
    lines = split_lines(TEXT)
    assert list(lines) == ["a\U0001F600b\u2028c\x0cd", "é", "f", "\x85g"] and lines.bom
    for offset in range(len(body) + 1):
        if body[offset - 1:offset + 1] == "\r\n":
            continue
        pos = index.position(offset)
        client = codec.position(lines, pos)
        assert client == client_position(TEXT, offset + 1, encoding)      # +1: the BOM
        assert codec.model_position(lines, client) == pos


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_incremental_changes_land_where_the_client_put_them(encoding):
    codec = Codec(encoding)
    for start in range(1, len(TEXT) + 1):
        if TEXT[start - 1:start + 1] == "\r\n":
            continue
        end = min(start + 2, len(TEXT))
        if TEXT[end - 1:end + 1] == "\r\n":
            end += 1
        rng = lsp.Range(start=client_position(TEXT, start, encoding),
                        end=client_position(TEXT, end, encoding))
        change = lsp.TextDocumentContentChangePartial(range=rng, text="<X>")
        assert codec.apply_change(TEXT, change) == TEXT[:start] + "<X>" + TEXT[end:]
    whole = lsp.TextDocumentContentChangeWholeDocument(text="new")
    assert codec.apply_change(TEXT, whole) == "new"
