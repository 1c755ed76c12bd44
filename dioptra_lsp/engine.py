"""Run the rules over projects: discovery, settings, suppression.  Shared by every front-end."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .config import (
    ConfigError,
    Overrides,
    Settings,
    code_enabled,
    ignored_for_file,
    is_excluded,
    resolve_settings,
)
from .diagnostics import Diagnostic
from .model import fs
from .model.project import EXPERIMENT_SUFFIXES, MLPROJECT_NAME, TOML_NAME, ProjectModel, load_project
from .model.source import FILE_START, LineIndex, ReadError, line_index, read_source

class LintResult:
    """What one run found; filled in as projects are linted (so not a frozen record)."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.errors: list[str] = []      # problems of the tool's input, not findings
        # Files named on the command line that belong to no entry-point project (a pre-commit
        # hook passes every changed .py file): noted, not an error.
        self.skipped: list[str] = []
        self.projects = 0
        self.files: set[Path] = set()
        # What each project's analysis was and read: lets --fix re-analyse only the projects
        # an edit touches (:func:`rerun`).
        self.jobs: list[tuple[Path, Settings, frozenset[Path] | None]] = []
        self.outputs: list[tuple[list[Path], list[Diagnostic]]] = []
        self._unsafe: dict[Path, bool | None] | None = None

    def unsafe_fixes(self, path: Path) -> bool | None:
        """The ``unsafe-fixes`` setting of the project that read ``path`` (its configuration
        and the command line's): True applies unsafe fixes, None only mentions them."""
        if self._unsafe is None:
            self._unsafe = {}
            for (files, _), (_, settings, _) in zip(self.outputs, self.jobs):
                for file in files:
                    self._unsafe.setdefault(file, settings.unsafe_fixes)
        return self._unsafe.get(normalize(path))

    def fix_applies(self, diag: Diagnostic) -> bool:
        """Whether ``--fix`` (and fix-all) would apply ``diag``'s fix: a safe one always, an
        unsafe one where ``unsafe-fixes`` is on."""
        fix = diag.fix
        return fix is not None and bool(fix.edits) and (
            fix.safe or self.unsafe_fixes(diag.path) is True)

    def occurrences(self) -> list[Diagnostic]:
        """Every finding before grouping: a grouped finding's other places too (each line a
        ``# noqa`` must reach)."""
        unique = {(d.path, d.span, d.code, d.message): d
                  for _, diags in self.outputs for d in diags}
        return sorted(unique.values(), key=Diagnostic.sort_key)

    def roots(self) -> set[Path]:
        """The folders of the projects checked and their configured plugin folders."""
        out: set[Path] = set()
        for mlproject, settings, _ in self.jobs:
            out.add(mlproject.parent)
            out.update(settings.plugin_dirs)
        return out


def normalize(path: Path) -> Path:
    """Keep paths as the user reached them (``examples/x/src/a.py``), minus ``..`` and ``.``."""
    return Path(os.path.normpath(path))


def discover(root: Path, settings_for) -> Iterable[Path]:
    """Every project root below ``root``: each MLproject (in each folder, the entry MLflow
    would open: the first ``os.listdir`` name that lower-cases to ``mlproject``, be it a file
    or not, since MLflow fails on a folder named ``MLproject`` and so does the model, as
    DL001), each ``dioptra.toml``, and each experiment file (a YAML file whose top level has
    ``graph``) that none of those runs, which is then linted on its own."""
    from .model.project import find_mlproject_file

    if not fs.is_dir(root):
        return
    roots: list[Path] = []
    candidates: list[Path] = []
    for folder, dirs, files in fs.walk(root):
        here = Path(folder)
        settings = settings_for(here)
        if settings is None:      # its configuration is broken (reported by settings_for)
            dirs[:] = []
            continue
        if any(name.lower() == MLPROJECT_NAME for name in (*files, *dirs)):
            found = find_mlproject_file(here)
            if found is not None and not is_excluded(found, settings):
                roots.append(normalize(found))
                yield roots[-1]
        dirs[:] = sorted(d for d in dirs if not is_excluded(here / d, settings))
        for name in files:
            if name == TOML_NAME:
                if not is_excluded(here / name, settings):
                    roots.append(normalize(here / name))
                    yield roots[-1]
            elif name.lower().endswith(EXPERIMENT_SUFFIXES) and not is_excluded(here / name, settings):
                candidates.append(normalize(here / name))
    if candidates:
        yield from _unclaimed_experiments(candidates, roots)


