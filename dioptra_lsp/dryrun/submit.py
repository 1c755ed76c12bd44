"""``dioptra-lint run``: the dry-run decides, MLflow's own project runner runs.

The job is dry-run first with MLflow's path semantics (a relative ``path`` value resolves
against the current folder, since MLflow is the one that will resolve it).  Only a
``would-start`` verdict is handed on, to ``mlflow.projects.run`` (mlflow-skinny, the ``run``
extra), with the same entry point and ``-P`` values; ``force`` hands on any verdict.  MLflow is
imported here, inside :func:`hand_to_mlflow`: a refused job never loads it.

Facts learned from MLflow 2.11-3.18 (``mlflow/projects/__init__.py``, ``backend/local.py``,
``utils.py``) and by running it:
- ``run(..., synchronous=True)`` waits for the job, marks the run FINISHED or FAILED, and
  raises ``ExecutionException("Run (ID '...') failed")`` when the command exits non-zero;
- the local backend logs ``=== Running command '%s' in run with ID '%s' ===`` on
  ``mlflow.projects.backend.local`` with the command and run id as the record's arguments, then
  runs the command with ``bash -c`` in the project folder, its output on this process's stdout
  and stderr (the environment manager's activation comes first, joined by `` && ``);
- the run is created (and the parameters logged, ``path`` values as given, each value
  ``shlex.quote``-d) before the command is built and the environment made: a ``path`` MLflow
  then cannot find, a backend package or an environment manager that is missing raises and
  leaves that run RUNNING, and nothing names it.  Such runs are looked up afterwards and named
  (never changed: another client may have started a run of the same entry point meanwhile).
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any, Mapping

from ..model.record import record

if TYPE_CHECKING:
    from .report import DryRunReport

#: Exit status of ``dioptra-lint run`` (the README's table).  1 and 3 are the dry-run's own.
EXIT_FINISHED = 0            # the MLflow run finished
EXIT_REFUSED_WOULD_FAIL = 1  # not submitted: the dry-run says the job would fail
EXIT_USAGE = 2               # bad options, a missing folder or config, MLflow not installed
EXIT_REFUSED_NOT_CHECKED = 3  # not submitted: part of the job could not be checked
EXIT_RUN_FAILED = 4          # submitted, and the run failed (its command exited non-zero)
EXIT_MLFLOW_REFUSED = 5      # MLflow raised before the job ran (backend, tracking store...)
EXIT_INTERRUPTED = 130       # Ctrl-C: MLflow cancels the run and marks it FAILED

_REFUSALS = {"would-fail": EXIT_REFUSED_WOULD_FAIL, "not-checked": EXIT_REFUSED_NOT_CHECKED}
_RUN_FAILED = re.compile(r"Run \(ID '([^']+)'\) failed")


class MLflowMissing(RuntimeError):
    """``mlflow.projects`` cannot be imported: a usage error (install the ``run`` extra)."""


@record(slots=False)
class RunOutcome:
    """What became of a job: refused, or handed to MLflow and how that ended."""

    report: DryRunReport
    submitted: bool
    forced: bool
    exit_code: int
    run_id: str | None = None
    status: str | None = None          # the run's status in the tracking store (FINISHED...)
    command: str | None = None         # the command MLflow ran, as its local backend logged it
    logged_parameters: dict | None = None   # the parameters as MLflow logged them
    error: str | None = None           # MLflow's message when it refused or the run failed
    left_running: tuple[str, ...] = ()  # runs MLflow recorded, then raised and left RUNNING

    @property
    def command_matches(self) -> bool | None:
        """Whether MLflow ran the dry-run's command (after an environment's activation);
        None when MLflow did not say what it ran."""
        if self.command is None or self.report.command is None:
            return None
        ran, checked = self.command, self.report.command
        return ran == checked or ran.endswith((" " + checked, " && " + checked))

    def to_json(self) -> dict[str, Any]:
        return {"submitted": self.submitted, "forced": self.forced,
                "verdict": self.report.verdict, "exit_code": self.exit_code,
                "run_id": self.run_id, "status": self.status, "command": self.command,
                "command_matches_dry_run": self.command_matches,
                "logged_parameters": self.logged_parameters, "error": self.error,
                "left_running": list(self.left_running), "dry_run": self.report.to_json()}


def refusal(report: DryRunReport) -> int | None:
    """The exit status that refuses this job, or None when it would start."""
    return _REFUSALS.get(report.verdict)


def refusal_reason(report: DryRunReport) -> str:
    """Why the job is not handed on, naming the first error or every part not checked."""
    if report.verdict == "would-fail":
        first = next(p for p in report.problems if p.is_error)
        return f"the dry run says the job would fail: {first.message}"
    parts = "; ".join(f"{p.part} ({p.message})" for p in report.unchecked)
    return f"the dry run could not check every part of the job: {parts}"


def hand_to_mlflow(report: DryRunReport, params: Mapping[str, str], *, forced: bool = False,
                   backend: str = "local", backend_config: dict | None = None,
                   env_manager: str | None = None, experiment_name: str | None = None
                   ) -> RunOutcome:
    """Run ``report``'s entry point with MLflow's project runner and wait for it.

    ``params`` are the ``-P`` values the dry-run was given.  Raises :class:`MLflowMissing`
    when MLflow cannot be imported; every failure of MLflow's is in the outcome.
    """
    try:
        import mlflow.projects
        from mlflow.exceptions import MlflowException
    except ImportError as err:
        raise MLflowMissing(f"`dioptra-lint run` hands jobs to MLflow, which cannot be imported "
                            f"({err}); install it with: pip install 'dioptra-lint[run]'") from None
    seen = _CommandRecorder()
    logger = logging.getLogger("mlflow.projects.backend.local")
    logger.addHandler(seen)
    outcome = {"submitted": True, "forced": forced}
    started_ms = int(time.time() * 1000)
    try:
        submitted = mlflow.projects.run(
            str(report.project_dir), entry_point=report.entry_point, parameters=dict(params),
            experiment_name=experiment_name, backend=backend, backend_config=backend_config,
            env_manager=env_manager, synchronous=True)
        outcome.update(exit_code=EXIT_FINISHED, run_id=submitted.run_id,
                       status=_status_of(submitted))
    except KeyboardInterrupt:
        # MLflow cancels the job and marks the run FAILED, unless the interrupt reached it
        # while it was doing just that (the job, in the same process group, may exit first):
        # then the run is finished here as MLflow meant to.
        outcome.update(exit_code=EXIT_INTERRUPTED, run_id=seen.run_id,
                       error="interrupted: the job was cancelled")
        if seen.run_id is not None:
            _terminate_if_running(seen.run_id, "FAILED")
    except Exception as err:   # noqa: BLE001 - whatever MLflow raises is its answer, not a crash
        failed = _RUN_FAILED.search(str(err)) if isinstance(err, MlflowException) else None
        if failed is not None:
            outcome.update(exit_code=EXIT_RUN_FAILED, run_id=failed.group(1), error=str(err))
        else:
            message = str(err) if isinstance(err, MlflowException) else \
                f"{type(err).__name__}: {err}"
            left = [] if seen.run_id else _left_running(started_ms, report.entry_point)
            if left:
                message += (f" (MLflow had already recorded the run, which it leaves RUNNING: "
                            f"{', '.join(left)})")
            outcome.update(exit_code=EXIT_MLFLOW_REFUSED, run_id=seen.run_id,
                           submitted=seen.run_id is not None, left_running=tuple(left),
                           error=f"MLflow did not run the job: {message}")
    finally:
        logger.removeHandler(seen)
    run_id = outcome.get("run_id")
    if run_id is not None:
        status, logged = _tracked(run_id)
        outcome["status"] = status or outcome.get("status")
        outcome["logged_parameters"] = logged
    return RunOutcome(report, command=seen.command, **outcome)


class _CommandRecorder(logging.Handler):
    """Keeps the command and run id of the local backend's "Running command" record."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.command: str | None = None
        self.run_id: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if (isinstance(args, tuple) and len(args) == 2 and "Running command" in str(record.msg)
                and all(isinstance(a, str) for a in args)):
            self.command, self.run_id = args


