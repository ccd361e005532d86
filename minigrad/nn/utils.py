"""Training utilities for parameters."""

import math
import numbers

import numpy as np


def clip_grad_norm_(params, max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients together so that their joint norm is at most `max_norm`; returns the norm
    before clipping (PyTorch's semantics: the factor is max_norm / (norm + 1e-6), applied only if < 1).

    The joint 2-norm is √(Σ over all parameters of Σ g²), as if every gradient were one long vector,
    so clipping keeps the direction of the whole update. A negative max_norm (which would reverse every
    gradient) or a norm_type ≤ 0 is refused.
    """
    for name, value in (("max_norm", max_norm), ("norm_type", norm_type)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"clip_grad_norm_: invalid {name} = {value!r}: must be a number")
    if not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: invalid max_norm = {max_norm!r}: must be ≥ 0")
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: invalid norm_type = {norm_type!r}: must be > 0")
    grads = [
        p._grad for p in ([params] if hasattr(params, "grad") else params) if p._grad is not None
    ]  # raw arrays, scaled in place
    if not grads:
        return 0.0
    if norm_type == math.inf:
        total = max(float(np.abs(g).max()) for g in grads)
    else:
        total = sum(float(np.sum(np.abs(g) ** norm_type)) for g in grads) ** (1.0 / norm_type)
    factor = max_norm / (total + 1e-6)
    if factor < 1:
        for g in grads:
            g *= factor
    return total
