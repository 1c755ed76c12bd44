"""Generate adversarial MNIST images with the fast gradient method against a registered model."""

from pathlib import Path

import click
import mlflow
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH: str = "dioptra_custom"
_NORMS = {"inf": float("inf"), "1": 1.0, "2": 2.0}


def _coerce_comma_separated_ints(ctx, param, value):
    return tuple(int(x.strip()) for x in value.split(","))


def _map_norm(ctx, param, value):
    return _NORMS[value]


@click.command()
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, dir_okay=True, resolve_path=True, readable=True),
    help="Root directory of the MNIST images",
)
@click.option(
    "--image-size",
    type=click.STRING,
    callback=_coerce_comma_separated_ints,
    help="Dimensions of the input images (height,width,channels)",
)
@click.option("--model", type=click.STRING, help="Registered model as name/version")
@click.option("--eps", type=click.FLOAT, default=0.3, help="Size of the perturbation")
@click.option(
    "--norm",
    type=click.Choice(["inf", "1", "2"]),
    default="inf",
    callback=_map_norm,
    help="Norm the perturbation is measured in",
)
@click.option("--batch-size", type=click.INT, default=32, help="Images per batch")
@click.option("--seed", type=click.INT, default=-1, help="Random seed (-1: draw one)")
def fgm(data_dir, image_size, model, eps, norm, batch_size, seed):
    model_name, model_version = model.split("/")
    with mlflow.start_run():
        flow = init_fgm_flow()
        flow.run(
            parameters=dict(
                testing_dir=Path(data_dir) / "testing",
                image_size=image_size,
                model_name=model_name,
                model_version=model_version,
                eps=eps,
                norm=norm,
                batch_size=batch_size,
                seed=seed,
                adv_data_dir="adv_testing",
            )
        )


def init_fgm_flow() -> Flow:
    with Flow("Fast Gradient Method") as flow:
        (
            testing_dir,
            image_size,
            model_name,
            model_version,
            eps,
            norm,
            batch_size,
            seed,
            adv_data_dir,
        ) = (
            Parameter("testing_dir"),
            Parameter("image_size"),
            Parameter("model_name"),
            Parameter("model_version"),
            Parameter("eps"),
            Parameter("norm"),
            Parameter("batch_size"),
            Parameter("seed"),
            Parameter("adv_data_dir"),
        )
        seed, rng = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.random", "rng", "init_rng", seed=seed
        )
        classifier = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.registry",
            "mlflow",
            "load_registered_classifier",
            name=model_name,
            version=model_version,
        )
        adv_ds = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.attacks",
            "fgm",
            "create_adversarial_fgm_dataset",
            data_dir=testing_dir,
            adv_data_dir=adv_data_dir,
            classifier=classifier,
            image_size=image_size,
            eps=eps,
            norm=norm,
            batch_size=batch_size,
            seed=seed,
            upstream_tasks=[rng],
        )
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.tracking",
            "mlflow",
            "log_directory_as_artifact",
            directory=adv_ds,
        )

    return flow


if __name__ == "__main__":
    with plugin_dirs():
        _ = fgm()
