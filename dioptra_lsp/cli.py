"""``dioptra-lint``: the command-line front-end (check, rule, dry-run, server)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__

#: ``check --output-format`` values and what each prints (``check --help`` lists them).
FORMATS = {
    "text": "path:line:col: CODE message (the default)",
    "concise": "as text, with [*] after the code when --fix repairs the finding",
    "full": "each finding with its source line, carets under the range, the other side and "
            "the fix",
    "grouped": "findings under their file, line:col aligned",
    "json": "a list of objects: file, line, column, end_line, end_column, code, name, "
            "severity, message, fix",
    "json-lines": "the same objects, one per line",
    "github": "GitHub Actions workflow commands: annotations on the pull request",
    "sarif": "a SARIF 2.1.0 log for code scanning (upload-sarif)",
    "junit": "JUnit XML: a test suite per file, a failing test case per finding",
    "gitlab": "a GitLab Code Quality report, fingerprints stable when lines move",
    "pylint": "path:line: [CODE] message",
}
#: Formats people read: they end with the summary line (``--quiet`` leaves it out).
SUMMARY_FORMATS = frozenset({"text", "concise", "full", "grouped", "github"})
#: What ``--statistics`` prints: a table and the summary line, or JSON.
STATISTICS_FORMATS = ("text", "concise", "full", "json", "json-lines")
SEVERITIES = ("info", "warning", "error")


def _listed(values: tuple[str, ...]) -> list[str]:
    """Repeated and comma-separated values, as ruff takes them: ``--select DL2,DL4``."""
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="dioptra-lint")
def main() -> None:
    """Lint Dioptra / MLflow entry points: MLproject, click CLI, Prefect flow and task plugins."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, metavar="CODES",
              help="Run only these rules: codes, prefixes (DL2) or ALL, comma-separated, "
                   "repeatable. Replaces the config's selection.")
@click.option("--extend-select", multiple=True, metavar="CODES",
              help="Run these rules too, on top of the config's selection.")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Skip these rules (the more specific of --select and --ignore wins, "
                   "--ignore a tie).")
@click.option("--exclude", multiple=True, metavar="PATTERNS",
              help="Skip these files and folders (names or globs; with a slash, paths from the "
                   "current folder). Replaces the config's exclude.")
@click.option("--extend-exclude", multiple=True, metavar="PATTERNS",
              help="Skip these too, on top of the config's exclude.")
@click.option("--output-format", "--format", "output_format", type=click.Choice(list(FORMATS)),
              default="text", show_default=True, envvar="DIOPTRA_LINT_OUTPUT_FORMAT",
              help="; ".join(f"{name}: {text}" for name, text in FORMATS.items()) + ".")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, path_type=Path),
              envvar="DIOPTRA_LINT_OUTPUT_FILE",
              help="Write the report to this file instead of stdout (folders are created).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="warning", show_default=True,
              help="Exit 1 when a finding has at least this severity.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Use this pyproject.toml or dioptra-lint.toml instead of searching.")
@click.option("--stdin-filename", type=click.Path(path_type=Path),
              help="Lint the text on stdin as if it were this file (`-` as a path reads stdin "
                   "as ./MLproject unless this names it).")
@click.option("--fix/--no-fix", default=False,
              help="Apply the fixes in place: the safe ones (marked [*]), and the unsafe ones "
                   "too with --unsafe-fixes; then print what remains and how many were fixed.")
@click.option("--unsafe-fixes/--no-unsafe-fixes", default=None,
              help="Apply (with --fix, --diff and the [*] marks) the fixes whose rule page says "
                   "they may change what the job does; --no-unsafe-fixes does not even mention "
                   "them. Overrides the config's `unsafe-fixes`.")
@click.option("--diff", is_flag=True,
              help="Write nothing: print the fixes --fix would make as a unified diff (apply "
                   "it with `patch -p0` or `git apply -p0`); exit 1 when there is one, 0 "
                   "otherwise.")
