"""Apply the patch learned by a gen_patch run to a folder of images."""

import click
import mlflow
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH = "dioptra_builtins"


@click.command()
@click.option("--run-id", type=click.STRING, required=True, help="The gen_patch run")
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, dir_okay=True, resolve_path=True, readable=True),
    help="Images to patch",
)
@click.option(
    "--patch-deployment-method",
    type=click.Choice(["augment", "corrupt"], case_sensitive=False),
    default="augment",
    help="Keep the clean images beside the patched ones (augment) or replace them (corrupt)",
)
@click.option("--batch-size", type=click.INT, default=32, help="Images per batch")
def deploy_patch(run_id, data_dir, patch_deployment_method, batch_size):
    with mlflow.start_run():
        flow = init_flow()
        flow.run(
            parameters=dict(
                run_id=run_id,
                data_dir=data_dir,
                patch_deployment_method=patch_deployment_method.lower(),
                batch_size=batch_size,
            )
        )


def init_flow() -> Flow:
    with Flow("Deploy patch") as flow:
        run_id, data_dir, patch_deployment_method, batch_size = (
            Parameter("run_id"),
            Parameter("data_dir"),
            Parameter("patch_deployment_method"),
            Parameter("batch_size"),
        )
        patched_dir = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.attacks",
            "patch",
            "deploy_patches",
            run_id=run_id,
            data_dir=data_dir,
            method=patch_deployment_method,
            batch_size=batch_size,
        )
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.tracking",
            "artifacts",
            "log_directory",
            directory=patched_dir,
        )

    return flow


if __name__ == "__main__":
    with plugin_dirs():
        _ = deploy_patch()
