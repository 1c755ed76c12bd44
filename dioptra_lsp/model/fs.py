"""File-system facts: the one place the package asks the disk what is there.  Never raises.

Every question (is this a regular file, a folder, does it exist, what does this folder hold)
goes through here, because every one of them can fail in ways ``pathlib`` passes on: a name
longer than the file system allows (ENAMETOOLONG), a NUL byte in a name taken from YAML
(ValueError), a folder without search permission (EACCES), an I/O error.  A question that
cannot be answered is answered "no"; ``lookup_error`` says why when the caller must tell the
user (a script the command runs whose name is too long is not merely missing).

Keeping them in one module also leaves one place to cache or refresh them later.
"""

from __future__ import annotations

import errno
import os
import stat as _stat
from typing import Iterator, NamedTuple

#: errno values that mean "there is nothing there" (the honest answer is simply no).
_ABSENT = frozenset({errno.ENOENT, errno.ENOTDIR})


def stat(path: str | os.PathLike) -> os.stat_result | None:
    """``os.stat`` (following symlinks), or None when there is nothing there or it cannot be asked."""
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def lstat(path: str | os.PathLike) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (OSError, ValueError):
        return None


def is_file(path: str | os.PathLike) -> bool:
    """A regular file (or a symlink to one)."""
    info = stat(path)
    return info is not None and _stat.S_ISREG(info.st_mode)


def is_dir(path: str | os.PathLike) -> bool:
    info = stat(path)
    return info is not None and _stat.S_ISDIR(info.st_mode)


def exists(path: str | os.PathLike) -> bool:
    """Something is there (following symlinks, as ``os.path.exists`` and MLflow do)."""
    return stat(path) is not None


def is_link(path: str | os.PathLike) -> bool:
    info = lstat(path)
    return info is not None and _stat.S_ISLNK(info.st_mode)


def lookup_error(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be looked up, when the reason is not simply that nothing is there.

    None when the path exists or is plainly absent (ENOENT, ENOTDIR); otherwise one lower-case
    phrase: "file name too long", "permission denied", "the name contains a NUL byte", ...
    """
    try:
        os.stat(path)
    except ValueError as err:
        return _bad_name(err)
    except OSError as err:
        if err.errno in _ABSENT:
            return None
        if err.errno == errno.ELOOP:
            return "too many levels of symbolic links"
        return describe(err)
    return None


def _bad_name(err: ValueError) -> str:
    if isinstance(err, UnicodeError):     # a lone surrogate the file system cannot encode
        return "the name cannot be encoded for the file system"
    return "the name contains a NUL byte"


def describe(err: OSError) -> str:
    """An OSError as a short lower-case phrase without the file name (the caller names it)."""
    text = err.strerror or type(err).__name__
    return text[:1].lower() + text[1:]


def list_dir(path: str | os.PathLike) -> tuple[str, ...]:
    """The names in a folder in ``os.listdir`` order (MLflow's order), () when it cannot be read."""
    try:
        return tuple(os.listdir(path))
    except (OSError, ValueError):
        return ()


class Entry(NamedTuple):
    name: str
    path: str
    is_dir: bool     # a folder, or a symlink to one
    is_file: bool    # a regular file, or a symlink to one


def entries(path: str | os.PathLike) -> tuple[Entry, ...]:
    """What a folder holds, with each entry's kind; () when it cannot be read."""
    out = []
    try:
        with os.scandir(path) as it:
            for entry in it:
                out.append(Entry(entry.name, entry.path, _entry_is(entry.is_dir),
                                 _entry_is(entry.is_file)))
    except (OSError, ValueError):
        pass
    return tuple(out)


def _entry_is(test) -> bool:
    try:
        return test()
    except OSError:
        return False


def walk(root: str | os.PathLike) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk`` without following symlinked folders; unreadable folders are skipped.

    The caller may prune the folder list in place, as with ``os.walk``.
    """
    try:
        os.fsencode(root)
    except UnicodeError:       # os.walk lets scandir's ValueError through
        return
    if "\0" in os.fspath(root):
        return
    yield from os.walk(root, followlinks=False)
