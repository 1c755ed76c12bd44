"""Models logged by runs and the MLflow model registry."""

import mlflow
from dioptra import pyplugs


@pyplugs.register
def load_model_from_run(run_id: str, model_dir: str = "model"):
    return mlflow.keras.load_model(f"runs:/{run_id}/{model_dir}")


@pyplugs.register
def register_model(active_run, model_name: str, model_dir: str = "model"):
    return mlflow.register_model(f"runs:/{active_run.info.run_id}/{model_dir}", model_name)
