"""``--fix``: apply fixes until nothing more changes, check the result, write each file once.

What holds, by construction:

* an edit is applied only to the text it was computed from: every round is analysed on the
  in-memory texts the edits then apply to, and a file is written only if the disk still holds
  the bytes that were read (else everything is analysed again);
* fixes are applied until nothing more changes (one fix can expose another), then the result
  is checked: a file in which the fixes introduce a parse error or a finding that was not there
  before is left as it was, and said so;
* every byte outside an edit survives: the text is kept exactly (line endings per line, the
  byte order mark), inserted text takes the line break of its place (done by the engine), the
  file keeps its mode and, where it can, its owner;
* only regular files inside the projects being checked (their folders and configured plugin
  folders) are written, a symlink only when its target is inside them; anything else is one
  line naming the file, and the other files are still fixed.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections import Counter
from pathlib import Path

from .diagnostics import Diagnostic, TextEdit
from .model.source import ReadError, SourceText, content_hash, line_index, read_source

#: Rounds of fixes before giving up on a fixpoint (ruff stops at 100; ours converge in 2-3).
MAX_ROUNDS = 20
#: Whole fix runs when files change on disk while they are being fixed.
MAX_ATTEMPTS = 3


def apply_edits(text: str, edits: list[TextEdit]) -> tuple[str, int]:
    """Apply edits that do not overlap (the first one wins); returns the text and how many applied."""
    index = line_index(text)
    spans = sorted(((index.offset(e.span.start), index.offset(e.span.end), e) for e in edits),
                   key=lambda t: (t[0], t[1]))
    chosen = []
    last_end = -1
    for start, end, edit in spans:
        if start < last_end or (start == last_end and chosen and start == chosen[-1][0] == end):
            continue
        chosen.append((start, end, edit))
        last_end = end
    for start, end, edit in reversed(chosen):
        text = text[:start] + edit.new_text + text[end:]
    return text, len(chosen)


def safe_only(diag: Diagnostic) -> bool:
    return diag.fix is not None and diag.fix.safe


def choose_fixes(diags: list[Diagnostic], texts: dict[Path, str], applies=safe_only
                 ) -> dict[Path, tuple[list[TextEdit], list[str]]]:
    """Per file, the edits of the fixes that can be applied together, and the codes of the
    findings they fix.  ``applies(diag)`` says whether a finding's fix may be applied (safe
    ones only, by default).

    Whole fixes only (all their edits land, or none), each in one file (multi-file fixes are
    left to the editor, where they can be reviewed), none overlapping one chosen before."""
    taken: dict[Path, list[tuple[int, int]]] = {}
    out: dict[Path, tuple[list[TextEdit], list[str]]] = {}
    for diag in diags:
        fix = diag.fix
        if fix is None or not fix.edits or not applies(diag):
            continue
        paths = {_key(e.path) for e in fix.edits}
        if len(paths) != 1:
            continue
        (path,) = paths
        if path not in texts:
            continue
        index = line_index(texts[path])
        ranges = [index.span_offsets(e.span) for e in fix.edits]
        chosen = taken.setdefault(path, [])
        if any(_overlap(r, c) for r in ranges for c in chosen):
            continue
        chosen.extend(ranges)
        edits, codes = out.get(path, ([], []))
        out[path] = (edits + list(fix.edits), codes + [diag.code])
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # Two insertions at one place would land in an order nobody chose: the second waits.
    return a[0] < b[1] and b[0] < a[1] or a[0] == b[0]


def _key(path: Path) -> Path:
    return Path(os.path.normpath(path))


class Overlay(dict):
    """In-memory texts by normalised path (the model may reach ``ep/src/../src/a.py``)."""

    def get(self, key, default=None):  # type: ignore[override]
        return dict.get(self, _key(key), default) if key is not None else default

    def __contains__(self, key) -> bool:  # type: ignore[override]
        return dict.__contains__(self, _key(key))


class FixReport:
    """What ``--fix`` did: how many fixes landed (``fixed``, and per file the codes of the
    findings fixed), the files written, one line per file it could not fix, and the analysis
    of the tree as it now is on disk.  With ``write=False`` (``--diff``) nothing is written:
    ``changes`` holds each file's bytes before and after, and ``result`` is the analysis of
    the fixed texts in memory."""

    def __init__(self) -> None:
        self.fixed = 0
        self.fixed_codes: dict[Path, Counter] = {}
        self.written: list[Path] = []
        self.changes: list[tuple[Path, bytes, bytes]] = []
        self.problems: list[str] = []
        self.skipped: list[str] = []
        self.result = None


def fix_paths(paths, *, write: bool = True, **options) -> FixReport:
    """Lint ``paths`` like ``check`` (``options`` are :func:`engine.run`'s), apply the fixes
    (the safe ones, and the unsafe ones where ``unsafe-fixes`` is on), and return what
    happened; ``write=False`` computes the same fixes and writes nothing."""
    from .engine import rerun, run

    report = FixReport()
    result = run(paths, **options)
    if not write:
        session = _Session(result, report)
        session.fix()
        session.collect_changes()
        report.result = session.result
        return report
    for attempt in range(MAX_ATTEMPTS):
        session = _Session(result, report)
        session.fix()
        moved = session.write(last=attempt == MAX_ATTEMPTS - 1)
        if not moved:
            break
        result = run(paths, **options)     # a file changed under us: start from the disk again
    # The report is about the disk as it now is: what was written, and what could not be.
    held = list(session.texts)
    report.result = rerun(session.result, held) if held else session.result
    return report


def add_noqa(paths, **options) -> FixReport:
    """``--add-noqa``: a ``# noqa: CODE`` on the line of every current finding of ``paths``
    (``options`` are :func:`engine.run`'s), written as ``--fix`` writes.  ``report.fixed``
    counts the lines changed; ``report.skipped`` names the findings no comment can reach."""
    from .engine import rerun, run

    report = FixReport()
    result = run(paths, **options)
    for attempt in range(MAX_ATTEMPTS):
        report.skipped = []
        session = _Session(result, report)
        session.add_noqa()
        moved = session.write(last=attempt == MAX_ATTEMPTS - 1)
        if not moved:
            break
        result = run(paths, **options)
    held = list(session.texts)
    report.result = rerun(session.result, held) if held else session.result
    return report


class _Session:
    """One fix run over an analysis: rounds in memory, then the check, then the writes."""

    def __init__(self, result, report: FixReport) -> None:
        self.result = result
        self.report = report
        self.roots = [os.path.realpath(r) for r in result.roots()]
        self.originals: dict[Path, SourceText] = {}
        self.hashes: dict[Path, str] = {}
        self.texts = Overlay()
        self.refused: set[Path] = set()
        self.before: dict[Path, Counter] = {}
        self.fixed: dict[Path, Counter] = {}

    def fix(self) -> None:
        from .engine import rerun

        rounds = 0
        while rounds < MAX_ROUNDS:
            wanted = choose_fixes(self.result.diagnostics, _Everything(), self._applies)
            new = [p for p in wanted if p not in self.originals and p not in self.refused]
            if new:       # files met for the first time (each once: this ends)
                for path in new:
                    self._take(path)
                # Analyse the exact texts now held: the edits must come from them.
                self.result = rerun(self.result, new, self.texts)
                for path in new:
                    if path in self.texts:
                        self.before[path] = _codes(self.result.diagnostics, path)
                continue
            rounds += 1
            plan = choose_fixes(self.result.diagnostics, self.texts, self._applies)
            changed = []
            for path, (edits, codes) in plan.items():
                new_text, _ = apply_edits(self.texts[path], edits)
                if new_text != self.texts[path]:
                    self.texts[path] = new_text
                    self.fixed.setdefault(path, Counter()).update(codes)
                    changed.append(path)
            if not changed:
                break
            self.result = rerun(self.result, changed, self.texts)
        self._check()

    def add_noqa(self) -> None:
        from .engine import rerun

        paths = list(dict.fromkeys(_key(d.path) for d in self.result.occurrences()))
        for path in paths:
            self._take(path)
        held = [p for p in paths if p in self.texts]
        if not held:
            return
        # Analyse the exact texts now held: the lines must be those of the text edited.
        self.result = rerun(self.result, held, self.texts)
        for path in held:
            self.before[path] = _codes(self.result.diagnostics, path)
        changed = []
        for path in held:
            edits, lines = _noqa_edits(path, self.texts, self.result.occurrences(),
                                       self.report.skipped)
            if edits:
                self.texts[path] = apply_edits(self.texts[path], edits)[0]
                self.fixed.setdefault(path, Counter())["noqa"] += lines
                changed.append(path)
        if changed:
            self.result = rerun(self.result, changed, self.texts)
        self._check()

    def _applies(self, diag: Diagnostic) -> bool:
        return self.result.fix_applies(diag)

    def _take(self, path: Path) -> None:
        reason = writable(path, self.roots)
        source = read_source(path) if reason is None else None
        if isinstance(source, ReadError):
            reason = source.message
        if reason is not None:
            self.refused.add(path)
            self.report.problems.append(f"{path.as_posix()}: not fixed: {reason}")
            return
        self.originals[path] = source
        self.hashes[path] = content_hash(source.encode())
        self.texts[path] = source.text

    def _check(self) -> None:
        """Leave a file as it was when its fixes introduce a parse error or a new finding."""
        from .engine import rerun

        for _ in range(MAX_ROUNDS):
            bad = {}
            for path, text in self.texts.items():
                if text == self.originals[path].text:
                    continue
                new = _codes(self.result.diagnostics, path) - self.before.get(path, Counter())
                if new:
                    bad[path] = new
            if not bad:
                return
            for path, new in bad.items():
                self.texts[path] = self.originals[path].text
                self.fixed.pop(path, None)
                shown = ", ".join(sorted(new))
                what = "a syntax error" if "DL001" in new else "new findings"
                self.report.problems.append(
                    f"{path.as_posix()}: fixes not applied: they would introduce {what} "
                    f"({shown}); the file is left as it was")
            self.result = rerun(self.result, bad, self.texts)

    def write(self, last: bool) -> bool:
        """Write every changed file once; True when one changed on disk meanwhile (redo)."""
        moved = False
        for path, text in self.texts.items():
            original = self.originals[path]
            if text == original.text:
                continue
            current = read_source(path)
            if isinstance(current, ReadError) or content_hash(current.encode()) != self.hashes[path]:
                if last:
                    self.report.problems.append(
                        f"{path.as_posix()}: not fixed: it keeps changing on disk while being fixed")
                    self.refused.add(path)
                else:
                    moved = True
                continue
            try:
                write_atomically(Path(os.path.realpath(path)), original.encode(text))
            except OSError as err:
                self.refused.add(path)
                self.report.problems.append(
                    f"{path.as_posix()}: not fixed: cannot write it: {err.strerror or err}")
                continue
            self.report.written.append(path)
            self._count(path)
        return moved

    def collect_changes(self) -> None:
        """``--diff``: each changed file's bytes before and after, nothing written."""
        for path, text in self.texts.items():
            original = self.originals[path]
            if text != original.text:
                self.report.changes.append((path, original.encode(original.text),
                                            original.encode(text)))
                self._count(path)

    def _count(self, path: Path) -> None:
        codes = self.fixed.get(path, Counter())
        self.report.fixed += sum(codes.values())
        self.report.fixed_codes[path] = codes


def _noqa_edits(path: Path, texts, diags: list[Diagnostic], skipped: list[str]
                ) -> tuple[list[TextEdit], int]:
    """The edits that suppress every finding of ``path``, and how many lines they change."""
    from types import SimpleNamespace

    from .engine import NoqaReader
    from .model.mlproject import load_mlproject
    from .model.noqa import add_codes
    from .model.source import Span

    mlproject = load_mlproject(path, texts) if path.name.lower() == "mlproject" else None
    reader = NoqaReader(SimpleNamespace(mlproject=mlproject, mlproject_path=path, scripts={}),
                        texts)
    wanted: dict[int, list[str]] = {}
    for d in diags:
        if _key(d.path) != path:
            continue
        line, why = reader.place_for(path, d.span.start.line)
        directive = reader.directives(path).get(line) if line is not None else None
        if directive is not None and directive.invalid:
            line, why = None, f"its `# noqa` is not valid ({directive.invalid})"
        if line is None:
            skipped.append(f"{path.as_posix()}:{d.span.start.line + 1}: {d.code} not "
                           f"suppressed: a comment cannot go on this line ({why})")
            continue
        wanted.setdefault(line, []).append(d.code)
    edits = []
    for line, codes in sorted(wanted.items()):
        change = add_codes(reader.line(path, line), reader.directives(path).get(line), codes)
        if change is not None:
            start, end, text = change
            edits.append(TextEdit(path, Span.of(line, start, line, end), text))
    return edits, len(edits)


class _Everything:
    """A ``texts`` stand-in that accepts every path (to list the files fixes would touch)."""

    def __contains__(self, key) -> bool:
        return True

    def __getitem__(self, key) -> str:
        return ""


def _codes(diags: list[Diagnostic], path: Path) -> Counter:
    return Counter(d.code for d in diags if _key(d.path) == path)


def writable(path: Path, roots: list[str]) -> str | None:
    """Why ``--fix`` must not write ``path`` (None: it may)."""
    real = os.path.realpath(path)
    if not any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
        via = f" (a symlink to {real})" if os.path.islink(path) else ""
        return f"it is outside the projects being checked{via}"
    try:
        info = os.stat(real)
        folder = os.stat(os.path.dirname(real))
    except OSError as err:
        return f"cannot read it: {err.strerror or err}"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_nlink > 1:
        return (f"it has {info.st_nlink} hard links; a fix would split them (edit it by hand "
                f"or break the link)")
    if not info.st_mode & 0o222 or not os.access(real, os.W_OK):
        return "the file is read-only"
    if not folder.st_mode & 0o222 or not os.access(os.path.dirname(real), os.W_OK | os.X_OK):
        return "its folder is read-only"
    return None


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` (its real place) and rename it over: never a
    half-written file; the mode and, where allowed, the owner are kept."""
    info = None
    try:
        info = os.stat(path)
    except OSError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if info is not None:
            os.chmod(tmp, stat.S_IMODE(info.st_mode))
            if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
                try:
                    os.chown(tmp, info.st_uid, info.st_gid)
                except OSError:
                    pass     # not root: the file becomes ours, as any editor's save would
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


#: Lines of context around each change in ``--diff`` (diff's and ruff's default).
DIFF_CONTEXT = 3


def unified_diff(name: str, before: bytes, after: bytes) -> bytes:
    """``before`` -> ``after`` as a unified diff that ``patch -p0`` and ``git apply -p0``
    apply to ``name``.  Lines are the bytes between ``\\n``s, as those tools split them: a
    ``\\r\\n`` ending or a lone ``\\r`` stays part of its line, a BOM part of the first, and a
    last line without ``\\n`` is marked so."""
    import difflib

    old, new = _patch_lines(before), _patch_lines(after)
    out = [f"--- {name}\n+++ {name}\n".encode()]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for group in matcher.get_grouped_opcodes(DIFF_CONTEXT):
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n".encode())
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(_hunk_line(b" ", line) for line in old[i1:i2])
                continue
            out.extend(_hunk_line(b"-", line) for line in old[i1:i2])
            out.extend(_hunk_line(b"+", line) for line in new[j1:j2])
    return b"".join(out)


def _patch_lines(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    tail = lines.pop()          # after the last \n: b"" when the file ends with one
    out = [line + b"\n" for line in lines]
    if tail:
        out.append(tail)
    return out


def _hunk_line(mark: bytes, line: bytes) -> bytes:
    if line.endswith(b"\n"):
        return mark + line
    return mark + line + b"\n\\ No newline at end of file\n"


def _range(start: int, stop: int) -> str:
    """A hunk's ``start,length`` (1-based; an empty range names the line before it)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"
