"""Adversarial training: fit on clean images mixed with PGD examples."""

from pathlib import Path

import click
import mlflow
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from prefect import Flow, Parameter, task

_PLUGINS_IMPORT_PATH: str = "dioptra_custom"
_BUILTINS_IMPORT_PATH: str = "dioptra_builtins"


def _coerce_comma_separated_ints(ctx, param, value):
    return tuple(int(x.strip()) for x in value.split(","))


@task
def summarize(history):
    return {name: values[-1] for name, values in history.history.items()}


@click.command()
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, dir_okay=True, resolve_path=True, readable=True),
    help="Root of the MNIST training and testing folders",
)
@click.option(
    "--image-size",
    type=click.STRING,
    callback=_coerce_comma_separated_ints,
    help="Dimensions of the input images (height,width,channels)",
)
@click.option("--eps", type=click.FLOAT, default=0.1, help="PGD perturbation size")
@click.option("--epochs", type=click.INT, default=5, help="Training epochs")
@click.option("--batch-size", type=click.INT, default=64, help="Images per batch")
def adv_train(data_dir, image_size, eps, epochs, batch_size):
    with mlflow.start_run():
        flow = init_flow()
        flow.run(
            parameters=dict(
                training_dir=Path(data_dir) / "training",
                image_size=image_size,
                eps=eps,
                epochs=epochs,
                batch_size=batch_size,
            )
        )


def init_flow() -> Flow:
    with Flow("Adversarial training") as flow:
        training_dir, image_size, eps, epochs, batch_size = (
            Parameter("training_dir"),
            Parameter("image_size"),
            Parameter("eps"),
            Parameter("epochs"),
            Parameter("batch_size"),
        )
        training_ds = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data",
            "images",
            "load_dataset",
            data_dir=training_dir,
            image_size=image_size,
            batch_size=batch_size,
        )
        training_ds, validation_ds = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data",
            "images",
            "split_dataset",
            dataset=training_ds,
        )
        model = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators",
            "keras",
            "init_model",
            input_shape=image_size,
        )
        mixed_ds = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.attacks",
            "pgd",
            "mix_adversarial_examples",
            model=model,
            dataset=training_ds,
            eps=eps,
        )
        history = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators",
            "keras",
            "fit",
            model=model,
            x=mixed_ds,
            nb_epochs=epochs,
        )
        metrics = summarize(history)
        pyplugs.call_task(
            f"{_BUILTINS_IMPORT_PATH}.tracking",
            "mlflow",
            "log_metrics",
            metrics=metrics,
        )
        pyplugs.call_task(
            f"{_BUILTINS_IMPORT_PATH}.tracking",
            "mlflow",
            "log_tensorflow_keras_estimator",
            estimator=model,
            model_dir="model",
            upstream_tasks=[history],
        )

    return flow


if __name__ == "__main__":
    with plugin_dirs():
        _ = adv_train()
