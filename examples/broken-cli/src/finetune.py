"""Fine-tune the model of a training run on new images."""

import click
import mlflow
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH: str = "dioptra_custom"


@click.command()
@click.option("--run-id", type=click.STRING, required=True, help="The training run to start from")
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, dir_okay=True, resolve_path=True, readable=True),
    help="ImageNet folder with train/ and val/",
)
@click.option("--learning-rate", type=click.FLOAT, default=0.0001, help="Fine-tuning learning rate")
@click.option("--epochs", type=click.INT, default=3, help="Fine-tuning epochs")
def finetune(run_id, data_dir, learning_rate, epochs):
    with mlflow.start_run():
        flow = init_flow()
        flow.run(
            parameters=dict(
                run_id=run_id, data_dir=data_dir, learning_rate=learning_rate, epochs=epochs
            )
        )


def init_flow() -> Flow:
    with Flow("Fine-tune") as flow:
        run_id, data_dir, learning_rate, epochs = (
            Parameter("run_id"),
            Parameter("data_dir"),
            Parameter("learning_rate"),
            Parameter("epochs"),
        )
        model = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.registry", "models", "load_model_from_run", run_id=run_id
        )
        training_ds = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data",
            "imagenet",
            "load_images",
            data_dir=data_dir,
            subset="train",
        )
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators",
            "transfer",
            "fit",
            model=model,
            dataset=training_ds,
            epochs=epochs,
            learning_rate=learning_rate,
        )

    return flow