@click.option("--add-noqa", is_flag=True,
              help="Add a `# noqa: CODE` to the line of every current finding (in a block "
                   "command, on its `command: >` line), merged with the `# noqa` there; print "
                   "how many lines changed. Lines that cannot carry a comment are named.")
@click.option("--show-fixes/--no-show-fixes", default=False,
              help="After --fix, list what was fixed, per file and rule.")
@click.option("-e", "--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True,
              help="Print how many findings each rule has instead of the findings, then the "
                   "summary (with --output-format json or json-lines: JSON).")
@click.option("-q", "--quiet", is_flag=True,
              help="Print the findings only: no summary line, no notes.")
@click.option("-s", "--silent", is_flag=True,
              help="Print nothing but errors; the exit status still tells.")
def check(paths, select, extend_select, ignore, exclude, extend_exclude, output_format,
          output_file, fail_on, config_file, stdin_filename, fix, unsafe_fixes, diff, add_noqa,
          show_fixes, exit_zero, statistics, quiet, silent) -> None:
    """Cross-check every MLproject under PATHS (default: .) with its scripts and task plugins.

    A PATH of `-` reads the file from stdin (named by --stdin-filename, else ./MLproject).
    """
    from .config import ConfigError, overrides_from_table
    from .diagnostics import Severity
    from .engine import run

    options = {"select": _listed(select), "extend-select": _listed(extend_select),
               "ignore": _listed(ignore), "extend-exclude": _listed(extend_exclude)}
    if exclude:
        options["exclude"] = _listed(exclude)
    if unsafe_fixes is not None:
        options["unsafe-fixes"] = unsafe_fixes
    try:
        overrides = overrides_from_table(options, "the command line", Path.cwd())
    except ConfigError as err:
        raise click.UsageError(str(err)) from None
    if statistics and output_format not in STATISTICS_FORMATS:
        raise click.UsageError(f"--statistics prints {', '.join(STATISTICS_FORMATS[:-1])} or "
                               f"{STATISTICS_FORMATS[-1]}, not {output_format}")
    if diff and (show_fixes or statistics):
        raise click.UsageError(f"--diff cannot be combined with "
                               f"{'--show-fixes' if show_fixes else '--statistics'}")
    if add_noqa and (fix or diff):
        raise click.UsageError(f"--add-noqa cannot be combined with {'--fix' if fix else '--diff'}")
    overlay = None
    read_stdin = any(str(p) == "-" for p in paths)
    if stdin_filename is not None or read_stdin:
        if fix or diff or add_noqa:
            mode = "--diff" if diff else "--fix" if fix else "--add-noqa"
            raise click.UsageError(f"{mode} cannot be combined with reading stdin")
        name = Path(os.path.normpath(stdin_filename or "MLproject"))
        overlay = {name: _read_stdin()}
        paths = tuple(p for p in paths if str(p) != "-") or (name,)
    paths = paths or (Path("."),)
    # A short-lived process whose model holds no reference cycles: the cyclic collector only
    # re-scans the growing heap of parsed files (half the run time at 1000 projects).
    import gc

    gc.disable()
    from .model import fs

    if config_file is not None and not fs.is_file(config_file):
        raise click.UsageError(f"config file {config_file} does not exist")
    fix_problems: list[str] = []
    report = None
    try:
        if add_noqa:
            from .fixes import add_noqa as add

            _print_added(add(paths, config=config_file, overrides=overrides), quiet or silent,
                         exit_zero)
        if diff:
            from .fixes import fix_paths

            report = fix_paths(paths, write=False, config=config_file, overrides=overrides)
            _print_diff(report, output_file, quiet=quiet or silent, exit_zero=exit_zero)
        if fix:
            from .fixes import fix_paths

            report = fix_paths(paths, config=config_file, overrides=overrides)
            result, fix_problems = report.result, report.problems
        else:
            result = run(paths, config=config_file, overrides=overrides, overlay=overlay)
    except ConfigError as err:
        click.echo(f"dioptra-lint: {err}", err=True)
        sys.exit(2)
    for problem in fix_problems:
        click.echo(f"dioptra-lint: {problem}", err=True)
    for error in result.errors:
        click.echo(f"dioptra-lint: {error}", err=True)
    if not (quiet or silent):
        for note in result.skipped:
            click.echo(f"dioptra-lint: skipped {note}", err=True)
        if not result.projects and not result.errors and not result.skipped:
            # As ruff warns when it finds no Python file (and exits 0): nothing here is an
            # error, but an empty run must not look like a clean one.
            click.echo("dioptra-lint: warning: no MLproject found under "
                       + ", ".join(str(p) for p in paths) + "; nothing was checked", err=True)
    if not silent:
        _write_report(_report(result, output_format, statistics, overlay, with_summary=not quiet,
                              report=report, show_fixes=show_fixes), output_file)
    threshold = Severity.parse(fail_on)
    failing = any(d.severity >= threshold for d in result.diagnostics)
    if result.errors:    # a missing path, a broken config: part of the input went unchecked
        sys.exit(2)
    sys.exit(1 if (failing and not exit_zero) or fix_problems else 0)


