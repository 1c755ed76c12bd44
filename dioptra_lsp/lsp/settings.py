"""Client-side settings (initializationOptions / workspace/configuration), typed.

They are layered over the ``[tool.dioptra-lint]`` file settings that the CLI resolves for the
same folder: ``select`` replaces the file's selection when given, ``ignore`` and ``plugin-dirs``
add to it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..config import ConfigError, Settings, settings_from_table
from ..model.record import record, replace

SECTION = "dioptra-lint"


@record
class ClientSettings:
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    plugin_dirs: tuple[Path, ...] = ()
    flow_allowed_calls: frozenset[str] = frozenset()

    @classmethod
    def from_options(cls, options: Any, base: "ClientSettings | None" = None) -> "ClientSettings":
        """Read ``{"select": [...], "ignore": [...], "plugin-dirs": [...]}``; the table may be
        nested under ``dioptra-lint`` or ``settings``.  Raises ``ConfigError`` on bad values."""
        if options is None:
            return base or cls()
        if not isinstance(options, dict):
            raise ConfigError(f"settings must be an object, not {type(options).__name__}")
        for key in (SECTION, "dioptra_lint", "dioptraLint", "settings"):
            if isinstance(options.get(key), dict):
                options = options[key]
                break
        table = {}
        for key, value in options.items():
            norm = _kebab(key)
            if norm in ("select", "ignore", "plugin-dirs", "flow-allowed-calls") and value is not None:
                table[norm] = value
        parsed = settings_from_table(table, None)
        return cls(select=parsed.select if "select" in table else None,
                   ignore=parsed.ignore,
                   plugin_dirs=tuple(Path(os.path.expanduser(str(p))) for p in parsed.plugin_dirs),
                   flow_allowed_calls=parsed.flow_allowed_calls)

    def apply(self, file_settings: Settings, root: Path | None = None) -> Settings:
        dirs = tuple(p if p.is_absolute() or root is None else root / p for p in self.plugin_dirs)
        out = replace(file_settings,
                      ignore=file_settings.ignore + self.ignore,
                      plugin_dirs=file_settings.plugin_dirs + dirs,
                      flow_allowed_calls=file_settings.flow_allowed_calls | self.flow_allowed_calls)
        if self.select is not None:
            out = replace(out, select=self.select)
        return out


def _kebab(key: str) -> str:
    out = []
    for ch in key:
        if ch.isupper():
            out.append("-" + ch.lower())
        else:
            out.append("-" if ch == "_" else ch)
    return "".join(out)
