"""Tables read from CSV files."""

from dioptra import pyplugs


@pyplugs.register
def read_csv(path):
    import pandas as pd

    return pd.read_csv(path)


@pyplugs.register
@pyplugs.task_nout(2)
def train_test_split(table, test_size: float = 0.25, seed: int = 0):
    from sklearn.model_selection import train_test_split as split

    return split(table, test_size=test_size, random_state=seed)
