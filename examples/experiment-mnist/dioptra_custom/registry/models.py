from dioptra import pyplugs


@pyplugs.register
def load_model(model_uri: str):
    import mlflow

    return mlflow.keras.load_model(f"models:/{model_uri}")


@pyplugs.register
def score(model, testing):
    _, accuracy = model.evaluate(testing)
    return accuracy
