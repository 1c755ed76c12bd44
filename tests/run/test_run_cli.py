"""``dioptra-lint run`` end to end: the real CLI, MLflow's real project runner, a real
file-based tracking store in a temporary folder, and a script that really parses its options
with click (``fixtures/echo``: it writes what click parsed to ``$ECHO_OUTPUT``).

One real MLflow run per scenario; the refusals never import MLflow at all.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "echo"


@pytest.fixture
def job(tmp_path: Path, monkeypatch):
    """A copy of the echo project, a working folder holding `inputs/` (which the project folder
    does not have: only MLflow's path semantics find it), and an empty tracking store."""
    project = tmp_path / "echo"
    shutil.copytree(FIXTURE, project)
    work = tmp_path / "work"
    (work / "inputs").mkdir(parents=True)
    store = tmp_path / "mlruns"
    env = dict(os.environ, MLFLOW_TRACKING_URI=store.as_uri(), MLFLOW_ALLOW_FILE_STORE="true",
               ECHO_OUTPUT=str(tmp_path / "echo.json"))
    env.pop("MLFLOW_EXPERIMENT_NAME", None)
    env.pop("MLFLOW_EXPERIMENT_ID", None)

    class Job:
        root = tmp_path

        def run(self, *args: str) -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "dioptra_lsp.cli", "run", str(project),
                                   *args], cwd=work, env=env, capture_output=True, text=True,
                                  timeout=120)

        def runs(self) -> list:
            """Every run in the tracking store, read by MLflow's own client."""
            from mlflow.tracking import MlflowClient

            if not store.exists():
                return []
            client = MlflowClient(tracking_uri=store.as_uri())
            ids = [e.experiment_id for e in client.search_experiments()]
            return list(client.search_runs(ids)) if ids else []

        def echoed(self) -> dict | None:
            path = tmp_path / "echo.json"
            return json.loads(path.read_text()) if path.exists() else None

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")   # for MlflowClient in this process
    return Job()


def test_a_job_that_would_start_runs_and_mlflow_logs_what_the_dry_run_listed(job):
    proc = job.run("-P", "data_dir=inputs", "-P", "epochs=0.5", "--env-manager", "local",
                   "--experiment-name", "echo-tests", "--output-format", "json",
                   "-o", str(job.root / "result.json"))
    assert proc.returncode == 0, proc.stderr
    result = json.loads((job.root / "result.json").read_text())
    dry = result["dry_run"]
    assert result["submitted"] and result["verdict"] == dry["verdict"] == "would-start"
    # The relative path was checked where MLflow resolves it: the current folder.
    assert dry["parameters"]["data_dir"]["value"] == str(job.root / "work" / "inputs")
    # The command MLflow ran is the one the dry run checked, byte for byte.
    assert result["command"] == dry["command"] and result["command_matches_dry_run"] is True
    # The script ran, and click parsed exactly the values the dry run predicted.
    assert job.echoed() == dry["options"]
    assert proc.stdout.strip() == json.dumps(dry["options"]), "the result went to -o, not stdout"
    (run,) = job.runs()
    assert run.info.run_id == result["run_id"] and run.info.status == "FINISHED" == result["status"]
    assert run.data.tags["mlflow.project.entryPoint"] == "main"
    from mlflow.tracking import MlflowClient

    experiment = MlflowClient(tracking_uri=(job.root / "mlruns").as_uri()).get_experiment(
        run.info.experiment_id)
    assert experiment.name == "echo-tests"
    # MLflow logs every parameter the dry run listed as given or defaulted, and no other:
    # values shell-quoted, a `path` as it was given (the dry run shows where it resolves).
    given = {"data_dir": "inputs", "epochs": "0.5"}
    assert set(run.data.params) == set(dry["parameters"]) == {"data_dir", "epochs", "model_name"}
    for name, listed in dry["parameters"].items():
        assert listed["source"] == ("-P" if name in given else "default")
        raw = given.get(name, listed["value"])
        assert run.data.params[name] == shlex.quote(raw), name
    assert result["logged_parameters"] == run.data.params


def test_a_job_that_would_fail_is_refused_and_nothing_is_submitted(job):
    proc = job.run("-e", "broken", "--env-manager", "local")
    assert proc.returncode == 1
    assert "No such option '--epoch'" in proc.stderr and "not submitted" in proc.stderr
    assert "--force" in proc.stderr and proc.stdout == ""
    assert job.runs() == [] and job.echoed() is None


