"""Keras image classifiers: build, fit, evaluate."""

from __future__ import annotations

from dioptra import pyplugs

ARCHITECTURES = ("shallow_net", "le_net", "alex_net")


@pyplugs.register(sort_value=10)
def init_classifier(model_architecture: str, input_shape: tuple, optimizer: dict, n_classes: int = 10):
    from tensorflow import keras

    layers = [keras.layers.Input(shape=input_shape), keras.layers.Flatten()]
    if model_architecture != "shallow_net":
        layers.append(keras.layers.Dense(256, activation="relu"))
    layers.append(keras.layers.Dense(n_classes, activation="softmax"))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.get(optimizer), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@pyplugs.register
def fit(estimator, x, y=None, validation_data=None, fit_kwargs: dict | None = None):
    kwargs = dict(fit_kwargs or {})
    kwargs["epochs"] = kwargs.pop("nb_epochs", 1)
    return estimator.fit(x, y, validation_data=validation_data, **kwargs)


@pyplugs.register
def evaluate(estimator, x, **kwargs) -> dict:
    return estimator.evaluate(x, return_dict=True, **kwargs)
