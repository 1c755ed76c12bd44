from dioptra import pyplugs


@pyplugs.register
def fit_model(model_name, training, validation, optimizer, epochs, callbacks=None):
    """Compile and fit the LeNet-5 classifier; the history is per-epoch metrics."""
    import tensorflow as tf

    model = tf.keras.Sequential(name=model_name)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    fitted = model.fit(training, validation_data=validation, epochs=epochs,
                       callbacks=[c for c in callbacks or [] if not isinstance(c, str)])
    history = {name: values[-1] for name, values in fitted.history.items()}
    return model, history
