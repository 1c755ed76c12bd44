"""``check --output-format``: every format carries what the JSON output says, field by field,
and is read back by the consumer it is for (junitparser for JUnit, a JSON Schema written from
GitLab's documented Code Quality format for GitLab).  The CLI runs as a subprocess on a copy of
the examples, once per format."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def cli(*args: str, cwd: Path, stdin: str | None = None,
        env: dict | None = None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("DIOPTRA_PLUGIN_DIR", "CI_PROJECT_DIR")
               and not k.startswith("DIOPTRA_LINT_")}
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "dioptra_lsp.cli", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, env=environ, timeout=120)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A copy of the examples (clean and broken projects, fixable findings, cross-file ones)."""
    root = tmp_path_factory.mktemp("formats")
    shutil.copytree(REPO / "examples", root / "ex")
    return root


@pytest.fixture(scope="module")
def findings(tree) -> list[dict]:
    out = cli("check", "--output-format", "json", "ex", cwd=tree)
    data = json.loads(out.stdout)
    assert len({d["file"] for d in data}) > 5 and any(d["fix"] for d in data)
    return data


@pytest.fixture(scope="module")
def text_lines(tree) -> list[str]:
    return cli("check", "ex", cwd=tree).stdout.splitlines()


def safely_fixable(d: dict) -> bool:
    return bool(d["fix"] and d["fix"]["safe"])


def test_format_is_an_alias_of_output_format(tree, findings):
    assert json.loads(cli("check", "--format", "json", "ex", cwd=tree).stdout) == findings
    env = {"DIOPTRA_LINT_OUTPUT_FORMAT": "json"}
    assert json.loads(cli("check", "ex", cwd=tree, env=env).stdout) == findings


def test_concise_marks_what_fix_repairs(tree, findings, text_lines):
    out = cli("check", "--output-format", "concise", "ex", cwd=tree)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert lines[-1] == text_lines[-1] and lines[-1].startswith("Found ")
    assert len(lines) - 1 == len(findings)
    for line, d in zip(lines, findings):
        mark = "[*] " if safely_fixable(d) else ""
        assert line == f"{d['file']}:{d['line']}:{d['column']}: {d['code']} {mark}{d['message']}"
    assert any(safely_fixable(d) for d in findings)


def test_grouped_lists_each_file_once_with_aligned_positions(tree, findings, text_lines):
    out = cli("check", "--output-format", "grouped", "ex", cwd=tree)
    assert out.returncode == 1
    *groups, summary = out.stdout.rstrip("\n").split("\n\n")
    assert summary == text_lines[-1]
    row = re.compile(r"  ( *)(\d+):(\d+)( *) (DL\d{3}) (\[\*\] )?(.*)")
    seen = []
    for group in groups:
        header, *rows = group.split("\n")
        assert header.endswith(":")
        matches = [row.fullmatch(r) for r in rows]
        assert all(matches), rows
        # line numbers right-aligned, columns padded: every code starts at the same place
        assert len({r.index(" DL") for r in rows}) == 1
        assert len({len(m.group(1) + m.group(2)) for m in matches}) == 1
        for m in matches:
            seen.append((header[:-1], int(m.group(2)), int(m.group(3)), m.group(5),
                         bool(m.group(6)), m.group(7)))
    assert len(groups) == len({d["file"] for d in findings})
    assert seen == [(d["file"], d["line"], d["column"], d["code"], safely_fixable(d),
                     d["message"]) for d in findings]


def test_pylint_format(tree, findings):
    out = cli("check", "--output-format", "pylint", "ex", cwd=tree)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert lines == [f"{d['file']}:{d['line']}: [{d['code']}] {d['message']}" for d in findings]


def test_json_lines_are_the_json_objects(tree, findings):
    out = cli("check", "--output-format", "json-lines", "ex", cwd=tree)
    assert out.returncode == 1
    assert [json.loads(line) for line in out.stdout.splitlines()] == findings


