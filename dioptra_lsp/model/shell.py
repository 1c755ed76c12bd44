"""How bash reads a command: words, quoting, operators, redirections and simple commands.

The one owner of "how a command string becomes words".  MLflow runs an entry point's command
with ``bash -c``; the model reads the MLproject's command with this module, the dry-run reads
the resolved command with it, and every rule and editor feature reads what they found.

Bash's rules, learned from bash 5.2 and checked against it by the tests (``printf`` for the
words, ``bash -n`` for the syntax, a traced run of a stub program for operators and
redirections):

* metacharacters (space, tab, newline, ``| & ; ( ) < >``) end a word; ``#`` starts a comment
  only at the start of a word; backslash-newline vanishes everywhere except inside single
  quotes, ``$'...'`` and comments;
* quoting: ``'...'``; ``"..."`` (backslash escapes only ``$ ` " \\`` and newline);
  ``$'...'`` with its C escapes; ``$"..."`` (read as ``"..."``: no message catalog is set);
* ``$name``, ``${...}``, ``$(...)``, ``$((...))``, ``$[...]``, backquotes, ``<(...)``, ``>(...)``,
  a leading ``~`` and brace expansion stay inside their word, which is then *computed at run
  time* (``ShellToken.computed``); unquoted ones may also turn into zero or several words
  (``splits``); unquoted ``* ? [...]`` make the word a file-name pattern (``glob``);
* control operators ``&& || ; ;; ;& ;;& | |& & ( )`` and newline; redirections ``< > >> <<
  <<- <<< <& >& <> >| &> &>>`` with an optional fd number (``2>&1``) or ``{name}`` before
  them, each with its target word; here-document bodies are skipped;
* leading ``NAME=value`` words are assignments, not the program;
* reserved words (``if then elif else fi while until do done for select in case esac function
  { } ! time``) at the start of a command, and the grammar they form, so a script run inside
  ``if``/``while``/``{ }``/``( )`` is found and a malformed command is refused where bash
  refuses it (``error``, with bash's own wording).

Not modelled, and marked so that readers say "not checked" (``ShellScript.unmodelled``):
the insides of ``[[ ... ]]`` and ``(( ... ))``, ``for (( ... ))`` and ``coproc``; commands inside
``$(...)``/backquotes are part of their word, not commands of their own.

Offsets are into the string read; ``span_of`` (when given) turns them into source ranges.
"""

from __future__ import annotations

import re
from typing import Callable

from .record import record
from .source import Span

SpanOf = Callable[[int, int], Span]

CONTROL_OPERATORS = ("&&", "||", ";;&", ";;", ";&", ";", "|&", "|", "&", "(", ")", "\n")
REDIRECT_OPERATORS = ("<<<", "<<-", "<<", "<&", "<>", "<", ">>", ">&", ">|", ">", "&>>", "&>")
RESERVED = frozenset({"if", "then", "elif", "else", "fi", "while", "until", "do", "done", "for",
                      "select", "in", "case", "esac", "function", "{", "}", "!", "time", "[[",
                      "]]", "coproc"})
# Words that close a compound command's list: met where a command would start, they end it.
# Reserved words after which the next word still starts a command.
_COMMAND_PREFIXES = frozenset({"if", "then", "elif", "else", "while", "until", "do", "{", "!",
                               "time", "coproc"})
_OPERATORS = frozenset(CONTROL_OPERATORS + REDIRECT_OPERATORS)
_OPERATOR_PREFIXES = frozenset(op[:k] for op in _OPERATORS for k in range(1, len(op) + 1))
_CLOSERS = frozenset({"then", "elif", "else", "fi", "do", "done", "esac", "}"})


@record
class ShellToken:
    """One word of a command, with its exact offsets."""

    text: str          # the word as written (quotes kept)
    value: str         # after quote removal; expansions kept as written (``$HOME/x``)
    start: int         # offsets into the string read
    end: int
    span: Span | None  # source range (None when read without a source map)
    # What bash computes in this word at run time, as written (``$HOME``, ``$(date)``, ``~``,
    # ``{a,b}``), or None: the value is then exactly what the program receives.
    computed: str | None = None
    splits: bool = False    # an unquoted expansion: bash may make zero or several words of it
    glob: bool = False      # unquoted ``*``, ``?`` or ``[...]``: replaced by matching file names

    @property
    def literal(self) -> bool:
        """The program receives exactly ``value`` as one argument (no expansion, no pattern)."""
        return self.computed is None and not self.glob


@record
class Redirect:
    """``2>&1``, ``> log``, ``<<< word``, ``<<EOF``: not an argument of the program."""

    operator: str                  # one of REDIRECT_OPERATORS
    fd: str | None                 # "2" in ``2>&1``, "fd" in ``{fd}>x``, None for the default
    target: ShellToken | None      # the word after the operator (a here-document's delimiter)
    start: int                     # from the fd number (if any) to the end of the target
    end: int


@record
class SimpleCommand:
    """``A=1 python x.py --a 1 > log``: assignments, words and redirections, as bash groups them."""

    assignments: tuple[ShellToken, ...]   # leading ``NAME=value`` (and ``NAME+=value``) words
    words: tuple[ShellToken, ...]         # the program and its arguments, in order
    redirects: tuple[Redirect, ...]
    start: int
    end: int
    connector: str | None        # the operator before it in its list ("&&", "|", "\n", ...)
    # Enclosing constructs, outermost first: ("subshell" | "group" | "if" | "loop" | "case" |
    # "function" | "pipeline" | "async", id).  Pipelines and ``&`` run in a subshell of their own.
    scope: tuple[tuple[str, int], ...] = ()

    @property
    def program(self) -> ShellToken | None:
        return self.words[0] if self.words else None

    @property
    def args(self) -> tuple[ShellToken, ...]:
        return self.words[1:]


