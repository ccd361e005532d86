"""AdaGrad (Duchi, Hazan & Singer 2011): every coordinate gets its own step size, shrinking with the
sum of its squared gradients. Sources: the [Four-step notes], the [Ten optimizers] article (docs/sources.md)."""

import numpy as np

from minigrad.optim.optimizer import Optimizer, no_step_where_zero, work_array


def adagrad(param, grad, state, *, lr, lr_decay=0.0, eps=1e-10, scratch=None):
    """One AdaGrad step, in place.

        lrₜ = lr / (1 + (t − 1)·lr_decay)
        r ← r + g²
        θ ← θ − lrₜ·g / (√r + ε)

    With ε = 0 and r₀ = 0, a coordinate whose gradients have all been 0 has r = 0: no step (0/0 := 0).
    """
    t = state["step"]
    step_size = lr / (1 + (t - 1) * lr_decay)
    # In place, with one work array. r ← r + g²,  θ ← θ − lrₜ·g/(√r + ε):
    r = state["sum"]
    work = np.multiply(grad, grad, out=work_array(param, scratch))
    r += work
    denom = np.sqrt(r, out=work)
    denom += eps
    no_step_where_zero(denom, eps)
    step = np.divide(grad, denom, out=denom)
    step *= step_size
    param -= step


class AdaGrad(Optimizer):
    """AdaGrad:  r ← r + g²,  θ ← θ − lr·g / (√r + ε),  with r₀ = initial_accumulator_value.

    Defaults (lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10) and the rule
    are `torch.optim.Adagrad`'s.

    The sources' "ε as r₀" AdaGrad (r₀ = ε, θ ← θ − lr·g/√r, no ε in the denominator) is
    `AdaGrad(lr, initial_accumulator_value=ε, eps=0)`: r = ε + Σg², i.e. ε inside the square root.
    For AdaGrad this is an exact substitute for the ε term, because r only grows (see RMSProp for why
    the trick is not exact there). With eps = 0 and initial_accumulator_value = 0, a coordinate whose
    gradients have all been 0 takes no step (0/0 := 0, the limit ε → 0) instead of becoming NaN.
    """

    def __init__(
        self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10
    ):
        super().__init__(
            params,
            dict(
                lr=lr,
                lr_decay=lr_decay,
                weight_decay=weight_decay,
                initial_accumulator_value=initial_accumulator_value,
                eps=eps,
            ),
        )

    def check_hyperparameters(self, group):
        super().check_hyperparameters(group)
        self._require(group, "lr_decay", group["lr_decay"] >= 0, "must be ≥ 0")
        self._require(
            group, "initial_accumulator_value", group["initial_accumulator_value"] >= 0, "must be ≥ 0"
        )
        self._require(group, "eps", group["eps"] >= 0, "must be ≥ 0")

    def init_state(self, param, group):
        return {"step": 0, "sum": np.full_like(param, group["initial_accumulator_value"])}

    def update_rule(self, group):
        return adagrad, dict(lr=group["lr"], lr_decay=group["lr_decay"], eps=group["eps"])
