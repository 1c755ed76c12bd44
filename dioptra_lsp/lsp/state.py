"""What the server knows: open documents, which MLproject owns which file, the latest analyses.

Analyses run one at a time on a worker thread (the event loop keeps answering hover and
completion meanwhile).  A document change marks its projects dirty; the worker takes the
*newest* text of every open document when it starts a project, so a version that arrives while
an older one is still waiting simply replaces it: no fixed debounce, no queue of stale work.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..config import (
    ConfigError,
    Overrides,
    Settings,
    apply_overrides,
    forget_cached_configs,
    resolve_settings,
)
from ..diagnostics import Diagnostic
from ..model.project import MLPROJECT_NAME, ProjectModel
from .positions import split_lines

log = logging.getLogger(__name__)


def norm(path: str | os.PathLike) -> Path:
    return Path(os.path.normpath(os.path.abspath(path)))


def is_mlproject(path: Path) -> bool:
    return path.name.lower() == MLPROJECT_NAME


class Overlay(dict):
    """In-editor buffers by normalised path; lookups normalise too (``src/../src/a.py``)."""

    def get(self, key, default=None):  # type: ignore[override]
        return dict.get(self, norm(key), default) if key is not None else default

    def __contains__(self, key) -> bool:  # type: ignore[override]
        return dict.__contains__(self, norm(key))

    def __getitem__(self, key):
        return dict.__getitem__(self, norm(key))


@dataclass
class Doc:
    uri: str
    path: Path
    version: int
    text: str
    language_id: str = ""
    _lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines

    def set_text(self, text: str, version: int) -> None:
        self.text = text
        self.version = version
        self._lines = None


@dataclass
class Analysis:
    mlproject: Path
    project: ProjectModel | None
    diagnostics: list[Diagnostic]
    versions: dict[Path, int]            # open-document versions it was computed from
    settings: Settings
    files: frozenset[Path]
    error: str | None = None
    seconds: float = 0.0
    previous_files: frozenset[Path] = frozenset()   # files the analysis it replaced covered
    by_path: dict[Path, list[Diagnostic]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for d in self.diagnostics:
            self.by_path.setdefault(norm(d.path), []).append(d)


class State:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}
        self.by_path: dict[Path, Doc] = {}
        self.analyses: dict[Path, Analysis] = {}
        self.owners: dict[Path, set[Path]] = {}      # file -> MLprojects whose model read it
        self.overrides = Overrides()               # the editor's settings
        self.config_errors: dict[Path, str] = {}
        self.workspace_roots: list[Path] = []

    # documents ------------------------------------------------------------------------
    def open(self, doc: Doc) -> None:
        self.docs[doc.uri] = doc
        self.by_path[doc.path] = doc

    def close(self, uri: str) -> Doc | None:
        doc = self.docs.pop(uri, None)
        if doc is not None and self.by_path.get(doc.path) is doc:
            del self.by_path[doc.path]
        return doc

    def overlay(self) -> Overlay:
        return Overlay({d.path: d.text for d in self.docs.values()})

    def versions(self) -> dict[Path, int]:
        return {d.path: d.version for d in self.docs.values()}

    def text(self, path: Path) -> str | None:
        doc = self.by_path.get(path)
        if doc is not None:
            return doc.text
        for mlp in self.owners.get(path, ()):
            a = self.analyses.get(mlp)
            if a and a.project:
                p = a.project
                if p.mlproject is not None and norm(p.mlproject_path) == path:
                    return p.mlproject.text
                for spath, script in p.scripts.items():
                    if norm(spath) == path:
                        return script.text
        from ..model.source import ReadError, read_source

        source = read_source(path)   # never blocks on a FIFO, never reads without end
        return None if isinstance(source, ReadError) else source.text

    def model_text(self, path: Path) -> str | None:
        """The text the model reads for ``path`` (a buffer's byte order mark set apart)."""
        from ..model.source import split_bom

        text = self.text(path)
        return None if text is None else split_bom(text)[0]

    def version_of(self, path: Path) -> int | None:
        doc = self.by_path.get(path)
        return doc.version if doc is not None else None

    def edit_versions(self, mlprojects) -> dict[Path, int]:
        """The buffer versions the (fresh) analyses of ``mlprojects`` were computed on."""
        out: dict[Path, int] = {}
        for m in mlprojects:
            a = self.analyses.get(m)
            if a is not None:
                out.update(a.versions)
        return out

    def lines(self, path: Path) -> list[str]:
        doc = self.by_path.get(path)
        if doc is not None:
            return doc.lines
        text = self.text(path)
        return split_lines(text) if text is not None else []

    # ownership ------------------------------------------------------------------------
    def owners_of(self, path: Path) -> list[Path]:
        """The MLprojects whose analysis covers ``path`` (known ones first, then the nearest)."""
        if is_mlproject(path):
            return [path]
        found = list(self.owners.get(path, ()))
        if not found:
            from ..engine import find_project_for

            nearest = find_project_for(path)
            if nearest is not None:
                found.append(norm(nearest))
            else:
                # An MLproject open in the editor but not (yet) on disk.
                for doc_path in self.by_path:
                    if is_mlproject(doc_path) and doc_path.parent in path.parents:
                        found.append(doc_path)
                        break
        return found

    def record(self, analysis: Analysis) -> None:
        old = self.analyses.get(analysis.mlproject)
        if old is not None:
            analysis.previous_files = old.files
            for f in old.files:
                s = self.owners.get(f)
                if s is not None:
                    s.discard(analysis.mlproject)
                    if not s:
                        del self.owners[f]
        self.analyses[analysis.mlproject] = analysis
        for f in analysis.files:
            self.owners.setdefault(f, set()).add(analysis.mlproject)

    def forget(self, mlproject: Path) -> None:
        old = self.analyses.pop(mlproject, None)
        if old is not None:
            for f in old.files:
                s = self.owners.get(f)
                if s is not None:
                    s.discard(mlproject)
                    if not s:
                        del self.owners[f]

    def diagnostics_for(self, path: Path) -> list[Diagnostic]:
        out: dict[tuple, Diagnostic] = {}
        for mlp in self.owners_of(path):
            a = self.analyses.get(mlp)
            if a is None:
                continue
            for d in a.by_path.get(path, ()):
                out.setdefault((d.span, d.code, d.message), d)
        return sorted(out.values(), key=Diagnostic.sort_key)

    def analysis_for(self, path: Path) -> Analysis | None:
        for mlp in self.owners_of(path):
            a = self.analyses.get(mlp)
            if a is not None and a.project is not None:
                return a
        return None

    def is_fresh(self, mlproject: Path) -> bool:
        a = self.analyses.get(mlproject)
        if a is None:
            return False
        for path in a.files | {mlproject}:
            doc = self.by_path.get(path)
            if doc is not None and a.versions.get(path) != doc.version:
                return False
            if doc is None and path in a.versions:
                return False      # computed from a buffer that has since been closed
        return True

    # settings -------------------------------------------------------------------------
    def settings_for(self, folder: Path) -> Settings:
        """The folder's config file with the editor's settings merged in, as the CLI merges
        its options (config.resolve_settings: it notices a config file edited on disk)."""
        try:
            settings = resolve_settings(folder, overrides=self.overrides)
            self.config_errors.pop(folder, None)
        except ConfigError as err:
            self.config_errors[folder] = str(err)
            settings = apply_overrides(Settings(), self.overrides)
        return settings

    def forget_settings(self) -> None:
        """Config files were created, changed or deleted."""
        forget_cached_configs()


class Linter:
    """Runs analyses on one worker thread; newest text wins; waiters can ask for freshness."""

    def __init__(self, state: State, on_done: Callable[[Analysis], None],
                 on_error: Callable[[str], None]) -> None:
        self.state = state
        self.on_done = on_done
        self.on_error = on_error
        self.dirty: dict[Path, None] = {}
        self.running: Path | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dioptra-lint")
        self._wake: asyncio.Event | None = None
        self._cond: asyncio.Condition | None = None
        self._task: asyncio.Task | None = None
        self._reported: set[str] = set()
        self.background: set[Path] = set()

    def _ensure(self) -> None:
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._cond = asyncio.Condition()
            self._task = asyncio.get_running_loop().create_task(self._run())

    def request(self, mlprojects, background: bool = False) -> None:
        """Queue analyses; ``background`` ones (workspace indexing) yield to edits."""
        self._ensure()
        for m in mlprojects:
            self.dirty[m] = None
            if background:
                self.background.add(m)
            else:
                self.background.discard(m)
        if self.dirty:
            self._wake.set()

    async def fresh(self, mlprojects, timeout: float = 30.0) -> None:
        """Wait until every one of ``mlprojects`` has an analysis of the current buffers."""
        mlprojects = list(mlprojects)
        stale = [m for m in mlprojects if not self.state.is_fresh(m)]
        # Queued by something other than an edit (settings or a config file changed): the
        # versions still match, but the answer must wait for the new analysis.
        pending = [m for m in mlprojects if m in self.dirty or m == self.running]
        if stale:
            self.request(m for m in stale if m not in self.dirty and m != self.running)
        elif not pending:
            return
        self._ensure()

        def done() -> bool:
            return all((m not in self.dirty and m != self.running and m in self.state.analyses)
                       for m in mlprojects)

        async with self._cond:
            try:
                await asyncio.wait_for(self._cond.wait_for(done), timeout)
            except asyncio.TimeoutError:
                log.warning("analysis of %s did not finish in %ss", mlprojects, timeout)

    def run_on_worker(self, fn, *args):
        return asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wake.wait()
            self._wake.clear()
            # Let notifications that are already queued (newer versions) land first.
            await asyncio.sleep(0)
            while self.dirty:
                mlp = next((m for m in self.dirty if m not in self.background), None) \
                    or next(iter(self.dirty))
                del self.dirty[mlp]
                self.background.discard(mlp)
                self.running = mlp
                overlay = self.state.overlay()
                versions = self.state.versions()
                settings = self.state.settings_for(mlp.parent)
                err = self.state.config_errors.get(mlp.parent)
                if err and err not in self._reported:
                    self._reported.add(err)
                    self.on_error(f"configuration error (linting with defaults): {err}")
                try:
                    analysis = await loop.run_in_executor(
                        self.executor, _analyse, mlp, settings, overlay, versions)
                except Exception as err:  # noqa: BLE001 - reported, never fatal
                    import traceback

                    self.on_error(f"analysis of {mlp} failed: {type(err).__name__}: {err}\n"
                                  + traceback.format_exc())
                    analysis = Analysis(mlp, None, [], versions, settings, frozenset({mlp}),
                                        error=str(err))
                self.running = None
                self.state.record(analysis)
                try:
                    self.on_done(analysis)
                except Exception as err:  # noqa: BLE001
                    self.on_error(f"publishing diagnostics failed: {type(err).__name__}: {err}")
                async with self._cond:
                    self._cond.notify_all()
                await asyncio.sleep(0)


def _analyse(mlp: Path, settings: Settings, overlay: Overlay, versions: dict[Path, int]) -> Analysis:
    from ..engine import analyse, merge_groups

    t0 = time.perf_counter()
    from ..model import fs

    if not fs.is_file(mlp) and mlp not in overlay:
        return Analysis(mlp, None, [], versions, settings, frozenset({mlp}), error="deleted")
    project, diags = analyse(mlp, settings, overlay)
    diags = merge_groups(diags)
    files = frozenset(norm(p) for p in project.files()) | {mlp}
    files |= frozenset(norm(link.path) for link in project.links if link.path is not None)
    used = {p: v for p, v in versions.items() if p in files}
    return Analysis(mlp, project, diags, used, settings, files, seconds=time.perf_counter() - t0)
