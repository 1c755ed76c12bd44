"""Train a gradient-boosted classifier on a CSV table."""

import click
import mlflow
import structlog
from dioptra import pyplugs
from dioptra.sdk.utilities.contexts import plugin_dirs
from prefect import Flow, Parameter

_PLUGINS_IMPORT_PATH: str = "dioptra_custom"

LOGGER = structlog.get_logger()


@click.command()
@click.option("--data-path", type=click.Path(exists=True, dir_okay=False), help="CSV file")
@click.option("--target-column", type=click.STRING, help="Column holding the label")
@click.option("--test-size", type=click.FloatRange(0.0, 1.0), default=0.25, help="Held-out fraction")
@click.option("--n-estimators", type=click.INT, default=200, help="Number of boosting rounds")
@click.option("--max-depth", type=click.INT, default=8, help="Depth of each tree")
@click.option("--seed", type=click.INT, default=0, help="Random seed")
def train(data_path, target_column, test_size, n_estimators, max_depth, seed):
    with mlflow.start_run():
        flow = init_flow()
        flow.run(
            parameters=dict(
                data_path=data_path,
                target_column=target_column,
                test_size=test_size,
                n_estimators=n_estimators,
                max_depth=max_depth,
                seed=seed,
            )
        )


def init_flow() -> Flow:
    with Flow("Train classifier") as flow:
        data_path, target_column, test_size, max_depth, n_estimators, seed = (
            Parameter("data_path"),
            Parameter("target_column"),
            Parameter("test_size"),
            Parameter("n_estimators"),
            Parameter("max_depth"),
            Parameter("seed"),
        )
        LOGGER.info("training", data_path=data_path, n_estimators=n_estimators)
        table = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data", "tables", "read_csv", path=data_path
        )
        train_df, test_df = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.data",
            "tables",
            "train_test_split",
            table=table,
            test_size=test_size,
        )
        model = pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.estimators",
            "boosting",
            "fit",
            table=train_df,
            target_column=target_column,
            n_estimators=n_estimators,
            max_depth=max_depth,
        )
        pyplugs.call_task(
            f"{_PLUGINS_IMPORT_PATH}.tracking",
            "mlflow",
            "log_sklearn_model",
            model=model,
            upstream_tasks=[test_df],
        )

    return flow


if __name__ == "__main__":
    with plugin_dirs():
        _ = train()
