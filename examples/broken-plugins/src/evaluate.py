"""Accuracy of the model of an adversarial-training run on clean and FGM images."""

import os
from pathlib import Path

import click
import mlflow
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH: str = os.getenv("DIOPTRA_CUSTOM_PLUGINS", "dioptra_custom")


def _coerce_comma_separated_ints(ctx, param, value):
    return tuple(int(x.strip()) for x in value.split(","))


@click.command()
@click.option("--run-id", type=click.STRING, required=True, help="The adversarial-training run")
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
def evaluate(run_id, data_dir, image_size):
    with mlflow.start_run():
        flow = init_flow()
        flow.run(
            parameters=dict(
                run_id=run_id, testing_dir=Path(data_dir) / "testing", image_size=image_size
            )
        )


def init_flow() -> Flow:
    with Flow("Evaluate") as flow:
        run_id, testing_dir, image_size = (
            Parameter("run_id"),
            Parameter("testing_dir"),
            Parameter("image_size"),
        )
        testing_ds = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data",
            "images",
            "load_dataset",
            data_dir=testing_dir,
            image_size=image_size,
        )
        model = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators", "keras", "load_model", run_id=run_id
        )
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.attacks",
            "fgm",
            "evaluate_under_fgm",
            model=model,
            dataset=testing_ds,
        )

    return flow


if __name__ == "__main__":
    with plugin_dirs():
        _ = evaluate()
