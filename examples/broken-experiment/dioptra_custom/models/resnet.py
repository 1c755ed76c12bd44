from dioptra import pyplugs


@pyplugs.register
def build_resnet(depth, dropout=0.0):
    import tensorflow as tf

    return tf.keras.applications.ResNet50V2(weights=None, classes=10) if depth > 20 else \
        tf.keras.Sequential([tf.keras.layers.Dropout(dropout)])
