"""Evaluate the model of a training run (moved here from src/ with the other helper scripts)."""

import click
import mlflow


@click.command()
@click.option("--run-id", type=click.STRING, required=True, help="The training run")
def evaluate(run_id):
    with mlflow.start_run():
        model = mlflow.keras.load_model(f"runs:/{run_id}/model")
        mlflow.log_param("evaluated_run", run_id)
        mlflow.log_metric("parameters", model.count_params())


if __name__ == "__main__":
    evaluate()
