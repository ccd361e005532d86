"""One random-number generator for all of minigrad, so `manual_seed` makes every run reproducible.

Everything random in minigrad (randn, rand, weight initialisation, dropout masks, shuffling) draws
from `generator()`. `manual_seed(s)` replaces it with a fresh `numpy.random.Generator` seeded with s.
"""

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed all of minigrad's randomness (the generator itself is `generator()`)."""
    global _generator
    _generator = np.random.default_rng(seed)


def generator() -> np.random.Generator:
    """The generator every random function in minigrad draws from."""
    return _generator
