"""Client-side settings (initializationOptions / workspace/configuration), typed.

They are :class:`~dioptra_lsp.config.Overrides`, as the command line's options are, merged
over the ``[tool.dioptra-lint]`` file settings by the same function
(:func:`~dioptra_lsp.config.apply_overrides`): ``select`` is a new layer of rule selection
over the file's, ``extend-select`` and ``ignore`` adjust it, ``plugin-dirs`` add.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import OVERRIDE_KEYS, ConfigError, Overrides, overrides_from_table

SECTION = "dioptra-lint"


def overrides_from_options(options: Any, base: Overrides | None = None,
                           root: Path | None = None) -> Overrides:
    """Read ``{"select": [...], "ignore": [...], "pluginDirs": [...]}`` (kebab, snake or camel
    case; the table may be nested under ``dioptra-lint`` or ``settings``).  Keys of the
    client's own (``trace``, ``path``...) are left alone.  Relative folders are relative to
    ``root``, the workspace.  Raises ``ConfigError`` on bad values, naming them."""
    if options is None:
        return base or Overrides()
    if not isinstance(options, dict):
        raise ConfigError(f"settings must be an object, not {type(options).__name__}")
    for key in (SECTION, "dioptra_lint", "dioptraLint", "settings"):
        if isinstance(options.get(key), dict):
            options = options[key]
            break
    table = {}
    for key, value in options.items():
        norm = _kebab(key)
        if norm in OVERRIDE_KEYS and value is not None:
            table[norm] = value
    return overrides_from_table(table, "the editor's settings", root)


def _kebab(key: str) -> str:
    out = []
    for ch in key:
        if ch.isupper():
            out.append("-" + ch.lower())
        else:
            out.append("-" if ch == "_" else ch)
    return "".join(out)