@record
class ShellScript:
    """A whole command string as bash reads it."""

    commands: tuple[SimpleCommand, ...]   # every simple command, in source order
    words: tuple[ShellToken, ...]         # every word read, in source order
    error: str | None = None              # bash's syntax error (it refuses the command), or None
    error_start: int | None = None        # where the error is (the token bash names, or the
    error_end: int | None = None          # construct left open at the end)
    unclosed_quote: int | None = None     # offset of a quote never closed (part of ``error``)
    unmodelled: tuple[tuple[str, int], ...] = ()   # (construct, offset) read but not modelled
    # Every redirection, in source order: those of simple commands and those written after a
    # compound command (``{ a; b; } > log``), which apply to every command inside it.
    redirects: tuple[Redirect, ...] = ()
    # Every comment bash skips: (offset of its ``#``, offset of the end: the newline or the
    # end of the string).  In an MLproject's folded command that end may be lines later.
    comments: tuple[tuple[int, int], ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def parse_shell(source: str, span_of: SpanOf | None = None,
                origin: tuple[str, list[int]] | None = None) -> ShellScript:
    """Read ``source`` as ``bash -c`` would, without running or expanding anything.

    ``origin`` = (text, offsets) when ``source`` was derived from another text (a command
    template whose ``{{`` became ``{``): ``offsets[k]`` is where character ``k`` of ``source``
    came from; every offset, text and span is then given in that text.
    """
    parser = _Parser(_Lexer(source, span_of, origin))
    return parser.run()


def is_assignment(text: str) -> bool:
    """``NAME=...``, ``NAME+=...`` or ``NAME[sub]=...`` as written (unquoted name)."""
    return _ASSIGNMENT(text) is not None


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=").match
_DIGITS = re.compile(r"[0-9]+").fullmatch
_NAMED_FD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}").fullmatch
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match
# A whole word of characters with no meaning to bash but braces (checked for {a,b} apart).
_SIMPLE_WORD = re.compile(r"[A-Za-z0-9_./:=@%+^,!{}-]+").match
_PLAIN = re.compile(r"[^ \t\n;&|()<>\\'\"$`*?\[{~]+").match   # characters with no meaning
_DQ_PLAIN = re.compile(r'[^"\\$`]+').match
_BLANKS = re.compile(r"[ \t]+").match
_SPECIAL_PARAMS = frozenset("@*#?-$!0123456789")
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n",
                   "r": "\r", "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}
_HEX = frozenset("0123456789abcdefABCDEF")
_OCTAL = frozenset("01234567")


class _EOF(Exception):
    """Input ended inside a construct; bash's message and where the construct opened."""

    def __init__(self, message: str, start: int, quote: bool = False, width: int = 1) -> None:
        super().__init__(message)
        self.message, self.start, self.quote, self.end = message, start, quote, start + width


class _Syntax(Exception):
    def __init__(self, message: str, start: int, end: int) -> None:
        super().__init__(message)
        self.message, self.start, self.end = message, start, end


# --------------------------------------------------------------------------- lexer


class _Tok:
    """A lexer token: a word, an operator, or the end ("")."""

    __slots__ = ("kind", "op", "word", "start", "end", "fd", "raw")

    def __init__(self, kind: str, start: int, end: int, op: str = "",
                 word: ShellToken | None = None, fd: str | None = None, raw: str = "") -> None:
        self.kind, self.start, self.end, self.op, self.word, self.fd = kind, start, end, op, word, fd
        self.raw = raw   # a word as bash sees it (reserved words are recognised on this)

    @property
    def shown(self) -> str:
        """How bash names this token in "near unexpected token"."""
        if self.kind == "word":
            return self.raw
        if self.kind == "eof" or self.op == "\n":
            return "newline"
        return self.op


class _WordState:
    __slots__ = ("parts", "computed", "splits", "glob", "raw_bytes")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.computed: str | None = None
        self.splits = False
        self.glob = False
        self.raw_bytes = False   # a $'\ooo' byte was added: normalise the value at the end

    def compute(self, what: str, splits: bool) -> None:
        if self.computed is None:
            self.computed = what
        self.splits = self.splits or splits


