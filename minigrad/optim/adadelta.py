"""AdaDelta (Zeiler 2012): RMSProp whose step size is itself a running RMS of past steps, so the update
has the units of θ and needs no learning rate. Source: the [Ten optimizers] article (docs/sources.md)."""

import numpy as np

from minigrad.optim.optimizer import Optimizer, no_step_where_zero, work_array


def adadelta(param, grad, state, *, lr=1.0, rho=0.9, eps=1e-6, scratch=None):
    """One AdaDelta step, in place.

        r ← ρ·r + (1 − ρ)·g²
        Δ = √(s + ε) / √(r + ε) · g          (s: the running average of Δ², before this step)
        s ← ρ·s + (1 − ρ)·Δ²
        θ ← θ − lr·Δ

    With ε = 0, a coordinate with r = 0 (every gradient so far 0, from r₀ = 0) takes no step:
    Δ = 0 (0/0 := 0, see no_step_where_zero).
    """
    # In place, with one work array. r ← ρ·r + (1 − ρ)·g²:
    r, s = state["square_avg"], state["acc_delta"]
    work = np.multiply(grad, 1 - rho, out=work_array(param, scratch))
    work *= grad
    r *= rho
    r += work
    # Δ = √(s + ε) / √(r + ε) · g:
    delta = np.add(s, eps, out=work_array(param))
    np.sqrt(delta, out=delta)
    np.add(r, eps, out=work)
    np.sqrt(work, out=work)
    no_step_where_zero(work, eps)
    delta /= work
    delta *= grad
    # s ← ρ·s + (1 − ρ)·Δ²,  θ ← θ − lr·Δ:
    np.multiply(delta, 1 - rho, out=work)
    work *= delta
    s *= rho
    s += work
    delta *= lr
    param -= delta


class AdaDelta(Optimizer):
    """AdaDelta:  Δ = √(s + ε)/√(r + ε)·g,  θ ← θ − lr·Δ,  with r, s running averages of g² and Δ².

    Defaults (lr=1.0, rho=0.9, eps=1e-6, weight_decay=0) and the rule are `torch.optim.Adadelta`'s
    (Zeiler's paper uses ρ = 0.95); both accumulators start at `initial_accumulator_value` (default 0).

    The Zhihu article's [Ten optimizers] AdaDelta (r₀ = s₀ = ε, Δ = −√(s/r)·g, no learning rate) is
    `AdaDelta(lr=1.0, rho=β, eps=0, initial_accumulator_value=ε)`. It is a different algorithm in the long
    run: without ε under the roots, s is a pure average of past Δ² and the step size decays, while
    Zeiler's √(s + ε) keeps a floor that lets it grow again. With eps = 0, a coordinate whose r is 0 takes
    no step (0/0 := 0, the limit ε → 0) instead of becoming NaN.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, initial_accumulator_value=0.0):
        super().__init__(
            params,
            dict(
                lr=lr,
                rho=rho,
                eps=eps,
                weight_decay=weight_decay,
                initial_accumulator_value=initial_accumulator_value,
            ),
        )

    def check_hyperparameters(self, group):
        super().check_hyperparameters(group)
        self._require(group, "rho", 0 <= group["rho"] <= 1, "must be in [0, 1]")
        self._require(group, "eps", group["eps"] >= 0, "must be ≥ 0")
        self._require(
            group, "initial_accumulator_value", group["initial_accumulator_value"] >= 0, "must be ≥ 0"
        )

    def init_state(self, param, group):
        start = group["initial_accumulator_value"]
        return {"step": 0, "square_avg": np.full_like(param, start), "acc_delta": np.full_like(param, start)}

    def update_rule(self, group):
        return adadelta, dict(lr=group["lr"], rho=group["rho"], eps=group["eps"])
