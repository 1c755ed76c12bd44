"""CIFAR-10 images from a folder with one subfolder per class."""

from dioptra import pyplugs


@pyplugs.register
def load_training_images(data_dir, batch_size=64, seed=-1):
    from tensorflow.keras.utils import image_dataset_from_directory

    return image_dataset_from_directory(
        data_dir, image_size=(32, 32), batch_size=batch_size, seed=seed if seed >= 0 else None
    )
