"""Chapter 05, momentum: one step of PyTorch's SGD with momentum and dampening.

The learner's function is called step after step on a recorded sequence of gradients and learning
rates, its buffer fed back in (None on the first step), so that mistakes which only show on a later
step, under a changing learning rate or with dampening are caught.
"""

import numpy as np

from minigrad.homework.exercise import Exercise, Mistake, Probe
from minigrad.optim.sgd import sgd


def momentum_step(param, grad, buf, lr, momentum, dampening=0.0):
    """torch.optim.SGD(lr, momentum, dampening) for one step: (new param, new buf).

    The first step (buf None) starts the buffer as the undamped gradient, as PyTorch does; minigrad's
    own `optim.SGD` starts from a zero buffer instead, which differs only when dampening ≠ 0."""
    param = np.array(param, copy=True)
    first = buf is None
    state = {"momentum_buffer": np.zeros_like(param) if first else np.array(buf, copy=True)}
    sgd(param, grad, state, lr=lr, momentum=momentum, dampening=0.0 if first else dampening)
    return param, state["momentum_buffer"]


def run_steps(function, probe, **fixed):
    """Call `function(param=, grad=, buf=, lr=, **hyperparameters)` once per gradient of the probe,
    feeding back the parameters and buffer it returns; the outputs are every step's param and buf."""
    kwargs = probe.kwargs
    param, buf = kwargs["param"], None
    params, bufs = [], []
    for grad, lr in zip(kwargs["grads"], kwargs["lrs"]):
        param, buf = function(
            param=param, grad=grad, buf=buf, lr=float(lr), **kwargs["hyperparameters"], **fixed
        )
        param, buf = np.array(param, copy=True), np.array(buf, copy=True)
        params.append(param)
        bufs.append(buf)
    return {"param": np.stack(params), "buf": np.stack(bufs)}


def momentum_probes(rng, dampening: bool = True):
    """Sequences of 6 steps: float64 and float32, several shapes, a changing learning rate, momentum
    in [0.5, 0.95], dampening 0 and (if `dampening`) not 0, and a zero and a tiny gradient."""
    probes = []
    cases = [
        (np.float64, (4,), "changing lr", 0.0),
        (np.float32, (2, 3), "changing lr", 0.0),
        (np.float64, (3,), "constant lr", 0.0),
        (np.float64, (), "changing lr", 0.0),
    ]
    if dampening:
        cases += [(np.float64, (4,), "changing lr", "damped"), (np.float32, (3,), "constant lr", "damped")]
    for dtype, shape, schedule, damped in cases:
        steps = 6
        grads = rng.standard_normal((steps, *shape)).astype(dtype)
        if shape == (4,):
            grads[2] = 0.0  # a step with no gradient: only the buffer moves the parameters
            grads[3, 0] = 1e-30  # a tiny gradient
        lrs = (
            rng.uniform(0.01, 0.3, steps)
            if schedule == "changing lr"
            else np.full(steps, rng.uniform(0.01, 0.3))
        )
        hyperparameters = {"momentum": float(rng.uniform(0.5, 0.95))}
        if dampening:
            hyperparameters["dampening"] = float(rng.uniform(0.1, 0.6)) if damped else 0.0
        label = f"{np.dtype(dtype).name} {shape}, {schedule}, " + ", ".join(
            f"{k}={v:.3g}" for k, v in hyperparameters.items()
        )
        probes.append(
            Probe(
                label,
                dict(
                    param=rng.standard_normal(shape).astype(dtype),
                    grads=grads,
                    lrs=lrs,
                    hyperparameters=hyperparameters,
                ),
            )
        )
    return probes


def _wrong(update):
    """A momentum_step whose buffer and parameter updates are given by `update(param, grad, buf, lr, μ, τ)`."""

    def step(param, grad, buf, lr, momentum, dampening=0.0):
        return update(param, grad, buf, lr, momentum, dampening)

    return step