def test_a_relative_path_is_checked_where_mlflow_resolves_it(job):
    """The project folder has `src/`, the current folder does not: MLflow would not find it."""
    proc = job.run("-P", "data_dir=src", "--env-manager", "local")
    assert proc.returncode == 1
    assert f"does not exist (looked for {job.root / 'work' / 'src'})" in proc.stderr
    assert job.runs() == []


def test_a_job_with_a_part_not_checked_is_refused_naming_it(job):
    proc = job.run("-e", "notify", "--env-manager", "local", "--output-format", "json")
    assert proc.returncode == 3
    assert "could not check every part" in proc.stderr and "notify.sh" in proc.stderr
    result = json.loads(proc.stdout)
    assert result["submitted"] is False and result["run_id"] is None
    assert result["verdict"] == "not-checked" and result["exit_code"] == 3
    assert [u["part"] for u in result["dry_run"]["unchecked"]] == ["arguments of `notify.sh`"]
    assert job.runs() == []


def test_a_refused_job_never_imports_mlflow(job):
    code = ("import sys\nfrom dioptra_lsp.cli import main\n"
            f"try:\n    main(['run', {str(FIXTURE)!r}, '-e', 'broken'], standalone_mode=False)\n"
            "except SystemExit as exit:\n    print(exit.code)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'mlflow'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split("\n")[:2] == ["1", "[]"], proc.stdout


def test_force_submits_a_refused_job_after_printing_every_problem(job):
    proc = job.run("-e", "broken", "--env-manager", "local", "--force")
    assert proc.returncode == 4, proc.stderr
    (run,) = job.runs()
    assert run.info.status == "FAILED"
    assert proc.stdout.splitlines() == [f"MLflow run: {run.info.run_id} (FAILED)",
                                        "command: python src/echo.py --data-dir . --epoch 3"]
    before, _, after = proc.stderr.partition("--force: handing `broken` to MLflow")
    assert "MLproject:21: error: No such option '--epoch'" in before, "the problems come first"
    assert "Error: No such option '--epoch'" in after, "then click's own refusal, from the run"
    assert run.data.params == {"epochs": "3"}


def test_mlflow_refusing_the_backend_is_exit_5_and_names_the_run_it_left(job):
    """MLflow records the run before it looks at the backend: it stays RUNNING, and is named."""
    config = job.root / "kube.json"
    config.write_text("{}")
    proc = job.run("-P", "data_dir=inputs", "--backend", "kubernetes", "--backend-config",
                   str(config), "--output-format", "json")
    assert proc.returncode == 5, proc.stderr
    result = json.loads(proc.stdout)
    assert result["submitted"] is False and result["error"].startswith("MLflow did not run")
    (run,) = job.runs()
    assert run.info.status == "RUNNING" and result["left_running"] == [run.info.run_id]
    assert run.info.run_id in proc.stderr
    assert job.echoed() is None


@pytest.mark.parametrize("args,message", [
    (["-P", "data_dir"], "invalid -P `data_dir`"),
    (["--backend", "yarn"], "'yarn' is not one of"),
    (["--backend-config", "missing.json"], "is not a file"),
    (["--env-manager", "pip"], "'pip' is not one of"),
])
def test_usage_errors_are_exit_2(job, args, message):
    proc = job.run(*args)
    assert proc.returncode == 2 and message in proc.stderr
    assert job.runs() == []


def test_a_backend_config_that_is_not_a_json_object_is_exit_2(job):
    config = job.root / "work" / "bad.json"
    for text in ("{not json", "[1, 2]"):
        config.write_text(text)
        proc = job.run("-P", "data_dir=inputs", "--backend-config", "bad.json")
        assert proc.returncode == 2 and "backend config `bad.json`" in proc.stderr, proc.stderr


def test_without_mlflow_installed_run_is_a_usage_error_naming_the_extra(job):
    code = ("import sys\nsys.modules['mlflow'] = None   # as if mlflow-skinny were not installed\n"
            "from dioptra_lsp.cli import main\n"
            f"main(['run', {str(FIXTURE)!r}, '-P', 'data_dir=.'])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=FIXTURE)
    assert proc.returncode == 2, proc.stderr
    assert "pip install 'dioptra-lint[run]'" in proc.stderr
