"""RMSProp (Tieleman & Hinton 2012): AdaGrad with a decaying average of squared gradients instead of
a sum, so the step size does not shrink forever. Sources: [Four-step notes], [Ten optimizers] (docs/sources.md)."""

import numpy as np

from minigrad.optim.optimizer import Optimizer, no_step_where_zero, work_array


def rmsprop(param, grad, state, *, lr, alpha=0.99, eps=1e-8, momentum=0.0, centered=False, scratch=None):
    """One RMSProp step, in place.

        v ← α·v + (1 − α)·g²
        d = √(v − ḡ²) + ε with ḡ ← α·ḡ + (1 − α)·g if centered, else √v + ε
        buf ← μ·buf + g/d,  θ ← θ − lr·buf  if μ > 0,  else  θ ← θ − lr·g/d

    v − ḡ² is a variance, ≥ 0; rounding can make it a hair below 0, so it is clipped at 0 (PyTorch
    would take the square root of a negative number: NaN). A zero d (ε = 0 and every gradient so far
    0, or a centered variance of 0) means no step for that coordinate (x/0 := 0, see no_step_where_zero).
    """
    # In place, with one work array. v ← α·v + (1 − α)·g²:
    v = state["square_avg"]
    work = np.multiply(grad, 1 - alpha, out=work_array(param, scratch))
    work *= grad
    v *= alpha
    v += work
    if centered:  # ḡ ← ḡ + (1 − α)·(g − ḡ),  d = √(v − ḡ²) + ε
        grad_avg = state["grad_avg"]
        np.subtract(grad, grad_avg, out=work)
        work *= 1 - alpha
        grad_avg += work
        np.multiply(grad_avg, grad_avg, out=work)
        denom = np.subtract(v, work, out=work)
        np.maximum(denom, 0, out=denom)
        np.sqrt(denom, out=denom)
    else:  # d = √v + ε
        denom = np.sqrt(v, out=work)
    denom += eps
    no_step_where_zero(denom, eps)
    step = np.divide(grad, denom, out=denom)
    if momentum > 0:  # buf ← μ·buf + g/d, the step is lr·buf
        buf = state["momentum_buffer"]
        buf *= momentum
        buf += step
        step = np.multiply(buf, lr, out=step)
    else:
        step *= lr
    param -= step


class RMSProp(Optimizer):
    """RMSProp:  v ← α·v + (1 − α)·g²,  θ ← θ − lr·g / (√v + ε),  with v₀ = initial_accumulator_value.

    Defaults (lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False) and the rule are
    `torch.optim.RMSprop`'s (ε outside the square root, no bias correction); `initial_accumulator_value`
    (default 0, PyTorch's start) is added so the sources' form can be expressed.

    The sources' RMSProp (r₀ = ε, θ ← θ − lr·g/√r) is `RMSProp(lr, alpha=β, eps=0, initial_accumulator_value=ε)`.
    Unlike in AdaGrad, that ε is forgotten geometrically (r = EMA + βᵗ·ε): a coordinate whose gradient
    stays 0 for long decays to a subnormal r and a tiny later gradient then takes a huge step. Keep
    eps > 0 in real training. With eps = 0, a coordinate whose denominator is 0 (all its gradients 0,
    from a zero start) takes no step (0/0 := 0, the limit ε → 0) instead of becoming NaN.
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0.0,
        momentum=0.0,
        centered=False,
        initial_accumulator_value=0.0,
    ):
        super().__init__(
            params,
            dict(
                lr=lr,
                alpha=alpha,
                eps=eps,
                weight_decay=weight_decay,
                momentum=momentum,
                centered=centered,
                initial_accumulator_value=initial_accumulator_value,
            ),
        )

    def check_hyperparameters(self, group):
        super().check_hyperparameters(group)
        self._require(group, "alpha", 0 <= group["alpha"] < 1, "must be in [0, 1)")
        self._require(group, "eps", group["eps"] >= 0, "must be ≥ 0")
        self._require(group, "momentum", group["momentum"] >= 0, "must be ≥ 0")
        self._require(
            group, "initial_accumulator_value", group["initial_accumulator_value"] >= 0, "must be ≥ 0"
        )

    def init_state(self, param, group):
        state = {"step": 0, "square_avg": np.full_like(param, group["initial_accumulator_value"])}
        if group["momentum"] > 0:
            state["momentum_buffer"] = np.zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = np.zeros_like(param)
        return state

    def update_rule(self, group):
        return rmsprop, dict(
            lr=group["lr"],
            alpha=group["alpha"],
            eps=group["eps"],
            momentum=group["momentum"],
            centered=group["centered"],
        )
