"""Write a short report of a training run."""

import click
import mlflow


@click.command()
@click.option("--run-id", type=click.STRING, required=True, help="The training run")
def report(run_id):
    run = mlflow.get_run(run_id)
    lines = [f"{key}: {value}" for key, value in sorted(run.data.metrics.items())]
    with mlflow.start_run():
        mlflow.log_text("\n".join(lines, "report.txt")
        mlflow.log_param("reported_run", run_id)


if __name__ == "__main__":
    report()