def _print_added(report, quiet: bool, exit_zero: bool) -> None:
    """``--add-noqa``: how many lines now carry a ``# noqa``, and what could not."""
    for line in report.problems + report.skipped + report.result.errors:
        click.echo(f"dioptra-lint: {line}", err=True)
    if not quiet:
        n = report.fixed
        click.echo(f"Added {n} noqa directive{'s' if n != 1 else ''}.", err=True)
    if report.result.errors:
        sys.exit(2)
    sys.exit(1 if (report.problems or report.skipped) and not exit_zero else 0)


def _print_diff(report, output_file: Path | None, *, quiet: bool, exit_zero: bool) -> None:
    """``--diff``: the fixes as one unified diff (stdout or --output-file), what would be
    fixed on stderr, and the exit status: 1 when there is something to fix (or a file whose
    fixes cannot be made), 0 otherwise, 2 when part of the input could not be read."""
    from .fixes import unified_diff
    from .output import fix_counts

    patch = b"".join(unified_diff(path.as_posix(), before, after)
                     for path, before, after in sorted(report.changes, key=lambda c: str(c[0])))
    if output_file is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(patch)
        sys.stdout.buffer.flush()
    else:
        try:
            output_file.parent.mkdir(parents=True, exist_ok=True)
            output_file.write_bytes(patch)
        except OSError as err:
            click.echo(f"dioptra-lint: cannot write {output_file}: {err.strerror or err}", err=True)
            sys.exit(2)
    for problem in report.problems + report.result.errors:
        click.echo(f"dioptra-lint: {problem}", err=True)
    if not quiet:
        _, hidden = fix_counts(report.result)
        more = f"{hidden} {'additional ' if report.fixed else ''}fix{'es' if hidden != 1 else ''}"
        hint = f" ({more} available with --unsafe-fixes)" if hidden else ""
        if report.fixed:
            click.echo(f"Would fix {report.fixed} problem{'s' if report.fixed != 1 else ''}"
                       f"{hint}.", err=True)
        elif hidden:
            click.echo(f"No problems would be fixed{hint}.", err=True)
    if report.result.errors:
        sys.exit(2)
    sys.exit(1 if (patch or report.problems) and not exit_zero else 0)


