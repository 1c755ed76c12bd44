"""check and dry-run read every command form bash accepts the same way, and bash agrees.

For each command: the words the model sees for the script's simple command (with MLflow's
values put in), the argv the dry-run hands click, and the argv a stub ``python`` receives when
bash runs the resolved command must be one and the same.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml

from dioptra_lsp.dryrun import dry_run
from dioptra_lsp.model.project import load_project

SCRIPT = textwrap.dedent("""\
    import click


    @click.command()
    @click.option("--a")
    @click.option("--b", type=int)
    def main(a, b):
        print(a, b)


    if __name__ == "__main__":
        main()
    """)

COMMANDS = [
    "python x.py --a {a} --b {b}",
    "python x.py --a {a} --b {b} > train.log",
    "python x.py --a {a} --b {b} >> train.log 2>&1",
    "python x.py --b {b} < /dev/null --a {a}",
    "python x.py --a {a} --b {b} &>log",
    "python x.py --a {a} --b {b} &>>log",
    "python x.py --a {a} <<< word --b {b}",
    "python x.py --a $'{a}\\tz' --b {b}",
    "python x.py --a $\"{a}\" --b {b} 2>/dev/null",
    "python x.py --a \"x {a}\" --b {b}",
    "python -u x.py --a {a} --b {b}",
    "python -um pkg.train --a {a} --b {b}",
    "python -W ignore -X utf8 x.py --a={a} --b={b}",
    "python -OO -- x.py --a {a}",
    "python3 -Es x.py --a '{a}' --b \"{b}\"",
    "PYTHONPATH=. python x.py --a {a} --b {b}",
    "A=1 B='x y' python x.py --a {a} --b {b} 2> err.log",
    "env A=1 nohup python x.py --a {a} --b {b} > out &",
    "cd . && python x.py --a {a} --b {b} | tee log",
    "time python x.py --a {a} --b {b}",
    "true && {{ python x.py --a {a} --b {b}; }} 2>&1",
    "python x.py --a '{{x}}' --b {b} && echo ${{HOME}}",
    "if true; then python x.py --a {a} --b {b}; fi",
    "python x.py --a {a} \\\n --b {b} # the learning rate",
    "python x.py --a a\\ {a} --b {b} 10>fd.log",
    "echo start; python x.py --a {a} --b {b}; echo done",
]
# A value with a space where the placeholder stands alone: MLflow quotes it, bash unquotes it.
# Inside quotes MLflow's quoting would become part of the value, so there a plain one.
SPACED = {"a": "v w", "b": "3"}
PLAIN = {"a": "v-w", "b": "3"}


def values_for(command: str) -> dict[str, str]:
    quoted = re.search(r"[\"']\S*\{a\}|\{a\}\S*[\"']", command)
    return PLAIN if quoted else SPACED


@pytest.fixture(scope="module")
def stub_path(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bin")
    for name in ("python", "python3"):
        stub = folder / name
        stub.write_text('#!/bin/sh\nprintf \'%s\\0\' "$@" > "$ARGV_LOG"\n')
        stub.chmod(0o755)
    return folder


def project(tmp_path: Path, command: str, values: dict[str, str]) -> Path:
    (tmp_path / "MLproject").write_text(yaml.safe_dump({"entry_points": {"main": {
        "parameters": {"a": {"type": "string", "default": values["a"]},
                       "b": {"type": "string", "default": values["b"]}},
        "command": command}}}))
    (tmp_path / "x.py").write_text(SCRIPT)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "train.py").write_text(SCRIPT)
    return tmp_path


@pytest.mark.parametrize("command", COMMANDS)
def test_check_dry_run_and_bash_read_the_same_argv(command, tmp_path, stub_path):
    values = values_for(command)
    folder = project(tmp_path, command, values)
    model = load_project(folder / "MLproject")
    (link,) = model.links_for("main")
    assert link.exists, command
    simple = link.invocation.command
    seen_by_check = [re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), w.value)
                     for w in simple.assignments + simple.words]

    report = dry_run(folder)
    assert list(report.argv) == seen_by_check, command
    # No error; what is not checked is only a program beside the script (`tee log`).
    assert report.verdict != "would-fail", (command, report.problems)
    assert all(u.kind == "program-not-checked" for u in report.unchecked), report.unchecked

    log = tmp_path / "argv.log"
    env = {"PATH": f"{stub_path}:/usr/bin:/bin", "ARGV_LOG": str(log), "HOME": str(tmp_path)}
    subprocess.run([shutil.which("bash"), "-c", report.command + "\nwait"], cwd=folder, env=env,
                   stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
    received = log.read_bytes().split(b"\0")[:-1]
    program = next(k for k, w in enumerate(simple.words) if w.value.startswith("python"))
    skipped = len(simple.assignments) + program + 1
    assert [w.decode() for w in received] == list(report.argv)[skipped:], command
