"""DL304: ``data_dir = Parameter("image_size")``, incl. misaligned tuple unpacking."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from .base import Rule, RuleContext, where
from ._flows import runs_of, scripts

RULE = Rule("DL304", "parameter-variable-mismatch", Severity.WARNING,
            "A Parameter is bound to a variable named like another parameter")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    for path, script in scripts(project):
        for flow in script.flows:
            by_name = {p.name: p for p in flow.parameters if isinstance(p.name, str)}
            # Names that certainly mean another input: other Parameters and keys of flow.run.
            inputs = set(by_name) | {k.name for r in runs_of(script, flow) for k in r.keys if k.name}
            for param in flow.parameters:
                var = param.variable
                if not isinstance(param.name, str) or var is None or var == param.name or var not in inputs:
                    continue
                other = by_name.get(var)
                if other is not None and other.variable is not None:
                    detail = (f" while Parameter(\"{var}\") is bound to `{other.variable}`: the names and "
                              f"the Parameters are in different orders")
                    related = (Related(path, other.name_span, f"Parameter(\"{var}\")"),)
                else:
                    detail = f", while `{var}` is also an input of the flow"
                    related = ()
                yield RULE.diagnostic(
                    path, param.variable_span or param.span,
                    f"variable `{var}` is bound to Parameter(\"{param.name}\") "
                    f"({where(path, param.name_span, project.folder)}){detail}, so every task given "
                    f"`{var}` receives the value of `{param.name}`; expected `{var} = Parameter(\"{var}\")` "
                    f"or `{param.name} = Parameter(\"{param.name}\")`",
                    related=related)