def test_json_formats_of_a_clean_run(tree):
    assert json.loads(cli("check", "--output-format", "json", "ex/mnist-classifier",
                          cwd=tree).stdout) == []
    assert cli("check", "--output-format", "json-lines", "ex/mnist-classifier",
               cwd=tree).stdout == ""
    assert json.loads(cli("check", "--output-format", "gitlab", "ex/mnist-classifier",
                          cwd=tree).stdout) == []


def _junit(text: str):
    from junitparser import Attr, IntAttr
    from junitparser.xunit2 import JUnitXml, TestCase

    class LintCase(TestCase):
        file = Attr()
        line = IntAttr()
        column = IntAttr()

    xml = JUnitXml.fromstring(text)
    return xml, [(suite, list(suite.iterchildren(LintCase))) for suite in xml]


def test_junit_is_a_suite_per_file_and_a_failing_case_per_finding(tree, findings):
    from junitparser import Failure

    out = cli("check", "--output-format", "junit", "ex", cwd=tree)
    assert out.returncode == 1
    xml, suites = _junit(out.stdout)
    assert (xml.tests, xml.failures, xml.errors) == (len(findings), len(findings), 0)
    assert [suite.name for suite, _ in suites] == list(dict.fromkeys(d["file"] for d in findings))
    cases = [(suite, case) for suite, suite_cases in suites for case in suite_cases]
    assert len(cases) == len(findings)
    for (suite, case), d in zip(cases, findings):
        assert suite.name == case.file == case.classname == d["file"]
        assert suite.tests == suite.failures == sum(1 for f in findings if f["file"] == d["file"])
        assert case.name == f"{d['code']} {d['name']}"
        assert (case.line, case.column) == (d["line"], d["column"])
        assert [(p.name, p.value) for p in case.properties()] == [("severity", d["severity"])]
        (failure,) = case.result
        assert isinstance(failure, Failure) and case.is_failure
        assert (failure.type, failure.message) == (d["code"], d["message"])
        assert failure.text.split("\n")[0] == (f"{d['file']}:{d['line']}:{d['column']}: "
                                               f"{d['code']} {d['message']}")


def test_junit_of_a_clean_run_and_of_a_run_with_input_errors(tree):
    clean = cli("check", "--output-format", "junit", "ex/mnist-classifier", cwd=tree)
    assert clean.returncode == 0
    xml, suites = _junit(clean.stdout)
    ((_, (case,)),) = suites
    assert (xml.tests, xml.failures, xml.errors) == (1, 0, 0) and case.is_passed
    missing = cli("check", "--output-format", "junit", "ex/mnist-classifier", "no/such/dir",
                  cwd=tree)
    xml, suites = _junit(missing.stdout)
    ((_, (case,)),) = suites
    assert (xml.tests, xml.failures, xml.errors) == (1, 0, 1) and case.is_error
    assert "no/such/dir" in case.result[0].message
    assert "no/such/dir" in missing.stderr


def test_junit_escapes_what_xml_cannot_hold():
    from junitparser import Failure

    from dioptra_lsp.diagnostics import Diagnostic, Severity
    from dioptra_lsp.model.source import Span
    from dioptra_lsp.output import render_junit

    message = 'a <b> & "c"\x00\x1b ]]> \ud800 é'
    diag = Diagnostic("DL201", "unknown-option", Severity.ERROR, Path("x/MLproject"),
                      Span.of(0, 0, 0, 1), message)
    _, ((_, (case,)),) = _junit(render_junit([diag]))
    (failure,) = case.result
    assert isinstance(failure, Failure)
    assert failure.message == 'a <b> & "c"\\x00\\x1b ]]> \\xd800 é'


