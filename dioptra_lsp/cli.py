"""``dioptra-lint``: the command-line front-end (check, rule, dry-run, server)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__

FORMATS = ("text", "full", "json", "github", "sarif")
SEVERITIES = ("info", "warning", "error")


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        out.extend(c.strip().upper() for c in value.split(",") if c.strip())
    return tuple(out)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="dioptra-lint")
def main() -> None:
    """Lint Dioptra / MLflow entry points: MLproject, click CLI, Prefect flow and task plugins."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these codes or prefixes (comma-separated, repeatable); replaces config.")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Skip these codes or prefixes (added to the config's ignore).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              show_default=True,
              help="text: a line per finding; full: with the source line, carets, the other "
                   "side and the fix; json: the key contract; github: Actions annotations; "
                   "sarif: SARIF 2.1.0 for code scanning.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="warning", show_default=True,
              help="Exit 1 when a finding has at least this severity.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Use this pyproject.toml or dioptra-lint.toml instead of searching.")
@click.option("--stdin-filename", type=click.Path(path_type=Path),
              help="Lint the text on stdin as if it were this file.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes in place.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True,
              help="Print how many findings each rule has, instead of the findings.")
def check(paths, select, ignore, output_format, fail_on, config_file, stdin_filename, fix,
          exit_zero, statistics) -> None:
    """Cross-check every MLproject under PATHS (default: .) with its scripts and task plugins."""
    from .config import ConfigError
    from .diagnostics import Severity
    from .engine import run
    from .output import render_json, render_text, summary

    overlay = None
    if stdin_filename is not None:
        stdin_filename = Path(os.path.normpath(stdin_filename))
        overlay = {stdin_filename: _read_stdin()}
        paths = paths or (stdin_filename,)
        if fix:
            raise click.UsageError("--fix cannot be combined with --stdin-filename")
    paths = paths or (Path("."),)
    # A short-lived process whose model holds no reference cycles: the cyclic collector only
    # re-scans the growing heap of parsed files (half the run time at 1000 projects).
    import gc

    gc.disable()
    if config_file is not None and not config_file.is_file():
        raise click.UsageError(f"config file {config_file} does not exist")
    try:
        result = run(paths, config=config_file, select=_codes(select) or None,
                     ignore=_codes(ignore), overlay=overlay)
    except ConfigError as err:
        click.echo(f"dioptra-lint: {err}", err=True)
        sys.exit(2)
    if fix:
        from .fixes import apply_fixes

        fixed = apply_fixes(result.diagnostics)
        if fixed:
            click.echo(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}.", err=True)
            result = run(paths, config=config_file, select=_codes(select) or None, ignore=_codes(ignore))
    for error in result.errors:
        click.echo(f"dioptra-lint: {error}", err=True)
    for note in result.skipped:
        click.echo(f"dioptra-lint: skipped {note}", err=True)
    if statistics:
        from .output import render_statistics

        click.echo(render_statistics(result.diagnostics, as_json=output_format == "json"))
    elif output_format == "json":
        click.echo(render_json(result.diagnostics))
    elif output_format == "sarif":
        from .output import render_sarif
        from .rules import ALL_RULES

        click.echo(render_sarif(result.diagnostics, ALL_RULES, __version__))
    elif output_format == "full":
        from .model.source import ReadError, read_source
        from .output import render_full

        def read(path: Path) -> str | None:
            if overlay and path in overlay:
                return overlay[path]
            source = read_source(path)
            return None if isinstance(source, ReadError) else source.text

        text = render_full(result.diagnostics, read)
        if text:
            click.echo(text + "\n")
        click.echo(summary(result))
    elif output_format == "github":
        from .output import render_github

        text = render_github(result.diagnostics)
        if text:
            click.echo(text)
        click.echo(summary(result))
    else:
        text = render_text(result.diagnostics)
        if text:
            click.echo(text)
        click.echo(summary(result), err=False)
    threshold = Severity.parse(fail_on)
    failing = any(d.severity >= threshold for d in result.diagnostics)
    if result.errors and not result.projects:
        sys.exit(2)
    sys.exit(1 if failing and not exit_zero else 0)


def _read_stdin() -> str:
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise click.UsageError("stdin is not valid UTF-8") from None


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print every rule page.")
def rule(code: str | None, show_all: bool) -> None:
    """Print the page of a rule (what it does, why, example, fix), like `ruff rule`."""
    from .pages import page_text
    from .rules import ALL_RULES, RULES_BY_CODE

    if show_all:
        click.echo("\n\n".join((page_text(r.code) or f"# {r.code}: {r.name}\n").rstrip()
                               for r in ALL_RULES))
        return
    if not code:
        for r in ALL_RULES:
            click.echo(f"{r.code}  {r.name:<32} {r.severity.label:<8} {r.summary}")
        return
    rule_ = RULES_BY_CODE.get(code.upper())
    if rule_ is None:
        raise click.UsageError(f"unknown rule `{code}`; run `dioptra-lint rule` for the list")
    click.echo((page_text(rule_.code) or f"# {rule_.code}: {rule_.name}\n\n{rule_.summary}\n").rstrip())


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def server(ctx: click.Context) -> None:
    """Start the language server (same as `dioptra-lsp`)."""
    from .server import main as server_main

    sys.exit(server_main(list(ctx.args)))


def _register_dry_run() -> None:
    try:
        from .dryrun.command import dry_run_command
    except ImportError:   # pragma: no cover - the dry-run package is optional while it is built
        return
    main.add_command(dry_run_command)


_register_dry_run()


def entry() -> None:
    """Console entry point: a crash of the tool is one clear line and exit 2, never a traceback."""
    try:
        main(prog_name="dioptra-lint")
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as err:  # noqa: BLE001 - the last line of defence
        if os.environ.get("DIOPTRA_LINT_DEBUG"):
            raise
        click.echo(f"dioptra-lint: internal error: {type(err).__name__}: {err} "
                   f"(set DIOPTRA_LINT_DEBUG=1 for the traceback)", err=True)
        sys.exit(2)


if __name__ == "__main__":
    entry()
