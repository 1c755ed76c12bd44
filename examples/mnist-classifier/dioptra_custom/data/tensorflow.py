"""Image datasets read from a folder with one subfolder per class."""

from __future__ import annotations

from pathlib import Path

from dioptra import pyplugs


def _dataset(data_dir, image_size, seed, batch_size, subset=None, validation_split=None):
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    generator = ImageDataGenerator(rescale=1.0 / 255, validation_split=validation_split)
    return generator.flow_from_directory(
        directory=str(data_dir),
        target_size=image_size[:2],
        color_mode="grayscale" if image_size[2] == 1 else "rgb",
        class_mode="categorical",
        batch_size=batch_size,
        seed=seed,
        subset=subset,
    )


@pyplugs.register
def create_image_dataset(data_dir: Path, image_size: tuple, seed: int, batch_size: int = 32):
    """All images under ``data_dir``."""
    return _dataset(data_dir, image_size, seed, batch_size)


@pyplugs.register
@pyplugs.task_nout(2)
def create_training_datasets(
    data_dir: Path, image_size: tuple, seed: int, validation_split: float, batch_size: int = 32
):
    """The training and validation parts of the images under ``data_dir``."""
    training = _dataset(data_dir, image_size, seed, batch_size, "training", validation_split)
    validation = _dataset(data_dir, image_size, seed, batch_size, "validation", validation_split)
    return training, validation
