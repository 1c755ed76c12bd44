"""MNIST splits as tf.data datasets."""

from pathlib import Path

from dioptra import pyplugs


@pyplugs.register
def load_mnist(data_dir: str, image_size, batch_size: int, seed: int | None = None):
    """Training and validation splits of the images under ``data_dir``."""
    import tensorflow as tf

    root = Path(data_dir) / "training"
    common = dict(image_size=image_size[:2], batch_size=batch_size, seed=seed,
                  validation_split=0.2, color_mode="grayscale")
    training = tf.keras.utils.image_dataset_from_directory(root, subset="training", **common)
    validation = tf.keras.utils.image_dataset_from_directory(root, subset="validation", **common)
    return training, validation


@pyplugs.register
def load_test_split(data_dir: str):
    import tensorflow as tf

    return tf.keras.utils.image_dataset_from_directory(Path(data_dir) / "testing",
                                                       color_mode="grayscale")
