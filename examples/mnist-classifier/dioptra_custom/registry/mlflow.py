"""Load models from MLflow runs and from the model registry."""

from __future__ import annotations

import mlflow
from dioptra import pyplugs


@pyplugs.register
def load_classifier_from_run(run_id: str, model_dir: str = "model"):
    return mlflow.keras.load_model(f"runs:/{run_id}/{model_dir}")


@pyplugs.register
def load_registered_classifier(name: str, version: str):
    return mlflow.keras.load_model(f"models:/{name}/{version}")
