"""Dropout (Srivastava et al. 2014), in its "inverted" form: scale at training time, not at test time.

In training each element is kept with probability 1 - p and scaled by 1/(1 - p), so the expected value
of the output equals the input and evaluation needs no change: in eval mode dropout is the identity.
The mask comes from minigrad's generator, so `manual_seed` makes it reproducible.
"""

import numpy as np

from minigrad.nn.module import Module
from minigrad.ops.elementwise import Mul
from minigrad.rng import generator


def dropout(x, p: float = 0.5, training: bool = True):
    """Zero each element with probability p and scale the rest by 1/(1-p) (identity unless training)."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: p must be a probability in [0, 1], got {p}")
    if not training or p == 0:
        return x
    keep_scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    mask = np.where(generator().random(x.shape) >= p, keep_scale, 0.0).astype(x.dtype)
    return Mul.apply(x, mask)  # ∂out/∂x = mask


class Dropout(Module):
    def __init__(self, p: float = 0.5):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p}")
        self.p = p

    def forward(self, x):
        return dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
