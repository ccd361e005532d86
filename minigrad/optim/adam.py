"""Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019). Sources: [Four-step notes], [Ten optimizers] (docs/sources.md)."""

import math

import numpy as np

from minigrad.optim.optimizer import Optimizer, no_step_where_zero, work_array


def update_moments(state, grad, beta1, beta2, scratch):
    """The two moving averages of the Adam family, in place (`scratch`: a work array like grad).

    m ← β₁·m + (1 − β₁)·g
    v ← β₂·v + (1 − β₂)·g²
    """
    m, v = state["exp_avg"], state["exp_avg_sq"]
    m *= beta1
    m += np.multiply(grad, 1 - beta1, out=scratch)
    v *= beta2
    np.square(grad, out=scratch)
    scratch *= 1 - beta2
    v += scratch
    return m, v


def adam(
    param, grad, state, *, lr, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False, eps_hat=False, scratch=None
):
    """One Adam step (Kingma & Ba, Algorithm 1), in place; t = state["step"] counts from 1.

        m ← β₁·m + (1 − β₁)·g                     (first moment: momentum)
        v ← β₂·v + (1 − β₂)·g²                    (second moment: per-coordinate scale)
        m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)         (undo the bias of starting at 0)
        θ ← θ − lr·m̂ / (√v̂ + ε)                   (AMSGrad: v̂ from the running maximum of v)

    `eps_hat=True`: the paper's "efficient" form (§2) with ε̂ = eps added to √v instead of √v̂:
        θ ← θ − lrₜ·m / (√v + ε̂),  lrₜ = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)
    which is the line above with ε = ε̂/√(1 − β₂ᵗ).

    A coordinate whose denominator is 0 (ε = 0 and every gradient so far 0) takes no step (0/0 := 0,
    the ε → 0 limit; see `no_step_where_zero`).
    """
    t = state["step"]
    scratch = work_array(param, scratch)  # one work array; everything else happens in place
    m, v = update_moments(state, grad, beta1, beta2, scratch)
    if amsgrad:
        v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
    # θ ← θ − s·m/(√v/√(1 − β₂ᵗ) + ε) with s = lr/(1 − β₁ᵗ), which is lr·m̂/(√v̂ + ε). Dividing the
    # denominator by s instead of multiplying the quotient saves a pass over memory; s = 0 (lr = 0,
    # as a schedule may reach) means no step at all.
    step_size = lr / (1 - beta1**t)
    if step_size == 0:
        return
    root_bias_correction2 = math.sqrt(1 - beta2**t)
    if eps_hat:
        eps = eps / root_bias_correction2
    denom = np.sqrt(v, out=scratch)
    denom *= 1 / (root_bias_correction2 * step_size)
    denom += eps / step_size
    no_step_where_zero(denom, eps / step_size)
    param -= np.divide(m, denom, out=denom)


class Adam(Optimizer):
    """Adam:  m, v = EMAs of g and g²;  θ ← θ − lr·m̂/(√v̂ + ε),  m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ).

    Defaults (lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
    decoupled_weight_decay=False) and the rule are `torch.optim.Adam`'s, which is the paper's
    Algorithm 1 (ε added to √v̂). `initial_accumulator_value` (default 0) is v₀.

    `eps_hat=True` reads `eps` as the ε̂ of the paper's "efficient" form (its §2), the form Keras and
    TensorFlow implement (their `epsilon`):

        lrₜ = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ),   θ ← θ − lrₜ·m/(√v + ε̂)

    Multiplying out, this is Algorithm 1 with ε = ε̂/√(1 − β₂ᵗ): the two forms agree exactly when
    ε̂ = ε·√(1 − β₂ᵗ), a value that changes with t. With one constant ε̂ = ε they differ most in the first
    steps, where √(1 − β₂ᵗ) is small and the efficient form's ε weighs up to 1/√(1 − β₂) ≈ 32 times more
    (β₂ = 0.999), and when gradients are small next to ε. So `Adam(lr, betas, eps=ε̂, eps_hat=True)`
    follows Keras's `Adam(learning_rate=lr, beta_1, beta_2, epsilon=ε̂)` step for step (and AdamW and
    amsgrad likewise; Keras's default epsilon is 1e-7).

    [Ten optimizers] writes Adam in the efficient form, θ ← θ − lrₜ·m/√v, with r₀ = v₀ = ε and no ε in the
    denominator. With its bug fixed (it squares β_i instead of multiplying by β, so 1 − β₂ᵗ stays 0 and
    the optimizer never moves) it is `Adam(lr, betas=(α, β), eps=0, initial_accumulator_value=ε)`.

    With eps = 0 (and v₀ = 0) a coordinate whose gradients have all been 0 has m = v = 0: it takes no
    step (0/0 := 0, the limit ε → 0) instead of becoming NaN.
    """

    added_later = {"decoupled_weight_decay": False, "eps_hat": False}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, *,
                 decoupled_weight_decay=False, eps_hat=False, initial_accumulator_value=0.0):  # fmt: skip
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, decoupled_weight_decay=decoupled_weight_decay,
                                      eps_hat=eps_hat, initial_accumulator_value=initial_accumulator_value))  # fmt: skip

    def check_hyperparameters(self, group):
        super().check_hyperparameters(group)
        self._require_betas(group)
        self._require(group, "eps", group["eps"] >= 0, "must be ≥ 0")
        self._require(
            group, "initial_accumulator_value", group["initial_accumulator_value"] >= 0, "must be ≥ 0"
        )

    def init_state(self, param, group):
        state = {
            "step": 0,
            "exp_avg": np.zeros_like(param),
            "exp_avg_sq": np.full_like(param, group["initial_accumulator_value"]),
        }
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = state["exp_avg_sq"].copy()
        return state

    def update_rule(self, group):
        beta1, beta2 = group["betas"]
        return adam, dict(
            lr=group["lr"],
            beta1=beta1,
            beta2=beta2,
            eps=group["eps"],
            amsgrad=group["amsgrad"],
            eps_hat=group["eps_hat"],
        )


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): θ ← θ·(1 − lr·wd) before the Adam
    step, instead of adding wd·θ to the gradient (where Adam's scaling would weaken it).

    Defaults (lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False) and the rule are
    `torch.optim.AdamW`'s, i.e. `Adam(..., decoupled_weight_decay=True)`. With `eps_hat=True` it is
    Keras's AdamW (see Adam).
    """

    added_later = {"decoupled_weight_decay": True, "eps_hat": False}

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        *,
        eps_hat=False,
    ):
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            decoupled_weight_decay=True,
            eps_hat=eps_hat,
        )
