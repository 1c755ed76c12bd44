"""Configuration: resolved in one place, shared by the CLI, the dry-run and the language server.

``[tool.dioptra-lint]`` in the nearest ``pyproject.toml`` (or a ``dioptra-lint.toml``), walking
up from each file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    select: tuple[str, ...] = ()            # empty = every rule
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()   # (glob, codes)
    exclude: tuple[str, ...] = ()
    plugin_dirs: tuple[Path, ...] = ()
    flow_allowed_calls: frozenset[str] = frozenset()
    config_path: Path | None = None          # where these settings were read from
    root: Path | None = None                 # the config file's folder (globs are relative to it)
