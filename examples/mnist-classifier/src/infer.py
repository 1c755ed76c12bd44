"""Evaluate the model logged by a training run on the MNIST testing images."""

import os
from pathlib import Path

import click
import mlflow
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH: str = "dioptra_custom"


def _coerce_comma_separated_ints(ctx, param, value):
    return tuple(int(x.strip()) for x in value.split(","))


@click.command()
@click.option("--run-id", type=click.STRING, required=True, help="MLflow run that logged the model")
@click.option(
    "--testing-dir",
    type=click.Path(exists=True, file_okay=False, dir_okay=True, resolve_path=True, readable=True),
    help="Root directory of the MNIST images (its testing/ folder is used)",
)
@click.option(
    "--image-size",
    type=click.STRING,
    callback=_coerce_comma_separated_ints,
    help="Dimensions of the input images (height,width,channels)",
)
@click.option("--batch-size", type=click.INT, default=32, help="Images per batch")
@click.option("--seed", type=click.INT, default=-1, help="Random seed (-1: draw one)")
def infer(run_id, testing_dir, image_size, batch_size, seed):
    with mlflow.start_run():
        flow = init_infer_flow()
        flow.run(
            parameters=dict(
                run_id=run_id,
                testing_dir=Path(testing_dir) / "testing",
                image_size=image_size,
                batch_size=batch_size,
                seed=seed,
            )
        )


def init_infer_flow() -> Flow:
    with Flow("Infer") as flow:
        run_id, testing_dir, image_size, batch_size, seed = (
            Parameter("run_id"),
            Parameter("testing_dir"),
            Parameter("image_size"),
            Parameter("batch_size"),
            Parameter("seed"),
        )
        seed, rng = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.random", "rng", "init_rng", seed=seed
        )
        testing_ds = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data",
            "tensorflow",
            "create_image_dataset",
            data_dir=testing_dir,
            image_size=image_size,
            seed=seed,
            batch_size=batch_size,
        )
        classifier = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.registry",
            "mlflow",
            "load_classifier_from_run",
            run_id=run_id,
        )
        metrics = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators",
            "keras_classifiers",
            "evaluate",
            estimator=classifier,
            x=testing_ds,
        )
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.tracking", "mlflow", "log_metrics", metrics=metrics
        )

    return flow


if __name__ == "__main__":
    with plugin_dirs():
        _ = infer()
