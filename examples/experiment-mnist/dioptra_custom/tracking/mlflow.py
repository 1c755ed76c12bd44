import mlflow
from dioptra import pyplugs


@pyplugs.register
def log_metrics(metrics, prefix=""):
    mlflow.log_metrics({f"{prefix}{name}": value for name, value in metrics.items()})
