"""Score new rows with the model of a training run."""

import click
import mlflow
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH: str = "dioptra_custom"


@click.command()
@click.option("--run-id", type=click.STRING, required=True, help="The training run")
@click.option("--data-path", type=click.Path(exists=True, dir_okay=False), help="CSV file")
@click.option("--threshold", type=click.FLOAT, default=0.5, help="Decision threshold")
def predict(run_id, data_path, threshold, output_name):
    with mlflow.start_run():
        flow = init_flow()
        flow.run(
            parameters=dict(
                run_id=run_id,
                data_path=data_path,
                output_name=output_name,
            )
        )


def init_flow() -> Flow:
    with Flow("Predict") as flow:
        run_id = Parameter("run_id")
        data_path = Parameter("data_path")
        threshold = Parameter("threshold")
        run_id = Parameter("run_id")
        table = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data", "tables", "read_csv", path=data_path
        )
        model = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.tracking", "mlflow", "load_sklearn_model", run_id=run_id
        )
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators",
            "boosting",
            "predict",
            model=model,
            table=table,
            threshold=threshold,
        )

    return flow


if __name__ == "__main__":
    with plugin_dirs():
        _ = predict()
