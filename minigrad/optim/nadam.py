"""Nadam (Dozat 2016): Adam with Nesterov momentum, i.e. the momentum term looks one step ahead.
Source: the [Ten optimizers] article (docs/sources.md)."""

import math

import numpy as np

from minigrad.optim.adam import update_moments
from minigrad.optim.optimizer import Optimizer, no_step_where_zero, work_array


def nadam(param, grad, state, *, lr, beta1=0.9, beta2=0.999, eps=1e-8, momentum_decay=4e-3, eps_hat=False,
          scratch=None):  # fmt: skip
    """One Nadam step (Dozat's algorithm, as `torch.optim.NAdam`), in place; t = state["step"] from 1.

        μₜ = β₁·(1 − ½·0.96^(t·ψ)),  μₜ₊₁ likewise        (the momentum schedule; ψ = momentum_decay)
        Πₜ = Πₜ₋₁·μₜ                                       (state["mu_product"], Π₀ = 1)
        m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
        θ ← θ − lr·[(1 − μₜ)·g/(1 − Πₜ) + μₜ₊₁·m/(1 − Πₜ·μₜ₊₁)] / (√(v/(1 − β₂ᵗ)) + ε)

    `eps_hat=True`: ε̂ = eps is added to √v instead, i.e. ε = ε̂/√(1 − β₂ᵗ) (see `adam`). A zero
    denominator (ε = 0, every gradient so far 0) means no step (0/0 := 0).
    """
    t = state["step"]
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    mu_product = state["mu_product"] = state["mu_product"] * mu
    scratch = work_array(param, scratch)
    m, v = update_moments(state, grad, beta1, beta2, scratch)
    if eps_hat:
        eps = eps / math.sqrt(1 - beta2**t)
    denom = np.divide(v, 1 - beta2**t, out=scratch)
    np.sqrt(denom, out=denom)
    denom += eps
    no_step_where_zero(denom, eps)
    step = np.divide(grad, denom, out=work_array(param))
    step *= lr * (1 - mu) / (1 - mu_product)
    param -= step
    np.divide(m, denom, out=step)
    step *= lr * mu_next / (1 - mu_product * mu_next)
    param -= step


def nadam_simplified(
    param, grad, state, *, lr, beta1=0.9, beta2=0.999, eps=1e-8, eps_hat=False, scratch=None
):
    """One step of the Zhihu article's [Ten optimizers] Nadam approximation, in place: Adam whose momentum is replaced by its
    one-step-ahead estimate β₁·m + (1 − β₁)·g, with a constant β₁ and Adam's bias corrections.

        m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
        θ ← θ − lr·(β₁·m + (1 − β₁)·g)/(1 − β₁ᵗ) / (√(v/(1 − β₂ᵗ)) + ε)

    `eps_hat` and a zero denominator as in `nadam`.
    """
    t = state["step"]
    scratch = work_array(param, scratch)
    m, v = update_moments(state, grad, beta1, beta2, scratch)
    if eps_hat:
        eps = eps / math.sqrt(1 - beta2**t)
    denom = np.sqrt(v, out=scratch)
    denom /= math.sqrt(1 - beta2**t)
    denom += eps
    no_step_where_zero(denom, eps)
    look_ahead = np.multiply(m, beta1)
    look_ahead += (1 - beta1) * grad
    look_ahead /= denom
    look_ahead *= lr / (1 - beta1**t)
    param -= look_ahead


class Nadam(Optimizer):
    """Nadam: Adam whose momentum step uses the next step's momentum coefficient (Nesterov's look-ahead).

    `simplified=False` (default): Dozat's algorithm with the momentum schedule μₜ = β₁(1 − ½·0.96^(tψ)),
    θ ← θ − lr·[(1 − μₜ)·g/(1 − Πₜ) + μₜ₊₁·m/(1 − Πₜ·μₜ₊₁)]/(√v̂ + ε), exactly `torch.optim.NAdam` with
    its defaults (lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
    decoupled_weight_decay=False). `decoupled_weight_decay=True` shrinks θ ← θ·(1 − lr·wd) before the
    step instead of adding wd·θ to the gradient, as AdamW does for Adam (PyTorch's NAdam option).

    `simplified=True`: the approximation of the [Ten optimizers] article (also Ruder's overview), a constant β₁ and
    θ ← θ − lr·(β₁·m + (1 − β₁)·g)/(1 − β₁ᵗ) / (√v̂ + ε). It differs from Dozat's: the momentum term's bias
    correction is one power of β₁ short and there is no schedule. [Ten optimizers] itself is
    `Nadam(lr, betas=(α, β), simplified=True, eps=0, initial_accumulator_value=ε)` (its β_i bug fixed as for
    Adam). `initial_accumulator_value` (default 0) is v₀.

    Keras: unlike its Adam, Keras's Nadam adds its epsilon to √v̂, so it needs no `eps_hat`. Keras 2
    (tf.keras) Nadam is `Nadam(lr, eps=1e-7)`, with the same schedule (decay 0.004). Keras 3 Nadam
    drops the 0.004: μₜ = β₁(1 − ½·0.96ᵗ), which is `Nadam(lr, eps=1e-7, momentum_decay=1.0)`.
    `eps_hat=True` gives Nadam the efficient form's ε̂ (added to √v, i.e. ε = ε̂/√(1 − β₂ᵗ), as for
    Adam): it is there so that one ε̂ means the same across the Adam family, not to match a Keras Nadam.

    With eps = 0 (and v₀ = 0) a coordinate whose gradients have all been 0 takes no step (0/0 := 0).
    """

    added_later = {"decoupled_weight_decay": False, "eps_hat": False}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3, decoupled_weight_decay=False, *,
                 simplified=False, eps_hat=False, initial_accumulator_value=0.0):  # fmt: skip
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, simplified=simplified, eps_hat=eps_hat,
                                      initial_accumulator_value=initial_accumulator_value))  # fmt: skip

    def check_hyperparameters(self, group):
        super().check_hyperparameters(group)
        self._require_betas(group)
        self._require(group, "eps", group["eps"] >= 0, "must be ≥ 0")
        self._require(group, "momentum_decay", group["momentum_decay"] >= 0, "must be ≥ 0")
        self._require(
            group, "initial_accumulator_value", group["initial_accumulator_value"] >= 0, "must be ≥ 0"
        )

    def init_state(self, param, group):
        return {
            "step": 0,
            "mu_product": 1.0,
            "exp_avg": np.zeros_like(param),
            "exp_avg_sq": np.full_like(param, group["initial_accumulator_value"]),
        }

    def update_rule(self, group):
        beta1, beta2 = group["betas"]
        hyperparameters = dict(
            lr=group["lr"], beta1=beta1, beta2=beta2, eps=group["eps"], eps_hat=group["eps_hat"]
        )
        if group["simplified"]:
            return nadam_simplified, hyperparameters
        return nadam, dict(hyperparameters, momentum_decay=group["momentum_decay"])
