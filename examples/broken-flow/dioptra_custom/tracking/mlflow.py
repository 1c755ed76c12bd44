"""scikit-learn models in MLflow runs."""

import mlflow
from dioptra import pyplugs


@pyplugs.register
def log_sklearn_model(model, artifact_path: str = "model"):
    mlflow.sklearn.log_model(model, artifact_path)


@pyplugs.register
def load_sklearn_model(run_id: str, artifact_path: str = "model"):
    return mlflow.sklearn.load_model(f"runs:/{run_id}/{artifact_path}")
