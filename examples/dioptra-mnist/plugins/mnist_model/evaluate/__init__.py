from dioptra import pyplugs


@pyplugs.register
def evaluate(model, testing):
    """Loss and accuracy on the testing split, by metric name."""
    return dict(zip(model.metrics_names, model.evaluate(testing)))
