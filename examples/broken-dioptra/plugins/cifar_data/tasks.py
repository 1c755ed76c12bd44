from pathlib import Path

from dioptra import pyplugs


@pyplugs.register
def load_cifar(data_dir, target_size, batch_size):
    import tensorflow as tf

    def split(name):
        return tf.keras.utils.image_dataset_from_directory(
            Path(data_dir) / name, image_size=target_size[:2], batch_size=batch_size)

    return split("train"), split("test")


@pyplugs.register
def augment(dataset):
    import tensorflow as tf

    return dataset.map(lambda x, y: (tf.image.random_flip_left_right(x), y))
