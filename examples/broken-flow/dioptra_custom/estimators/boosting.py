"""Gradient-boosted trees from scikit-learn."""

from dioptra import pyplugs


@pyplugs.register
def fit(table, target_column: str, n_estimators: int = 100, max_depth: int = 3):
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(n_estimators=n_estimators, max_depth=max_depth)
    return model.fit(table.drop(columns=[target_column]), table[target_column])


@pyplugs.register
def predict(model, table, threshold: float = 0.5):
    return (model.predict_proba(table)[:, 1] >= threshold).astype(int)
