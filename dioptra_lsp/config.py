"""Configuration: resolved in one place, shared by the CLI, the dry-run and the language server.

``[tool.dioptra-lint]`` in the nearest ``pyproject.toml`` (or a ``dioptra-lint.toml``), walking
up from each file.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from .model import fs
from .model.record import cached, record, replace


@record
class RuleSelection:
    """One layer of rule selection: a config file's, then the command line's or the editor's.

    Layers apply in order, as ruff's do: a layer with ``select`` starts over from its own
    selection; one without adds its ``extend-select`` to what the layers before chose and
    takes its ``ignore`` away.  Inside a layer the more specific selector wins (``DL205`` over
    ``DL2`` over ``DL`` over ``ALL``), and ``ignore`` wins a tie."""

    select: tuple[str, ...] = ()            # empty: keep what the layers before chose
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@record
class Settings:
    # The config file's own rule selection; ``overrides`` are the layers on top of it.
    select: tuple[str, ...] = ()            # empty = every rule
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()   # (glob, codes)
    # Patterns without a slash match a file or folder name anywhere; the others were made
    # absolute against the folder they are relative to (the config file's, or the current
    # folder for the command line's).
    exclude: tuple[str, ...] = ()
    plugin_dirs: tuple[Path, ...] = ()
    flow_allowed_calls: frozenset[str] = frozenset()
    config_path: Path | None = None          # where these settings were read from
    root: Path | None = None                 # the config file's folder (globs are relative to it)
    extend_select: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    overrides: tuple[RuleSelection, ...] = ()   # the command line's or the editor's layer
    # ``unsafe-fixes``: None (not said: unsafe fixes are shown as available, not applied),
    # True (applied by --fix and fix-all, marked [*]) or False (not even hinted at).
    unsafe_fixes: bool | None = None

    @cached
    def enabled_codes(self) -> frozenset[str]:
        """The codes of the rules that run, after every layer of selection."""
        layers = (RuleSelection(self.select, self.extend_select, self.ignore), *self.overrides)
        return selected_codes(layers, rule_codes())


@record
class Overrides:
    """Settings given on top of the configuration files, by the command line's options or the
    editor's settings: one typed record, merged by :func:`apply_overrides` for every front-end.
    Build it with :func:`overrides_from_table`, which checks it as a config file is checked."""

    select: tuple[str, ...] = ()              # replaces the config's selection (a new layer)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None    # replaces the config's exclude
    extend_exclude: tuple[str, ...] = ()
    plugin_dirs: tuple[Path, ...] = ()        # added after the config's
    flow_allowed_calls: frozenset[str] = frozenset()
    unsafe_fixes: bool | None = None          # --unsafe-fixes / --no-unsafe-fixes


class ConfigError(Exception):
    """A configuration file the linter refuses to guess about (unknown key, wrong type)."""


CONFIG_FILE = "dioptra-lint.toml"
_KEYS = ("select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude",
         "plugin-dirs", "flow-allowed-calls", "unsafe-fixes")
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__",
                   "node_modules", "build", "dist", "site-packages", ".mypy_cache",
                   ".pytest_cache", ".ruff_cache")
#: A rule module's file name: ``dl201_unknown_option.py`` is rule DL201.
RULE_MODULE = re.compile(r"dl(\d{3})_\w+")

_found: dict[Path, Path | None] = {}
_loaded: dict[Path, tuple[float, Settings]] = {}
# Bumped by forget_cached_configs(): a lookup that started before a forget (the language
# server resolves on a worker thread) must not store what it saw into the fresh cache.
_generation = 0


def find_config(start: Path) -> Path | None:
    """The nearest ``dioptra-lint.toml``, or ``pyproject.toml`` with ``[tool.dioptra-lint]``."""
    generation = _generation
    folder = start if fs.is_dir(start) else start.parent
    folder = Path(os.path.abspath(folder))
    visited = []
    result = None
    for candidate in (folder, *folder.parents):
        if candidate in _found:
            result = _found[candidate]
            break
        visited.append(candidate)
        own = candidate / CONFIG_FILE
        if fs.is_file(own):
            result = own
            break
        pyproject = candidate / "pyproject.toml"
        if fs.is_file(pyproject) and _has_tool_table(pyproject):
            result = pyproject
            break
    if generation == _generation:
        for v in visited:
            _found[v] = result
    return result


def forget_cached_configs() -> None:
    """Config files changed on disk (the language server watches them)."""
    global _generation
    _generation += 1
    _found.clear()
    _loaded.clear()


def _has_tool_table(pyproject: Path) -> bool:
    from .model.source import read_bytes

    data = read_bytes(pyproject)
    if not isinstance(data, bytes):
        return False     # an unreadable pyproject.toml of some other tool is not ours to judge
    if not may_have_tool_table(data.decode("utf-8", "replace")):
        return False
    return "dioptra-lint" in _read_toml(pyproject, _decoded(pyproject, data)).get("tool", {})


def may_have_tool_table(text: str) -> bool:
    """False only when ``text`` certainly has no ``tool.dioptra-lint`` table.

    Importing tomllib and parsing costs ~13 ms cold, a large part of a dry-run's start-up, and
    many pyproject files name this tool only as a dependency or a script (in ``[project...]``
    tables).  So: scan the lines, and answer yes (parse it) for any mention at the root or in a
    ``tool`` table, whatever its form: ``[tool.dioptra-lint]``, ``[tool."dioptra-lint"]``,
    ``dioptra-lint.select = ...`` under ``[tool]``, ``tool.dioptra-lint.x = ...`` at the root.
    """
    if "dioptra-lint" not in text:
        return False
    import re

    header = re.compile(r"\[\[?\s*([\w.\-\"' ]+?)\s*\]\]?\s*(?:#.*)?")
    table = ""
    for line in text.splitlines():
        found = header.fullmatch(line.strip())
        if found:
            table = found.group(1).replace(" ", "").replace('"', "").replace("'", "")
        if "dioptra-lint" in line and (table in ("", "tool") or table.startswith("tool.")):
            return True
    return False


def _read_text(path: Path) -> str:
    """The file's text, read bounded and non-blocking like every other input; ConfigError if not."""
    from .model.source import read_bytes

    data = read_bytes(path)
    if not isinstance(data, bytes):
        raise ConfigError(f"{path}: cannot read: {data.message}")
    return _decoded(path, data)


