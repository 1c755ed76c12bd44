"""``dioptra-lint dry-run`` as a user runs it: a subprocess, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

MLPROJECT = """\
name: demo
entry_points:
  main:
    parameters:
      data_dir: {type: path, default: data}
      epochs: {type: float, default: 3}
      mode: {type: string, default: fast}
    command: >
      python train.py
      --data-dir {data_dir}
      --epochs {epochs}
      --mode {mode}
"""

SCRIPT = '''\
import click
from dioptra import pyplugs
from prefect import Flow, Parameter


@click.command()
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False))
@click.option("--epochs", type=click.INT, default=1)
@click.option("--mode", type=click.Choice(["fast", "slow"]))
def train(data_dir, epochs, mode):
    with Flow("Train") as flow:
        data_dir_p, epochs_p = Parameter("data_dir"), Parameter("epochs")
        model = pyplugs.call_task("plugs", "fit", "make", epochs=epochs_p)
        pyplugs.call_task("plugs", "fit", "train", model=model, data=data_dir_p,
                          upstream_tasks=[model])
    flow.run(parameters=dict(data_dir=data_dir, epochs=epochs))


if __name__ == "__main__":
    train()
'''

PLUGIN = '''\
from dioptra import pyplugs


@pyplugs.register
def make(epochs):
    return epochs


@pyplugs.register
def train(model, data, verbose=False):
    return model
'''


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "MLproject").write_text(MLPROJECT)
    (tmp_path / "train.py").write_text(SCRIPT)
    (tmp_path / "data").mkdir()
    (tmp_path / "plugs").mkdir()
    (tmp_path / "plugs" / "fit.py").write_text(PLUGIN)
    return tmp_path


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SHELL": "/bin/bash"}
    env.pop("DIOPTRA_PLUGIN_DIR", None)
    return subprocess.run([sys.executable, "-m", "dioptra_lsp.cli", "dry-run", *args],
                          capture_output=True, text=True, cwd=cwd or REPO, env=env, timeout=60)


def test_ok_json_has_exactly_the_issue_keys(project: Path):
    proc = run(str(project), "--format", "json", "-P", "epochs=7")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert list(data) == ["ok", "verdict", "entry_point", "parameters", "command", "argv",
                          "options", "plan", "problems", "unchecked"]
    assert data["ok"] is True and data["verdict"] == "would-start" and data["unchecked"] == []
    assert data["entry_point"] == "main"
    assert data["command"] == f"python train.py --data-dir {project / 'data'} --epochs 7 --mode fast\n"
    assert data["parameters"]["epochs"] == {"value": "7", "type": "float", "source": "-P"}
    assert data["parameters"]["mode"] == {"value": "fast", "type": "string", "source": "default"}
    assert data["options"] == {"data_dir": str(project / "data"), "epochs": 7, "mode": "fast"}
    assert [t["target"] for t in data["plan"]] == ["plugs.fit.make", "plugs.fit.train"]
    assert data["plan"][1]["inputs"] == {"model": {"output_of_task": 1, "item": None},
                                         "data": {"parameter": "data_dir",
                                                  "value": str(project / "data")}}
    assert data["plan"][1]["upstream_tasks"] == [1]
    assert data["plan"][0]["file"] == "plugs/fit.py" and data["plan"][0]["line"] == 5


def test_text_report_runs_from_the_project_folder(project: Path):
    proc = run(cwd=project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"python train.py --data-dir {project / 'data'} --epochs 3 --mode fast" in proc.stdout
    assert "1. plugs.fit.make  plugs/fit.py:5" in proc.stdout
    assert proc.stdout.rstrip().endswith("OK: the job would start and its flow would build")


def test_click_rejects_a_choice_with_its_own_message(project: Path):
    proc = run(str(project), "-P", "mode=medium", "--format", "json")
    assert proc.returncode == 1
    problems = json.loads(proc.stdout)["problems"]
    assert [(p["kind"], p["file"], p["line"], p["severity"]) for p in problems] == [
        ("resolved-path", "MLproject", 5, "info"), ("click-usage", "train.py", 9, "error")]
    problems = problems[1:]
    assert "'medium' is not one of 'fast', 'slow'" in problems[0]["message"]


def test_every_problem_is_listed_with_file_and_line(project: Path):
    """MLflow refuses the value, so the argv cannot be built; the flow is still checked."""
    (project / "plugs" / "fit.py").write_text(PLUGIN.replace("def make(epochs)", "def make(n)"))
    proc = run(str(project), "-P", "data_dir=nowhere")
    assert proc.returncode == 1
    assert "MLproject:5: error: parameter `data_dir`: -P value `nowhere` does not exist" in proc.stdout
    assert "train.py:13: error: task 1 (make): missing a required argument: 'n'" in proc.stdout
    assert proc.stdout.rstrip().endswith("FAILED: 2 errors")


def test_task_bound_like_inspect_signature_bind(project: Path):
    (project / "plugs" / "fit.py").write_text(PLUGIN.replace("def make(epochs)", "def make(n)"))
    proc = run(str(project), "--format", "json")
    assert proc.returncode == 1
    [problem] = [p for p in json.loads(proc.stdout)["problems"] if p["severity"] == "error"]
    assert problem["kind"] == "task-binding" and problem["file"] == "train.py"
    assert problem["message"] == "task 1 (make): missing a required argument: 'n'; signature make(n)"


def test_graph_mermaid_and_dot(project: Path):
    mermaid = run(str(project), "--graph", "mermaid")
    assert mermaid.returncode == 0
    assert mermaid.stdout.splitlines()[0] == "flowchart LR"
    assert "  t1 -.->|upstream| t2" in mermaid.stdout
    assert "  p_epochs -->|epochs| t1" in mermaid.stdout
    dot = run(str(project), "--graph", "dot")
    assert dot.stdout.startswith("digraph plan {")
    assert "t1 -> t2 [label=\"upstream\", style=dashed];" in dot.stdout


@pytest.mark.parametrize("args,needle", [
    (["-P", "epochs"], "invalid -P `epochs`: write -P name=value"),
    (["-P", "a=1", "-P", "a=2"], "parameter `a` is given twice with -P"),
    (["--graph", "png"], "'png' is not one of 'mermaid', 'dot'"),
])
def test_usage_errors_exit_2_without_traceback(project: Path, args, needle):
    proc = run(str(project), *args)
    assert proc.returncode == 2
    assert needle in proc.stderr and "Traceback" not in proc.stderr


def test_missing_folder_is_a_usage_error(tmp_path: Path):
    proc = run(str(tmp_path / "nope"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "does not exist" in proc.stderr


def test_unknown_entry_point_is_one_clear_line(project: Path):
    proc = run(str(project), "-e", "trian")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "dioptra-lint: no entry point `trian` (entry points: main); a name ending in .py or .sh "
        "would run as a script"]


def test_broken_yaml_is_one_clear_line(tmp_path: Path):
    (tmp_path / "MLproject").write_text("entry_points:\n  main: [\n")
    proc = run(str(tmp_path))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("dioptra-lint: YAML syntax error")


def test_script_entry_point_like_mlflow(project: Path):
    proc = run(str(project), "-e", "train.py", "-P", "epochs=2", "--format", "json")
    data = json.loads(proc.stdout)
    assert data["command"] == "python train.py --epochs 2"
    # MLflow builds the command without looking at the script: nothing checks its arguments.
    assert proc.returncode == 3 and data["verdict"] == "not-checked" and not data["ok"]
    assert [u["part"] for u in data["unchecked"]] == ["script `train.py`"]
    proc = run(str(project), "-e", "src/gone.sh", "--format", "json")
    data = json.loads(proc.stdout)
    assert proc.returncode == 1 and data["command"] == "/bin/bash src/gone.sh"
    assert [(p["kind"], p["file"]) for p in data["problems"]] == [("missing-script", "src/gone.sh")]


def test_import_mode_uses_the_real_command_with_callbacks(project: Path):
    script = SCRIPT.replace("from dioptra import pyplugs\nfrom prefect import Flow, Parameter\n", "")
    script = script.replace('    with Flow("Train") as flow:', "    return\n    with Flow(\"Train\") as flow:")
    script = script.replace('@click.option("--epochs", type=click.INT, default=1)',
                            '@click.option("--epochs", type=click.INT, default=1, '
                            'callback=lambda c, p, v: v * 100)')
    (project / "train.py").write_text(script)
    static = json.loads(run(str(project), "--format", "json").stdout)
    assert static["options"]["epochs"] == {
        "not_checked": "its callback is not run: the script receives what the callback returns",
        "value": 3}
    imported = run(str(project), "--format", "json", "--import")
    assert json.loads(imported.stdout)["options"]["epochs"] == 300, imported.stderr


def test_graph_of_a_failing_job_says_why_on_stderr(project: Path):
    proc = run(str(project), "--graph", "dot", "-P", "data_dir=nowhere")
    assert proc.returncode == 1
    assert proc.stdout.startswith("digraph plan {") and "t1 -> t2" in proc.stdout
    assert proc.stderr.splitlines()[-1] == "dioptra-lint: FAILED: 1 error"
    assert proc.stderr.startswith("dioptra-lint: MLproject:5: parameter `data_dir`: -P value "
                                  "`nowhere` does not exist")


def test_bad_config_is_a_usage_error(project: Path):
    (project / "dioptra-lint.toml").write_text("plugin_dirz = ['x']\n")
    proc = run(str(project))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "unknown option `plugin_dirz`" in proc.stderr


def test_the_dry_run_loads_no_mlflow_no_rules_and_no_process_pool():
    """What keeps it within 1.5x of `import click, yaml` (benchmarks/bench_dryrun.py): MLflow
    costs 0.3-0.65 s to import, the 32 rule modules ~16 ms, multiprocessing ~20 ms."""
    code = ("import sys\nfrom dioptra_lsp.dryrun import dry_run\n"
            f"dry_run({str(REPO / 'examples' / 'mnist-classifier')!r}, 'train', {{'data_dir': '.'}})\n"
            "import json\nprint(json.dumps(sorted(sys.modules)))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                        text=True, check=True).stdout)
    heavy = [m for m in loaded if m.split(".")[0] in ("mlflow", "multiprocessing", "dataclasses")
             or m.startswith("dioptra_lsp.rules")]
    assert heavy == [], heavy
