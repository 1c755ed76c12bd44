"""The rule catalogue: one module per rule, named ``dlNNN_rule_name.py``.

Each module has ``RULE`` (code, name, severity, summary) and ``check(ctx)`` yielding diagnostics.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

from ..config import RULE_MODULE
from .base import Rule, RuleContext


def _load() -> tuple[ModuleType, ...]:
    modules = []
    for info in pkgutil.iter_modules(__path__):
        if RULE_MODULE.fullmatch(info.name):
            modules.append(importlib.import_module(f"{__name__}.{info.name}"))
    return tuple(sorted(modules, key=lambda m: m.RULE.code))


RULE_MODULES: tuple[ModuleType, ...] = _load()
ALL_RULES: tuple[Rule, ...] = tuple(m.RULE for m in RULE_MODULES)
RULES_BY_CODE: dict[str, Rule] = {r.code: r for r in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "RULE_MODULES", "Rule", "RuleContext"]
