"""NadaMax: AdaMax with the Nesterov look-ahead momentum of the simplified Nadam.
Source: the [Ten optimizers] article (docs/sources.md)."""

import numpy as np

from minigrad.optim.adamax import AdaMax, update_moments, zero_safe
from minigrad.optim.optimizer import work_array


def nadamax(param, grad, state, *, lr, beta1=0.9, beta2=0.999, eps=1e-8, scratch=None):
    """One NadaMax step, in place; t = state["step"] counts from 1.

        m ← β₁·m + (1 − β₁)·g
        u ← max(β₂·u, |g| + ε)
        θ ← θ − lr/(1 − β₁ᵗ) · (β₁·m + (1 − β₁)·g)/u

    With ε = 0 a coordinate whose gradients have all been 0 has u = 0 and takes no step (0/0 := 0).
    """
    t = state["step"]
    scratch = work_array(param, scratch)
    m, u = update_moments(state, grad, beta1, beta2, eps, scratch)
    denom = zero_safe(u, eps, scratch)
    look_ahead = np.multiply(m, beta1)
    look_ahead += (1 - beta1) * grad
    look_ahead /= denom
    look_ahead *= lr / (1 - beta1**t)
    param -= look_ahead


class NadaMax(AdaMax):
    """NadaMax:  u ← max(β₂·u, |g| + ε),  θ ← θ − lr/(1 − β₁ᵗ)·(β₁·m + (1 − β₁)·g)/u.

    Defaults and state are AdaMax's: lr=2e-3, betas=(0.9, 0.999), eps=1e-8 (inside the max, as
    `torch.optim.Adamax`), weight_decay=0. Neither PyTorch nor Keras has NadaMax; the Zhihu article's [Ten optimizers] version is
    `NadaMax(eps=0)`; a coordinate whose gradients have all been 0 then takes no step (0/0 := 0).
    """

    def update_rule(self, group):
        _, hyperparameters = super().update_rule(group)
        return nadamax, hyperparameters
