"""Registered models wrapped for the Adversarial Robustness Toolbox."""

from __future__ import annotations

import mlflow
from dioptra import pyplugs


@pyplugs.register
def load_wrapped_tensorflow_keras_classifier(name: str, version: str, clip_values=(0.0, 1.0)):
    from art.estimators.classification import KerasClassifier

    model = mlflow.keras.load_model(f"models:/{name}/{version}")
    return KerasClassifier(model=model, clip_values=clip_values)
