"""Configuration: resolved in one place, shared by the CLI, the dry-run and the language server.

``[tool.dioptra-lint]`` in the nearest ``pyproject.toml`` (or a ``dioptra-lint.toml``), walking
up from each file.
"""

from __future__ import annotations

import os
from pathlib import Path

from .model.record import field, record


@record
class Settings:
    select: tuple[str, ...] = ()            # empty = every rule
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()   # (glob, codes)
    exclude: tuple[str, ...] = ()
    plugin_dirs: tuple[Path, ...] = ()
    flow_allowed_calls: frozenset[str] = frozenset()
    config_path: Path | None = None          # where these settings were read from
    root: Path | None = None                 # the config file's folder (globs are relative to it)


class ConfigError(Exception):
    """A configuration file the linter refuses to guess about (unknown key, wrong type)."""


CONFIG_FILE = "dioptra-lint.toml"
_KEYS = ("select", "ignore", "per-file-ignores", "exclude", "plugin-dirs", "flow-allowed-calls")
DEFAULT_EXCLUDE = (".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__",
                   "node_modules", "build", "dist", "site-packages", ".mypy_cache",
                   ".pytest_cache", ".ruff_cache")

_found: dict[Path, Path | None] = {}
_loaded: dict[Path, tuple[float, Settings]] = {}
# Bumped by forget_cached_configs(): a lookup that started before a forget (the language
# server resolves on a worker thread) must not store what it saw into the fresh cache.
_generation = 0


def find_config(start: Path) -> Path | None:
    """The nearest ``dioptra-lint.toml``, or ``pyproject.toml`` with ``[tool.dioptra-lint]``."""
    generation = _generation
    folder = start if start.is_dir() else start.parent
    folder = Path(os.path.abspath(folder))
    visited = []
    result = None
    for candidate in (folder, *folder.parents):
        if candidate in _found:
            result = _found[candidate]
            break
        visited.append(candidate)
        own = candidate / CONFIG_FILE
        if own.is_file():
            result = own
            break
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
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
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return may_have_tool_table(text) and "dioptra-lint" in _read_toml(pyproject, text).get("tool", {})


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


def _read_toml(path: Path, text: str | None = None) -> dict:
    import tomllib

    try:
        if text is None:
            text = path.read_text(encoding="utf-8")
        return tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None


def load_config(path: Path) -> Settings:
    """Settings from one config file; ``ConfigError`` names any unknown key or wrong type."""
    generation = _generation
    path = Path(os.path.abspath(path))
    try:
        mtime = path.stat().st_mtime
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from None
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


def settings_from_table(table: dict, path: Path | None) -> Settings:
    """Typed settings from a ``[tool.dioptra-lint]`` table (also used for LSP settings)."""
    where = f"{path}: " if path else ""
    unknown = [k for k in table if k.replace("_", "-") not in _KEYS]
    if unknown:
        import difflib

        hint = difflib.get_close_matches(unknown[0].replace("_", "-"), _KEYS, n=1)
        raise ConfigError(f"{where}unknown option `{unknown[0]}` in [tool.dioptra-lint]"
                          + (f"; did you mean `{hint[0]}`?" if hint else "")
                          + f" Valid options: {', '.join(_KEYS)}")
    norm = {k.replace("_", "-"): v for k, v in table.items()}
    root = path.parent if path else None

    def strings(key: str) -> tuple[str, ...]:
        value = norm.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}`{key}` must be a list of strings")
        return tuple(value)

    pfi = norm.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{where}`per-file-ignores` must be a table of glob = [codes]")
    per_file = []
    for glob, codes in pfi.items():
        if isinstance(codes, str):
            codes = [codes]
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{where}`per-file-ignores.{glob}` must be a list of codes")
        per_file.append((glob, tuple(codes)))
    plugin_dirs = tuple((root / d) if root and not os.path.isabs(d) else Path(d)
                        for d in strings("plugin-dirs"))
    return Settings(select=tuple(c.upper() for c in strings("select")),
                    ignore=tuple(c.upper() for c in strings("ignore")),
                    per_file_ignores=tuple(per_file), exclude=strings("exclude"),
                    plugin_dirs=plugin_dirs,
                    flow_allowed_calls=frozenset(strings("flow-allowed-calls")),
                    config_path=path, root=root)


def resolve_settings(for_path: Path, explicit: Path | None = None) -> Settings:
    """The settings that apply to a file or folder: ``--config`` if given, else the nearest file."""
    if explicit is not None:
        return load_config(explicit)
    found = find_config(for_path)
    return load_config(found) if found else Settings()


def code_enabled(code: str, settings: Settings) -> bool:
    def matches(patterns: tuple[str, ...]) -> int:
        """Length of the longest matching prefix (more specific wins, as in ruff)."""
        best = -1
        for p in patterns:
            if p == "ALL" or code.startswith(p):
                best = max(best, 0 if p == "ALL" else len(p))
        return best

    selected = matches(settings.select) if settings.select else 0
    ignored = matches(settings.ignore)
    return selected >= 0 and selected >= ignored if ignored >= 0 else selected >= 0


def ignored_for_file(code: str, path: Path, settings: Settings) -> bool:
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


def is_excluded(path: Path, settings: Settings) -> bool:
    import fnmatch

    name = path.name
    if name in DEFAULT_EXCLUDE:
        return True
    if not settings.exclude:
        return False
    try:
        rel = Path(os.path.abspath(path)).relative_to(settings.root).as_posix() if settings.root else path.as_posix()
    except ValueError:
        rel = path.as_posix()
    return any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(rel, g.rstrip("/") + "/*")
               for g in settings.exclude)
