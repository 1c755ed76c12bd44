"""Evaluate a model on fast-gradient-method examples."""

from dioptra import pyplugs


@pyplugs.register
def evaluate_under_fgm(model, dataset, eps: float = 0.1) -> dict:
    from art.attacks.evasion import FastGradientMethod
    from art.estimators.classification import KerasClassifier

    attack = FastGradientMethod(KerasClassifier(model), eps=eps)
    correct = total = 0
    for x, y in dataset:
        predictions = model.predict(attack.generate(x.numpy())).argmax(axis=1)
        correct += int((predictions == y.numpy().argmax(axis=1)).sum())
        total += len(predictions)
    return {"fgm_accuracy": correct / max(total, 1)}