def _torch_buffer(grad, buf, momentum, dampening):
    return grad.copy() if buf is None else momentum * buf + (1 - dampening) * grad


EXERCISES = [
    Exercise(
        chapter="05",
        function="momentum_step",
        title="a momentum step in PyTorch's form",
        points=2,
        solution=momentum_step,
        probes=momentum_probes,
        run=run_steps,
        outputs=("param", "buf"),
        mistakes=(
            Mistake(
                "The first buffer is damped (buf₁ = (1 − τ)·g)",
                "PyTorch creates the buffer as the gradient itself on the first step, undamped; "
                "dampening applies from the second step on (minigrad's optim.SGD, starting from a zero "
                "buffer, differs from PyTorch exactly here).",
                _wrong(
                    lambda p, g, b, lr, mu, tau: (
                        p - lr * (nb := (0 if b is None else mu * b) + (1 - tau) * g),
                        nb,
                    )
                ),
            ),
            Mistake(
                "Velocity form with the learning rate inside the buffer (v ← μv − lr·g, θ ← θ + v)",
                "Keep the learning rate out of the buffer: buf ← μ·buf + g, θ ← θ − lr·buf. With a "
                "changing learning rate the velocity form is a different optimizer.",
                _wrong(
                    lambda p, g, b, lr, mu, tau: (
                        p + (nb := -lr * g if b is None else mu * b - lr * (1 - tau) * g),
                        nb,
                    )
                ),
            ),
            Mistake(
                "The step goes uphill (θ + lr·buf)",
                "The buffer accumulates gradients, which point uphill; subtract it: θ − lr·buf.",
                _wrong(lambda p, g, b, lr, mu, tau: (p + lr * (nb := _torch_buffer(g, b, mu, tau)), nb)),
            ),
            Mistake(
                "The new gradient is not added to the buffer (buf ← μ·buf)",
                "Each step adds the current gradient: buf ← μ·buf + (1 − τ)·g.",
                _wrong(lambda p, g, b, lr, mu, tau: (p - lr * (nb := g.copy() if b is None else mu * b), nb)),
            ),
            Mistake(
                "An EMA instead of PyTorch's sum (buf ← μ·buf + (1 − μ)·g)",
                "PyTorch's buffer is an undamped sum, buf ← μ·buf + g (times 1 − dampening, which is a "
                "separate argument); the EMA of chapter 05's (E) form needs lr·(1 − μ) to match it.",
                _wrong(
                    lambda p, g, b, lr, mu, tau: (
                        p - lr * (nb := (0 if b is None else mu * b) + (1 - mu) * g),
                        nb,
                    )
                ),
            ),
            Mistake(
                "Dampening ignored (buf ← μ·buf + g on every step)",
                "From the second step on the new gradient is scaled by (1 − dampening).",
                _wrong(lambda p, g, b, lr, mu, tau: (p - lr * (nb := _torch_buffer(g, b, mu, 0.0)), nb)),
            ),
            Mistake(
                "The parameters move with the old buffer (θ − lr·buf before updating buf)",
                "Update the buffer first, then step with the new buffer: θ ← θ − lr·buf_new.",
                _wrong(
                    lambda p, g, b, lr, mu, tau: (
                        p - lr * (0 if b is None else b),
                        _torch_buffer(g, b, mu, tau),
                    )
                ),
            ),
            Mistake(
                "Nesterov's step instead of momentum's (θ − lr·(g + μ·buf))",
                "Plain momentum steps along the buffer itself: θ ← θ − lr·buf. The look-ahead "
                "g + μ·buf is chapter 06's Nesterov momentum.",
                _wrong(
                    lambda p, g, b, lr, mu, tau: (
                        p - lr * (g + mu * (nb := _torch_buffer(g, b, mu, tau))),
                        nb,
                    )
                ),
            ),
        ),
    ),
]
