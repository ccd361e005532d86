"""SGD with momentum, dampening and Nesterov momentum; `Momentum` and `Nesterov` are its two named forms.

Sources (docs/sources.md): the [Four-step notes] and the [SJTU slides] (SGD, SGDM as an EMA of
gradients), the [Ten optimizers] article (SGD, Momentum, Nesterov momentum).
"""

import numpy as np

from minigrad.optim.optimizer import Optimizer


def sgd(param, grad, state, *, lr, momentum=0.0, dampening=0.0, nesterov=False):
    """One SGD step, in place.

    buf ← μ·buf + (1 − τ)·g                     (buf₀ = 0; only when μ > 0)
    d   ← g + μ·buf if nesterov, buf if μ > 0, else g
    θ   ← θ − lr·d
    """
    direction = grad
    if momentum != 0:
        buf = state["momentum_buffer"]
        buf *= momentum
        buf += (1 - dampening) * grad if dampening else grad
        direction = grad + momentum * buf if nesterov else buf
    param -= lr * direction


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (Polyak 1964) and Nesterov momentum
    (Sutskever et al. 2013):

        buf ← μ·buf + (1 − τ)·g,   θ ← θ − lr·(g + μ·buf if nesterov else buf)

    Defaults (lr=1e-3, momentum=0, dampening=0, nesterov=False, weight_decay=0) are PyTorch's, and with
    dampening=0 every setting equals `torch.optim.SGD`.

    The one deviation from PyTorch: the momentum buffer starts at zero, so with dampening = momentum = β
    the buffer is the EMA momentum of [Four-step notes] and [SJTU slides], m ← β·m + (1 − β)·g, θ ← θ − lr·m. PyTorch starts
    the buffer at the undamped g instead (its first step is (1 − β)⁻¹ times larger); the two agree
    whenever dampening = 0, where buf₁ = g either way.
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(
            params,
            dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay),
        )

    def check_hyperparameters(self, group):
        super().check_hyperparameters(group)
        self._require(group, "momentum", group["momentum"] >= 0, "must be ≥ 0")
        self._require(group, "dampening", 0 <= group["dampening"] <= 1, "must be in [0, 1]")
        if group["nesterov"]:
            self._require(
                group,
                "nesterov",
                group["momentum"] > 0 and group["dampening"] == 0,
                "needs momentum > 0 and dampening = 0",
            )

    def init_state(self, param, group):
        state = {"step": 0}
        if group["momentum"] != 0:
            state["momentum_buffer"] = np.zeros_like(param)
        return state

    def update_rule(self, group):
        return sgd, dict(
            lr=group["lr"],
            momentum=group["momentum"],
            dampening=group["dampening"],
            nesterov=group["nesterov"],
        )


class Momentum(SGD):
    """SGD with (heavy-ball) momentum, the "Momentum" of the [Ten optimizers] article:

        buf ← μ·buf + g,   θ ← θ − lr·buf

    [Ten optimizers] writes it with a velocity that holds the learning rate, v ← α·v − lr·g, θ ← θ + v; that is
    the same sequence of θ (v = −lr·buf) as long as lr is constant. Defaults: lr=1e-3, momentum=0.9;
    it equals `torch.optim.SGD(lr, momentum=0.9)`.
    """

    def __init__(self, params, lr=1e-3, momentum=0.9, dampening=0.0, weight_decay=0.0):
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay)


class Nesterov(SGD):
    """Nesterov momentum (Sutskever et al. 2013), `SGD(nesterov=True)`:

        buf ← μ·buf + g,   θ ← θ − lr·(g + μ·buf)

    [Ten optimizers] takes the gradient at the look-ahead point w + α·v: v ← α·v − lr·∇f(w + α·v), w ← w + v.
    With the change of variables θ = w + α·v the gradient is taken at θ itself and the update becomes
    the one above, so the θ here is [Ten optimizers]'s look-ahead point (both converge to the same minimum).
    Defaults: lr=1e-3, momentum=0.9; it equals `torch.optim.SGD(lr, momentum=0.9, nesterov=True)`.
    """

    def __init__(self, params, lr=1e-3, momentum=0.9, weight_decay=0.0):
        super().__init__(params, lr=lr, momentum=momentum, nesterov=True, weight_decay=weight_decay)
