"""Stage 1: the parameters and the command exactly as MLflow's project runner builds them.

Facts learned from MLflow 1.30-3.18 (``mlflow/projects/_project_spec.py``), reproduced here
without importing it:
- the MLproject is read with PyYAML's safe loader (the model keeps those values as is);
- an entry point name not in the file is a script when it ends in ``.py``/``.sh``/``.R``;
- every required parameter missing is reported together, before any value is checked;
- values are checked in declaration order (``path`` must exist locally, ``uri`` needs a scheme),
  then ``str()`` + ``shlex.quote`` and ``command.format(**params)``;
- extra parameters are appended as `` --key value`` with both sides quoted.
MLflow stops at the first failure; we go on and list every problem, first one first, so the
first error always has MLflow's failure class.

A relative ``path`` value is resolved against one folder: MLflow's runner uses the working
directory of the process that calls it (``os.path.abspath``), Dioptra workers start that
process in the project folder.  ``resolve`` takes the folder as ``relative_paths_from``: the
project folder by default (the worker's view), the caller's working directory for a job
handed to MLflow from here (``dioptra-lint run``).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any, Mapping

from ..model import fs
from ..model.mlproject import mlflow_local_path, printable
from ..model.record import record
from ..model.source import Span
from ..model.types import MISSING, EntryPoint, MLParameter, MLProject
from .issues import ERROR, INFO, WARNING, Issue, not_checked

MLFLOW_TYPES = ("string", "float", "path", "uri")
# The load refusals MLflow raises as an ExecutionException (its other refusals are Python
# errors of its loader: an AttributeError or TypeError on a value of the wrong shape).
_ENVIRONMENT_REFUSALS = frozenset({"several-environments", "docker-env-without-image",
                                   "docker-env-volumes", "docker-env-environment"})


@record
class ResolvedParam:
    name: str
    value: str            # str() of the value after MLflow's type handling, before quoting
    type: str             # as declared ("string" when absent); "undeclared" for extra -P names
    source: str           # "default" or "-P"
    span: Span | None     # where it is declared in the MLproject

    @property
    def quoted(self) -> str:
        return shlex.quote(self.value)


@record
class Resolution:
    entry_point: str
    entry: EntryPoint | None          # None when the name ran as a script (``x.py``)
    parameters: tuple[ResolvedParam, ...]
    command: str | None               # None when MLflow would refuse to run
    problems: tuple[Issue, ...]

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.problems)


@record
class PathBase:
    """The folder relative ``path`` values are resolved against, and whose view that is."""
    folder: Path
    kind: str             # "project" (a Dioptra worker's) or "cwd" (MLflow's runner, here)

    @property
    def described(self) -> str:
        if self.kind == "project":
            return ("the project folder, where Dioptra workers run (MLflow itself uses its "
                    "working directory)")
        return (f"the current folder {self.folder}, as MLflow's runner does (a Dioptra worker "
                f"would use the project folder)")


class ParamSyntaxError(ValueError):
    """A malformed ``-P`` (a usage error, as in ``mlflow run``)."""


def parse_assignments(items: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``-P name=value`` list to a dict: split on the first ``=``; repeats and no ``=`` are errors."""
    out: dict[str, str] = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq:
            raise ParamSyntaxError(f"invalid -P `{item}`: write -P name=value")
        if name in out:
            raise ParamSyntaxError(f"parameter `{name}` is given twice with -P")
        out[name] = value
    return out


def load_failure(project: MLProject) -> Issue | None:
    """The error MLflow's loader would stop on, before any entry point is looked at: the
    model's verdict (``MLProject.load_refusal``), then the one fact it leaves to the file
    system, whether the environment file is there."""
    for p in project.problems:
        if p.kind == "unanalysed":    # MLflow may load it: we cannot say
            return not_checked("mlproject-not-analysed", "MLproject", p.message, p.path, p.span,
                               "project")
    refusal = project.load_refusal
    if refusal is not None:
        if refusal.kind == "syntax":
            return Issue("syntax", refusal.message, ERROR, refusal.path, refusal.span, "project")
        kind = "environment" if refusal.code in _ENVIRONMENT_REFUSALS else "invalid-project"
        return Issue(kind, f"MLflow cannot load this MLproject: {refusal.message}", ERROR,
                     refusal.path, refusal.span, "project")
    return _missing_environment_file(project)


def _missing_environment_file(project: MLProject) -> Issue | None:
    """``conda_env`` / ``python_env`` naming a file MLflow does not find (the loader has
    already refused any other environment mistake)."""
    for env in project.environments:
        if env.kind != "docker_env" and env.value and isinstance(env.value, str) \
                and not fs.exists(os.path.join(project.folder, env.value)):
            return Issue("environment", f"`{env.kind}` file `{env.value}` does not exist",
                         ERROR, project.path, env.span, "project")
    return None


