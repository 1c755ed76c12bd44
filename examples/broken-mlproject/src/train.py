"""Train a ResNet on CIFAR-10."""

import click
import mlflow
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH: str = "dioptra_custom"


@click.command()
@click.option("--data-dir", type=click.Path(file_okay=False, dir_okay=True), help="CIFAR-10 folder")
@click.option("--batch-size", type=click.INT, default=64, help="Images per batch")
@click.option("--epochs", type=click.INT, default=20, help="Training epochs")
@click.option("--learning-rate", type=click.FLOAT, default=0.01, help="SGD learning rate")
@click.option("--seed", type=click.INT, default=-1, help="Random seed")
@click.option(
    "--optimizer",
    type=click.Choice(["sgd", "adam"]),
    default="sgd",
    help="Optimizer used for training",
)
def train(data_dir, batch_size, epochs, learning_rate, seed, optimizer):
    with mlflow.start_run():
        flow = init_flow()
        flow.run(
            parameters=dict(
                data_dir=data_dir,
                batch_size=batch_size,
                epochs=epochs,
                learning_rate=learning_rate,
                seed=seed,
                optimizer=optimizer,
            )
        )


def init_flow() -> Flow:
    with Flow("Train ResNet") as flow:
        data_dir, batch_size, epochs, learning_rate, seed, optimizer = (
            Parameter("data_dir"),
            Parameter("batch_size"),
            Parameter("epochs"),
            Parameter("learning_rate"),
            Parameter("seed"),
            Parameter("optimizer"),
        )
        training_ds = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data",
            "cifar",
            "load_training_images",
            data_dir=data_dir,
            batch_size=batch_size,
            seed=seed,
        )
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators",
            "resnet",
            "fit_resnet",
            dataset=training_ds,
            epochs=epochs,
            optimizer=dict(name=optimizer, learning_rate=learning_rate),
        )

    return flow


if __name__ == "__main__":
    with plugin_dirs():
        _ = train()
