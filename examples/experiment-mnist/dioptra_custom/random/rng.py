"""Random number generators seeded once per job."""

import numpy as np
from dioptra import pyplugs


@pyplugs.register
def init_rng(seed: int = -1):
    """Seed a generator; a negative seed draws one."""
    if seed < 0:
        seed = int(np.random.SeedSequence().entropy % (2**31))
    return seed, np.random.default_rng(seed)