def _unclaimed_experiments(candidates: list[Path], roots: list[Path],
                           overlay: dict[Path, str] | None = None) -> Iterable[Path]:
    from .model.experiments import claimed_files, is_experiment_file

    claimed = {_key(p) for root in roots for p in claimed_files(root, overlay)}
    for path in candidates:
        if _key(path) not in claimed and is_experiment_file(path, overlay):
            yield path


def _key(path: Path) -> Path:
    return Path(os.path.abspath(path))


def experiment_owner(path: Path, overlay: dict[Path, str] | None = None) -> Path | None:
    """The MLproject or ``dioptra.toml`` (in the file's folder or above) that runs the
    experiment file ``path``."""
    from .model.experiments import claimed_files
    from .model.project import find_mlproject_file

    target = _key(path)
    folder = target.parent
    for candidate_folder in (folder, *folder.parents):
        for root in (find_mlproject_file(candidate_folder), candidate_folder / TOML_NAME):
            if root is not None and fs.is_file(root) and target in {_key(p) for p in claimed_files(root, overlay)}:
                return _shown_path(root)
    return None


def _shown_path(found: Path) -> Path:
    rel = os.path.relpath(found)
    return normalize(Path(rel) if not rel.startswith("..") else found)


def analyse(mlproject_path: Path, settings: Settings, overlay: dict[Path, str] | None = None
            ) -> tuple[ProjectModel, list[Diagnostic]]:
    """The model of one project and its diagnostics after select/ignore and ``# noqa`` (and
    DL002's judgement of every ``# noqa``, which only this step can make)."""
    from .rules import RULE_MODULES, RuleContext

    project = load_project(mlproject_path, plugin_dirs=settings.plugin_dirs, overlay=overlay)
    ctx = RuleContext(project, settings.flow_allowed_calls)
    found: dict[tuple, Diagnostic] = {}
    for module in RULE_MODULES:
        if not code_enabled(module.RULE.code, settings):
            continue
        for diag in _checked(module, ctx):
            diag = _normalized(diag)
            found.setdefault((diag.path, diag.span, diag.code, diag.message), diag)
    texts = NoqaReader(project, overlay)
    kept = [_native_newlines(d, texts) for d in found.values()
            if not ignored_for_file(d.code, d.path, settings) and not texts.suppressed(d)]
    if code_enabled("DL002", settings):
        kept.extend(_native_newlines(d, texts) for d in _unused_noqa(project, settings, texts))
    return project, sorted(kept, key=Diagnostic.sort_key)


def _unused_noqa(project: ProjectModel, settings: Settings, texts: "NoqaReader") -> Iterable[Diagnostic]:
    from .config import rule_codes
    from .rules import dl002_unused_noqa as dl002

    plugins = {normalize(m.path) for m in project.plugin_modules()}
    all_codes = rule_codes()
    enabled = settings.enabled_codes
    for path in project.files():
        path = normalize(path)
        if path in plugins or ignored_for_file("DL002", path, settings):
            continue
        for line, directive in texts.directives(path).items():
            here = frozenset(c for c in enabled if not ignored_for_file(c, path, settings))
            found = dl002.judge(path, directive, texts.line(path, line),
                                texts.used.get((path, line)), python=path.suffix == ".py",
                                all_codes=all_codes, enabled_codes=here)
            if found is not None:
                yield found


#: Other places of a grouped finding listed as related locations; the count says the rest.
GROUP_RELATED_LIMIT = 20


def merge_groups(diags: list[Diagnostic]) -> list[Diagnostic]:
    """One finding per (rule, group): the first in sort order, with the other places as
    related locations.  ``diags`` must be sorted; the result stays sorted.  Applied once to
    what a run reports (``run``, and the language server per project), never twice."""
    if not any(d.group for d in diags):
        return diags
    from .diagnostics import Related
    from .model.record import replace

    first: dict[tuple[str, str], int] = {}
    others: dict[int, list[Diagnostic]] = {}
    out: list[Diagnostic] = []
    for d in diags:
        if not d.group:
            out.append(d)
            continue
        key = (d.code, d.group)
        if key in first:
            others[first[key]].append(d)
            continue
        first[key] = len(out)
        others[len(out)] = []
        out.append(d)
    for index, rest in others.items():
        if not rest:
            continue
        kept = out[index]
        places = list(dict.fromkeys(Related(d.path, d.span, "also here") for d in rest
                                    if (d.path, d.span) != (kept.path, kept.span)))
        if not places:
            continue
        shown = kept.related + tuple(places[:GROUP_RELATED_LIMIT])
        more = len(places) - GROUP_RELATED_LIMIT
        suffix = (f" ({len(places)} more place{'s' if len(places) != 1 else ''} like it"
                  + (f", {more} not listed" if more > 0 else "") + ")")
        out[index] = replace(kept, related=shown, message=kept.message + suffix)
    return out


