"""DL501: the experiment file an entry point runs is not there."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

from ..diagnostics import Diagnostic, Related, Severity
from ..model import fs
from ..model.explink import RUN
from .base import Rule, RuleContext, did_you_mean

RULE = Rule("DL501", "missing-experiment-file", Severity.ERROR,
            "The experiment file an entry point runs (run-experiment, dioptra.toml) does not exist")


def check(ctx: RuleContext) -> Iterator[Diagnostic]:
    project = ctx.project
    mlproject = project.mlproject
    for link in project.experiments:
        if link.toml_entry is not None:
            ep = link.toml_entry
            if link.path is not None and not link.exists:
                yield RULE.diagnostic(
                    project.mlproject_path, ep.path_span,
                    f"entry point `{ep.name}` names the graph file `{ep.path}`, which does not exist "
                    f"(looked for {_shown(link.path, project.folder)}); Dioptra's import fails; "
                    + did_you_mean(str(ep.path), _yaml_files(project.folder), what="YAML files"))
            continue
        if mlproject is None:
            continue
        for call in link.calls:
            if call.file_token is None:
                yield RULE.diagnostic(
                    mlproject.path, call.program_token.span,
                    f"`{call.program}` is given no experiment file; it stops with \"the following "
                    f"arguments are required: file\"; write `{call.program} <file>.yml`")
            elif link.path is not None and not link.exists:
                yield RULE.diagnostic(
                    mlproject.path, call.file_token.span,
                    f"experiment file `{call.file}` does not exist (looked for "
                    f"{_shown(link.path, project.folder)}); `{call.program}` fails to open it"
                    + ("" if call.program != RUN else ", so the job fails before any step runs")
                    + "; " + did_you_mean(call.file, _yaml_files(project.folder), what="YAML files"),
                    related=(Related(mlproject.path, call.span, f"entry point `{link.entry_point}`"),))


def _shown(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.as_posix()


def _yaml_files(folder: Path, limit: int = 200) -> list[str]:
    found: list[str] = []
    base = len(folder.parts)
    for here, dirs, files in fs.walk(folder):
        depth = len(Path(here).parts) - base
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__") if depth < 3 else []
        for name in sorted(files):
            if name.endswith((".yml", ".yaml")):
                found.append(Path(os.path.relpath(os.path.join(here, name), folder)).as_posix())
                if len(found) >= limit:
                    return found
    return found