def _report(result, output_format: str, statistics: bool, overlay, *, with_summary: bool,
            report=None, show_fixes: bool = False) -> str:
    """What ``check`` prints on stdout (or into --output-file): the findings (or their
    statistics) in the chosen format, then (after --fix, with --show-fixes) what was fixed
    and the summary line if people read that format."""
    from . import output

    diags = result.diagnostics
    fixable = result.fix_applies

    def read(path: Path) -> str | None:
        from .model.source import ReadError, read_source

        if overlay and path in overlay:
            return overlay[path]
        source = read_source(path)
        return None if isinstance(source, ReadError) else source.text

    if statistics:
        body = output.render_statistics(diags, output_format, fixable)
        with_summary = with_summary and output_format not in ("json", "json-lines")
    elif output_format == "json":
        body = output.render_json(diags)
    elif output_format == "json-lines":
        body = output.render_json_lines(diags)
    elif output_format == "sarif":
        from .rules import ALL_RULES

        body = output.render_sarif(diags, ALL_RULES, __version__)
    elif output_format == "junit":
        body = output.render_junit(diags, result.errors, result.projects)
    elif output_format == "gitlab":
        body = output.render_gitlab(diags, read, os.environ.get("CI_PROJECT_DIR") or os.getcwd())
    elif output_format == "full":
        body = output.render_full(diags, read)
        body += "\n" if body else ""   # a blank line between the last block and the summary
    elif output_format == "grouped":
        body = output.render_grouped(diags, fixable)
        body += "\n" if body else ""
    else:
        render = {"text": output.render_text,
                  "concise": lambda found: output.render_concise(found, fixable),
                  "github": output.render_github, "pylint": output.render_pylint}[output_format]
        body = render(diags)
    parts = [body] if body else []
    people = statistics or output_format in SUMMARY_FORMATS
    fixed = report.fixed if report is not None else 0
    if show_fixes and report is not None and people and output_format != "github":
        from .rules import RULES_BY_CODE

        shown = output.fixes_shown(report.fixed_codes,
                                   {code: r.name for code, r in RULES_BY_CODE.items()})
        if shown:
            parts.append(("\n" if body else "") + shown + "\n")
    if with_summary and people:
        parts.append(output.summary(result, fixed))
    return "".join(part + "\n" for part in parts)


def _write_report(text: str, output_file: Path | None) -> None:
    if output_file is None:
        click.echo(text, nl=False)
        return
    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        output_file.write_text(text, encoding="utf-8")
    except OSError as err:
        click.echo(f"dioptra-lint: cannot write {output_file}: {err.strerror or err}", err=True)
        sys.exit(2)


def _read_stdin() -> str:
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise click.UsageError("stdin is not valid UTF-8") from None


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Print every rule page.")
@click.option("--output-format", "--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True,
              help="json: an object per rule (code, name, summary, severity, fix_availability, "
                   "fix_safety: safe, unsafe, sometimes or no, explanation); a list with --all "
                   "or without CODE.")
def rule(code: str | None, show_all: bool, output_format: str) -> None:
    """Print the page of a rule (what it does, why, example, fix), like `ruff rule`."""
    from .pages import page_text
    from .rules import ALL_RULES, RULES_BY_CODE

    def page(r) -> str:
        return (page_text(r.code) or f"# {r.code}: {r.name}\n\n{r.summary}\n").rstrip()

    def as_json(r) -> dict:
        return {"code": r.code, "name": r.name, "summary": r.summary,
                "severity": r.severity.label,
                "fix_availability": "Sometimes" if r.fixable else "None",
                "fix_safety": r.fix,
                "explanation": page(r) + "\n"}

    chosen = None
    if code and not show_all:
        chosen = RULES_BY_CODE.get(code.upper())
        if chosen is None:
            raise click.UsageError(f"unknown rule `{code}`; run `dioptra-lint rule` for the list")
    if output_format == "json":
        data = as_json(chosen) if chosen else [as_json(r) for r in ALL_RULES]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif chosen is not None:
        click.echo(page(chosen))
    elif show_all:
        click.echo("\n\n".join(page(r) for r in ALL_RULES))
    else:
        for r in ALL_RULES:
            click.echo(f"{r.code}  {r.name:<32} {r.severity.label:<8} {r.summary}")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.pass_context
def server(ctx: click.Context) -> None:
    """Start the language server (same as `dioptra-lsp`)."""
    from .server import main as server_main

    sys.exit(server_main(list(ctx.args)))


def _register_dry_run() -> None:
    try:
        from .dryrun.command import dry_run_command, run_command
    except ImportError:   # pragma: no cover - the dry-run package is optional while it is built
        return
    main.add_command(dry_run_command)
    main.add_command(run_command)


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
