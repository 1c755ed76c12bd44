"""Draw values from a generator made by ``rng.init_rng``."""

from __future__ import annotations

import numpy as np
from dioptra import pyplugs


@pyplugs.register()
def draw_random_integer(rng: np.random.Generator, low: int = 0, high: int = 2**31 - 1) -> int:
    return int(rng.integers(low=low, high=high))
