"""Chapter 06, Nesterov momentum: one step of PyTorch's SGD(nesterov=True).

Fed step after step like chapter 05's momentum step (see `ch05.run_steps`), with a changing learning
rate, so that the velocity form with the learning rate inside the buffer is told apart."""

import numpy as np

from minigrad.homework.exercise import Exercise, Mistake
from minigrad.homework.exercises.ch05 import momentum_probes, run_steps
from minigrad.optim.sgd import sgd


def nesterov_step(param, grad, buf, lr, momentum):
    """torch.optim.SGD(lr, momentum, nesterov=True) for one step: (new param, new buf); buf None on the
    first step (the buffer then starts as grad)."""
    param = np.array(param, copy=True)
    state = {"momentum_buffer": np.zeros_like(param) if buf is None else np.array(buf, copy=True)}
    sgd(param, grad, state, lr=lr, momentum=momentum, nesterov=True)
    return param, state["momentum_buffer"]


def _probes(rng):
    return momentum_probes(rng, dampening=False)


def _buffer(grad, buf, momentum):
    return grad.copy() if buf is None else momentum * buf + grad


def _wrong(update):
    def step(param, grad, buf, lr, momentum):
        return update(param, grad, buf, lr, momentum)

    return step


EXERCISES = [
    Exercise(
        chapter="06",
        function="nesterov_step",
        title="a Nesterov step in PyTorch's form",
        points=2,
        solution=nesterov_step,
        probes=_probes,
        run=run_steps,
        outputs=("param", "buf"),
        mistakes=(
            Mistake(
                "μ²·buf_new instead of μ²·buf_old (θ − lr·(μ²·buf_new + (1 + μ)·g))",
                "This is the widely copied μ²·v_new slip: in θ ← θ + μ²·v − (1 + μ)·lr·g the velocity "
                "must be the one from *before* this step's update. In PyTorch's form write it as "
                "θ ← θ − lr·(g + μ·buf) with the updated buffer.",
                _wrong(
                    lambda p, g, b, lr, mu: (
                        p - lr * (mu * mu * (nb := _buffer(g, b, mu)) + (1 + mu) * g),
                        nb,
                    )
                ),
            ),
            Mistake(
                "Plain momentum (θ − lr·buf, or equally θ − lr·(g + μ·buf_old))",
                "Nesterov steps by the gradient plus μ times the *updated* buffer: buf ← μ·buf + g, then "
                "θ ← θ − lr·(g + μ·buf). Stepping along the buffer, or adding the old buffer to g (the "
                "same thing), is chapter 05's momentum.",
                _wrong(lambda p, g, b, lr, mu: (p - lr * (nb := _buffer(g, b, mu)), nb)),
            ),
            Mistake(
                "The look-ahead term has the wrong sign (θ − lr·(g − μ·buf))",
                "The buffer points the same way as the gradients it sums: add μ·buf to g.",
                _wrong(lambda p, g, b, lr, mu: (p - lr * (g - mu * (nb := _buffer(g, b, mu))), nb)),
            ),
            Mistake(
                "The step goes uphill (θ + lr·(g + μ·buf))",
                "The gradient and the buffer point uphill; subtract lr·(g + μ·buf).",
                _wrong(lambda p, g, b, lr, mu: (p + lr * (g + mu * (nb := _buffer(g, b, mu))), nb)),
            ),
            Mistake(
                "The current gradient is missing from the step (θ − lr·μ·buf)",
                "The step is lr·(g + μ·buf): the current gradient plus the momentum's look-ahead.",
                _wrong(lambda p, g, b, lr, mu: (p - lr * mu * (nb := _buffer(g, b, mu)), nb)),
            ),
            Mistake(
                "Velocity form with the learning rate inside the buffer (v ← μv − lr·g, θ ← θ + μv − lr·g)",
                "Keep the learning rate out of the buffer: buf ← μ·buf + g, θ ← θ − lr·(g + μ·buf). With a "
                "changing learning rate the velocity form is a different optimizer.",
                _wrong(
                    lambda p, g, b, lr, mu: (
                        p + mu * (nb := -lr * g if b is None else mu * b - lr * g) - lr * g,
                        nb,
                    )
                ),
            ),
        ),
    ),
]
