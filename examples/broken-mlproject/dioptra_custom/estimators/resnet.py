"""A ResNet-50 classifier trained from scratch."""

from dioptra import pyplugs


@pyplugs.register
def fit_resnet(dataset, epochs, optimizer: dict, n_classes: int = 10):
    from tensorflow import keras

    model = keras.applications.ResNet50(weights=None, input_shape=(32, 32, 3), classes=n_classes)
    model.compile(optimizer=keras.optimizers.get(optimizer), loss="sparse_categorical_crossentropy")
    return model.fit(dataset, epochs=epochs)