# GitLab's documented Code Quality report format ("Implement a custom tool": the report is a
# JSON array of objects with these fields), written down as a JSON Schema.
GITLAB_CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path"],
                "properties": {
                    # a path relative to the repository, not prefixed with ./
                    "path": {"type": "string", "pattern": r"^(?!\./)(?!/)\S"},
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                    "positions": {
                        "type": "object", "required": ["begin"],
                        "properties": {"begin": {
                            "type": "object", "required": ["line"],
                            "properties": {"line": {"type": "integer", "minimum": 1},
                                           "column": {"type": "integer", "minimum": 1}}}}},
                },
                "anyOf": [{"required": ["lines"]}, {"required": ["positions"]}],
            },
        },
    },
}
GITLAB_SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def test_gitlab_report_follows_the_documented_format_field_by_field(tree, findings):
    import jsonschema

    out = cli("check", "--output-format", "gitlab", "ex", cwd=tree)
    assert out.returncode == 1
    report = json.loads(out.stdout)
    jsonschema.validate(report, GITLAB_CODE_QUALITY)
    assert len(report) == len(findings)
    for issue, d in zip(report, findings):
        assert issue["check_name"] == d["code"]
        assert issue["description"] == f"{d['code']}: {d['message']}"
        assert issue["severity"] == GITLAB_SEVERITY[d["severity"]]
        location = issue["location"]
        assert location["path"] == d["file"]
        positions = location["positions"]
        assert (positions["begin"]["line"], positions["begin"]["column"],
                positions["end"]["line"], positions["end"]["column"]) == (
            d["line"], d["column"], d["end_line"], d["end_column"])
    fingerprints = [issue["fingerprint"] for issue in report]
    assert len(set(fingerprints)) == len(fingerprints)
    again = json.loads(cli("check", "--output-format", "gitlab", "ex", cwd=tree).stdout)
    assert [issue["fingerprint"] for issue in again] == fingerprints


def test_gitlab_fingerprints_survive_lines_moving(tmp_path):
    """What GitLab compares between a merge request and its target: adding lines above a
    finding (here, in every file of the project) must not make it look new."""
    shutil.copytree(REPO / "examples" / "broken-cli", tmp_path / "ep")
    before = json.loads(cli("check", "--output-format", "gitlab", "ep", cwd=tmp_path).stdout)
    for path in (tmp_path / "ep").rglob("*"):
        if path.name == "MLproject" or path.suffix == ".py":
            path.write_text("# a new first line\n\n" + path.read_text())
    after = json.loads(cli("check", "--output-format", "gitlab", "ep", cwd=tmp_path).stdout)
    assert len(after) == len(before) > 5
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]
    assert all(a["location"]["positions"]["begin"]["line"]
               == b["location"]["positions"]["begin"]["line"] + 2 for a, b in zip(after, before))


def test_gitlab_paths_are_relative_to_the_repository(tmp_path):
    shutil.copytree(REPO / "examples" / "broken-cli", tmp_path / "repo" / "ep")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = cli("check", "--output-format", "gitlab", str(tmp_path / "repo" / "ep"), cwd=elsewhere,
              env={"CI_PROJECT_DIR": str(tmp_path / "repo")})
    paths = {i["location"]["path"] for i in json.loads(out.stdout)}
    assert paths and all(p.startswith("ep/") for p in paths), paths


def test_statistics_count_what_the_findings_are_with_a_total_line(tree, findings, text_lines):
    from collections import Counter

    stats = json.loads(cli("check", "--statistics", "--output-format", "json", "ex",
                           cwd=tree).stdout)
    assert {s["code"]: s["count"] for s in stats} == Counter(f["code"] for f in findings)
    assert [(s["count"], s["code"]) for s in stats] == sorted(
        ((s["count"], s["code"]) for s in stats), key=lambda cs: (-cs[0], cs[1]))
    for s in stats:
        fixable = sum(1 for f in findings if f["code"] == s["code"] and safely_fixable(f))
        assert (s["fixable_count"], s["fixable"]) == (fixable, fixable > 0)
        assert s["name"] == next(f["name"] for f in findings if f["code"] == s["code"])
    lines = cli("check", "--statistics", "--output-format", "json-lines", "ex", cwd=tree).stdout
    assert [json.loads(line) for line in lines.splitlines()] == stats
    text = cli("check", "--statistics", "ex", cwd=tree)
    assert text.returncode == 1   # the exit status still reports the findings
    *rows, total = text.stdout.splitlines()
    assert total == text_lines[-1] and total.startswith(f"Found {len(findings)} ")
    width = len(str(stats[0]["count"]))
    assert rows == [f"{s['count']:>{width}}\t{s['code']}\t{'[*]' if s['fixable'] else '[ ]'} "
                    f"{s['name']}" for s in stats]
    refused = cli("check", "--statistics", "--output-format", "gitlab", "ex", cwd=tree)
    assert refused.returncode == 2 and "--statistics" in refused.stderr