class _Lexer:
    def __init__(self, source: str, span_of: SpanOf | None,
                 origin: tuple[str, list[int]] | None = None) -> None:
        self.s = source
        self.n = len(source)
        self.i = 0
        self.span_of = span_of
        self.original, offsets = origin if origin is not None else (source, None)
        self.mapped = offsets is not None
        self.at: Callable[[int], int] = offsets.__getitem__ if offsets is not None else int
        self.words: list[ShellToken] = []
        self.pending_heredocs: list[tuple[ShellToken, bool]] = []   # (delimiter, strip tabs)
        self.delimiter_next: bool | None = None   # after << / <<-: the next word is a delimiter
        self.last: str = "\n"          # the previous token: an operator, "word" or "target"
        self.command_position = True   # the next word may be a command's first word
        self.unclosed_quote: int | None = None
        self.comments: list[tuple[int, int]] = []

    # ------------------------------------------------------------ characters

    def skip_continuations(self, i: int) -> int:
        """``i`` moved past any backslash-newline pairs (bash drops them before reading)."""
        s = self.s
        while s.startswith("\\\n", i):
            i += 2
        return i

    def char(self, i: int) -> str:
        """The character read at ``i``, after continuations ("" at the end)."""
        i = self.skip_continuations(i)
        return self.s[i] if i < self.n else ""

    # ------------------------------------------------------------ tokens

    def next(self) -> _Tok:
        s, n = self.s, self.n
        i = self.i
        while True:
            m = _BLANKS(s, i)
            if m:
                i = m.end()
            if s.startswith("\\\n", i):
                i += 2
                continue
            break
        if i >= n:
            self.i = n
            return _Tok("eof", n, n)
        c = s[i]
        if c == "#":
            nl = s.find("\n", i)
            self.comments.append((self.at(i), self.at(n if nl < 0 else nl)))
            i = n if nl < 0 else nl
            if i >= n:
                self.i = n
                return _Tok("eof", n, n)
            c = "\n"
        if c == "\n":
            self.i = i + 1
            self.last, self.command_position = "\n", True
            if self.pending_heredocs:
                self._read_heredoc_bodies()
            return _Tok("op", i, i + 1, "\n")
        if c in "<>" and self.char(i + 1) == "(":
            return self._word(i)   # process substitution: a word
        if c in ";&|()<>":
            return self._operator(i, None)
        return self._word(i)

    def _operator(self, i: int, fd: str | None, fd_start: int | None = None) -> _Tok:
        """The longest operator at ``i`` (continuations inside it are skipped, as bash does)."""
        s = self.s
        chars = []
        j = i
        while len(chars) < 3:
            k = self.skip_continuations(j) if chars else j
            if k >= self.n or s[k] not in ";&|()<>-":
                break
            if "".join(chars) + s[k] not in _OPERATOR_PREFIXES:
                break
            chars.append(s[k])
            j = k + 1
        # back off to the longest complete operator
        while chars and "".join(chars) not in _OPERATORS:
            chars.pop()
        op = "".join(chars)
        if not op:   # "-" alone cannot start an operator; never reached for ;&|()<>
            return self._word(i)
        end = i
        for _ in op:   # advance over the operator's characters and continuations between them
            end = self.skip_continuations(end) + 1
        self.i = end
        if op in ("<<", "<<-"):
            self.delimiter_next = op == "<<-"
        if op not in REDIRECT_OPERATORS:
            self.command_position = True
        self.last = op
        return _Tok("op", fd_start if fd_start is not None else i, end, op, fd=fd)

    def _word(self, start: int) -> _Tok:
        s, n = self.s, self.n
        # Most words are plain (``--epochs``, ``src/train.py``, ``{epochs}``): read them whole.
        m = _SIMPLE_WORD(s, start)
        if m is not None:
            end = m.end()
            text = m.group()
            if (end == n or s[end] in " \t\n;&|()") and not (
                    "{" in text and _has_brace_expansion(text)):
                return self._finish(start, end, end, text, None, False, False, self.last,
                                    self.command_position and self.last not in REDIRECT_OPERATORS)
        st = _WordState()
        i = start
        parts = st.parts
        at_start = True
        after = self.last
        command_position = self.command_position and after not in REDIRECT_OPERATORS
        if command_position:
            i = self._array_subscript(start)   # NAME[...] may hold blanks there
            if i > start:
                parts.append(s[start:i])
                at_start = False
        assignment = _ASSIGNMENT(s, start)   # NAME=...: a ~ after "=" or ":" expands too
        assign_end = assignment.end() if assignment else None
        brace_open = 0
        brace_seen = False
        trailing = 0
        while i < n:
            c = s[i]
            if c in " \t\n;&|()":
                break
            if c in "<>":
                if self.char(i + 1) == "(":   # <(...) or >(...)
                    end = self._comsub(self.skip_continuations(i + 1) + 1, i)
                    parts.append(s[i:end])
                    st.compute(s[i:end], False)
                    i = end
                    at_start = False
                    continue
                break
            m = _PLAIN(s, i)
            if m:
                parts.append(m.group())
                i = m.end()
                at_start = False
                trailing = 0
                continue
            trailing = 0
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt == "\n":
                    i += 2
                    trailing = 2   # a continuation at the end is not part of the word
                    continue
                if nxt == "":
                    parts.append("\\")
                    i += 1
                else:
                    parts.append(nxt)
                    i += 2
                at_start = False
            elif c == "'":
                close = s.find("'", i + 1)
                if close < 0:
                    self._unclosed(i, "'")
                parts.append(s[i + 1:close])
                i = close + 1
                at_start = False
            elif c == '"':
                i = self._double_quoted(i + 1, i, st)
                at_start = False
            elif c == "$":
                i = self._dollar(i, st, quoted=False)
                at_start = False
            elif c == "`":
                end = self._scan_backquote(i)
                parts.append(s[i:end])
                st.compute(s[i:end], True)
                i = end
                at_start = False
            elif c in "*?":
                parts.append(c)
                st.glob = True
                i += 1
                at_start = False
            elif c == "[":
                parts.append(c)
                if self._bracket_closes(i + 1):
                    st.glob = True
                i += 1
                at_start = False
            elif c == "{":
                parts.append(c)
                brace_open += 1
                i += 1
                at_start = False
            elif c == "~":
                if at_start or (assign_end is not None and i >= assign_end
                                and s[i - 1] in "=:" and s[i - 2:i - 1] != "\\"):
                    prefix = s[i:self._tilde_end(i)]
                    if not any(q in prefix for q in "'\"\\"):   # a quoted prefix stays as is
                        st.compute(prefix, False)
                parts.append(c)
                i += 1
                at_start = False
            else:   # pragma: no cover - every character is handled above
                parts.append(c)
                i += 1
        if brace_open:
            brace_seen = _has_brace_expansion(s[start:i])
        if brace_seen:
            st.compute(_brace_part(s[start:i]), True)
        if i == start:   # cannot happen: callers only start words on a word character
            i += 1
        value = "".join(parts)
        if st.raw_bytes:
            value = value.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
        return self._finish(start, i - trailing, i, value, st.computed, st.splits, st.glob, after,
                            command_position)

    def _finish(self, start: int, i: int, resume: int, value: str, computed: str | None,
                splits: bool, glob: bool, after: str, command_position: bool) -> _Tok:
        """The word ``s[start:i]`` read (the lexer goes on at ``resume``), or the fd number of
        the redirection right after it."""
        s, n = self.s, self.n
        self.i = resume
        text = s[start:i]
        # An fd number (``2>``) or a ``{name}`` (``{fd}>``) written right before a redirection
        # (not the target of ``>&``/``<&``: ``2>&1>log``).
        if self.i < n and s[self.i] in "<>" and self.delimiter_next is None:
            bare = text.replace("\\\n", "")
            if (self.char(self.i + 1) != "(" and after not in ("<&", ">&")
                    and (_DIGITS(bare) or _NAMED_FD(bare))):
                return self._operator(self.i, bare.strip("{}"), start)
        if self.mapped:
            a, b = self.at(start), self.at(i)
            written = self.original[a:b]
        else:
            a, b, written = start, i, text
        span_of = self.span_of
        token = ShellToken(written, value, a, b, span_of(a, b) if span_of else None, computed,
                           splits, glob)
        self.words.append(token)
        if self.delimiter_next is not None:
            self.pending_heredocs.append((token, self.delimiter_next))
            self.delimiter_next = None
        if after in REDIRECT_OPERATORS:
            self.last = "target"
        else:
            self.last = "word"
            self.command_position = command_position and (
                text in _COMMAND_PREFIXES or is_assignment(text))
        return _Tok("word", start, i, word=token, raw=text)

    def _array_subscript(self, start: int) -> int:
        """The end of ``NAME[...]`` at ``start`` (bash reads the subscript whole), else ``start``."""
        m = _NAME(self.s, start)
        if m is None or self.s[m.end():m.end() + 1] != "[":
            return start
        return self._scan_brackets(m.end() + 1, m.end())

    def _unclosed(self, at: int, quote: str, width: int = 1) -> None:
        if quote in "'\"" and self.unclosed_quote is None:
            self.unclosed_quote = at
        raise _EOF(f"unexpected EOF while looking for matching `{quote}'", at, quote in "'\"",
                   width)

    def _double_quoted(self, i: int, opened: int, st: _WordState) -> int:
        """Read ``"..."`` from after its opening quote; returns the offset after the closing one."""
        s, n = self.s, self.n
        parts = st.parts
        while i < n:
            m = _DQ_PLAIN(s, i)
            if m:
                parts.append(m.group())
                i = m.end()
                continue
            c = s[i]
            if c == '"':
                return i + 1
            if c == "\\":
                nxt = s[i + 1:i + 2]
                if nxt == "\n":
                    i += 2
                elif nxt in ('"', "\\", "$", "`"):
                    parts.append(nxt)
                    i += 2
                else:
                    parts.append("\\")
                    i += 1
            elif c == "$":
                i = self._dollar(i, st, quoted=True)
            elif c == "`":
                end = self._scan_backquote(i)
                parts.append(s[i:end])
                st.compute(s[i:end], False)
                i = end
        self._unclosed(opened, '"')
        return n   # pragma: no cover - _unclosed raises

    def _dollar(self, i: int, st: _WordState, quoted: bool) -> int:
        """``$`` at ``i``: an expansion, ANSI-C or locale quoting, or a literal dollar sign."""
        s = self.s
        j = self.skip_continuations(i + 1)
        c = s[j] if j < self.n else ""
        if c == "'" and not quoted:
            return self._ansi_c(j + 1, i, st)
        if c == '"' and not quoted:
            return self._double_quoted(j + 1, j, st)
        if c == "(":   # $( ... ) and $(( ... ))
            end = self._arith_or_comsub(j, i)
        elif c == "{":
            end = self._scan_braces(j + 1, i)
        elif c == "[":
            end = self._scan_brackets(j + 1, i)
        elif c and c in _SPECIAL_PARAMS:
            end = j + 1
        elif c and (c.isalpha() or c == "_") and c.isascii():
            m = _NAME(s, j)
            end = m.end()
        else:   # a lone dollar sign is itself
            st.parts.append("$")
            return i + 1
        st.parts.append(s[i:end])
        st.compute(s[i:end], not quoted)
        return end

    def _ansi_c(self, i: int, opened: int, st: _WordState) -> int:
        """``$'...'`` from after its quote: bash's C escapes; a NUL ends the string's value.

        The closing quote is found first (a backslash always pairs with the next character),
        then the escapes are decoded."""
        close = self._ansi_c_close(i)
        if close < 0:
            self._unclosed(opened + 1, "'")
        st.parts.append(_decode_ansi_c(self.s[i:close], st))
        return close + 1

    def _ansi_c_close(self, i: int) -> int:
        s = self.s
        while i < self.n:
            if s[i] == "\\":
                i += 2
                continue
            if s[i] == "'":
                return i
            i += 1
        return -1

    # ------------------------------------------------------------ nested constructs

    def _arith_or_comsub(self, paren: int, dollar: int) -> int:
        """``$(`` with its "(" at ``paren``: ``$((...))`` when it closes as arithmetic, else a
        command substitution.  Returns the offset after the construct."""
        k = self.skip_continuations(paren + 1)
        if self.s[k:k + 1] == "(":
            quote = self.unclosed_quote
            try:
                end = self._scan_parens(k + 1, dollar, "(")
                if self.s[end:end + 1] == ")":
                    return end + 1
            except _EOF:
                pass
            self.unclosed_quote = quote
        return self._comsub(paren + 1, dollar)

    def _comsub(self, i: int, opened: int) -> int:
        """A command substitution's commands from ``i``: bash parses them (and refuses a bad
        one) when it reads the word; they stay part of the word here."""
        inner = _Lexer(self.s, None)
        inner.i = i
        try:
            return _Parser(inner).comsub(opened)
        except _EOF as err:
            if err.quote and self.unclosed_quote is None:
                self.unclosed_quote = err.start
            raise

    def _scan_parens(self, i: int, opened: int, _: str) -> int:
        """From after ``(``: the offset after the matching ``)``, skipping quotes and comments."""
        depth = 1
        s, n = self.s, self.n
        at_word_start = True
        while i < n:
            c = s[i]
            if c == "\\":
                i += 2
                at_word_start = False
                continue
            if c == "'":
                close = s.find("'", i + 1)
                if close < 0:
                    self._unclosed(i, "'")
                i = close + 1
            elif c == '"':
                i = self._skip_double_quoted(i + 1, i)
            elif c == "`":
                i = self._scan_backquote(i)
            elif c == "$" and s[i + 1:i + 2] == "'":
                close = self._ansi_c_close(i + 2)
                if close < 0:
                    self._unclosed(i + 1, "'")
                i = close + 1
            elif c == "$" and s[i + 1:i + 2] == "{":
                i = self._scan_braces(i + 2, i)
            elif c == "#" and at_word_start:
                nl = s.find("\n", i)
                i = n if nl < 0 else nl
            elif c == "(":
                depth += 1
                i += 1
            elif c == ")":
                depth -= 1
                i += 1
                if depth == 0:
                    return i
            else:
                i += 1
            at_word_start = c in " \t\n;&|()<>"
        self._unclosed(opened, ")")
        return n   # pragma: no cover

    def _skip_double_quoted(self, i: int, opened: int) -> int:
        s, n = self.s, self.n
        while i < n:
            c = s[i]
            if c == "\\":
                i += 2
            elif c == '"':
                return i + 1
            elif c == "$" and s[i + 1:i + 2] == "(":
                i = self._arith_or_comsub(i + 1, i)
            elif c == "$" and s[i + 1:i + 2] == "{":
                i = self._scan_braces(i + 2, i)
            elif c == "`":
                i = self._scan_backquote(i)
            else:
                i += 1
        self._unclosed(opened, '"')
        return n   # pragma: no cover

    def _scan_braces(self, i: int, opened: int) -> int:
        """From after ``${``: the offset after its ``}`` (only a nested ``${`` nests)."""
        s, n = self.s, self.n
        while i < n:
            c = s[i]
            if c == "\\":
                i += 2
            elif c == "'":
                close = s.find("'", i + 1)
                if close < 0:
                    self._unclosed(i, "'")
                i = close + 1
            elif c == '"':
                i = self._skip_double_quoted(i + 1, i)
            elif c == "`":
                i = self._scan_backquote(i)
            elif c == "$" and s[i + 1:i + 2] == "(":
                i = self._arith_or_comsub(i + 1, i)
            elif c == "$" and s[i + 1:i + 2] == "{":
                i = self._scan_braces(i + 2, i)
            elif c == "}":   # the first one closes: a bare "{" inside does not nest
                return i + 1
            else:
                i += 1
        self._unclosed(opened, "}", 2)   # ``${``
        return n   # pragma: no cover

    def _scan_brackets(self, i: int, opened: int) -> int:
        """From after ``$[`` or ``NAME[``: the offset after the matching ``]``."""
        depth = 1
        s, n = self.s, self.n
        while i < n:
            c = s[i]
            if c == "\\":
                i += 2
                continue
            if c == "'":
                close = s.find("'", i + 1)
                if close < 0:
                    self._unclosed(i, "'")
                i = close + 1
                continue
            if c == '"':
                i = self._skip_double_quoted(i + 1, i)
                continue
            if c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        self._unclosed(opened, "]")
        return n   # pragma: no cover

    def _scan_backquote(self, i: int) -> int:
        s, n = self.s, self.n
        j = i + 1
        while j < n:
            c = s[j]
            if c == "\\":
                j += 2
                continue
            if c == "`":
                return j + 1
            j += 1
        self._unclosed(i, "`")
        return n   # pragma: no cover

    def _bracket_closes(self, i: int) -> bool:
        """A ``[`` opens a pattern only when an unquoted ``]`` follows in the same word."""
        s, n = self.s, self.n
        while i < n:
            c = s[i]
            if c in " \t\n;&|()<>'\"":
                return False
            if c == "\\":
                i += 2
                continue
            if c == "]":
                return True
            i += 1
        return False

    def _tilde_end(self, i: int) -> int:
        s, n = self.s, self.n
        j = i + 1
        while j < n and s[j] not in " \t\n;&|()<>/:":
            j += 1
        return j

    # ------------------------------------------------------------ here-documents

    def _read_heredoc_bodies(self) -> None:
        """After the newline that ends a line with ``<<WORD``: skip each body up to its WORD line."""
        s, n = self.s, self.n
        i = self.i
        for delimiter, strip_tabs in self.pending_heredocs:
            quoted = delimiter.text != delimiter.value or any(c in delimiter.text for c in "'\"\\")
            while i < n:
                nl = s.find("\n", i)
                line_end = n if nl < 0 else nl
                line = s[i:line_end]
                if not quoted:   # an unquoted body joins continued lines before comparing
                    while line.endswith("\\") and line_end < n:
                        nl = s.find("\n", line_end + 1)
                        line_end = n if nl < 0 else nl
                        line = s[i:line_end]
                        break
                shown = line.lstrip("\t") if strip_tabs else line
                i = line_end + 1 if line_end < n else n
                if shown == delimiter.value:
                    break
        self.pending_heredocs = []
        self.i = min(i, n)

    # ------------------------------------------------------------ raw scans for the parser

    def skip_until(self, closing: str, start: int) -> int:
        """Skip the insides of ``[[ ... ]]`` or ``(( ... ))``: the offset after ``closing``."""
        s = self.s
        i = self.i
        depth = 0
        while i < self.n:
            if closing == "))":
                c = s[i]
                if c == "(":
                    depth += 1
                elif c == ")":
                    if depth == 0 and s.startswith("))", i):
                        self.i = i + 2
                        return self.i
                    depth -= 1
                i += 1
                continue
            tok = self.next()
            if tok.kind == "eof":
                break
            if tok.kind == "word" and tok.raw == closing:
                return self.i
            i = self.i
        raise _EOF("syntax error: unexpected end of file", start)


