"""No input crashes or hangs a command.  Each failure class is attacked with several variants,
through ``check`` (in-process and as the real CLI, with a time limit) and ``dry-run``; each must
end in findings that name the file, and the rest of the tree must still be linted.

The classes: line breaks other than ``\\n``; names the file system refuses (too long, NUL bytes);
configuration files ``tomllib`` rejects with something else than ``TOMLDecodeError``; YAML
aliases that expand without end; files that never end or would block; a folder named MLproject.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dioptra_lsp.dryrun import dry_run
from dioptra_lsp.engine import run

MLPROJECT = """\
name: demo
entry_points:
  main:
    parameters:
      epochs: {type: float, default: 3}
      unused: {type: string, default: x}
    command: "python train.py --epochs {epochs} --batch 2"
"""

SCRIPT = textwrap.dedent('''\
    import click
    from dioptra import pyplugs
    from prefect import Flow, Parameter


    @click.command()
    @click.option("--epochs", type=click.INT, default=1)
    def train(epochs):
        with Flow("Train") as flow:
            epochs_p = Parameter("epochs")
            pyplugs.call_task("plugs", "fit", "make", epochs=epochs_p)
        flow.run(parameters=dict(epochs=epochs))


    if __name__ == "__main__":
        train()
    ''')

PLUGIN = "from dioptra import pyplugs\n\n\n@pyplugs.register\ndef make(epochs):\n    return epochs\n"


def write_project(root: Path, mlproject: str = MLPROJECT, script: str = SCRIPT) -> Path:
    (root / "plugs").mkdir(parents=True, exist_ok=True)
    (root / "MLproject").write_text(mlproject, encoding="utf-8", newline="")
    (root / "train.py").write_text(script, encoding="utf-8")
    (root / "plugs" / "fit.py").write_text(PLUGIN, encoding="utf-8")
    return root


def cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DIOPTRA_PLUGIN_DIR"}
    return subprocess.run([sys.executable, "-m", "dioptra_lsp.cli", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=timeout)


def findings(root: Path) -> list[tuple[str, int, str]]:
    return [(d.code, d.span.start.line, os.path.relpath(d.path, root))
            for d in run([root]).diagnostics]


# ------------------------------------------------------------------ line breaks

BREAKS = {"cr": "\r", "crlf": "\r\n", "nel": "\x85", "ls": "\u2028", "ps": "\u2029"}


def findings_at(root: Path) -> list[tuple[str, str, str]]:
    """(code, the text its range covers, file): the same words whatever the line breaks."""
    from dioptra_lsp.model.source import read_source

    out = []
    for d in run([root]).diagnostics:
        source = read_source(d.path)
        start, end = source.index.span_offsets(d.span)
        out.append((d.code, source.text[start:end], os.path.relpath(d.path, root)))
    return out


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_an_mlproject_with_other_line_breaks_reads_like_its_lf_twin(tmp_path, name):
    """PyYAML breaks lines at each of these.  The model counts lines as editors, LSP and
    Python do (\\r\\n, \\r, \\n: the same lines as the twin's for those); \\x85, U+2028
    and U+2029 are characters on a line, and every range still covers the twin's words."""
    twin = findings(write_project(tmp_path / "lf"))
    assert ("DL107", 5, "MLproject") in twin and ("DL201", 6, "MLproject") in twin
    other = write_project(tmp_path / name, MLPROJECT.replace("\n", BREAKS[name]))
    if BREAKS[name] in ("\r", "\r\n"):
        assert findings(other) == twin
    assert findings_at(other) == findings_at(tmp_path / "lf")
    assert dry_run(other).verdict == dry_run(tmp_path / "lf").verdict == "would-fail"


def test_a_single_cr_line_before_a_default_and_a_command(tmp_path):
    text = MLPROJECT.replace("default: 3}\n", "default: 3}\r", 1)
    root = write_project(tmp_path / "ep", text)
    assert {c for c, _, _ in findings(root)} >= {"DL107", "DL201"}
    result = cli("check", "ep", cwd=tmp_path)
    assert result.returncode == 1 and "internal error" not in result.stderr


# ------------------------------------------------------------------ names the file system refuses

LONG = "a" * 300              # longer than NAME_MAX (255) on every common file system
DEEP = "/".join(["d" * 200] * 30)   # each part fine, the whole longer than PATH_MAX (4096)

NAMES = {
    "script_name_too_long": ('python train.py', f'python {LONG}.py'),
    "script_path_too_long": ('python train.py', f'python {DEEP}/x.py'),
    "module_name_too_long": ('python train.py', f'python -m {LONG}'),
    "script_name_with_nul": ('"python train.py', '"python a\\0b.py'),
    "env_file_too_long": ("name: demo", f"name: demo\nconda_env: {LONG}.yaml"),
    "env_file_with_nul": ("name: demo", 'name: demo\npython_env: "a\\0b.yaml"'),
    "path_default_too_long": ("{type: string, default: x}", f"{{type: path, default: {LONG}}}"),
    "path_default_with_nul": ("{type: string, default: x}", '{type: path, default: "a\\0b"}'),
}


@pytest.mark.parametrize("name", sorted(NAMES))
def test_mlproject_names_the_file_system_refuses(tmp_path, name):
    old, new = NAMES[name]
    root = write_project(tmp_path / "ep", MLPROJECT.replace(old, new, 1))
    write_project(tmp_path / "good")
    found = run([tmp_path]).diagnostics
    assert any(d.path == tmp_path / "good" / "MLproject" and d.code == "DL201" for d in found)
    mine = [d for d in found if tmp_path / "ep" in d.path.parents]
    assert mine and all(len(d.path.name) < 256 for d in mine)   # reported where a user can look
    assert dry_run(root).verdict != "would-start"
    result = cli("check", "ep", cwd=tmp_path)
    assert result.returncode == 1 and "internal error" not in result.stderr, result.stderr


def test_a_script_name_too_long_is_reported_on_the_command(tmp_path):
    write_project(tmp_path / "ep", MLPROJECT.replace("python train.py", f"python {LONG}.py"))
    [finding] = [d for d in run([tmp_path / "ep"]).diagnostics if d.code == "DL001"]
    assert finding.path.name == "MLproject" and finding.span.start.line == 6
    assert "file name too long" in finding.message.lower()


@pytest.mark.parametrize("package,module", [(LONG, "fit"), ("plugs", LONG), ("plugs", "a\0b"),
                                            ("a\0b", "fit"), (DEEP.replace("/", "."), "fit")])
def test_plugin_names_the_file_system_refuses(tmp_path, package, module):
    script = SCRIPT.replace('"plugs", "fit"', f'{package!r}, {module!r}')
    root = write_project(tmp_path / "ep", script=script)
    codes = {d.code for d in run([root]).diagnostics}
    assert codes & {"DL403", "DL405"}, codes
    dry_run(root)


def test_plugin_folders_the_file_system_refuses(tmp_path, monkeypatch):
    monkeypatch.setenv("DIOPTRA_PLUGIN_DIR", os.pathsep.join([LONG, DEEP]))
    root = write_project(tmp_path / "ep")
    (root / "dioptra-lint.toml").write_text(f'plugin-dirs = ["{LONG}", "{DEEP}"]\n')
    assert "DL201" in {d.code for d in run([root]).diagnostics}
    dry_run(root)


def test_a_path_argument_too_long_is_one_line_and_exit_2(tmp_path):
    write_project(tmp_path / "ep")
    result = cli("check", "ep", f"{LONG}/MLproject", cwd=tmp_path)
    assert result.returncode == 2 and "internal error" not in result.stderr
    assert "file name too long" in result.stderr.lower()
    assert "ep/MLproject:7" in result.stdout          # the rest is still linted


# ------------------------------------------------------------------ configuration files

TOML = {
    "int_over_4300_digits": "select = [\"DL\"]\nx = " + "1" * 5000 + "\n",
    "arrays_2000_deep": "select = " + "[" * 2000 + "]" * 2000 + "\n",
    "inline_tables_2000_deep": "x = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n",
    "not_utf8": "select = [\"DL\"]\n# \xff\n",
    "nul_byte": "select = [\"DL\"]\n\x00\n",
}


@pytest.mark.parametrize("config", ["dioptra-lint.toml", "pyproject.toml"])
@pytest.mark.parametrize("name", sorted(TOML))
def test_a_config_tomllib_rejects_is_one_line_naming_it(tmp_path, name, config):
    body = TOML[name]
    if config == "pyproject.toml":
        body = "[tool.dioptra-lint]\n" + body
    root = write_project(tmp_path / "ep")
    (root / config).write_bytes(body.encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    result = cli("check", "ep", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    [line] = [l for l in result.stderr.splitlines() if config in l]
    assert line.startswith("dioptra-lint: ") and str(root / config) in line
    assert "All checks passed" not in result.stdout
    assert cli("check", "--config", f"ep/{config}", "ep", cwd=tmp_path).returncode == 2
    dry = cli("dry-run", "ep", cwd=tmp_path)
    assert dry.returncode == 2 and config in dry.stderr and "internal error" not in dry.stderr


def test_a_broken_config_stops_only_its_own_projects(tmp_path):
    write_project(tmp_path / "broken" / "ep")
    (tmp_path / "broken" / "dioptra-lint.toml").write_text(TOML["arrays_2000_deep"])
    write_project(tmp_path / "fine" / "ep")
    result = cli("check", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "fine/ep/MLproject:7" in result.stdout and "broken/ep" not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("Not fully checked: 1 error stopped")


# ------------------------------------------------------------------ YAML aliases

def laughs(levels: int = 9, width: int = 9) -> str:
    lines = [f'l0: &l0 [{", ".join(["lol"] * width)}]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


ALIASES = {
    # The classic: 9 levels of 9, 400 bytes, 10^9 nodes.
    "top_level_keys": laughs() + MLPROJECT,
    "in_a_default": laughs() + MLPROJECT.replace("default: x}", "default: *l8}"),
    # A float default: DL105 and the dry-run turn it into text (check ran for ever here).
    "in_a_float_default": laughs() + MLPROJECT.replace("default: 3}", "default: *l8}"),
    "in_the_parameters": laughs() + MLPROJECT.replace(
        "      unused: {type: string, default: x}\n", "      unused: {type: string, default: x}\n"
        "      big: {type: string, default: *l8}\n"),
    "mapping_merges": "m0: &m0 {a: 1, b: 2}\n" + "".join(
        f"m{i}: &m{i} {{{', '.join(f'k{j}: *m{i - 1}' for j in range(9))}}}\n" for i in range(1, 9))
        + MLPROJECT,
    "one_wide_level": "w: &w [" + ", ".join(["x"] * 2000) + "]\nv: [" + ", ".join(["*w"] * 2000)
        + "]\n" + MLPROJECT,
    "alias_of_its_own_anchor": MLPROJECT.replace("default: x}", "default: &self [1, *self]}"),
    "mapping_of_itself": "loop: &loop {again: *loop}\n" + MLPROJECT,
}


@pytest.mark.parametrize("name", sorted(ALIASES))
def test_aliases_that_expand_without_end_are_one_finding(tmp_path, name):
    root = write_project(tmp_path / "ep", ALIASES[name])
    write_project(tmp_path / "good")
    result = cli("check", ".", cwd=tmp_path, timeout=60)
    assert result.returncode == 1, result.stderr
    [line] = [l for l in result.stdout.splitlines() if l.startswith("ep/")]
    assert " DL001 " in line and ("expand" in line or "alias of itself" in line)
    assert "good/MLproject:7" in result.stdout
    report = dry_run(root)
    assert report.verdict == "not-checked" and report.unchecked[0].part == "MLproject"
    dry = cli("dry-run", "ep", cwd=tmp_path, timeout=60)
    assert dry.returncode == 3


def test_aliases_in_an_experiment_file_share_the_bound(tmp_path):
    """The experiment reader (validate-experiment's files) uses the same bound as the MLproject's."""
    import shutil

    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "broken-experiment",
                    tmp_path / "ep")
    experiment = tmp_path / "ep" / "train.yml"
    experiment.write_text(laughs() + experiment.read_text())
    result = cli("check", "ep", cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "internal error" not in result.stderr
    [line] = [l for l in result.stdout.splitlines() if l.startswith("ep/train.yml")]
    assert " DL001 " in line and "past 100,000 nodes" in line


def test_aliases_real_projects_use_stay_readable(tmp_path):
    """A parameter block shared by entry points is within the bound."""
    text = textwrap.dedent("""\
        entry_points:
          main:
            parameters: &common
              epochs: {type: float, default: 3}
            command: "python train.py --epochs {epochs}"
          again:
            parameters: *common
            command: "python train.py --epochs {epochs}"
        """)
    root = write_project(tmp_path / "ep", text)
    assert "DL001" not in {d.code for d in run([root]).diagnostics}
    assert dry_run(root, "again").verdict == "would-start"


# ------------------------------------------------------------------ files that never end

def _kmsg_readable() -> bool:
    try:
        fd = os.open("/proc/kmsg", os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    os.close(fd)
    return True


def test_a_file_that_blocks_when_read_is_reported_not_waited_for(tmp_path):
    """``/proc/kmsg`` is a regular file of size 0 whose read waits for the next kernel message."""
    if not _kmsg_readable():
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs as root: /proc/kmsg must be readable there")
        pytest.skip("/proc/kmsg is readable only by root (CI runs this)")
    root = write_project(tmp_path / "ep", MLPROJECT.replace("python train.py", "python /proc/kmsg"))
    result = cli("check", "ep", cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "/proc/kmsg:1:1: DL001" in result.stdout
    assert cli("dry-run", "ep", cwd=tmp_path, timeout=60).returncode == 3
    write_project(root, MLPROJECT.replace(" --batch 2", ""),         # a plugin that blocks
                  SCRIPT.replace('"plugs", "fit"', '"plugs", "kmsg"'))
    os.symlink("/proc/kmsg", root / "plugs" / "kmsg.py")
    result = cli("check", "ep", cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "ep/plugs/kmsg.py:1:1: DL001" in result.stdout
    assert cli("dry-run", "ep", cwd=tmp_path, timeout=60).returncode == 3
    result = cli("check", "--config", "/proc/kmsg", "ep", cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "/proc/kmsg: cannot read" in result.stderr
    (root / "MLproject").unlink()
    os.symlink("/proc/kmsg", root / "MLproject")
    result = cli("check", "ep", cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and "ep/MLproject:1:1: DL001" in result.stdout


@pytest.mark.parametrize("target", ["/proc/self/pagemap", "/dev/zero", "/dev/null"])
def test_files_whose_size_lies_are_read_with_a_bound(tmp_path, target):
    if not os.path.exists(target):
        pytest.skip(f"{target} does not exist on this system")
    root = write_project(tmp_path / "ep")
    (root / "train.py").unlink()
    os.symlink(target, root / "train.py")
    (root / "dioptra-lint.toml").symlink_to(target)
    result = cli("check", "ep", cwd=tmp_path, timeout=60)
    assert "internal error" not in result.stderr and result.returncode in (1, 2), result.stderr
    assert dry_run(root).verdict != "would-start" if result.returncode == 1 else True


# ------------------------------------------------------------------ a folder named MLproject

def test_a_folder_named_mlproject_is_an_error_as_it_is_to_mlflow(tmp_path):
    """MLflow opens the first name that lower-cases to ``mlproject``, whatever it is."""
    (tmp_path / "ep" / "MLproject").mkdir(parents=True)
    result = cli("check", "ep", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("ep/MLproject:1:1: DL001 cannot lint MLproject: is a directory")
    report = dry_run(tmp_path / "ep")
    assert report.verdict == "would-fail" and report.problems[0].kind == "unreadable"
    from mlflow.projects import _project_spec

    with pytest.raises(IsADirectoryError):
        _project_spec.load_project(str(tmp_path / "ep"))


def test_a_broken_symlink_named_mlproject_is_an_error_too(tmp_path):
    (tmp_path / "ep").mkdir()
    os.symlink(tmp_path / "nowhere", tmp_path / "ep" / "MLproject")
    result = cli("check", "ep", cwd=tmp_path)
    assert result.returncode == 1 and "ep/MLproject:1:1: DL001" in result.stdout
    assert dry_run(tmp_path / "ep").verdict == "would-fail"
