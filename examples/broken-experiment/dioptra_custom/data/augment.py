from dioptra import pyplugs


@pyplugs.register
def random_flip(images):
    import tensorflow as tf

    return images.map(lambda x, y: (tf.image.random_flip_left_right(x), y))