def _has_brace_expansion(text: str) -> bool:
    """Bash expands ``{a,b}`` and ``{1..3}`` (not ``{a}``, ``${x}`` or quoted braces)."""
    return ("," in text or ".." in text) and _brace_part(text) != ""


def _brace_part(text: str) -> str:
    """The first ``{...}`` of ``text`` that brace expansion would expand, or ""."""
    stack: list[tuple[int, bool]] = []   # (offset of "{", a top-level comma seen)
    i, n = 0, len(text)
    quote = ""
    while i < n:
        c = text[i]
        if quote:
            if c == "\\" and quote == '"':
                i += 2
                continue
            if c == quote:
                quote = ""
            i += 1
            continue
        if c == "\\":
            i += 2
            continue
        if c in "'\"":
            quote = c
        elif c == "$" and text[i + 1:i + 2] in ("{", "("):
            # ${...} and $(...) are not brace expansions: skip to their close
            close = "}" if text[i + 1] == "{" else ")"
            depth, j = 0, i + 1
            while j < n:
                if text[j] == text[i + 1]:
                    depth += 1
                elif text[j] == close:
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            i = j + 1
            continue
        elif c == "{":
            stack.append((i, False))
        elif c == "," and stack:
            stack[-1] = (stack[-1][0], True)
        elif c == "}" and stack:
            opened, comma = stack.pop()
            inner = text[opened + 1:i]
            if comma or re.fullmatch(r"(-?\d+\.\.-?\d+|[A-Za-z]\.\.[A-Za-z])(\.\.-?\d+)?", inner):
                return text[opened:i + 1]
        i += 1
    return ""


