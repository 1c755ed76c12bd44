"""Feature squeezing (Xu et al.): reduce the colour bit depth of images, then re-evaluate."""

from pathlib import Path

import click
import mlflow
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH: str = "dioptra_custom"
_DEFENSES = _PLUGINS_IMPORT_PATH + ".defenses"


def _parse_bool(ctx, param, value):
    return str(value).strip().lower() in ("1", "true", "yes")


@click.command()
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, dir_okay=True, resolve_path=True, readable=True),
    help="Root of the MNIST folders",
)
@click.option("--bit-depth", type=click.IntRange(1, 8), default=8, help="Bits kept per channel")
@click.option("--model", type=click.STRING, help="Registered model as name/version")
@click.option("--shuffle", type=click.STRING, default="false", callback=_parse_bool,
              help="Shuffle the images (true/false)")
def squeeze(data_dir, bit_depth, model, shuffle):
    name, version = model.split("/")
    with mlflow.start_run():
        flow = init_flow()
        flow.run(
            parameters=dict(
                data_dir=data_dir,
                bit_depth=bit_depth,
                model_name=name,
                model_version=version,
                shuffle=shuffle,
                subsets=["training", "testing"],
            )
        )


def init_flow() -> Flow:
    with Flow("Feature squeezing") as flow:
        data_dir, bit_depth, model_name, model_version, shuffle, subsets = (
            Parameter("data_dir"),
            Parameter("bit_depth"),
            Parameter("model_name"),
            Parameter("model_version"),
            Parameter("shuffle"),
            Parameter("subsets"),
        )
        squeezed_dirs = pyplugs.call_task(
            _DEFENSES,
            "squeeze",
            "squeeze_folder",
            data_dir=data_dir,
            subset=subsets,
            bit_depth=bit_depth,
            output_dir=str(Path("squeezed")),
            mapped=True,
            task_args=dict(name="squeeze one subset"),
        )
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data",
            "loaders",
            "evaluate_folders",
            folders=squeezed_dirs,
            model_uri=f"models:/{model_name}/{model_version}",
            shuffle=shuffle,
        )

    return flow


if __name__ == "__main__":
    with plugin_dirs():
        _ = squeeze()