def _checked(module, ctx) -> list[Diagnostic]:
    """One rule's findings; a rule that raises costs its own findings on this project (said in
    one finding under its code), never the other rules, projects or the language server."""
    try:
        return list(module.check(ctx))
    except Exception as err:  # noqa: BLE001 - the rule's bug, reported where it happened
        return [module.RULE.diagnostic(ctx.project.mlproject_path, FILE_START,
                                       f"dioptra-lint could not run {module.RULE.code} on this "
                                       f"project (internal error: {type(err).__name__}: {err}); "
                                       f"please report it")]


def _native_newlines(diag: Diagnostic, texts: "NoqaReader") -> Diagnostic:
    """Rules write fixes with ``\\n``; the text they insert gets the line break of the place it
    goes (one CRLF line in an LF file stays the only one), for every front-end alike."""
    fix = diag.fix
    if fix is None or not any("\n" in e.new_text for e in fix.edits):
        return diag
    from .model.record import replace
    from .model.source import adapt_newlines

    edits = []
    for edit in fix.edits:
        index = texts.index(normalize(edit.path))
        if index is not None and "\n" in edit.new_text:
            edit = replace(edit, new_text=adapt_newlines(edit.new_text, index, edit.span.start.line))
        edits.append(edit)
    return replace(diag, fix=replace(fix, edits=tuple(edits)))


def _normalized(diag: Diagnostic) -> Diagnostic:
    path = normalize(diag.path)
    if path == diag.path:
        return diag
    from .model.record import replace

    return replace(diag, path=path)


class NoqaReader:
    """File texts and their ``# noqa`` directives (:mod:`model.noqa`): the model's own texts
    first, the disk (or the editor's buffer) otherwise; and what each directive suppressed."""

    def __init__(self, project: ProjectModel, overlay: dict[Path, str] | None) -> None:
        self.overlay = overlay
        self.cache: dict[Path, LineIndex | None] = {}
        self.noqa: dict[Path, dict] = {}
        # (path, line) of a directive -> the written codes (upper-cased) that suppressed a
        # finding ("" for a bare directive): DL002 reports the others.
        self.used: dict[tuple[Path, int], set[str]] = {}
        self.mlproject = normalize(project.mlproject_path)
        # A comment cannot go inside a block-scalar command (it would become part of the
        # command, DL113): findings there are suppressed by a `# noqa` on the `command: >`
        # line.  A `#` inside any command scalar is command text, never a directive.
        self.blocks: list[tuple[int, int]] = []
        self.command_spans = []
        if project.mlproject is not None:
            self.cache[self.mlproject] = line_index(project.mlproject.text)
            for ep in project.mlproject.entry_points:
                command = ep.command
                if command is None:
                    continue
                if command.style in (">", "|"):
                    self.blocks.append((command.span.start.line, command.span.end.line))
                else:
                    self.command_spans.append(command.span)
        for path, script in project.scripts.items():
            self.cache[normalize(path)] = line_index(script.text)

    def index(self, path: Path) -> LineIndex | None:
        if path not in self.cache:
            src = read_source(path, self.overlay)
            self.cache[path] = None if isinstance(src, ReadError) else src.index
        return self.cache[path]

    def line(self, path: Path, index: int) -> str:
        lines = self.index(path)
        return lines.line(index) if lines is not None else ""

    def directives(self, path: Path) -> dict:
        """Line -> :class:`model.noqa.Noqa` of ``path``'s comments."""
        if path not in self.noqa:
            from .model import noqa

            lines = self.index(path)
            if lines is None:
                self.noqa[path] = {}
            elif path.suffix == ".py":
                self.noqa[path] = noqa.python_directives(lines.text)
            elif path == self.mlproject:
                self.noqa[path] = noqa.yaml_directives(lines.text, self._outside_commands)
            else:
                self.noqa[path] = noqa.yaml_directives(lines.text)
        return self.noqa[path]

    def _outside_commands(self, line: int, col: int) -> bool:
        from .model.source import Position

        if any(start < line <= end for start, end in self.blocks):
            return False
        at = Position(line, col)
        return not any(span.start <= at < span.end for span in self.command_spans)

    def header_of(self, line: int) -> int | None:
        """The ``command: >`` line of the block command whose content holds ``line``."""
        return next((start for start, end in self.blocks if start < line <= end), None)

    def place_for(self, path: Path, line: int) -> tuple[int | None, str]:
        """Where a ``# noqa`` for a finding on ``line`` of ``path`` goes: the line itself, a
        block command's ``command: >`` line, or nowhere (None, and why)."""
        if path == self.mlproject:
            header = self.header_of(line)
            if header is not None:
                return header, ""
        why = self._uncommentable(path).get(line)
        return (None, why) if why else (line, "")

    def _uncommentable(self, path: Path) -> dict[int, str]:
        if not hasattr(self, "_no_comment"):
            self._no_comment: dict[Path, dict[int, str]] = {}
        if path not in self._no_comment:
            from .model import noqa

            lines = self.index(path)
            out: dict[int, str] = {}
            if lines is None:
                pass
            elif path.suffix == ".py":
                out = noqa.python_uncommentable_lines(lines.text)
            elif path.suffix == ".toml":
                out = noqa.toml_multiline_lines(lines.text)
            else:
                for first, last, style, _ in noqa.yaml_multiline_values(lines.text):
                    what = ("a block value" if style in ("|", ">") else
                            "a quoted value that spans lines" if style else
                            "a value that spans lines")
                    for number in range(first, last if style not in ("|", ">") else last + 1):
                        out.setdefault(number, f"its end is inside {what}")
            self._no_comment[path] = out
        return self._no_comment[path]

    def suppressed(self, diag: Diagnostic) -> bool:
        line = diag.span.start.line
        directives = self.directives(diag.path)
        directive = directives.get(line)
        if directive is None and diag.path == self.mlproject:
            header = self.header_of(line)
            if header is not None:
                line, directive = header, directives.get(header)
        if directive is None or not directive.suppresses(diag.code):
            return False
        written = directive.covers(diag.code)
        self.used.setdefault((diag.path, line), set()).add(
            written.code.upper() if written is not None else "")
        return True


