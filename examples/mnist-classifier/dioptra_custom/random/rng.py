"""Random number generators shared by the tasks of one flow."""

from __future__ import annotations

import numpy as np
from dioptra import pyplugs


@pyplugs.register
@pyplugs.task_nout(2)
def init_rng(seed: int = -1) -> tuple[int, np.random.Generator]:
    """Return the seed actually used (drawn when ``seed`` is -1) and a generator seeded with it."""
    rng = np.random.default_rng(seed if seed >= 0 else None)
    if seed < 0:
        seed = int(rng.integers(2**31 - 1))
    return seed, np.random.default_rng(seed)