def script_command(name: str) -> str | None:
    """The command MLflow runs for an entry point name that is a script, or None."""
    ext = os.path.splitext(name)[1]
    if ext == ".py":
        return f"python {shlex.quote(name)}"
    if ext == ".sh":
        # The worker's $SHELL, substituted by MLflow when it builds the command (not quoted).
        return f"{os.environ.get('SHELL', 'bash')} {shlex.quote(name)}"
    if ext == ".R":
        return f"Rscript -e \"mlflow::mlflow_source('{shlex.quote(name)}')\" --args"
    return None


def find_entry_point(project: MLProject | None, name: str) -> EntryPoint | None:
    """The entry point ``mlflow run -e name`` runs: one whose YAML key is that string."""
    for ep in project.entry_points if project else ():
        if ep.name == name and ep.text_key:
            return ep
    return None


def entry_point_names(project: MLProject | None) -> list[str]:
    return [ep.name for ep in project.entry_points if ep.text_key] if project else []


def resolve(project: MLProject | None, folder: Path, entry_point: str,
            user_params: Mapping[str, Any], *,
            relative_paths_from: str | os.PathLike | None = None) -> Resolution:
    """Resolve like ``mlflow run`` with the worker's working directory set to ``folder``
    (or, for relative ``path`` values, to ``relative_paths_from`` when given).

    ``project`` is None when the folder has no MLproject (MLflow then knows only scripts).
    """
    # The worker's os.getcwd() is the physical folder: symlinks resolved, as MLflow's abspath sees.
    folder = Path(os.path.realpath(folder))
    if relative_paths_from is None:
        base = PathBase(folder, "project")
    else:
        base = PathBase(Path(os.path.realpath(relative_paths_from)), "cwd")
    if project is not None:
        failure = load_failure(project)
        if failure is not None:
            return Resolution(entry_point, None, (), None, (failure,))
    ep = find_entry_point(project, entry_point)
    if ep is None:
        command = script_command(entry_point)
        if command is None:
            names = entry_point_names(project)
            listing = ", ".join(names) if names else "none"
            spark = project is not None and any(k.name == "databricks_spark_job"
                                                for k in project.top_keys)
            issue = Issue("unknown-entry-point",
                          f"no entry point `{entry_point}` (entry points: {listing}); a name "
                          f"ending in .py or .sh would run as a script"
                          + ("; this project is a Databricks Spark job (`databricks_spark_job`), "
                             "which MLflow runs only on the Databricks backend" if spark else ""),
                          ERROR, project.path if project else None, None)
            return Resolution(entry_point, None, (), None, (issue,))
        extras = tuple(ResolvedParam(str(k), str(v), "undeclared", "-P", None)
                       for k, v in user_params.items())
        return Resolution(entry_point, None, extras, _append_extras(command, extras), ())
    return _resolve_entry_point(project, base, ep, user_params)


def _resolve_entry_point(project: MLProject, base: PathBase, ep: EntryPoint,
                         user_params: Mapping[str, Any]) -> Resolution:
    problems: list[Issue] = []

    def given(param: MLParameter) -> bool:   # a -P name is a string: `1:` is never given
        return param.text_key and param.name in user_params

    missing = [p for p in ep.parameters if not given(p) and not p.has_default]
    if missing:
        names = ", ".join(f"`{p.name}`" for p in missing)
        problems.append(Issue(
            "missing-parameters",
            f"no value for required parameter{'s' if len(missing) > 1 else ''} {names}; "
            f"give {'them' if len(missing) > 1 else 'it'} with -P name=value or add a default",
            ERROR, project.path, missing[0].name_span))
    resolved: list[ResolvedParam] = []
    unprintable: list[Issue] = []
    for param in ep.parameters:
        from_user = given(param)
        if not from_user and not param.has_default:
            continue
        value = user_params[param.name] if from_user else param.default
        span = (param.default_span if not from_user and param.default_span else param.name_span)
        value, issues = _compute_value(param, value, base, from_user, project.path, span)
        problems.extend(issues)
        if not printable(value):   # after every value is computed, MLflow's str() fails on it
            unprintable.append(Issue(
                "invalid-value", f"parameter `{param.name}`: its {'-P value' if from_user else 'default'} "
                f"is an integer of more than 4300 digits, which Python, and so MLflow, refuses to "
                f"write as text (quote it in the MLproject)", ERROR, project.path, span))
            continue
        resolved.append(ResolvedParam(param.name, str(value), _type_name(param),
                                      "-P" if from_user else "default", span))
    problems.extend(unprintable)
    declared = {p.name for p in ep.parameters if p.text_key}
    extras = tuple(ResolvedParam(str(k), str(v), "undeclared", "-P", None)
                   for k, v in user_params.items() if k not in declared)
    command = None
    if not any(p.is_error for p in problems):
        command, issue = _format(project, ep, resolved)
        if issue is not None:
            problems.append(issue)
        else:
            command = _append_extras(command, extras)
    return Resolution(ep.name, ep, tuple(resolved) + extras, command, tuple(problems))


def _type_name(param: MLParameter) -> str:
    return "string" if param.type is MISSING else str(param.type)


