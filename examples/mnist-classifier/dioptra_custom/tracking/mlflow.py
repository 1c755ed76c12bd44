"""Record results in the active MLflow run."""

from __future__ import annotations

from pathlib import Path

import mlflow
from dioptra import pyplugs


@pyplugs.register
def log_metrics(metrics: dict) -> None:
    mlflow.log_metrics(metrics)


@pyplugs.register
def log_directory_as_artifact(directory: Path) -> None:
    mlflow.log_artifacts(str(directory), artifact_path=Path(directory).name)


@pyplugs.register
def register_model(active_run, model_name: str, model_dir: str = "model"):
    """Register the model logged by ``active_run``; an empty name registers nothing."""
    if not model_name.strip():
        return None
    return mlflow.register_model(f"runs:/{active_run.info.run_id}/{model_dir}", model_name)
