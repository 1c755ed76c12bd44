"""What a test does when a tool it needs is missing: CI installs everything (``.ci/run``), so
there it fails; on a developer machine without the tool the test is skipped with the line that
installs it.  Shared by the editor tests (real editors) and the oracle tests (Dioptra's task
engine).  Test modules put ``tests/`` on ``sys.path`` to import it (importlib import mode)."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def missing(message: str) -> None:
    """Fail under ``CI=true``, skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_module(name: str, install: str) -> ModuleType:
    """Import an oracle module or fail/skip saying how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError as err:
        missing(f"`{name}` cannot be imported ({err}): the test needs it as an oracle. "
                f"Install it with: {install}")
        raise   # not reached: missing() raises


def fuzz_examples(default: int, large: int) -> int:
    """How many examples a property test runs: ``default`` (fast, for every run of the suite),
    or ``large`` when ``DIOPTRA_FUZZ=large`` asks for a deeper search."""
    return large if os.environ.get("DIOPTRA_FUZZ") == "large" else default