def _compute_value(param: MLParameter, value: Any, base: PathBase, given: bool, mlproject: Path,
                   span: Span | None) -> tuple[Any, list[Issue]]:
    """MLflow's per-type handling (only the exact strings ``path`` and ``uri``), plus warnings."""
    ptype = param.type
    where = "-P value" if given else "default"

    def issue(kind: str, message: str, severity: str = ERROR) -> Issue:
        return Issue(kind, message, severity, mlproject, span)

    if not printable(value):   # not even its repr() can be shown
        if ptype == "path" or ptype == "uri":   # urllib.parse fails on the int first
            return value, [issue("invalid-value", f"parameter `{param.name}` of type {ptype} has "
                                 f"a non-string {where} (an integer of more than 4300 digits); "
                                 f"MLflow fails on it (quote it in the MLproject)")]
        return value, []

    if ptype == "path" or ptype == "uri":
        if not isinstance(value, str) and ptype == "uri" and not value:
            # urllib.parse reads a falsy non-string (false, 0) as an empty URI: no scheme.
            return value, [issue("bad-uri", f"parameter `{param.name}` is of type uri but its "
                                 f"{where} `{value!r}` is not a URI")]
        if not isinstance(value, str):
            # MLflow hands the value to urllib.parse, which fails on any other non-string.
            return value, [issue("invalid-value", f"parameter `{param.name}` of type {ptype} has "
                                 f"the non-string {where} `{value!r}`; MLflow fails on it "
                                 f"(quote it in the MLproject)")]
        from urllib.parse import urlparse

        try:
            parsed = urlparse(value)
        except ValueError as err:
            return value, [issue("invalid-value", f"parameter `{param.name}`: {where} `{value}` "
                                 f"is not a valid URI ({err})")]
        if ptype == "uri":
            if not parsed.scheme:
                return value, [issue("bad-uri", f"parameter `{param.name}` is of type uri but its "
                                     f"{where} `{value}` has no scheme (like s3:// or file://)")]
            return value, []
        local = mlflow_local_path(value, parsed)
        if local == "":   # MLflow's walrus test sees "" as "not local" and "downloads" nothing
            return value, [issue("would-download", f"parameter `{param.name}`: the {where} is "
                                 f"empty, so MLflow treats it as a remote URI and passes an empty "
                                 f"temporary folder instead", WARNING)]
        if local is None:
            return value, [issue("would-download", f"parameter `{param.name}`: MLflow would "
                                 f"download `{value}` to a temporary folder and pass that local "
                                 f"path instead", WARNING)]
        full = os.path.normpath(os.path.join(base.folder, local))
        if not fs.exists(full):   # os.path.exists, as MLflow asks: never raises
            return value, [issue("path-not-found", f"parameter `{param.name}`: {where} `{value}` "
                                 f"does not exist (looked for {full})")]
        notes = []
        if not os.path.isabs(local):
            notes.append(issue("resolved-path", f"parameter `{param.name}`: `{value}` resolved "
                               f"against {base.described}", INFO))
        return full, notes
    notes = []
    if ptype == "float":
        try:
            float(str(value))
        except ValueError:
            notes.append(issue("not-a-number", f"parameter `{param.name}` is of type float but "
                               f"its {where} `{value}` is not a number (MLflow does not check)",
                               WARNING))
    elif ptype is not MISSING and ptype != "string":
        notes.append(issue("unknown-type", f"parameter `{param.name}` has type `{ptype}`, which "
                           f"MLflow does not know; its value `{value}` is passed unchecked "
                           f"(types: {', '.join(MLFLOW_TYPES)})", WARNING))
    return value, notes


def _format(project: MLProject, ep: EntryPoint,
            params: list[ResolvedParam]) -> tuple[str | None, Issue | None]:
    if ep.command is None:   # the reader says why (no `command`, or not a string)
        why = next((p for p in project.problems if p.code in ("no-command", "command-not-a-string")
                    and dict(p.detail).get("entry_point_span") == ep.name_span), None)
        return None, Issue("no-command", why.message if why else f"entry point `{ep.name}` has "
                           f"no command string", ERROR, project.path,
                           why.span if why else ep.name_span)
    values = {p.name: p.quoted for p in params}
    try:
        return ep.command.value.format(**values), None   # exactly MLflow's substitution
    except KeyError as err:
        name = err.args[0]
        why = (f"placeholder {{{name}}} names no parameter of `{ep.name}`; declare it or "
               f"write {{{{ and }}}} for literal braces")
        span = next((p.span for p in ep.command.placeholders if p.name == name), ep.command.span)
        return None, Issue("command-format", why, ERROR, project.path, span)
    except (IndexError, ValueError, AttributeError, TypeError) as err:
        why = f"the command cannot be filled in by str.format: {err}"
    span = ep.command.format_error_span or ep.command.span
    return None, Issue("command-format", why, ERROR, project.path, span)


def _append_extras(command: str, extras: tuple[ResolvedParam, ...]) -> str:
    parts = [command] + [f"--{shlex.quote(p.name)} {p.quoted}" for p in extras]
    return " ".join(parts)
