"""AdaMax (Kingma & Ba 2015, §7.1): Adam with the infinity norm in place of the root mean square.
Source: the [Ten optimizers] article (docs/sources.md)."""

import numpy as np

from minigrad.optim.optimizer import Optimizer, no_step_where_zero, work_array


def update_moments(state, grad, beta1, beta2, eps, scratch):
    """The two running statistics of the AdaMax family, in place (`scratch`: a work array like grad).

    m ← β₁·m + (1 − β₁)·g
    u ← max(β₂·u, |g| + ε)      (an exponentially weighted infinity norm: no bias correction needed)
    """
    m, u = state["exp_avg"], state["exp_inf"]
    np.subtract(grad, m, out=scratch)
    scratch *= 1 - beta1
    m += scratch
    np.abs(grad, out=scratch)
    scratch += eps
    u *= beta2
    np.maximum(u, scratch, out=u)
    return m, u


def adamax(param, grad, state, *, lr, beta1=0.9, beta2=0.999, eps=1e-8, scratch=None):
    """One AdaMax step, in place; t = state["step"] counts from 1.

        m ← β₁·m + (1 − β₁)·g
        u ← max(β₂·u, |g| + ε)                    (no bias correction needed for u)
        θ ← θ − lr/(1 − β₁ᵗ) · m/u

    With ε = 0 a coordinate whose gradients have all been 0 has m = u = 0 and takes no step (0/0 := 0).
    """
    t = state["step"]
    scratch = work_array(param, scratch)
    m, u = update_moments(state, grad, beta1, beta2, eps, scratch)
    step = np.divide(m, zero_safe(u, eps, scratch), out=scratch)
    step *= lr / (1 - beta1**t)
    param -= step


def zero_safe(u, eps, scratch):
    """The denominator u, or with ε = 0 a copy of it in `scratch` whose zeros give no step (u is state
    and must stay as it is)."""
    if scratch.dtype.type(eps) != 0:
        return u
    np.copyto(scratch, u)
    no_step_where_zero(scratch, eps)
    return scratch


class AdaMax(Optimizer):
    """AdaMax:  u ← max(β₂·u, |g| + ε),  θ ← θ − lr/(1 − β₁ᵗ)·m/u.

    Defaults (lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0) and the rule are
    `torch.optim.Adamax`'s, which puts ε inside the max. The paper (Algorithm 2) and the [Ten optimizers] article have no ε:
    `AdaMax(eps=0)`. Then a coordinate whose gradients have all been exactly 0 has m = u = 0; it takes
    no step (0/0 := 0, the limit ε → 0 of m/u) instead of becoming NaN.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def check_hyperparameters(self, group):
        super().check_hyperparameters(group)
        self._require_betas(group)
        self._require(group, "eps", group["eps"] >= 0, "must be ≥ 0")

    def init_state(self, param, group):
        return {"step": 0, "exp_avg": np.zeros_like(param), "exp_inf": np.zeros_like(param)}

    def update_rule(self, group):
        beta1, beta2 = group["betas"]
        return adamax, dict(lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"])