def find_project_for(path: Path) -> Path | None:
    """The project root of the folder holding ``path`` or the nearest one above it: an
    MLproject, else a ``dioptra.toml`` (whose plugin folders hold Dioptra 1.x plugins).  An
    experiment file's root is the MLproject or ``dioptra.toml`` that runs it, or itself."""
    from .model.project import find_mlproject_file

    if Path(path).suffix.lower() in EXPERIMENT_SUFFIXES:
        # An experiment file: the project that runs it, else the file itself is the root.
        from .model.experiments import is_experiment_file

        owner = experiment_owner(Path(path))
        if owner is not None:
            return owner
        if is_experiment_file(Path(path)):
            return _shown_path(Path(os.path.abspath(path)))
    folder = Path(os.path.abspath(path)).parent
    for candidate in (folder, *folder.parents):
        found = find_mlproject_file(candidate)
        if found is None and fs.is_file(candidate / TOML_NAME):
            found = candidate / TOML_NAME
        if found is not None:
            return _shown_path(found)
    return None


def run(paths: Iterable[Path], *, config: Path | None = None, overrides: Overrides | None = None,
        overlay: dict[Path, str] | None = None) -> LintResult:
    """Lint files and folders the way ``dioptra-lint check`` does: ``config`` names the config
    file (else each folder's nearest), ``overrides`` are the command line's options."""
    result = LintResult()

    def settings_for(where: Path) -> Settings:
        return resolve_settings(Path(os.path.abspath(where)), config, overrides)

    def settings_or_none(where: Path) -> Settings | None:
        """None for a folder whose configuration is broken: that error is reported once and
        its projects are not linted (with settings the user did not write)."""
        try:
            return settings_for(where)
        except ConfigError as err:
            if str(err) not in result.errors:
                result.errors.append(str(err))
            return None

    # MLproject -> the files named on the command line (None: the whole project was named)
    projects: dict[Path, set[Path] | None] = {}
    for raw in paths:
        path = normalize(Path(raw))
        try:
            if fs.is_dir(path):
                for mlproject in discover(path, settings_or_none):
                    projects[mlproject] = None
                continue
            if not fs.exists(path) and not (overlay and path in overlay):
                why = fs.lookup_error(path) or "no such file or directory"
                result.errors.append(f"{path}: {why}")
                continue
            if path.name.lower() == MLPROJECT_NAME or path.name == TOML_NAME:
                projects.setdefault(path, None)
                continue
            if path.suffix.lower() in EXPERIMENT_SUFFIXES:
                # An experiment file: with the project that runs it, else on its own.
                from .model.experiments import is_experiment_file

                owner = experiment_owner(path, overlay)
                if owner is None:
                    if is_experiment_file(path, overlay):
                        projects.setdefault(path, None)
                    else:
                        result.skipped.append(f"{path}: not an experiment description (no "
                                              f"top-level `graph`) and no MLproject runs it")
                    continue
            else:
                owner = find_project_for(path)
            if owner is None:
                result.skipped.append(f"{path}: no MLproject found in its folder or above it; "
                                     f"nothing to cross-check")
                continue
            if owner not in projects:
                projects[owner] = {path}
            elif projects[owner] is not None:
                projects[owner].add(path)
        except ConfigError as err:
            if str(err) not in result.errors:
                result.errors.append(str(err))
    jobs: list[tuple[Path, Settings, frozenset[Path] | None]] = []
    for mlproject, only in projects.items():
        settings = settings_or_none(mlproject.parent)
        if settings is not None:
            jobs.append((mlproject, settings, frozenset(only) if only is not None else None))
    return _collect(result, jobs, _analyse_all(jobs, overlay))


