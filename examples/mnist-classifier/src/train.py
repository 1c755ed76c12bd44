"""Train an MNIST classifier and, optionally, register it in the MLflow model registry."""

import os
from pathlib import Path

import click
import mlflow
import structlog
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from dioptra.sdk.utilities.logging import (
    StderrLogStream,
    StdoutLogStream,
    attach_stdout_stream_handler,
    clear_logger_handlers,
    configure_structlog,
    set_logging_level,
)
from prefect import Flow, Parameter
from prefect.utilities.logging import get_logger as get_prefect_logger

_PLUGINS_IMPORT_PATH: str = "dioptra_custom"

LOGGER = structlog.get_logger()


def _coerce_comma_separated_ints(ctx, param, value):
    return tuple(int(x.strip()) for x in value.split(","))


@click.command()
@click.option(
    "--data-dir",
    type=click.Path(
        exists=True, file_okay=False, dir_okay=True, resolve_path=True, readable=True
    ),
    help="Root directory for the MNIST training and testing folders",
)
@click.option(
    "--image-size",
    type=click.STRING,
    callback=_coerce_comma_separated_ints,
    help="Dimensions of the input images (height,width,channels)",
)
@click.option(
    "--model-architecture",
    type=click.Choice(["shallow_net", "le_net", "alex_net"], case_sensitive=False),
    default="le_net",
    help="Model architecture",
)
@click.option("--epochs", type=click.INT, default=30, help="Number of training epochs")
@click.option("--batch-size", type=click.INT, default=32, help="Images per batch")
@click.option("--learning-rate", type=click.FLOAT, default=0.001, help="Optimizer learning rate")
@click.option(
    "--validation-split",
    type=click.FloatRange(0.0, 1.0),
    default=0.2,
    help="Fraction of the training images held out for validation",
)
@click.option(
    "--register-model-name",
    type=click.STRING,
    default="",
    help="Register the trained model under this name (empty: do not register)",
)
@click.option("--seed", type=click.INT, default=-1, help="Random seed (-1: draw one)")
def train(
    data_dir,
    image_size,
    model_architecture,
    epochs,
    batch_size,
    learning_rate,
    validation_split,
    register_model_name,
    seed,
):
    LOGGER.info("training", model_architecture=model_architecture, epochs=epochs)
    mlflow.autolog()

    with mlflow.start_run() as active_run:
        flow = init_train_flow()
        state = flow.run(
            parameters=dict(
                active_run=active_run,
                training_dir=Path(data_dir) / "training",
                testing_dir=Path(data_dir) / "testing",
                image_size=image_size,
                model_architecture=model_architecture,
                epochs=epochs,
                batch_size=batch_size,
                learning_rate=learning_rate,
                validation_split=validation_split,
                register_model_name=register_model_name,
                seed=seed,
            )
        )

    return state


def init_train_flow() -> Flow:
    with Flow("Train Model") as flow:
        (
            active_run,
            training_dir,
            testing_dir,
            image_size,
            model_architecture,
            epochs,
            batch_size,
            learning_rate,
            validation_split,
            register_model_name,
            seed,
        ) = (
            Parameter("active_run"),
            Parameter("training_dir"),
            Parameter("testing_dir"),
            Parameter("image_size"),
            Parameter("model_architecture"),
            Parameter("epochs"),
            Parameter("batch_size"),
            Parameter("learning_rate"),
            Parameter("validation_split"),
            Parameter("register_model_name"),
            Parameter("seed"),
        )
        seed, rng = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.random", "rng", "init_rng", seed=seed
        )
        dataset_seed = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.random", "sample", "draw_random_integer", rng=rng
        )
        training_ds, validation_ds = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data",
            "tensorflow",
            "create_training_datasets",
            data_dir=training_dir,
            image_size=image_size,
            seed=dataset_seed,
            validation_split=validation_split,
            batch_size=batch_size,
        )
        testing_ds = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data",
            "tensorflow",
            "create_image_dataset",
            data_dir=testing_dir,
            image_size=image_size,
            seed=dataset_seed,
            batch_size=batch_size,
        )
        classifier = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators",
            "keras_classifiers",
            "init_classifier",
            model_architecture=model_architecture,
            input_shape=image_size,
            optimizer=dict(name="Adam", learning_rate=learning_rate),
        )
        history = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators",
            "keras_classifiers",
            "fit",
            estimator=classifier,
            x=training_ds,
            validation_data=validation_ds,
            fit_kwargs=dict(nb_epochs=epochs, verbose=2),
        )
        metrics = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators",
            "keras_classifiers",
            "evaluate",
            estimator=classifier,
            x=testing_ds,
            upstream_tasks=[history],
        )
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.tracking",
            "mlflow",
            "log_metrics",
            metrics=metrics,
        )
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.tracking",
            "mlflow",
            "register_model",
            active_run=active_run,
            model_name=register_model_name,
            upstream_tasks=[history, metrics],
        )

    return flow


if __name__ == "__main__":
    log_level: str = os.getenv("DIOPTRA_JOB_LOG_LEVEL", default="INFO")
    as_json: bool = True if os.getenv("DIOPTRA_JOB_LOG_AS_JSON") else False

    clear_logger_handlers(get_prefect_logger())
    attach_stdout_stream_handler(as_json)
    set_logging_level(log_level)
    configure_structlog()

    with plugin_dirs(), StdoutLogStream(as_json), StderrLogStream(as_json):
        _ = train()
