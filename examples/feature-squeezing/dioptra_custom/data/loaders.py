"""Evaluate a registered classifier on image folders."""

import mlflow
from dioptra import pyplugs


@pyplugs.register
def evaluate_folders(folders, model_uri: str, shuffle: bool = False) -> dict:
    from tensorflow.keras.utils import image_dataset_from_directory

    model = mlflow.keras.load_model(model_uri)
    metrics = {}
    for folder in folders:
        dataset = image_dataset_from_directory(str(folder), image_size=(28, 28),
                                               color_mode="grayscale", shuffle=shuffle)
        metrics[f"{folder.name}_accuracy"] = model.evaluate(dataset, return_dict=True)["accuracy"]
    mlflow.log_metrics(metrics)
    return metrics
