"""ImageNet-style folders: one subfolder per class under train/ and val/."""

from pathlib import Path

from dioptra import pyplugs


@pyplugs.register
def load_images(data_dir, subset: str = "train", batch_size: int = 64, image_size=(224, 224)):
    from tensorflow.keras.utils import image_dataset_from_directory

    return image_dataset_from_directory(Path(data_dir) / subset, image_size=image_size,
                                        batch_size=batch_size)
