"""Transfer-learn an ImageNet classifier and register it."""

import click
import mlflow
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH: str = "dioptra_custom"


@click.command()
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, dir_okay=True, resolve_path=True, readable=True),
    help="ImageNet folder with train/ and val/",
)
@click.option(
    "--model-architecture",
    type=click.Choice(["resnet50", "vgg16", "mobilenet_v2"]),
    default="resnet50",
    help="Pretrained base network",
)
@click.option("--model-name", type=click.STRING, help="Name to register the model under")
@click.option(
    "--optimizer",
    type=click.Choice(["Adam", "SGD", "RMSprop"]),
    default="Adam",
    help="Keras optimizer",
)
@click.option("--epochs", type=click.INT, default=10, help="Training epochs")
@click.option("--batch-size", type=click.INT, default=64, help="Images per batch")
@click.option("--freeze-base", type=click.BOOL, default=True, help="Train the new head only")
def train(data_dir, model_architecture, model_name, optimizer, epochs, batch_size, freeze_base):
    with mlflow.start_run() as active_run:
        flow = init_flow()
        flow.run(
            parameters=dict(
                active_run=active_run,
                data_dir=data_dir,
                model_architecture=model_architecture,
                model_name=model_name,
                optimizer=optimizer,
                epochs=epochs,
                batch_size=batch_size,
                freeze_base=freeze_base,
            )
        )


def init_flow() -> Flow:
    with Flow("Transfer learning") as flow:
        (
            active_run,
            data_dir,
            model_architecture,
            model_name,
            optimizer,
            epochs,
            batch_size,
            freeze_base,
        ) = (
            Parameter("active_run"),
            Parameter("data_dir"),
            Parameter("model_architecture"),
            Parameter("model_name"),
            Parameter("optimizer"),
            Parameter("epochs"),
            Parameter("batch_size"),
            Parameter("freeze_base"),
        )
        training_ds = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data",
            "imagenet",
            "load_images",
            data_dir=data_dir,
            subset="train",
            batch_size=batch_size,
        )
        model = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators",
            "transfer",
            "init_transfer_model",
            model_architecture=model_architecture,
            freeze_base=freeze_base,
            optimizer=optimizer,
        )
        fitted = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators",
            "transfer",
            "fit",
            model=model,
            dataset=training_ds,
            epochs=epochs,
        )
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.registry",
            "models",
            "register_model",
            active_run=active_run,
            model_name=model_name,
            upstream_tasks=[fitted],
        )

    return flow


if __name__ == "__main__":
    with plugin_dirs():
        _ = train()
