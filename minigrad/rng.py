"""One random-number generator for all of minigrad, so `manual_seed` makes every run reproducible.

Everything random in minigrad (randn, rand, weight initialisation, dropout masks, shuffling) draws
from `generator()`. `manual_seed(s)` replaces it with a fresh `numpy.random.Generator` seeded with s.
"""

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed all of minigrad's randomness (the generator itself is `generator()`).

    As in `torch.manual_seed`, the seed is any int in [-2⁶³, 2⁶⁴); a negative one is taken modulo 2⁶⁴
    (two's complement), so `manual_seed(-1)` is `manual_seed(2**64 - 1)`. Anything else is an error.
    """
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__} {seed!r}")
    seed = int(seed)
    if not -(2**63) <= seed < 2**64:
        raise ValueError(f"manual_seed: seed must be in [-2**63, 2**64), got {seed}")
    _generator = np.random.default_rng(seed % 2**64)


def generator() -> np.random.Generator:
    """The generator every random function in minigrad draws from."""
    return _generator
