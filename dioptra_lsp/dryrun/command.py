"""``dioptra-lint dry-run``: the click front-end of the dry-run (registered by ``cli.py``).

Exit 0 when the job would start and its flow would build (every part checked), 1 when it would
fail (every problem listed), 3 when some part could not be checked and nothing failed, 2 for a
usage error.  Heavy modules load only once the command runs.
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
