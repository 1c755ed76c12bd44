"""The rule pages (``rules/DLxxx.md``): shipped in the wheel as ``dioptra_lsp/_rule_pages``."""

from __future__ import annotations

from pathlib import Path

from .model import fs

_PACKAGE = Path(__file__).resolve().parent


def pages_dir() -> Path | None:
    for candidate in (_PACKAGE / "_rule_pages", _PACKAGE.parent / "rules"):
        if fs.is_dir(candidate):
            return candidate
    return None


def page_path(code: str) -> Path | None:
    folder = pages_dir()
    if folder is None:
        return None
    path = folder / f"{code.upper()}.md"
    return path if fs.is_file(path) else None


def page_text(code: str) -> str | None:
    path = page_path(code)
    return path.read_text(encoding="utf-8") if path else None
