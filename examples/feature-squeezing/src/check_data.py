"""Fail early when the data folder does not look like MNIST."""

from pathlib import Path

import click


@click.command()
@click.argument("data_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--min-images", type=click.INT, default=100, help="Fewest images per subset")
@click.option("--verbose/--quiet", default=False, help="Print a count per subset")
def check_data(data_dir, min_images, verbose):
    for subset in ("training", "testing"):
        count = sum(1 for _ in (Path(data_dir) / subset).rglob("*.png"))
        if verbose:
            click.echo(f"{subset}: {count} images")
        if count < min_images:
            raise click.ClickException(f"{subset} has {count} images, fewer than {min_images}")


if __name__ == "__main__":
    check_data()
