"""Chapter 04, gradient descent: one SGD step."""

import numpy as np

from minigrad.homework.exercise import Exercise, Mistake, Probe


def sgd_step(param, grad, lr):
    """θ ← θ − η·g, returned as a new array."""
    return param - lr * grad


def _probes(rng):
    probes = []
    for dtype in (np.float64, np.float32):
        for shape in [(3,), (2, 4), ()]:
            param = rng.standard_normal(shape).astype(dtype)
            grad = rng.standard_normal(shape).astype(dtype)
            lr = float(rng.uniform(0.05, 0.5))
            probes.append(Probe(f"{np.dtype(dtype).name} {shape}, lr={lr:.3g}", dict(param=param, grad=grad, lr=lr)))
    probes.append(Probe("zero gradient", dict(param=np.array([1.0, -2.0]), grad=np.zeros(2), lr=0.1)))
    return probes


EXERCISES = [
    Exercise(
        chapter="04",
        function="sgd_step",
        title="one SGD step",
        points=1,
        solution=sgd_step,
        probes=_probes,
        outputs=("param",),
        forbidden=("minigrad.optim.sgd.sgd",),
        mistakes=(
            Mistake("The step goes uphill (θ + η·g)",
                    "The gradient points uphill; subtract it: θ − η·g.",
                    lambda param, grad, lr: param + lr * grad),
            Mistake("The learning rate is missing (θ − g)",
                    "Scale the gradient by the learning rate before subtracting it.",
                    lambda param, grad, lr: param - grad),
            Mistake("The step is divided by the learning rate (θ − g/η)",
                    "Multiply the gradient by η; dividing makes small learning rates take huge steps.",
                    lambda param, grad, lr: param - grad / lr),
        ),
    ),
]
