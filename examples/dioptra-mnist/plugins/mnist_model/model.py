from dioptra import pyplugs


@pyplugs.register
def train_model(training, epochs: int, learning_rate: float):
    import tensorflow as tf

    model = tf.keras.Sequential([
        tf.keras.layers.Conv2D(6, 5, activation="tanh"),
        tf.keras.layers.AveragePooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(training, epochs=epochs)
    return model