def _decode_ansi_c(body: str, st: _WordState) -> str:
    """The value of the inside of ``$'...'`` as bash 5.2 computes it."""
    out: list[str] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        byte: int | None = None
        if e in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[e])
            i += 2
        elif e in _OCTAL:
            k = i + 1
            while k < i + 4 and k < n and body[k] in _OCTAL:
                k += 1
            byte, i = int(body[i + 1:k], 8) & 0xFF, k
        elif e == "x":
            k = i + 2
            while k < i + 4 and k < n and body[k] in _HEX:
                k += 1
            if k == i + 2:
                out.append("\\x")
                i += 2
            else:
                byte, i = int(body[i + 2:k], 16), k
        elif e in "uU":
            k = i + 2
            while k < i + 2 + (4 if e == "u" else 8) and k < n and body[k] in _HEX:
                k += 1
            if k == i + 2:
                out.append("\\" + e)
                i += 2
                continue
            code, i = int(body[i + 2:k], 16), k
            if code == 0:
                break
            if code >= 0x80:   # encoded in the run-time locale's character set
                st.compute(f"$'\\{e}{code:x}' (its bytes depend on the locale)", False)
            out.append(chr(code) if code <= 0x10FFFF and not 0xD800 <= code < 0xE000
                       else "\ufffd")
        elif e == "c":
            if i + 2 >= n:
                out.append("\\c")
                break
            ch = body[i + 2]
            i += 3
            if ch == "\\" and body[i:i + 1] == "\\":
                i += 1
            code = 0x7F if ch == "?" else ord(ch.upper()) & 0x1F if ch.isascii() else -1
            if code == 0:
                break
            out.append(chr(code) if code > 0 else "\\c" + ch)
        else:
            out.append("\\" + e)
            i += 2
        if byte is not None:
            if byte == 0:   # bash's value ends at a NUL: the rest of this $'...' is dropped
                break
            if byte < 0x80:
                out.append(chr(byte))
            else:   # a raw byte, as Python decodes argv (UTF-8 with surrogateescape)
                out.append(chr(0xDC00 + byte))
                st.raw_bytes = True
    return "".join(out)


