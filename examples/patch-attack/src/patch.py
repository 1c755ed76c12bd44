"""Learn an adversarial patch against a registered classifier."""

import click
import mlflow
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH = "dioptra_builtins"


def _coerce_int_to_bool(ctx, param, value):
    return bool(int(value))


@click.command()
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, dir_okay=True, resolve_path=True, readable=True),
    help="Images the patch is trained on",
)
@click.option("--model-name", type=click.STRING, help="Name of the registered model")
@click.option("--model-version", type=click.STRING, help="Version of the registered model")
@click.option("--patch-target", type=click.INT, default="5", help="Class the patch pushes towards")
@click.option("--rotation-max", type=click.FLOAT, default=22.5, help="Largest rotation in degrees")
@click.option("--max-iter", type=click.INT, default=500, help="Optimisation steps")
@click.option(
    "--use-gpu",
    type=click.Choice(["0", "1"]),
    default="0",
    callback=_coerce_int_to_bool,
    help="1 to run the attack on a GPU",
)
def gen_patch(
    data_dir,
    model_name,
    model_version,
    patch_target,
    rotation_max,
    max_iter,
    use_gpu,
    patch_shape=(28, 28, 1),
):
    with mlflow.start_run():
        flow = init_flow()
        flow.run(
            parameters=dict(
                data_dir=data_dir,
                model_name=model_name,
                model_version=model_version,
                patch_target=patch_target,
                rotation_max=rotation_max,
                max_iter=max_iter,
                use_gpu=use_gpu,
            )
        )


def init_flow() -> Flow:
    with Flow("Adversarial patch") as flow:
        data_dir = Parameter("data_dir")
        model_name = Parameter("model_name")
        model_version = Parameter("model_version")
        patch_target, rotation_max, max_iter = (
            Parameter("patch_target"),
            Parameter("rotation_max"),
            Parameter("max_iter"),
        )
        use_gpu = Parameter("use_gpu")
        patch_shape = Parameter("patch_shape", default=(28, 28, 1))
        classifier = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.registry",
            "art",
            "load_wrapped_tensorflow_keras_classifier",
            model_name,
            model_version,
        )
        patch, patch_mask = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.attacks",
            "patch",
            "create_adversarial_patches",
            data_dir=data_dir,
            keras_classifier=classifier,
            patch_target=patch_target,
            patch_shape=patch_shape,
            attack_kwargs=dict(rotation_max=rotation_max, max_iter=max_iter),
            use_gpu=use_gpu,
        )
        # No function name: the first plugin registered in the module (log_patches) runs.
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.tracking",
            "artifacts",
            patch=patch,
            patch_mask=patch_mask,
            upstream_tasks=[classifier],
        )

    return flow


if __name__ == "__main__":
    with plugin_dirs():
        _ = gen_patch()