def test_output_file_quiet_and_silent(tree, text_lines):
    report = tree / "reports" / "lint.txt"
    out = cli("check", "-o", str(report), "ex", cwd=tree)
    assert out.returncode == 1 and out.stdout == ""
    assert report.read_text().splitlines() == text_lines
    quiet = cli("check", "-q", "ex", cwd=tree)
    assert quiet.returncode == 1 and quiet.stdout.splitlines() == text_lines[:-1]
    silent = cli("check", "-s", "--output-file", str(tree / "none.txt"), "ex", cwd=tree)
    assert (silent.returncode, silent.stdout) == (1, "") and not (tree / "none.txt").exists()
    # errors are never silenced: they are why the exit status is 2
    broken = cli("check", "-s", "no/such/dir", cwd=tree)
    assert broken.returncode == 2 and "no/such/dir" in broken.stderr
    unwritable = cli("check", "-o", str(tree / "ex" / "mnist-classifier" / "MLproject" / "x"),
                     "ex/mnist-classifier", cwd=tree)
    assert unwritable.returncode == 2 and "cannot write" in unwritable.stderr
    assert "Traceback" not in unwritable.stderr


def test_dash_reads_the_mlproject_from_stdin(tmp_path):
    shutil.copytree(REPO / "examples" / "mnist-classifier", tmp_path / "ep")
    buffer = (tmp_path / "ep" / "MLproject").read_text().replace("--data-dir", "--data_dir", 1)
    assert "--data_dir" in buffer
    as_cwd = cli("check", "--output-format", "json", "-", cwd=tmp_path / "ep", stdin=buffer)
    (finding,) = [d for d in json.loads(as_cwd.stdout) if d["code"] == "DL201"]
    assert finding["file"] == "MLproject" and as_cwd.returncode == 1
    named = cli("check", "--output-format", "json", "--stdin-filename", "ep/MLproject", "-",
                cwd=tmp_path, stdin=buffer)
    assert [d["file"] for d in json.loads(named.stdout) if d["code"] == "DL201"] == ["ep/MLproject"]
    assert "--data_dir" not in (tmp_path / "ep" / "MLproject").read_text()   # disk untouched


def test_rule_pages_as_json(tmp_path):
    listed = [line.split()[0] for line in cli("rule", cwd=tmp_path).stdout.splitlines()]
    every = json.loads(cli("rule", "--all", "--output-format", "json", cwd=tmp_path).stdout)
    assert [r["code"] for r in every] == listed and len(listed) >= 30
    one = json.loads(cli("rule", "DL201", "--output-format", "json", cwd=tmp_path).stdout)
    assert one == next(r for r in every if r["code"] == "DL201")
    assert set(one) == {"code", "name", "summary", "severity", "fix_availability", "fix_safety",
                        "explanation"}
    assert one["explanation"] == cli("rule", "DL201", cwd=tmp_path).stdout
    assert (one["name"], one["severity"], one["fix_availability"], one["fix_safety"]) == (
        "unknown-option", "error", "Sometimes", "unsafe")
    assert cli("rule", "DL999", "--output-format", "json", cwd=tmp_path).returncode == 2


def test_dry_run_takes_output_format_too(tree):
    args = ("dry-run", "ex/mnist-classifier", "-e", "train", "-P", "data_dir=.")
    alias = cli(*args, "--format", "json", cwd=tree)
    named = cli(*args, "--output-format", "json", cwd=tree)
    assert named.returncode == alias.returncode and json.loads(named.stdout) == json.loads(alias.stdout)
