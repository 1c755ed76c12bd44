"""A pretrained base network with a new classification head."""

from dioptra import pyplugs


@pyplugs.register
def init_transfer_model(model_architecture: str, optimizer: str, freeze_base: bool = True,
                        n_classes: int = 1000):
    from tensorflow import keras

    base = getattr(keras.applications, {"resnet50": "ResNet50", "vgg16": "VGG16",
                                        "mobilenet_v2": "MobileNetV2"}[model_architecture])(
        include_top=False, pooling="avg")
    base.trainable = not freeze_base
    model = keras.Sequential([base, keras.layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


@pyplugs.register
def fit(model, dataset, epochs: int = 1, learning_rate: float | None = None):
    if learning_rate is not None:
        model.optimizer.learning_rate = learning_rate
    model.fit(dataset, epochs=epochs)
    return model