def _collect(result: LintResult, jobs, outputs) -> LintResult:
    result.jobs, result.outputs = list(jobs), list(outputs)
    for files, diags in outputs:
        result.projects += 1
        result.files.update(files)
        result.diagnostics.extend(diags)
    unique = {(d.path, d.span, d.code, d.message): d for d in result.diagnostics}
    result.diagnostics = merge_groups(sorted(unique.values(), key=Diagnostic.sort_key))
    return result


def rerun(previous: LintResult, changed: Iterable[Path],
          overlay: dict[Path, str] | None = None) -> LintResult:
    """``previous`` with the projects that read one of ``changed`` analysed again."""
    changed = {normalize(p) for p in changed}
    outputs = list(previous.outputs)
    again = [i for i, (files, _) in enumerate(outputs) if changed & set(files)]
    for i, output in zip(again, _analyse_all([previous.jobs[i] for i in again], overlay)):
        outputs[i] = output
    result = LintResult()
    result.errors, result.skipped = list(previous.errors), list(previous.skipped)
    return _collect(result, previous.jobs, outputs)


def _analyse_one(job: tuple[Path, Settings, frozenset[Path] | None],
                 overlay=None) -> tuple[list[Path], list[Diagnostic]]:
    mlproject, settings, only = job
    project, diags = analyse(mlproject, settings, overlay)
    if only is not None:
        # The findings the named files take part in: those in them, and cross-file ones whose
        # other side is in them (a plugin's changed signature breaks its callers' call_task;
        # a removed click option breaks the MLproject that passes it).  What a pre-commit
        # hook, which names the changed files, must not let through.
        diags = [d for d in diags
                 if d.path in only or any(r.path in only for r in d.related)]
    return [normalize(p) for p in project.files()], diags


#: Below this many projects a process pool costs more than it saves.
PARALLEL_THRESHOLD = 24


def _analyse_all(jobs, overlay):
    """Projects are independent: lint them on every core (fork keeps the imports warm)."""
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
    if workers < 2 or len(jobs) < PARALLEL_THRESHOLD:
        return [_analyse_one(job, overlay) for job in jobs]
    import multiprocessing   # only now: importing it costs ~20 ms, a pre-commit run's worth

    if "fork" not in multiprocessing.get_all_start_methods():
        return [_analyse_one(job, overlay) for job in jobs]
    import concurrent.futures

    global _FORKED_OVERLAY
    chunk = max(1, len(jobs) // (workers * 8))
    context = multiprocessing.get_context("fork")
    _FORKED_OVERLAY = overlay      # the workers inherit it through fork, not one pickle per job
    try:
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(pool.map(_analyse_forked, jobs, chunksize=chunk))
    finally:
        _FORKED_OVERLAY = None


_FORKED_OVERLAY: dict[Path, str] | None = None


def _analyse_forked(job):
    return _analyse_one(job, _FORKED_OVERLAY)


def lint_paths(paths: Iterable[Path | str], **options) -> list[Diagnostic]:
    """Diagnostics for files and folders; raises ``ConfigError`` for a bad configuration."""
    result = run([Path(p) for p in paths], **options)
    if result.errors and not result.diagnostics and not result.projects:
        raise ConfigError("; ".join(result.errors))
    return result.diagnostics
