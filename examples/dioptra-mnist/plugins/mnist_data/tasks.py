from pathlib import Path

import structlog
from dioptra import pyplugs

LOGGER = structlog.get_logger()


@pyplugs.register
def load_mnist(data_dir: str, batch_size: int, seed: int | None = None):
    import tensorflow as tf

    def split(name):
        return tf.keras.utils.image_dataset_from_directory(
            Path(data_dir) / name, color_mode="grayscale", batch_size=batch_size,
            seed=None if seed is None or seed < 0 else seed)

    LOGGER.info("loading MNIST", data_dir=data_dir)
    return split("training"), split("testing")
