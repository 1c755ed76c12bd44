"""A small Keras convolutional classifier."""

import mlflow
from dioptra import pyplugs


@pyplugs.register
def init_model(input_shape: tuple, n_classes: int = 10):
    from tensorflow import keras

    model = keras.Sequential([
        keras.layers.Input(shape=input_shape),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


@pyplugs.register
def fit(estimator, x, epochs: int, callbacks=None):
    return estimator.fit(x, epochs=epochs, callbacks=callbacks)


@pyplugs.register
def load_model(run_id: str, model_dir: str = "model"):
    return mlflow.keras.load_model(f"runs:/{run_id}/{model_dir}")
