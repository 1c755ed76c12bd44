"""``dioptra-lint dry-run`` and ``dioptra-lint run``: the click front-ends of the dry-run
(registered by ``cli.py``).

``dry-run`` exits 0 when the job would start and its flow would build (every part checked), 1
when it would fail (every problem listed), 3 when some part could not be checked and nothing
failed, 2 for a usage error.  ``run`` keeps those (1 and 3: refused, nothing submitted) and
adds 4 (the MLflow run failed), 5 (MLflow did not run the job) and 130 (interrupted); see
``submit.py``.  Heavy modules load only once a command runs: MLflow only once ``run`` submits.
"""

from __future__ import annotations

import sys

import click


@click.command("dry-run")
@click.argument("project_dir", required=False, default=".",
                type=click.Path(file_okay=True, dir_okay=True))
@click.option("-e", "--entry-point", default="main", show_default=True,
              help="Entry point to resolve (a name ending in .py/.sh runs as a script, as in "
                   "`mlflow run`).")
@click.option("-P", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value, as in `mlflow run -P` (repeatable).")
@click.option("--output-format", "--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True)
@click.option("--graph", type=click.Choice(["mermaid", "dot"]),
              help="Print the flow's task graph instead of the report.")
@click.option("--import", "import_script", is_flag=True,
              help="Import the script and parse with its real click command (runs its "
                   "module-level code and callbacks).")
def dry_run_command(project_dir, entry_point, params, output_format, graph, import_script):
    """Resolve an entry point exactly as MLflow would, check its argv with click, plan its flow.

    No user code runs unless --import is given.
    """
    from . import dry_run
    from .resolve import ParamSyntaxError, parse_assignments

    try:
        values = parse_assignments(params)
    except ParamSyntaxError as err:
        raise click.UsageError(str(err)) from None
    from ..model import fs

    if not fs.exists(project_dir):
        raise click.UsageError(f"project folder `{project_dir}` does not exist")
    try:
        report = dry_run(project_dir, entry_point, values, import_script=import_script)
    except Exception as err:
        from ..config import ConfigError   # lazily: a refused job never reads the config

        if not isinstance(err, ConfigError):
            raise
        click.echo(f"dioptra-lint: {err}", err=True)
        sys.exit(2)
    fatal = [p for p in report.problems if p.severity not in ("warning", "info") and (
             p.stage == "project" or p.kind in
             ("unknown-entry-point", "syntax", "invalid-project", "unreadable"))]
    if graph:
        click.echo(report.graph(graph))
    elif output_format == "json":
        import json

        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.to_text())
    if fatal and output_format == "text" and not graph:   # the one line to read first
        click.echo(f"dioptra-lint: {fatal[0].message}", err=True)
    elif graph and not report.ok:   # the graph alone would hide why the job fails
        for p in report.problems:
            if p.is_error or p.is_unchecked:
                where = report.display_path(p.path) or ""
                what = f"not checked: {p.part}: " if p.is_unchecked else ""
                click.echo(f"dioptra-lint: {where}{f':{p.line}' if p.line else ''}: {what}"
                           f"{p.message}", err=True)
        click.echo(f"dioptra-lint: {report.verdict_line()}", err=True)
    sys.exit(report.exit_code)


#: ``--backend`` and ``--env-manager`` values, as ``mlflow run`` takes them.
BACKENDS = ("local", "databricks", "kubernetes")
ENV_MANAGERS = ("local", "virtualenv", "uv", "conda")


@click.command("run")
@click.argument("project_dir", required=False, default=".",
                type=click.Path(file_okay=True, dir_okay=True))
@click.option("-e", "--entry-point", default="main", show_default=True,
              help="Entry point to run (a name ending in .py/.sh runs as a script).")
@click.option("-P", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter value, as in `mlflow run -P` (repeatable).")
@click.option("-b", "--backend", type=click.Choice(BACKENDS), default="local",
              show_default=True, help="Where MLflow runs the job.")
@click.option("-c", "--backend-config", type=click.Path(dir_okay=False), metavar="FILE",
              help="A JSON file of backend settings (a Databricks cluster spec, the Kubernetes "
                   "job template and repository), handed to MLflow as is.")
@click.option("--env-manager", type=click.Choice(ENV_MANAGERS),
              help="How MLflow makes the job's Python environment (default: MLflow's choice "
                   "from the project's environment file).")
@click.option("--experiment-name", metavar="NAME",
              help="The MLflow experiment of the run (created if missing).")
@click.option("--force", is_flag=True,
              help="Hand the job to MLflow even when the dry run says it would fail or could "
                   "not check every part (every problem is printed first).")
@click.option("--output-format", "--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True,
              help="json: one object (submitted, verdict, run_id, status, command, "
                   "logged_parameters, error, dry_run) after the job's own output.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the result there instead of stdout (apart from the job's output).")
def run_command(project_dir, entry_point, params, backend, backend_config, env_manager,
                experiment_name, force, output_format, output_file):
    """Dry-run an entry point, then hand it to MLflow's project runner if it would start.

    The dry run resolves relative `path` values against the current folder, as MLflow will.
    Exit 0 run finished, 1 refused (would fail), 2 usage error, 3 refused (not every part
    checked), 4 run failed, 5 MLflow did not run the job, 130 interrupted.
    """
    import os

    from . import dry_run
    from .resolve import ParamSyntaxError, parse_assignments
    from .submit import (EXIT_USAGE, MLflowMissing, RunOutcome, hand_to_mlflow, refusal,
                         refusal_reason)

    try:
        values = parse_assignments(params)
    except ParamSyntaxError as err:
        raise click.UsageError(str(err)) from None
    from ..model import fs

    if not fs.exists(project_dir):
        raise click.UsageError(f"project folder `{project_dir}` does not exist")
    config = _backend_config(backend_config)
    try:
        report = dry_run(project_dir, entry_point, values, relative_paths_from=os.getcwd())
    except Exception as err:
        from ..config import ConfigError

        if not isinstance(err, ConfigError):
            raise
        click.echo(f"dioptra-lint: {err}", err=True)
        sys.exit(EXIT_USAGE)
    refused = refusal(report)
    if refused is not None:
        click.echo(report.to_text(), err=True)
        if not force:
            click.echo(f"dioptra-lint: not submitted: {refusal_reason(report)}. Fix it, or pass "
                       f"--force to hand the job to MLflow anyway.", err=True)
            _finish(RunOutcome(report, submitted=False, forced=False, exit_code=refused),
                    output_format, output_file)
        click.echo(f"dioptra-lint: --force: handing `{report.entry_point}` to MLflow although "
                   f"{refusal_reason(report)}", err=True)
    else:
        click.echo(f"dioptra-lint: dry run {report.verdict_line()}; handing "
                   f"`{report.entry_point}` to MLflow (backend {backend})", err=True)
    try:
        outcome = hand_to_mlflow(report, values, forced=force, backend=backend,
                                 backend_config=config, env_manager=env_manager,
                                 experiment_name=experiment_name)
    except MLflowMissing as err:
        click.echo(f"dioptra-lint: {err}", err=True)
        sys.exit(EXIT_USAGE)
    _finish(outcome, output_format, output_file)


def _backend_config(path: str | None) -> dict | None:
    """The ``--backend-config`` file's JSON object; a file that is not one is a usage error."""
    if path is None:
        return None
    import json

    from ..model import fs

    if not fs.is_file(path):
        raise click.UsageError(f"backend config `{path}` is not a file")
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise click.UsageError(f"backend config `{path}` is not readable JSON: {err}") from None
    if not isinstance(data, dict):
        raise click.UsageError(f"backend config `{path}` must hold a JSON object, not "
                               f"{type(data).__name__}")
    return data


def _finish(outcome, output_format: str, output_file: str | None) -> None:
    """Print the result (the run id, its status, the command MLflow ran) and exit with the
    outcome's status."""
    if outcome.error:
        click.echo(f"dioptra-lint: {outcome.error}", err=True)
    if outcome.command_matches is False:
        click.echo(f"dioptra-lint: warning: MLflow ran a command other than the one the dry run "
                   f"checked: {outcome.command!r}, checked {outcome.report.command!r}", err=True)
    if output_format == "json":
        import json

        text = json.dumps(outcome.to_json(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = _result_text(outcome)
    if output_file is None:
        click.echo(text, nl=False)
    else:
        try:
            with open(output_file, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as err:
            click.echo(f"dioptra-lint: cannot write {output_file}: {err.strerror or err}",
                       err=True)
            sys.exit(2)
    sys.exit(outcome.exit_code)


def _result_text(outcome) -> str:
    if not outcome.submitted:
        return ""
    lines = [f"MLflow run: {outcome.run_id or '(no run id reported)'}"
             + (f" ({outcome.status})" if outcome.status else "")]
    if outcome.command is not None:
        lines.append(f"command: {outcome.command.rstrip(chr(10))}")
    elif outcome.report.command is not None:
        lines.append(f"command (as the dry run built it; the backend did not report one): "
                     f"{outcome.report.command.rstrip(chr(10))}")
    return "".join(line + "\n" for line in lines)
