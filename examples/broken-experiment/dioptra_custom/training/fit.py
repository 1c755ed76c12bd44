from dioptra import pyplugs


@pyplugs.register
def fit(model, training, epochs, learning_rate, notes=""):
    import tensorflow as tf

    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy")
    history = model.fit(training, epochs=epochs)
    return model, history


@pyplugs.register
def evaluate(model, testing):
    loss, accuracy = model.evaluate(testing)
    return accuracy, loss
