"""``# noqa`` directives: where they are, what they name, and where one can be written.

The one owner of "is there a ``# noqa`` on this line, and which codes does it name", read by
suppression (the engine), DL002 (unused directives), DL113 (a ``#`` inside a block command),
``--add-noqa``, and the editor (hover, "suppress on this line").

As ruff reads them (a test holds them against ruff): ``# noqa`` (any case, spaces optional:
``#noqa``) alone suppresses every finding of its line; ``# noqa: DL201, DL104`` (codes
separated by commas and/or spaces, a code being capital letters then digits, each naming one
rule: no prefixes) only those, and text after the list is a free reason.  ``# noqa:`` followed
by no code, or by a code joined to other characters (``DL2O1``) or in lower case, is not a
directive at all: it suppresses nothing (ruff warns; DL002 reports it).  A directive is read only in a comment: in Python a ``COMMENT`` token, in YAML and
TOML a ``#`` at the start of a line or after a space, outside a quoted or multi-line value.
"""

from __future__ import annotations

import re

from .record import record
from .source import line_index

_DIRECTIVE = re.compile(r"#\s*noqa", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+")
_SEPARATOR = re.compile(r"[\s,]*")


@record
class NoqaCode:
    code: str          # as written
    start: int         # columns on the directive's line
    end: int


@record
class Noqa:
    """One directive: ``line`` (0-based), ``start`` the column of its ``#``, ``end`` the column
    after its last code (or after ``noqa``)."""

    line: int
    start: int
    end: int
    codes: tuple[NoqaCode, ...] = ()
    # Not a directive ruff or we read: ``# noqa:`` without a valid list of codes (why, then).
    invalid: str = ""

    @property
    def bare(self) -> bool:
        return not self.codes and not self.invalid

    def covers(self, code: str) -> NoqaCode | None:
        """The code of this directive that names ``code``, if any."""
        for written in self.codes:
            if written.code == code:
                return written
        return None

    def suppresses(self, code: str) -> bool:
        return self.bare or self.covers(code) is not None


def parse(line_text: str, line: int, at: int) -> Noqa | None:
    """The directive whose ``#`` is at column ``at`` of ``line_text``, or None."""
    m = _DIRECTIVE.match(line_text, at)
    if m is None:
        return None
    end = m.end()
    rest = line_text[end:]
    colon = re.match(r"\s*:", rest)
    if colon is None:
        # `# noqa` then a space or the end: bare (`# noqa F401` is bare too, as in ruff);
        # `# noqaxyz` or `# noqa-ish` is not a directive.
        if rest and not rest[0].isspace():
            return None
        return Noqa(line, at, end)
    i = end + colon.end()
    codes: list[NoqaCode] = []
    while True:
        gap = _SEPARATOR.match(line_text, i)
        j = gap.end()
        code = _CODE.match(line_text, j)
        if code is None or (codes and j == i):     # no code, or one not separated
            if code is None and not codes and re.match(r"[a-z]+[0-9]+", line_text[j:]):
                return Noqa(line, at, j + len(_word(line_text, j)), tuple(codes),
                            invalid=f"`{_word(line_text, j)}` is not a rule code (codes are "
                                    f"written in capitals)")
            break
        after = line_text[code.end():code.end() + 1]
        if after and (after.isalnum() or after == "_"):
            return Noqa(line, at, j + len(_word(line_text, j)), tuple(codes),
                        invalid=f"`{_word(line_text, j)}` is not a rule code (letters then "
                                f"digits, codes separated by commas)")
        codes.append(NoqaCode(code.group(), j, code.end()))
        i = code.end()
    if not codes:
        return Noqa(line, at, i, invalid="`# noqa:` names no code")
    return Noqa(line, at, codes[-1].end, tuple(codes))


def _word(text: str, at: int) -> str:
    m = re.match(r"[^\s,#]+", text[at:])
    return m.group() if m else text[at:at + 1]


def find_in_comment(line_text: str, line: int, comment_start: int) -> Noqa | None:
    """The first directive inside the comment that starts at ``comment_start``
    (``# type: ignore  # noqa: DL201`` has one after the first ``#``)."""
    for hit in re.finditer("#", line_text[comment_start:]):
        found = parse(line_text, line, comment_start + hit.start())
        if found is not None:
            return found
    return None


def may_have_directive(text: str) -> bool:
    return _DIRECTIVE.search(text) is not None


# ------------------------------------------------------------------------------- Python


def python_directives(text: str) -> dict[int, Noqa]:
    """Each line's directive, read from the comments Python's tokenizer finds."""
    if not may_have_directive(text):
        return {}
    import io
    import tokenize

    index = line_index(text)
    out: dict[int, Noqa] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT and _DIRECTIVE.search(tok.string):
                line = tok.start[0] - 1
                found = find_in_comment(index.line(line), line, tok.start[1])
                if found is not None:
                    out.setdefault(line, found)
    except (tokenize.TokenError, SyntaxError, IndentationError, ValueError):
        # A file Python cannot tokenize (DL001): read its lines the simple way.
        return _line_directives(text, lambda line, col: True)
    return out


def python_uncommentable_lines(text: str) -> dict[int, str]:
    """Lines of a Python file where a comment cannot be written at the end, and why: inside a
    multi-line string, or after a line-continuation backslash."""
    import io
    import tokenize

    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = tok.type
            if kind == getattr(tokenize, "FSTRING_START", -1):
                continue
            if (kind == tokenize.STRING or kind == getattr(tokenize, "FSTRING_MIDDLE", -1)) \
                    and tok.end[0] > tok.start[0]:
                for line in range(tok.start[0] - 1, tok.end[0] - 1):
                    out.setdefault(line, "its end is inside a multi-line string")
    except (tokenize.TokenError, SyntaxError, IndentationError, ValueError):
        pass
    index = line_index(text)
    for number, line in enumerate(index.lines):
        if line.endswith("\\") and number not in out:
            out[number] = "it ends with a line-continuation backslash"
    return out


# ------------------------------------------------------------------------ YAML and TOML


def yaml_directives(text: str, outside_values=None) -> dict[int, Noqa]:
    """Each line's directive in a YAML (or TOML) file: a ``#`` at the start of a line or
    after a space or tab.  ``outside_values(line, col)`` answers False for a ``#`` inside a
    value (a quoted or multi-line scalar), which is text, not a comment."""
    if not may_have_directive(text):
        return {}
    return _line_directives(text, outside_values or (lambda line, col: True))


def _line_directives(text: str, is_comment) -> dict[int, Noqa]:
    out: dict[int, Noqa] = {}
    index = line_index(text)
    for number, line in enumerate(index.lines):
        if "#" not in line:
            continue
        for hit in _DIRECTIVE.finditer(line):
            col = hit.start()
            if col and line[col - 1] not in " \t":
                continue
            if not is_comment(number, col):
                continue
            found = parse(line, number, col)
            if found is not None:
                out[number] = found
                break
    return out


def yaml_multiline_values(text: str) -> list[tuple[int, int, str, int]]:
    """The scalars of a YAML text that span lines: ``(first line, last line, style, header
    line)`` (0-based; ``style`` ``|``/``>`` for block scalars, whose header is the line of
    their indicator, else ``'``, ``"`` or ``""`` for plain).  Empty when the text is not YAML."""
    import yaml

    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        root = yaml.compose(text, Loader=loader)
    except Exception:  # noqa: BLE001 - not YAML (DL001 says so): no value spans lines
        return []
    index = line_index(text)
    out = []
    stack = [root] if root is not None else []
    seen = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            first = index.position(node.start_mark.index).line
            last = index.position(node.end_mark.index).line
            style = node.style or ""
            if style in ("|", ">"):
                # A block scalar's node starts at its indicator; its content ends with the
                # line break before the next key (the last content line is one above).
                end = node.end_mark.index
                if end and text[end - 1:end] in ("\n", "\r"):
                    end -= 1
                last = index.position(end).line
                if last > first:
                    out.append((first + 1, last, style, first))
            elif last > first:
                out.append((first, last, style, first))
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return out


def toml_multiline_lines(text: str) -> dict[int, str]:
    """Lines of a TOML text inside a multi-line string (``\"\"\"`` or ``'''``)."""
    out: dict[int, str] = {}
    index = line_index(text)
    open_quote = None
    for number, line in enumerate(index.lines):
        i = 0
        while i < len(line):
            if open_quote is None and line[i] == "#":
                break
            for quote in ('"""', "'''"):
                if line.startswith(quote, i) and open_quote in (None, quote):
                    open_quote = None if open_quote else quote
                    i += 2
                    break
            i += 1
        if open_quote is not None:
            out[number] = "its end is inside a multi-line string"
    return out


def add_codes(line_text: str, directive: Noqa | None, codes: list[str]
              ) -> tuple[int, int, str] | None:
    """How to make ``line_text`` suppress ``codes``: ``(start column, end column, new
    text)``, merged into its directive if it has one (None: it already suppresses them)."""
    if directive is not None and not directive.invalid:
        if directive.bare:
            return None
        missing = [c for c in dict.fromkeys(codes) if directive.covers(c) is None]
        if not missing:
            return None
        return directive.end, directive.end, "".join(f", {c}" for c in missing)
    end = len(line_text.rstrip())
    return end, len(line_text), f"  # noqa: {', '.join(dict.fromkeys(codes))}"