def _status_of(submitted) -> str | None:
    try:
        return submitted.get_status()
    except Exception:   # noqa: BLE001 - a status we cannot read is reported as unknown
        return None


def _tracked(run_id: str) -> tuple[str | None, dict | None]:
    """The run's status and logged parameters as the tracking store has them (None, None when
    the store cannot be read: the run id is still printed)."""
    try:
        from mlflow.tracking import MlflowClient

        run = MlflowClient().get_run(run_id)
        return run.info.status, dict(run.data.params)
    except Exception:   # noqa: BLE001
        return None, None


def _terminate_if_running(run_id: str, status: str) -> None:
    try:
        from mlflow.entities import RunStatus
        from mlflow.tracking import MlflowClient

        client = MlflowClient()
        if not RunStatus.is_terminated(client.get_run(run_id).info.status):
            client.set_terminated(run_id, status)
    except Exception:   # noqa: BLE001 - the status then read back says what it is
        pass


def _left_running(started_ms: int, entry_point: str) -> list[str]:
    """Runs of ``entry_point`` that MLflow's project runner recorded since ``started_ms`` and
    that are still RUNNING: what MLflow leaves when it raises after creating its run."""
    try:
        from mlflow.tracking import MlflowClient
        from mlflow.utils.mlflow_tags import MLFLOW_PROJECT_ENTRY_POINT, MLFLOW_SOURCE_TYPE

        client = MlflowClient()
        ids = [e.experiment_id for e in client.search_experiments()]
        runs = client.search_runs(ids, filter_string=f"attributes.start_time >= {started_ms}")
    except Exception:   # noqa: BLE001 - a store we cannot search: nothing to name
        return []
    return [run.info.run_id for run in runs
            if run.info.status == "RUNNING"
            and run.data.tags.get(MLFLOW_PROJECT_ENTRY_POINT) == entry_point
            and run.data.tags.get(MLFLOW_SOURCE_TYPE) == "PROJECT"]
