from dioptra import pyplugs


@pyplugs.register
def make_optimizer(name: str, learning_rate: float):
    """A Keras optimizer by class name."""
    import tensorflow as tf

    return getattr(tf.keras.optimizers, name)(learning_rate=learning_rate)