# --------------------------------------------------------------------------- parser


class _Builder:
    """A simple command being read (made immutable once complete)."""

    __slots__ = ("assignments", "words", "redirects", "start", "end", "connector", "scope")

    def __init__(self, start: int, connector: str | None, scope: list[tuple[str, int]]) -> None:
        self.assignments: list[ShellToken] = []
        self.words: list[ShellToken] = []
        self.redirects: list[Redirect] = []
        self.start = start
        self.end = start
        self.connector = connector
        self.scope = list(scope)


class _Parser:
    """Recursive descent over bash's grammar; finds simple commands and bash's syntax errors."""

    def __init__(self, lexer: _Lexer) -> None:
        self.lex = lexer
        self.tok = _Tok("eof", 0, 0)
        self.built: list[_Builder] = []
        self.scope: list[tuple[str, int]] = []
        self.ids = 0
        self.unmodelled: list[tuple[str, int]] = []
        # Constructs still open (start, end of their first token): an EOF error points there.
        self.opened: list[tuple[int, int]] = []
        self.redirects: list[Redirect] = []

    def run(self) -> ShellScript:
        error = start = end = None
        try:
            self.tok = self.lex.next()
            self.program()
        except _Syntax as err:
            error, start, end = err.message, err.start, err.end
        except _EOF as err:
            error, start, end = err.message, err.start, err.end
        at = self.lex.at
        commands = tuple(SimpleCommand(tuple(b.assignments), tuple(b.words), tuple(b.redirects),
                                       at(b.start), at(b.end), b.connector, tuple(b.scope))
                         for b in self.built)
        quote = self.lex.unclosed_quote
        return ShellScript(commands, tuple(self.lex.words), error,
                           None if start is None else at(start), None if end is None else at(end),
                           None if quote is None else at(quote),
                           tuple((what, at(k)) for what, k in self.unmodelled),
                           tuple(self.redirects), tuple(self.lex.comments))

    def comsub(self, opened: int) -> int:
        """The commands of ``$( ... )`` up to its ")"; the offset after it."""
        self.tok = self.lex.next()
        self.newlines()
        if not self.is_op(")"):
            self.compound_list()
        if self.tok.kind == "eof":
            raise _EOF("unexpected EOF while looking for matching `)'", opened, width=2)
        if not self.is_op(")"):
            raise self.unexpected()
        return self.tok.end

    # ------------------------------------------------------------ helpers

    def advance(self) -> _Tok:
        tok = self.tok
        self.tok = self.lex.next()
        return tok

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.op in ops

    def is_reserved(self, *names: str) -> bool:
        tok = self.tok
        return tok.kind == "word" and tok.raw in names

    def unexpected(self) -> _Syntax:
        tok = self.tok
        if tok.kind == "eof":
            start, end = self.opened[-1] if self.opened else (tok.start, tok.end)
            return _Syntax("syntax error: unexpected end of file", start, end)
        return _Syntax(f"syntax error near unexpected token `{tok.shown}'", tok.start, tok.end)

    def expect_word(self, *names: str) -> _Tok:
        if not self.is_reserved(*names):
            raise self.unexpected()
        return self.advance()

    def newlines(self) -> None:
        while self.is_op("\n"):
            self.advance()

    def open_scope(self, kind: str) -> None:
        self.ids += 1
        self.scope.append((kind, self.ids))

    # ------------------------------------------------------------ grammar

    def program(self) -> None:
        """The whole string: lists separated by newlines, up to the end."""
        self.newlines()
        connector = None
        while self.tok.kind != "eof":
            self.list_(True, connector)
            if self.tok.kind == "eof":
                break
            if not self.is_op("\n"):
                raise self.unexpected()
            self.newlines()
            connector = "\n"

    def compound_list(self) -> None:
        """A list inside a compound command: at least one command, newlines allowed."""
        self.newlines()
        if self.at_list_end():
            raise self.unexpected()
        connector = None
        while True:
            self.list_(False, connector)
            if self.is_op("\n"):
                self.newlines()
                connector = "\n"
            if self.at_list_end():
                return

    def at_list_end(self) -> bool:
        tok = self.tok
        if tok.kind == "eof":
            return True
        if tok.kind == "op":
            return tok.op in (")", ";;", ";&", ";;&")
        return tok.raw in _CLOSERS

    def list_(self, top: bool, connector: str | None) -> None:
        """and_or ((';' | '&') and_or)* [';' | '&'], stopping at a newline or a closer."""
        while True:
            first = len(self.built)
            self.and_or(connector)
            if self.is_op("&"):
                self.mark_async(first)
            if not self.is_op(";", "&"):
                return
            connector = self.advance().op
            if self.tok.kind == "eof" or self.is_op("\n") or (not top and self.at_list_end()):
                return
            if self.is_op(";", "&"):
                raise self.unexpected()

    def mark_async(self, first: int) -> None:
        self.ids += 1
        depth = len(self.scope)
        for b in self.built[first:]:
            b.scope.insert(depth, ("async", self.ids))

    def and_or(self, connector: str | None) -> None:
        self.pipeline(connector)
        while self.is_op("&&", "||"):
            op = self.advance()
            self.opened.append((op.start, op.end))
            self.newlines()
            self.pipeline(op.op)
            self.opened.pop()

    def pipeline(self, connector: str | None) -> None:
        # ``!`` and ``time [-p]`` may precede a pipeline, or stand alone before a terminator.
        while self.is_reserved("!", "time"):
            word = self.advance().raw
            if word == "time" and self.tok.kind == "word" and self.tok.raw == "-p":
                self.advance()
            if self.tok.kind == "eof" or self.is_op(";", "\n"):
                return
        first = len(self.built)
        self.command(connector)
        if not self.is_op("|", "|&"):
            return
        members = [(first, len(self.built))]
        while self.is_op("|", "|&"):
            op = self.advance()
            self.opened.append((op.start, op.end))
            self.newlines()
            start = len(self.built)
            self.command(op.op)
            self.opened.pop()
            members.append((start, len(self.built)))
        depth = len(self.scope)
        for a, b in members:   # every member of a pipeline runs in a subshell of its own
            self.ids += 1
            for built in self.built[a:b]:
                built.scope.insert(depth, ("pipeline", self.ids))

    def command(self, connector: str | None) -> None:
        tok = self.tok
        if tok.kind == "eof":
            raise self.unexpected()
        if tok.kind == "op":
            if tok.op == "(":
                self.subshell()
                self.trailing_redirects()
                return
            if tok.op in REDIRECT_OPERATORS:
                self.simple_command(connector)
                return
            raise self.unexpected()
        text = tok.raw
        if text in ("{", "if", "while", "until", "for", "select", "case", "function"):
            self.opened.append((tok.start, tok.end))
            self.compound(text, connector)
            self.opened.pop()
            return
        if text in _CLOSERS or text in ("in", "]]", "!"):
            raise self.unexpected()
        if text == "[[":
            self.unmodelled.append(("[[", tok.start))
            self.advance_raw("]]", tok.start)
        elif text == "coproc":
            self.unmodelled.append(("coproc", tok.start))
            self.advance()
            self.command(connector)
            return
        else:
            self.simple_command(connector)
            return
        self.trailing_redirects()

    def compound(self, text: str, connector: str | None) -> None:
        if text == "{":
            self.advance()
            self.open_scope("group")
            self.compound_list()
            self.scope.pop()
            self.expect_word("}")
        elif text == "if":
            self.if_clause()
        elif text in ("while", "until"):
            self.advance()
            self.open_scope("loop")
            self.compound_list()
            self.expect_word("do")
            self.compound_list()
            self.expect_word("done")
            self.scope.pop()
        elif text in ("for", "select"):
            self.for_clause()
        elif text == "case":
            self.case_clause()
        else:   # function
            self.function_keyword()
            return
        self.trailing_redirects()

    def advance_raw(self, closing: str, start: int) -> None:
        """Skip an unmodelled construct up to ``closing`` (its insides are not read as commands)."""
        self.lex.i = self.tok.end
        self.lex.skip_until(closing, start)
        self.tok = self.lex.next()

    def subshell(self) -> None:
        opened = self.advance()
        self.opened.append((opened.start, opened.end))
        try:
            self._subshell(opened)
        finally:
            self.opened.pop()

    def _subshell(self, opened: _Tok) -> None:
        if self.is_op("(") and self.tok.start == opened.end:   # (( arithmetic ))
            self.unmodelled.append(("((", opened.start))
            self.lex.i = self.tok.end
            self.lex.skip_until("))", opened.start)
            self.tok = self.lex.next()
            return
        self.open_scope("subshell")
        self.compound_list()
        self.scope.pop()
        if not self.is_op(")"):
            raise self.unexpected()
        self.advance()

    def trailing_redirects(self) -> None:
        """Redirections after a compound command; any other word there is an error."""
        while self.tok.kind == "op" and self.tok.op in REDIRECT_OPERATORS:
            self.redirect(None)
        if self.tok.kind == "word":
            raise self.unexpected()
        if self.is_op("("):
            raise self.unexpected()

    def if_clause(self) -> None:
        self.advance()
        self.open_scope("if")
        self.compound_list()
        self.expect_word("then")
        self.compound_list()
        while self.is_reserved("elif"):
            self.advance()
            self.compound_list()
            self.expect_word("then")
            self.compound_list()
        if self.is_reserved("else"):
            self.advance()
            self.compound_list()
        self.expect_word("fi")
        self.scope.pop()

    def for_clause(self) -> None:
        start = self.advance()
        if self.is_op("("):   # for (( ...; ...; ... ))
            if self.lex.s[self.tok.end:self.tok.end + 1] != "(":
                raise self.unexpected()
            self.unmodelled.append(("for ((", start.start))
            self.lex.i = self.tok.end + 1
            self.lex.skip_until("))", start.start)
            self.tok = self.lex.next()
            if self.is_op(";"):
                self.advance()
        else:
            if self.tok.kind != "word":
                raise self.unexpected()
            self.advance()   # the variable name
            self.newlines()
            if self.is_reserved("in"):
                self.advance()
                while self.tok.kind == "word":
                    self.advance()
                if not self.is_op(";", "\n"):
                    raise self.unexpected()
                self.advance()
            elif self.is_op(";"):
                self.advance()
        self.newlines()
        self.open_scope("loop")
        if self.is_reserved("{"):   # for x in a; { ...; } is accepted by bash
            self.advance()
            self.compound_list()
            self.expect_word("}")
        else:
            self.expect_word("do")
            self.compound_list()
            self.expect_word("done")
        self.scope.pop()

    def case_clause(self) -> None:
        self.advance()
        if self.tok.kind != "word":
            raise self.unexpected()
        self.advance()
        self.newlines()
        self.expect_word("in")
        self.newlines()
        self.open_scope("case")
        while not self.is_reserved("esac"):
            if self.is_op("("):
                self.advance()
            if self.tok.kind != "word":
                raise self.unexpected()
            self.advance()
            while self.is_op("|"):
                self.advance()
                if self.tok.kind != "word":
                    raise self.unexpected()
                self.advance()
            if not self.is_op(")"):
                raise self.unexpected()
            self.advance()
            self.newlines()
            if not (self.is_op(";;", ";&", ";;&") or self.is_reserved("esac")):
                self.compound_list()
            if self.is_op(";;", ";&", ";;&"):
                self.advance()
                self.newlines()
            elif not self.is_reserved("esac"):
                raise self.unexpected()
        self.scope.pop()
        self.advance()

    def function_keyword(self) -> None:
        self.advance()
        if self.tok.kind != "word":
            raise self.unexpected()
        self.advance()
        if self.is_op("("):
            self.advance()
            if not self.is_op(")"):
                raise self.unexpected()
            self.advance()
        self.function_body()

    def function_body(self) -> None:
        self.newlines()
        self.open_scope("function")
        tok = self.tok
        if tok.kind == "op" and tok.op == "(":
            self.subshell()
        elif tok.kind == "word" and tok.raw in ("{", "if", "while", "until", "for",
                                                        "select", "case", "[["):
            self.command(None)
        else:
            raise self.unexpected()
        self.scope.pop()
        self.trailing_redirects()

    def simple_command(self, connector: str | None) -> None:
        b = _Builder(self.tok.start, connector, self.scope)
        self.built.append(b)
        while True:
            tok = self.tok
            if tok.kind == "word":
                word = tok.word
                if not b.words and is_assignment(tok.raw):
                    b.assignments.append(word)
                else:
                    b.words.append(word)
                b.end = tok.end
                self.advance()
                if self.is_op("(") and len(b.words) == 1 and not b.assignments and not b.redirects:
                    self.built.pop()    # ``name () compound``: a function definition
                    self.advance()
                    if not self.is_op(")"):
                        raise self.unexpected()
                    self.advance()
                    self.function_body()
                    return
            elif tok.kind == "op" and tok.op in REDIRECT_OPERATORS:
                b.end = self.redirect(b)
            else:
                break
        if self.is_op("("):
            raise self.unexpected()

    def redirect(self, b: _Builder | None) -> int:
        op_tok = self.advance()
        target = self.tok
        if target.kind == "eof":
            raise _Syntax("syntax error near unexpected token `newline'", op_tok.start, op_tok.end)
        if target.kind != "word":
            raise self.unexpected()
        self.advance()
        redirect = Redirect(op_tok.op, op_tok.fd, target.word, self.lex.at(op_tok.start),
                            target.word.end)
        self.redirects.append(redirect)
        if b is not None:
            b.redirects.append(redirect)
        return target.end