def _decoded(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: cannot read: not valid UTF-8 ({err.reason} at byte "
                          f"{err.start})") from None


def _read_toml(path: Path, text: str | None = None) -> dict:
    import tomllib

    if text is None:
        text = _read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None
    except RecursionError:   # `[` nested a few thousand deep
        raise ConfigError(f"{path}: invalid TOML: nested too deeply to read") from None
    except Exception as err:  # noqa: BLE001 - ValueError for an int over 4300 digits, MemoryError...
        # Whatever tomllib raises on this text is the file's fault, not a crash of ours.
        raise ConfigError(f"{path}: cannot read as TOML: {type(err).__name__}: "
                          f"{_shorten(str(err))}") from None


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def load_config(path: Path) -> Settings:
    """Settings from one config file; ``ConfigError`` names any unknown key or wrong type."""
    generation = _generation
    path = Path(os.path.abspath(path))
    info = fs.stat(path)
    if info is None:
        raise ConfigError(f"{path}: cannot read: {fs.lookup_error(path) or 'no such file'}")
    mtime = info.st_mtime
    hit = _loaded.get(path)
    if hit and hit[0] == mtime:
        return hit[1]
    data = _read_toml(path)
    table = data if path.name == CONFIG_FILE else data.get("tool", {}).get("dioptra-lint", {})
    if path.name == CONFIG_FILE and "tool" in table and "dioptra-lint" in table["tool"]:
        table = table["tool"]["dioptra-lint"]
    settings = settings_from_table(table, path)
    if generation == _generation:
        _loaded[path] = (mtime, settings)
    return settings


class _Table:
    """Typed reads of one settings table, each error naming the key and where it was read."""

    def __init__(self, table: dict, source: str, valid_keys: tuple[str, ...]) -> None:
        self.source = source
        unknown = [k for k in table if k.replace("_", "-") not in valid_keys]
        if unknown:
            import difflib

            hint = difflib.get_close_matches(unknown[0].replace("_", "-"), valid_keys, n=1)
            raise ConfigError(f"{self.where}unknown option `{unknown[0]}` in [tool.dioptra-lint]"
                              + (f"; did you mean `{hint[0]}`?" if hint else "")
                              + f" Valid options: {', '.join(valid_keys)}")
        self.values = {k.replace("_", "-"): v for k, v in table.items()}

    @property
    def where(self) -> str:
        return f"{self.source}: " if self.source else ""

    def given(self, key: str) -> bool:
        return self.values.get(key) is not None

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.values.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{self.where}`{key}` must be a list of strings")
        return tuple(value)

    def selectors(self, key: str) -> tuple[str, ...]:
        codes = tuple(c.strip().upper() for c in self.strings(key))
        check_selectors(codes, key, self.source)
        return codes

    def per_file_ignores(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        pfi = self.values.get("per-file-ignores") or {}
        if not isinstance(pfi, dict):
            raise ConfigError(f"{self.where}`per-file-ignores` must be a table of glob = [codes]")
        per_file = []
        for glob, codes in pfi.items():
            if isinstance(codes, str):
                codes = [codes]
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                raise ConfigError(f"{self.where}`per-file-ignores.{glob}` must be a list of codes")
            codes = tuple(c.strip().upper() for c in codes)
            check_selectors(codes, f"per-file-ignores.{glob}", self.source)
            per_file.append((glob, codes))
        return tuple(per_file)

    def boolean(self, key: str) -> bool | None:
        value = self.values.get(key)
        if value is not None and not isinstance(value, bool):
            raise ConfigError(f"{self.where}`{key}` must be true or false")
        return value

    def paths(self, key: str, root: Path | None) -> tuple[Path, ...]:
        return tuple(_relative_to(Path(os.path.expanduser(p)), root) for p in self.strings(key))


def _relative_to(path: Path, root: Path | None) -> Path:
    return root / path if root is not None and not path.is_absolute() else path


def settings_from_table(table: dict, path: Path | None) -> Settings:
    """Typed settings from a ``[tool.dioptra-lint]`` table; ``ConfigError`` names any unknown
    key, wrong type or unknown rule selector, with the file."""
    read = _Table(table, str(path) if path else "", _KEYS)
    root = path.parent if path else None
    return Settings(select=read.selectors("select"), extend_select=read.selectors("extend-select"),
                    ignore=read.selectors("ignore"), per_file_ignores=read.per_file_ignores(),
                    exclude=_anchored(read.strings("exclude"), root),
                    extend_exclude=_anchored(read.strings("extend-exclude"), root),
                    plugin_dirs=read.paths("plugin-dirs", root),
                    flow_allowed_calls=frozenset(read.strings("flow-allowed-calls")),
                    unsafe_fixes=read.boolean("unsafe-fixes"), config_path=path, root=root)


#: What the command line and the editor can override (the editor's keys in camelCase too).
OVERRIDE_KEYS = ("select", "extend-select", "ignore", "exclude", "extend-exclude", "plugin-dirs",
                 "flow-allowed-calls", "unsafe-fixes")


def overrides_from_table(table: dict, source: str, root: Path | None) -> Overrides:
    """The command line's options or the editor's settings as :class:`Overrides`, checked as
    a config file is (``source`` names them in errors: "the command line", "editor settings").
    Relative folders and exclude paths are relative to ``root`` (the current folder, or the
    workspace's)."""
    read = _Table(table, source, OVERRIDE_KEYS)
    return Overrides(select=read.selectors("select"), extend_select=read.selectors("extend-select"),
                     ignore=read.selectors("ignore"),
                     exclude=_anchored(read.strings("exclude"), root) if read.given("exclude")
                     else None,
                     extend_exclude=_anchored(read.strings("extend-exclude"), root),
                     plugin_dirs=read.paths("plugin-dirs", root),
                     flow_allowed_calls=frozenset(read.strings("flow-allowed-calls")),
                     unsafe_fixes=read.boolean("unsafe-fixes"))


def apply_overrides(settings: Settings, overrides: Overrides | None) -> Settings:
    """The one merge of overrides into file settings: the overrides' rule selection is a layer
    on top of the file's (ruff's precedence, see :class:`RuleSelection`), ``exclude`` replaces
    the file's and ``extend-exclude`` adds to it, plugin folders and allowed calls add."""
    if overrides is None or overrides == _NO_OVERRIDES:
        return settings
    key = (settings, overrides)
    merged = _merged.get(key)
    if merged is None:
        layer = RuleSelection(overrides.select, overrides.extend_select, overrides.ignore)
        merged = replace(
            settings,
            overrides=settings.overrides + ((layer,) if layer != RuleSelection() else ()),
            exclude=overrides.exclude if overrides.exclude is not None else settings.exclude,
            extend_exclude=settings.extend_exclude + overrides.extend_exclude,
            plugin_dirs=settings.plugin_dirs + tuple(d for d in overrides.plugin_dirs
                                                     if d not in settings.plugin_dirs),
            flow_allowed_calls=settings.flow_allowed_calls | overrides.flow_allowed_calls,
            unsafe_fixes=(overrides.unsafe_fixes if overrides.unsafe_fixes is not None
                          else settings.unsafe_fixes))
        if len(_merged) > 256:   # a long-lived language server meets many settings
            _merged.clear()
        _merged[key] = merged
    return merged


_NO_OVERRIDES = Overrides()
# (file settings, overrides) -> merged: the same object each time, so its enabled codes are
# computed once.
_merged: dict[tuple[Settings, Overrides], Settings] = {}


def resolve_settings(for_path: Path, explicit: Path | None = None,
                     overrides: Overrides | None = None) -> Settings:
    """The settings that apply to a file or folder: ``--config`` if given, else the nearest
    file, with the command line's or the editor's ``overrides`` merged in."""
    if explicit is not None:
        base = load_config(explicit)
    else:
        found = find_config(for_path)
        base = load_config(found) if found else Settings()
    return apply_overrides(base, overrides)


@lru_cache(maxsize=1)
def rule_codes() -> tuple[str, ...]:
    """Every rule's code, from the rule modules' file names (``RULE_MODULE``): selectors are
    checked without importing the rule modules, which the dry-run never loads."""
    folder = Path(__file__).resolve().parent / "rules"
    names = (name[:-3] for name in fs.list_dir(folder) if name.endswith(".py"))
    return tuple(sorted(f"DL{m.group(1)}" for m in map(RULE_MODULE.fullmatch, names) if m))


def check_selectors(selectors: tuple[str, ...], key: str, source: str) -> None:
    """``ConfigError`` for a selector that selects no rule (a typo would silently switch
    checking off): valid are ``ALL``, ``DL`` and any rule code or the start of one."""
    codes = rule_codes()
    for selector in selectors:
        if selector == "ALL" or (re.fullmatch(r"DL\d{0,3}", selector)
                                 and any(code.startswith(selector) for code in codes)):
            continue
        import difflib

        close = difflib.get_close_matches(selector, codes, n=1, cutoff=0.6)
        raise ConfigError(
            f"unknown rule selector `{selector}` in `{key}` from {source or 'the settings'}"
            + (f"; did you mean `{close[0]}`?" if close else "")
            + " A selector is ALL, DL, a rule code or its start (DL2, DL20, DL205); "
              "`dioptra-lint rule` lists the rules")


def _specificity(selector: str) -> int:
    return 0 if selector == "ALL" else len(selector)


def selected_codes(layers, codes: tuple[str, ...]) -> frozenset[str]:
    """The codes left on after ``layers`` of :class:`RuleSelection`, applied in order over
    every rule (all are on by default)."""
    enabled = set(codes)
    for layer in layers:
        ordered = sorted([(s, True) for s in layer.select + layer.extend_select]
                         + [(s, False) for s in layer.ignore],
                         key=lambda item: (_specificity(item[0]), not item[1]))
        updates: dict[str, bool] = {}
        for selector, on in ordered:
            for code in codes:
                if selector == "ALL" or code.startswith(selector):
                    updates[code] = on
        if layer.select:
            enabled = {code for code, on in updates.items() if on}
        else:
            enabled |= {code for code, on in updates.items() if on}
            enabled -= {code for code, on in updates.items() if not on}
    return frozenset(enabled)


def code_enabled(code: str, settings: Settings) -> bool:
    return code in settings.enabled_codes


def ignored_for_file(code: str, path: Path, settings: Settings) -> bool:
    """``per-file-ignores``: a match takes the rule away whatever selected it."""
    if not settings.per_file_ignores:
        return False
    import fnmatch

    try:
        rel = Path(os.path.abspath(path)).relative_to(settings.root) if settings.root else path
    except ValueError:
        rel = path
    rel_text = rel.as_posix()
    for glob, codes in settings.per_file_ignores:
        if fnmatch.fnmatch(rel_text, glob) or fnmatch.fnmatch(path.name, glob):
            if any(code.startswith(c) or c == "ALL" for c in codes):
                return True
    return False


def _anchored(patterns: tuple[str, ...], root: Path | None) -> tuple[str, ...]:
    """Exclude patterns with a slash are paths relative to ``root``: made absolute, so that
    patterns read from different folders can be matched side by side."""
    out = []
    for pattern in patterns:
        pattern = pattern.rstrip("/") or pattern
        if "/" in pattern and root is not None and not os.path.isabs(pattern):
            pattern = os.path.normpath(os.path.join(root, pattern))
        out.append(pattern)
    return tuple(out)


def is_excluded(path: Path, settings: Settings) -> bool:
    """The built-in exclusions (``.git``, ``.venv``, ``build``...), then ``exclude`` and
    ``extend-exclude``: a pattern without a slash matches a name anywhere, one with a slash the
    path (or a folder above it)."""
    import fnmatch

    name = path.name
    if name in DEFAULT_EXCLUDE:
        return True
    patterns = settings.exclude + settings.extend_exclude
    if not patterns:
        return False
    full = os.path.abspath(path)
    for pattern in patterns:
        if "/" not in pattern:
            if fnmatch.fnmatch(name, pattern):
                return True
        elif any(fnmatch.fnmatch(candidate, pattern) or fnmatch.fnmatch(candidate, pattern + "/*")
                 for candidate in (full, path.as_posix())):
            return True
    return False
